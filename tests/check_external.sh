#!/bin/bash
# folio check --external against a local python http.server: a live link passes, a dead one
# (404) and an unreachable one are reported at their Markdown lines.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
command -v python3 >/dev/null || { echo "skipped: python3 is not installed"; exit 77; }
mkdir www && echo hello > www/alive.html
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory www >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/alive.html" >/dev/null && break; sleep 0.1; done
make_site site 'base_url = "https://example.org/"'
cat > site/content/posts/2024-05-01-ext.md <<MD
---
title: Ext
date: 2024-05-01
---

An [alive link](http://127.0.0.1:$port/alive.html).

A [dead link](http://127.0.0.1:$port/dead.html).
MD
"$FOLIO" check -s site >o 2>e
check "without --external: not checked, exit 0" [ $? -eq 0 ]
check "without --external: listed" contains o "http://127.0.0.1:$port/dead.html"
"$FOLIO" check -s site --external --timeout 5 >o 2>e
rc=$?
check "a dead external link: exit 1" [ "$rc" -eq 1 ]
check "the dead link at its line, with the status" contains e "content/posts/2024-05-01-ext.md:8: dead external link 'http://127.0.0.1:$port/dead.html': HTTP 404"
check "the alive link passes" lacks e "alive.html"
kill $server; wait $server 2>/dev/null
"$FOLIO" check -s site --external --timeout 2 >o 2>e
check "an unreachable server is reported" contains e "content/posts/2024-05-01-ext.md:6: dead external link"
finish

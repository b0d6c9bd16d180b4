#!/usr/bin/env bash
# Screenshots of the default theme (home, a post, a tag page; wide and phone-sized) from the
# example site (every plugin on), taken with headless Chromium and kept as test artefacts in
# the ctest folder (artifacts/theme-*.png). Also checks the theme's pages load no external stylesheet or script.
. "$(dirname "$0")/lib.sh"
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then echo "SKIP: no chromium (apt-get install chromium)"; exit 77; fi
ART=$PWD/artifacts
mkdir -p "$ART"
cp -r "$SRC/example" "$WORK/site"
rm -rf "$WORK/site/public"
"$FOLIO" build -s "$WORK/site" > "$WORK/build.log" 2>&1 && ok || bad "example builds with all plugins: $(cat "$WORK/build.log")"
P=$WORK/site/public
POST=$(grep -l 'class="highlight"\|<pre' -r "$P" --include=index.html | grep '/20[0-9][0-9]/' | head -1)
TAG=$(find "$P/tags" -mindepth 2 -name index.html | head -1)
check "a post with code exists" test -n "$POST"
check "a tag page exists" test -n "$TAG"
check "no external stylesheets or scripts" bash -c "! grep -rhoE '<(link|script)[^>]*(https?:)?//' '$P' --include=*.html | grep -v 'rel=\"canonical\"\|rel=\"alternate\"' | grep -q ."
# Serve the output over HTTP on loopback (site-absolute links need a server, not file://).
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$P" > /dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
shoot() { # name path width height
  "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$WORK/chrome-$1" \
    --window-size="$3,$4" --screenshot="$ART/theme-$1.png" "http://127.0.0.1:$PORT/${2#$P/}" > /dev/null 2>&1
  check "screenshot $1" test -s "$ART/theme-$1.png"
}
shoot home "$P/index.html" 1200 1000
shoot post "$POST" 1200 1400
shoot tag "$TAG" 1200 900
shoot home-phone "$P/index.html" 390 900
shoot post-phone "$POST" 390 1400
echo "screenshots in $ART"
finish

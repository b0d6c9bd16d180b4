#!/usr/bin/env bash
# Smart typography (markdown.smart, on by default): curly quotes, dashes and ellipses in text,
# never in code; heading ids stay ASCII slugs; `smart = false` switches it off.
. "$(dirname "$0")/lib.sh"

post() {
  cat > "$1/content/posts/2024-05-06-typo.md" <<'MD'
---
title: Typo
---
She said "it's fine" -- twice --- and left...

Inline `"x" -- y...` stays.

```
print("a" -- 'b' ...)
```

## Don't "panic" -- now...
MD
}

S=$WORK/on
make_site "$S" 'plugins = { "summary", "anchors", "search" }'
post "$S"
"$FOLIO" build -s "$S" -q > "$WORK/on.log" 2>&1 && ok || bad "default site builds: $(cat "$WORK/on.log")"
P=$S/public/2024/05/06/typo/index.html
check "curly quotes, en and em dashes, ellipsis by default" contains "$P" "She said “it’s fine” – twice — and left…"
check "code span untouched" contains "$P" "<code>&quot;x&quot; -- y...</code>"
check "code block untouched" contains "$P" "print(&quot;a&quot; -- 'b' ...)"
check "heading text smart" contains "$P" "Don’t “panic” – now…</h2>"
check "heading id an ASCII slug" grep -q '<h2 id="dont-panic--now">' "$P"
check "summary smart" grep -q '<meta name="description" content="She said “it’s fine” – twice — and left…">' "$P"
check "search excerpt smart, code untouched" contains "$S/public/search.json" 'She said “it’s fine” – twice — and left… Inline \"x\" -- y... stays.'

S=$WORK/off
make_site "$S" 'plugins = { "anchors" }' 'markdown = { smart = false }'
post "$S"
"$FOLIO" build -s "$S" -q > "$WORK/off.log" 2>&1 && ok || bad "smart = false site builds: $(cat "$WORK/off.log")"
P=$S/public/2024/05/06/typo/index.html
check "smart = false: straight quotes and dashes" contains "$P" "She said &quot;it's fine&quot; -- twice --- and left..."
check "smart = false: heading id" grep -q '<h2 id="dont-panic----now">' "$P"

S=$WORK/other
make_site "$S" 'markdown = { hardbreaks = true }'
post "$S"
"$FOLIO" build -s "$S" -q > "$WORK/other.log" 2>&1 && ok || bad "hardbreaks site builds: $(cat "$WORK/other.log")"
check "another markdown key set: smart still on" contains "$S/public/2024/05/06/typo/index.html" "“it’s fine”"
finish

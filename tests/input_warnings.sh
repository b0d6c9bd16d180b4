#!/usr/bin/env bash
# Recoverable problems are warnings with a documented fallback: the build succeeds, every warning
# names file and line, one message per cause, the summary counts them; --strict and
# `strict = true` make them errors.
. "$(dirname "$0")/lib.sh"

S=$WORK/site
make_site "$S"
P=$S/content/posts
mkdir -p "$S/layouts"
# a layout that does not exist, asked for by three posts (line 3) and one page
for i in 1 2 3; do printf -- '---\ntitle: Lost %d\nlayout: nowhere\n---\nLost body %d\n' "$i" "$i" > "$P/2020-01-0$i-lost$i.md"; done
printf -- '---\ntitle: Lost page\nlayout: nowhere\n---\nA page body\n' > "$S/content/lostpage.md"
# dates folio cannot read: the file name's date is used
printf -- '---\ntitle: Odd date\ndate: 2023-01-29 18:30:22 2023 -0800\n---\nx\n' > "$P/2023-01-29-odd.md"
printf -- '---\ntitle: Tuesday\ndate: next tuesday\n---\nx\n' > "$P/2022-05-06-tuesday.md"
# Windows-1252: 0x92 is an apostrophe, on line 4
printf -- '---\ntitle: Old post\n---\nIt\x92s caf\xe9 time.\n' > "$P/2010-01-01-cp1252.md"
# front matter without its opening ---
printf -- 'title: Headless\ndate: 2019-03-04\ntags: [a]\n---\n\nThe headless body.\n' > "$P/2019-03-04-headless.md"
# wrong types
printf -- '---\ntitle: Typed\npermalink: [a, b]\ntags: {a: 1}\n---\nx\n' > "$P/2018-01-01-typed.md"
# raw HTML embeds survive
printf -- '---\ntitle: Embed\n---\n<iframe src="https://www.youtube.com/embed/xyz"></iframe>\n\n<script>var x = 1;</script>\n' > "$P/2017-01-01-embed.md"

"$FOLIO" build -s "$S" > "$WORK/out.log" 2> "$WORK/err.log"
status=$?
cp "$WORK/err.log" /tmp/folio-input-warnings.log 2>/dev/null
E=$WORK/err.log
check "the build succeeds" test "$status" -eq 0
check "summary counts the warnings" grep -q "^Built [0-9]* pages into public in .* with 7 warnings$" "$WORK/out.log"
check "no error" lacks "$E" "error:"
# missing layout: once, with file:line, the count and the pages, and the fallback
check "missing layout: one warning" test "$(grep -c "layout 'nowhere' not found" "$E")" -eq 1
check "missing layout: file and line" grep -q "^content/lostpage.md:3: warning: layout 'nowhere' not found" "$E"
check "missing layout: the pages" grep -q "4 pages ask for it (content/lostpage.md, content/posts/2020-01-01-lost1.md, content/posts/2020-01-02-lost2.md, content/posts/2020-01-03-lost3.md)" "$E"
check "missing layout: post rendered with the post layout" contains "$S/public/2020/01/01/lost1/index.html" '<article class="post h-entry">'
check "missing layout: its body" contains "$S/public/2020/01/01/lost1/index.html" "Lost body 1"
check "missing layout: page rendered" contains "$S/public/lostpage/index.html" "A page body"
# dates
check "odd date: warning with line" grep -q "^content/posts/2023-01-29-odd.md:3: warning: cannot read the date '2023-01-29 18:30:22 2023 -0800'.*using the file name" "$E"
check "odd date: the file name's date" test -f "$S/public/2023/01/29/odd/index.html"
check "next tuesday: warning" grep -q "^content/posts/2022-05-06-tuesday.md:3: warning: cannot read the date 'next tuesday'" "$E"
check "next tuesday: the file name's date" test -f "$S/public/2022/05/06/tuesday/index.html"
# Windows-1252
check "cp1252: warning with line" grep -q "^content/posts/2010-01-01-cp1252.md:4: warning: the file is not valid UTF-8 (byte 0x92, 2 bytes in all): read as Windows-1252" "$E"
check "cp1252: apostrophe decoded" contains "$S/public/2010/01/01/cp1252/index.html" "It’s café time."
# headless front matter
check "headless: warning" grep -q "^content/posts/2019-03-04-headless.md:1: warning: front matter without its opening ---" "$E"
check "headless: title from it" contains "$S/public/2019/03/04/headless/index.html" "<h1 class=\"p-name\">Headless</h1>"
check "headless: no setext heading" lacks "$S/public/2019/03/04/headless/index.html" "<h2>title: Headless"
check "headless: body" contains "$S/public/2019/03/04/headless/index.html" "The headless body."
# types
check "permalink list: warning with line" grep -q "^content/posts/2018-01-01-typed.md:3: warning: \`permalink\` must be text, not a list" "$E"
check "tags map: warning with line" grep -q "^content/posts/2018-01-01-typed.md:4: warning: \`tags\` must be a list, not a mapping" "$E"
check "typed: default permalink" test -f "$S/public/2018/01/01/typed/index.html"
check "no internal error" lacks "$E" "src/lua/folio"
# embeds
check "iframe survives" contains "$S/public/2017/01/01/embed/index.html" '<iframe src="https://www.youtube.com/embed/xyz"></iframe>'
check "script survives" contains "$S/public/2017/01/01/embed/index.html" '<script>var x = 1;</script>'

# --strict: the same warnings fail the build, the output is left as it was
cp -a "$S/public" "$WORK/before"
"$FOLIO" build -s "$S" --strict > "$WORK/strict.log" 2>&1
check "--strict fails" test $? -eq 1
check "--strict: warnings become errors" grep -q "^content/lostpage.md:3: error: layout 'nowhere' not found" "$WORK/strict.log"
check "--strict: says why" contains "$WORK/strict.log" "made an error by --strict"
check "--strict: failed with 7 errors" contains "$WORK/strict.log" "failed with 7 errors"
check "--strict: output kept" diff -r "$WORK/before" "$S/public"
echo 'strict = true' >> "$S/site.lua"
"$FOLIO" build -s "$S" > "$WORK/strict2.log" 2>&1
check "strict = true in site.lua fails" test $? -eq 1
# tagfilter for untrusted input
echo 'markdown = { tagfilter = true }' >> "$S/site.lua"
sed -i '/^strict = true$/d' "$S/site.lua"
"$FOLIO" build -s "$S" -q > /dev/null 2>&1
check "tagfilter = true escapes iframes" contains "$S/public/2017/01/01/embed/index.html" '&lt;iframe'

# A broken template is reported once, with how many pages use it (in one or two processes).
B=$WORK/big
make_site "$B"
mkdir -p "$B/layouts"
printf '<html>\n{{ page.nothing.here }}\n</html>\n' > "$B/layouts/bad.html"
for i in $(seq 1 100); do
  layout=post; [ $((i % 10)) -eq 0 ] && layout=bad
  printf -- '---\ntitle: "Post %d"\ndate: 2020-01-01 00:%02d\nlayout: %s\n---\nText %d\n' "$i" $((i % 60)) "$layout" "$i" > "$B/content/posts/p$i.md"
done
for fork in "" 1; do
  FOLIO_NO_FORK=$fork "$FOLIO" build -s "$B" > "$WORK/big.log" 2>&1
  check "broken template fails the build ($fork)" test $? -eq 1
  check "broken template: one message ($fork)" test "$(grep -c 'layouts/bad.html:2: error' "$WORK/big.log")" -eq 1
  check "broken template: the page count ($fork)" grep -q "note: the same for 10 pages (also content/posts/p100.md, .* and 4 more)" "$WORK/big.log"
  check "broken template: failed with 1 error ($fork)" contains "$WORK/big.log" "failed with 1 error;"
done
finish

#!/usr/bin/env bash
# End-to-end tests of `folio build`: the example site, a fresh site from `folio new`, drafts,
# clean URLs, titles and dates, static files, and that the output is replaced atomically.
. "$(dirname "$0")/lib.sh"

# --- the bundled example site -------------------------------------------------------------
cp -r "$SRC/example" "$WORK/example"
rm -rf "$WORK/example/public"
if "$FOLIO" build -s "$WORK/example" > "$WORK/example.log" 2>&1; then ok; else bad "example site builds: $(cat "$WORK/example.log")"; fi
P=$WORK/example/public
check "example has a home page" test -f "$P/index.html"
check "example copies the theme's stylesheet" test -f "$P/css/style.css"
check "example output has no live-reload script" lacks "$P/index.html" "_folio/live.js"
draft=$(grep -rl '^draft: true' "$WORK/example/content" | head -1)
draft_title=$(sed -n 's/^title: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$draft" | head -1)
check "example has a draft to test with" test -n "$draft_title"
check "example output leaves the draft out" bash -c "! grep -rqF '$draft_title' '$P'"

# --- folio new site / new post --------------------------------------------------------------
(cd "$WORK" && "$FOLIO" new site blog > /dev/null) && ok || bad "folio new site"
check "new site has site.lua" test -f "$WORK/blog/site.lua"
(cd "$WORK/blog" && "$FOLIO" new post "My first meetup" > /dev/null) && ok || bad "folio new post"
check "new post file" bash -c "ls '$WORK/blog/content/posts/' | grep -q -- '-my-first-meetup.md$'"
(cd "$WORK/blog" && "$FOLIO" build -q > "$WORK/blog.log" 2>&1) && ok || bad "new site builds: $(cat "$WORK/blog.log")"
check "new post is published under a clean URL" bash -c "find '$WORK/blog/public' -path '*my-first-meetup/index.html' | grep -q ."
check "new site refuses to overwrite" bash -c "cd '$WORK' && ! '$FOLIO' new site blog 2>/dev/null"

# --- titles, dates, slugs, drafts ------------------------------------------------------------
S=$WORK/rules
make_site "$S"
printf -- '---\ntitle: "Why You Should Go"\ndate: 2014-01-08 21:47:47 \nlayout: post \n---\n\nBody.\n' > "$S/content/posts/a.md"
printf -- '---\nsubject: "Subject Only"\ndate: 2015-03-01\n---\n\nText.\n' > "$S/content/posts/b.md"
printf '# Heading Title\n\nNo front matter here.\n' > "$S/content/posts/c.md"
printf 'Just text.\n' > "$S/content/posts/2016-05-04-from-the-name.md"
printf -- '---\ntitle: Secret\ndraft: true\ndate: 2016-01-01\n---\nhidden\n' > "$S/content/posts/d.md"
printf '\xef\xbb\xbf---\r\ntitle: "Windows file"\r\ndate: 2017-02-03\r\n---\r\n\r\nLine one\r\n' > "$S/content/posts/crlf.md"
printf -- '---\ntitle: About\n---\nAbout me.\n' > "$S/content/about.md"
"$FOLIO" build -s "$S" -q > "$WORK/rules.log" 2>&1 && ok || bad "rules site builds: $(cat "$WORK/rules.log")"
O=$S/public
check "title + date + slug from title" test -f "$O/2014/01/08/why-you-should-go/index.html"
check "subject is the title" contains "$O/2015/03/01/subject-only/index.html" "Subject Only"
check "first heading is the title" bash -c "find '$O' -path '*/heading-title/index.html' | grep -q ."
check "date and slug from a Jekyll file name" test -f "$O/2016/05/04/from-the-name/index.html"
check "drafts are skipped" bash -c "! grep -rq Secret '$O'"
check "BOM + CRLF file builds" test -f "$O/2017/02/03/windows-file/index.html"
check "pages use their path" test -f "$O/about/index.html"
check "home lists posts newest first" bash -c "grep -o 'Windows file\|Why You Should Go' '$O/index.html' | head -1 | grep -q 'Windows file'"
"$FOLIO" build -s "$S" -q --drafts > /dev/null 2>&1 && ok || bad "build --drafts"
check "--drafts includes drafts" bash -c "grep -rq Secret '$O'"

# --- the output is replaced only by a good build; nothing outside it is touched -------------
before=$(cd "$S" && find . -path ./public -prune -o -name .public.folio-lock -prune -o -name .folio-cache -prune -o -type f -print | sort | xargs md5sum)
printf -- '---\ntitle: [unclosed\n---\n' > "$S/content/posts/broken.md"
echo keep > "$O/marker.txt"
check "a failing build exits non-zero" bash -c "! '$FOLIO' build -s '$S' -q 2>/dev/null"
check "a failing build leaves the last output" test -f "$O/marker.txt"
check "a failing build leaves no staging folder" bash -c "! ls -a '$S' | grep -q folio-build"
rm "$S/content/posts/broken.md"
after=$(cd "$S" && find . -path ./public -prune -o -name .public.folio-lock -prune -o -name .folio-cache -prune -o -type f -print | sort | xargs md5sum)
check "nothing outside the output folder changed" test "$before" = "$after"
# links inside the old output point outside it: removing the old output must not follow them
mkdir -p "$WORK/outside/dir" "$O/deep/er"
echo precious > "$WORK/outside/file.txt"
echo precious > "$WORK/outside/dir/inner.txt"
ln -s "$WORK/outside/file.txt" "$O/link-to-file"
ln -s "$WORK/outside/dir" "$O/deep/er/link-to-dir"
ln -s "$WORK/outside" "$O/link-to-top"
"$FOLIO" build -s "$S" -q > /dev/null 2>&1 && ok || bad "rebuild after fix"
check "a good build replaces the output" test ! -f "$O/marker.txt"
check "the old output's links are gone" bash -c "! test -e '$O/link-to-file' && ! test -e '$O/deep'"
check "what the old output's links pointed to is untouched" bash -c \
  "grep -q precious '$WORK/outside/file.txt' && grep -q precious '$WORK/outside/dir/inner.txt'"
check "no staging folder is left after a good build" bash -c "! ls -a '$S' | grep -q folio-build"
check "output option" bash -c "'$FOLIO' build -s '$S' -q -o '$WORK/elsewhere' && test -f '$WORK/elsewhere/index.html'"

# --- parallel parsing gives every page every extension --------------------------------------
# (cmark-gfm keeps extension characters in a process-wide table; see src/md/markdown.c)
X=$WORK/ext
make_site "$X"
for i in $(seq 1 400); do
  printf -- '---\ntitle: "Ext %d"\ndate: 2020-01-01\n---\nSome ~~struck~~ text and https://example.org/%d here.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n' "$i" "$i" > "$X/content/posts/e$i.md"
done
"$FOLIO" build -s "$X" -q -j 2 > /dev/null 2>&1 && ok || bad "extension site builds"
check "strikethrough on every page" test "$(grep -l '<del>struck</del>' -r "$X/public" --include=index.html | wc -l)" -eq 400
check "autolinks on every page" test "$(grep -lE '<a href="https://example.org/[0-9]+">' -r "$X/public" --include=index.html | wc -l)" -ge 400
check "tables on every page" test "$(grep -l '<table>' -r "$X/public" --include=index.html | wc -l)" -eq 400

# --- command line --------------------------------------------------------------------------
for cmd in build serve new version help lua; do
  check "folio $cmd --help" bash -c "'$FOLIO' $cmd --help | grep -q Usage"
done
check "unknown command fails with usage" bash -c "'$FOLIO' frobnicate 2>&1 | grep -q 'unknown command' && ! '$FOLIO' frobnicate 2>/dev/null"
check "unknown option fails" bash -c "! '$FOLIO' build --frob 2>/dev/null"
finish

#!/usr/bin/env bash
# render_default_theme.sh: the default theme's per-language partials (nav.html, footer.html,
# search.html, feed-links.html: `cache: language`) give the same site as the same theme with
# those partials rendered on every page, on a two-language site with a menu page; the menu's
# aria-current marks only the page it links to.
. "$(dirname "$0")/lib.sh"

PLUGINS='plugins = { "taxonomies", "feeds", "sitemap", "search", "archives", "related", "summary" }'
write_site() { # DIR THEME
  make_site "$1" 'languages = { en = { weight = 1 }, ja = { title = "ブログ", weight = 2 } }' "$PLUGINS" "theme = \"$2\""
  mkdir -p "$1/content/en/posts" "$1/content/ja/posts"
  printf -- '---\ntitle: Hello\ndate: 2026-12-02\ntags: [go]\n---\nHello world.\n' > "$1/content/en/posts/hello.md"
  printf -- '---\ntitle: Second\ndate: 2026-11-02\ntags: [go]\nauthor: Ann\n---\nMore <b>&</b>.\n' > "$1/content/en/posts/second.md"
  printf -- '---\ntitle: こんにちは\ndate: 2026-12-02\ntags: [go]\n---\nこんにちは世界。\n' > "$1/content/ja/posts/hello.md"
  printf -- '---\ntitle: About\n---\nAbout us.\n' > "$1/content/en/about.md"
  printf -- '---\ntitle: 概要\n---\n私たち。\n' > "$1/content/ja/about.md"
  # (the same file times in both sites: an undated page's lastmod is its file's, and the two
  # sites are written a moment apart)
  find "$1/content" -type f -exec touch -d "2026-12-01 00:00:00 UTC" {} +
}
C=$WORK/cached
U=$WORK/uncached
write_site "$C" default
write_site "$U" plain
# "plain": the default theme with every `cache:` line taken out of the partials' front matter
mkdir -p "$U/themes"
cp -r "$SRC/themes/default" "$U/themes/plain"
n=0
for f in "$U"/themes/plain/layouts/partials/*.html; do
  if grep -q '^cache: language' "$f"; then sed -i '/^cache: language/d' "$f"; n=$((n + 1)); fi
done
check "the default theme has per-language partials ($n)" test "$n" -ge 4
(cd "$C" && "$FOLIO" build -q > "$WORK/c.log" 2>&1) && ok || bad "cached site builds: $(cat "$WORK/c.log")"
(cd "$U" && "$FOLIO" build -q > "$WORK/u.log" 2>&1) && ok || bad "uncached site builds: $(cat "$WORK/u.log")"
check "same output with and without the per-language caches" diff -r "$C/public" "$U/public"
P=$C/public
check "the about page's own link is aria-current" contains "$P/about/index.html" 'href="/blog/about/" aria-current="page">About'
check "a post's menu has no aria-current" lacks "$P/2026/12/02/hello/index.html" 'aria-current="page">About'
ja_post=$(find "$P/ja/2026/12/02" -name index.html | head -1)
check "ja pages have the ja menu" contains "$ja_post" '<li><a href="/blog/ja/about/">概要</a></li>'
check "the ja about page's link is aria-current" contains "$P/ja/about/index.html" 'href="/blog/ja/about/" aria-current="page">概要'
check "ja footer in Japanese" contains "$ja_post" '· folio で作成</p>'
check "en footer in English" contains "$P/2026/12/02/hello/index.html" '· Made with folio</p>'
check "ja search box" contains "$ja_post" 'data-index="/blog/ja/search.json"'
check "ja feed links" contains "$ja_post" 'href="https://example.org/blog/ja/atom.xml"'
check "en feed links" lacks "$P/2026/12/02/hello/index.html" 'href="https://example.org/blog/ja/atom.xml"'
check "the author's name in the post meta" contains "$P/2026/11/02/second/index.html" 'Ann'
check "JSON-LD BlogPosting with escaped markup" contains "$P/2026/11/02/second/index.html" '"@type":"BlogPosting"'
finish

#!/usr/bin/env bash
# i18n_multilingual.sh: a two-language site, both as site.lua's `languages` and as content
# folders only: per-language homes, tag pages, archives, feeds and search indexes that never mix
# languages, language prefixes, the sitemap's hreflang alternates, the language switcher (by
# path and by translation_key), and default_language_in_url.
. "$(dirname "$0")/lib.sh"

write_posts() { # DIR
  mkdir -p "$1/content/en/posts" "$1/content/ja/posts"
  printf -- '---\ntitle: Hello\ndate: 2026-12-02\ntags: [go]\n---\nHello world.\n' > "$1/content/en/posts/hello.md"
  printf -- '---\ntitle: こんにちは\ndate: 2026-12-02\ntags: [go]\n---\nこんにちは世界。\n' > "$1/content/ja/posts/hello.md"
  printf -- '---\ntitle: Keyed English\ndate: 2026-11-01\ntags: [go]\ntranslation_key: k1\n---\nText.\n' > "$1/content/en/posts/keyed.md"
  printf -- '---\ntitle: 別名の記事\nslug: betsumei\ndate: 2026-11-02\ntranslation_key: k1\n---\n本文。\n' > "$1/content/ja/posts/other-name.md"
  printf -- '---\ntitle: English only\ndate: 2026-10-01\n---\nAlone.\n' > "$1/content/en/posts/alone.md"
}
PLUGINS='plugins = { "taxonomies", "feeds", "sitemap", "search", "archives", "related" }'
S=$WORK/site
make_site "$S" 'languages = { en = { weight = 1 }, ja = { title = "ブログ", weight = 2 } }' "$PLUGINS"
write_posts "$S"
(cd "$S" && "$FOLIO" build > "$WORK/build.log" 2>&1) && ok || bad "site builds: $(cat "$WORK/build.log")"
P=$S/public
en_post=$P/2026/12/02/hello/index.html
ja_post=$P/ja/2026/12/02/hello/index.html
check "default language at the root" test -f "$en_post"
check "other language under its prefix (slug from the file name's path)" test -f "$ja_post" -o -n "$(find "$P/ja/2026/12/02" -name index.html)"
ja_post=$(find "$P/ja/2026/12/02" -name index.html | head -1)
check "ja page lang" contains "$ja_post" '<html lang="ja">'
check "en page lang" contains "$en_post" '<html lang="en">'
check "ja home exists" test -f "$P/ja/index.html"
check "ja home in Japanese with its own title" contains "$P/ja/index.html" '<html lang="ja">'
check "ja home title from languages.ja" contains "$P/ja/index.html" 'ブログ'
check "en home lists en posts" contains "$P/index.html" '>Hello</a>'
check "en home has no ja post" lacks "$P/index.html" 'こんにちは'
check "ja home lists ja posts" contains "$P/ja/index.html" 'こんにちは</a>'
check "ja home has no en post" lacks "$P/ja/index.html" '>Hello</a>'
check "ja tag page" test -f "$P/ja/tags/go/index.html"
check "en tag page has no ja post" lacks "$P/tags/go/index.html" 'こんにちは'
check "ja tag page has no en post" lacks "$P/ja/tags/go/index.html" 'Hello'
check "ja tag page counts only its posts" contains "$P/ja/tags/go/index.html" '1 件の投稿'
check "en tag page counts 2" contains "$P/tags/go/index.html" '2 posts'
check "ja archive" test -f "$P/ja/archives/index.html"
check "ja archive month name" contains "$P/ja/archives/index.html" '2026年12月'
check "en feed" test -f "$P/atom.xml"
check "ja feed" test -f "$P/ja/atom.xml"
check "en feed lacks ja" lacks "$P/atom.xml" 'こんにちは'
check "ja feed lacks en" lacks "$P/ja/atom.xml" '<title>Hello</title>'
check "ja feed has ja" contains "$P/ja/atom.xml" 'こんにちは'
check "ja JSON feed language" contains "$P/ja/feed.json" '"language":"ja"'
check "ja page links its own feed" contains "$ja_post" 'href="https://example.org/blog/ja/atom.xml"'
check "ja search index" test -f "$P/ja/search.json"
check "en search index lacks ja" lacks "$P/search.json" 'こんにちは'
check "ja search box reads the ja index" contains "$ja_post" 'data-index="/blog/ja/search.json"'
check "ja home link" contains "$ja_post" 'href="/blog/ja/">ブログ</a>'
# prev/next stay in one language
check "en post's neighbour is English" contains "$en_post" 'Keyed English'
check "ja post's neighbour is Japanese" contains "$ja_post" '別名の記事'
check "no cross-language neighbour" lacks "$en_post" '別名の記事'
# sitemap: both languages, with alternates
sm=$P/sitemap.xml
check "sitemap declares xhtml" contains "$sm" 'xmlns:xhtml="http://www.w3.org/1999/xhtml"'
check "sitemap lists the ja post" grep -qF "<loc>https://example.org/blog/ja/2026/12/02/" "$sm"
check "sitemap hreflang ja on the en post" grep -qF '<xhtml:link rel="alternate" hreflang="ja" href="https://example.org/blog/ja/2026/12/02/' "$sm"
check "sitemap hreflang en" contains "$sm" '<xhtml:link rel="alternate" hreflang="en" href="https://example.org/blog/2026/12/02/hello/"/>'
check "sitemap alternates of the homes" contains "$sm" '<xhtml:link rel="alternate" hreflang="ja" href="https://example.org/blog/ja/"/>'
# switcher: by path, by translation_key, none for a page without translation
check "switcher on the en post links ja" grep -qF 'hreflang="ja" lang="ja" rel="alternate"' "$en_post"
check "switcher names the language" contains "$en_post" '日本語</a>'
check "switcher on the ja post links en" contains "$ja_post" 'href="/blog/2026/12/02/hello/" hreflang="en"'
keyed=$P/2026/11/01/keyed-english/index.html
check "translation_key links the renamed post" contains "$keyed" 'href="/blog/ja/2026/11/02/betsumei/" hreflang="ja"'
check "no switcher without translations" lacks "$P/2026/10/01/english-only/index.html" 'language-switcher'

# The same posts in content folders only (no `languages` in site.lua): the same split.
F=$WORK/folders
make_site "$F" "$PLUGINS"
write_posts "$F"
(cd "$F" && "$FOLIO" build > "$WORK/build.log" 2>&1) && ok || bad "folder site builds: $(cat "$WORK/build.log")"
check "folders: ja home" test -f "$F/public/ja/index.html"
check "folders: en at the root" test -f "$F/public/2026/12/02/hello/index.html"
check "folders: en home lacks ja" lacks "$F/public/index.html" 'こんにちは'
check "folders: ja feed" contains "$F/public/ja/atom.xml" 'こんにちは'

# Safe mode: the shipped plugins still split per language.
rm -rf "$F/public"
(cd "$F" && "$FOLIO" build --safe > "$WORK/build.log" 2>&1) && ok || bad "folder site builds in safe mode: $(cat "$WORK/build.log")"
check "safe mode: ja tag page" test -f "$F/public/ja/tags/go/index.html"
check "safe mode: ja feed lacks en" lacks "$F/public/ja/atom.xml" '<title>Hello</title>'

# default_language_in_url: /en/ prefix, / redirects there.
D=$WORK/prefixed
make_site "$D" 'languages = { en = { weight = 1 }, ja = { weight = 2 } }' 'default_language_in_url = true' "$PLUGINS"
write_posts "$D"
(cd "$D" && "$FOLIO" build > "$WORK/build.log" 2>&1) && ok || bad "prefixed site builds: $(cat "$WORK/build.log")"
check "en under /en/" test -f "$D/public/en/2026/12/02/hello/index.html"
check "en home at /en/" contains "$D/public/en/index.html" '>Hello</a>'
check "/ redirects to /en/" contains "$D/public/index.html" 'url=https://example.org/blog/en/'
finish

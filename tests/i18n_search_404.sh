#!/usr/bin/env bash
# i18n_search_404.sh: the search box carries its messages ("No results", "%d results" in each
# plural form, "Search is not available.") in the page's language, from the theme's i18n files
# or the site's overrides, and reads its language's index; a multilingual site gets a 404 page
# per language (/ja/404.html, as Hugo writes them), the root /404.html in the default language,
# each with its language's lang, dir, strings and posts; a one-language site's 404 is in its
# language; alert titles come from the i18n files too; the sitemap percent-encodes non-ASCII URLs; folio serve answers a missing page under /ja/ with /ja/404.html.
. "$(dirname "$0")/lib.sh"
PLUGINS='plugins = { "taxonomies", "feeds", "sitemap", "search", "archives", "alerts" }'
build() { (cd "$1" && "$FOLIO" build > "$WORK/build.log" 2>&1) && ok || bad "$1 builds: $(cat "$WORK/build.log")"; }

# One language, German: the search box and the 404 page speak German.
D=$WORK/de
make_site "$D" 'language = "de"' "$PLUGINS"
printf -- '---\ntitle: Hallo\ndate: 2026-12-02\n---\nHallo Welt.\n' > "$D/content/posts/hallo.md"
build "$D"
post=$D/public/2026/12/02/hallo/index.html
check "de: no-results message" contains "$post" 'data-no-results="Keine Treffer"'
check "de: count, one" contains "$post" 'data-count-one="%d Treffer"'
check "de: count, other" contains "$post" 'data-count-other="%d Treffer"'
check "de: unavailable message" contains "$post" 'data-unavailable="Die Suche ist nicht verfügbar."'
check "de: no English message" lacks "$post" 'No results'
check "de: 404 is German" contains "$D/public/404.html" '<h1>Seite nicht gefunden</h1>'
check "de: 404 title is German" contains "$D/public/404.html" '<title>Seite nicht gefunden'
check "de: 404 lang" contains "$D/public/404.html" '<html lang="de">'
printf -- '---\ntitle: Achtung\ndate: 2026-12-01\n---\n> [!WARNING]\n> Vorsicht.\n\n> [!NOTE]\n> Notiz.\n' > "$D/content/posts/achtung.md"
mkdir -p "$D/i18n"; echo 'return { alert_note = "Anmerkung" }' > "$D/i18n/de.lua"
(cd "$D" && "$FOLIO" build > "$WORK/build.log" 2>&1) || bad "de rebuild: $(cat "$WORK/build.log")"
check "de: alert title from the theme's de.lua" contains "$D/public/2026/12/01/achtung/index.html" '<p class="alert-title">Warnung</p>'
check "de: alert title from the site's de.lua" contains "$D/public/2026/12/01/achtung/index.html" '<p class="alert-title">Anmerkung</p>'
check "code stays left to right on RTL pages" grep -q 'direction: *ltr' "$D"/public/css/style.*.css
check "de: one 404 only" test ! -e "$D/public/de/404.html"

# Two languages and Arabic, a site override of one Japanese string.
M=$WORK/multi
make_site "$M" 'languages = { en = { weight = 1 }, ja = { weight = 2, title = "ブログ" }, ar = { weight = 3 } }' "$PLUGINS"
rmdir "$M/content/posts"
mkdir -p "$M/content/en/posts" "$M/content/ja/posts" "$M/content/ar/posts" "$M/i18n"
printf -- '---\ntitle: Hello\ndate: 2026-12-02\n---\nHello world.\n' > "$M/content/en/posts/hello.md"
printf -- '---\ntitle: こんにちは\ndate: 2026-12-02\n---\nこんにちは世界。\n' > "$M/content/ja/posts/hello.md"
printf -- '---\ntitle: مرحبا\ndate: 2026-12-02\n---\nمرحبا بالعالم.\n' > "$M/content/ar/posts/hello.md"
echo 'return { search_no_results = "見つかりませんでした" }' > "$M/i18n/ja.lua"
build "$M"
P=$M/public
ja_post=$(find "$P/ja/2026" -name index.html | head -1)
ar_post=$(find "$P/ar/2026" -name index.html | head -1)
check "ja: the site's override" contains "$ja_post" 'data-no-results="見つかりませんでした"'
check "ja: the theme's count" contains "$ja_post" 'data-count-other="%d 件の結果"'
check "ja: no count form Japanese lacks" lacks "$ja_post" 'data-count-one='
check "ja: its own index" contains "$ja_post" 'data-index="/blog/ja/search.json"'
check "ar: all six forms" contains "$ar_post" 'data-count-zero="لا نتائج" data-count-one="نتيجة واحدة" data-count-two="نتيجتان" data-count-few="%d نتائج" data-count-many="%d نتيجة" data-count-other="%d نتيجة"'
check "ar: its own index" contains "$ar_post" 'data-index="/blog/ar/search.json"'
check "en: English messages" contains "$P/2026/12/02/hello/index.html" 'data-no-results="No results"'
check "en: the root index" contains "$P/2026/12/02/hello/index.html" 'data-index="/blog/search.json"'
# the 404 pages
check "root 404 exists" test -f "$P/404.html"
check "ja 404 exists" test -f "$P/ja/404.html"
check "ar 404 exists" test -f "$P/ar/404.html"
check "no en/404.html (the default language has no prefix)" test ! -e "$P/en/404.html"
check "root 404 in the default language" contains "$P/404.html" '<html lang="en">'
check "root 404 lists en posts" contains "$P/404.html" '>Hello</a>'
check "root 404 lacks ja posts" lacks "$P/404.html" 'こんにちは</a>'
check "ja 404 lang" contains "$P/ja/404.html" '<html lang="ja">'
check "ja 404 heading" contains "$P/ja/404.html" '<h1>ページが見つかりません</h1>'
check "ja 404 title" contains "$P/ja/404.html" '<title>ページが見つかりません · ブログ</title>'
check "ja 404 links the ja home" contains "$P/ja/404.html" 'href="/blog/ja/">'
check "ja 404 lists ja posts" contains "$P/ja/404.html" 'こんにちは</a>'
check "ja 404 lacks en posts" lacks "$P/ja/404.html" '>Hello</a>'
check "ja 404 searches the ja index" contains "$P/ja/404.html" 'data-index="/blog/ja/search.json"'
check "ar 404 right to left" contains "$P/ar/404.html" '<html lang="ar" dir="rtl">'
printf -- '---\ntitle: تنبيه\nslug: مرحبا\ndate: 2026-12-01\n---\n> [!TIP]\n> نص.\n' > "$M/content/ar/posts/tip.md"
(cd "$M" && "$FOLIO" build > "$WORK/build.log" 2>&1) || bad "multi rebuild: $(cat "$WORK/build.log")"
check "ar: alert title in Arabic" grep -rqF '<p class="alert-title">نصيحة</p>' "$P/ar/2026/12/01"
check "sitemap: a non-ASCII URL percent-encoded" contains "$P/sitemap.xml" '<loc>https://example.org/blog/ar/2026/12/01/%D9%85%D8%B1%D8%AD%D8%A8%D8%A7/</loc>'
check "ar 404 heading" contains "$P/ar/404.html" '<h1>الصفحة غير موجودة</h1>'
check "sitemap leaves the 404 pages out" lacks "$P/sitemap.xml" '404'

# default_language_in_url: /en/404.html too, the root one still English.
U=$WORK/inurl
make_site "$U" 'languages = { en = { weight = 1 }, ja = { weight = 2 } }' 'default_language_in_url = true' "$PLUGINS"
rmdir "$U/content/posts"
mkdir -p "$U/content/en/posts" "$U/content/ja/posts"
cp "$M/content/en/posts/hello.md" "$U/content/en/posts/"; cp "$M/content/ja/posts/hello.md" "$U/content/ja/posts/"
build "$U"
check "in-url: root 404 English" contains "$U/public/404.html" '<html lang="en">'
check "in-url: en 404" contains "$U/public/en/404.html" '<html lang="en">'
check "in-url: ja 404" contains "$U/public/ja/404.html" '<html lang="ja">'

# A site's own 404 page, or not_found_page = false: no 404 is generated in any language.
N=$WORK/off
make_site "$N" 'languages = { en = { weight = 1 }, ja = { weight = 2 } }' 'not_found_page = false' "$PLUGINS"
rmdir "$N/content/posts"
mkdir -p "$N/content/en/posts" "$N/content/ja/posts"
cp "$M/content/en/posts/hello.md" "$N/content/en/posts/"; cp "$M/content/ja/posts/hello.md" "$N/content/ja/posts/"
build "$N"
check "not_found_page = false: no root 404" test ! -e "$N/public/404.html"
check "not_found_page = false: no ja 404" test ! -e "$N/public/ja/404.html"
O=$WORK/own
make_site "$O" 'languages = { en = { weight = 1 }, ja = { weight = 2 } }' "$PLUGINS"
rmdir "$O/content/posts"
mkdir -p "$O/content/en/posts" "$O/content/ja/posts"
cp "$M/content/en/posts/hello.md" "$O/content/en/posts/"; cp "$M/content/ja/posts/hello.md" "$O/content/ja/posts/"
printf -- '---\ntitle: Lost\nurl: /404.html\n---\nMy own.\n' > "$O/content/en/404.md"
printf -- '---\ntitle: 迷子\nurl: /ja/404.html\n---\n私の。\n' > "$O/content/ja/404.md"
build "$O"
check "own 404 kept" contains "$O/public/404.html" 'My own.'
check "own ja 404 kept" contains "$O/public/ja/404.html" '私の。'
# The search excerpt starts where the summary does: not with seed 000's row of sparkles and
# its title line; a page with a description of its own keeps its text's start.
X=$WORK/excerpt
make_site "$X" 'plugins = { "emoji", "summary", "search" }'
printf -- '---\ntitle: "Janet'"'"'s Meetup Writeup"\ndate: 2026-12-01\n---\n:sparkles::sparkles::sparkles:\n\n**Janet'"'"'s Meetup Writeup**\n\nI used the app.\n' > "$X/content/posts/janet.md"
printf -- '---\ntitle: Own\ndate: 2026-12-02\ndescription: Something else.\n---\n## First\n\nBody text.\n' > "$X/content/posts/own.md"
build "$X"
check "excerpt skips the emoji row and the title line" contains "$X/public/search.json" '"excerpt":"I used the app."'
check "a description leaves the excerpt as the text is" contains "$X/public/search.json" '"excerpt":"First Body text."'

# folio serve answers a missing page with the nearest 404.html: a language's own under its prefix.
log=$WORK/serve.log
start_serve "$M" "$log"
surl=$serve_url
check "serve starts" [ -n "$surl" ]
code() { curl -s -o "$WORK/body" -w '%{http_code}' "${surl%/}$1"; }
check "serve: missing ja page is 404" [ "$(code /ja/no/such/page/)" = 404 ]
check "serve: ... with the ja 404" contains "$WORK/body" '<html lang="ja">'
check "serve: missing ar file is 404" [ "$(code /ar/missing.css)" = 404 ]
check "serve: ... with the ar 404" contains "$WORK/body" '<html lang="ar" dir="rtl">'
check "serve: missing page elsewhere is 404" [ "$(code /no/such/)" = 404 ]
check "serve: ... with the root 404" contains "$WORK/body" '<html lang="en">'
check "serve: /jax/ is not /ja/" [ "$(code /jax/y)" = 404 ]
check "serve: ... with the root 404" contains "$WORK/body" '<html lang="en">'
stop_serve
finish

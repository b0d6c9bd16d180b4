#!/usr/bin/env bash
# jekyll_site.sh: a small Jekyll-shaped site (_config.yml, no site.lua) built once per
# permalink style: post URLs (date, pretty, ordinal, none, a custom pattern with :title's case
# kept), categories from the folders above _posts and from front matter, page URLs, `defaults`
# by path and type, _data (YAML, JSON, CSV) in Liquid, excluded and `_` files absent, included
# ones present, static files copied as they are, drafts only with --drafts, jekyll-feed's
# /feed.xml, an unknown Jekyll plugin warned about, the files classified once with two states.
. "$SRC/tests/lib.sh"
site=$WORK/site
mkdir -p "$site/_posts" "$site/en/news/_posts" "$site/_drafts" "$site/_data/team" "$site/assets/img" \
         "$site/docs" "$site/node_modules/x" "$site/vendor/bundle" "$site/_private" "$site/notes"
config() { # config PERMALINK: writes _config.yml with that permalink style
  cat > "$site/_config.yml" <<YML
title: Jekyll test
description: A site shaped like Jekyll's
url: https://example.org
baseurl: /blog
timezone: UTC
permalink: $1
exclude: [notes, README.md]
include: [_private]
plugins: [jekyll-feed, jekyll-sitemap, jekyll-redirect-from, jekyll-made-up]
collections:
  recipes: { output: true, permalink: "/cook/:path/" }
  guides: { output: true }
  hidden: { output: false }
defaults:
  - scope: { path: "" }
    values: { author: Everyone }
  - scope: { path: "", type: posts }
    values: { author: Poster, show: from-posts-default }
  - scope: { path: en }
    values: { lang: en-default }
  - scope: { path: "", type: recipes }
    values: { course: main }
YML
}
cat > "$site/_posts/2020-03-04-Hello-World.md" <<'MD'
---
title: Hello
---
Hello by {{ page.author }}; {{ page.show }}. Members: {% for m in site.data.members %}{{ m.name }}/{% endfor %}
Team lead: {{ site.data.team.leads.first }}. Prices: {{ site.data.prices[1].price }}.
MD
cat > "$site/en/news/_posts/2021-12-31-release.md" <<'MD'
---
title: Release
categories: [announce]
redirect_from: /old-release/
---
Released ({{ page.lang }}).
MD
cat > "$site/_posts/2019-01-01-own-link.md" <<'MD'
---
title: Own
permalink: /special/:year/:title/
---
Own permalink.
MD
mkdir -p "$site/_recipes/soups" "$site/_guides" "$site/_hidden"
printf -- '---\ntitle: Leek soup\n---\nA {{ page.course }} course.\n' > "$site/_recipes/soups/leek.md"
printf -- '---\ntitle: Start\n---\nGuide.\n' > "$site/_guides/start.md"
printf -- '---\ntitle: Hid\n---\nNo.\n' > "$site/_hidden/h.md"
printf -- '---\nlayout: none\n---\n<p>bare</p>\n' > "$site/_posts/2019-05-05-bare.html"
printf -- '---\ntitle: Later\n---\nLater.\n' > "$site/_posts/2999-01-01-later.md"
printf 'PNG' > "$site/_posts/pic.png"
printf -- '---\ntitle: WIP\n---\nNot yet.\n' > "$site/_drafts/work-in-progress.md"
printf -- '---\ntitle: About\n---\nAbout us by {{ page.author }}. [Hello]({%% post_url 2020-03-04-Hello-World %%}), [docs]({%% link docs/intro.html %%}).\n' > "$site/about.md"
printf -- '---\nlayout: home\n---\n' > "$site/index.md"
printf -- '---\ntitle: Intro\n---\n<p class="raw">    indented html stays</p>\n' > "$site/docs/intro.html"
printf -- '---\ntitle: Docs\n---\nDocs home.\n' > "$site/docs/index.md"
printf -- '---\n---\nUser-agent: *\nSitemap: {{ site.url }}/sitemap.xml\n' > "$site/robots.txt"
printf 'No front matter: copied.\n' > "$site/plain.md"
printf 'PNG' > "$site/assets/img/logo.png"
printf 'body{}' > "$site/assets/style.css"
printf -- '---\n---\nbody{}' > "$site/assets/main.scss"
printf -- '---\ntitle: Secret\n---\nIncluded.\n' > "$site/_private/kept.md"
printf -- '---\ntitle: Note\n---\nExcluded.\n' > "$site/notes/n.md"
printf 'readme' > "$site/README.md"
printf 'source "x"' > "$site/Gemfile"
printf 'x' > "$site/node_modules/x/a.js"
printf 'x' > "$site/vendor/bundle/b.rb"
printf 'x' > "$site/_private/../_hidden.txt"
printf -- '- name: Ann\n- name: Bob\n' > "$site/_data/members.yml"
printf '{"first": "Cy"}\n' > "$site/_data/team/leads.json"
printf 'item,price\napple,"1,50"\npear,2\n' > "$site/_data/prices.csv"

build() { (cd "$site" && "$FOLIO" build "$@" >"$WORK/out.txt" 2>&1); }
out=$site/_site

config date
check "builds with date style" build
check "date: post under /:year/:month/:day/:title.html, case kept" test -f "$out/2020/03/04/Hello-World.html"
check "categories from folders and front matter" test -f "$out/announce/en/news/2021/12/31/release.html"
check "front matter permalink with :title" test -f "$out/special/2019/own-link/index.html"
check "page: /about.html under the date style" test -f "$out/about.html"
check "html page keeps its path" test -f "$out/docs/intro.html"
check "index page is its folder" test -f "$out/docs/index.html"
check "layout: none post written as it is" sh -c "grep -q '<p>bare</p>' '$out/2019/05/05/bare.html' && ! grep -q '<html' '$out/2019/05/05/bare.html'"
check "html source not read as Markdown" contains "$out/docs/intro.html" '<p class="raw">    indented html stays</p>'
check "defaults by type" contains "$out/2020/03/04/Hello-World.html" "Hello by Poster; from-posts-default."
check "defaults by path (front matter wins elsewhere)" contains "$out/about.html" "About us by Everyone."
check "post_url gives the post's Jekyll URL" contains "$out/about.html" 'href="/blog/2020/03/04/Hello-World.html"'
check "link gives the page's Jekyll URL" contains "$out/about.html" 'href="/blog/docs/intro.html"'
check "index with layout home lists the posts" contains "$out/index.html" 'Hello'
check "collection with a permalink" contains "$out/cook/soups/leek/index.html" "A main course."
check "collection, default permalink (date style: .html)" test -f "$out/guides/start.html"
check "collection with output: false not written" test ! -e "$out/hidden"
check "jekyll-redirect-from: redirect_from page" contains "$out/old-release/index.html" "announce/en/news/2021/12/31/release.html"
check "defaults by folder" contains "$out/announce/en/news/2021/12/31/release.html" "Released (en-default)."
check "_data YAML in Liquid" contains "$out/2020/03/04/Hello-World.html" "Members: Ann/Bob/"
check "_data JSON in a subfolder" contains "$out/2020/03/04/Hello-World.html" "Team lead: Cy."
check "_data CSV" contains "$out/2020/03/04/Hello-World.html" "Prices: 2."
check "robots.txt with front matter rendered, not in a layout" contains "$out/robots.txt" "Sitemap: https://example.org/sitemap.xml"
check "robots.txt not in the menu" lacks "$out/about.html" 'href="/blog/robots.txt"'
check "robots.txt has no HTML" lacks "$out/robots.txt" "<html"
check "static file without front matter copied as is" cmp -s "$site/plain.md" "$out/plain.md"
check "static image copied" cmp -s "$site/assets/img/logo.png" "$out/assets/img/logo.png"
check "static css copied" test -f "$out/assets/style.css"
check "include: _private read" test -f "$out/_private/kept.html"
check "exclude: notes absent" test ! -e "$out/notes"
check "exclude: README.md absent" test ! -e "$out/README.md"
check "Gemfile absent" test ! -e "$out/Gemfile"
check "node_modules absent" test ! -e "$out/node_modules"
check "vendor absent" test ! -e "$out/vendor"
check "_ files absent" test ! -e "$out/_hidden.txt"
check "_config.yml absent" test ! -e "$out/_config.yml"
check "_data absent" test ! -e "$out/_data"
check "no 404.html from folio's theme" test ! -e "$out/404.html"
check "future post absent" test ! -e "$out/2999"
check "a file beside the posts is left out" test ! -e "$out/_posts"
check "drafts absent without --drafts" test ! -e "$out/work-in-progress.html"
check "jekyll-feed: /feed.xml" contains "$out/feed.xml" "https://example.org/blog/2020/03/04/Hello-World.html"
check "feed is Atom" contains "$out/feed.xml" '<feed xmlns="http://www.w3.org/2005/Atom">'
check "jekyll-sitemap: sitemap.xml lists the about page" contains "$out/sitemap.xml" "https://example.org/blog/about.html"
check "Sass compiled to CSS (issue 12)" test -f "$out/assets/main.css"
check "Sass not copied" test ! -e "$out/assets/main.scss"
check "unknown plugin warned about" contains "$WORK/out.txt" "jekyll-made-up"
check "no site.lua error" lacks "$WORK/out.txt" "no site.lua"

check "builds with drafts" build --drafts
check "draft under its slug (date from the file time)" sh -c "ls '$out'/*/*/*/work-in-progress.html >/dev/null"

config pretty
check "builds with pretty style" build
check "pretty: post folder" test -f "$out/2020/03/04/Hello-World/index.html"
check "pretty: page folder" test -f "$out/about/index.html"
check "pretty: collection default permalink" test -f "$out/guides/start/index.html"
check "pretty: categories" test -f "$out/announce/en/news/2021/12/31/release/index.html"

config ordinal
printf 'future: true\n' >> "$site/_config.yml"
check "builds with ordinal style" build
check "future: true publishes future posts" test -f "$out/2999/001/later.html"
check "ordinal: day of year" test -f "$out/2020/064/Hello-World.html"
check "ordinal: categories" test -f "$out/announce/en/news/2021/365/release.html"

config none
printf 'paginate: 2\n' >> "$site/_config.yml"
check "builds with none style" build
check "none: title only" test -f "$out/Hello-World.html"
check "none: categories" test -f "$out/announce/en/news/release.html"
check "paginate: page 2 at Jekyll's /page2/" test -f "$out/page2/index.html"
check "paginate: no folio /page/2/" test ! -e "$out/page/2/index.html"

config '/blog/:year/:i_month/:title/'
check "builds with a custom pattern" build
check "custom: i_month, case kept, trailing slash" test -f "$out/blog/2020/3/Hello-World/index.html"
check "custom ending in /: pages get folders" test -f "$out/about/index.html"

# Bad _config.yml: errors naming the file and line.
bad=$WORK/bad
mkdir -p "$bad"
printf 'title: x\nurl: [unclosed\nfoo: bar\n' > "$bad/_config.yml"
check "invalid YAML fails" sh -c "! (cd '$bad' && '$FOLIO' build) > '$WORK/bad.txt' 2>&1"
check "invalid YAML names file and line" contains "$WORK/bad.txt" "_config.yml:3: error: invalid YAML"
printf 'timezone: Mars/Base\n' > "$bad/_config.yml"
check "unknown time zone fails" sh -c "! (cd '$bad' && '$FOLIO' build) > '$WORK/bad.txt' 2>&1"
check "unknown time zone names _config.yml" contains "$WORK/bad.txt" "_config.yml:1: error: unknown time zone 'Mars/Base'"
printf -- '- a\n' > "$bad/_config.yml"
check "a list as _config.yml fails" sh -c "! (cd '$bad' && '$FOLIO' build) > '$WORK/bad.txt' 2>&1"
check "a list as _config.yml: message" contains "$WORK/bad.txt" "_config.yml must be a mapping"
printf '# only comments\n' > "$bad/_config.yml"
check "a _config.yml of comments builds" sh -c "cd '$bad' && '$FOLIO' build >/dev/null 2>&1"

# The site's files are classified once per build, not again in each state that processes pages
# (a state of its own per job with -j2: each loads _config.yml).
once=$WORK/once
mkdir -p "$once/_posts" "$once/_guides" "$once/img"
printf 'title: once\ncollections:\n  guides: { output: true }\n' > "$once/_config.yml"
for n in 1 2 3 4 5 6; do printf -- '---\ntitle: Post %s\n---\nText %s.\n' $n $n > "$once/_posts/2020-01-0$n-post-$n.md"; done
printf -- '---\ntitle: Guide\n---\nA guide.\n' > "$once/_guides/start.md"
printf 'gif' > "$once/img/a.gif"
check "builds with two jobs" sh -c "cd '$once' && FOLIO_COUNTERS=1 '$FOLIO' build -q -j2 --no-cache 2> '$WORK/once.txt'"
check "files classified once with two states" test "$(grep -c '^counter jekyll files classified 9$' "$WORK/once.txt")" = 1
check "two states: posts at their Jekyll URLs" test -f "$once/_site/2020/01/06/post-6.html"
check "two states: the collection's document" test -f "$once/_site/guides/start.html"
check "two states: the static file" test -f "$once/_site/img/a.gif"

# folio serve on the Jekyll folder: it starts, serves a post at its Jekyll URL, and a change to a
# page anywhere in the folder is picked up.
start_serve "$site" "$WORK/serve.txt"
base=$serve_url
check "serve starts on a Jekyll folder" test -n "$base"
check "serve: post at its Jekyll URL" sh -c "$(declare -f fetch); fetch '${base}blog/2020/3/Hello-World/' | grep -q 'Hello by Poster'"
sed -i 's/About us by/About them by/' "$site/about.md"
check "serve: a changed page is rebuilt" served "${base}about/" "About them by"
stop_serve

finish

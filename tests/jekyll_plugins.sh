#!/usr/bin/env bash
# jekyll_plugins.sh: a Jekyll site with jekyll-archives, jekyll-feed, jekyll-sitemap and
# jekyll-paginate, each answer checked against what Jekyll 4.3 (jekyll-archives 2.2) writes for
# the same folder: archive pages per category, tag, year and month with the site's layouts
# (page.type, page.title, page.date, page.posts newest first; a per-type layout; a custom
# permalink; two tags with one slug: the later one), no day archives when not enabled; the
# site's own feed.xml kept (jekyll-feed writes none); categories from a list kept whole,
# `category:` whole, a string split; site.categories in Jekyll's order; posts of one date with
# the later file first (also in a page's own Liquid); jekyll-paginate leaving out `hidden: true`
# posts; page.url of page 2; code blocks as kramdown + Rouge write them, with line numbers; a
# Jekyll folder without _config.yml.
. "$SRC/tests/lib.sh"
site=$WORK/site
out=$site/_site
mkdir -p "$site/_posts" "$site/_layouts"
cat > "$site/_config.yml" <<'YML'
title: Archives test
url: https://example.org
timezone: UTC
paginate: 2
plugins: [jekyll-archives, jekyll-feed, jekyll-sitemap, jekyll-paginate]
jekyll-archives:
  enabled: [categories, tags, year, month]
  layout: archive
  layouts: { year: year-archive }
  permalinks: { category: '/cat/:name/' }
kramdown:
  syntax_highlighter_opts:
    block:
      line_numbers: true
YML
printf '<html><body>{{ content }}</body></html>\n' > "$site/_layouts/default.html"
cat > "$site/_layouts/archive.html" <<'HTML'
---
layout: default
---
<h1>{{ page.type }}: {{ page.title }}</h1><ul>{% for p in page.posts %}<li>{{ p.title }}</li>{% endfor %}</ul>
HTML
cat > "$site/_layouts/year-archive.html" <<'HTML'
---
layout: default
---
<h1>year {{ page.date | date: "%Y" }}</h1>{% for p in page.posts %}[{{ p.title }}]{% endfor %}
HTML
printf -- '---\nlayout: default\n---\n<article>{{ content }}</article>\n' > "$site/_layouts/post.html"
cat > "$site/_posts/2020-01-01-a.md" <<'MD'
---
layout: post
title: A
categories: [Web Development, news]
tags: [C++]
---
Code:

```c
int f(void) {
  return 0; }
```
MD
printf -- '---\nlayout: post\ntitle: B\ncategory: Big News\ntags: [c]\nhidden: true\n---\nB text\n' > "$site/_posts/2020-01-01-b.md"
printf -- '---\nlayout: post\ntitle: C\ncategories: news extra\n---\nC text\n' > "$site/_posts/2020-02-03-c.md"
printf -- '---\nlayout: post\ntitle: D\ntags: [C++]\n---\nD text\n' > "$site/_posts/2021-05-05-d.md"
cat > "$site/index.html" <<'HTML'
---
layout: default
---
{% for post in paginator.posts %}<p>{{ post.title }}</p>{% endfor %}url={{ page.url }} cats={% for c in site.categories %}[{{ c[0] }}]{% endfor %} order={% for p in site.posts %}[{{ p.title }}]{% endfor %}
HTML
printf -- '---\nlayout: null\n---\n<own-feed/>\n' > "$site/feed.xml"
printf -- '---\nlayout: null\n---\n{%% for p in site.posts %%}[{{ p.title }}]{%% endfor %%}\n' > "$site/order.txt"

check "builds" sh -c "cd '$site' && '$FOLIO' build > '$WORK/build.txt' 2>&1"
body() { grep -o '<body>.*' "$out/$1" 2>/dev/null; }
is() { [ "$(body "$1")" = "$2" ]; }
check "category archive, posts newest first" is cat/news/index.html '<body><h1>category: news</h1><ul><li>C</li><li>A</li></ul>'
check "category from a list item kept whole" is cat/web-development/index.html '<body><h1>category: Web Development</h1><ul><li>A</li></ul>'
check "singular category kept whole" is cat/big-news/index.html '<body><h1>category: Big News</h1><ul><li>B</li></ul>'
check "categories string split" is cat/extra/index.html '<body><h1>category: extra</h1><ul><li>C</li></ul>'
check "two tags with one slug: the later one" is tag/c/index.html '<body><h1>tag: c</h1><ul><li>B</li></ul>'
check "year archive with its own layout and date" is 2020/index.html '<body><h1>year 2020</h1>[C][B][A]'
check "month archive: no title" is 2020/01/index.html '<body><h1>month: </h1><ul><li>B</li><li>A</li></ul>'
check "2021 archives too" test -f "$out/2021/05/index.html"
check "no day archives unless enabled" test ! -e "$out/2020/01/01/index.html"
check "the slug clash is no warning (Jekyll writes the later one)" lacks "$WORK/build.txt" "jekyll-archives"
check "post URLs keep the whole categories" test -f "$out/web development/news/2020/01/01/a.html"
check "category: one URL folder" test -f "$out/big news/2020/01/01/b.html"
check "page 1: hidden post left out" is index.html '<body><p>D</p><p>C</p>url=/ cats=[Web Development][news][Big News][extra] order=[D][C][B][A]'
check "page 2: its own url" is page2/index.html '<body><p>A</p>url=/page2/ cats=[Web Development][news][Big News][extra] order=[D][C][B][A]'
check "no page 3" test ! -e "$out/page3/index.html"
check "site.posts in a page's own Liquid: later file first on one date" contains "$out/order.txt" '[D][C][B][A]'
check "the site's own feed.xml is kept" contains "$out/feed.xml" '<own-feed/>'
check "  and no Atom feed replaces it" lacks "$out/feed.xml" '<feed'
check "jekyll-sitemap still writes sitemap.xml" contains "$out/sitemap.xml" '/cat/news/'
post="$out/web development/news/2020/01/01/a.html"
check "code block: kramdown's wrapper" contains "$post" '<div class="language-c highlighter-rouge"><div class="highlight"><pre class="highlight"><code><table class="rouge-table">'
check "code block: line numbers" sh -c "tr '\n' '|' < '$post' | grep -qF '<pre class=\"lineno\">1|2|</pre></td><td class=\"rouge-code\"><pre><span class=\"kt\">int</span> <span class=\"nf\">f</span>'"
check "code block: Rouge's class names" contains "$post" '<span class="k">return</span> <span class="m">0</span>'
check "code block: the theme's wrappers stay out" lacks "$post" 'tabindex'

# Without line_numbers, and with highlighter: none.
sed -i '/^kramdown:/,$d' "$site/_config.yml"
check "builds without line numbers" sh -c "cd '$site' && '$FOLIO' build > /dev/null 2>&1"
check "code block without the table" contains "$post" '<pre class="highlight"><code><span class="kt">int</span>'
printf 'highlighter: none\n' >> "$site/_config.yml"
check "builds with highlighter: none" sh -c "cd '$site' && '$FOLIO' build > /dev/null 2>&1"
check "highlighter: none: no spans" lacks "$post" '<span class="kt">'
check "  nor kramdown's wrapper" lacks "$post" 'highlighter-rouge'

# An archive at a page's URL: the page stays, with one warning naming the URL.
sed -i '/^highlighter/d' "$site/_config.yml"
mkdir -p "$site/cat/news"
printf -- '---\nlayout: default\n---\nmy own news page\n' > "$site/cat/news/index.html"
check "builds with a clash" sh -c "cd '$site' && '$FOLIO' build > '$WORK/clash.txt' 2>&1"
check "the page keeps its URL" contains "$out/cat/news/index.html" 'my own news page'
check "the clash is a warning naming the URL" contains "$WORK/clash.txt" "jekyll-archives: 1 archive page(s) not written, their URL is another page's (/cat/news/)"

# A Jekyll folder with no _config.yml at all (Jekyll builds it with its defaults): _posts/ is
# enough for folio to read it as one, at Jekyll's default URLs.
bare=$WORK/bare
mkdir -p "$bare/_posts"
printf -- '---\ntitle: Bare\n---\nNo config here.\n' > "$bare/_posts/2015-06-07-bare.md"
check "a folder with _posts and no _config.yml builds" sh -c "cd '$bare' && '$FOLIO' build > '$WORK/bare.txt' 2>&1"
check "  its post at Jekyll's default URL" contains "$bare/_site/2015/06/07/bare.html" 'No config here.'
check "  no complaint about site.lua" lacks "$WORK/bare.txt" 'site.lua'

finish

#!/usr/bin/env bash
# jekyll_layouts.sh: a Jekyll site's _layouts and _includes rendered through Liquid
# (compat/jekyll/layouts.lua, drops.lua): layout chaining and `layout` front matter, includes
# with parameters, site.posts in a layout and in content (deferred until the site is
# assembled), page.previous/next, paginator pages, {% seo %} and {% feed_meta %}, a missing
# layout (one warning, the kind's layout), render_with_liquid: false, a theme that is not
# installed (one warning, folio's theme), and a Debian theme gem when one is installed.
. "$SRC/tests/lib.sh"
site=$WORK/site
mkdir -p "$site/_posts" "$site/_layouts" "$site/_includes"
cat > "$site/_config.yml" <<'YML'
title: Layout test
description: Testing Jekyll layouts
url: https://example.org
baseurl: /blog
timezone: UTC
paginate: 2
plugins: [jekyll-feed, jekyll-seo-tag, jekyll-paginate]
custom_key: from-config
YML
cat > "$site/_layouts/default.html" <<'HTML'
---
shell: outer-shell
---
<!DOCTYPE html>
<html><head>{% seo %}{% feed_meta %}</head>
<body class="{{ layout.shell }}" data-env="{{ jekyll.environment }}" data-key="{{ site.custom_key }}">
{%- include nav.html current=page.url -%}
{{ content }}
</body></html>
HTML
cat > "$site/_layouts/post.html" <<'HTML'
---
layout: default
kind: post-layout
---
<article data-kind="{{ layout.kind }}" data-mood="{{ page.mood }}">
<h1 class="post-title">{{ page.title }}</h1>
<time datetime="{{ page.date | date_to_xmlschema }}">{{ page.date | date: "%b %-d, %Y" }}</time>
{{ content }}
{%- if page.previous %}<a class="prev" href="{{ page.previous.url | relative_url }}">{{ page.previous.title }}</a>{% endif %}
{%- if page.next %}<a class="next" href="{{ page.next.url | relative_url }}">{{ page.next.title }}</a>{% endif %}
</article>
HTML
cat > "$site/_layouts/page.html" <<'HTML'
---
layout: default
---
<section class="page">{{ content }}</section>
<aside>{% for post in site.posts limit: 2 %}<i>{{ post.title }}</i>{% endfor %}</aside>
HTML
cat > "$site/_includes/nav.html" <<'HTML'
<nav data-current="{{ include.current }}">{% for p in site.pages %}{% if p.title %}<a href="{{ p.url | relative_url }}">{{ p.title }}</a>{% endif %}{% endfor %}</nav>
HTML
cat > "$site/_includes/note.html" <<'HTML'
<p class="note note-{{ include.kind }}">{{ include.text }}</p>
HTML
for n in 1 2 3 4 5; do
  cat > "$site/_posts/2021-01-0$n-post-$n.md" <<MD
---
layout: post
title: Post $n
mood: happy-$n
---
Body of post $n.

{% include note.html kind="tip" text=page.title %}
MD
done
cat > "$site/_posts/2021-02-01-lost.md" <<'MD'
---
layout: nosuch
title: Lost layout
---
Lost body.
MD
cat > "$site/index.html" <<'HTML'
---
layout: default
title: Home
---
<ul class="list">{% for post in paginator.posts %}<li>{{ post.title }}</li>{% endfor %}</ul>
<span class="pages">{{ paginator.page }}/{{ paginator.total_pages }}</span>
{% if paginator.next_page %}<a class="older" href="{{ paginator.next_page_path | relative_url }}">Older</a>{% endif %}
HTML
cat > "$site/archive.md" <<'MD'
---
layout: page
title: Archive
---
# All posts

{% for post in site.posts %}- [{{ post.title }}]({{ post.url | relative_url }}) {{ post.date | date: "%Y-%m-%d" }}
{% endfor %}
MD
cat > "$site/math.md" <<'MD'
---
layout: page
title: Math
---
Inline $$a_1 \\ b < c$$ and `$$code$$`.

$$
x_1 = \frac{1}{2} \\ y
$$

After.
MD
cat > "$site/literal.md" <<'MD'
---
layout: page
title: Literal
render_with_liquid: false
---
Handlebars: {{ name }} and {% raw %}.
MD

out=$WORK/out
log=$WORK/log
(cd "$site" && "$FOLIO" build -o "$out") > "$log" 2>&1
check "build succeeds" test $? -eq 0
post=$out/2021/01/03/post-3.html
# layout chaining: post -> default, `layout` is each level's front matter
check "post has the default shell" contains "$post" '<body class="outer-shell" data-env="development" data-key="from-config">'
check "post layout's front matter as layout.kind" contains "$post" 'data-kind="post-layout"'
check "front matter key as page.mood" contains "$post" 'data-mood="happy-3"'
check "post title from the layout" contains "$post" '<h1 class="post-title">Post 3</h1>'
check "page.date is a time" contains "$post" '<time datetime="2021-01-03T00:00:00+00:00">Jan 3, 2021</time>'
check "content is the Markdown body" contains "$post" '<p>Body of post 3.</p>'
# includes with parameters, in content and in a layout
check "include in content with parameters" contains "$post" '<p class="note note-tip">Post 3</p>'
check "include in a layout sees include.current" contains "$post" '<nav data-current="/2021/01/03/post-3.html">'
check "site.pages in an include" contains "$post" '<a href="/blog/archive.html">Archive</a>'
# previous/next as Jekyll: previous is the older post
check "page.previous" contains "$post" '<a class="prev" href="/blog/2021/01/02/post-2.html">Post 2</a>'
check "page.next" contains "$post" '<a class="next" href="/blog/2021/01/04/post-4.html">Post 4</a>'
# site.posts in a layout (newest first) and in content
check "site.posts in a layout" contains "$out/archive.html" '<aside><i>Lost layout</i><i>Post 5</i></aside>'
check "site.posts in content (Markdown after Liquid)" contains "$out/archive.html" '<a href="/blog/2021/01/05/post-5.html">Post 5</a> 2021-01-05'
check "site.posts in content: every post" contains "$out/archive.html" '<a href="/blog/2021/01/01/post-1.html">Post 1</a> 2021-01-01'
# paginator: index.html split in pages of 2 (6 posts: 3 pages)
check "paginator page 1" contains "$out/index.html" '<ul class="list"><li>Lost layout</li><li>Post 5</li></ul>'
check "paginator counts" contains "$out/index.html" '<span class="pages">1/3</span>'
check "paginator next path" contains "$out/index.html" '<a class="older" href="/blog/page2/">Older</a>'
check "paginator page 2" contains "$out/page2/index.html" '<ul class="list"><li>Post 4</li><li>Post 3</li></ul>'
check "paginator page 3" contains "$out/page3/index.html" '<span class="pages">3/3</span>'
# {% seo %} and {% feed_meta %}
check "seo title" contains "$post" '<title>Post 3 | Layout test</title>'
check "seo canonical" contains "$post" '<link rel="canonical" href="https://example.org/blog/2021/01/03/post-3.html" />'
check "seo og:title" contains "$post" '<meta property="og:title" content="Post 3" />'
check "seo description from the excerpt" contains "$post" '<meta name="description" content="Body of post 3." />'
check "seo article date" contains "$post" '<meta property="article:published_time" content="2021-01-03T00:00:00+00:00" />'
check "seo home title" contains "$out/index.html" '<title>Home | Layout test</title>'
check "seo page 2 title" contains "$out/page2/index.html" '<title>Page 2 of 3 for Home | Layout test</title>'
check "feed_meta" contains "$post" '<link type="application/atom+xml" rel="alternate" href="https://example.org/blog/feed.xml" title="Layout test" />'
check "jekyll-feed's feed written" test -f "$out/feed.xml"
# a missing layout: one warning, the kind's layout
check "missing layout warned" grep -q "layout 'nosuch' not found" "$log"
check "missing layout warned once" test "$(grep -c "layout 'nosuch'" "$log")" -eq 1
check "missing layout: the post layout" contains "$out/2021/02/01/lost.html" '<h1 class="post-title">Lost layout</h1>'
# kramdown's math (the kramdown plugin): MathJax delimiters, backslashes kept as written
check "inline math" contains "$out/math.html" 'Inline \(a_1 \\ b &lt; c\) and <code>$$code$$</code>.'
check "block math" contains "$out/math.html" '\[x_1 = \frac{1}{2} \\ y\]'
# render_with_liquid: false keeps the text; the layout still renders
check "render_with_liquid false keeps {{ }}" contains "$out/literal.html" 'Handlebars: {{ name }} and {% raw %}.'
check "render_with_liquid false: layout rendered" contains "$out/literal.html" '<section class="page">'
# folio's theme files are not added to a site with its own layouts
check "no folio theme static files" test ! -e "$out/search.js"

# A theme that is not installed and no _layouts: one warning, folio's default theme renders.
t2=$WORK/site2
mkdir -p "$t2/_posts"
printf 'title: No theme\ntheme: jekyll-theme-not-installed-anywhere\n' > "$t2/_config.yml"
printf -- '---\nlayout: post\ntitle: Alone\n---\nAlone body.\n' > "$t2/_posts/2021-01-01-alone.md"
(cd "$t2" && "$FOLIO" build -o "$WORK/out2") > "$WORK/log2" 2>&1
check "build without the theme succeeds" test $? -eq 0
check "missing theme warned once" test "$(grep -c "theme 'jekyll-theme-not-installed-anywhere' is not installed" "$WORK/log2")" -eq 1
check "folio's theme renders the post" contains "$WORK/out2/2021/01/01/alone.html" 'Alone body.'

# A layout of another extension (_layouts/tagfeed.xml, named `tagfeed`), used by an .xml page
# with front matter; a blank line after either's front matter is not written (an XML feed
# must start with its declaration), as Jekyll reads it.
t4=$WORK/site4
mkdir -p "$t4/_posts" "$t4/_layouts" "$t4/tags/go/feed"
printf 'title: Feeds\nurl: https://example.org\n' > "$t4/_config.yml"
printf -- '---\n---\n\n<?xml version="1.0" encoding="UTF-8"?>\n<feed><title>{{ page.tag }}</title>{%% for post in site.posts %%}{%% if post.tags contains page.tag %%}<entry>{{ post.title }}</entry>{%% endif %%}{%% endfor %%}</feed>\n' > "$t4/_layouts/tagfeed.xml"
printf -- '---\ntag: go\nlayout: tagfeed\n---\n\n' > "$t4/tags/go/feed/index.xml"
printf -- '---\ntitle: Gophers\ntags: [go]\n---\nBody.\n' > "$t4/_posts/2021-01-01-gophers.md"
printf -- '---\ntitle: Rustaceans\ntags: [rust]\n---\nBody.\n' > "$t4/_posts/2021-01-02-rust.md"
(cd "$t4" && "$FOLIO" build -o "$WORK/out4") > "$WORK/log4" 2>&1
check "a site with an .xml layout builds" test $? -eq 0
check "the .xml page is rendered in its .xml layout" contains "$WORK/out4/tags/go/feed/index.xml" '<feed><title>go</title><entry>Gophers</entry></feed>'
check "only the tag's posts" lacks "$WORK/out4/tags/go/feed/index.xml" 'Rustaceans'
check "the feed starts with its XML declaration" test "$(head -c 5 "$WORK/out4/tags/go/feed/index.xml")" = "<?xml"

# A Debian theme gem (jekyll-theme-minima), only where it is installed: its layouts render.
gem=$(ls -d /usr/share/rubygems-integration/all/gems/minima-* 2>/dev/null | head -1)
if [ -n "$gem" ]; then
  t3=$WORK/site3
  mkdir -p "$t3/_posts"
  printf 'title: Minima site\ntheme: minima\n' > "$t3/_config.yml"
  printf -- '---\nlayout: post\ntitle: Themed\n---\nThemed body.\n' > "$t3/_posts/2021-01-01-themed.md"
  (cd "$t3" && "$FOLIO" build -o "$WORK/out3") > "$WORK/log3" 2>&1
  check "build with the minima gem succeeds" test $? -eq 0
  check "the gem's post layout" contains "$WORK/out3/2021/01/01/themed.html" 'class="post-title p-name"'
  check "the gem's includes" contains "$WORK/out3/2021/01/01/themed.html" 'class="site-header"'
else
  echo "note: jekyll-theme-minima is not installed; the theme gem part is not run"
fi
[ "$failed" -eq 0 ] || { echo "--- build log"; cat "$log"; }
finish

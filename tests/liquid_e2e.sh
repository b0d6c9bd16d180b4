#!/usr/bin/env bash
# liquid_e2e.sh: builds a small site with the liquid plugin on: an include with parameters,
# post_url, raw, render_with_liquid: false, an unknown tag (a warning naming file:line, text
# kept), a syntax error (an error naming file:line), and Liquid off without the plugin.
. "$SRC/tests/lib.sh"
site=$WORK/site
make_site "$site" 'plugins = { "liquid" }'
mkdir -p "$site/_includes"
cat > "$site/_includes/note.html" <<'HTML'
<aside class="note {{ include.kind }}">{{ include.text | upcase }} on {{ page.title }}</aside>
HTML
cat > "$site/content/posts/2020-01-02-first.md" <<'MD'
---
title: First
---
The first post. {% include_relative snippet.txt %} {% include "note.html" kind="k" text="q" %}
MD
echo 'Relative {{ page.title | downcase }}.' > "$site/content/posts/snippet.txt"
cat > "$site/content/posts/2020-02-03-second.md" <<'MD'
---
title: Second
tags: [a, b]
---
{% assign n = page.tags | size %}Tags: {{ page.tags | join: ", " }} ({{ n }})

{% include note.html kind="warn" text=page.title %}

See [the first]({% post_url 2020-01-02-first %}).

{% raw %}Handlebars: {{name}}{% endraw %}

Here: {{ page.url | absolute_url }}

{% highlight ruby linenos %}
x = 1 < 2

y = 3
{% endhighlight %}

{% for i in (1..3) %}{{ i }}{% unless forloop.last %}-{% endunless %}{% endfor %}
MD
cat > "$site/content/posts/2020-03-04-rust.md" <<'MD'
---
title: Rust
render_with_liquid: false
---
Literal {{ x }} and {% nothing %}.
MD
cat > "$site/content/posts/2020-04-05-unknown.md" <<'MD'
---
title: Unknown
---
Line one.

{% youtube abc123 %} and {{ "ok" | upcase }}
MD
out=$("$FOLIO" build --source "$site" 2>&1); rc=$?
check "build succeeds with an unknown tag" [ $rc -eq 0 ]
page=$site/public/2020/02/03/second/index.html
check "assign, size, join" contains "$page" "Tags: a, b (2)"
check "include with parameters" contains "$page" '<aside class="note warn">SECOND on Second</aside>'
check "post_url" contains "$page" 'href="/blog/2020/01/02/first/"'
check "raw" contains "$page" "Handlebars: {{name}}"
check "page.url before it is assigned, absolute_url" contains "$page" "https://example.org/blog/2020/02/03/second/</a>"
check "for over a range with forloop" contains "$page" "1-2-3"
check "highlight with linenos (escaped, blank line kept inside one block)" contains "$page" '<pre class="lineno">1&#10;2&#10;3</pre></td><td class="code"><pre>x = 1 &lt; 2&#10;&#10;y = 3</pre>'
first=$site/public/2020/01/02/first/index.html
check "include_relative" contains "$first" "Relative first."
check "include with a quoted name" contains "$first" '<aside class="note k">Q on First</aside>'
rust=$site/public/2020/03/04/rust/index.html
check "render_with_liquid: false" contains "$rust" "Literal {{ x }} and {% nothing %}."
unknown=$site/public/2020/04/05/unknown/index.html
check "unknown tag left as written" contains "$unknown" "{% youtube abc123 %} and OK"
check "unknown tag warning names file:line" grep -q "content/posts/2020-04-05-unknown.md:6: warning: unknown Liquid tag 'youtube'" <<<"$out"

cat > "$site/content/posts/2020-05-06-broken.md" <<'MD'
---
title: Broken
---
Fine.

{% if x %}never closed
MD
out=$("$FOLIO" build --source "$site" 2>&1); rc=$?
check "a syntax error fails the build" [ $rc -ne 0 ]
check "the syntax error names file:line" grep -q "content/posts/2020-05-06-broken.md:6: error: .*'if' tag was never closed" <<<"$out"
rm "$site/content/posts/2020-05-06-broken.md"

make_site "$site" 'plugins = { }'
"$FOLIO" build --source "$site" >/dev/null 2>&1
check "without the plugin Liquid stays text" contains "$page" "{% assign n = page.tags"
finish

#!/usr/bin/env bash
# jekyll_kramdown.sh: on a Jekyll folder, Markdown reads as kramdown reads it where that differs
# from CommonMark (scripts/kramdown*.lua, on for Jekyll sites only): kramdown's smart quotes,
# `1)` is no list, HTML blocks run to their closing tag (Liquid-indented <li> lines and blank
# lines inside; a stray </a> is text), reference URLs with unbalanced parentheses, link URLs with
# spaces, backslashes kramdown does not escape, no math in a {% highlight %} block, span
# attribute lists after reference links, kramdown's footnote back link, {% gist %}, a post's
# own excerpt_separator. Expected HTML is what Jekyll 4.3.1 with kramdown 2.4 writes. A folio
# site with the kramdown plugin keeps CommonMark's readings.
. "$SRC/tests/lib.sh"
site=$WORK/site
mkdir -p "$site/_posts" "$site/_layouts"
printf 'title: K\nurl: https://example.org\ntimezone: UTC\nplugins: [jekyll-gist]\n' > "$site/_config.yml"
printf '{{ content }}\n' > "$site/_layouts/post.html"
cat > "$site/_posts/2020-01-02-quotes.md" <<'MD'
---
layout: post
---
It is `in-package`'s job. A "-" and what -", she said. ("*micro*-config") "SSH-" done.
A <br>" Deep" line, don't, the '80s, "'Quoted' words" -- and --- and...

1) The append
2) The other

See 2\^128, [chaos][c], [Your Research](Your Research) and [dl][d]{: .download}.

[c]: http://en.wikipedia.org/wiki/Chaos_theor)
[d]: http://x/dl

<div class="cap">
<img src="a.jpg">
<div class="thecap">Pairs (right). </a></div>
</div>

{% for i in (1..2) %}
  <ul>

      <li>item {{ i }}</li>

  </ul>
{% endfor %}

{% highlight perl %}
$$decoded{1} = 2;
{% endhighlight %}

Math $$x^2$$ here, a note[^1] and {% gist 13f94b gist.md %}.

[^1]: The note.
MD
cat > "$site/_posts/2020-01-03-excerpt.md" <<'MD'
---
layout: post
excerpt_separator: <!--more-->
---
First paragraph.

Second paragraph.
<!--more-->
Rest.
MD
printf -- '---\n---\n{%% for p in site.posts %%}[{{ p.excerpt | strip_html | strip_newlines }}]{%% endfor %%}\n' > "$site/excerpts.html"

"$FOLIO" build -q -s "$site" -o "$WORK/out" > "$WORK/build.log" 2>&1
check "the Jekyll site builds" test $? -eq 0 || cat "$WORK/build.log" >&2
check "no warning about gist (the tag is known)" lacks "$WORK/build.log" "gist"
out=$WORK/out/2020/01/02/quotes.html
check "quotes: kramdown's rules" contains "$out" '<code>in-package</code>’s job. A “-“ and what -“, she said. (“<em>micro</em>-config”) “SSH-“ done.'
check "quotes after <br>, apostrophes, decades, nested quotes, dashes, ellipsis" \
  contains "$out" '<br>” Deep” line, don’t, the ’80s, “‘Quoted’ words” – and — and…'
check "1) is not a list marker" contains "$out" '<p>1) The append'
check "a backslash before ^ stays" contains "$out" '2\^128'
check "a reference URL with an unbalanced parenthesis" contains "$out" '<a href="http://en.wikipedia.org/wiki/Chaos_theor)">chaos</a>'
check "a link URL with spaces" contains "$out" '>Your Research</a>'
check "a span attribute list after a reference link" contains "$out" '<a href="http://x/dl" class="download">dl</a>'
check "an HTML block to its closing tag; a stray </a> is text" contains "$out" '<div class="thecap">Pairs (right). &lt;/a&gt;</div>'
check "Liquid-indented <li> after a blank line stays HTML" contains "$out" '      <li>item 2</li>'
check "  (not a code block)" lacks "$out" '&lt;li&gt;'
check "no math inside a highlight block" contains "$out" '$$decoded{1} = 2;'
check "math outside it" contains "$out" 'Math \(x^2\) here'
check "kramdown's footnote back link" contains "$out" '>&#8617;</a>'
check "{% gist %} writes jekyll-gist's script" contains "$out" '<script src="https://gist.github.com/13f94b.js?file=gist.md"> </script>'
check "a post's own excerpt_separator" contains "$WORK/out/excerpts.html" '[First paragraph.Second paragraph.]'

# A folio site listing the kramdown plugin: CommonMark's lists and cmark's smart quotes.
make_site "$WORK/folio" 'plugins = { "kramdown" }'
printf -- '---\ntitle: F\n---\nA "-" here.\n\n1) one\n2) two\n' > "$WORK/folio/content/posts/2020-01-02-f.md"
"$FOLIO" build -q -s "$WORK/folio" -o "$WORK/fout" > "$WORK/fbuild.log" 2>&1
check "the folio site builds" test $? -eq 0
fpage=$(find "$WORK/fout" -path '*f*' -name index.html | xargs grep -l 'one' | head -1)
check "folio site: 1) is a list" contains "$fpage" '<li>one</li>'
check "folio site: cmark's quotes" contains "$fpage" 'A “-” here.'
finish

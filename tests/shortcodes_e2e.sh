#!/usr/bin/env bash
# shortcodes_e2e.sh: Hugo's shortcodes from the command line: `folio new site` turns the
# plugin on; positional and named arguments with quotes; {{% %}} with Markdown inside and
# {{< >}} with raw inside; nesting; nothing inside code spans, fenced or indented code; a
# site template (layouts/shortcodes/) and a Lua shortcode (folio.shortcode in scripts/); the
# shipped ones' HTML; an unknown shortcode (a warning, left as written) and the errors
# (unclosed, stray closing tag, crossed pairs, unclosed quote) with the file and line.
. "$(dirname "$0")/lib.sh"

(cd "$WORK" && "$FOLIO" new site blog > /dev/null) && ok || bad "folio new site"
check "new site turns the shortcodes plugin on" contains "$WORK/blog/site.lua" '"shortcodes",'
check "new site turns the images plugin on" contains "$WORK/blog/site.lua" '"images",'

site=$WORK/site
make_site "$site" 'plugins = { "shortcodes" }'
mkdir -p "$site/layouts/shortcodes" "$site/scripts" "$site/static/images"
cat > "$site/layouts/shortcodes/badge.html" <<'HTML'
<span class="badge badge-{{ args.kind or "plain" }}">{{ args[1] }}|{{ args[2] }}|{{ page.title }}</span>
HTML
cat > "$site/layouts/shortcodes/box.html" <<'HTML'
<div class="box">{* inner *}</div>
HTML
cat > "$site/scripts/shout.lua" <<'LUA'
folio.shortcode("shout", function(args, inner, ctx)
  return "<strong>" .. folio.escape((inner or args[1] or ""):upper()) .. "</strong>@" .. ctx.line
end)
LUA
cat > "$site/content/page.md" <<'MD'
---
title: Codes
---

Args: {{< badge "two words" plain kind="a \"q\"" >}} and {{<badge `raw "x"` y>}}.

{{% box %}}
Some *Markdown* here.

{{% box %}}
Nested **bold**
{{% /box %}}
{{% /box %}}

{{< box >}}*raw* {{< shout hi >}}{{< /box >}}

Inline `{{< badge code >}}` span, and ``{{< badge `two` >}}`` too.

```go
{{< badge fenced >}}
```

~~~
{{% box %}}
~~~

    {{< badge indented >}}

{{< shout >}}inner text{{< /shout >}}

{{< nosuch a b >}} stays.

{{</* badge literal */>}}

Plain {{ liquid }} and {% tag %} untouched.
MD
cat > "$site/content/shipped.md" <<'MD'
---
title: Shipped
---

{{< youtube dQw4w9WgXcQ >}}

{{< youtube id="abc_DEF-1" title="A \"talk\"" start=30 >}}

{{< vimeo 55073825 >}}

{{< gist spf13 7896402 img.html >}}

{{< figure src="https://example.com/a.png" caption="A *remote* one" link="/about/" >}}

{{% details summary="More" open=true %}}
- *one*
{{% /details %}}

{{% callout type="warning" title="Careful" %}}
Back up **first**.
{{% /callout %}}

{{% note %}}
A note.
{{% /note %}}
MD
build() { (cd "$site" && "$FOLIO" build > "$WORK/build.log" 2>&1); }
check "build succeeds: $(cat "$WORK/build.log" 2>/dev/null)" build
p=$site/public/page/index.html
check "positional and named args, quotes, a template" contains "$p" '<span class="badge badge-a &quot;q&quot;">two words|plain|Codes</span>'
check "raw backtick args, no spaces around the tag" contains "$p" '<span class="badge badge-plain">raw &quot;x&quot;|y|Codes</span>'
check "{{% %}} inner is Markdown" contains "$p" '<div class="box"><p>Some <em>Markdown</em> here.</p>'
check "nested pairs" contains "$p" '<div class="box"><p>Nested <strong>bold</strong></p>'
check "nested closes in order" grep -qF '</div>
</div>' "$p"
check "{{< >}} inner is raw, nested shortcodes expanded" contains "$p" '<div class="box">*raw* <strong>HI</strong>@15</div>'
check "code span left alone" contains "$p" '<code>{{&lt; badge code &gt;}}</code>'
check "double-backtick code span left alone" contains "$p" '<code>{{&lt; badge `two` &gt;}}</code>'
check "fenced code left alone" contains "$p" '<code class="language-go">{{&lt; badge fenced &gt;}}'
check "tilde fence left alone" contains "$p" '{{% box %}}
</code></pre>'
check "indented code left alone" contains "$p" '><code>{{&lt; badge indented &gt;}}'
check "a Lua shortcode with inner, and its line" contains "$p" '<strong>INNER TEXT</strong>@29'
check "an unknown shortcode stays as written" contains "$p" '{{&lt; nosuch a b &gt;}} stays.'
check "the unknown one is a warning with file:line" grep -q 'content/page.md:31: warning: unknown shortcode nosuch' "$WORK/build.log"
check "one warning for it" test "$(grep -c 'unknown shortcode' "$WORK/build.log")" -eq 1
check "{{</* */>}} shows the tag" contains "$p" '<p>{{&lt; badge literal &gt;}}</p>'
check "Liquid-like text is not touched" contains "$p" 'Plain {{ liquid }} and {% tag %} untouched.'
check "a lone shortcode replaces its paragraph" lacks "$p" '<p><div class="box">'

s=$site/public/shipped/index.html
check "youtube: privacy-enhanced host" contains "$s" '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" title="YouTube video" loading="lazy"'
check "youtube: title and start" contains "$s" 'src="https://www.youtube-nocookie.com/embed/abc_DEF-1?start=30" title="A &quot;talk&quot;"'
check "youtube: no www.youtube.com" lacks "$s" 'www.youtube.com'
check "vimeo: do-not-track player" contains "$s" '<iframe src="https://player.vimeo.com/video/55073825?dnt=1" title="Vimeo video"'
check "gist: a link, no script" contains "$s" '<a class="gist" href="https://gist.github.com/spf13/7896402#file-img-html">Gist img.html by spf13</a>'
check "gist: no script tag" lacks "$s" '<script'
check "figure: remote image, link, Markdown caption" contains "$s" '<figure><a href="/blog/about/"><img src="https://example.com/a.png" alt="A remote one" loading="lazy" decoding="async"></a><figcaption>A <em>remote</em> one</figcaption></figure>'
check "details: summary, open, Markdown" contains "$s" '<details open><summary>More</summary>
<ul>
<li><em>one</em></li>'
check "callout: type and title" contains "$s" '<div class="alert alert-warning" role="note"><p class="alert-title">Careful</p>
<p>Back up <strong>first</strong>.</p>'
check "note: a callout" contains "$s" '<div class="alert alert-note" role="note"><p class="alert-title">Note</p>
<p>A note.</p>'

# figure with a local image: its size, through the image pipeline when narrower
if command -v vips > /dev/null; then
  vips black "$WORK/b.v" 600 400 --bands 3 && vips copy "$WORK/b.v" "$site/static/images/local.png"
  printf -- '---\ntitle: Fig\n---\n\n{{< figure src="/images/local.png" alt="Local" >}}\n\n{{< figure src="/images/local.png" alt="Half" width=300 >}}\n' > "$site/content/fig.md"
  check "figure build succeeds: $(cat "$WORK/build.log")" build
  check "figure: local image with its size" contains "$site/public/fig/index.html" '<img src="/blog/images/local.png" alt="Local" width="600" height="400"'
  check "figure: width= makes a smaller copy" grep -qE '<img src="/blog/_img/local-[0-9a-f]{8}-fit300x0\.png" alt="Half" width="300" height="200"' "$site/public/fig/index.html"
  rm "$site/content/fig.md"
else
  echo "note: no vips command (libvips-tools); the local figure checks are left out"
fi

# Safe mode: the plugin and a script's shortcode work within the sandbox
(cd "$site" && "$FOLIO" build --safe > "$WORK/safe.log" 2>&1) && ok || bad "safe build: $(cat "$WORK/safe.log")"
check "safe mode: shipped shortcodes" contains "$site/public/shipped/index.html" 'youtube-nocookie.com/embed/dQw4w9WgXcQ'
check "safe mode: a script's shortcode" contains "$site/public/page/index.html" '<strong>INNER TEXT</strong>@29'

# Errors: each names the file and the line of the shortcode
fails_with() { # fails_with "what" "markdown" "expected error text"
  printf -- '---\ntitle: Bad\n---\n\n%s\n' "$2" > "$site/content/bad.md"
  (cd "$site" && "$FOLIO" build > "$WORK/bad.log" 2>&1)
  local rc=$?
  check "$1: the build fails ($rc)" test "$rc" -eq 1
  check "$1: $3 ($(grep error "$WORK/bad.log" | head -1))" grep -qF "$3" "$WORK/bad.log"
}
fails_with "unclosed" 'Text.

{{% details %}}
never closed' 'content/bad.md:7: error: the shortcode details is not closed'
fails_with "stray closing tag" 'A

{{< /box >}}' 'content/bad.md:7: error: {{< /box >}} closes a shortcode that is not open'
fails_with "crossed pairs" '{{% box %}}
{{% details %}}
{{% /box %}}
{{% /details %}}' 'content/bad.md:7: error: {{% /box ... }} closes box while details (line 6) is still open'
fails_with "unclosed quote" '{{< badge "open >}}' 'content/bad.md:5: error: in the shortcode badge: a quoted argument is not closed'
fails_with "unterminated tag" 'x {{< badge a

b' 'content/bad.md:5: error: the shortcode tag'
fails_with "youtube without an id" '{{< youtube >}}' 'content/bad.md:5: error: the youtube shortcode needs the video'"'"'s id'
fails_with "inner for a shortcode that takes none" '{{< youtube abc >}}x{{< /youtube >}}' 'content/bad.md:5: error: the shortcode youtube takes no inner content'
rm "$site/content/bad.md"

# Off: without the plugin the tags stay text
sed -i 's/plugins = { "shortcodes" }/plugins = { }/' "$site/site.lua"
rm "$site/scripts/shout.lua"
check "build without the plugin succeeds: $(cat "$WORK/build.log")" build
check "without the plugin the tags stay" contains "$site/public/shipped/index.html" '{{&lt; vimeo 55073825 &gt;}}'
finish

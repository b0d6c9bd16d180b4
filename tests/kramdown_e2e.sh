#!/usr/bin/env bash
# kramdown_e2e.sh: `folio build` of a small site with the kramdown plugin (and anchors, summary)
# on: the text pass, the tree pass and the html pass run in the real pipeline.
set -u
site=$(mktemp -d)
trap 'rm -rf "$site"' EXIT
mkdir -p "$site/content/posts"
cat > "$site/site.lua" <<'LUA'
return { title = "KD", base_url = "https://example.org/", plugins = { "anchors", "summary", "kramdown" } }
LUA
cat > "$site/content/posts/2020-01-02-kd.md" <<'MD'
---
title: Kramdown post
---
* TOC
{:toc}

## Setup
{: #custom-id .big}

Intro *paragraph*.
{: .lead}

![pic](/a.png){: .wide}

Term
: The *definition*

{::comment}
hidden words
{:/comment}

<div class="box" markdown="1">
*inside*
</div>

## Two {#two-id}

```
{: .keep} {::comment}
```
MD
"$FOLIO" build -s "$site" >"$site/log" 2>&1 || { cat "$site/log"; echo "FAIL: build"; exit 1; }
out=$(find "$site/public" -path '*kd*' -name index.html | head -1)
[ -n "$out" ] || { echo "FAIL: no output for the post"; exit 1; }
fail=0
expect() {
  grep -qF -- "$1" "$out" || { echo "FAIL: missing: $1"; fail=1; }
}
expect '<ul id="markdown-toc">'
expect '<li><a href="#custom-id" id="markdown-toc-custom-id">Setup</a></li>'
expect '<li><a href="#two-id" id="markdown-toc-two-id">Two</a></li>'
expect '<h2 id="custom-id" class="big">Setup</h2>'
expect '<p class="lead">Intro <em>paragraph</em>.</p>'
expect '<img src="/a.png" alt="pic" class="wide" />'
expect '<dt>Term</dt>'
expect '<dd>The <em>definition</em></dd>'
expect '<p><em>inside</em></p>'
expect '{: .keep} {::comment}'
if grep -qE 'hidden words|kd:|\{: #custom|\{:toc\}' "$out"; then echo "FAIL: kramdown markup left in the page"; fail=1; fi
[ $fail = 0 ] && echo "kramdown e2e: ok"
exit $fail

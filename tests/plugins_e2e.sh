#!/usr/bin/env bash
# plugins_e2e.sh: builds a small site with every issue 4 plugin on, checks the generated files,
# and validates the feeds (jing, validate_jsonfeed.py) and the sitemap (xmllint).
set -u
SCHEMAS="${SHARED:-}/schemas"
if [ ! -f "$SCHEMAS/atom.rnc" ] || [ ! -f "$SCHEMAS/sitemap.xsd" ] || [ ! -f "$SCHEMAS/validate_jsonfeed.py" ]; then
  echo "SKIP: $SCHEMAS (feed and sitemap schemas) not found"; exit 77
fi
for tool in jing xmllint python3; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed (apt-get install -y jing libxml2-utils python3-jsonschema)"; exit 77; }
done

site=$(mktemp -d)
trap 'rm -rf "$site"' EXIT
mkdir -p "$site/content/posts"
cat > "$site/site.lua" <<'LUA'
return {
  title = "E2E & Co",
  description = "Plugins end to end",
  author = "Ada",
  base_url = "https://example.org/blog/",
  timezone = "Europe/Paris",
  permalink = "/:year/:month/:day/:slug/",
  plugins = { "taxonomies", "archives", "summary", { "anchors", link = true }, "related", "search",
              "redirects", "highlight", { "feeds", limit = 5 }, "sitemap", { "paginate", per_page = 2 } },
}
LUA
cat > "$site/content/posts/2014-01-08-why-go.md" <<'MD'
---
title: "Why Go <fast>"
date: 2014-01-08 10:00:00 +0100
tags: [Café, C++, Node.js]
categories: Dev
aliases: [/2014/01/08/old-post.html, /old/]
---
First & foremost paragraph.

Second one.

<!--more-->

After the marker.

## Setup
## Setup
### Détails

```python
def f(x):  # note
    return "<s>"
```

```cobol
DISPLAY 'X'.
```
MD
for i in 2 3 4; do
  cat > "$site/content/posts/2015-0$i-01-post-$i.md" <<MD
---
title: Post $i
date: 2015-0$i-01 12:00:00
tags: [c++, python]
description: Post number $i.
---
Body of post $i with \`code\`.

\`\`\`lua
local x = "s" -- c
\`\`\`
MD
done

fail=0
check() { if ! "$@"; then echo "FAIL: $*"; fail=1; fi; }
has() { if ! grep -qF -- "$2" "$site/public/$1"; then echo "FAIL: $1 lacks $2"; fail=1; fi; }

if ! "$FOLIO" build -s "$site"; then echo "FAIL: folio build"; exit 1; fi
out="$site/public"

for f in index.html page/2/index.html tags/index.html tags/cafe/index.html tags/c-plus-plus/index.html \
         tags/c-plus-plus/page/2/index.html tags/node-js/index.html categories/dev/index.html \
         2014/index.html 2014/01/index.html archives/index.html atom.xml feed.json \
         tags/c-plus-plus/atom.xml tags/c-plus-plus/feed.json sitemap.xml robots.txt search.json \
         2014/01/08/old-post.html old/index.html search.js css/highlight.css; do
  check test -f "$out/$f"
done
has tags/c-plus-plus/index.html "Posts tagged C++"
has 2014/01/08/old-post.html 'url=https://example.org/blog/2014/01/08/why-go/'
has 2014/01/08/why-go/index.html '<h2 id="setup-1">'
has 2014/01/08/why-go/index.html '<h3 id="détails">'
has 2014/01/08/why-go/index.html '<a class="anchor" href="#setup"'
has 2014/01/08/why-go/index.html '<span class="k">def</span>'
has 2014/01/08/why-go/index.html '<span class="s">&quot;&lt;s&gt;&quot;</span>'
has 2014/01/08/why-go/index.html 'DISPLAY'
if grep -qi 'foliomore\|<!-- *more' "$out/2014/01/08/why-go/index.html"; then echo "FAIL: more marker left"; fail=1; fi
has 2014/01/08/why-go/index.html 'First &amp; foremost paragraph.'
has page/2/index.html '<p class="summary">First &amp; foremost paragraph. Second one.</p>'
has index.html '<p class="summary">Post number 4.</p>'
has index.html 'class="pagination"'
has search.json '"title":"Why Go <fast>"'
has robots.txt 'Sitemap: https://example.org/blog/sitemap.xml'
has atom.xml '<link rel="self" type="application/atom+xml" href="https://example.org/blog/atom.xml"/>'
has atom.xml '<published>2014-01-08T10:00:00+01:00</published>'
has sitemap.xml '<loc>https://example.org/blog/tags/c-plus-plus/</loc>'
if grep -q 'old-post' "$out/sitemap.xml"; then echo "FAIL: redirect in the sitemap"; fail=1; fi

for feed in atom.xml tags/c-plus-plus/atom.xml; do
  check jing -c "$SCHEMAS/atom.rnc" "$out/$feed"
done
for feed in feed.json tags/c-plus-plus/feed.json; do
  check python3 "$SCHEMAS/validate_jsonfeed.py" "$out/$feed"
done
check xmllint --noout --schema "$SCHEMAS/sitemap.xsd" "$out/sitemap.xml"

[ "$fail" = 0 ] && echo "plugins end to end: ok"
exit "$fail"

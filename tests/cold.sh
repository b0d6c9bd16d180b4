#!/usr/bin/env bash
# cold.sh: what the cold-build work changed in the default theme and plugins keeps its output:
# tables wrapped in their scroll box by plain searches (theme.lua), the page image found past an
# <img> without src (seo.html), JSON-LD escaped only when it holds < > &, and shortcodes found
# only where "{{<" or "{{%" is written (shortcodes plugin). Compared with what the former
# pattern-based code gave (the expected strings below).
. "$(dirname "$0")/lib.sh"

S=$WORK/site
make_site "$S" 'plugins = { "shortcodes" }' 'minify = false'
cat > "$S/content/posts/tables.md" <<'MD'
---
title: "Tables & <things>"
date: 2026-12-01
---
<tablex>not a table</tablex>

| a | b |
|---|---|
| 1 | 2 |

<table class="raw"><tr><td>x</td></tr></table>

<img alt="no source"> then <img alt="pic" src="/img/a&amp;b.png">

Braces {{ not a shortcode }} and {{< youtube abc >}}.
MD
cat > "$S/content/posts/plain.md" <<'MD'
---
title: Plain
date: 2026-11-01
---
Only {{ braces }} here, {{x}} and {{ y.
MD
(cd "$S" && "$FOLIO" build -q > "$WORK/b.log" 2>&1) && ok || bad "the site builds: $(cat "$WORK/b.log")"
T=$S/public/2026/12/01/tables-things/index.html
P=$S/public/2026/11/01/plain/index.html
wrap='<div class="table-wrap" tabindex="0" role="region" aria-label="Table"><table'
check "the Markdown table is wrapped" contains "$T" "$wrap>"
check "the HTML table with attributes is wrapped" contains "$T" "$wrap class=\"raw\">"
check "each table's end closes its wrapper" test "$(grep -o '</table></div>' "$T" | wc -l)" -eq 2
check "<tablex> is no table" contains "$T" '<tablex>not a table</tablex>'
check "og:image: the first <img> with a src, entities decoded" contains "$T" '<meta property="og:image" content="https://example.org/blog/img/a&amp;b.png">'
check "JSON-LD: < > & escaped" contains "$T" '"headline":"Tables \u0026 \u003cthings\u003e"'
check "JSON-LD without < > & as it is" contains "$P" '"headline":"Plain"'
check "a youtube shortcode is expanded" contains "$T" 'youtube'
check "braces that are no shortcode stay" contains "$T" '{{ not a shortcode }}'
check "a page with only braces keeps them" contains "$P" 'Only {{ braces }} here, {{x}} and {{ y.'
finish

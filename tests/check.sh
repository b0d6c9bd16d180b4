#!/bin/bash
# folio check (src/cli/cmd_check.c, src/check/linkcheck.c): planted problems are found and named
# by the Markdown file and line that made them, each once; the example site passes; --dir.
. "$(dirname "$0")/lib.sh"
cd "$WORK"

make_site site 'base_url = "https://example.org/"' 'plugins = { "anchors" }'
mkdir -p site/static/img
printf 'GIF89a' > site/static/img/there.gif
cat > site/content/about.md <<'MD'
---
title: About
---

## Team

We are here.
MD
cat > site/content/posts/2024-05-01-links.md <<'MD'
---
title: Links
date: 2024-05-01
---

## Intro

A [good link](/about/), a [good fragment](/about/#team) and a [local one](#intro).

An ![image that is there](/img/there.gif).

A [broken link](/no-such-page/).

A [missing fragment](/about/#nobody).

![missing image](/img/gone.png)

<a href="/raw/missing/">raw HTML</a>

The [broken link](/no-such-page/) again, and [elsewhere](https://example.com/page).
MD
run() { local out=$1 err=$2; shift 2; "$@" >"$out" 2>"$err"; rc=$?; }
run o e "$FOLIO" check -s site; [ -n "${VERBOSE_CHECK:-}" ] && cat e >&2
check "problems: exit 1" [ "$rc" -eq 1 ]
f=content/posts/2024-05-01-links.md
check "broken link at its line" contains e "$f:12: broken link '/no-such-page/'"
check "missing fragment at its line" contains e "$f:14: missing fragment '#nobody'"
check "missing image at its line" contains e "$f:16: broken image '/img/gone.png'"
check "raw HTML link at its line" contains e "$f:18: broken link '/raw/missing/'"
check "good links are not reported" bash -c "! grep -E \"'/about/'|'/about/#team'|'#intro'|there.gif\" e"
check "the same broken link twice: both lines" contains e "$f:20: broken link '/no-such-page/'"
check "each problem once" [ "$(grep -c "broken link '/no-such-page/'" e)" -eq 2 ] # lines 12 and 20
check "the summary counts problems" contains e "folio check: 5 problems"
check "external links are listed" contains o "https://example.com/page"
check "the output folder is not touched" [ ! -e site/public ]

# A layout's broken link (the footer of every page): reported once, with the number of pages.
mkdir -p site/layouts/partials
{ cat "$SRC/themes/default/layouts/partials/footer.html"; echo '<a href="/layout-missing/">x</a>'; } \
  > site/layouts/partials/footer.html
run o e "$FOLIO" check -s site
check "a layout's broken link is reported once" [ "$(grep -c "broken link '/layout-missing/'" e)" -eq 1 ]
check "a layout's broken link: the number of pages" grep -qE "\(on [0-9]+ pages; not from Markdown" e
check "a layout's broken link: the Markdown problems still at their lines" contains e "$f:12: broken link"

# --dir checks a built folder without building.
rm -rf site/layouts
"$FOLIO" build -q -s site >/dev/null 2>&1
run o e "$FOLIO" check --dir site/public
check "--dir finds the problems" contains e "broken link '/no-such-page/'"
check "--dir: exit 1" [ "$rc" -eq 1 ]
mkdir clean && printf '<a href="b.html#x">b</a><img srcset="i.png 1x, j.png 2x">' > clean/a.html
printf '<h1 id="x">B</h1>' > clean/b.html
touch clean/i.png
run o e "$FOLIO" check --dir clean
check "srcset: each URL checked" contains e "broken image 'j.png'"
check "srcset: the present one passes" lacks e "'i.png'"
check "relative link with a fragment passes" lacks e "b.html"
touch clean/j.png
run o e "$FOLIO" check --dir clean
check "a clean folder: exit 0" [ "$rc" -eq 0 ]
check "a clean folder: all good" contains o "all good"

# The example site is clean.
cp -r "$SRC/example" ex
run o e "$FOLIO" check -s ex
check "the example site passes (exit $rc)" [ "$rc" -eq 0 ]
check "the example site: all good" contains o "folio check: all good"

run o e "$FOLIO" check -s nowhere-at-all
check "no site: exit 1" [ "$rc" -eq 1 ]
run o e "$FOLIO" check --dir nowhere-at-all
check "--dir missing: exit 1 and a hint" contains e "hint:"
finish

#!/usr/bin/env bash
# alerts_e2e.sh: the alerts plugin from the command line: `folio new site` lists it, a post's
# `> [!WARNING]` becomes a styled callout in the built page, the default theme styles it, and a
# site without the plugin keeps the blockquote.
. "$(dirname "$0")/lib.sh"

(cd "$WORK" && "$FOLIO" new site blog > /dev/null) && ok || bad "folio new site"
check "new site turns the alerts plugin on" contains "$WORK/blog/site.lua" '"alerts",'
cat > "$WORK/blog/content/posts/2024-05-01-careful.md" <<'MD'
---
title: Careful
---

> [!WARNING]
> Back up *first*.
>
> - then upgrade

> [!nonsense]
> stays a quote
MD
(cd "$WORK/blog" && "$FOLIO" build -q --no-minify > "$WORK/build.log" 2>&1) && ok || bad "site builds: $(cat "$WORK/build.log")"
page=$(find "$WORK/blog/public" -path '*careful/index.html' | head -1)
check "post is built" test -n "$page"
check "callout with its title" contains "$page" '<div class="alert alert-warning" role="note"><p class="alert-title">Warning</p>'
check "callout keeps its content" contains "$page" '<p>Back up <em>first</em>.</p>'
check "callout keeps its list" contains "$page" '<li>then upgrade</li>'
check "marker removed" lacks "$page" '[!WARNING]'
check "unknown type stays a blockquote" contains "$page" '[!nonsense]'
css=$WORK/blog/public/css/style.css
check "theme styles the callouts" contains "$css" '.alert-warning {'
check "bar on the start side (RTL-safe)" contains "$css" 'border-inline-start'

# Without the plugin the same Markdown is a plain blockquote.
sed -i '/"alerts",/d' "$WORK/blog/site.lua"
(cd "$WORK/blog" && "$FOLIO" build -q > "$WORK/build.log" 2>&1) && ok || bad "site builds without alerts: $(cat "$WORK/build.log")"
check "plugin off: blockquote kept" contains "$page" '[!WARNING]'
check "plugin off: no callout" lacks "$page" 'class="alert'
finish

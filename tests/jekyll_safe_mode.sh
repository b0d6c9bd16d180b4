#!/usr/bin/env bash
# jekyll_safe_mode.sh: `folio build --safe` on a Jekyll site (layouts, includes, a date in a
# layout, site.posts in content, jekyll.environment) writes the same pages as without --safe,
# and a Jekyll site's include still cannot read outside the site in safe mode.
. "$SRC/tests/lib.sh"
site=$WORK/site
mkdir -p "$site/_posts" "$site/_layouts" "$site/_includes"
cat > "$site/_config.yml" <<'YML'
title: Safe Jekyll
url: https://example.org
timezone: UTC
YML
cat > "$site/_layouts/default.html" <<'HTML'
<!DOCTYPE html>
<html><head><title>{{ page.title }}</title></head>
<body data-env="{{ jekyll.environment }}">{% include nav.html here=page.url %}{{ content }}</body></html>
HTML
cat > "$site/_layouts/post.html" <<'HTML'
---
layout: default
---
<article><time datetime="{{ page.date | date_to_xmlschema }}">{{ page.date | date: "%b %-d, %Y" }}</time>{{ content }}</article>
HTML
echo '<nav>at {{ include.here }}</nav>' > "$site/_includes/nav.html"
printf -- '---\nlayout: post\ntitle: First\n---\nHello *world*.\n' > "$site/_posts/2020-01-02-first.md"
printf -- '---\nlayout: default\ntitle: Home\n---\n{%% for p in site.posts %%}<a href="{{ p.url }}">{{ p.title }}</a>{%% endfor %%}\n' > "$site/index.html"

JEKYLL_ENV=production "$FOLIO" build -q -s "$site" -o "$WORK/plain" > "$WORK/plain.log" 2>&1
check "build without --safe" test $? -eq 0
JEKYLL_ENV=production "$FOLIO" build --safe -q -s "$site" -o "$WORK/safe" > "$WORK/safe.log" 2>&1
check "build with --safe succeeds" test $? -eq 0 || cat "$WORK/safe.log" >&2
post=$WORK/safe/2020/01/02/first.html
check "safe: the post's layout chain" contains "$post" '<article><time datetime="2020-01-02T00:00:00+00:00">Jan 2, 2020</time>'
check "safe: the include with its parameter" contains "$post" '<nav>at /2020/01/02/first.html</nav>'
check "safe: jekyll.environment from JEKYLL_ENV" contains "$post" 'data-env="production"'
check "safe: site.posts in content" contains "$WORK/safe/index.html" '<a href="/2020/01/02/first.html">First</a>'
check "safe and plain builds write the same pages" diff -r "$WORK/plain" "$WORK/safe"

# an include outside the site is still refused in safe mode
echo 'secret' > "$WORK/outside.html"
ln -s "$WORK/outside.html" "$site/_includes/leak.html"
printf -- '---\nlayout: default\ntitle: Leak\n---\n{%% include leak.html %%}\n' > "$site/leak.md"
"$FOLIO" build --safe -q -s "$site" -o "$WORK/leak" > "$WORK/leak.log" 2>&1
if [ -f "$WORK/leak/leak.html" ]; then
  check "safe: an include outside the site is not read" lacks "$WORK/leak/leak.html" 'secret'
else
  check "safe: an include outside the site fails the build" contains "$WORK/leak.log" 'safe mode'
fi
finish

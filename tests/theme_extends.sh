#!/usr/bin/env bash
# theme_extends.sh: a theme that extends the default theme (`extends = "default"` in its
# theme.lua) and overrides one partial, one static file and one i18n key; everything else comes
# from the default theme. A loop of themes is an error naming the files.
. "$(dirname "$0")/lib.sh"

S=$WORK/site
make_site "$S" 'theme = "mine"'
printf -- '---\ntitle: Hello\ndate: 2026-12-02\n---\nHello world.\n' > "$S/content/posts/hello.md"
T=$S/themes/mine
mkdir -p "$T/layouts/partials" "$T/static/css" "$T/i18n"
cat > "$T/theme.lua" <<'LUA'
extends = "default"
folio.defaults { date_format = "%Y/%m/%d" }
LUA
cat > "$T/layouts/partials/footer.html" <<'HTML'
<footer class="mine">{{ t("made_with") }}</footer>
HTML
echo '.mine { color: red; }' > "$T/static/css/mine.css"
echo '/* mine */' > "$T/static/favicon.svg"
echo 'return { made_with = "Built by my theme" }' > "$T/i18n/en.lua"
(cd "$S" && "$FOLIO" build > "$WORK/build.log" 2>&1) && ok || bad "site builds: $(cat "$WORK/build.log")"
page=$S/public/2026/12/02/hello/index.html
check "overridden partial used" contains "$page" '<footer class="mine">'
check "i18n key of the child theme" contains "$page" 'Built by my theme'
check "other partials from the parent" contains "$page" 'class="site-header"'
check "layouts from the parent" contains "$page" 'class="post h-entry"'
check "parent's i18n strings still there" contains "$page" 'Skip to content'
check "child theme's defaults" contains "$page" '>2026/12/02</time>'
check "parent's default footer gone" lacks "$page" 'class="site-footer"'
check "child's static file" contains "$S/public/css/mine.css" '.mine'
check "child's static file replaces the parent's" contains "$S/public/favicon.svg" '/* mine */'
check "parent's static files copied" contains "$S/public/css/style.css" '--bg'
# The site still overrides the theme chain.
mkdir -p "$S/layouts/partials"
echo '<footer class="site-own"></footer>' > "$S/layouts/partials/footer.html"
(cd "$S" && "$FOLIO" build > "$WORK/build.log" 2>&1) && ok || bad "site builds: $(cat "$WORK/build.log")"
check "site's own partial beats the child theme" contains "$page" 'class="site-own"'

# A loop: mine -> other -> mine.
mkdir -p "$S/themes/other"
echo 'extends = "mine"' > "$S/themes/other/theme.lua"
sed -i 's/extends = "default"/extends = "other"/' "$T/theme.lua"
(cd "$S" && "$FOLIO" build > "$WORK/build.log" 2>&1) && bad "a loop of themes should fail" || ok
check "loop reported" grep -qF 'themes extend each other in a loop: mine -> other -> mine' "$WORK/build.log"
# An unknown parent.
sed -i 's/extends = "other"/extends = "nope"/' "$T/theme.lua"
(cd "$S" && "$FOLIO" build > "$WORK/build.log" 2>&1) && bad "an unknown parent should fail" || ok
check "unknown parent named with its theme.lua" grep -qF "themes/mine/theme.lua: error: theme 'nope' not found" "$WORK/build.log"
finish

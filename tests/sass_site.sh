#!/usr/bin/env bash
# sass_site.sh: Sass/SCSS in static/ becomes CSS at build (imports, partials left out, include
# paths, the indented syntax), compressed when minifying; errors name file:line:column; source
# maps only when asked; a Jekyll site's assets/main.scss (empty front matter, Liquid) imports
# from _sass/ and its theme's _sass/.
. "$(dirname "$0")/lib.sh"
S=$WORK/site
O=$WORK/out
make_site "$S" 'sass = { include_paths = { "sass_lib" } }'
mkdir -p "$S/static/css/parts" "$S/sass_lib"
printf '$accent: #c00;\n' > "$S/static/css/_vars.scss"
printf '@mixin boxed { border: 1px solid $accent; }\n' > "$S/static/css/parts/_mixins.scss"
printf '.lib { display: grid; }\n' > "$S/sass_lib/_lib.scss"
cat > "$S/static/css/site.scss" <<'SCSS'
@import "vars", "parts/mixins", "lib";
.post {
  color: $accent;
  .title { @include boxed; }
  &:hover { color: darken($accent, 10%); }
}
SCSS
printf '.menu\n  a\n    color: blue\n' > "$S/static/css/menu.sass"
"$FOLIO" build -s "$S" -o "$O" > "$WORK/log" 2>&1 && ok || bad "build: $(cat "$WORK/log")"
cat > "$WORK/want.css" <<'CSS'
.lib {
  display: grid;
}

.post {
  color: #c00;
}

.post .title {
  border: 1px solid #c00;
}

.post:hover {
  color: #990000;
}
CSS
check "site.scss compiled (expanded), imports resolved" cmp "$O/css/site.css" "$WORK/want.css"
check "indented .sass compiled" contains "$O/css/menu.css" ".menu a {"
check "partials not output" test ! -e "$O/css/_vars.css" -a ! -e "$O/css/_vars.scss" -a ! -e "$O/css/parts/_mixins.css"
check "Sass sources not copied" test ! -e "$O/css/site.scss" -a ! -e "$O/css/menu.sass"
check "no source map in a build" lacks "$O/css/site.css" "sourceMappingURL"
check "fingerprinted copy of the compiled CSS" cmp "$O/css/site.css" "$(ls "$O"/css/site.????????.css)"

"$FOLIO" build --minify -s "$S" -o "$O" --force > "$WORK/log" 2>&1 && ok || bad "build --minify: $(cat "$WORK/log")"
check "compressed when minifying" test "$(cat "$O/css/site.css")" = '.lib{display:grid}.post{color:#c00}.post .title{border:1px solid #c00}.post:hover{color:#900}'

echo 'sass = { include_paths = { "sass_lib" }, source_maps = true }' >> "$S/site.lua"
"$FOLIO" build -s "$S" -o "$O" --force > "$WORK/log" 2>&1 && ok || bad "build with source maps: $(cat "$WORK/log")"
check "source map when asked" contains "$O/css/site.css" "sourceMappingURL=data:application/json;base64,"

# errors: file:line:column and the message, in the file itself and in a partial
printf '.a {\n  color: $missing;\n}\n' > "$S/static/css/broken.scss"
"$FOLIO" build -s "$S" -o "$O" --force > "$WORK/log" 2>&1 && bad "a Sass error must fail the build" || ok
check "error names file:line" contains "$WORK/log" 'static/css/broken.scss:2: error: Sass: Undefined variable: "$missing". (column 10)'
rm "$S/static/css/broken.scss"
printf '$accent: #c00;\n.x { width: 10px +; }\n' > "$S/static/css/_vars.scss"
"$FOLIO" build -s "$S" -o "$O" --force > "$WORK/log" 2>&1 && bad "an error in a partial must fail the build" || ok
check "error in a partial names the partial" grep -q 'static/css/_vars.scss:2: error: Sass: ' "$WORK/log"
check "the error is reported once" test "$(grep -c 'error: Sass' "$WORK/log")" = 1
rm "$S/static/css/_vars.scss"
# Dart Sass's modules, which libsass lacks: the hint says so and how to write it instead
printf '@use "sass:meta";
.a { b: c; }
@include meta.load-css("x");
' > "$S/static/css/modules.scss"
"$FOLIO" build -s "$S" -o "$O" --force > "$WORK/log" 2>&1 && bad "a Sass module file must fail the build" || ok
check "modules: the error names file and line" grep -q 'static/css/modules.scss:3: error: Sass: ' "$WORK/log"
check "modules: the hint names libsass's limit" contains "$WORK/log" 'Dart Sass has them, libsass'
rm "$S/static/css/modules.scss"

# A Jekyll site: assets/main.scss with an empty front matter block and Liquid, _sass/ partials,
# the theme's _sass/ (a copy of the gem in _themes/<name>/), a .scss without front matter copied.
J=$WORK/jekyll
mkdir -p "$J/_sass/parts" "$J/_themes/plain/_sass/plain" "$J/assets/vendor" "$J/_posts"
printf 'title: J\ntheme: plain\nbrand: "#123456"\n' > "$J/_config.yml"
printf -- '---\ntitle: Hi\n---\nHello\n' > "$J/_posts/2020-01-01-hi.md"
printf '.theme-base { margin: 0; }\n' > "$J/_themes/plain/_sass/plain/_base.scss"
printf '@mixin rounded { border-radius: 3px; }\n' > "$J/_sass/parts/_mixins.scss"
printf -- '---\n# only the dashes matter\n---\n\n@import "plain/base", "parts/mixins";\n.brand { color: {{ site.brand }}; @include rounded; }\n' > "$J/assets/main.scss"
printf '.raw { x: y }\n' > "$J/assets/vendor/raw.scss"
(cd "$J" && "$FOLIO" build > "$WORK/jlog" 2>&1) && ok || bad "Jekyll build: $(cat "$WORK/jlog")"
cat > "$WORK/jwant.css" <<'CSS'
.theme-base {
  margin: 0;
}

.brand {
  color: #123456;
  border-radius: 3px;
}
CSS
check "Jekyll: main.scss compiled with _sass and theme imports, Liquid rendered" cmp "$J/_site/assets/main.css" "$WORK/jwant.css"
check "Jekyll: no Sass warning any more" lacks "$WORK/jlog" "Sass is not converted"
check "Jekyll: Sass without front matter copied as it is" cmp "$J/_site/assets/vendor/raw.scss" "$J/assets/vendor/raw.scss"
check "Jekyll: _sass not output" test ! -e "$J/_site/_sass"
printf -- '---\n---\n.a { color: $nope; }\n' > "$J/assets/main.scss"
(cd "$J" && "$FOLIO" build > "$WORK/jlog" 2>&1) && bad "Jekyll: a Sass error must fail" || ok
check "Jekyll: error keeps the file's line numbers" grep -q 'assets/main.scss:3: error: Sass: Undefined variable' "$WORK/jlog"
finish

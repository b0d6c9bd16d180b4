#!/usr/bin/env bash
# minify_site.sh: a site built with minify on (tests/minify/site) gives, byte for byte, the pages
# and files in tests/minify/expected/; <pre>, inline scripts and attribute values unchanged;
# --no-minify and `folio serve`-style builds keep the text as written.
. "$(dirname "$0")/lib.sh"
M=$SRC/tests/minify
S=$WORK/site
cp -r "$M/site" "$S"
O=$WORK/out
"$FOLIO" build -s "$S" -o "$O" > "$WORK/log" 2>&1 && ok || bad "build: $(cat "$WORK/log")"
check "page byte-compared" cmp "$O/about/index.html" "$M/expected/about.html"
check "CSS byte-compared" cmp "$O/css/site.css" "$M/expected/site.css"
check "JS byte-compared" cmp "$O/js/app.js" "$M/expected/app.js"
check "JSON byte-compared" cmp "$O/data.json" "$M/expected/data.json"
check "fingerprinted CSS is the minified CSS" cmp "$O/css/site.css" "$(ls "$O"/css/site.????????.css)"
check "<pre> kept" contains "$O/about/index.html" "$(printf '<pre><code>code   keeps\n    its    spaces\n</code></pre>')"
check "inline script kept" contains "$O/about/index.html" '      var  greeting = "hello   world";'
check "attribute value kept" contains "$O/about/index.html" 'data-note="two  spaces  kept"'
check "no comment left" lacks "$O/about/index.html" "a comment the reader never needs"
if command -v node > /dev/null; then check "minified JS still parses" node --check "$O/js/app.js"; fi
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$O/data.json" && ok || bad "minified JSON parses"
# --no-minify: the files as written
"$FOLIO" build --no-minify -s "$S" -o "$O" --force > "$WORK/log" 2>&1 && ok || bad "build --no-minify: $(cat "$WORK/log")"
check "--no-minify: CSS as written" cmp "$O/css/site.css" "$S/static/css/site.css"
check "--no-minify: JSON as written" cmp "$O/data.json" "$S/static/data.json"
check "--no-minify: page keeps its lines" contains "$O/about/index.html" '    <nav>'
# minify = false in site.lua (the default), --minify turns it on
sed -i 's/^minify = true/minify = false/' "$S/site.lua"
"$FOLIO" build -s "$S" -o "$O" --force > "$WORK/log" 2>&1 && ok || bad "build minify = false: $(cat "$WORK/log")"
check "minify = false: CSS as written" cmp "$O/css/site.css" "$S/static/css/site.css"
"$FOLIO" build --minify -s "$S" -o "$O" --force > "$WORK/log" 2>&1 && ok || bad "build --minify: $(cat "$WORK/log")"
check "--minify: page byte-compared" cmp "$O/about/index.html" "$M/expected/about.html"
# a new site minifies its build
(cd "$WORK" && "$FOLIO" new site fresh > /dev/null) || bad "new site"
check "new sites say minify = true" grep -q '^minify = true' "$WORK/fresh/site.lua"
# a script the minifier cannot read surely: a warning, copied as it is
printf 'var s = "open\n' > "$S/static/js/bad.js"
"$FOLIO" build --minify -s "$S" -o "$O" --force > "$WORK/log" 2>&1 && ok || bad "build with bad.js: $(cat "$WORK/log")"
check "bad.js warned about, with its line" grep -q 'static/js/bad.js:1: warning: not minified' "$WORK/log"
check "bad.js copied as it is" cmp "$O/js/bad.js" "$S/static/js/bad.js"
# a rendered page the minifier cannot read (its output is minified inside folio.build.write):
# the same warning, and the page written as rendered
rm "$S/static/js/bad.js"
printf -- '---\nurl: /gen/bad.js\nlayout: none\n---\nvar s = "open\n' > "$S/content/badgen.md"
"$FOLIO" build --minify -s "$S" -o "$O" --force > "$WORK/log" 2>&1 && ok || bad "build with badgen.md: $(cat "$WORK/log")"
check "badgen.md warned about" grep -q 'content/badgen.md:1: warning: not minified: the js minifier cannot read gen/bad.js' "$WORK/log"
check "gen/bad.js written as rendered" contains "$O/gen/bad.js" 'var s = “open'
finish

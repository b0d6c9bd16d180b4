#!/usr/bin/env bash
# assets_fingerprint.sh: asset("css/x.css") gives /css/x.<8 hex of SHA-256>.css with the file
# written there and integrity="sha384-..." equal to openssl's; the name changes with the content;
# .scss names give the compiled CSS's; the default theme links its CSS and search.js this way; a
# missing asset is a warning with the plain URL.
. "$(dirname "$0")/lib.sh"
command -v openssl > /dev/null || { echo "openssl is not installed: cannot check SRI values"; exit 77; }
S=$WORK/site
O=$WORK/out
make_site "$S" 'plugins = { "search" }'
mkdir -p "$S/static/css" "$S/static/js" "$S/layouts" "$S/content"
printf 'body { color: #111; }\n' > "$S/static/css/a.css"
printf 'console.log("app");\n' > "$S/static/js/app.js"
printf '$w: 2px;\n.b { border: $w solid; }\n' > "$S/static/css/b.scss"
cat > "$S/layouts/page.html" <<'HTML'
<!DOCTYPE html><html><head>
URL={{ asset("css/a.css") }}
FIELDS={{ asset("/css/a.css").url }} {{ asset("css/a.css").integrity }}
{* asset("css/a.css"):tag() *}
{* asset("js/app.js"):tag("defer") *}
SCSS={{ asset("css/b.scss").url }}
</head><body>{* page.content *}</body></html>
HTML
printf -- '---\ntitle: P\nlayout: page\n---\nbody\n' > "$S/content/p.md"
"$FOLIO" build -s "$S" -o "$O" > "$WORK/log" 2>&1 && ok || bad "build: $(cat "$WORK/log")"
P=$O/p/index.html
hash8() { sha256sum "$1" | cut -c1-8; }
sri() { echo "sha384-$(openssl dgst -sha384 -binary "$1" | base64 -w0)"; }
H=$(hash8 "$S/static/css/a.css")
check "fingerprinted URL (base path kept)" contains "$P" "URL=/blog/css/a.$H.css"
check "fingerprinted file written, same bytes" cmp "$O/css/a.$H.css" "$S/static/css/a.css"
check "plain file still written" cmp "$O/css/a.css" "$S/static/css/a.css"
check ".url and .integrity" contains "$P" "FIELDS=/blog/css/a.$H.css $(sri "$S/static/css/a.css")"
check "link tag with SRI" contains "$P" "<link rel=\"stylesheet\" href=\"/blog/css/a.$H.css\" integrity=\"$(sri "$S/static/css/a.css")\">"
J=$(hash8 "$S/static/js/app.js")
check "script tag with SRI" contains "$P" "<script src=\"/blog/js/app.$J.js\" integrity=\"$(sri "$S/static/js/app.js")\" defer></script>"
B=$(hash8 "$O/css/b.css")
check "a .scss name gives the compiled CSS's fingerprint" contains "$P" "SCSS=/blog/css/b.$B.css"
check "compiled CSS fingerprinted" cmp "$O/css/b.$B.css" "$O/css/b.css"
# the default theme: its style sheet and search script through asset()
rm "$S/layouts/page.html"
"$FOLIO" build -s "$S" -o "$O" --force > "$WORK/log" 2>&1 && ok || bad "build with the default theme: $(cat "$WORK/log")"
T=$(hash8 "$O/css/style.css")
check "default theme links style.<hash>.css with SRI" contains "$P" "<link rel=\"stylesheet\" href=\"/blog/css/style.$T.css\" integrity=\"$(sri "$O/css/style.css")\">"
check "default theme's search.js fingerprinted" contains "$P" "<script src=\"/blog/search.$(hash8 "$O/search.js").js\" integrity=\"$(sri "$O/search.js")\" defer></script>"
# the name follows the content
printf 'body { color: #222; }\n' > "$S/static/css/a.css"
printf '<link href="{{ asset("css/a.css") }}">{* page.content *}' > "$S/layouts/page.html"
"$FOLIO" build -s "$S" -o "$O" --force > "$WORK/log" 2>&1 && ok || bad "rebuild: $(cat "$WORK/log")"
H2=$(hash8 "$S/static/css/a.css")
check "new content, new name" test "$H" != "$H2"
check "page links the new name" contains "$P" "/blog/css/a.$H2.css"
check "old name gone from the output" test ! -e "$O/css/a.$H.css"
# a missing asset: a warning, the plain URL
printf '<link href="{{ asset("css/nope.css") }}">{* page.content *}' > "$S/layouts/page.html"
"$FOLIO" build -s "$S" -o "$O" --force > "$WORK/log" 2>&1 && ok || bad "a missing asset must not fail the build: $(cat "$WORK/log")"
check "missing asset warned about" grep -q 'warning: asset("css/nope.css"): no CSS, JS or Sass file' "$WORK/log"
check "missing asset gets its plain URL" contains "$P" '<link href="/blog/css/nope.css">'
"$FOLIO" build --strict -s "$S" -o "$O" --force > "$WORK/log" 2>&1 && bad "--strict: a missing asset fails" || ok
finish

#!/usr/bin/env bash
# The output folder's policy (src/core/outdir.c): every folder a build must never replace is
# refused before anything is written, and the sources survive; the marker and --force; an
# output that is a symbolic link; the two-rename fallback and its recovery; static/ links that
# leave the site; two sources claiming one output.
. "$(dirname "$0")/lib.sh"

S=$WORK/sites/site
make_site "$S"
mkdir -p "$S/layouts" "$S/static/css" "$S/scripts" "$S/themes"
printf -- '---\ntitle: One\ndate: 2020-01-01\n---\nBody one.\n' > "$S/content/posts/one.md"
printf -- '---\ntitle: About\n---\nAbout.\n' > "$S/content/about.md"
echo 'body{}' > "$S/static/css/extra.css"
echo '-- a script' > "$S/scripts/noop.lua"
echo '<p>{{ page.title }}</p>' > "$S/layouts/keep.html"
export HOME=$WORK/home   # never the real one
mkdir -p "$HOME" && echo "my notes" > "$HOME/notes.txt"
snapshot() { (cd "$S" && find . -name .public.folio-lock -prune -o -name .folio-cache -prune -o -path ./public -prune -o -type f -print | sort | xargs md5sum); }
before=$(snapshot)
home_before=$(find "$HOME" -type f | sort | xargs md5sum)

# refused: FOLDER, what the message must say
refuse() {
  local out=$1 says=$2; shift 2
  if (cd "$S" && "$FOLIO" build -q -o "$out" "$@") > "$WORK/r.log" 2>&1; then
    bad "-o $out $* was not refused"
  else ok; fi
  check "-o $out: the message says why ($says)" contains "$WORK/r.log" "$says"
  check "-o $out: the message names what was refused" contains "$WORK/r.log" "refusing to build into $out"
  check "-o $out: the sources survive" test "$(snapshot)" = "$before"
  check "-o $out: nothing was written beside it" bash -c "! ls -a '$S' '$WORK' | grep -q 'folio-build\|folio-old'"
}
refuse content "the site's content/"
refuse content/posts "is inside the site's content/"
refuse . "is the site folder"
refuse .. "contains the site folder"
refuse "$WORK/sites" "contains the site folder"
refuse "$WORK" "contains your home folder"
refuse layouts "the site's layouts/"
refuse static "the site's static/"
refuse static/css "is inside the site's static/"
refuse scripts "the site's scripts/"
refuse themes "the site's themes/"
refuse site.lua "the site's site.lua"
refuse "$HOME" "is your home folder"
refuse / "is the root folder"
refuse content "the site's content/" --force
refuse "$HOME" "is your home folder" --force
check "the home folder survives" test "$(find "$HOME" -type f | sort | xargs md5sum)" = "$home_before"
# a source that is a link to a folder elsewhere: its target is a source too
mkdir -p "$WORK/shared-static" && echo keep > "$WORK/shared-static/keep.txt"
rm -r "$S/static" && ln -s "$WORK/shared-static" "$S/static"
before=$(snapshot)
refuse "$WORK/shared-static" "the site's static/"
check "the linked source survives" test -f "$WORK/shared-static/keep.txt"
rm "$S/static" && mkdir -p "$S/static/css" && echo 'body{}' > "$S/static/css/extra.css"
before=$(snapshot)

# output = ... in site.lua gets the same checks, and the message blames site.lua
cp "$S/site.lua" "$WORK/site.lua.orig"
echo 'output = "content"' >> "$S/site.lua"
before=$(snapshot)
check "output = \"content\" in site.lua is refused" bash -c "! (cd '$S' && '$FOLIO' build -q) > '$WORK/r.log' 2>&1"
check "the message names site.lua" contains "$WORK/r.log" "site.lua: error: refusing to build into content (output in site.lua)"
check "content survives output = \"content\"" test "$(snapshot)" = "$before"
cp "$WORK/site.lua.orig" "$S/site.lua"
before=$(snapshot)

# a folder that is not a folio output: refused, --force adopts it
mkdir -p "$WORK/docs" && echo "thesis" > "$WORK/docs/thesis.txt"
refuse "$WORK/docs" "not made by folio build"
check "the foreign folder survives" grep -q thesis "$WORK/docs/thesis.txt"
check "--force adopts a foreign folder" bash -c "cd '$S' && '$FOLIO' build -q -o '$WORK/docs' --force"
check "an adopted folder holds the site and the marker" bash -c "test -f '$WORK/docs/index.html' && test -f '$WORK/docs/.folio-output' && ! test -e '$WORK/docs/thesis.txt'"
check "a marked folder is replaced without --force" bash -c "cd '$S' && '$FOLIO' build -q -o '$WORK/docs'"
mkdir -p "$WORK/empty"
check "an empty folder is used" bash -c "cd '$S' && '$FOLIO' build -q -o '$WORK/empty' && test -f '$WORK/empty/.folio-output'"
echo text > "$WORK/afile"
refuse "$WORK/afile" "is a file, not a folder" --force
check "a file output survives" grep -q text "$WORK/afile"
check "missing parents are created" bash -c "cd '$S' && '$FOLIO' build -q -o '$WORK/new/deep/out' && test -f '$WORK/new/deep/out/index.html'"

# the default output
check "the default build works" bash -c "cd '$S' && '$FOLIO' build -q"
check "the output holds the marker" test -f "$S/public/.folio-output"
check "the sources survive good builds" test "$(snapshot)" = "$before"

# an output that is a symbolic link: published into its target, the link kept
mkdir -p "$WORK/www"
ln -s "$WORK/www" "$WORK/www-link"
for i in 1 2; do
  check "build $i into a link" bash -c "cd '$S' && '$FOLIO' build -q -o '$WORK/www-link'"
done
check "the link is still a link" test -L "$WORK/www-link"
check "the link points where it did" test "$(readlink "$WORK/www-link")" = "$WORK/www"
check "the site is in the link's target" test -f "$WORK/www/index.html"
ln -s "$WORK/not-yet" "$WORK/dangling"
check "a dangling link: its target is created" bash -c "cd '$S' && '$FOLIO' build -q -o '$WORK/dangling' && test -L '$WORK/dangling' && test -f '$WORK/not-yet/index.html'"
ln -s "$S/content" "$WORK/sneaky"
refuse "$WORK/sneaky" "the site's content/"

# --- the two-rename fallback (no RENAME_EXCHANGE) ---------------------------------------------
export FOLIO_TEST_NO_EXCHANGE=1
echo old > "$S/public/old-marker.txt"
check "a fallback build works" bash -c "cd '$S' && '$FOLIO' build -q"
check "the fallback replaced the output" bash -c "test -f '$S/public/index.html' && ! test -e '$S/public/old-marker.txt'"
check "the fallback leaves nothing aside" bash -c "! ls -a '$S' | grep -q 'folio-old\|folio-build'"
# a crash between its two renames leaves the old output aside and none in place:
echo old > "$S/public/old-marker.txt"
mv "$S/public" "$S/.public.folio-old"
printf -- '---\ntitle: [unclosed\n---\n' > "$S/content/broken.md"
check "a failing build after a crash fails" bash -c "! (cd '$S' && '$FOLIO' build -q) 2> '$WORK/f.log'"
check "it restored the old output first" test -f "$S/public/old-marker.txt"
check "it said so" contains "$WORK/f.log" "restored public"
rm "$S/content/broken.md"
mv "$S/public" "$S/.public.folio-old"
check "a good build after a crash works" bash -c "cd '$S' && '$FOLIO' build -q 2>/dev/null"
check "the new output is in place" bash -c "test -f '$S/public/index.html' && ! test -e '$S/public/old-marker.txt' && ! test -e '$S/.public.folio-old'"
unset FOLIO_TEST_NO_EXCHANGE

# leftover staging folders of killed builds are removed; ones of other outputs are not
mkdir -p "$S/.public.folio-build-99999/x" "$S/.public.folio-build" "$S/.other.folio-build-1"
check "a build after leftovers works" bash -c "cd '$S' && '$FOLIO' build -q"
check "leftover staging folders are removed" bash -c "! test -e '$S/.public.folio-build-99999' && ! test -e '$S/.public.folio-build'"
check "another output's staging folder is left alone" test -d "$S/.other.folio-build-1"
rmdir "$S/.other.folio-build-1"

# --- static/ links that leave the site ---------------------------------------------------------
mkdir -p "$WORK/private" && echo "secret key" > "$WORK/private/id_rsa"
ln -s "$WORK/private/id_rsa" "$S/static/key.txt"
ln -s "$WORK/private" "$S/static/priv"
ln -s ../content/about.md "$S/static/about.txt"   # inside the site: followed
(cd "$S" && "$FOLIO" build -q) > "$WORK/l.log" 2>&1 && ok || bad "a build with outside links works: $(cat "$WORK/l.log")"
check "a file link outside the site is not copied" test ! -e "$S/public/key.txt"
check "a folder link outside the site is not followed" test ! -e "$S/public/priv"
check "a link inside the site is followed" test -f "$S/public/about.txt"
check "a warning names the file link" contains "$WORK/l.log" "static/key.txt: warning: symbolic link to $WORK/private/id_rsa, outside the site"
check "a warning names the folder link" contains "$WORK/l.log" "static/priv: warning: symbolic link to $WORK/private"
check "each link is warned about once" test "$(grep -c 'outside the site' "$WORK/l.log")" -eq 2
check "the secret is nowhere in the output" bash -c "! grep -rq 'secret key' '$S/public'"
echo 'follow_symlinks = true' >> "$S/site.lua"
(cd "$S" && "$FOLIO" build -q) > "$WORK/l.log" 2>&1 && ok || bad "follow_symlinks build"
check "follow_symlinks = true copies a file link" grep -q "secret key" "$S/public/key.txt"
check "follow_symlinks = true follows a folder link" test -f "$S/public/priv/id_rsa"
check "follow_symlinks = true: no warning" lacks "$WORK/l.log" "outside the site"
cp "$WORK/site.lua.orig" "$S/site.lua"
rm "$S/static/key.txt" "$S/static/priv" "$S/static/about.txt"

# --- two sources claiming one output -------------------------------------------------------------
mkdir -p "$S/static/css"
echo 'body{color:red}' > "$S/static/css/style.css"
printf -- '---\ntitle: Style\nurl: /css/style.css\nlayout: none\n---\nx\n' > "$S/content/style.md"
check "a page and a static file on one output fail" bash -c "! (cd '$S' && '$FOLIO' build -q) > '$WORK/c.log' 2>&1"
check "the clash names the page" contains "$WORK/c.log" "content/style.md (page /css/style.css)"
check "the clash names the static file" contains "$WORK/c.log" "the static file static/css/style.css"
check "the clash is reported once" test "$(grep -c 'two sources claim' "$WORK/c.log")" -eq 1
rm "$S/static/css/style.css"
check "a page and the theme's static file on one output fail" bash -c "! (cd '$S' && '$FOLIO' build -q) > '$WORK/c.log' 2>&1"
check "the clash names the theme's file" contains "$WORK/c.log" "themes/default/static/css/style.css"
rm "$S/content/style.md"
echo '<html>static 404</html>' > "$S/static/404.html"
check "a static file and the 404 page fail" bash -c "! (cd '$S' && '$FOLIO' build -q) > '$WORK/c.log' 2>&1"
check "the clash names the 404 page and the file" bash -c "grep -F 'the not-found page' '$WORK/c.log' | grep -qF 'static/404.html'"
rm "$S/static/404.html"
printf -- '---\ntitle: A\nurl: /same/\n---\nA\n' > "$S/content/a.md"
printf -- '---\ntitle: B\nurl: /same/\n---\nB\n' > "$S/content/b.md"
check "two pages with one URL fail" bash -c "! (cd '$S' && '$FOLIO' build -q) > '$WORK/c.log' 2>&1"
check "the clash names both pages" bash -c "grep -q 'content/a.md and content/b.md' '$WORK/c.log'"
rm "$S/content/a.md" "$S/content/b.md"
check "the site builds again" bash -c "cd '$S' && '$FOLIO' build -q"

# folio serve applies the checks to the folder it writes the preview in
before=$(snapshot)
check "serve refuses a preview folder inside content/" bash -c "! (cd '$S' && TMPDIR=content timeout 20 '$FOLIO' serve -p 0) > '$WORK/s.log' 2>&1"
check "serve says why" contains "$WORK/s.log" "refusing to build the preview in content"
check "serve wrote nothing in content/" test "$(snapshot)" = "$before"
finish

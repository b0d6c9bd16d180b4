#!/usr/bin/env bash
# tests/cache.sh: the build cache. A `folio new site` (every default plugin) with generated posts
# of the `real` shape (code, tables, footnotes, emoji, raw HTML) is built warm and cold; every warm
# output must equal the cold build of the same site byte for byte, and FOLIO_COUNTERS's line
# "counter pages processed P reused R" says how much per-page work the build did.
source "$(dirname "$0")/lib.sh"
N=12
SITE=$WORK/site

# counts: the "processed reused" pair of the last warm build (from $WORK/err)
counts() { sed -n 's/^counter pages processed \([0-9]*\) reused \([0-9]*\)$/\1 \2/p' "$WORK/err"; }
# warm [ARGS]: a cached build of $SITE into public/; stderr (counters, warnings) in $WORK/err
warm() { (cd "$SITE" && FOLIO_COUNTERS=1 "$FOLIO" build -q "$@" 2>"$WORK/err") || { cat "$WORK/err" >&2; return 1; }; }
# same_as_cold: public/ equals a --no-cache build of the site as it is now
same_as_cold() {
  rm -rf "$WORK/cold"
  (cd "$SITE" && "$FOLIO" build -q --no-cache -o "$WORK/cold" 2>/dev/null) || return 1
  diff -r "$WORK/cold" "$SITE/public" >"$WORK/diff" || { head -20 "$WORK/diff" >&2; return 1; }
}
expect_counts() { # expect_counts WHAT "P R"
  local got; got=$(counts)
  [ "$got" = "$2" ] || { echo "$1: processed/reused '$got', expected '$2'" >&2; return 1; }
}

"$FOLIO" new site "$SITE" >/dev/null
"$FOLIO" lua "$SRC/tools/gen_corpus.lua" "$SITE" "$N" real >/dev/null
TOTAL=$((N + 1)) # the generated posts and the new site's welcome post
POST=$(ls "$SITE"/content/posts/*.md | sed -n 5p)

# --no-cache neither reads nor writes a cache
(cd "$SITE" && "$FOLIO" build -q --no-cache 2>"$WORK/err")
check "--no-cache builds" test -f "$SITE/public/index.html"
check "--no-cache makes no cache folder" test ! -e "$SITE/.folio-cache"

check "first cached build" warm
check "the first build processes every page" expect_counts first "$TOTAL 0"
check "the cache lives in .folio-cache" test -f "$SITE/.folio-cache/data.mdb"
check "first cached build equals a cold one" same_as_cold

check "second build" warm
check "the second build reuses every page" expect_counts second "0 $TOTAL"
check "second build equals a cold one" same_as_cold
check "a warm build warns about nothing" test ! -s "$WORK/err" -o "$(grep -vc '^counter' "$WORK/err")" = 0

# one post edited: only it is processed again
printf '\nAn added paragraph with :sparkles: in it.\n' >>"$POST"
check "build after one edit" warm
check "one edit processes one page" expect_counts "one edit" "1 $N"
check "build after one edit equals a cold one" same_as_cold
check "the edit shows" grep -rqF "An added paragraph" "$SITE/public"

# a touched file (same bytes, new mtime) is reused: the cache goes by content
touch -d '2030-01-01' "$POST"
check "build after touch" warm
check "a touched page is reused" expect_counts touch "0 $TOTAL"

# a new post, and a deleted one
printf -- '---\ntitle: Brand new\ndate: 2026-01-05\n---\nFresh text.\n' >"$SITE/content/posts/2026-01-05-new.md"
check "build with a new post" warm
check "a new post is the only one processed" expect_counts "new post" "1 $TOTAL"
check "build with a new post equals a cold one" same_as_cold
rm "$SITE/content/posts/2026-01-05-new.md"
check "build with the post deleted" warm
check "a deleted post leaves the others reused" expect_counts "deleted post" "0 $TOTAL"
check "build with the post deleted equals a cold one" same_as_cold

# site.lua, a plugin option, a theme file, a layout: every page is processed again
sed -i 's/^title = "Site"/title = "Another title"/' "$SITE/site.lua"
check "build after site.lua changed" warm
check "a site.lua change processes every page" expect_counts site.lua "$TOTAL 0"
check "build after site.lua changed equals a cold one" same_as_cold
sed -i 's/^  "summary",/  { "summary", length = 40 },/' "$SITE/site.lua"
check "build after a plugin option changed" warm
check "a plugin option processes every page" expect_counts "plugin option" "$TOTAL 0"
check "build after a plugin option changed equals a cold one" same_as_cold
mkdir -p "$SITE/themes/default/layouts/partials"
echo '<!-- unused -->' >"$SITE/themes/default/layouts/partials/unused.html"
check "build after a theme file was added" warm
check "a theme file processes every page" expect_counts "theme file" "$TOTAL 0"
check "build after a theme file equals a cold one" same_as_cold
echo 'folio.hook("html", function(page) page.content = page.content .. "<!-- hooked -->" end)' >"$SITE/scripts/mark.lua"
check "build after a site script was added" warm
check "a site script processes every page" expect_counts "site script" "$TOTAL 0"
check "the new script's work shows" grep -rqF "<!-- hooked -->" "$SITE/public"
check "build after a site script equals a cold one" same_as_cold
check "build again" warm
check "and then every page is reused" expect_counts again "0 $TOTAL"

# a page's warnings are reported again when the page is reused
printf -- '---\ntitle: Warned\ndate: not a date\n---\nText.\n' >"$SITE/content/posts/2026-01-06-warned.md"
check "build with a warning" warm
grep -v '^counter' "$WORK/err" >"$WORK/warn-cold"
check "the page's warning is reported" grep -q "warned.md" "$WORK/warn-cold"
check "build with a warning, warm" warm
grep -v '^counter' "$WORK/err" >"$WORK/warn-warm"
check "a reused page reports its warning again" diff "$WORK/warn-cold" "$WORK/warn-warm"
check "the warned page was reused" expect_counts warned "0 $((TOTAL + 1))"
rm "$SITE/content/posts/2026-01-06-warned.md"
warm

# a damaged entry: one warning, the page processed again, the output right
DATA=$SITE/.folio-cache/data.mdb
# (every copy of the post's text: LMDB keeps old versions of pages until it reuses them)
offsets=$(grep -obaF "An added paragraph" "$DATA" | cut -d: -f1)
check "an entry to damage was found" test -n "$offsets"
for offset in $offsets; do printf 'XXXXXXXX' | dd of="$DATA" bs=1 seek="$offset" conv=notrunc 2>/dev/null; done
check "build over a damaged entry" warm
check "a damaged entry is one warning" test "$(grep -c 'entry of the build cache is damaged' "$WORK/err")" = 1
check "a damaged entry is processed again" expect_counts damaged "1 $N"
check "build over a damaged entry equals a cold one" same_as_cold

# a damaged store file: one warning, a cold build, and a cache again afterwards
head -c 100000 /dev/urandom >"$DATA"
check "build over a garbage cache file" warm
check "a garbage cache file is one warning" test "$(grep -c 'build cache' "$WORK/err")" = 1
check "a garbage cache file means a cold build" expect_counts garbage "$TOTAL 0"
check "build over a garbage cache file equals a cold one" same_as_cold
check "build after the garbage" warm
check "the cache works again after the garbage" expect_counts "after garbage" "0 $TOTAL"
truncate -s 8192 "$DATA"
check "build over a truncated cache file" warm
check "a truncated cache file is one warning" test "$(grep -c 'build cache' "$WORK/err")" = 1
check "a truncated cache file means a cold build" expect_counts truncated "$TOTAL 0"
check "build over a truncated cache file equals a cold one" same_as_cold

# a cache another format (another folio) made: one warning, not read, rebuilt
warm
perl -0777 -pi -e 's/folio-build-cache 2 /folio-build-cache 0 /g' "$DATA"
check "build over a foreign cache" warm
check "a foreign cache is one warning" test "$(grep -c 'another version of folio' "$WORK/err")" = 1
check "a foreign cache is not read" expect_counts foreign "$TOTAL 0"
check "build over a foreign cache equals a cold one" same_as_cold
check "build after the foreign cache" warm
check "the rebuilt cache is read" expect_counts "after foreign" "0 $TOTAL"

# --cache-dir and cache_dir
check "build with --cache-dir" warm --cache-dir "$WORK/elsewhere"
check "--cache-dir starts empty" expect_counts "--cache-dir" "$TOTAL 0"
check "--cache-dir holds the store" test -f "$WORK/elsewhere/data.mdb"
echo "cache_dir = \"$WORK/from-site-lua\"" >>"$SITE/site.lua"
check "build with cache_dir" warm
check "cache_dir holds the store" test -f "$WORK/from-site-lua/data.mdb"
check "build with cache_dir equals a cold one" same_as_cold

# two builds at once sharing one cache: both succeed, and the cache is whole afterwards
printf '\nAnother paragraph.\n' >>"$POST"
(cd "$SITE" && "$FOLIO" build -q -o "$WORK/a" 2>"$WORK/err-a") & pa=$!
(cd "$SITE" && "$FOLIO" build -q -o "$WORK/b" 2>"$WORK/err-b") & pb=$!
wait $pa; ra=$?; wait $pb; rb=$?
check "two builds sharing a cache both succeed" test "$ra$rb" = 00
check "the two builds made the same output" diff -r "$WORK/a" "$WORK/b"
check "neither warned" test ! -s "$WORK/err-a" -a ! -s "$WORK/err-b"
check "a build after them" warm
check "after the two builds every page is reused" expect_counts shared "0 $TOTAL"
check "and equals a cold build" same_as_cold

# Liquid (scripts/liquid.lua) reads other sources (post_url): its pages are never reused
L=$WORK/liquid
make_site "$L" 'plugins = { "liquid" }'
printf -- '---\ntitle: A\ndate: 2020-01-02\n---\nSee [b]({%% post_url 2020-01-01-b %%}).\n' >"$L/content/posts/2020-01-02-a.md"
printf -- '---\ntitle: B\ndate: 2020-01-01\n---\nB.\n' >"$L/content/posts/2020-01-01-b.md"
(cd "$L" && "$FOLIO" build -q 2>"$WORK/lerr") || cat "$WORK/lerr" >&2
printf -- '---\ntitle: B\ndate: 2020-01-01\nslug: renamed\n---\nB.\n' >"$L/content/posts/2020-01-01-b.md"
(cd "$L" && FOLIO_COUNTERS=1 "$FOLIO" build -q 2>"$WORK/err") || cat "$WORK/err" >&2
check "a Liquid page is processed again" expect_counts liquid "2 0"
check "post_url follows the other post's new URL" grep -rqF "/renamed/" "$L/public/2020/01/02"

finish

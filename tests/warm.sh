#!/usr/bin/env bash
# tests/warm.sh: a warm build (the build cache of the last one) renders only the outputs an edit
# can change and links the others from the last output folder (src/lua/folio/warm.lua), and
# writes the same bytes as a cold build after every kind of edit:
# a body, a title, a tag, a date, a post added and one removed, a template, a stylesheet, an
# output file edited by hand, the site's configuration changed through the environment, a
# translation overridden, the cache folder removed. A problem met while rendering is reported by
# every warm build, not only by the one that rendered the page first. `counter outputs kept K of N`
# (FOLIO_COUNTERS=1) shows how many were linked.
source "$(dirname "$0")/lib.sh"
site=$WORK/site
"$FOLIO" new site "$site" >/dev/null
rm -rf "$site/content/posts"
"$FOLIO" lua "$SRC/tools/gen_corpus.lua" "$site" 150 pool50 >/dev/null
posts=("$site"/content/posts/*.md)
one=${posts[10]} other=${posts[40]}

# warm_build WHAT: builds with the cache, keeps the kept count in $kept, then checks that a
# cold build (--no-cache, another folder) writes the same files.
warm_build() {
  (cd "$site" && FOLIO_COUNTERS=1 "$FOLIO" build -q 2>"$WORK/counters") || { bad "$1: warm build failed"; cat "$WORK/counters"; }
  kept=$(awk '$1 == "counter" && $2 == "outputs" && $3 == "kept" { print $4 }' "$WORK/counters")
  total=$(awk '$1 == "counter" && $2 == "outputs" && $3 == "kept" { print $6 }' "$WORK/counters")
  rm -rf "$WORK/cold"
  (cd "$site" && "$FOLIO" build -q --no-cache -o "$WORK/cold") || bad "$1: cold build failed"
  check "$1: the warm build writes what a cold build writes" diff -r "$site/public" "$WORK/cold"
}

warm_build "first build"
check "first build: nothing to keep (kept $kept)" test "$kept" = 0
warm_build "nothing changed"
check "nothing changed: the rendered outputs kept ($kept of $total; feeds and indexes are written anew)" test "$kept" -gt $((total / 2))
all=$kept

echo "A new closing line for this post." >> "$one"
warm_build "a body edit"
check "a body edit renders only what shows the post (kept $kept of $all)" test "$kept" -ge $((all - 60)) -a "$kept" -lt "$all"

sed -i '0,/^title: .*/s//title: "A Title Nobody Had"/' "$one"
warm_build "a title edit"
check "a title edit: the new title on a list page" grep -rqF "A Title Nobody Had" "$site/public/tags"

sed -i '0,/^tags: .*/s//tags: [brand-new-tag]/' "$other"
warm_build "a tag edit"
check "a tag edit: the new tag's page" test -f "$site/public/tags/brand-new-tag/index.html"

sed -i '0,/^date: .*/s//date: 2030-01-01/' "$other"
warm_build "a date edit"

printf -- '---\ntitle: "Freshly Added"\ndate: 2029-06-01\ntags: [python]\n---\nA new post.\n' > "$site/content/posts/2029-06-01-fresh.md"
warm_build "a post added"
rm "${posts[70]}"
warm_build "a post removed"

echo '<!-- a comment in the footer -->' >> "$site/themes/default/layouts/partials/footer.html" 2>/dev/null ||
  { mkdir -p "$site/layouts/partials"; echo '<footer>a footer of the site</footer>' > "$site/layouts/partials/footer.html"; }
warm_build "a template changed"
check "a template changed: every output rendered (kept $kept)" test "$kept" = 0

mkdir -p "$site/static/css"
echo 'body { color: #123456; }' > "$site/static/css/extra.css"
warm_build "a static file added"
echo 'body { color: #654321; }' > "$site/static/css/style.css" # (replaces the theme's: a new fingerprint)
warm_build "the stylesheet replaced"
check "the stylesheet replaced: every page names the new one (kept $kept)" test "$kept" = 0

page=$(find "$site/public" -path '*/post-*' -name index.html | head -1)
echo "edited by hand" >> "$page"
warm_build "an output edited by hand"
check "an output edited by hand is written again" lacks "$page" "edited by hand"

sed -i '1s/^/local tag = os.getenv("WARM_TITLE")\n/' "$site/site.lua"
echo 'if tag then title = tag end' >> "$site/site.lua"
warm_build "configuration before the environment changes"
export WARM_TITLE="A Title From The Environment"
warm_build "the configuration changed through the environment"
check "the title from the environment on a kept page" grep -qF "A Title From The Environment" "$page"
unset WARM_TITLE

mkdir -p "$site/i18n"
echo 'return { min_read = { one = "%d minute of reading", other = "%d minutes of reading" } }' > "$site/i18n/en.lua"
warm_build "a translation overridden"
check "the site's translation on a post" grep -rqF "minutes of reading" "$site/public/$(cd "$site/public" && find . -path '*/post-*' -name index.html | head -1)"

mkdir -p "$site/layouts/partials"
echo '<footer>{* asset("css/not-there.css"):tag() *}</footer>' > "$site/layouts/partials/footer.html"
for round in 1 2 3; do
  (cd "$site" && "$FOLIO" build >"$WORK/log$round" 2>&1) || bad "build with a missing asset, round $round"
done
check "a render warning is reported by the build that renders" grep -q "not-there" "$WORK/log1"
check "a render warning is reported again by the next warm build" grep -q "not-there" "$WORK/log2"
check "and by the one after" grep -q "not-there" "$WORK/log3"

rm -rf "$site/.folio-cache"
warm_build "the cache removed"
check "the cache removed: nothing kept (kept $kept)" test "$kept" = 0
finish

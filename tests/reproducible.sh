#!/usr/bin/env bash
# Reproducible builds: an unchanged site builds byte-identical output, however much later the
# second build runs (feeds' <updated>, the sitemap, the footer's year come from the pages' dates,
# never from the clock).
. "$(dirname "$0")/lib.sh"

# Builds site $1 twice, a little more than a second apart; the trees must be equal byte for byte.
same_twice() {
  local site=$1 what=$2
  "$FOLIO" build -s "$site" -q > "$WORK/first.log" 2>&1 || { bad "$what: first build"; cat "$WORK/first.log" >&2; return; }
  rm -rf "$WORK/first"
  cp -a "$site/public" "$WORK/first"
  sleep 1.2
  "$FOLIO" build -s "$site" -q > "$WORK/second.log" 2>&1 || { bad "$what: second build"; return; }
  if diff -r "$WORK/first" "$site/public" > "$WORK/diff.txt"; then ok; else bad "$what: the two builds differ"; head -20 "$WORK/diff.txt" >&2; fi
  check "$what: as many files" test "$(find "$WORK/first" -type f | wc -l)" -eq "$(find "$site/public" -type f | wc -l)"
}

# The example site, with every shipped plugin.
cp -r "$SRC/example" "$WORK/example"
same_twice "$WORK/example" "example site"
check "example site has feeds" test -s "$WORK/example/public/atom.xml"

# A site with no posts: its feeds are empty, and their <updated> is the newest page's date.
S=$WORK/pages
make_site "$S" 'plugins = { "feeds", "sitemap" }'
printf -- '---\ntitle: About\n---\nAbout us.\n' > "$S/content/about.md"
touch -d '2021-06-01 12:00:00 UTC' "$S/content/about.md"
same_twice "$S" "site without posts"
check "empty feed's updated is the page's date" contains "$S/public/atom.xml" "<updated>2021-06-01T12:00:00+00:00</updated>"
check "footer year from the page" contains "$S/public/about/index.html" "© 2021"

# SOURCE_DATE_EPOCH pins site.build_time for templates that print it.
mkdir -p "$S/layouts"
printf '{{ site.build_time }}\n' > "$S/layouts/page.html"
SOURCE_DATE_EPOCH=1234567890 "$FOLIO" build -s "$S" -q > /dev/null 2>&1
check "SOURCE_DATE_EPOCH gives build_time" contains "$S/public/about/index.html" "1234567890"
finish

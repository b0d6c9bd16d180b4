#!/usr/bin/env bash
# images_cache.sh: what a warm image build costs: the cached results are hard links in the output
# (no bytes copied), for pages rendered anew and for pages the build cache reuses; a source's
# content hash is kept in the cache under its inode, size and times (cache/stat/), so a warm build
# reads no image (a planted memo is believed; a touched file is hashed again); nothing is
# processed on a warm build, with or without --no-cache (FOLIO_COUNTERS); no temporary files are
# left in the cache.
. "$(dirname "$0")/lib.sh"
command -v vips > /dev/null || { echo "skipped: the vips command (Debian: libvips-tools) makes the test images"; exit 77; }

site=$WORK/site
make_site "$site" 'plugins = { "images" }'
mkdir -p "$site/static/images" "$site/content/posts"
vips gaussnoise "$WORK/n.v" 1000 750 && vips bandjoin "$WORK/n.v $WORK/n.v $WORK/n.v" "$WORK/rgb.v" &&
  vips cast "$WORK/rgb.v" "$site/static/images/photo.jpg[Q=80]" uchar || bad "vips makes photo.jpg"
printf -- '---\ntitle: Photo\ndate: 2024-05-01\n---\n\n![A photo](/images/photo.jpg)\n' > "$site/content/posts/photo.md"

build() { (cd "$site" && FOLIO_COUNTERS=1 "$FOLIO" build "$@" > "$WORK/build.log" 2>&1); }
processed() { sed -n 's/^counter images processed //p' "$WORK/build.log"; }
# every result in the output is the cache's file itself
all_linked() {
  local n=0 f
  for f in "$site"/public/_img/*; do
    local name=${f##*/} cached
    # photo-<8 hex>-fit480x0q80.webp -> <16 hex>-fit480x0q80.webp in the cache
    cached=$(ls "$site"/.folio-cache/images/"${name:6:8}"*"${name:15}" 2>/dev/null | head -1)
    [ -n "$cached" ] && [ "$(stat -c %i "$f")" = "$(stat -c %i "$cached")" ] || { echo "not linked: $name" >&2; return 1; }
    n=$((n + 1))
  done
  [ "$n" -gt 0 ]
}

check "cold build: $(cat "$WORK/build.log" 2>/dev/null)" build
check "cold build processes images ($(processed))" test "$(processed)" -gt 0
check "cold build: results linked from the cache" all_linked
check "no temporary files left in the cache" test -z "$(find "$site/.folio-cache/images" -name '*.tmp*')"
check "the source's hash is kept (cache/stat/)" test "$(ls "$site/.folio-cache/images/stat" | wc -l)" -eq 1

check "warm build" build
check "warm build processes nothing" test "$(processed)" = 0
check "warm build (pages reused): results linked" all_linked
check "warm build --no-cache" build --no-cache
check "warm build --no-cache processes nothing" test "$(processed)" = 0
check "warm build --no-cache: results linked" all_linked
page=$(find "$site/public" -path '*photo/index.html' | head -1)
real=$(grep -o '_img/photo-[0-9a-f]\{8\}' "$page" | head -1)
check "the page names the results by the source's hash" test -n "$real"

# The memo is believed while the file's identity stays: plant another hash in it.
memo=$(ls "$site"/.folio-cache/images/stat/*.stat)
sed -i 's/ [0-9a-f]\{16\}$/ 00000000deadbeef/' "$memo"
build --no-cache > /dev/null 2>&1
check "a warm build reads the hash from the memo, not the image" grep -q '_img/photo-00000000-fit' "$page"
# A changed file (here: only its times) is hashed again.
touch "$site/static/images/photo.jpg"
check "after touch" build --no-cache
check "a touched image is hashed again" grep -q "$real-fit" "$page"
check "...and nothing is processed (same bytes)" test "$(processed)" = 0
check "the memo holds the real hash again" grep -q " ${real#_img/photo-}[0-9a-f]\{8\}$" "$memo"

# An output on another file system: copies instead of links.
if [ -d /dev/shm ] && [ "$(stat -c %d /dev/shm)" != "$(stat -c %d "$WORK")" ]; then
  other=$(mktemp -d /dev/shm/folio-test-images.XXXXXX)
  check "a build into another file system" build --no-cache -o "$other/public"
  f=$(ls "$other"/public/_img/*-fit*.webp 2>/dev/null | head -1)
  check "...writes the results as copies" test -n "$f" -a "$(stat -c %h "$f" 2>/dev/null)" = 1
  rm -rf "$other"
fi
finish

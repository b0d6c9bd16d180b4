#!/usr/bin/env bash
# tools/bench_images.sh: what the images plugin costs. Generates N posts (default 10,000) in
# tmpfs and IMAGES photos (default 300, 1200x900 JPEGs made with the vips command), puts one
# photo in each of the first IMAGES posts, and builds with the plugins of `folio new site`
# (images and shortcodes included): once cold (every srcset variant made, the cache filled),
# then warm and the same posts without the photos, interleaved, 3 rounds, and again with
# --no-cache (every page rendered anew, the images' cache warm: the render hook's own cost).
# Prints wall and CPU seconds, the ratios of the best CPU seconds and the images processed per
# build (FOLIO_COUNTERS: 0 on a warm build). KEEP=1 leaves the folder in /dev/shm.
#   tools/bench_images.sh [N] [IMAGES] [FOLIO_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
IMAGES=${2:-300}
FOLIO=${3:-build/folio}
[ -x "$FOLIO" ] || { echo "build folio first (cmake --build build), or pass its path" >&2; exit 1; }
command -v vips > /dev/null || { echo "needs the vips command (apt-get install libvips-tools)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
FOLIO=$(realpath "$FOLIO")
BASE=/dev/shm/folio-bench-images-$$
[ -n "${KEEP:-}" ] || trap 'rm -rf "$BASE"' EXIT
mkdir -p "$BASE"

make_site() { # dir: a new site's configuration with the bench corpus as its content
  (cd "$BASE" && "$FOLIO" new site "$(basename "$1")" > /dev/null)
  rm -rf "$1/content"
  mkdir -p "$1/content"
  cp -r "$BASE/corpus/content/posts" "$1/content/posts"
}
"$FOLIO" lua tools/gen_corpus.lua "$BASE/corpus" "$N" > /dev/null
make_site "$BASE/plain"
make_site "$BASE/photos"

echo "making $IMAGES photos with vips..."
mkdir -p "$BASE/photos/static/images"
vips xyz "$BASE/xy.v" 1200 900 # gradients with a little noise: photo-sized files, quick to make
vips linear "$BASE/xy.v" "$BASE/xy8.v" "0.2 0.27" "10 0"
vips gaussnoise "$BASE/noise.v" 1200 900 --sigma 6 --mean 0
vips add "$BASE/xy8.v" "$BASE/noise.v" "$BASE/xyn.v"
vips bandjoin_const "$BASE/xyn.v" "$BASE/base.v" 128
mapfile -t posts < <(find "$BASE/photos/content/posts" -name '*.md' | sort | head -n "$IMAGES")
for i in $(seq 1 "${#posts[@]}"); do
  vips linear "$BASE/base.v" "$BASE/photos/static/images/photo-$i.jpg[Q=82]" "1 0.9 1.1" "$i $((i * 3 % 50)) 0" --uchar
  printf '\n![Photo %d of the meetup](/images/photo-%d.jpg)\n' "$i" "$i" >> "${posts[$((i - 1))]}"
done
echo "corpus: $N posts, ${#posts[@]} with a photo ($(du -sh "$BASE/photos/static/images" | cut -f1) of JPEG), in $BASE"

run() { # label dir [build options]: one build; prints wall, CPU, images processed; LAST_T, LAST_CPU
  local label=$1 dir=$2
  shift 2
  /usr/bin/time -o "$BASE/time.out" -f "%e %U %S" env FOLIO_COUNTERS=1 "$FOLIO" build -s "$dir" -q "$@" 2> "$BASE/err.out" \
    || { echo "failed: $label ($(tail -3 "$BASE/err.out"))" >&2; exit 1; }
  read -r t u s < <(tail -1 "$BASE/time.out")
  local n
  n=$(sed -n 's/^counter images processed //p' "$BASE/err.out")
  LAST_T=$t
  LAST_CPU=$(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}')
  printf "%-44s %7.2f s  %7.2f CPU s  images processed %s\n" "$label" "$t" "$LAST_CPU" "${n:-?}"
}
min() { awk -v a="$1" -v b="$2" 'BEGIN{print (a < b) ? a : b}'; }
ratio() { # label photos plain
  awk -v l="$1" -v w="$2" -v p="$3" 'BEGIN { printf "%s: %.2f / %.2f CPU s = %.3f (%+.1f%%)\n", l, w, p, w / p, (w / p - 1) * 100 }'
}
# Photos and plain interleaved, three rounds (the machine may be shared: CPU seconds, best of 3).
compare() { # label [build options]
  local label=$1 wc=999999 pc=999999
  shift
  for r in 1 2 3; do
    run "$label: photos (run $r)" "$BASE/photos" "$@"; wc=$(min "$wc" "$LAST_CPU")
    run "$label: no photos (run $r)" "$BASE/plain" "$@"; pc=$(min "$pc" "$LAST_CPU")
  done
  ratio "$label, with photos / without" "$wc" "$pc"
}

run "cold: photos, empty cache" "$BASE/photos"
echo "cache: $(find "$BASE/photos/.folio-cache/images" -type f | wc -l) files, $(du -sh "$BASE/photos/.folio-cache/images" | cut -f1)"
run "plain: filling the build cache" "$BASE/plain"
compare "warm"
# every page rendered again (--no-cache: no page reused), the images' cache warm
compare "pages rendered anew (--no-cache)" --no-cache

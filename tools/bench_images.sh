#!/usr/bin/env bash
# tools/bench_images.sh: what the images plugin costs. Generates N posts (default 10,000) in
# tmpfs and IMAGES photos (default 300, 1200x900 JPEGs made with the vips command), puts one
# photo in each of the first IMAGES posts, and builds with the plugins of `folio new site`
# (images and shortcodes included): once cold (every srcset variant made, the cache filled),
# then warm (3 runs, best wall time), and the same posts without the photos (3 runs). Prints
# wall and CPU seconds, the warm/no-images ratio and the images processed per build
# (FOLIO_COUNTERS: 0 on a warm build).
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

run() { # label dir: one build; prints wall, CPU, images processed
  local label=$1 dir=$2
  /usr/bin/time -o "$BASE/time.out" -f "%e %U %S" env FOLIO_COUNTERS=1 "$FOLIO" build -s "$dir" -q 2> "$BASE/err.out" \
    || { echo "failed: $label ($(tail -3 "$BASE/err.out"))" >&2; exit 1; }
  read -r t u s < <(tail -1 "$BASE/time.out")
  local n
  n=$(sed -n 's/^counter images processed //p' "$BASE/err.out")
  LAST_T=$t
  printf "%-36s %7.2f s  %7.2f CPU s  images processed %s\n" "$label" "$t" "$(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}')" "${n:-?}"
}
best_of_3() { # label dir: the best of three runs, in BEST
  BEST=999999
  for r in 1 2 3; do
    run "$1 (run $r)" "$2"
    if awk -v a="$LAST_T" -v b="$BEST" 'BEGIN{exit !(a<b)}'; then BEST=$LAST_T; fi
  done
}

run "cold: photos, empty cache" "$BASE/photos"
echo "cache: $(find "$BASE/photos/.folio-cache/images" -type f | wc -l) files, $(du -sh "$BASE/photos/.folio-cache/images" | cut -f1)"
best_of_3 "warm: photos, cache full" "$BASE/photos"
WARM=$BEST
best_of_3 "the same posts without photos" "$BASE/plain"
PLAIN=$BEST
awk -v w="$WARM" -v p="$PLAIN" 'BEGIN { printf "warm build with photos / without: %.2f s / %.2f s = %.3f (%+.1f%%)\n", w, p, w / p, (w / p - 1) * 100 }'

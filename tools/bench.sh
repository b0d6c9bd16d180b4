#!/usr/bin/env bash
# tools/bench.sh: build-time benchmark. Generates N writeups (default 10,000, ~4 KB each) in tmpfs,
# builds them cold with folio (3 runs) and prints wall time and peak memory; if `hugo` is installed
# (Debian package hugo), builds the same posts with Hugo in the same run and prints the ratio.
# Then, for each corpus shape of tools/gen_corpus.lua in BENCH_SHAPES (default: pool50 unique
# everywhere real), builds N posts of that shape with the configuration `folio new site` writes
# (every default plugin, the default theme) and prints wall, CPU and peak memory.
#   tools/bench.sh [N] [FOLIO_BINARY]
#   BENCH_SHAPES="pool50" tools/bench.sh 10000
# Last, instruction counts (callgrind) of the new-site defaults against a two-plugin site at 1,000
# posts (BENCH_CALLGRIND=0: not).
# Cold builds run with --no-cache; the pool50 shape is also built warm (the build cache filled,
# one post edited before each run).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
FOLIO=${2:-build/folio}
[ -x "$FOLIO" ] || { echo "build folio first (cmake --build build), or pass its path" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
BASE=/dev/shm/folio-bench-$$
trap 'rm -rf "$BASE"' EXIT
mkdir -p "$BASE/folio"
"$FOLIO" lua tools/gen_corpus.lua "$BASE/folio" "$N"
cat > "$BASE/folio/site.lua" <<'LUA'
title = "Bench"
base_url = "https://example.org/"
timezone = "UTC"
plugins = { "emoji", "lenient_headings" }
LUA
echo "corpus: $N posts, $(du -sh "$BASE/folio/content" | cut -f1) of Markdown, in $BASE"

measure() { # label command...: prints the best wall seconds of 3 runs, its CPU seconds, peak RSS
  local label=$1 best=999999 cpu=0 mem=0 out
  shift
  for run in 1 2 3; do
    /usr/bin/time -o "$BASE/time.out" -f "%e %U %S %M" "$@" >/dev/null 2>"$BASE/stderr.out" \
      || { echo "failed: $* ($(tail -3 "$BASE/stderr.out"))" >&2; exit 1; }
    out=$(tail -1 "$BASE/time.out")
    read -r t u sys m <<<"$out"
    if awk -v a="$t" -v b="$best" 'BEGIN{exit !(a<b)}'; then
      best=$t
      cpu=$(awk -v u="$u" -v s="$sys" 'BEGIN{print u+s}')
    fi
    [ "$m" -gt "$mem" ] && mem=$m
  done
  printf "%-44s %6.2f s  %6.2f CPU s  %6d MiB peak\n" "$label" "$best" "$cpu" $((mem / 1024))
  LAST=$best
}
measure_named() { local label=$1; shift; measure "$label" "$@"; }

rm -rf "$BASE/folio/public"
measure_named "folio build (minimal plugins)" "$FOLIO" build -s "$BASE/folio" -q --no-cache
FOLIO_T=$LAST
sed -i 's/^plugins = .*/plugins = { "emoji", "lenient_headings", "summary", "anchors", "taxonomies", "archives", "paginate", "feeds", "sitemap", "related", "search", "redirects", "highlight" }/' "$BASE/folio/site.lua"
measure_named "folio build (all plugins of new site)" "$FOLIO" build -s "$BASE/folio" -q --no-cache
measure_named "folio build -j1 (all plugins)" "$FOLIO" build -s "$BASE/folio" -q -j1 --no-cache

if command -v hugo >/dev/null; then
  H=$BASE/hugo
  mkdir -p "$H/layouts/_default" "$H/content"
  cp -r "$BASE/folio/content/posts" "$H/content/posts"
  printf 'baseURL = "https://example.org/"\ntitle = "Bench"\n[permalinks]\nposts = "/:year/:month/:day/:slug/"\n' > "$H/config.toml"
  printf '<!doctype html><title>{{ .Title }}</title><h1>{{ .Title }}</h1><time>{{ .Date.Format "2006-01-02" }}</time>{{ .Content }}\n' > "$H/layouts/_default/single.html"
  printf '<!doctype html><title>{{ .Title }}</title>{{ range .Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}\n' > "$H/layouts/_default/list.html"
  measure_named "hugo $(hugo version | grep -o 'v[0-9.]*' | head -1)" hugo --quiet -s "$H" -d "$H/public"
  awk -v h="$LAST" -v f="$FOLIO_T" 'BEGIN{printf "hugo / folio (minimal plugins): %.1fx\n", h / f}'
else
  echo "hugo not installed (apt-get install hugo) — no comparison"
fi

# The configuration of `folio new site` (every default plugin) on each corpus shape.
"$FOLIO" new site "$BASE/newsite" >/dev/null
rm -rf "$BASE/newsite/content/posts"
for shape in ${BENCH_SHAPES-pool50 unique everywhere real}; do
  rm -rf "$BASE/newsite/content/posts" "$BASE/newsite/public"
  "$FOLIO" lua tools/gen_corpus.lua "$BASE/newsite" "$N" "$shape"
  measure_named "folio new site, $N posts, $shape ($(du -sh "$BASE/newsite/content" | cut -f1))" \
    "$FOLIO" build -s "$BASE/newsite" -q --no-cache
  if [ "$shape" = pool50 ]; then
    # warm: the build cache filled by a cached build, then one post edited before each run
    "$FOLIO" build -s "$BASE/newsite" -q
    EDITED=$(ls "$BASE"/newsite/content/posts/*.md | head -1)
    measure_named "  warm, after one edit (build cache)" bash -c \
      "printf '\nOne more line.\n' >>'$EDITED' && exec '$FOLIO' build -s '$BASE/newsite' -q"
    rm -rf "$BASE/newsite/.folio-cache"
  fi
done
rm -rf "$BASE/newsite"

# folio serve: time from saving one post (write in place) to the reload event reaching a live-reload
# client, median of 20 edits, and the server's memory over 200 more rebuilds (tools/serve_bench.py).
# Same 10,000 posts; a paginated home page (an unpaginated one lists every post and is rendered
# again on each edit, ~150 ms on its own).
if command -v python3 >/dev/null; then
  sed -i 's/^plugins = .*/plugins = { "emoji", "lenient_headings", "paginate" }/' "$BASE/folio/site.lua"
  rm -rf "$BASE/folio/public"
  TMPDIR="$BASE" python3 tools/serve_bench.py "$FOLIO" "$BASE/folio" 20 200
else
  echo "python3 not installed — no serve benchmark"
fi

# Instructions (callgrind, repeatable on a noisy machine), 1,000 posts of the pool50 shape, -j1 in
# one process: the configuration `folio new site` writes against the same site with only emoji and
# lenient_headings (issue 13: the default plugins at most 2x the two-plugin site). BENCH_CALLGRIND=0
# skips it.
if [ "${BENCH_CALLGRIND:-1}" != 0 ] && command -v valgrind >/dev/null && command -v python3 >/dev/null; then
  "$FOLIO" new site "$BASE/cg-defaults" >/dev/null
  rm -rf "$BASE/cg-defaults/content/posts"
  "$FOLIO" lua tools/gen_corpus.lua "$BASE/cg-defaults" 1000 pool50
  cp -r "$BASE/cg-defaults" "$BASE/cg-two"
  python3 - "$BASE/cg-two/site.lua" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
text, n = re.subn(r'plugins = \{.*?\n\}\n', 'plugins = { "emoji", "lenient_headings" }\n', text, flags=re.S)
assert n == 1, "no plugins list in site.lua"
open(path, "w").write(text)
PY
  instructions() {
    FOLIO_NO_FORK=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$FOLIO" build -s "$1" -q --no-cache -j1 2>&1 |
      awk '/Collected/ { print $4 }'
  }
  D=$(instructions "$BASE/cg-defaults")
  T=$(instructions "$BASE/cg-two")
  awk -v d="$D" -v t="$T" 'BEGIN { printf "callgrind, 1,000 posts: new-site defaults %d M instructions, emoji + lenient_headings %d M: %.2fx\n", d / 1e6, t / 1e6, d / t }'
  rm -rf "$BASE/cg-defaults" "$BASE/cg-two"
else
  echo "valgrind not installed (apt-get install valgrind), or BENCH_CALLGRIND=0 — no instruction counts"
fi

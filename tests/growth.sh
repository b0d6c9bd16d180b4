#!/usr/bin/env bash
# tests/growth.sh: nothing grows faster than the site. Builds 1,000 and 4,000 posts of one shape
# (tools/gen_corpus.lua) with the configuration `folio new site` writes (every default plugin),
# for three tag distributions, and fails when the output's bytes or a site hook's own work
# (FOLIO_COUNTERS=1: hundreds of Lua instructions; never wall time) grows more than 4.5x for
# 4x the posts, or the related ranking's posts visited per post (its lists grow with the site)
# does, or it visits more than 1.25x the lists it reads. Prints every ratio.
source "$(dirname "$0")/lib.sh"
SMALL=${GROWTH_SMALL:-1000}
LARGE=${GROWTH_LARGE:-4000}
LIMIT=4.5

# build SHAPE N DIR: a new site with N posts of SHAPE in DIR, built; counters in DIR/counters
build() {
  local shape=$1 n=$2 dir=$3
  "$FOLIO" new site "$dir" >/dev/null || return 1
  rm -rf "$dir/content/posts"
  "$FOLIO" lua "$SRC/tools/gen_corpus.lua" "$dir" "$n" "$shape" || return 1
  (cd "$dir" && FOLIO_COUNTERS=1 "$FOLIO" build -q 2>"$dir/counters") || { cat "$dir/counters" >&2; return 1; }
  du -sb --apparent-size "$dir/public" | cut -f1 >"$dir/bytes"
  # the pages of the home page's list: each links only a window of the others
  find "$dir/public/page" -name index.html -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }' >"$dir/list-bytes"
}

# within WHAT SMALL LARGE: passes when LARGE <= LIMIT * SMALL (a count of 0 becomes 1)
within() {
  local what=$1 a=$2 b=$3
  local ratio
  ratio=$(awk -v a="$a" -v b="$b" 'BEGIN{ if (a < 1) a = 1; printf "%.2f", b / a }')
  printf "  %-58s %10s -> %10s  %5sx\n" "$what" "$a" "$b" "$ratio"
  check "$what grows ${ratio}x (more than ${LIMIT}x) from $SMALL to $LARGE posts" \
    awk -v r="$ratio" -v l="$LIMIT" 'BEGIN{exit !(r <= l)}'
}

for shape in pool50 unique everywhere; do
  echo "$shape: $SMALL -> $LARGE posts"
  small=$WORK/$shape-small large=$WORK/$shape-large
  check "build $SMALL $shape posts" build "$shape" "$SMALL" "$small" || continue
  check "build $LARGE $shape posts" build "$shape" "$LARGE" "$large" || continue
  within "output bytes" "$(cat "$small/bytes")" "$(cat "$large/bytes")"
  within "bytes of the home page list (/page/N/)" "$(cat "$small/list-bytes")" "$(cat "$large/list-bytes")"
  biggest() { find "$1/public" -type f -printf '%s\n' | sort -n | tail -1; }
  within "largest output file" "$(biggest "$small")" "$(biggest "$large")"
  while read -r _ _ _ source steps; do
    plugin=${source##*/}
    other=$(awk -v s="$source" '$4 == s { print $5 }' "$large/counters")
    within "site hook $plugin (100 instructions)" "$steps" "${other:-0}"
  done < <(grep '^counter site hook ' "$small/counters")
  # related ranks lazily, at render time: its work measured apart (tests/lua/related_steps.lua).
  # Each post's ranking reads its terms' lists, which grow with the site: per post, it may grow as
  # the lists do (4x), and never beyond 1.25x their total length
  read -r _ _ posts_s _ vis_s _ listed_s < <("$FOLIO" lua "$SRC/tests/lua/related_steps.lua" "$small")
  read -r _ _ posts_l _ vis_l _ listed_l < <("$FOLIO" lua "$SRC/tests/lua/related_steps.lua" "$large")
  within "related: posts visited per post" "$((vis_s / posts_s))" "$((vis_l / posts_l))"
  check "$shape: related visits at most 1.25x the lists it reads ($vis_l of $listed_l)" \
    awk -v v="$vis_l" -v l="$listed_l" -v n="$posts_l" 'BEGIN{exit !(v <= 1.25 * l + 64 * n)}'
  check "$shape: every site hook counted" test "$(grep -c '^counter site hook ' "$small/counters")" -ge 9
  rm -rf "$small" "$large"
done
finish

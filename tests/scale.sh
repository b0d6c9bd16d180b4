#!/usr/bin/env bash
# tests/scale.sh: a batch build keeps what it does not need out of the Lua heap (issue 13).
# A new site (every default plugin) of 2,000 posts, built with FOLIO_MEMORY=1 (each phase's Lua
# heaps after a full collection: figures that do not depend on the machine's load):
# - the site stage adds at most 3 KiB a post to the main state's heap (it added 7.6 KiB while the
#   incremental site hooks' parts and caches, meant for `folio serve`, stayed through the render);
# - the files written as is (feeds, search index, sitemap) wait in the C content store: it grows
#   at the site stage by at least the bytes of search.json;
# - the build with the render forked, and with the site copied to worker states instead
#   (FOLIO_NO_FORK=1), write the same bytes (the stored files travel with the pages);
# - a folio.site_hook's combine is told `changes.final` in a build;
# - the render adds at most 1.5 KiB a post to the forked render process's heap (partial_cached's
#   results, a post's list entry each, wait in the C content store: they added 2.4 KiB a post);
# - past its memory budget (4 MiB) the content store writes bodies to a file in the staging
#   folder (less in memory than it holds); with FOLIO_CONTENT_BUDGET_KIB=0 nothing stays in
#   memory, and the forked, unforked and warm (build cache) builds still write the same bytes.
source "$(dirname "$0")/lib.sh"
N=${SCALE_POSTS:-2000}
site=$WORK/site
"$FOLIO" new site "$site" >/dev/null
rm -rf "$site/content/posts"
"$FOLIO" lua "$SRC/tools/gen_corpus.lua" "$site" "$N" pool50 >/dev/null
mkdir -p "$site/scripts"
cat > "$site/scripts/final.lua" <<'LUA'
folio.site_hook { name = "final", combine = function(site, _, changes)
  site:add_page { url = "/final.txt", layout = false, content = "final=" .. tostring(changes.final) .. "\n" }
end }
LUA
sed -i 's|^plugins = {|plugins = { "final",|' "$site/site.lua"

(cd "$site" && FOLIO_MEMORY=1 "$FOLIO" build -q --no-cache 2>"$WORK/memory") || { cat "$WORK/memory"; bad "build"; finish; }
cat "$WORK/memory"
# memory PHASE lua MAIN WORKER... KiB, content store N KiB, ...
heap() { awk -v p="$1" '$1 == "memory" && $2 == p { print $4 }' "$WORK/memory"; }
store() { awk -v p="$1" '$1 == "memory" && $2 == p { for (i = 1; i <= NF; i++) if ($i == "store") { print $(i + 1); exit } }' "$WORK/memory"; }
gathered=$(heap gather) assembled=$(heap assemble)
check "phases reported" test -n "$gathered" -a -n "$assembled"
added=$(( (assembled - gathered) * 1024 / N ))
echo "site stage: $gathered -> $assembled KiB of Lua heap, $added bytes a post"
check "the site stage adds at most 3 KiB a post to the Lua heap (added $added bytes)" test "$added" -le 3072
search=$(( $(stat -c %s "$site/public/search.json") / 1024 ))
grown=$(( $(store assemble) - $(store gather) ))
check "the files written as is wait in the content store (grew $grown KiB, search.json $search KiB)" \
  test "$grown" -ge "$search"
check "changes.final in a build" contains "$site/public/final.txt" "final=true"
rendered=$(awk '$1 == "memory" && $2 == "render" && $3 == "(the" { print $7 }' "$WORK/memory")
check "the render process reported its heap" test -n "$rendered"
render_added=$(( (rendered - assembled) * 1024 / N ))
check "the render adds at most 1.5 KiB a post to the render process's heap (added $render_added bytes)" \
  test "$render_added" -le 1536

in_memory() { awk -v p="$1" '$1 == "memory" && $2 == p { for (i = 1; i <= NF; i++) if ($i == "store") { print substr($(i + 3), 2); exit } }' "$WORK/memory"; }
check "past 4 MiB the bodies go to a file ($(store render) KiB held, $(in_memory render) KiB in memory)" \
  test "$(store render)" -gt 8192 -a "$(in_memory render)" -le 4096

mv "$site/public" "$WORK/forked"
(cd "$site" && FOLIO_NO_FORK=1 "$FOLIO" build -q --no-cache -j2) || bad "build without the fork"
check "forked and copied-to-workers builds write the same bytes" diff -r "$WORK/forked" "$site/public"
rm -rf "$site/public"
(cd "$site" && FOLIO_MEMORY=1 FOLIO_CONTENT_BUDGET_KIB=0 "$FOLIO" build -q --no-cache 2>"$WORK/memory") || bad "build, budget 0"
check "budget 0: no body in memory ($(in_memory render) KiB)" test "$(in_memory render)" = 0
check "budget 0: the same bytes" diff -r "$WORK/forked" "$site/public"
for jobs in 2 1; do
  rm -rf "$site/public"
  (cd "$site" && FOLIO_CONTENT_BUDGET_KIB=0 FOLIO_NO_FORK=1 "$FOLIO" build -q --no-cache -j$jobs) || bad "build -j$jobs"
  check "budget 0, without the fork, -j$jobs: the same bytes" diff -r "$WORK/forked" "$site/public"
done
rm -rf "$site/public"
(cd "$site" && FOLIO_CONTENT_BUDGET_KIB=0 "$FOLIO" build -q && FOLIO_CONTENT_BUDGET_KIB=0 "$FOLIO" build -q) || bad "warm builds, budget 0"
check "budget 0, warm build from the cache: the same bytes" diff -r "$WORK/forked" "$site/public"
finish

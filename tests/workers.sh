# tests/workers.sh: how many Lua states a batch build uses (src/core/build.c). With the thread
# count left to folio, a small site is processed by one state (a second costs more to fill than
# it saves); a site of 64 sources or more gets one per CPU; an explicit -j is honoured. The
# output is the same either way.
source "$(dirname "$0")/lib.sh"
make_site "$WORK/small"
for i in 1 2 3 4 5; do
  printf -- '---\ntitle: Post %d\ndate: 2024-01-0%d\n---\nText %d.\n' "$i" "$i" "$i" > "$WORK/small/content/posts/p$i.md"
done
out=$("$FOLIO" build -s "$WORK/small" --no-cache -o "$WORK/one")
check "a 5-post site uses one state: $out" grep -q '; 1 thread)' <<<"$out"
out=$("$FOLIO" build -s "$WORK/small" --no-cache -j2 -o "$WORK/two")
check "-j2 is honoured on a small site: $out" grep -q '; 2 threads)' <<<"$out"
check "the same output with one state or two" diff -r "$WORK/one" "$WORK/two"
make_site "$WORK/big"
for i in $(seq 1 80); do
  printf -- '---\ntitle: Post %d\ndate: 2024-02-%02d\n---\nText %d.\n' "$i" $(( i % 28 + 1 )) "$i" > "$WORK/big/content/posts/p$i.md"
done
cpus=$(nproc)
[ "$cpus" -gt 32 ] && cpus=32
out=$("$FOLIO" build -s "$WORK/big" --no-cache -o "$WORK/big-auto")
if [ "$cpus" -gt 1 ]; then
  check "an 80-post site gets a state per CPU ($cpus): $out" grep -q "; $cpus threads)" <<<"$out"
else
  check "one CPU: one state: $out" grep -q '; 1 thread)' <<<"$out"
fi
"$FOLIO" build -s "$WORK/big" --no-cache -j1 -q -o "$WORK/big-one"
check "the same output as -j1" diff -r "$WORK/big-auto" "$WORK/big-one"
finish

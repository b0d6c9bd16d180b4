#!/usr/bin/env bash
# One build at a time per output: two builds at once, 20 times, always leave the whole file set
# of one of them (never a mix); --no-wait fails clearly; kill -9 at random points of a build
# leaves the old or the new output whole, the render process goes too, and the next build works.
. "$(dirname "$0")/lib.sh"

S=$WORK/site
make_site "$S" 'title = os.getenv("TAG") or "none"'
for i in $(seq 1 300); do
  printf -- '---\ntitle: "Post %d"\ndate: 2020-01-%02d\n---\nText of post %d.\n' "$i" $((i % 28 + 1)) "$i" > "$S/content/posts/p$i.md"
done
# whole TAG: every page carries TAG and the output has exactly the file list of a build
t0=$(date +%s%N)
(cd "$S" && TAG=reference "$FOLIO" build -q -j 2) || bad "reference build"
build_ms=$(( ($(date +%s%N) - t0) / 1000000 + 1 )) # kills land anywhere in a build this long
expected=$(cd "$S/public" && find . -type f | sort)
count=$(echo "$expected" | wc -l)
check "the site has many outputs" test "$count" -gt 300
whole() {
  local dir=$1 tag=$2
  [ "$(cd "$dir" && find . -type f | sort)" = "$expected" ] || return 1
  local pages; pages=$(find "$dir" -name '*.html' | wc -l)
  [ "$(grep -rlF --include='*.html' -e "$tag" "$dir" | wc -l)" -eq "$pages" ]
}
tag_of() { grep -o 'zqtag-[a-z0-9]*' "$1/index.html" | head -1; }

mixed=0; failed_runs=0
for i in $(seq 1 20); do
  (cd "$S" && TAG="zqtag-a$i" "$FOLIO" build -q -j 2 2> "$WORK/a.err") & a=$!
  (cd "$S" && TAG="zqtag-b$i" "$FOLIO" build -q -j 2 2> "$WORK/b.err") & b=$!
  wait $a; ra=$?; wait $b; rb=$?
  [ $ra -eq 0 ] && [ $rb -eq 0 ] || { failed_runs=$((failed_runs + 1)); cat "$WORK/a.err" "$WORK/b.err" >&2; }
  t=$(tag_of "$S/public")
  whole "$S/public" "$t" || { mixed=$((mixed + 1)); echo "run $i: output is not one whole build" >&2; }
  grep -q "waiting for it to finish" "$WORK/a.err" "$WORK/b.err" && waited=1
done
check "two builds at once both succeed (20 runs)" test "$failed_runs" -eq 0
check "the output is always one whole build (20 runs)" test "$mixed" -eq 0
check "a second build says it waits" test "${waited:-0}" -eq 1
check "no staging folder is left" bash -c "! ls -a '$S' | grep -q folio-build"

# --no-wait: fails at once, clearly, while another build holds the lock
exec 9> "$S/.public.folio-lock"
flock 9
check "--no-wait fails while another build runs" bash -c "! (cd '$S' && TAG=zqtag-nw '$FOLIO' build -q --no-wait) 2> '$WORK/nw.err'"
check "--no-wait says why" contains "$WORK/nw.err" "another folio build"
check "--no-wait says what to do" contains "$WORK/nw.err" "without --no-wait"
(cd "$S" && TAG=zqtag-w timeout 60 "$FOLIO" build -q 2> "$WORK/w.err") & w=$!
sleep 0.5
check "a waiting build is still waiting" kill -0 $w
flock -u 9; exec 9>&-
wait $w && ok || bad "the waiting build finished after the lock was released"
check "the waiting build said so" contains "$WORK/w.err" "waiting for it to finish"
check "the waiting build published" whole "$S/public" zqtag-w

# kill -9 at random points: the output is whole (old or new), the next build works
for mode in exchange fallback; do
  [ $mode = fallback ] && export FOLIO_TEST_NO_EXCHANGE=1
  for i in $(seq 1 8); do
    (cd "$S" && TAG="zqtag-k$i" exec "$FOLIO" build -q -j 2 2>/dev/null) & k=$!
    ms=$((RANDOM % build_ms))
    sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
    children=$(ps -o pid= --ppid $k 2>/dev/null)
    kill -9 $k 2>/dev/null; wait $k 2>/dev/null
    for c in $children; do
      # the death signal is immediate, but a loaded machine may take a moment to run it: 5 s
      for _ in $(seq 1 50); do grep -q folio "/proc/$c/cmdline" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$c" 2>/dev/null && grep -q folio "/proc/$c/cmdline" 2>/dev/null; then bad "$mode: render process $c outlived its killed parent"; fi
    done
    if [ -d "$S/public" ]; then
      t=$(tag_of "$S/public")
      whole "$S/public" "$t" || bad "$mode kill $i: the output is not whole"
    else
      # only the fallback, killed between its two renames: the old output is aside, whole
      check "$mode kill $i: the old output is kept aside" test -d "$S/.public.folio-old"
      t=$(tag_of "$S/.public.folio-old")
      whole "$S/.public.folio-old" "$t" || bad "$mode kill $i: the kept output is not whole"
    fi
    (cd "$S" && TAG="zqtag-n$i" "$FOLIO" build -q 2>/dev/null) || bad "$mode: the build after kill $i"
    whole "$S/public" "zqtag-n$i" && ok || bad "$mode: the build after kill $i is whole"
    check "$mode: no leftover after kill $i" bash -c "! ls -a '$S' | grep -q 'folio-build\|folio-old'"
  done
done
finish

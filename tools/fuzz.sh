#!/usr/bin/env bash
# tools/fuzz.sh [SECONDS]: builds folio's libFuzzer harnesses (tests/fuzz/) with clang in
# build-fuzz/ and runs each for SECONDS (default 300) from its seed corpus, one after the other.
# Prints per harness the runs, executions per second, coverage and corpus size, and any finding
# (the input is saved under build-fuzz/fuzz/findings/<harness>/). A unit libFuzzer reports as
# slow that runs fast when replayed was the machine stalling: it is set aside in
# build-fuzz/fuzz/stalls/<harness>/ and not counted. Exits 1 when a harness found something, 2
# when it could not run at all. FUZZ_HARNESSES="date http_path" runs only those.
# Inputs found interesting are kept in build-fuzz/fuzz/corpus/<harness>/, so a later run goes on
# from there; the seed corpus in the repository is only read.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [[ "$seconds" -eq 0 ]]; then
  echo "usage: tools/fuzz.sh [SECONDS]   (seconds per harness, default 300)" >&2
  exit 2
fi
all=(frontmatter template date http_path http_request markdown_tree)
read -r -a harnesses <<<"${FUZZ_HARNESSES:-${all[*]}}"

tools/deps.sh --fuzz
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFOLIO_FUZZ=ON >/dev/null
targets=()
for h in "${harnesses[@]}"; do targets+=("fuzz_$h"); done
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]}" >/dev/null

out=build-fuzz/fuzz
found=0
printf '%-14s %12s %9s %7s %7s  %s\n' harness runs execs/s cov corpus result
for h in "${harnesses[@]}"; do
  work=$out/corpus/$h findings=$out/findings/$h log=$out/$h.log
  rm -rf "$findings"
  mkdir -p "$work" "$findings"
  args=(-max_total_time="$seconds" -print_final_stats=1 -timeout=20 -rss_limit_mb=2048
        -artifact_prefix="$findings/")
  [[ -f tests/fuzz/$h.dict ]] && args+=(-dict="tests/fuzz/$h.dict")
  rc=0
  "build-fuzz/tests/fuzz_$h" "${args[@]}" "$work" "tests/fuzz/corpus/$h" >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  rate=-
  [[ -n "$runs" && -n "$took" && "$took" -gt 0 ]] && rate=$((runs / took))
  artifacts=$(find "$findings" -type f | sort)
  # A unit libFuzzer timed as slow (over 10 s) is run once more: one that is fast then was the
  # machine stalling (a shared VM), not the input; one that is slow again stays a finding.
  stalls=""
  for a in $artifacts; do
    [[ "$(basename "$a")" == slow-unit-* ]] || continue
    start=$(date +%s%N)
    if timeout 20 "build-fuzz/tests/fuzz_$h" -runs=1 "$a" >/dev/null 2>&1 \
       && (( ($(date +%s%N) - start) < 2000000000 )); then
      stalls+=" $a"
      mkdir -p "$out/stalls/$h"
      mv "$a" "$out/stalls/$h/"
    fi
  done
  [[ -n "$stalls" ]] && artifacts=$(find "$findings" -type f | sort)
  if [[ $rc -eq 0 && -z "$artifacts" ]]; then
    result="no finding"
  else
    result="FINDING (exit $rc)"
    found=1
  fi
  printf '%-14s %12s %9s %7s %7s  %s\n' "$h" "${runs:--}" "$rate" "${cov:--}" "${corp:--}" "$result"
  for a in $stalls; do
    echo "    slow once, fast when run again (the machine stalled; not counted): $out/stalls/$h/$(basename "$a")"
  done
  if [[ $found -eq 1 && "$result" != "no finding" ]]; then
    # The first report line of the sanitizer or the broken property, and how to replay it.
    grep -m3 -E 'property violated|ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|runtime error:|ERROR: libFuzzer|SUMMARY' "$log" | sed 's/^/    /' || true
    for a in $artifacts; do
      echo "    input: $a   replay: build-fuzz/tests/fuzz_$h $a"
    done
    echo "    log: $log"
  fi
done
if [[ $found -ne 0 ]]; then
  echo "fuzzing found problems: fix them, then add each input to tests/fuzz/regressions/<harness>/" >&2
  exit 1
fi

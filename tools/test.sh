#!/usr/bin/env bash
# tools/test.sh: installs the dependencies (tools/deps.sh --test), builds folio twice (optimised
# in build/, and with AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/) and runs every
# registered ctest test on both builds. Its last line is the total over both runs:
#   N passed, M failed, K skipped
# With CI=true a skipped test fails the run: in CI everything a test needs is there
# (tools/deps.sh installs it and ../shared is laid beside the clone), so a skip hides a missing step.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED=$ROOT/../shared
if [[ ! -d $SHARED ]]; then
  users=$(grep -rlE '\$\{?SHARED|getenv\("SHARED"\)' tests | grep -v -e CMakeLists.txt -e lib.sh | xargs -r -n1 basename | sort | tr '\n' ' ')
  echo "note: $(cd .. && pwd)/shared is absent: the tests that use it skip or run without its seeds and schemas: ${users}" >&2
fi
tools/deps.sh --test || exit 1
jobs=$(nproc)
# Tests whose whole output the log shows even when they pass: what the browser did.
SHOW=${FOLIO_SHOW_OUTPUT:-browser}

# run_suite DIR CMAKE_ARGS...: configures and builds DIR, runs ctest there with a JUnit report
# (DIR/ctest-junit.xml) and adds its counts to the totals.
PASSED=0 FAILED=0 SKIPPED=0 SUITE_ERRORS=0 SUMMARY=() SKIPS=()
run_suite() {
  local dir=$1
  shift
  if ! cmake -S . -B "$dir" "$@" > /dev/null || ! cmake --build "$dir" -j"$jobs"; then
    echo "tools/test.sh: building $dir failed" >&2
    SUITE_ERRORS=$((SUITE_ERRORS + 1))
    SUMMARY+=("$dir: build failed, no tests run")
    return
  fi
  rm -f "$dir/ctest-junit.xml"
  (cd "$dir" && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j"$jobs" --test-output-size-passed 65536 --output-junit "$ROOT/$dir/ctest-junit.xml")
  local counts
  if ! counts=$(python3 tools/junit_counts.py "$dir/ctest-junit.xml" "$SHOW"); then
    SUITE_ERRORS=$((SUITE_ERRORS + 1))
    SUMMARY+=("$dir: no ctest report")
    return
  fi
  local p f s names
  read -r p f s <<< "$(head -1 <<< "$counts")"
  names=$(tail -n +2 <<< "$counts")
  PASSED=$((PASSED + p)) FAILED=$((FAILED + f)) SKIPPED=$((SKIPPED + s))
  SUMMARY+=("$dir: $p passed, $f failed, $s skipped")
  [[ -n $names ]] && SKIPS+=("$dir: skipped: $(tr '\n' ' ' <<< "$names")")
}

# -DFOLIO_TESTS=ON: a tree configured earlier without the tests gets them back.
run_suite build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFOLIO_TESTS=ON
run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DFOLIO_SANITIZE=ON -DFOLIO_TESTS=ON

echo
printf '%s\n' "${SUMMARY[@]}"
[[ ${#SKIPS[@]} -gt 0 ]] && printf '%s\n' "${SKIPS[@]}"
status=0
[[ $FAILED -gt 0 || $SUITE_ERRORS -gt 0 ]] && status=1
[[ $PASSED -eq 0 ]] && { echo "no test passed: nothing was run"; status=1; }
if [[ ${CI:-} == true && $SKIPPED -gt 0 ]]; then
  echo "CI=true: a skipped test is a failure here (see the SKIP lines above for why each skipped)"
  status=1
fi
echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
exit $status

#!/usr/bin/env bash
# tools/test.sh: installs dependencies, builds folio twice (optimised, and with AddressSanitizer +
# UndefinedBehaviorSanitizer) and runs the whole test suite with ctest on both builds.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh --test
# Chromium and playwright-core for the browser tests; without them those tests are skipped.
tests/browser/setup.sh || echo "warning: browser test set-up failed; the browser tests will be skipped" >&2
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DFOLIO_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j"$jobs")

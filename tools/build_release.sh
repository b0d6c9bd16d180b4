#!/usr/bin/env bash
# tools/build_release.sh: builds the folio binary and its modules (folio-vips.so, folio-curl.so,
# folio-git.so, folio-sass.so)
# alone (Release, no test drivers, so no python3 needed) in build-release/, the tree
# tools/example.sh and tools/install.sh share. tools/test.sh uses build/ and build-asan/, so
# neither rebuilds the other's tree.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DFOLIO_TESTS=OFF > /dev/null
cmake --build build-release --target folio -j"$(nproc)"

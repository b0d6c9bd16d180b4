#!/usr/bin/env bash
# tools/example.sh: installs dependencies, builds folio, builds the bundled example site into
# example/public/ and serves it at http://127.0.0.1:1313/ (pass --build-only to stop after the build).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
./build/folio build -s example
[[ "${1:-}" == "--build-only" ]] && exit 0
exec ./build/folio serve -s example

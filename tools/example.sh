#!/usr/bin/env bash
# tools/example.sh: installs the build dependencies, builds folio alone (no tests) in
# build-release/, builds the bundled example site into example/public/ and serves it at
# http://127.0.0.1:1313/ (pass --build-only to stop after the build).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
tools/build_release.sh
./build-release/folio build -s example
[[ "${1:-}" == "--build-only" ]] && exit 0
exec ./build-release/folio serve -s example

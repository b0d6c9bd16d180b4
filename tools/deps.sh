#!/usr/bin/env bash
# tools/deps.sh: installs what folio needs to build and test, from Debian's packages.
# Runs apt-get as root (or through sudo). Without root, ask an administrator to run:
#   apt-get install -y $(tools/deps.sh --list)
# --test adds what the test suite needs; --fuzz adds clang and its libFuzzer (tools/fuzz.sh).
set -euo pipefail

BUILD_DEPS=(build-essential cmake pkg-config liblua5.4-dev lua5.4 libcmark-gfm-dev
            libcmark-gfm-extensions-dev libuv1-dev libyaml-dev libhttp-parser-dev lua-lpeg-dev libjemalloc-dev libgit2-dev
            golang-github-yuin-goldmark-emoji-dev node-emoji tzdata)
TEST_DEPS=(python3 jing libxml2-utils python3-jsonschema curl time)
FUZZ_DEPS=(clang libclang-rt-14-dev) # libFuzzer and the sanitizer runtimes of clang 14 (bookworm)

packages=("${BUILD_DEPS[@]}")
[[ "${1:-}" == "--test" || "${1:-}" == "--list" ]] && packages+=("${TEST_DEPS[@]}")
[[ "${1:-}" == "--fuzz" ]] && packages+=("${FUZZ_DEPS[@]}")
if [[ "${1:-}" == "--list" ]]; then echo "${packages[*]}"; exit 0; fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then SUDO=(); elif command -v sudo >/dev/null; then SUDO=(sudo); else
  echo "folio needs these Debian packages: ${missing[*]}" >&2
  echo "Ask an administrator to run: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

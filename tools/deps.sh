#!/usr/bin/env bash
# tools/deps.sh: installs what folio needs from Debian's packages, as root (or through sudo).
#   tools/deps.sh           what building folio needs
#   tools/deps.sh --test    that, and what the tests need (python3, Chromium and its WebDriver...)
#   tools/deps.sh --fuzz    that, and clang with its libFuzzer (tools/fuzz.sh)
#   tools/deps.sh --list [--test]   prints the package names instead of installing them
# Without root, ask an administrator to run:  apt-get install -y $(tools/deps.sh --list --test)
set -euo pipefail

BUILD_DEPS=(build-essential cmake pkg-config liblua5.4-dev lua5.4 libcmark-gfm-dev
            libcmark-gfm-extensions-dev libuv1-dev libyaml-dev libhttp-parser-dev lua-lpeg-dev libjemalloc-dev libgit2-dev
            golang-github-yuin-goldmark-emoji-dev node-emoji tzdata
            liblmdb-dev            # the build cache (src/core/cache.c)
            libcurl4-openssl-dev   # folio check --external
            libsass-dev nettle-dev # Sass/SCSS; SHA-2 for asset fingerprints and SRI
            libvips-dev            # images: resize, crop, WebP/AVIF (src/core/image.c)
           )
# python3: the serve/http test clients; git: the git date tests (tests/git_dates.sh); chromium,
# chromium-driver, python3-selenium and fonts: the browser tests and the theme screenshots (the
# emoji font draws seed 000's sparkles as a reader sees them, not as empty boxes).
TEST_DEPS=(python3 git jing libxml2-utils python3-jsonschema curl time
           chromium chromium-driver python3-selenium fonts-dejavu-core fonts-noto-color-emoji
           libvips-tools # vips: the image tests' and tools/bench_images.sh's generated photos
           nodejs # nodejs: the search box's script test (tests/search_js_test.js)
           valgrind liblua5.4-0-dbg) # callgrind counts (docs/development.md), with Lua's own function names
FUZZ_DEPS=(clang libclang-rt-14-dev) # libFuzzer and the sanitizer runtimes of clang 14 (bookworm)

packages=("${BUILD_DEPS[@]}")
list=0
for arg in "$@"; do
  case $arg in
    --test) packages+=("${TEST_DEPS[@]}")
            # npm: axe-core for the theme's browser test (tests/a11y/package-lock.json, `npm ci`).
            # Debian's only when there is none: nodesource's nodejs brings its own npm.
            command -v npm > /dev/null || packages+=(npm) ;;
    --fuzz) packages+=("${FUZZ_DEPS[@]}") ;;
    --list) list=1 ;;
    *) echo "usage: tools/deps.sh [--test] [--fuzz] [--list]" >&2; exit 2 ;;
  esac
done
if [[ $list -eq 1 ]]; then echo "${packages[*]}"; exit 0; fi

not_installed() { # prints the given packages that dpkg does not have installed
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}
mapfile -t missing < <(not_installed "${packages[@]}")
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then SUDO=(); elif command -v sudo >/dev/null; then SUDO=(sudo); else
  echo "folio needs these Debian packages: ${missing[*]}" >&2
  echo "Ask an administrator to run: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# apt's own messages stay visible on failure (only its progress lines are quieted).
"${SUDO[@]}" apt-get update -qq || echo "warning: apt-get update failed; trying the package lists there are" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" > "$log" 2>&1 || {
  cat "$log" >&2
  mapfile -t still < <(not_installed "${missing[@]}")
  echo "tools/deps.sh: apt-get could not install: ${still[*]:-${missing[*]}} (apt's messages above)" >&2
  exit 1
}

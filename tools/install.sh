#!/usr/bin/env bash
# tools/install.sh: builds folio (tools/build_release.sh) and installs the binary into
# $PREFIX/bin (default /usr/local) and its modules, folio-vips.so (images), folio-curl.so
# (`folio check --external`), folio-git.so (dates from git) and folio-sass.so (Sass), into
# $PREFIX/lib/folio, where the binary looks for them. The binary
# carries its Lua code, plugins and default theme.
#   tools/install.sh                       as root: /usr/local/bin/folio
#   PREFIX=~/.local tools/install.sh       without root: ~/.local/bin/folio
# Without root the build dependencies must be there already (tools/deps.sh says which are not).
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX=${PREFIX:-/usr/local}
if [[ $(id -u) -ne 0 && ! -w "$PREFIX" && ! -w "$(dirname "$PREFIX")" ]]; then
  echo "tools/install.sh: $PREFIX is not writable; install as root, or without root into your home:" >&2
  echo "  PREFIX=~/.local tools/install.sh" >&2
  exit 1
fi
tools/deps.sh
tools/build_release.sh
cmake --install build-release --prefix "$PREFIX" > /dev/null
BIN=$PREFIX/bin/folio
echo "installed $BIN ($("$BIN" --version 2>/dev/null || echo "folio")) and its modules in $PREFIX/lib/folio"
case ":$PATH:" in
  *":$PREFIX/bin:"*) ;;
  *) echo "note: $PREFIX/bin is not on your PATH; add it, e.g.: echo 'export PATH=\"$PREFIX/bin:\$PATH\"' >> ~/.bashrc" ;;
esac

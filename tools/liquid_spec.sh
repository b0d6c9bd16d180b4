#!/bin/sh
# tools/liquid_spec.sh SPEC_DIR... : renders every spec of Shopify's liquid-spec folders
# (e.g. liquid-spec/specs/basics specs/liquid_ruby) with folio's Liquid and prints per-folder
# pass rates, the skipped features with their reasons, and "N passed, M failed, K skipped".
# FOLIO=path/to/folio overrides the binary (default: build/folio). --verbose lists failures.
here=$(cd "$(dirname "$0")" && pwd)
folio=${FOLIO:-$here/../build/folio}
exec "$folio" lua "$here/liquid_spec.lua" "$@"

# tests/lib.sh: helpers for folio's shell tests. Source it; call `finish` at the end.
# FOLIO (the binary), SRC (the source tree) and SHARED (../shared) come from ctest.
set -u
: "${FOLIO:?run through ctest (FOLIO unset)}"
passed=0
failed=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/folio-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
# check "what" command...: passes when the command succeeds
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }
# contains FILE TEXT: the file holds the fixed string
contains() { grep -qF -- "$2" "$1" 2>/dev/null; }
lacks() { ! grep -qF -- "$2" "$1" 2>/dev/null; }
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}
# A new site folder with a site.lua; extra site.lua lines as arguments.
make_site() {
  local dir=$1; shift
  mkdir -p "$dir/content/posts"
  { echo 'title = "Test site"'; echo 'base_url = "https://example.org/blog/"'; echo 'timezone = "UTC"'
    for line in "$@"; do echo "$line"; done; } > "$dir/site.lua"
}

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
# start_serve DIR LOG [ARGS...]: `folio serve --port 0 ARGS` in DIR, in the background (pid in
# $serve_pid); waits up to 10 s for its "Serving ... at URL" line and sets $serve_url (empty when
# it did not start). stop_serve ends it as Ctrl-C does.
start_serve() {
  local dir=$1 log=$2
  shift 2
  (cd "$dir" && exec "$FOLIO" serve --port 0 "$@" > "$log" 2>&1) &
  serve_pid=$!
  serve_url=""
  for _ in $(seq 100); do
    serve_url=$(sed -n 's/^Serving .* at \(http:[^ ]*\) .*/\1/p' "$log")
    [ -n "$serve_url" ] && break
    sleep 0.1
  done
}
stop_serve() { kill -INT "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null; }
# fetch URL: the body on stdout; nothing (and failure) when the server does not answer 2xx.
fetch() { python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$1" 2>/dev/null; }
# served URL TEXT: waits up to 10 s until the page at URL holds TEXT (a rebuild served it);
# fails when it never does.
served() {
  for _ in $(seq 100); do
    fetch "$1" | grep -qF -- "$2" && return 0
    sleep 0.1
  done
  return 1
}

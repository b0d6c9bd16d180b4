#!/usr/bin/env bash
# check_repeats.sh: folio check --dir on a hand-made output where the same URLs appear on many
# pages (the checker stores each distinct URL once and keeps the resolution of a site path or an
# external URL): a broken site path is reported for every page that has it, a relative URL is
# resolved from each page's own folder (fine from one, broken from another), a #fragment is looked
# for on the target page, an external URL on several pages (with different fragments) is listed
# once, and the counts in the summary are per link.
. "$(dirname "$0")/lib.sh"
O=$WORK/out
mkdir -p "$O/a/sub" "$O/b" "$O/c"
page() { printf '<!DOCTYPE html>\n<html><body>\n%s\n</body></html>\n' "$2" > "$O/$1"; }
page index.html '<a href="/a/">a</a> <a href="/b/">b</a> <a href="/c/">c</a>'
page a/index.html '<a href="/missing/">m</a>
<a href="sub/">sub</a>
<a href="/b/#nowhere">f</a>
<a href="https://ex.org/x">x</a>'
page a/sub/index.html '<p id="s">sub</p><a href="/a/">up</a>'
page b/index.html '<h2 id="here">here</h2>
<a href="/missing/">m</a>
<a href="sub/">sub</a>
<a href="/b/#nowhere">f</a>
<a href="https://ex.org/x#frag">x</a>'
page c/index.html '<a href="/b/#here">ok</a> <a href="../a/sub/#s">ok</a> <a href="/missing/">m</a>'
"$FOLIO" check --dir "$O" > "$WORK/out.txt" 2> "$WORK/err.txt"
rc=$?
check "problems fail the check (rc $rc)" test "$rc" -eq 1
check "a broken site path on three pages: one problem, three pages" \
  grep -q "^a/index.html:[0-9]*: broken link '/missing/': nothing at /missing/index.html in the output" "$WORK/err.txt"
check "...counted on 3 pages" grep -q "(on 3 pages; not from Markdown" "$WORK/err.txt"
check "a relative link broken from b/ only" grep -q "^b/index.html:[0-9]*: broken link 'sub/': nothing at /b/sub/index.html" "$WORK/err.txt"
check "...and fine from a/" lacks "$WORK/err.txt" "/a/sub/index.html in the output"
check "a missing fragment on the target, on 2 pages" \
  grep -q "missing fragment '#nowhere' (link '/b/#nowhere'): no id=\"nowhere\" on /b/index.html" "$WORK/err.txt"
check "a fragment that is there" lacks "$WORK/err.txt" "#here"
check "the summary counts each link" grep -q "folio check: 3 problems (checked 5 pages: 15 links, 0 images, 0 assets; 1 external)" "$WORK/err.txt"
check "an external URL with two fragments is listed once" test "$(grep -c 'https://ex.org/x' "$WORK/out.txt")" -eq 1
finish

#!/usr/bin/env bash
# A full disk: one error (ENOSPC, the output folder, the bytes needed and written), not one per
# page; the build fails and the old output is left whole. Uses a small tmpfs (needs root).
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then echo "skipped: mounting a small tmpfs needs root"; exit 77; fi
D=$WORK/small
mkdir -p "$D"
if ! mount -t tmpfs -o size=1m tmpfs "$D" 2>"$WORK/mount.err"; then
  echo "skipped: cannot mount a tmpfs here: $(cat "$WORK/mount.err")"; exit 77
fi
trap 'umount "$D" 2>/dev/null; rm -rf "$WORK"' EXIT

S=$WORK/site
make_site "$S"
printf -- '---\ntitle: Small\n---\nsmall\n' > "$S/content/small.md"
(cd "$S" && "$FOLIO" build -q -o "$D/public") > "$WORK/ok.log" 2>&1 && ok || bad "a small site fits: $(cat "$WORK/ok.log")"
check "the small output is there" test -f "$D/public/small/index.html"
# now 400 pages of ~8 KiB each: far more than the 1 MiB disk holds
pad=$(head -c 6000 /dev/zero | tr '\0' 'x')
for i in $(seq 1 400); do
  printf -- '---\ntitle: "Big %d"\ndate: 2020-01-01\n---\n%s %d\n' "$i" "$pad" "$i" > "$S/content/posts/big$i.md"
done
check "a build that fills the disk fails" bash -c "! (cd '$S' && '$FOLIO' build -q -j 2 -o '$D/public') > '$WORK/full.log' 2>&1"
check "one error, not one per page" test "$(grep -cE '(^|: )error:' "$WORK/full.log")" -eq 1
check "the error says ENOSPC" contains "$WORK/full.log" "the disk is full (ENOSPC) while writing $D/public"
check "the error gives the bytes needed and written" grep -qE "needed [0-9]+ bytes and wrote [0-9]+ of them" "$WORK/full.log"
needed=$(grep -oE 'needed [0-9]+' "$WORK/full.log" | grep -oE '[0-9]+')
check "the bytes needed exceed the disk" test "${needed:-0}" -gt 1048576
check "the old output is left" bash -c "test -f '$D/public/small/index.html' && ! test -e '$D/public/posts'"
check "no staging folder is left on the full disk" bash -c "! ls -a '$D' | grep -q folio-build"
check "the space is given back" test "$(df --output=used -B1 "$D" | tail -1)" -lt 524288
finish

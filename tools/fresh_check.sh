#!/usr/bin/env bash
# tools/fresh_check.sh: the README's set-up as a new user meets it. Debootstraps a bare Debian 12
# (bookworm) system, and for each order of the two README commands (example.sh then test.sh, and
# test.sh then example.sh) unpacks a fresh copy of it, clones this repository's HEAD into it (with
# ../shared beside it), and inside a chroot runs both commands in that order twice, printing pass
# or fail and the time of each. Needs root (debootstrap, chroot, mounts) and Debian's mirror.
#   tools/fresh_check.sh [DIR]    DIR (default /var/tmp/folio-fresh) holds the systems and logs
#   FRESH_BASE=1 tools/fresh_check.sh   debootstraps again instead of reusing DIR/base.tar
#   SHARED=/path/to/shared tools/fresh_check.sh   when ../shared is elsewhere (it goes to /src/shared)
# example.sh runs with --build-only (it would otherwise serve until stopped); test.sh runs with
# CI=true, so a skipped test counts as a failure. Logs: DIR/<order>/<step>.log.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
DIR=${1:-/var/tmp/folio-fresh}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
[ "$(id -u)" -eq 0 ] || { echo "fresh_check.sh: needs root (debootstrap, chroot, mount)" >&2; exit 1; }
SHARED=${SHARED:-$SRC/../shared}
HEAD=$(git -C "$SRC" rev-parse HEAD) # every order checks this commit, even if HEAD moves meanwhile
[ -d "$SHARED" ] || echo "note: $SHARED is absent: the fresh systems get no ../shared, and the tests that need it skip (and fail under CI=true)"
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)

command -v debootstrap >/dev/null || {
  echo "Installing debootstrap"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
}

# ---- a bare bookworm, made once and kept as a tarball ------------------------------------------
if [ "${FRESH_BASE:-0}" = 1 ] || [ ! -s "$DIR/base.tar" ]; then
  echo "debootstrap bookworm into $DIR/base (a few minutes)"
  rm -rf "$DIR/base" "$DIR/base.tar"
  start=$SECONDS
  debootstrap bookworm "$DIR/base" "$MIRROR" > "$DIR/debootstrap.log" 2>&1 ||
    { echo "debootstrap failed: see $DIR/debootstrap.log" >&2; tail -5 "$DIR/debootstrap.log" >&2; exit 1; }
  tar -C "$DIR/base" -cf "$DIR/base.tar" .
  rm -rf "$DIR/base"
  echo "base system ready in $((SECONDS - start)) s"
fi

# ---- one order in its own fresh system --------------------------------------------------------
MOUNTS=()
unmount_all() {
  local i
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do umount -l "${MOUNTS[i]}" 2>/dev/null || true; done
  MOUNTS=()
}
trap unmount_all EXIT
trap 'unmount_all; exit 130' INT TERM
mount_in() { # type-or-bind source target
  mkdir -p "$3"
  if [ "$1" = bind ]; then mount --bind "$2" "$3"; else mount -t "$1" "$2" "$3"; fi
  MOUNTS+=("$3")
}

RESULTS=()
FAILED=0
run_order() { # name step...   (each step: example or test)
  local name=$1 root=$DIR/$1/root step n=0 start rc took
  shift
  unmount_all
  rm -rf "${DIR:?}/$name"
  mkdir -p "$root"
  tar -C "$root" -xf "$DIR/base.tar"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  # The package registries are reached through this machine's TLS proxy; a fresh machine here
  # trusts its CA through NODE_EXTRA_CA_CERTS (npm). Give the chroot the same trust, nothing else.
  local ca_env=()
  if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -s "$NODE_EXTRA_CA_CERTS" ]; then
    cp "$NODE_EXTRA_CA_CERTS" "$root/etc/host-ca.crt"
    ca_env=(NODE_EXTRA_CA_CERTS=/etc/host-ca.crt)
  fi
  git clone -q "$SRC" "$root/src/folio"
  git -C "$root/src/folio" checkout -q "$HEAD"
  [ -d "$SHARED" ] && cp -r "$SHARED" "$root/src/shared"
  mount_in proc proc "$root/proc"
  mount_in sysfs sys "$root/sys"
  mount_in bind /dev "$root/dev"
  mount_in bind /dev/pts "$root/dev/pts"
  mount_in tmpfs tmpfs "$root/dev/shm"
  mount_in tmpfs tmpfs "$root/tmp"
  for step in "$@"; do
    n=$((n + 1))
    local cmd
    case $step in
      example) cmd="tools/example.sh --build-only" ;;
      test) cmd="CI=true tools/test.sh" ;;
    esac
    start=$SECONDS
    rc=0
    chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb "${ca_env[@]}" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      bash -c "cd /src/folio && $cmd" > "$DIR/$name/$n-$step.log" 2>&1 || rc=$?
    took=$((SECONDS - start))
    local verdict=PASS
    [ "$rc" -eq 0 ] || { verdict="FAIL (exit $rc)"; FAILED=1; }
    local line
    line=$(printf '%-22s %d. %-32s %-14s %4d s   last line: %s' "$name" "$n" "$cmd" "$verdict" "$took" \
           "$(tail -1 "$DIR/$name/$n-$step.log")")
    echo "$line"
    RESULTS+=("$line")
  done
  unmount_all
}

run_order example-then-test example test example test
run_order test-then-example test example test example

echo
echo "fresh Debian 12 check of ${HEAD:0:7} (logs in $DIR/<order>/):"
printf '%s\n' "${RESULTS[@]}"
[ "$FAILED" -eq 0 ] && echo "fresh check: all steps passed" || echo "fresh check: some steps FAILED"
exit "$FAILED"

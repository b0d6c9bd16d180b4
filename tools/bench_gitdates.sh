#!/usr/bin/env bash
# tools/bench_gitdates.sh [COMMITS] [FILES]: the cost of the `git` date source. Makes a repository
# in /dev/shm (git fast-import) whose COMMITS commits (default 2000) touch FILES posts (default
# 2000: commit i adds post i mod FILES, or edits it again, and edits one older post), then times
# folio.git.dates() over it (best of 5) and a whole build of the site with FOLIO_TIMINGS.
set -euo pipefail
COMMITS=${1:-2000}
FILES=${2:-2000}
FOLIO=${FOLIO:-$(dirname "$0")/../build/folio}
DIR=$(mktemp -d /dev/shm/folio-gitbench.XXXXXX)
trap 'rm -rf "$DIR"' EXIT

python3 - "$COMMITS" "$FILES" > "$DIR/stream" <<'PY'
import sys
commits, files = int(sys.argv[1]), int(sys.argv[2])
out = sys.stdout
t0 = 1600000000
def data(text):
    out.write("data %d\n%s\n" % (len(text), text))  # ASCII only: characters are bytes
def blob(path, text):
    out.write("M 100644 inline %s\n" % path)
    data(text)
out.write("blob\nmark :1\n")
data('title = "bench"\ntimezone = "UTC"\n')
for i in range(commits):
    t = t0 + i * 3600
    out.write("commit refs/heads/main\n")
    out.write("author B <b@example.org> %d +0000\ncommitter B <b@example.org> %d +0000\n" % (t, t))
    data("commit %d" % i)
    if i == 0: out.write("M 100644 :1 site.lua\n")
    n = i % files
    blob("content/posts/post-%d.md" % n, "---\ntitle: Post %d\n---\nVersion %d.\n" % (n, i))
    if i > 0:
        m = (i * 7919) % max(1, min(i, files))
        blob("content/posts/post-%d.md" % m, "---\ntitle: Post %d\n---\nEdited in %d.\n" % (m, i))
out.write("\n")
PY
git -C "$DIR" init -q -b main repo
git -C "$DIR/repo" fast-import --quiet < "$DIR/stream"
git -C "$DIR/repo" checkout -q main
echo "repository: $(git -C "$DIR/repo" rev-list --count HEAD) commits, $(git -C "$DIR/repo" ls-files | wc -l) files"

cat > "$DIR/walk.lua" <<'LUA'
local best, n, files = math.huge, 0, 0
for _ = 1, 5 do
  local t0 = os.clock()
  local dates, commits = folio.git.dates(arg[1])
  local t = (os.clock() - t0) * 1000
  if t < best then best = t end
  n, files = commits, 0
  for _ in pairs(dates) do files = files + 1 end
end
print(string.format("folio.git.dates(): %d commits, %d paths, best of 5: %.1f ms CPU", n, files, best))
LUA
"$FOLIO" lua "$DIR/walk.lua" "$DIR/repo"
/usr/bin/time -f "folio.git.dates() x5, whole process: %e s wall, %M KiB peak RSS" "$FOLIO" lua "$DIR/walk.lua" "$DIR/repo" >/dev/null
echo "build of the site (FOLIO_TIMINGS):"
(cd "$DIR/repo" && FOLIO_TIMINGS=1 "$FOLIO" build -q 2>&1 | grep -E "git dates|^Built|total" || true)

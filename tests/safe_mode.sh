#!/usr/bin/env bash
# Safe mode end to end: each call a sandboxed plugin may not make fails under --safe with a
# message naming the call, the plugin's file:line and safe mode, and works without --safe;
# endless loops (in a hook, a template, behind pcall, in a coroutine, in a metamethod folio's own
# code runs) and memory bombs are stopped with file:line; safe = true in site.lua; the example
# site with every shipped plugin builds byte for byte the same with and without --safe.
. "$(dirname "$0")/lib.sh"

S=$WORK/site
OUT=$WORK/out.txt
echo "a secret outside the site" > "$WORK/outside.txt"
echo 'return 1' > "$WORK/outside.lua"
make_site "$S"
mkdir -p "$S/scripts" "$S/layouts"
printf -- '---\ntitle: One\n---\nHello.\n' > "$S/content/one.md"
SITE_LUA=$(cat "$S/site.lua")

# site_with EXTRA_LINES...: site.lua as made above, plus the lines given.
site_with() { { echo "$SITE_LUA"; for l in "$@"; do echo "$l"; done; } > "$S/site.lua"; }
# plugin CODE: scripts/evil.lua with CODE on line 2, inside an html hook.
plugin() { printf 'folio.hook("html", function(page)\n%s\nend)\n' "$1" > "$S/scripts/evil.lua"; }
build() { "$FOLIO" build -q -s "$S" "$@" >"$OUT" 2>&1; }

# A C module on package.cpath ("./?.so" by default), when a compiler is here.
CMOD=0
if command -v cc >/dev/null && [ -f /usr/include/lua5.4/lua.h ]; then
  printf '#include <lua.h>\nint luaopen_cmod(lua_State *L) { lua_newtable(L); return 1; }\n' > "$WORK/cmod.c"
  cc -shared -fPIC -I/usr/include/lua5.4 -o "$S/cmod.so" "$WORK/cmod.c" && CMOD=1
fi

# name | code (line 2 of the hook) ; each must work without --safe and fail with it
CASES=(
  'os.execute|os.execute("true")'
  'io.popen|local p = io.popen("echo hi"); p:read("a"); p:close()'
  'io.open("'"$WORK"'/outside.txt")|local f = assert(io.open("'"$WORK"'/outside.txt")); f:close()'
  'io.open("../outside.txt")|local f = assert(io.open("../outside.txt")); f:close()'
  'io.open("link.txt")|local f = assert(io.open("link.txt")); f:close()'
  'io.open("written.txt", "w")|local f = assert(io.open("written.txt", "w")); f:close()'
  'io.lines("'"$WORK"'/outside.txt")|for _ in io.lines("'"$WORK"'/outside.txt") do end'
  'io.output("out.txt")|io.output("out.txt"); io.output(io.stdout)'
  'loadfile("'"$WORK"'/outside.lua")|assert(loadfile("'"$WORK"'/outside.lua"))'
  'dofile("'"$WORK"'/outside.lua")|dofile("'"$WORK"'/outside.lua")'
  'package.loadlib|package.loadlib("libc.so.6", "*")'
  'os.remove|os.remove("'"$WORK"'/scratch")'
  'os.rename|os.rename("'"$WORK"'/scratch", "'"$WORK"'/scratch2")'
  'os.getenv("HOME")|assert(os.getenv("HOME"))'
  'os.tmpname|os.remove(os.tmpname())'
  'debug.getinfo|assert(debug.getinfo(1))'
  'debug.sethook|debug.sethook()'
  'load of binary chunks|assert(load(string.dump(function() end)))'
  'collectgarbage("incremental")|collectgarbage("incremental"); collectgarbage("generational")'
  'folio.fs.read|assert(folio.fs.read("'"$WORK"'/outside.txt"))'
)
[ "$CMOD" = 1 ] && CASES+=('require("cmod")|assert(type(require("cmod")) == "table")')

ln -s "$WORK/outside.txt" "$S/link.txt" # a link inside the site to a file outside
site_with 'plugins = { "evil" }'
for case in "${CASES[@]}"; do
  name=${case%%|*} code=${case#*|}
  touch "$WORK/scratch"
  plugin "$code"
  check "$name works without --safe" build
  rm -f "$S/written.txt" "$S/out.txt"; touch "$WORK/scratch"
  build --safe
  rc=$?
  check "$name fails under --safe (rc $rc)" test "$rc" = 1
  check "$name: message names the call, file:line and safe mode" \
    contains "$OUT" "scripts/evil.lua:2: error: $name"
  check "$name: says safe mode" contains "$OUT" "is not allowed in safe mode (--safe, or safe = true in site.lua)"
  check "$name under --safe wrote no file" test ! -e "$S/written.txt" -a ! -e "$S/out.txt"
  check "$name: scratch file still there" test -e "$WORK/scratch"
done

# os.exit ends the build without --safe, and is refused with it
plugin 'os.exit(7)'
build; check "os.exit works without --safe" test $? = 7
build --safe; check "os.exit refused under --safe" contains "$OUT" "scripts/evil.lua:2: error: os.exit is not allowed in safe mode"

# What stays allowed: reading inside the site, FOLIO_* variables, require of site modules, lpeg.
echo 'return { answer = 42 }' > "$S/mymod.lua"
plugin 'local f = assert(io.open("content/one.md")); f:close()
  assert(require("mymod").answer == 42 and require("lpeg").P)
  assert(os.getenv("FOLIO_SAFE_TEST") == "yes")
  page.content = page.content .. "<p>allowed-ok</p>"'
FOLIO_SAFE_TEST=yes build --safe
check "allowed calls work under --safe" test $? = 0
check "allowed calls ran" contains "$S/public/one/index.html" "allowed-ok"

# A protected metatable (a page's) cannot be replaced.
plugin 'setmetatable(page, {})'
build --safe; check "page metatable protected" contains "$OUT" "scripts/evil.lua:2: error: cannot change a protected metatable"

# safe = true in site.lua: plugins sandboxed, site.lua itself not (it is the user's own file).
site_with 'plugins = { "evil" }' 'safe = true' 'home = os.getenv("HOME")'
plugin 'os.execute("true")'
build; check "safe = true refuses os.execute" contains "$OUT" "scripts/evil.lua:2: error: os.execute is not allowed in safe mode"
# --safe: site.lua runs sandboxed too
build --safe; check "--safe sandboxes site.lua" contains "$OUT" 'site.lua:6: error: os.getenv("HOME") is not allowed in safe mode'

# The theme's theme.lua and a site script's top level.
site_with 'theme = "t"'
mkdir -p "$S/themes/t/layouts"
cp "$SRC"/themes/default/layouts/*.html "$S/themes/t/layouts/"
cp -r "$SRC/themes/default/layouts/partials" "$S/themes/t/layouts/"
printf -- '-- theme\nio.popen("true")\n' > "$S/themes/t/theme.lua"
rm "$S/scripts/evil.lua"
build --safe; check "theme.lua sandboxed" contains "$OUT" "themes/t/theme.lua:2: error: io.popen is not allowed in safe mode"
build; check "theme.lua unsandboxed without --safe" test $? = 0
rm -r "$S/themes/t"
site_with
printf -- '-- top level\n\nos.execute("true")\n' > "$S/scripts/top.lua"
build --safe; check "script top level sandboxed" contains "$OUT" "scripts/top.lua:3: error: os.execute is not allowed in safe mode"
rm "$S/scripts/top.lua"

# ---- budgets ----------------------------------------------------------------------------------
site_with 'plugins = { "evil" }' 'safe = { instructions = 2000000, memory_mb = 64 }'
# loop CODE EXPECTED_LINE WHAT: stopped with file:line and the budget named
stopped() {
  local what=$1 where=$2 text=$3
  build; local rc=$?
  check "$what: build fails (rc $rc)" test "$rc" = 1
  check "$what: stopped at $where" contains "$OUT" "$where: error: safe mode stopped"
  check "$what: names the budget" contains "$OUT" "$text"
}
printf 'folio.hook("html", function(page)\n  local n = 0\n  while true do n = n + 1 end\nend)\n' > "$S/scripts/evil.lua"
stopped "endless loop in a hook" "scripts/evil.lua:3" "the html hook here: it ran past its budget of 2000000 instructions"
printf 'folio.hook("site", function(site)\n  while true do\n    pcall(function() while true do end end)\n  end\nend)\n' > "$S/scripts/evil.lua"
stopped "loop behind pcall" "scripts/evil.lua:3" "ran past its budget"
printf 'folio.hook("site", function(site)\n  local co = coroutine.wrap(function()\n    while true do end\n  end)\n  co()\nend)\n' > "$S/scripts/evil.lua"
stopped "loop in a coroutine" "scripts/evil.lua:3" "ran past its budget"
printf 'folio.hook("site", function(site)\n  setmetatable(site.pages, { __index = function(t, k)\n    while true do end\n  end })\nend)\n' > "$S/scripts/evil.lua"
stopped "loop in a metamethod run by folio's code" "scripts/evil.lua:3" "the __index metamethod here"
printf 'folio.hook("site", function(site)\n  local t = {}\n  for i = 1, 1e9 do t[i] = string.rep("x", 1000) .. i end\nend)\n' > "$S/scripts/evil.lua"
stopped "memory bomb" "scripts/evil.lua:3" "memory budget of 64 MB"
printf 'folio.hook("site", function(site)\n  local n = 0\n  for i = 1, 100 do n = n + i end\n  local ok = pcall(string.rep, "x", 1 << 30)\n  for i = 1, 100 do n = n + i end\nend)\n' > "$S/scripts/evil.lua"
# (blamed on the line where the code went on after the pcall that caught the refusal)
stopped "memory error swallowed by pcall" "scripts/evil.lua:5" "memory budget of 64 MB"
rm "$S/scripts/evil.lua"
site_with 'safe = { instructions = 2000000 }'
printf -- '---\ntitle: Loop\nlayout: loop\n---\nx\n' > "$S/content/loop.md"
printf '<p>{{ page.title }}</p>\n{%% while true do end %%}\n' > "$S/layouts/loop.html"
stopped "endless loop in a template" "layouts/loop.html:2" "the render of layouts/loop.html here"
rm "$S/content/loop.md"
# the default budget, with --safe and no safe table: still stopped
site_with 'plugins = { "evil" }'
printf 'folio.hook("site", function(site)\n  while true do end\nend)\n' > "$S/scripts/evil.lua"
start=$(date +%s)
build --safe; rc=$?
check "default budget stops a loop (rc $rc)" test "$rc" = 1
check "default budget named" contains "$OUT" "scripts/evil.lua:2: error: safe mode stopped the site hook here: it ran past its budget of 250000000 instructions"
echo "default budget: loop stopped after $(( $(date +%s) - start )) s"
rm "$S/scripts/evil.lua"

# ---- folio serve --safe: serve hooks sandboxed and within budget ------------------------------
if command -v curl >/dev/null; then
  site_with 'plugins = { "evil" }' 'safe = { instructions = 2000000 }'
  cat > "$S/scripts/evil.lua" <<'LUA'
folio.hook("serve", function(req, site)
  if req.path == "/x" then return { status = 200, body = "exec:" .. tostring(pcall(os.execute, "true")) } end
  if req.path == "/loop" then while true do end end
end)
LUA
  "$FOLIO" serve --safe -s "$S" > "$WORK/serve.log" 2>&1 &
  serve_pid=$!
  url=
  for _ in $(seq 50); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/serve.log" | head -1)
    [ -n "$url" ] && break
    sleep 0.1
  done
  check "serve --safe started" test -n "$url"
  check "serve --safe: os.execute refused in a serve hook" contains <(curl -s --max-time 10 "$url/x") "exec:false"
  curl -s --max-time 20 "$url/loop" > "$WORK/loop.txt"
  check "serve --safe: endless serve hook stopped with file:line" contains "$WORK/loop.txt" "scripts/evil.lua:3: safe mode stopped the serve hook here"
  check "serve --safe: still answers after" contains <(curl -s --max-time 10 "$url/x") "exec:false"
  kill "$serve_pid"; wait "$serve_pid" 2>/dev/null
  rm "$S/scripts/evil.lua"
else
  echo "serve part skipped: curl not installed"
fi

# ---- the example site: identical output with and without --safe --------------------------------
E=$WORK/example
cp -r "$SRC/example" "$E"
"$FOLIO" build -q -s "$E" -o "$WORK/plain" >"$OUT" 2>&1
check "example builds" test $? = 0
"$FOLIO" build -q --safe -s "$E" -o "$WORK/safe" >"$OUT" 2>&1
check "example builds under --safe" test $? = 0
cat "$OUT" >&2
check "example identical with and without --safe" diff -r "$WORK/plain" "$WORK/safe"
check "example output not empty" test "$(find "$WORK/safe" -type f | wc -l)" -gt 20

finish

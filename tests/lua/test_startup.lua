-- test_startup.lua: folio's own Lua modules load from the bytecode built into folio
-- (tools/embed.c, src/lua/lx.c), with their debug information: errors and tracebacks still name
-- the module's file, line and locals; folio.embedded.load needs an explicit environment.
local T = dofile("testlib.lua")

local function source_line(path, n)
  local i = 0
  for line in (folio.embedded.read(path) .. "\n"):gmatch("([^\n]*)\n") do
    i = i + 1
    if i == n then return line end
  end
end

T.test("an error inside an embedded module names its file and line (and the local)", function()
  local page = require "folio.page"
  local ok, err = pcall(page.expand_permalink, nil)
  T.eq(ok, false)
  local file, line = tostring(err):match("^(src/lua/folio/page%.lua):(%d+): ")
  T.eq(file, "src/lua/folio/page.lua", tostring(err))
  T.ok(tostring(err):find("local 'pattern'", 1, true), err)
  T.ok(source_line(file, tonumber(line)):find("pattern", 1, true), "line " .. line .. " of page.lua uses pattern")
end)

T.test("a traceback through embedded modules names each file:line", function()
  local page = require "folio.page"
  local tb = select(2, xpcall(page.expand_permalink, debug.traceback, nil))
  T.ok(tb:find("src/lua/folio/page.lua:%d+: in function"), tb)
end)

T.test("functions keep their source and first line", function()
  local json = require "folio.json"
  local info = debug.getinfo(json.encode, "S")
  T.eq(info.short_src, "src/lua/folio/json.lua")
  T.ok(source_line("src/lua/folio/json.lua", info.linedefined):find("function", 1, true))
  local liquid = assert(folio.embedded.load("compat/jekyll/liquid/init.lua", _G))()
  local parse = debug.getinfo(liquid.parse, "S")
  T.eq(parse.short_src, "(folio)/compat/jekyll/liquid/engine.lua")
  T.ok(source_line("compat/jekyll/liquid/engine.lua", parse.linedefined):find("function", 1, true))
end)

T.test("folio.embedded.load: the given environment, never the real globals by default", function()
  T.eq(pcall(folio.embedded.load, "scripts/emoji_data.lua"), false)
  local env = {}
  local chunk = assert(folio.embedded.load("scripts/emoji_data.lua", env))
  T.eq(type(chunk()), "table")
  local leaky = assert(folio.embedded.load("src/lua/folio/json.lua", { }))
  T.eq(pcall(leaky), false) -- json.lua needs globals (require, string...) the empty table lacks
  local none, msg = folio.embedded.load("src/lua/folio/nope.lua", {})
  T.eq(none, nil)
  T.ok(msg:find("no embedded file", 1, true), msg)
  T.eq(folio.embedded.load("themes/default/theme.lua", {}) ~= nil, true) -- theme files: from source
end)

-- The scan kramdown's typography runs in Lua when folio.text_runs is missing (safe mode).
local function lua_runs(whole, limit)
  local out, n = {}, #whole
  local function has(c, i, j) local at = whole:find(c, i, true); return at ~= nil and at + #c - 1 <= j end
  local function candidate(i, j)
    for _, c in ipairs { "'", '"', "&", "--", "..." } do if has(c, i, j) then return true end end
    return has(">>", i, j) and (has("-", i, j) or has(".", i, j))
  end
  local gt = whole:find(">", 1, true)
  while gt and gt + 1 <= limit do
    local lt = whole:find("<", gt + 1, true) or n + 1
    if lt > gt + 1 and candidate(gt + 1, lt - 1) then out[#out + 1] = gt + 1; out[#out + 1] = lt - 1 end
    gt = whole:find(">", lt, true)
  end
  return out
end

T.test("folio.text_runs (C) finds the runs the Lua scan finds", function()
  T.eq(table.concat(folio.text_runs(">it's <b>plain</b> -- x<i>a...b</i>", 40), ","), "2,6,19,23,27,31")
  local pieces = { "<p>", "</p>", "<em>", ">", "<", "'", '"', "&amp;", "-", "--", ".", "..", "...", ">>", "a", " ", "word" }
  for text in T.random_texts(pieces, 14, 3000, 12) do
    local whole = ">" .. text
    for _, limit in ipairs { #whole + 1, #whole // 2 + 1 } do
      local want, got = table.concat(lua_runs(whole, limit), ","), table.concat(folio.text_runs(whole, limit), ",")
      if got ~= want then T.eq(got, want, "runs of " .. whole .. " up to " .. limit) end
    end
  end
end)

T.test("folio.text_lines (C) splits as the Lua loop does", function()
  local function lua_lines(src)
    local out = {}
    for line in (src .. (src:sub(-1) == "\n" and "" or "\n")):gmatch("(.-)\n") do out[#out + 1] = line end
    return out
  end
  for _, src in ipairs { "", "\n", "a", "a\n", "a\nb", "\n\nx\n\n", "one\r\ntwo" } do
    T.eq(table.concat(folio.text_lines(src), "|"), table.concat(lua_lines(src), "|"), ("%q"):format(src))
    T.eq(#folio.text_lines(src), #lua_lines(src), ("count of %q"):format(src))
  end
end)

T.done()

-- test_kramdown_scan.lua: the kramdown plugin's line tests (scripts/kramdown_scan.lua) in C
-- (folio.text_line_start, src/lua/lx_text.c) against their Lua loops (safe mode's path, which
-- has no C helpers) and against the Lua patterns each one stands for: the same answer on known
-- texts and on random ones made of the bytes that matter.
local T = dofile("testlib.lua")
if not folio.text_line_start then T.skip("folio.text_line_start missing") end
local scan = assert(folio.embedded.load("scripts/kramdown_scan.lua", _G))()

local KINDS = {
  { name = "definition", c = scan.definition_line, lua = scan.lua_definition_line,
    pattern = function(s) return ("\n" .. s):find("\n[ \t>]*:%s") ~= nil end },
  { name = "html_block", c = scan.html_block_line, lua = scan.lua_html_block_line,
    pattern = function(s) return ("\n" .. s):find("\n ? ? ?<%a") ~= nil end },
  { name = "paren_item", c = scan.paren_item_line, lua = scan.lua_paren_item_line,
    pattern = function(s) return ("\n" .. s):find("\n ? ? ?%d+%)") ~= nil end },
}

T.test("the C tests are the ones the plugin uses", function()
  T.eq(scan.definition_line("term\n: a definition"), true)
  T.ok(scan.definition_line ~= scan.lua_definition_line, "definition_line is C")
end)

T.test("known texts", function()
  local cases = {
    { "term\n: a definition", definition = true },
    { "> quoted\n> : defined", definition = true },
    { "a: b\nc:d", definition = false },
    { ":\tx", definition = true },
    { "end:", definition = false },
    { "<div>\n", html_block = true },
    { "   <p>", html_block = true },
    { "    <p>", html_block = false },
    { "a <b>", html_block = false },
    { "<1>", html_block = false },
    { "1) one", paren_item = true },
    { "   12) twelve", paren_item = true },
    { "    3) code", paren_item = false },
    { "f(1) and (2)", paren_item = false },
    { ") alone", paren_item = false },
    { "x\n7)", paren_item = true },
  }
  for _, case in ipairs(cases) do
    for _, k in ipairs(KINDS) do
      local want = case[k.name]
      if want == nil then want = k.pattern(case[1]) end
      T.eq(k.c(case[1]), want, k.name .. " (C) of " .. string.format("%q", case[1]))
      T.eq(k.lua(case[1]), want, k.name .. " (Lua) of " .. string.format("%q", case[1]))
      T.eq(k.pattern(case[1]), want, k.name .. " (pattern) of " .. string.format("%q", case[1]))
    end
  end
end)

T.test("random texts: C, Lua and the pattern agree", function()
  local alphabet = { " ", " ", "\t", "\n", "\n", ">", ":", "<", "a", "Z", "1", "9", ")", "(", "\r", "\0", "\xC3" }
  math.randomseed(19)
  for _ = 1, 20000 do
    local parts = {}
    for i = 1, math.random(0, 24) do parts[i] = alphabet[math.random(#alphabet)] end
    local s = table.concat(parts)
    for _, k in ipairs(KINDS) do
      local want = k.pattern(s)
      if k.c(s) ~= want or k.lua(s) ~= want then
        T.eq({ c = k.c(s), lua = k.lua(s) }, { c = want, lua = want }, k.name .. " of " .. string.format("%q", s))
      end
    end
  end
end)

T.test("an unknown kind is an error naming the kinds", function()
  local ok, err = pcall(folio.text_line_start, "x", "nope")
  T.eq(ok, false)
  T.ok(tostring(err):find("definition, html_block or paren_item", 1, true), err)
end)

T.done()

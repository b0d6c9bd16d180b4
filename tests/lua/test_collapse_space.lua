-- test_collapse_space.lua: folio.collapse_space (src/lua/lx_util.c), the summary plugin's plain
-- text: runs of white space as one space, none at either end.
local T = dofile("testlib.lua")
local collapse = folio.collapse_space

T.test("runs of ASCII white space become one space, trimmed at both ends", function()
  T.eq(collapse("  one \t two\n\n three  "), "one two three")
  T.eq(collapse("a\vb\fc\rd"), "a b c d")
  T.eq(collapse(""), "")
  T.eq(collapse(" \n\t "), "")
  T.eq(collapse("x"), "x")
  T.eq(collapse("no-space"), "no-space")
end)

T.test("other bytes are kept: no-break spaces, NUL, UTF-8", function()
  T.eq(collapse("a\u{A0}\u{A0}b"), "a\u{A0}\u{A0}b")
  T.eq(collapse("a\0 \0b"), "a\0 \0b")
  T.eq(collapse("  Çà   et\tlà — ✨ "), "Çà et là — ✨")
end)

-- What the summary plugin did in Lua before.
local function reference(s)
  s = s:gsub("%s+", " "):gsub("^ ", "")
  local e = #s
  while e > 0 and s:find("^ ", e) do e = e - 1 end
  return s:sub(1, e)
end

T.test("the same as the former gsub on random text", function()
  local pieces = { " ", "  ", "\t", "\n", "\r\n", "\v", "\f", "a", "word", "é", "\u{A0}", ".", "\0" }
  for text in T.random_texts(pieces, 16, 3000, 11) do T.eq(collapse(text), reference(text), text) end
end)

T.test("arguments are checked", function()
  T.eq(pcall(collapse), false)
  T.eq(pcall(collapse, {}), false)
end)

T.done()

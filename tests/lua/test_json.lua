-- test_json.lua: folio.json (src/lua/folio/json.lua) and folio.json_string (src/lua/lx_util.c).
local T = dofile("testlib.lua")
local json = require "folio.json"

T.test("values", function()
  T.eq(json.encode({ b = 1, a = { true, false }, c = "x" }), '{"a":[true,false],"b":1,"c":"x"}')
  T.eq(json.encode(json.array({})), "[]")
  T.eq(json.encode({}), "{}")
  T.eq(json.encode(1.5), "1.5")
end)

T.test("strings: quotes, backslashes and control characters escaped, UTF-8 kept", function()
  T.eq(folio.json_string('say "hi"\\ \n\t\r'), '"say \\"hi\\"\\\\ \\n\\t\\r"')
  T.eq(folio.json_string("\0\1\31\127 ok"), '"\\u0000\\u0001\\u001f\\u007f ok"')
  T.eq(folio.json_string("café ✓"), '"café ✓"')
  T.eq(folio.json_string(""), '""')
  T.eq(json.encode({ ["k\""] = "v\n" }), '{"k\\"":"v\\n"}')
end)

-- The escaping as first written: one pattern over the string.
local ESCAPES = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\t"] = "\\t", ["\r"] = "\\r" }
local function reference(s)
  return '"' .. s:gsub('[%c"\\]', function(c) return ESCAPES[c] or string.format("\\u%04x", c:byte()) end) .. '"'
end

T.test("json_string agrees with the pattern-based escaping on random strings", function()
  local function byte(rand) -- control characters, the escaped ones and any byte, in turn
    local pick = rand(3)
    return string.char(pick == 1 and rand(32) - 1 or pick == 2 and ({ 34, 92, 127, 10 })[rand(4)] or rand(256) - 1)
  end
  for s in T.random_texts(byte, 24, 3000, 99) do
    local want, got = reference(s), folio.json_string(s)
    if want ~= got then error(string.format("json_string(%q): %q, reference %q", s, got, want)) end
  end
end)

T.test("json_string agrees with the pattern-based escaping on long, mostly plain texts", function()
  -- runs of eight and more plain bytes take the word-at-a-time scan, which must stop at each
  -- escaped byte wherever it falls in a word
  local pieces = { "plain text ", ("x"):rep(13), "é", "\n", '"', "\\", "\127", "\0", "\31", "<p>", " " }
  for s in T.random_texts(pieces, 40, 3000, 7) do
    local want, got = reference(s), folio.json_string(s)
    if want ~= got then error(string.format("json_string(%q): %q, reference %q", s, got, want)) end
  end
end)

T.done()

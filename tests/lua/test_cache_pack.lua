-- test_cache_pack.lua: folio.cache.pack / unpack (src/lua/lx_cache.c), the binary form the build
-- cache stores pages in, and folio.cache.hash.
local T = dofile("testlib.lua")
local pack, unpack = folio.cache.pack, folio.cache.unpack

T.test("values round trip", function()
  local v = { title = "Café ✓", n = 3, x = 1.5, big = math.maxinteger, neg = -7, yes = true, no = false,
              list = { "a", "b", { deep = { "c" } } }, [1] = "first", [2.5] = "float key", ["\0nul"] = "\0" }
  T.eq(unpack(pack(v)), v)
  T.eq(unpack(pack("just a string")), "just a string")
  T.eq(unpack(pack(42)), 42)
  T.eq(math.type(unpack(pack(42))), "integer")
  T.eq(math.type(unpack(pack(42.0))), "float")
  T.eq(unpack(pack(nil)), nil)
end)

T.test("shared and cyclic tables keep their shape", function()
  local shared = { "s" }
  local v = { a = shared, b = shared }
  v.self = v
  local u = unpack(pack(v))
  T.eq(rawequal(u.a, u.b), true, "shared")
  T.eq(rawequal(u.self, u), true, "cycle")
end)

T.test("functions and userdata are left out, as between states", function()
  local u = unpack(pack({ f = print, keep = 1, [print] = 2, io = io.stdout }))
  T.eq(u, { keep = 1 })
end)

T.test("registered metatables travel by name", function()
  local mt = { __index = function() return "lazy" end }
  folio.register_metatable("test.pack", mt)
  local u = unpack(pack(setmetatable({ x = 1 }, mt)))
  T.eq(getmetatable(u) == mt, true)
  T.eq(u.anything, "lazy")
end)

T.test("damaged bytes are reported, never a crash or a wrong value", function()
  local good = pack({ title = "A post", tags = { "a", "b" }, n = 12345, x = 0.25, nested = { { { "deep" } } } })
  T.eq(unpack(good) ~= nil, true)
  for cut = 0, #good - 1 do
    local v, err = unpack(good:sub(1, cut))
    T.eq(v, nil, "cut at " .. cut)
    T.eq(err, "damaged")
  end
  local seed = 7
  for _ = 1, 2000 do -- random byte changes: a value or "damaged", and no crash
    seed = (seed * 1103515245 + 12345) % 2147483648
    local at = seed % #good + 1
    local s = good:sub(1, at - 1) .. string.char((seed >> 8) % 256) .. good:sub(at + 1)
    local v, err = unpack(s)
    if v == nil and s ~= good then T.eq(err == nil or err == "damaged", true) end
  end
  T.eq(select(2, unpack("")), "damaged")
  local function table_of(narray, nhash) return "T" .. string.pack("=I4I4", narray, nhash) end
  T.eq(unpack(table_of(0, 1) .. "s\1kte").k, true) -- (the form these damaged ones start from)
  T.eq(select(2, unpack(table_of(0, 1) .. "r\5te")), "damaged")   -- a reference to a table not yet seen
  T.eq(select(2, unpack(table_of(0, 1) .. "nte")), "damaged")      -- a nil key
  T.eq(select(2, unpack(table_of(0, 1000000) .. "e")), "damaged")  -- counts past what the bytes can hold
  T.eq(select(2, unpack(good .. "x")), "damaged") -- bytes after the value
  local deep = string.rep(table_of(0, 1), 10000)
  T.eq(select(2, unpack(deep)), "damaged")     -- nested too deep
end)

T.test("hash: 32 hex digits, chained in order", function()
  local h = folio.cache.hash("abc")
  T.eq(#h, 32)
  T.eq(h:match("^%x+$") ~= nil, true)
  T.eq(folio.cache.hash("abc"), h)
  T.eq(folio.cache.hash("abd") ~= h, true)
  T.eq(folio.cache.hash("a", "b") ~= folio.cache.hash("b", "a"), true)
  T.eq(folio.cache.hash("") ~= folio.cache.hash("\0"), true)
  local seen = {}
  for i = 1, 5000 do
    local x = folio.cache.hash(tostring(i))
    T.eq(seen[x], nil, "collision")
    seen[x] = true
  end
end)

T.done()

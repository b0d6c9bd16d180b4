-- test_fields_hash.lua: folio.cache.fields_hash (src/lua/lx_cache.c), the digest of what a table
-- holds that warm builds compare (src/lua/folio/warm.lua): independent of the order fields were
-- set in, different when any field differs, pages inside by id (and listed in `refs`).
local T = dofile("testlib.lua")
local hash = folio.cache.fields_hash

-- The same fields set in the order of `keys`.
local function filled(keys, value_of)
  local t = {}
  for _, k in ipairs(keys) do t[k] = value_of(k) end
  return t
end

local function shuffled(list, seed)
  local out = table.move(list, 1, #list, 1, {})
  for i = #out, 2, -1 do
    seed = (seed * 1103515245 + 12345) % 2147483648
    local j = seed % i + 1
    out[i], out[j] = out[j], out[i]
  end
  return out
end

T.test("the order fields were set in does not matter, for few and for many fields", function()
  for _, n in ipairs({ 2, 7, 30, 48, 49, 200 }) do -- (a short sort, and qsort past 48 keys)
    local keys = {}
    for i = 1, n do keys[i] = (i % 3 == 0) and i or ("field" .. i .. ("_"):rep(i % 5)) end
    local function value_of(k) return type(k) == "number" and k * 2 or { k, #k } end
    local want = hash(filled(keys, value_of))
    for seed = 1, 5 do
      T.eq(hash(filled(shuffled(keys, seed), value_of)), want, n .. " fields, order " .. seed)
    end
  end
end)

T.test("keys that share their first eight bytes still sort apart", function()
  local a = { ["abcdefgh1"] = 1, ["abcdefgh2"] = 2, ["abcdefgh"] = 3, ["abcdefg"] = 4 }
  local b = { ["abcdefgh1"] = 2, ["abcdefgh2"] = 1, ["abcdefgh"] = 3, ["abcdefg"] = 4 }
  T.ok(hash(a) ~= hash(b), "values swapped between keys that differ after 8 bytes")
  local c = { ["abcdefgh"] = 4, ["abcdefg"] = 3 }
  local d = { ["abcdefgh"] = 3, ["abcdefg"] = 4 }
  T.ok(hash(c) ~= hash(d), "a key and its prefix")
  T.eq(hash({ ["a\0b"] = 1, ["a\0c"] = 2 }), hash({ ["a\0c"] = 2, ["a\0b"] = 1 }), "NUL bytes in keys")
end)

T.test("any difference shows: a value, a nested value, a key, a list's order", function()
  local base = { title = "T", tags = { "a", "b" }, meta = { deep = { x = 1 } }, n = 3 }
  local want = hash(base)
  T.ok(hash({ title = "U", tags = { "a", "b" }, meta = { deep = { x = 1 } }, n = 3 }) ~= want)
  T.ok(hash({ title = "T", tags = { "b", "a" }, meta = { deep = { x = 1 } }, n = 3 }) ~= want)
  T.ok(hash({ title = "T", tags = { "a", "b" }, meta = { deep = { x = 2 } }, n = 3 }) ~= want)
  T.ok(hash({ title = "T", tags = { "a", "b" }, meta = { deep = { x = 1 } }, n = 3.0 }) ~= want, "integer or float")
  T.ok(hash({ titles = "T", tags = { "a", "b" }, meta = { deep = { x = 1 } }, n = 3 }) ~= want)
  T.eq(hash({ n = 3, meta = { deep = { x = 1 } }, tags = { "a", "b" }, title = "T" }), want)
end)

T.test("pages inside count by their id and are listed in refs; a memo gives the same digest twice", function()
  local p1, p2 = { id = 1, title = "one" }, { id = 2, title = "two" }
  local refs = {}
  local h = hash({ list = { p2, p1 }, links = { next = p2 }, z = "x" }, refs)
  T.eq(#refs, 3)
  T.eq({ refs[1], refs[2], refs[3] }, { p2, p2, p1 }, "in key order: links before list")
  T.eq(hash({ list = { { id = 2 }, { id = 1, title = "changed" } }, links = { next = { id = 2 } }, z = "x" }), h,
       "a page inside counts by its id only")
  T.ok(hash({ list = { p1, p2 }, links = { next = p2 }, z = "x" }) ~= h, "their order counts")
  -- a page as a field of the table itself (prev, next) counts by its id too: its own fields are
  -- the caller's to add (warm.lua adds its digest), not hashed again in every neighbour's
  refs = {}
  local own = hash({ title = "me", prev = p1, next = p2 }, refs)
  T.eq(refs, { p2, p1 })
  T.eq(hash({ title = "me", prev = { id = 1, title = "edited" }, next = { id = 2 } }), own)
  local shared = { "/page/1/", "/page/2/" }
  local memo = {}
  local first = hash({ urls = shared, n = 1 }, nil, memo)
  T.eq(hash({ urls = shared, n = 1 }, nil, memo), first, "the memo's second answer")
  T.ok(hash({ urls = shared, n = 2 }, nil, memo) ~= first)
end)

T.done()

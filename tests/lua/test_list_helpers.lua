-- test_list_helpers.lua: the C helpers the incremental site hooks and the preview ask of lists
-- of pages (src/lua/lx_util.c): folio.same_items, folio.count_keys, folio.pages_holding, folio.lists_holding,
-- folio.newest_time, folio.ordered_by, folio.new_table.
local T = dofile("testlib.lua")

T.test("folio.same_items compares arrays by raw identity and length", function()
  local a, b = {}, {}
  T.ok(folio.same_items({ a, b, 1, "x" }, { a, b, 1, "x" }))
  T.ok(not folio.same_items({ a, b }, { b, a }), "order counts")
  T.ok(not folio.same_items({ a }, { a, b }), "length counts")
  T.ok(not folio.same_items({ {} }, { {} }), "tables by identity")
  T.ok(folio.same_items({}, {}))
end)

T.test("folio.count_keys counts the list's values that are true keys of the set", function()
  local a, b, c = {}, {}, {}
  T.eq(folio.count_keys({ a, b, c, a }, { [a] = true, [c] = 1 }), 3)
  T.eq(folio.count_keys({ a, b }, { [a] = false }), 0, "false is no member")
  T.eq(folio.count_keys({}, { [a] = true }), 0)
end)

-- What preview.lua's Lua loop gave: the pages (not skipped) with a value v in p[field] such that
-- wanted[tostring(v):lower()] is true.
local function by_lua(pages, field, wanted, skip)
  local out = {}
  for id, p in pairs(pages) do
    if not skip[id] and type(rawget(p, field)) == "table" then
      for _, v in ipairs(rawget(p, field)) do
        if wanted[tostring(v):lower()] then out[id] = p; break end
      end
    end
  end
  return out
end

local keys = T.keys

T.test("folio.pages_holding finds the pages sharing a wanted term, as the Lua loop did", function()
  local pages = {
    [1] = { tags = { "rust", "Web" } },
    [2] = { tags = { "go" } },
    [3] = { tags = { "WEB" } },           -- upper case: lowered before the lookup
    [4] = { tags = { 2024, "x" } },       -- a number: its text
    [5] = { tags = "web" },               -- not a list: never a match
    [6] = { categories = { "web" } },     -- another field
    [7] = { tags = { "web" } },           -- skipped (a changed page)
    [8] = { tags = { "a", nil, "web" } }, -- ipairs stops at the hole
    [9] = setmetatable({}, { __index = { tags = { "web" } } }), -- raw fields only
    [10] = { tags = { "Wéb" } },          -- ASCII letters lowered, other bytes kept: "wéb"
    [11] = { tags = { "WÉB" } },          -- (string.lower leaves É as it is: no match)
  }
  local wanted = { web = true, ["2024"] = true, go = false, ["wéb"] = true }
  local skip = { [7] = true }
  local out = folio.pages_holding(pages, "tags", wanted, skip, {})
  T.eq(keys(out), "1,10,3,4", "pages 1, 3 (WEB), 4 (2024), 10 (Wéb)")
  T.eq(keys(out), keys(by_lua(pages, "tags", wanted, skip)), "the same as the Lua loop")
  T.ok(out[1] == pages[1], "the page itself")
  local more = folio.pages_holding(pages, "categories", wanted, skip, out)
  T.ok(more == out, "adds to the table given")
  T.eq(keys(out), "1,10,3,4,6")
end)

T.test("folio.pages_holding on many pages matches the Lua loop", function()
  local pages, terms = {}, { "a", "B", "c", "D", "e", "F", "g" }
  for i = 1, 2000 do
    local list = {}
    for j = 1, (i % 4) do list[j] = terms[(i * 7 + j * 3) % #terms + 1] end
    pages[i] = { tags = list }
  end
  local wanted, skip = { b = true, f = true }, { [5] = true, [100] = true }
  T.eq(keys(folio.pages_holding(pages, "tags", wanted, skip, {})), keys(by_lua(pages, "tags", wanted, skip)))
end)

T.test("folio.pages_holding checks its arguments", function()
  T.ok(not pcall(folio.pages_holding, nil, "tags", {}, {}, {}))
  T.ok(not pcall(folio.pages_holding, {}, "tags", nil, {}, {}))
end)

-- What preview.lua's Lua loop looked at: generated pages (from `first`) of a kind not skipped,
-- whose `pages` hold a changed entry or one the frame does not know.
local function lists_by_lua(list, first, objs, known, skip_kinds)
  local out = {}
  for k = first, #list do
    local p = list[k]
    local pages = rawget(p, "generated") and not (skip_kinds and skip_kinds[p.kind]) and p.pages
    if type(pages) == "table" then
      for _, q in ipairs(pages) do
        if objs[q] or not known[q] then out[#out + 1] = k; break end
      end
    end
  end
  return table.concat(out, ",")
end

T.test("folio.lists_holding finds the list pages holding a changed or unknown entry", function()
  local a, b, c, copy = { id = 1 }, { id = 2 }, { id = 3 }, { id = 2 }
  local known = { [a] = true, [b] = true, [c] = true }
  local objs = { [b] = true }
  local list = {
    a, b,                                                       -- pages: not generated
    { generated = true, kind = "tags", pages = { a, c } },      -- 3: only known, unchanged
    { generated = true, kind = "tags", pages = { a, b } },      -- 4: holds a changed page
    { generated = true, kind = "home", pages = { b } },         -- 5: skipped kind
    { generated = true, kind = "tags", pages = { copy } },      -- 6: an entry the frame does not know
    { generated = false, pages = { b } },                       -- 7: not generated
    { generated = true, kind = "tags" },                        -- 8: no pages
    setmetatable({ generated = true }, { __index = { kind = "tags", pages = { b } } }), -- 9: through __index
    { generated = true, kind = "tags", pages = { a, nil, b } }, -- 10: past a hole
  }
  local skip = { home = true }
  T.eq(table.concat(folio.lists_holding(list, 1, objs, known, skip), ","), "4,6,9,10")
  T.eq(table.concat(folio.lists_holding(list, 1, objs, known), ","), "4,5,6,9,10", "nothing skipped")
  T.eq(table.concat(folio.lists_holding(list, 5, objs, known, skip), ","), "6,9,10", "from `first`")
  -- the Lua loop stopped at a hole (ipairs); the C pass looks past it: a superset, which the
  -- preview checks again with shows_changed
  T.eq(lists_by_lua(list, 1, objs, known, skip), "4,6,9")
end)

T.test("folio.lists_holding puts in `others` the entries that are no plain generated list page", function()
  local a, b = { id = 1 }, { id = 2 }
  local known = { [a] = true, [b] = true }
  local objs = { [b] = true }
  local list = {
    a,                                                              -- 1: a page
    { generated = true, kind = "tags", pages = { a } },             -- 2: plain
    { generated = true, kind = "tags", pages = { b } },             -- 3: plain, holds a changed page
    { generated = true, kind = "feed", layout = false, pages = { a } },   -- 4: written as is
    { generated = true, kind = "feed", layout = "none", pages = { b } },  -- 5: written as is, holds b
    { generated = true, kind = "archive" },                         -- 6: no list
    { generated = true, id = 7, pages = { a } },                    -- 7: has an id
    { generated = false, pages = { b } },                           -- 8: not generated
    setmetatable({ generated = true }, { __index = { layout = false, pages = { a } } }), -- 9: as is through __index
    { generated = true, layout = "post", pages = { a } },           -- 10: plain, with a layout
  }
  local others = { "kept" }
  T.eq(table.concat(folio.lists_holding(list, 1, objs, known, nil, others), ","), "3,5")
  T.eq(table.concat(others, ","), "kept,1,4,5,6,7,8,9", "appended, in order")
  others = {}
  T.eq(table.concat(folio.lists_holding(list, 4, objs, known, { feed = true }, others), ","), "", "skipped kinds")
  T.eq(table.concat(others, ","), "4,5,6,7,8,9", "from `first`; skipped kinds still listed")
  T.ok(not pcall(folio.lists_holding, list, 1, objs, known, nil, 5))
end)

T.test("folio.lists_holding on many list pages matches the Lua loop", function()
  local pages, known = {}, {}
  for i = 1, 300 do pages[i] = { id = i }; known[pages[i]] = true end
  local objs = { [pages[7]] = true, [pages[250]] = true }
  local list, kinds = {}, { "tags", "home", "archive" }
  for k = 1, 1500 do
    local entries = {}
    for j = 1, 10 do entries[j] = pages[(k * 13 + j * 7) % 300 + 1] end
    if k % 97 == 0 then entries[3] = { id = 5 } end -- a copy
    list[k] = { generated = k % 5 ~= 0, kind = kinds[k % 3 + 1], pages = entries }
  end
  local skip = { home = true }
  T.eq(table.concat(folio.lists_holding(list, 20, objs, known, skip), ","), lists_by_lua(list, 20, objs, known, skip))
end)

T.test("folio.lists_holding checks its arguments", function()
  T.ok(not pcall(folio.lists_holding, nil, 1, {}, {}))
  T.ok(not pcall(folio.lists_holding, {}, "x", {}, {}))
  T.ok(not pcall(folio.lists_holding, {}, 1, {}, {}, 5))
end)


-- What sitemap.lua's Lua loop gave for a list's lastmod.
local function newest_by_lua(list, t)
  for _, q in ipairs(list) do t = math.max(t or 0, q.lastmod or q.date or 0) end
  return t
end

T.test("folio.newest_time is math.max over the entries' lastmod or date", function()
  local a, b, c = { date = 10 }, { date = 30, lastmod = 20 }, { lastmod = false, date = 25 }
  local list = { a, b, c, {} }
  T.eq(folio.newest_time(list, nil), newest_by_lua(list, nil))
  T.eq(folio.newest_time(list, nil), 25)
  T.eq(folio.newest_time(list, 40), 40, "the list page's own time when newer")
  T.eq(folio.newest_time({}, false), 0)
  T.eq(folio.newest_time({ {} }, nil), 0, "no times at all: 0")
  T.eq(math.type(folio.newest_time({ { date = 5.0 }, { date = 5 } }, 1)), "float", "the first of equal values")
  T.eq(math.type(newest_by_lua({ { date = 5.0 }, { date = 5 } }, 1)), "float")
end)

T.test("folio.newest_time takes an entry's time from `times` when it has one", function()
  local a, b = { date = 10 }, { date = 30 }
  T.eq(folio.newest_time({ a, b }, 0, { [b] = 12 }), 12, "b's own fields are not read")
  T.eq(folio.newest_time({ a, b }, 0, { [b] = false }), 10, "false counts as 0")
  local reads = 0
  local lazy = setmetatable({}, { __index = function(_, k) reads = reads + 1; if k == "date" then return 50 end end })
  T.eq(folio.newest_time({ a, lazy }, 0, {}), 50, "fields read through __index")
  T.eq(reads, 2, "lastmod, then date")
  reads = 0
  T.eq(folio.newest_time({ a, lazy }, 0, { [lazy] = 3 }), 10)
  T.eq(reads, 0, "an entry in `times` is not read")
end)

T.test("folio.newest_time refuses a time that is no number", function()
  local ok, err = pcall(folio.newest_time, { { date = "2020" } }, 0)
  T.ok(not ok and tostring(err):find("no number"), tostring(err))
  T.ok(not pcall(folio.newest_time, { { date = 1 } }, "x"))
end)

T.test("folio.ordered_by orders values as table.sort orders their string keys", function()
  local keys = { "/b/", "/a/", "/a/b/", "/", "/a-b/", "/a\0z/", "/a\0/", "/%C3%A9/", "/A/" }
  local values = {}
  for i, k in ipairs(keys) do values[i] = "v" .. k end
  local want = table.move(keys, 1, #keys, 1, {})
  table.sort(want)
  local got = folio.ordered_by(keys, values)
  T.eq(#got, #keys)
  for i, k in ipairs(want) do T.eq(got[i], "v" .. k, "place " .. i) end
  T.eq(keys[1], "/b/", "the lists are left as they were")
  T.eq(#folio.ordered_by({}, {}), 0)
end)

T.test("folio.ordered_by keeps the values of equal keys in their order (stable)", function()
  local keys, values = {}, {}
  for i = 1, 200 do keys[i], values[i] = "/k" .. (i % 7) .. "/", i end
  local got = folio.ordered_by(keys, values)
  for i = 2, #got do
    local a, b = got[i - 1], got[i]
    local ka, kb = keys[a], keys[b]
    T.ok(ka < kb or (ka == kb and a < b), "place " .. i)
  end
end)

T.test("folio.ordered_by refuses a key that is no string", function()
  local ok, err = pcall(folio.ordered_by, { "a", 1 }, { 1, 2 })
  T.ok(not ok and tostring(err):find("not a string"), tostring(err))
end)

T.test("folio.new_table makes an empty table, and refuses sizes out of range", function()
  local t = folio.new_table(4, 8)
  T.eq(next(t), nil)
  t[1], t.x = "a", "b"
  T.eq(#t, 1)
  T.eq(next(folio.new_table()), nil)
  T.ok(not pcall(folio.new_table, -1, 0))
  T.ok(not pcall(folio.new_table, 0, 2 ^ 40))
end)

T.done()

-- test_list_helpers.lua: the C helpers the incremental site hooks and the preview ask of lists
-- of pages (src/lua/lx_util.c): folio.same_items, folio.count_keys, folio.pages_holding.
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

local function keys(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = tostring(k) end
  table.sort(out)
  return table.concat(out, ",")
end

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

T.done()

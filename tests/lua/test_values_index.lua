-- test_values_index.lua: preview's index of list values (src/lua/folio/preview.lua,
-- preview.values_index) answers as folio.pages_holding does, reading every page, after pages
-- are edited, added and removed and marked; an edit that is not marked is not seen (the index
-- reads only marked pages again), and another table of pages starts again.
local T = dofile("testlib.lua")
local preview = require("folio.preview")

local keys = T.keys

local TAGS = { "Lua", "c", "Web", "rust", "go", 2015, "Zig" }

-- a page with 0 to 3 tags of TAGS (some in upper case), or a `tags` that is no list
local function page(rng, id)
  local p = { id = id, path = "p" .. id .. ".md" }
  local shape = rng(10)
  if shape == 1 then
    p.tags = "lua" -- (a string: no list)
  elseif shape > 2 then
    local tags = {}
    for i = 1, rng(3) do tags[i] = TAGS[rng(#TAGS)] end
    p.tags = tags
  end
  return p
end

local lcg = T.lcg

local function same_answer(index, all, wanted, skip, what)
  local want = folio.pages_holding(all, "tags", wanted, skip, {})
  local got = index:holding(all, "tags", wanted, skip, {})
  T.eq(keys(got), keys(want), what)
  for id, p in pairs(got) do T.ok(p == all[id], what .. ": the page itself") end
end

T.test("values_index answers as folio.pages_holding after edits, additions and removals", function()
  local rng = lcg(7)
  local all = {}
  for id = 1, 200 do all[id] = page(rng, id) end
  local index = preview.values_index()
  for round = 1, 60 do
    -- a few pages edited in place or replaced, one removed, one added; all of them marked
    for _ = 1, rng(4) do
      local id = rng(220)
      if all[id] and rng(2) == 1 then
        all[id].tags = page(rng, id).tags
      else
        all[id] = page(rng, id)
      end
      index:mark(id)
    end
    local gone = rng(220)
    all[gone] = nil
    index:mark(gone)
    local wanted = { [tostring(TAGS[rng(#TAGS)]):lower()] = true, [tostring(TAGS[rng(#TAGS)]):lower()] = true }
    local skip = { [rng(220)] = true }
    same_answer(index, all, wanted, skip, "round " .. round)
  end
end)

T.test("values_index reads again only the pages marked since the last question", function()
  local all = { { id = 1, tags = { "a" } }, { id = 2, tags = { "b" } } }
  local index = preview.values_index()
  T.eq(keys(index:holding(all, "tags", { a = true }, {}, {})), "1")
  all[2].tags = { "A" }
  T.eq(keys(index:holding(all, "tags", { a = true }, {}, {})), "1", "not marked: not read again")
  index:mark(2)
  T.eq(keys(index:holding(all, "tags", { a = true }, {}, {})), "1,2", "marked: read again")
  all[1] = nil
  index:mark(1)
  T.eq(keys(index:holding(all, "tags", { a = true }, {}, {})), "2", "a page gone")
  T.eq(keys(index:holding(all, "tags", { a = false }, {}, {})), "", "a false wanted value is not wanted")
end)

T.test("values_index starts again for another table of pages, and after reset", function()
  local index = preview.values_index()
  local first = { { id = 1, tags = { "x" } } }
  T.eq(keys(index:holding(first, "tags", { x = true }, {}, {})), "1")
  local second = { { id = 1, tags = { "y" } }, { id = 2, tags = { "x" } } }
  T.eq(keys(index:holding(second, "tags", { x = true }, {}, {})), "2")
  second[1].tags = { "x" }
  index:reset()
  T.eq(keys(index:holding(second, "tags", { x = true }, {}, {})), "1,2")
end)

T.test("values_index:prime makes the indexes at once; marks made after it are still read", function()
  local reads = 0 -- (a read through __index: the index reads raw fields only)
  local meta = { __index = function(_, k) if k == "tags" then reads = reads + 1 end end }
  local all = {}
  for id = 1, 5 do
    all[id] = setmetatable({ id = id, tags = { id % 2 == 0 and "even" or "odd" } }, meta)
  end
  local index = preview.values_index()
  index:prime(all, { "tags", "categories" })
  all[5].tags = { "even" } -- (not marked: the index made by prime does not see it)
  T.eq(keys(index:holding(all, "tags", { even = true }, {}, {})), "2,4", "made when primed")
  all[5].tags = { "odd" }
  T.eq(keys(index:holding(all, "categories", { even = true }, {}, {})), "")
  all[1].tags = { "even" }
  index:mark(1)
  index:prime(all, { "tags" })
  T.eq(keys(index:holding(all, "tags", { even = true }, {}, {})), "1,2,4", "a mark before a prime is read")
  T.eq(keys(index:holding(all, "tags", { odd = true }, {}, {})), "3,5")
  T.eq(reads, 0, "raw reads only")
end)

T.test("values_index keeps each field apart", function()
  local all = { { id = 1, tags = { "x" }, categories = { "y" } }, { id = 2, categories = { "X" } } }
  local index = preview.values_index()
  T.eq(keys(index:holding(all, "tags", { x = true }, {}, {})), "1")
  T.eq(keys(index:holding(all, "categories", { x = true }, {}, {})), "2")
  all[1].categories = { "x" }
  index:mark(1)
  T.eq(keys(index:holding(all, "categories", { x = true }, {}, {})), "1,2")
  T.eq(keys(index:holding(all, "tags", { x = true }, {}, {})), "1")
end)

T.done()

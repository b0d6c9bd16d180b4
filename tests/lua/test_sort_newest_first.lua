-- test_sort_newest_first.lua: folio.sort_newest_first (src/lua/lx_order.c) orders pages as
-- pipeline.lua's Lua comparator does (newest first; at one date by path, descending with
-- same_date_order = "path_descending"; dateless pages by path), and leaves a list it cannot
-- read untouched.
local T = dofile("testlib.lua")

-- pipeline.lua's newer_or_first
local function lua_order(list, descending)
  local function before(a, b)
    local da, db, na, nb = a.date or false, b.date or false, a.path or a.url, b.path or b.url
    if da ~= db then return (da or 0) > (db or 0) end
    if da and descending then return na > nb end
    return na < nb
  end
  local copy = table.move(list, 1, #list, 1, {})
  table.sort(copy, before)
  return copy
end

local function names(list)
  local out = {}
  for i, p in ipairs(list) do out[i] = p.path or p.url end
  return table.concat(out, " ")
end

local lcg = T.lcg

T.test("folio.sort_newest_first orders as the Lua comparator, ties and dateless pages too", function()
  local rng = lcg(11)
  for _, descending in ipairs { false, true } do
    for round = 1, 20 do
      local list = {}
      for i = 1, 300 do
        local p = { path = string.format("posts/p%04d-%d.md", rng(5000), i) }
        local shape = rng(10)
        if shape == 1 then p.path = nil; p.url = "/gen/" .. i .. "/" -- (a generated page: its URL)
        elseif shape == 2 then p.date = false
        elseif shape > 3 then p.date = 1000000 + rng(40) * 86400 + (rng(2) == 1 and 0.5 or 0) end
        list[i] = p
      end
      local want = names(lua_order(list, descending))
      T.ok(folio.sort_newest_first(list, descending), "sorted in C")
      T.eq(names(list), want, (descending and "descending" or "ascending") .. " paths, round " .. round)
    end
  end
end)

T.test("folio.sort_newest_first leaves what it cannot read to the Lua sort", function()
  local function list_of(odd)
    return { { path = "b", date = 2 }, odd, { path = "a", date = 1 } }
  end
  for what, odd in pairs {
    ["a string date"] = { path = "c", date = "2020-01-01" },
    ["a NaN date"] = { path = "c", date = 0 / 0 },
    ["no path or URL"] = { date = 3 },
    ["a path through a metatable"] = setmetatable({ date = 3 }, { __index = { path = "c" } }),
    ["not a table"] = "page",
  } do
    local list = list_of(odd)
    T.ok(not folio.sort_newest_first(list, false), what .. ": not sorted")
    T.ok(list[2] == odd and list[1].path == "b", what .. ": the list as it was")
  end
  local meta = setmetatable({ path = "c", date = 3 }, { __index = function() return "x" end })
  local list = list_of(meta)
  T.ok(folio.sort_newest_first(list, false), "raw fields with a metatable: sorted")
  T.eq(names(list), "c b a")
  -- a page whose metatable gives no date (the pipeline's pages: dateless ones too) is sorted
  local dateless = setmetatable({ path = "0-about.md" }, { __index = function() return nil end })
  list = list_of(dateless)
  T.ok(folio.sort_newest_first(list, false), "no date through the metatable either: sorted")
  T.eq(names(list), "b a 0-about.md")
  T.ok(folio.sort_newest_first({}, false) and folio.sort_newest_first({ { path = "x" } }, true), "short lists")
end)

T.done()

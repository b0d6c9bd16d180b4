-- test_frame_redate.lua: preview's frame (src/lua/folio/preview.lua) after a re-dated page: its
-- order, sections, section names, places and the pages' part of the render list are those a
-- fresh sort and grouping give, whether the page moves in place (one page) or the lists are
-- made again (several), and a tie leaves the frame as it was.
local T = dofile("testlib.lua")
local preview = require("folio.preview")

local function newest_first(a, b)
  if a.date ~= b.date then return a.date > b.date end
  return a.path < b.path
end

-- n pages in sections "posts" and "notes" (every third), dated 10 apart; page 5 has no output
local function pages(n)
  local list = {}
  for i = 1, n do
    list[i] = { id = i, path = string.format("p%03d.md", i), date = 10000 - 10 * i,
                section = i % 3 == 0 and "notes" or "posts", url = "/" .. i .. "/",
                output = i ~= 5 and (i .. "/index.html") or nil }
  end
  return list
end

local function group(all)
  local sections, names = {}, {}
  for _, p in ipairs(all) do
    if not sections[p.section] then sections[p.section] = {}; names[#names + 1] = p.section end
    table.insert(sections[p.section], p)
  end
  return sections, names
end

local function make_frame(all)
  local sections, names = group(all)
  local frame = preview.frame(all, sections, names, {})
  local render_list = {}
  for _, p in ipairs(all) do if p.output then render_list[#render_list + 1] = p end end
  frame:complete(render_list, #render_list, true)
  return frame
end

local function ids(list)
  local out = {}
  for i, p in ipairs(list) do out[i] = p.id end
  return table.concat(out, ",")
end

-- what the frame holds, against a fresh sort of its pages
local function check_frame(frame, what)
  local all = table.move(frame:order(), 1, #frame:order(), 1, {})
  table.sort(all, newest_first)
  T.eq(ids(frame:order()), ids(all), what .. ": order")
  local sections, names = group(all)
  local _, got_sections = frame:site_parts()
  T.eq(frame.names, names, what .. ": section names")
  for _, name in ipairs(names) do
    T.eq(ids(got_sections[name]), ids(sections[name]), what .. ": section " .. name)
    for j, p in ipairs(sections[name]) do T.eq(frame.at_section[p.id], j, what .. ": place in section") end
  end
  for k, p in ipairs(all) do T.eq(frame:index_of(p.id), k, what .. ": index of " .. p.id) end
  local with_output = {}
  for _, p in ipairs(all) do if p.output then with_output[#with_output + 1] = p end end
  T.eq(ids(frame.pages), ids(with_output), what .. ": pages' part")
  for k, p in ipairs(with_output) do T.eq(frame:output_of(p.id), k, what .. ": output of " .. p.id) end
end

-- page `id` re-dated to `date`: as the pipeline does it (keep_identity), the new version's fields
-- go into the page's table, which the frame already holds
local function redate(frame, id, date)
  local page = frame:order()[frame:index_of(id)]
  page.date = date
  return page
end

local function link() end

T.test("one page moved newer, older, to either end and not at all", function()
  local frame = make_frame(pages(40))
  for _, case in ipairs({ { 30, 9995 - 100 }, { 3, 10000 - 10 * 25 - 5 }, { 12, 20000 },
                          { 20, 1 }, { 18, 10000 - 10 * 18 - 1 }, { 6, 10000 - 10 * 33 - 5 } }) do
    local id, date = case[1], case[2]
    local spots = frame:replace({ [id] = redate(frame, id, date) }, link, { [id] = true }, newest_first)
    T.ok(spots ~= nil, "the frame takes the move of " .. id)
    T.eq(frame:order()[frame:index_of(id)].date, date, "the new version in place")
    check_frame(frame, "page " .. id .. " to " .. date)
  end
end)

T.test("a section's first page moves after another section's first: names follow", function()
  local all = pages(9)
  local frame = make_frame(all) -- posts first (page 1), then notes (page 3)
  T.eq(frame.names, { "posts", "notes" })
  frame:replace({ [1] = redate(frame, 1, 10000 - 10 * 3 - 1) }, link, { [1] = true }, newest_first)
  frame:replace({ [2] = redate(frame, 2, 10000 - 10 * 3 - 2) }, link, { [2] = true }, newest_first)
  T.eq(frame.names, { "notes", "posts" }, "page 3 (notes) is now the newest")
  check_frame(frame, "names")
end)

T.test("two pages re-dated at once", function()
  local frame = make_frame(pages(30))
  local fresh = { [4] = redate(frame, 4, 1), [25] = redate(frame, 25, 20000) }
  T.ok(frame:replace(fresh, link, { [4] = true, [25] = true }, newest_first) ~= nil)
  check_frame(frame, "two pages")
end)

T.test("a tie with a neighbour leaves the frame as it was", function()
  local frame = make_frame(pages(20))
  local before = ids(frame:order())
  local tie = redate(frame, 7, 10000 - 10 * 12)
  tie.path = "p012.md" -- the same date and path as page 12: no order tells them apart
  T.eq(frame:replace({ [7] = tie }, link, { [7] = true }, newest_first), nil)
  T.eq(ids(frame:order()), before, "order unchanged (the pipeline then sorts every page)")
  T.eq(frame:index_of(7), 7, "the page's place unchanged")
  T.eq(ids(frame.pages), "1,2,3,4,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20", "the pages' part unchanged")
end)

T.done()

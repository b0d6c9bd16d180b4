-- folio.preview: what only `folio serve` keeps between updates — the frame of the site. The
-- frame is what assemble derives from where the pages sit: their order, sections and neighbours,
-- the default menu, which built-in pages exist, and the pages' part of the render list. An
-- update that re-processed pages without adding or removing any (none changed in PLACE_FIELDS
-- but a post's URL, output or date, which the frame follows) puts them into the frame in place
-- of their last versions instead of passing over every page again. The site hooks still run, on a fresh site, every time; the site's URL
-- index (site:find) starts from the frame's when the last full assemble showed that no hook
-- changes page URLs. The batch pipeline (folio.pipeline) never makes a frame.
--
--   preview.same_place(old, now [, redated])  whether a new version of a page sits where the old
--                                             one sat (or only its date moved it)
--   preview.frame(all, sections, names, outputs) -> frame
--   frame:complete(render_list, npages, ok)   after the hooks of a full assemble
--   frame:replace(fresh, link [, redated, before]) -> spots   re-processed pages in place of
--                                             their last versions, re-dated ones moved (nil: a
--                                             moved URL it cannot take, a tie; assemble again)
--   frame:moved() -> { { id, url, output } }  the pages of the last replace whose URL moved: the
--                                             URL and output they had
--   frame:check_links(spots)                  after the hooks of such an update
--   frame:keep_menu(menu) -> copy; frame:site_parts() -> all, sections, menu(), builtin (copies)
--   frame:url_index() -> by_url or nil        the pages' URL index, if it may prime site:find
--   frame:index_held(site, given, spots, index)
--   frame:same_pages_part(render_list, npages), frame:kept_pages_part(fresh),
--   frame:special_pages(), frame:check_generated(render_list, npages, check)
--   frame:output_of(id), frame:index_of(id), frame:known_pages(), frame:order(), frame:has_output(out)
--   preview.reorder(order, pages, moved, before) -> the last order with re-dated pages moved
--   preview.page_fields(meta, lazy)           the pipeline's page metatable and computed fields
--   preview.track_before(...), preview.choose(...)   what an edit shown on other pages renders
--   preview.values_index()                    which pages hold a list value, kept across updates
local M = {}

local PLACE_FIELDS = { "path", "url", "date", "section", "output", "draft", "title", "menu_title",
  "menu", "weight" }

-- The fields of PLACE_FIELDS that only the default menu reads (it lists top-level pages). A
-- page below the top level whose URL (and output) moved keeps its place: frame:replace moves it.
local MENU_FIELDS = { title = true, menu_title = true, menu = true, weight = true, url = true,
  output = true }

-- Whether `now`, a new version of page `old`, sits where `old` sat (`redated`: or only its date
-- moved it, which frame:replace can follow).
function M.same_place(old, now, redated)
  local in_menu = old.section == "" or now.section == ""
  for _, k in ipairs(PLACE_FIELDS) do
    if old[k] ~= now[k] and (in_menu or not MENU_FIELDS[k]) and not (redated and k == "date") then
      return false
    end
  end
  return true
end

local no_priming -- a hook changed site.pages: the URL index is never primed again

-- A hook changed what the frame was given: later sites are never primed from a frame's index.
function M.stop_priming() no_priming = true end

local function copy_list(t) return table.move(t, 1, #t, 1, {}) end

local function copy_menu(menu)
  local copy = {}
  for i, m in ipairs(menu) do copy[i] = { name = m.name, url = m.url, weight = m.weight } end
  return copy
end

local Frame = {}
Frame.__index = Frame

-- The frame of an assembled site, taken before the site hooks ran (`sections`, `names` from
-- the pipeline's group_sections are the frame's own: the site gets copies; `outputs`: output ->
-- page). The default menu, if the site has one, comes with frame:keep_menu.
function M.frame(all, sections, names, outputs)
  local at, at_section, known, url_of = {}, {}, {}, {} -- (url_of: the URLs before the hooks)
  for i, p in ipairs(all) do
    at[p.id] = i
    known[p] = true
    url_of[i] = p.url
  end
  for _, list in pairs(sections) do
    for j, p in ipairs(list) do at_section[p.id] = j end
  end
  return setmetatable({ all = all, sections = sections, names = names, at = at, known = known,
           url_of = url_of, at_section = at_section, at_output = {}, outputs = {}, output_of_id = {},
           moved_last = {},
           builtin = { ["index.html"] = outputs["index.html"], ["404.html"] = outputs["404.html"] } }, Frame)
end

-- The default menu of the full assemble that made the frame; returns a copy for its site.
function Frame:keep_menu(menu)
  self.menu = menu
  return copy_menu(menu)
end

-- Copies of the frame's lists for a new site (hooks may change what they are given): the pages,
-- the sections, a function giving the default menu, and the built-in pages that exist.
function Frame:site_parts()
  local sections = {}
  for _, name in ipairs(self.names) do sections[name] = copy_list(self.sections[name]) end
  local menu = self.menu
  return copy_list(self.all), sections, function() return copy_menu(menu) end, self.builtin
end

-- Whether output `out` is one of the frame's pages' or built-in pages'.
function Frame:has_output(out) return self.builtin[out] or self.outputs[out] end

-- The place of page `id` in the frame's order (nil: not a page of the frame).
function Frame:index_of(id) return self.at[id] end

-- The index in the render list of page `id`'s output (nil: none).
function Frame:output_of(id) return self.at_output[id] end

-- The frame's pages as a set (page -> true: the tables themselves, not copies); read only.
function Frame:known_pages() return self.known end

-- The frame's pages in the order of the last full assemble (read only).
function Frame:order() return self.all end

-- The pages' URL index as site:find builds it (the first page with a URL wins), if the hooks
-- left every page's URL as it was; else nil.
local function pages_by_url(frame)
  local by_url, url_of = {}, frame.url_of
  for i, p in ipairs(frame.all) do
    local url = p.url
    if url ~= url_of[i] then return nil end
    if url ~= nil and by_url[url] == nil then by_url[url] = p end
  end
  return by_url
end

-- The URL index a new site's site:find may start from, or nil.
function Frame:url_index()
  if no_priming then return nil end
  return self.by_url
end

-- After the hooks: whether they left every page's neighbours as assemble set them (else each
-- update links every page again), the pages' URL index, and the pages' part of the render list
-- (its first `npages` entries).
function Frame:complete(render_list, npages, ok)
  local kept = true
  for _, list in pairs(self.sections) do
    for j, p in ipairs(list) do
      if p.prev ~= list[j + 1] or p.next ~= list[j - 1] then kept = false; break end
    end
  end
  self.links_kept = kept
  self.by_url = pages_by_url(self)
  self.pages = table.move(render_list, 1, npages, 1, {})
  self.at_output, self.output_of_id, self.special = {}, {}, {}
  for k, p in ipairs(self.pages) do
    if p.id then self.at_output[p.id], self.output_of_id[p.id] = k, p.output end
    local layout = p.layout
    if layout == false or layout == "none" or type(p.pages) == "table" then self.special[p] = true end
  end
  self.outputs = {}
  for k = 1, npages do self.outputs[render_list[k].output] = true end
  self.ok = ok
  self.moved_last = {}
end

-- The pages of `fresh` whose URL or output moved, as { id =, url =, output = } (what they had),
-- or nil when the frame cannot move one: the last assemble had an output claimed twice, an
-- output or URL is missing or taken (by another page, a built-in page, or another moved page).
local function moved_pages(frame, fresh)
  local moved, taken = {}, {}
  for id, p in pairs(fresh) do
    local was_url, was_out = frame.url_of[frame.at[id]], frame.output_of_id[id]
    if p.url ~= was_url or p.output ~= was_out then
      local url, out = p.url, p.output
      if not frame.ok or type(url) ~= "string" or type(out) ~= "string" or type(was_out) ~= "string"
         or frame.outputs[out] or taken[out] or out == "index.html" or out == "404.html"
         or (frame.by_url and (frame.by_url[url] ~= nil or frame.by_url[was_url] ~= frame.all[frame.at[id]])) then
        return nil
      end
      taken[out] = true
      moved[#moved + 1] = { id = id, url = was_url, output = was_out }
    end
  end
  return moved
end

-- Where page `p`, taken out of `list` at index `from`, goes back in the order `before` sorts
-- pages (a binary search of the others), or nil when it would tie with a neighbour (the order
-- of equals is table.sort's own: preview.reorder decides those).
local function new_place(list, from, p, before)
  local function other(j) if j < from then return list[j] end return list[j + 1] end
  local lo, hi = 1, #list
  while lo < hi do
    local mid = (lo + hi) // 2
    if before(other(mid), p) then lo = mid + 1 else hi = mid end
  end
  local newer, older = other(lo - 1), other(lo)
  if (older and not before(p, older)) or (newer and not before(newer, p)) then return nil end
  return lo
end

-- Moves list[from] to index `to`, the entries between shifting by one; `index` (entry's id ->
-- its index, may be nil) follows them. `parallel` (may be nil): an array moved alongside.
local function move_entry(list, from, to, index, parallel)
  local function shift(t)
    local v = t[from]
    if to < from then table.move(t, to, from - 1, to + 1) else table.move(t, from + 1, to, from) end
    t[to] = v
  end
  shift(list)
  if parallel then shift(parallel) end
  if index then
    for k = math.min(from, to), math.max(from, to) do
      local id = list[k].id
      if id ~= nil then index[id] = k end
    end
  end
end

-- One re-dated page put in its new place in the frame's lists, in place: only the entries
-- between its old and new places move (a date edit moves a post a few places, where rebuilding
-- the lists of every page cost ~16% of such an update). False, the frame unchanged, when the
-- new place would tie with a neighbour or the lists are not as complete left them.
local function moved_in_place(frame, id, before)
  local i = frame.at[id]
  local p = i and frame.all[i]
  if not p or p.id ~= id then return false end
  local list, a = frame.sections[p.section], frame.at_section[id]
  if not list or list[a] ~= p then return false end
  local k = frame.at_output[id]
  if k and frame.pages[k] ~= p then return false end
  local to = new_place(frame.all, i, p, before)
  if not to then return false end
  local to_section = new_place(list, a, p, before)
  local to_output = k and new_place(frame.pages, k, p, before)
  if not to_section or (k and not to_output) then return false end
  move_entry(frame.all, i, to, frame.at, frame.url_of)
  move_entry(list, a, to_section, frame.at_section)
  if k then move_entry(frame.pages, k, to_output, frame.at_output) end
  -- the sections in the order their first pages come
  table.sort(frame.names, function(x, y) return frame.at[frame.sections[x][1].id] < frame.at[frame.sections[y][1].id] end)
  return true
end

-- The frame's pages in their new order when the pages `redated` (id -> true) moved (`before`
-- sorts pages), with every list that follows from it: nil on a tie (preview.reorder), else
-- { all =, at =, url_of =, sections =, names =, at_section =, pages =, at_output = }.
local function reordered(frame, redated, before)
  local cur = {}
  for _, p in ipairs(frame.all) do cur[p.id] = p end
  local all = M.reorder(frame.all, cur, redated, before)
  if #all == 0 then return nil end
  local r = { all = all, at = {}, url_of = {}, sections = {}, names = {}, at_section = {}, pages = {}, at_output = {} }
  for k, p in ipairs(all) do
    r.at[p.id] = k
    r.url_of[k] = frame.url_of[frame.at[p.id]]
    local list = r.sections[p.section]
    if not list then
      list = {}
      r.sections[p.section] = list
      r.names[#r.names + 1] = p.section
    end
    list[#list + 1] = p
    r.at_section[p.id] = #list
  end
  -- the pages' part of the render list, as collect_outputs makes it from site.pages (checked
  -- after the hooks: same_pages_part)
  for _, p in ipairs(all) do
    if frame.at_output[p.id] then
      r.pages[#r.pages + 1] = p
      r.at_output[p.id] = #r.pages
    end
  end
  return r
end

-- Puts re-processed pages (id -> page) in the frame in place of their last versions, and links
-- them to their neighbours (`link(list)` links a whole section when the hooks changed links).
-- `redated` (id -> true, may be nil): pages whose date changed, put in their new places (`before`
-- sorts pages), their sections linked again. Returns where they are: { { section list, index },
-- ... }; nil (the frame unchanged) when a page's URL moved where the frame cannot follow
-- (moved_pages), or the new order has a tie.
function Frame:replace(fresh, link, redated, before)
  local moved = moved_pages(self, fresh)
  if not moved then return nil end
  local relink = nil
  if redated and next(redated) then
    local only = next(redated)
    if next(redated, only) ~= nil or not moved_in_place(self, only, before) then
      local r = reordered(self, redated, before)
      if not r then return nil end
      self.all, self.at, self.url_of, self.sections, self.names = r.all, r.at, r.url_of, r.sections, r.names
      self.at_section, self.pages, self.at_output = r.at_section, r.pages, r.at_output
    end
    relink = {}
    for id in pairs(redated) do relink[self.all[self.at[id]].section] = true end
  end
  for _, m in ipairs(moved) do
    local p, i = fresh[m.id], self.at[m.id]
    self.outputs[m.output] = nil
    self.outputs[p.output] = true
    self.url_of[i] = p.url
    self.output_of_id[m.id] = p.output
    if self.by_url then
      self.by_url[m.url] = nil
      self.by_url[p.url] = self.all[i] -- (the page's last version: replaced below)
    end
  end
  self.moved_last = moved
  local spots = {}
  for id, p in pairs(fresh) do
    local old = self.all[self.at[id]]
    self.known[old] = nil
    self.known[p] = true
    if self.by_url and self.by_url[p.url] == old then self.by_url[p.url] = p end
    self.all[self.at[id]] = p
    local list, j = self.sections[p.section], self.at_section[id]
    list[j] = p
    spots[#spots + 1] = { list, j }
    local k = self.at_output[id]
    if k and self.pages[k] and self.pages[k].id == id then self.pages[k] = p end
    if self.links_kept then
      local older, newer = list[j + 1], list[j - 1]
      p.prev, p.next = older, newer
      if older then older.next = p end
      if newer then newer.prev = p end
    end
  end
  if not self.links_kept then
    for _, list in pairs(self.sections) do link(list) end
  elseif relink then
    for section in pairs(relink) do link(self.sections[section]) end
  end
  return spots
end

-- After the hooks of an update that linked only the re-processed pages and their neighbours:
-- if the hooks changed one of those links, later updates link every page again. (A hook that
-- changes links far from the pages it was given is not seen; complete checks them all.)
function Frame:check_links(spots)
  if not self.links_kept then return end
  for _, spot in ipairs(spots) do
    local list, j = spot[1], spot[2]
    for k = j - 1, j + 1 do
      local q = list[k]
      if q and (q.prev ~= list[k + 1] or q.next ~= list[k - 1]) then
        self.links_kept = false
        return
      end
    end
  end
end

-- After the hooks, whether a primed URL index (`index`, the site's) is the one site:find would
-- have built: the hooks kept site.pages as `given` and the re-processed pages' URLs, and added
-- every generated page with site:add_page. (Other pages' URLs are taken as the last full
-- assemble found them.)
function Frame:index_held(s, given, spots, index)
  local all = self.all
  if s.pages ~= given or not folio.same_items(given, all) then return false end
  for _, spot in ipairs(spots) do
    local p = spot[1][spot[2]]
    if p.url ~= self.url_of[self.at[p.id]] then return false end
  end
  for _, g in ipairs(s.generated) do
    if g.url ~= nil and index[g.url] == nil then return false end
  end
  return true
end

-- Whether the pages' part of the render list is the frame's, entry for entry (and the pages
-- whose URL the last replace moved kept the output it gave them).
function Frame:same_pages_part(render_list, npages)
  local list = self.pages
  if not self.ok or #list ~= npages then return false end
  for k = 1, npages do -- (render_list is longer: folio.same_items compares whole lists)
    if render_list[k] ~= list[k] then return false end
  end
  for _, m in ipairs(self.moved_last) do
    local k = self.at_output[m.id]
    if not k or render_list[k].output ~= self.output_of_id[m.id] then return false end
  end
  return true
end

-- The pages' part of the render list as the frame has it (read only), for an update whose
-- re-processed pages (`fresh`, id -> page) each kept their entry in it and the output it gives
-- them; else nil. (The pages an update did not re-process are taken to show what they showed.)
function Frame:kept_pages_part(fresh)
  if not self.ok then return nil end
  for id, p in pairs(fresh) do
    local k = self.at_output[id]
    if not k or self.pages[k] ~= p or p.output ~= self.output_of_id[id] then return nil end
  end
  return self.pages
end

-- The pages of the pages' part that an update's choice looks at even when they did not change
-- (page -> true): those written as is and those with a `pages` list, as the last full
-- assemble found them.
function Frame:special_pages() return self.special end

-- The pages whose URL the last replace moved: { { id =, url =, output = }, ... } (what they had).
function Frame:moved() return self.moved_last end

-- Checks the generated outputs (render_list after its first `npages`) against the pages' (known
-- to be distinct) and each other; on a conflict, `check_all(render_list)` reports it as a full
-- assemble would.
function Frame:check_generated(render_list, npages, check_all)
  local seen = {}
  for k = npages + 1, #render_list do
    local out = render_list[k].output
    if self.outputs[out] or seen[out] then return (check_all(render_list)) end
    seen[out] = true
  end
  return true
end

-- The pages (id -> page) in the order `before` sorts them, made from `order`, their last sort,
-- where only the pages `moved` (id -> true: re-dated) changed what `before` compares: those are
-- taken out and put back where a binary search finds their places. Returns {} (sort them all)
-- unless the result is the one table.sort gives: `order` holds every page once, and no two
-- neighbours tie (the order of equals is table.sort's own).
function M.reorder(order, pages, moved, before)
  local n = 0
  for _ in pairs(pages) do n = n + 1 end
  if n ~= #order then return {} end
  local all, movers, seen = {}, {}, {}
  for _, p in ipairs(order) do
    local id = p.id
    local now = pages[id]
    if not now or seen[id] then return {} end
    seen[id] = true
    if moved[id] then movers[#movers + 1] = now else all[#all + 1] = now end
  end
  for id in pairs(moved) do
    if not seen[id] then return {} end
  end
  table.sort(movers, before)
  for _, p in ipairs(movers) do
    local lo, hi = 1, #all + 1
    while lo < hi do
      local mid = (lo + hi) // 2
      if before(all[mid], p) then lo = mid + 1 else hi = mid end
    end
    table.insert(all, lo, p)
  end
  -- the pages that stayed were sorted last time; each neighbour of a moved page is checked
  for k, p in ipairs(all) do
    if moved[p.id] then
      local older, newer = all[k + 1], all[k - 1]
      if (older and not before(p, older)) or (newer and not before(newer, p)) then return {} end
    end
  end
  return all
end

----------------------------------------------------------------------------------------------
-- What an output shows of other pages, for updates that changed such a field of a page (its
-- title, tags, date, URL): instead of rendering every output, only those that may show the
-- change. The rule (docs/serve.md, "What an update renders"): an output shows of other pages what
-- it reaches from its own page — the `pages` it lists, `prev` and `next`, `related` — and, on
-- every page, the top-level pages (the menu) and the newest post (the footer). A change to a
-- top-level page or the newest post, a page added, removed, or moved to another section,
-- language, layout or kind, renders everything; so does a multilingual page (translations).
-- Generated pages that list no pages (or list generated pages, as a terms page) are rendered
-- on every such update.

-- Fields that show on the pages that list or link a page but decide no list's members or order.
local DISPLAY_FIELDS = { title = true, slug = true, url = true, output = true, description = true }

-- Fields whose change renders everything: they decide where a page goes and how it is laid out.
local SHAPE_FIELDS = { "section", "lang", "layout", "kind", "draft", "path", "menu",
  "menu_title", "weight", "generated" }

-- The entries of a list page as text (their ids), or false when one is not a page of a source.
local function list_print(list)
  local parts = {}
  for i, p in ipairs(list) do
    local id = type(p) == "table" and rawget(p, "id")
    if not id then return false end
    parts[i] = id
  end
  return table.concat(parts, ",")
end

-- Whether two values a generated page holds show the same, as their text would tell: pages by
-- their id (a change to one of them is found through t.touched), numbers as they print (1 and
-- 1.0 differ), functions and userdata by their type, other tables (a paginator, a term page
-- listed on a terms page) by their fields, to a small depth (past it, anything is the same).
-- Answers for two tables are kept per depth (`memo`): many pages of a list share their tables
-- (a paginator's URLs), which are compared once.
local function same_shown(a, b, depth, memo)
  local ta, tb = type(a), type(b)
  if ta == "number" or tb == "number" then
    if ta ~= tb or math.type(a) ~= math.type(b) then return false end
    return math.type(a) == "integer" and a == b or tostring(a) == tostring(b)
  end
  if a == b then return true end
  if ta ~= "table" or tb ~= "table" then
    return ta == tb and (ta == "function" or ta == "userdata")
  end
  local ia, ib = rawget(a, "id"), rawget(b, "id")
  if ia ~= nil or ib ~= nil then return ia ~= nil and ib ~= nil and tostring(ia) == tostring(ib) end
  if depth > 4 then return true end
  local at_depth = memo[depth]
  if not at_depth then at_depth = {}; memo[depth] = at_depth end
  local known = at_depth[a]
  if not known then known = {}; at_depth[a] = known end
  local same = known[b]
  if same ~= nil then return same end
  same = true
  local n = 0
  for k, v in pairs(a) do
    n = n + 1
    local w = b[k]
    if w == nil or not same_shown(v, w, depth + 1, memo) then same = false; break end
  end
  if same then
    for _ in pairs(b) do n = n - 1 end
    same = n == 0
  end
  known[b] = same
  return same
end

local families_listing

-- Whether `list` (a list page's entries) shows a changed page: one of `objs` (the changed pages'
-- tables), or an entry not of the frame (`known`: page -> true) that `unknown(entry)` says is
-- changed. A page of the frame is told by identity, without being read (a cache miss per entry
-- on a large site); folio.count_keys asks in C.
function M.shows_changed(list, objs, known, unknown)
  if folio.count_keys(list, objs) > 0 then return true end
  if folio.count_keys(list, known) == #list then return false end
  for _, q in ipairs(list) do
    if not known[q] and unknown(q) then return true end
  end
  return false
end
local shows_changed = M.shows_changed

-- What a generated page's output shows, cheaply compared: its fields and theirs (two levels),
-- `pages` as a copy of its entries (compared by identity in C: a re-processed page is a new
-- table, and a list that holds one shows a changed page anyway).
local same_items = folio.same_items
local function snapshot(p)
  local snap = {}
  for k, v in pairs(p) do
    if k == "pages" and type(v) == "table" then
      snap[k] = { entries = table.move(v, 1, #v, 1, {}) }
    elseif type(v) == "table" and rawget(v, "id") == nil then
      local inner = {}
      for k2, v2 in pairs(v) do inner[k2] = v2 end
      snap[k] = { v, inner }
    else
      snap[k] = v
    end
  end
  return snap
end

-- Whether two values a generated page holds show the same: the same value, or tables that show
-- the same (same_shown).
local function same_value(w, v, memo)
  if w == v then return true end
  if type(w) ~= "table" or type(v) ~= "table" then return false end
  return same_shown(w, v, 1, memo)
end

local function same_as(snap, p, memo)
  local n = 0
  for k, v in pairs(p) do
    n = n + 1
    local was = snap[k]
    if k == "pages" and type(v) == "table" then
      if type(was) ~= "table" or not same_items(was.entries, v) then return false end
    elseif type(v) == "table" and rawget(v, "id") == nil then
      if type(was) ~= "table" then return false end
      -- its fields against those the snapshot copied (a new table, as a paginator of a list
      -- split again, or the same one changed)
      local inner, m = was[2], 0
      for k2, v2 in pairs(v) do
        m = m + 1
        if not same_value(inner[k2], v2, memo) then return false end
      end
      for _ in pairs(inner) do m = m - 1 end
      if m ~= 0 then return false end
    elseif was ~= v then
      return false
    end
  end
  for _ in pairs(snap) do n = n - 1 end
  return n == 0
end

-- The pages of one list split by pagination share their paginator's URLs: a list page's family
-- (itself when it has no paginator). A page added to or removed from a list changes the totals
-- and the slices of its whole family.
local function family(p)
  local pg = rawget(p, "paginator")
  return type(pg) == "table" and type(pg.urls) == "table" and pg.urls or p
end

-- The pipeline's page metatable and its computed fields (folio.page_field: name -> fn), so that
-- the passes below read a field a page does not compute with rawget, not through __index.
local page_meta, lazy_fields = nil, {}
function M.page_fields(meta, lazy) page_meta, lazy_fields = meta, lazy end

-- page[k], read without __index when that gives the same: a plain table, or a page whose
-- metatable computes no field `k`.
local function field(p, k)
  local mt = getmetatable(p)
  if mt == nil or (mt == page_meta and lazy_fields[k] == nil and k ~= "content") then return rawget(p, k) end
  return p[k]
end

-- The families (see family) of generated list pages that list one of `ids` (id -> true), but
-- those whose kind is a key of `skip_kinds` (may be nil). `objs` holds those pages' tables and
-- `known` the frame's pages (page -> true): a page of the frame is told by identity, without
-- reading it (a cache miss per entry on a large site); anything else (a copy of a page) by its
-- id. folio.lists_holding finds in C the few list pages holding a changed or an unknown entry;
-- `holding` (may be nil) is its answer for the same pages and no kinds skipped, when the caller
-- already has it.
families_listing = function(render_list, ids, skip_kinds, objs, known, first, holding)
  local found = {}
  local function listed_copy(q) return type(q) == "table" and ids[rawget(q, "id")] ~= nil end
  for _, k in ipairs(holding or folio.lists_holding(render_list, first or 1, objs, known, skip_kinds)) do
    local p = render_list[k]
    if not (holding and skip_kinds and skip_kinds[p.kind]) and shows_changed(p.pages, objs, known, listed_copy) then
      found[family(p)] = true
    end
  end
  return found
end

-- A page's related list as it stands (a copy of its entries, compared by identity in C with
-- folio.same_items; a re-processed page keeps its table, so one that shows a changed page is
-- found by id below), or false when it has none.
local function related_entries(p)
  local list = p.related
  if type(list) ~= "table" then return false end
  return table.move(list, 1, #list, 1, {})
end

-- The string values of a page's list fields (tags = { "a", "b" } gives "tags\0a", "tags\0b").
local function list_values(p, into)
  for k, v in pairs(p) do
    if type(k) == "string" and type(v) == "table" and v[1] ~= nil and type(v[1]) ~= "table" then
      for _, x in ipairs(v) do into[k .. "\0" .. tostring(x):lower()] = true end
    end
  end
end

-- Adds the ids of page `p`'s neighbours to `into` (the oldest page has no prev, the newest no
-- next: either may be missing).
local function add_neighbours(p, into)
  for _, key in ipairs { "prev", "next" } do
    local n = p[key]
    local nid = type(n) == "table" and rawget(n, "id")
    if nid then into[nid] = true end
  end
end

-- Whether a page is one the rule above lets render everything: top level (the menu), or
-- multilingual.
local function shown_everywhere(p)
  return p.section == "" or p.section == nil or (type(p.translations) == "table" and #p.translations > 0)
end

local function why(reason)
  if os.getenv("FOLIO_TIMINGS") then io.stderr:write("update: renders everything: " .. reason .. "\n") end
  return nil
end

-- folio's lists of the posts by date (the home page and its pagination, the archives' years
-- and months) choose and order their posts by date, section, language and draft state only (the
-- shape fields above render everything): an edit that changes no field but these keeps every
-- such list's pages where they are, and renders only the list pages that show the page edited.
local DATE_LISTS = { home = true, archive = true }
local KEEPS_DATE_LISTS = { tags = true, categories = true, title = true, description = true,
                           summary = true, author = true, image = true }
-- The fields a date edit changes with the date (a dated permalink's URL and output path, a
-- lastmod that follows the date): they keep those lists' pages too when the page keeps its
-- place (keeps_place).
local DATE_FOLLOWERS = { date = true, lastmod = true, url = true, slug = true, output = true }

-- Whether the one re-dated page of an edit (`olds` and `news`: id -> last and new version) keeps
-- its place: no other page of the last site's `pages` has a date between its old and new ones
-- (both ends included, so no tie is broken another way) and it stays in its year and month (the
-- archives' lists). Then every list by date keeps its members and their order, and the related
-- posts' ranks are as they were. More than one re-dated page: false (two may cross).
local function keeps_place(olds, news, pages)
  local old, now = nil, nil
  for id, o in pairs(olds) do
    local n = news[id]
    if n and n.date ~= o.date then
      if old then return false end
      old, now = o, n
    end
  end
  if not old then return true end
  local a, b = old.date, now.date
  if type(a) ~= "number" or type(b) ~= "number" or a ~= a or b ~= b then return false end
  if folio.date.format(a, "%Y-%m") ~= folio.date.format(b, "%Y-%m") then return false end
  local lo, hi = math.min(a, b), math.max(a, b)
  for _, q in ipairs(pages) do
    local d = rawget(q, "date")
    if q ~= old and type(d) == "number" and d >= lo and d <= hi then return false end
  end
  return true
end

-- The pages that hold a value in a list field, indexed across updates: the answer of
-- folio.pages_holding(all, k, wanted, skip, out) without reading every page's field on each edit
-- (~8 ms at 10k posts). A field's index is made by one pass over the pages when first asked (or
-- primed); after that only the pages marked since (re-processed, touched by a site hook,
-- rendered) are read again. Another table of pages (a new build) starts again.
--   local values = preview.values_index()
--   values:mark(id)                                    page `id`'s fields may have changed
--   values:prime(all, fields)                          the indexes of these fields made now
--   values:holding(all, k, wanted, skip, out) -> out   as folio.pages_holding
local ValuesIndex = {}
ValuesIndex.__index = ValuesIndex

function M.values_index() return setmetatable({ all = nil, fields = {} }, ValuesIndex) end

-- Page p's values in field k as folio.pages_holding reads them: the raw field's array items up
-- to the first nil, each tostring(v):lower(); nil when the field is no table.
local function lowered_values(p, k)
  local list = rawget(p, k)
  if type(list) ~= "table" then return nil end
  local out, i = {}, 1
  while true do
    local v = rawget(list, i)
    if v == nil then return out end
    out[i] = tostring(v):lower()
    i = i + 1
  end
end

local function index_page(field, id, p)
  local vals = lowered_values(p, field.name)
  field.of[id] = vals
  for _, x in ipairs(vals or {}) do
    local ids = field.by_value[x]
    if not ids then ids = {}; field.by_value[x] = ids end
    ids[id] = true
  end
end

local function unindex_page(field, id)
  for _, x in ipairs(field.of[id] or {}) do
    local ids = field.by_value[x]
    if ids then
      ids[id] = nil
      if next(ids) == nil then field.by_value[x] = nil end
    end
  end
  field.of[id] = nil
end

function ValuesIndex:mark(id)
  for _, field in pairs(self.fields) do field.stale[id] = true end
end

-- Forgets every field's index (the pages may all have changed: a full render).
function ValuesIndex:reset() self.fields = {} end

-- The index of field k over `all`, made (one pass over the pages) or brought up to date (the
-- pages marked since).
local function field_index(self, all, k)
  if all ~= self.all then self.all, self.fields = all, {} end
  local field = self.fields[k]
  if not field then
    field = { name = k, by_value = {}, of = {}, stale = {} }
    for id, p in pairs(all) do
      if type(p) == "table" then index_page(field, id, p) end
    end
    self.fields[k] = field
  elseif next(field.stale) ~= nil then
    for id in pairs(field.stale) do
      unindex_page(field, id)
      local p = all[id]
      if type(p) == "table" then index_page(field, id, p) end
    end
    field.stale = {}
  end
  return field
end

-- Makes the indexes of `fields` (a list of names) over `all` now, so that the first edit that
-- asks finds them made (the preview calls it after its first assemble).
function ValuesIndex:prime(all, fields)
  for _, k in ipairs(fields) do field_index(self, all, k) end
end

function ValuesIndex:holding(all, k, wanted, skip, out)
  local field = field_index(self, all, k)
  for x, on in pairs(wanted) do
    local ids = on and field.by_value[x]
    if ids then
      for id in pairs(ids) do
        if not skip[id] and all[id] ~= nil then out[id] = all[id] end
      end
    end
  end
  return out
end

-- Before the assemble of an update: what the outputs show now, for M.choose. `olds`: id -> the
-- page's last version (still in the last site), `news`: id -> its new version (nil: gone),
-- `render_list` and `site` the last assemble's, `all` every page (id -> page), `known` the
-- frame's pages (page -> true, or an empty table). Returns nil when the update must render
-- everything.
-- `kept` (may be nil): { npages =, special = } when the render list's first `npages` entries are
-- the frame's pages part: there only its special pages (Frame:special_pages) are snapshot.
-- `index` (may be nil): a M.values_index() kept across updates, asked instead of reading every
-- page's list fields.
function M.track_before(olds, news, render_list, site, all, changed, known, kept, index)
  local t = { touched = {}, neighbours = {}, lists = {}, related = {}, candidates = {}, known = known }
  -- only fields that show, not ones that decide which lists a page is on: no list changes but
  -- the changed pages' own entries
  t.display_only = true
  local why_not
  for k in pairs(changed) do
    if not DISPLAY_FIELDS[k] then t.display_only = false; why_not = k end
  end
  if why_not and os.getenv("FOLIO_TIMINGS") then
    local names = {}
    for k in pairs(changed) do names[#names + 1] = k end
    table.sort(names)
    io.stderr:write("track: lists may change (", table.concat(names, " "), ")\n")
  end
  local date_lists_kept, placed = true, nil
  local function kept_place()
    if placed == nil then placed = keeps_place(olds, news, site and site.pages or {}) end
    return placed
  end
  for k in pairs(changed) do
    if not KEEPS_DATE_LISTS[k] and not (DATE_FOLLOWERS[k] and kept_place()) then date_lists_kept = false end
  end
  t.skip_kinds = date_lists_kept and DATE_LISTS or nil -- (the kinds of lists that keep their pages)
  local values = {}
  for id, old in pairs(olds) do
    local now = news[id]
    if not now or shown_everywhere(old) or shown_everywhere(now) then return why("everywhere") end
    for _, k in ipairs(SHAPE_FIELDS) do
      if old[k] ~= now[k] then return why(k) end
    end
    if site and site.posts and site.posts[1] == old then return why("newest") end -- the footer's newest post
    t.touched[id] = true
    add_neighbours(old, t.neighbours)
    local was, is = {}, {}
    list_values(old, was)
    list_values(now, is)
    for key in pairs(was) do values[key] = true; if not is[key] then t.reranked = true end end
    for key in pairs(is) do values[key] = true; if not was[key] then t.reranked = true end end
    if old.date ~= now.date and not kept_place() then t.reranked = true end
  end
  local c0 = os.clock()
  local objs = {}
  for _, old in pairs(olds) do objs[old] = true end
  local first = kept and kept.npages + 1 or 1 -- (the generated pages come after the pages)
  local families = t.display_only and {} or families_listing(render_list, t.touched, t.skip_kinds, objs, known, first)
  local function take_snapshot(p)
    if rawget(p, "generated") then
      if families[family(p)] then t.lists[p.output] = snapshot(p) end
    else
      local list = field(p, "pages")
      if type(list) == "table" then t.lists[p.output] = list_print(list) end
    end
  end
  if kept then
    for p in pairs(kept.special) do take_snapshot(p) end
  end
  local no_families = next(families) == nil -- (then no generated page is snapshot)
  for k = first, #render_list do
    local p = render_list[k]
    if not (no_families and rawget(p, "generated")) then take_snapshot(p) end
  end
  local c1 = os.clock()
  -- the pages that share a listed value with a changed page: their related may change
  local names = {} -- field -> { value in lower case -> true }
  for key in pairs(values) do
    local k, x = key:match("^([^%z]*)%z(.*)$")
    names[k] = names[k] or {}
    names[k][x] = true
  end
  -- (asked in C: the loop reads every page's terms)
  for k, wanted in pairs(names) do
    if index then index:holding(all, k, wanted, t.touched, t.candidates)
    else folio.pages_holding(all, k, wanted, t.touched, t.candidates) end
  end
  if t.reranked then -- (related lists change only when the changed pages' terms or dates did)
    for id, p in pairs(t.candidates) do t.related[id] = related_entries(p) end
  end
  if os.getenv("FOLIO_TIMINGS") then
    local lists, candidates = 0, 0
    for _ in pairs(t.lists) do lists = lists + 1 end
    for _ in pairs(t.candidates) do candidates = candidates + 1 end
    io.stderr:write(string.format(
      "track: snapshots %.1f ms (%d lists), candidates %.1f ms (%d, related lists %s)\n",
      (c1 - c0) * 1e3, lists, (os.clock() - c1) * 1e3, candidates, t.reranked and "read" or "kept"))
  end
  return t
end

-- The generated part's indexes M.choose looks at when it need not look at them all: `others`
-- and `holding` (folio.lists_holding's), the pages snapshot before the update (`lists`: output ->
-- snapshot) and the pages of the families in `families_now` (a paginated list's family is its
-- paginator's URLs; any other family is a page of `holding`), found through `seen`'s maps, in
-- ascending order; nil when a family's page is not found (then every index is looked at).
local function some_generated(seen, lists, families_now, holding, others)
  local set = {}
  for _, k in ipairs(holding) do set[k] = true end
  for _, k in ipairs(others) do set[k] = true end
  for out in pairs(lists) do
    local k = seen.at_output[out]
    if k then set[k] = true end
  end
  for fam in pairs(families_now or {}) do
    if type(rawget(fam, 1)) == "string" then -- (a paginator's URLs)
      for _, url in ipairs(fam) do
        local k = seen.at_url[url]
        if not k then return nil end
        set[k] = true
      end
    end
  end
  local ks = {}
  for k in pairs(set) do ks[#ks + 1] = k end
  table.sort(ks)
  return ks
end

-- After the assemble: the indexes in render_list of what the update renders (see above), or nil
-- to render everything (`all`: id -> page, as after the update). `is_new(output)`: it was not
-- written last time; `as_is_changed(p)`: an output written as is (layout none) whose content
-- changed.
-- `kept` (may be nil): the render list's first `kept.npages` entries are the frame's pages part
-- (Frame:kept_pages_part); then only its pages that changed, their neighbours, the pages whose
-- related list changed and its special pages (Frame:special_pages: written as is, or with a
-- `pages` list) are looked at there, the others being as they were. `kept.generated` (may be
-- nil): { at_output = output -> index, at_url = url -> index } of the generated part, when every
-- output of it was written last time and none is there twice.
-- `t` is track_before's, to which the caller may add `shows_of(p)` (what p's layout says it shows
-- of other pages: field -> true, or nil) and `any_changed` (field -> true: every field of the
-- re-processed pages whose value changed); with both, a generated page that shows none of those
-- fields is not rendered.
function M.choose(t, render_list, site, all, is_new, as_is_changed, kept)
  if site.posts and site.posts[1] and t.touched[rawget(site.posts[1], "id") or false] then return nil end
  local render = {}
  for id in pairs(t.touched) do
    local p = all[id]
    if p then
      add_neighbours(p, t.neighbours)
    end
  end
  -- a candidate renders when its related list changed (only when terms or dates did), or
  -- shows a changed page (any version of it: told by id)
  local touched = t.touched
  local function shows_touched(list)
    for _, q in ipairs(list) do
      if type(q) == "table" and touched[rawget(q, "id") or false] then return true end
    end
    return false
  end
  for id, p in pairs(t.candidates) do
    local list = p.related
    if type(list) ~= "table" then
      if t.reranked and t.related[id] then render[id] = true end
    elseif (t.reranked and not (t.related[id] and same_items(t.related[id], list))) or shows_touched(list) then
      render[id] = true
    end
  end
  local todo, memo = {}, {}
  local objs, known = {}, t.known
  for id in pairs(t.touched) do
    local p = all[id]
    if p then objs[p] = true end
  end
  -- the generated list pages (from first_generated) that may show a changed page: only these
  -- can pass shows_changed below, or list a changed page for families_now (folio.lists_holding:
  -- one pass in C)
  local first_generated = kept and kept.npages + 1 or 1
  -- when no generated output is new, a plain generated list page (one lists_holding does not
  -- put in `others`) is taken only for holding a changed page, for its snapshot (track_before)
  -- or for its family in families_now: only those and the others are looked at (some_generated)
  local others = kept and kept.generated and {} or nil
  local holding_ks = folio.lists_holding(render_list, first_generated, objs, known, nil, others)
  local holding = {}
  for _, k in ipairs(holding_ks) do holding[k] = true end
  local families_now = not t.display_only
    and families_listing(render_list, t.touched, t.skip_kinds, objs, known, first_generated, holding_ks)
  -- a generated page whose layout says which fields of other pages it shows (`t.shows_of`,
  -- front matter `shows`), none of them among those that changed (`t.any_changed`: every field
  -- whose value changed, the ones only a page itself is taken to show too): its output is as it was
  local shows_of = t.shows_of
  local function shows_none_changed(p)
    local shows = shows_of and t.any_changed and rawget(p, "generated") and shows_of(p)
    if not shows then return false end
    for k in pairs(t.any_changed) do
      if shows[k] then return false end
    end
    return true
  end
  -- (an entry that is not a page of the frame: changed unless it is a copy of an unchanged page)
  local function maybe_changed(q)
    return type(q) ~= "table" or rawget(q, "id") == nil or t.touched[rawget(q, "id")] ~= nil
  end
  local function consider(k)
    local p = render_list[k]
    local id = rawget(p, "id")
    local layout = p.layout
    local as_is = layout == false or layout == "none"
    local list = field(p, "pages")
    local take
    if is_new(p.output) then
      take = true
    elseif as_is then
      take = as_is_changed(p)
    elseif id and (t.touched[id] or t.neighbours[id] or render[id]) then
      take = true
    elseif shows_none_changed(p) then
      take = false
    elseif rawget(p, "generated") and type(list) ~= "table" then
      take = true -- (it may show any page: an archive or a not-found page lists site.posts)
    elseif type(list) == "table" then
      local was = t.lists[p.output]
      if rawget(p, "generated") then
        if was then
          take = not same_as(was, p, memo)
        elseif t.display_only or (t.skip_kinds and t.skip_kinds[p.kind]) then -- its list kept its pages: it
          take = false                              -- changed if it lists a changed page (below)
        else -- its family listed none of the changed pages: it changed if it lists one now
          take = families_now[family(p)] == true
        end
      else
        local now = list_print(list)
        take = not now or now ~= was
      end
      if not take and type(list) == "table" and (holding[k] or k < first_generated or not rawget(p, "generated")) then
        take = shows_changed(list, objs, known, maybe_changed)
      end
    end
    if take then todo[#todo + 1] = k end
  end
  local first = 1
  if kept then
    local ks = {}
    local function add(id)
      local k = id and kept.output_of(id)
      if k and k <= kept.npages then ks[k] = true end
    end
    for id in pairs(t.touched) do add(id) end
    for id in pairs(t.neighbours) do add(id) end
    for id in pairs(render) do add(id) end
    for p in pairs(kept.special) do add(rawget(p, "id")) end
    local list = {}
    for k in pairs(ks) do list[#list + 1] = k end
    table.sort(list)
    for _, k in ipairs(list) do consider(k) end
    first = kept.npages + 1
  end
  local some = others and some_generated(kept.generated, t.lists, families_now, holding_ks, others)
  if some then
    for _, k in ipairs(some) do consider(k) end
  else
    for k = first, #render_list do consider(k) end
  end
  return todo
end

return M

-- folio.preview: what only `folio serve` keeps between updates — the frame of the site. The
-- frame is what assemble derives from where the pages sit: their order, sections and neighbours,
-- the default menu, which built-in pages exist, and the pages' part of the render list. An
-- update that re-processed pages without moving any of them (no page added, removed or changed
-- in PLACE_FIELDS) puts them into the frame in place of their last versions instead of passing
-- over every page again. The site hooks still run, on a fresh site, every time; the site's URL
-- index (site:find) starts from the frame's when the last full assemble showed that no hook
-- changes page URLs. The batch pipeline (folio.pipeline) never makes a frame.
--
--   preview.same_place(old, now)      whether a new version of a page sits where the old one sat
--   preview.frame(all, sections, names, outputs) -> frame
--   frame:complete(render_list, npages, ok)   after the hooks of a full assemble
--   frame:replace(fresh, link) -> spots       re-processed pages in place of their last versions
--   frame:check_links(spots)                  after the hooks of such an update
--   frame:keep_menu(menu) -> copy; frame:site_parts() -> all, sections, menu(), builtin (copies)
--   frame:url_index() -> by_url or nil        the pages' URL index, if it may prime site:find
--   frame:index_held(site, given, spots, index)
--   frame:same_pages_part(render_list, npages), frame:check_generated(render_list, npages, check)
--   frame:output_of(id), frame:known_pages(), frame:order(), frame:has_output(out)
local M = {}

local PLACE_FIELDS = { "path", "url", "date", "section", "output", "draft", "title", "menu_title",
  "menu", "weight" }

-- Whether `now`, a new version of page `old`, sits where `old` sat.
function M.same_place(old, now)
  for _, k in ipairs(PLACE_FIELDS) do
    if old[k] ~= now[k] then return false end
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
  local at, at_section, known, url_of = {}, {}, {}, {}
  for i, p in ipairs(all) do
    at[p.id] = i
    known[p] = true
    url_of[i] = p.url
  end
  for _, list in pairs(sections) do
    for j, p in ipairs(list) do at_section[p.id] = j end
  end
  return setmetatable({ all = all, sections = sections, names = names, at = at, known = known,
           url_of = url_of, at_section = at_section, at_output = {}, outputs = {},
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
  self.at_output = {}
  for k, p in ipairs(self.pages) do
    if p.id then self.at_output[p.id] = k end
  end
  self.outputs = {}
  for k = 1, npages do self.outputs[render_list[k].output] = true end
  self.ok = ok
end

-- Puts re-processed pages (id -> page) in the frame in place of their last versions, and links
-- them to their neighbours (`link(list)` links a whole section when the hooks changed links).
-- Returns where they are: { { section list, index }, ... }.
function Frame:replace(fresh, link)
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
  if s.pages ~= given or #given ~= #all then return false end
  for i = 1, #all do
    if given[i] ~= all[i] then return false end
  end
  for _, spot in ipairs(spots) do
    local p = spot[1][spot[2]]
    if p.url ~= self.url_of[self.at[p.id]] then return false end
  end
  for _, g in ipairs(s.generated) do
    if g.url ~= nil and index[g.url] == nil then return false end
  end
  return true
end

-- Whether the pages' part of the render list is the frame's, entry for entry.
function Frame:same_pages_part(render_list, npages)
  local list = self.pages
  if not self.ok or #list ~= npages then return false end
  for k = 1, npages do
    if render_list[k] ~= list[k] then return false end
  end
  return true
end

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

return M

-- compat/jekyll/archives.lua: the jekyll-archives plugin for a Jekyll site. Owns reading its
-- `jekyll-archives` settings from _config.yml and adding, in a site hook, one page per tag,
-- category, year, month and day it enables, rendered with the site's own layout (`layout:`,
-- per type `layouts:`) and shown to Liquid as jekyll-archives shows it: page.type ("tag",
-- "category", "year", "month", "day"), page.title (the tag or category; none for dates),
-- page.date (a date archive's first day), page.posts (newest first). The page drop reads these
-- from the generated page (compat/jekyll/drops.lua); the pages list their posts through folio's
-- `pages`, so the preview re-renders an archive when one of its posts changes.
-- Loaded by compat/jekyll/site.lua with (jekyll-archives' settings, site.lua's module).
local errors = require "folio.errors"

local settings, jekyll_site = ...
settings = type(settings) == "table" and settings or {}

local DEFAULT_PERMALINKS = {
  year = "/:year/", month = "/:year/:month/", day = "/:year/:month/:day/",
  tag = "/tag/:name/", category = "/category/:name/",
}
local PLURAL = { tag = "tags", category = "categories", year = "year", month = "month", day = "day" }

local function enabled(kind)
  local e = settings.enabled
  if e == true or e == "all" then return true end
  if type(e) ~= "table" then return false end
  for _, v in ipairs(e) do if v == PLURAL[kind] then return true end end
  return false
end

local function layout_of(kind)
  local per_type = type(settings.layouts) == "table" and settings.layouts[kind]
  local l = per_type or settings.layout or "archive"
  return (tostring(l):gsub("%.html$", ""))
end

local function permalink_of(kind)
  local p = type(settings.permalinks) == "table" and settings.permalinks[kind]
  return p and tostring(p) or DEFAULT_PERMALINKS[kind]
end

-- term -> posts (newest first, as site.posts is), terms in the order they first appear in the
-- oldest-first walk Jekyll makes (its post_attr_hash), so pages are added in Jekyll's order.
local function group_by_terms(posts, field)
  local lists, order = {}, {}
  for i = #posts, 1, -1 do
    for _, term in ipairs(posts[i][field] or {}) do
      local key = tostring(term)
      if not lists[key] then lists[key] = {}; order[#order + 1] = key end
    end
  end
  for _, p in ipairs(posts) do
    local seen = {}
    for _, term in ipairs(p[field] or {}) do
      local key = tostring(term)
      if not seen[key] then seen[key] = true; local l = lists[key]; l[#l + 1] = p end
    end
  end
  return lists, order
end

-- year -> month -> day -> posts (newest first), each level's keys newest first.
local function group_by_dates(posts)
  local years, year_order = {}, {}
  local function bucket(parent, order, key)
    local b = parent[key]
    if not b then b = { posts = {}, children = {}, order = {} }; parent[key] = b; order[#order + 1] = key end
    return b
  end
  for _, p in ipairs(posts) do
    if p.date then
      local y, m, d = folio.date.format(p.date, "%Y"), folio.date.format(p.date, "%m"), folio.date.format(p.date, "%d")
      local yb = bucket(years, year_order, y)
      local mb = bucket(yb.children, yb.order, m)
      local db = bucket(mb.children, mb.order, d)
      yb.posts[#yb.posts + 1] = p; mb.posts[#mb.posts + 1] = p; db.posts[#db.posts + 1] = p
    end
  end
  return years, year_order
end

-- The epoch of a date archive's first day (00:00 in the site's time zone).
local function first_day(y, m, d)
  return folio.date.parse(string.format("%s-%s-%s", y, m or "01", d or "01"))
end

-- Two archives at one URL ("C++" and "c" are both /tag/c/): the later one, as Jekyll writes
-- it; an archive at a page's URL: the page, with a warning.
return function(site)
  local posts = site.posts or {}
  local archives, at_url, clashes = {}, {}, {}
  local function add(kind, title, fields, list)
    local url = jekyll_site.expand(permalink_of(kind), fields)
    if site:find(url) then
      clashes[#clashes + 1] = url
      return
    end
    local a = { url = url, layout = layout_of(kind), kind = "list", pages = list,
                jekyll_archive = kind, title = title, date = fields.date, content = "" }
    local i = at_url[url]
    if i then archives[i] = a else archives[#archives + 1] = a; at_url[url] = #archives end
  end
  local slug_mode = settings.slug_mode and tostring(settings.slug_mode) or nil
  for _, kind in ipairs { "tag", "category" } do
    if enabled(kind) then
      local lists, order = group_by_terms(posts, kind == "tag" and "tags" or "categories")
      for _, term in ipairs(order) do
        add(kind, term, { name = jekyll_site.slugify(term, slug_mode), type = kind }, lists[term])
      end
    end
  end
  if enabled("year") or enabled("month") or enabled("day") then
    local years, year_order = group_by_dates(posts)
    for _, y in ipairs(year_order) do
      local yb = years[y]
      if enabled("year") then add("year", nil, { year = y, type = "year", date = first_day(y) }, yb.posts) end
      for _, m in ipairs(yb.order) do
        local mb = yb.children[m]
        if enabled("month") then add("month", nil, { year = y, month = m, type = "month", date = first_day(y, m) }, mb.posts) end
        for _, d in ipairs(mb.order) do
          if enabled("day") then
            add("day", nil, { year = y, month = m, day = d, type = "day", date = first_day(y, m, d) }, mb.children[d].posts)
          end
        end
      end
    end
  end
  for _, a in ipairs(archives) do site:add_page(a) end
  if #clashes > 0 then
    errors.warn("_config.yml", nil, "jekyll-archives: " .. #clashes .. " archive page(s) not written, their URL is another page's (" ..
                table.concat(clashes, ", ", 1, math.min(#clashes, 5)) .. (#clashes > 5 and ", ..." or "") .. ")",
                "change `jekyll-archives: permalinks:` or the page that has that URL")
  end
end

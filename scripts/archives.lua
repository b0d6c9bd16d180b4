-- archives.lua: date archives of the posts: a page per year (/2014/), per month (/2014/01/),
-- and an index (/archives/) of years and months with their counts.
--
-- Options (site.lua: `{ "archives", months = false }`):
--   section   the section archived (default "posts"; false: every dated content page)
--   months    also write month pages (default true)
--   url       URL of the index (default "/archives/"; false: no index)
--
-- Year and month pages: kind "archive", layout "list", `pages` newest first, `year` ("2014"),
-- `month` ("01", month pages only). The index: kind "archives", layout "archive", `years`.
-- Sets site.archives = { { year =, url =, count =, months = { { month =, name =, url =,
-- count = }, ... } }, ... }, newest year and month first. Months and years are those of the
-- post dates in the site's time zone. A URL already taken (a page at /2014/) is left alone,
-- with a warning. Runs at the site stage with order 45 (before pagination).
local opts = ... or {}
local section = opts.section == nil and "posts" or opts.section

local i18n = folio.i18n or { lookup = function() return nil end }

-- A multilingual site: an archive per language (folio.language_views) under its URL prefix.
local function archive(site)
  local prefix, lang = site.lang_prefix or "", rawget(site, "lang")
  local month_format = i18n.lookup("month_format", lang) or "%B %Y"
  local function find(url) return site:find(url) end
  local function add_page(t) return site:add_page(t) end
  local function add(_, t)
    if find(t.url) then
      folio.warn("archives: " .. t.url .. " is already a page; no archive written there")
      return
    end
    add_page(t)
  end
  local years, by_key = {}, {}
  for _, page in ipairs(site.pages) do
    if page.path and page.date and (not section or page.section == section) then
      local ym = folio.date.format(page.date, "%Y\1%m")
      local y, m = ym:match("^(.*)\1(.*)$")
      local year = by_key[y]
      if not year then
        year = { year = y, url = prefix .. "/" .. y .. "/", pages = {}, months = {} }
        by_key[y], years[#years + 1] = year, year
      end
      local month = by_key[y .. m]
      if not month then
        month = { year = y, month = m, url = prefix .. "/" .. y .. "/" .. m .. "/", pages = {},
                  name = i18n.format_date and i18n.format_date(page.date, month_format, lang) or folio.date.format(page.date, "%B %Y") }
        by_key[y .. m], year.months[#year.months + 1] = month, month
      end
      year.pages[#year.pages + 1] = page
      month.pages[#month.pages + 1] = page
    end
  end
  -- site.pages is newest first, so years and months already are.
  rawset(site, "archives", {})
  for _, year in ipairs(years) do
    local entry = { year = year.year, url = year.url, count = #year.pages, months = {} }
    add(site, { url = year.url, kind = "archive", layout = "list", title = year.year,
                year = year.year, pages = year.pages, lang = lang })
    for _, month in ipairs(year.months) do
      entry.months[#entry.months + 1] = { month = month.month, name = month.name,
        url = opts.months ~= false and month.url or nil, count = #month.pages }
      if opts.months ~= false then
        add(site, { url = month.url, kind = "archive", layout = "list", title = month.name,
                    year = month.year, month = month.month, pages = month.pages, lang = lang })
      end
    end
    site.archives[#site.archives + 1] = entry
  end
  if opts.url ~= false then
    add(site, { url = prefix .. (opts.url or "/archives/"), kind = "archives", layout = "archive",
                title = i18n.lookup("archives", lang) or "Archives", years = site.archives, lang = lang })
  end
end

folio.hook("site", function(root)
  for _, site in ipairs(folio.language_views and folio.language_views(root) or { root }) do archive(site) end
end, { order = 45 })

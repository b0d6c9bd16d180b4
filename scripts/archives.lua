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
-- count =, posts = }, ... } }, ... }, newest year and month first (`posts`: the month's pages,
-- newest first, the list its month page starts from). Months and years are those of the
-- post dates in the site's time zone. A URL already taken (a page at /2014/) is left alone,
-- with a warning. Runs at the site stage with order 45 (before pagination).
local opts = ... or {}
local section = opts.section == nil and "posts" or opts.section

-- The years and months of the pages' dates (each page's "year\1month\1month name", its part).
-- A part is split once: the pages of a month share it (`of_part`: part -> { year, month }).
local function group(site, parts, prefix)
  local years, by_key, of_part = {}, {}, {}
  for _, page in ipairs(site.pages) do
    local part = parts[page]
    if part then
      local both = of_part[part]
      if not both then
        local y, m, name = part:match("^(.-)\1(.-)\1(.*)$")
        local year = by_key[y]
        if not year then
          year = { year = y, url = prefix .. "/" .. y .. "/", pages = {}, months = {} }
          by_key[y], years[#years + 1] = year, year
        end
        local month = by_key[y .. "\1" .. m]
        if not month then
          month = { year = y, month = m, url = prefix .. "/" .. y .. "/" .. m .. "/", pages = {}, name = name }
          by_key[y .. "\1" .. m], year.months[#year.months + 1] = month, month
        end
        both = { year.pages, month.pages }
        of_part[part] = both
      end
      local year_pages, month_pages = both[1], both[2]
      year_pages[#year_pages + 1] = page
      month_pages[#month_pages + 1] = page
    end
  end
  return years
end

local i18n = folio.i18n or { lookup = function() return nil end }

-- Whether a date format prints nothing finer than the month (%B %b %h %Y %y %C %m, %-m, %%):
-- then every date of a month gives the same text.
local month_level = {}
local function by_month(fmt)
  local v = month_level[fmt]
  if v == nil then
    v = not fmt:gsub("%%%-?[BbhYyCm%%]", ""):find("%", 1, true)
    month_level[fmt] = v
  end
  return v
end

-- The month name of a page's date, in its language ("%B %Y", or the theme's month_format).
-- `ym`: the date's "year\1month\1"; the name is made once per month, language and format when
-- the format is month_level (names_of: language \0 format \0 ym -> name, kept for one run's
-- per_page pass: the next run may have other translations).
local names_of = {}
local function month_name(page, ym)
  local lang = page.lang
  local fmt = i18n.lookup("month_format", lang) or "%B %Y"
  local key = nil
  if by_month(fmt) then
    local shown = lang or (i18n.current and i18n.current()) -- (format_date's language)
    key = type(shown) == "string" and shown .. "\0" .. fmt .. "\0" .. ym
    local name = key and names_of[key]
    if name then return name end
  end
  local name
  if i18n.format_date then name = i18n.format_date(page.date, fmt, lang)
  else name = folio.date.format(page.date, "%B %Y") end
  if key then names_of[key] = name end
  return name
end

local same_pages = folio.same_items

-- The last run's years per language view (folio serve), reused while no page moved:
-- lang -> { years =, pages = the view's pages then }
local last_of = {}

-- A multilingual site: an archive per language (folio.language_views) under its URL prefix.
local function archive(site, parts, changes)
  local prefix, lang = site.lang_prefix or "", rawget(site, "lang")
  local function find(url) return site:find(url) end
  local function add(t)
    if find(t.url) then
      folio.warn("archives: " .. t.url .. " is already a page; no archive written there")
      return
    end
    site:add_page(t)
  end
  local last = last_of[lang or ""]
  if not (changes.same and last and same_pages(last.pages, site.pages)) then
    -- (the view's pages, for the next run: none follows a folio build)
    local pages = changes.final and {} or table.move(site.pages, 1, #site.pages, 1, {})
    last = { years = group(site, parts, prefix), pages = pages }
    last_of[lang or ""] = last
  end
  -- site.pages is newest first, so years and months already are.
  rawset(site, "archives", {})
  for _, year in ipairs(last.years) do
    local entry = { year = year.year, url = year.url, count = #year.pages, months = {} }
    add({ url = year.url, kind = "archive", layout = "list", title = year.year,
          year = year.year, pages = year.pages, lang = lang })
    for _, month in ipairs(year.months) do
      entry.months[#entry.months + 1] = { month = month.month, name = month.name,
        url = opts.months ~= false and month.url or nil, count = #month.pages, posts = month.pages }
      if opts.months ~= false then
        add({ url = month.url, kind = "archive", layout = "list", title = month.name,
              year = month.year, month = month.month, pages = month.pages, lang = lang })
      end
    end
    site.archives[#site.archives + 1] = entry
  end
  if opts.url ~= false then
    add({ url = prefix .. (opts.url or "/archives/"), kind = "archives", layout = "archive",
          title = i18n.lookup("archives", lang) or "Archives", years = site.archives, lang = lang })
  end
end

folio.site_hook {
  name = "archives",
  order = 45,
  -- the page's year, month and month name (in the page's language)
  per_page = function(page)
    if page.path and page.date and (not section or page.section == section) then
      local ym = folio.date.format(page.date, "%Y\1%m\1")
      return ym .. month_name(page, ym)
    end
  end,
  combine = function(root, parts, changes)
    for _, site in ipairs(folio.language_views and folio.language_views(root) or { root }) do
      archive(site, parts, changes)
    end
    names_of = {}
    if changes.final then last_of = {} end -- no run follows (folio build): keep nothing
  end,
}

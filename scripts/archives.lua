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

-- The years and months of the pages' dates (each page's "year\1month\1month name", its part).
local function group(site, parts)
  local years, by_key = {}, {}
  for _, page in ipairs(site.pages) do
    local part = parts[page]
    if part then
      local y, m, name = part:match("^(.-)\1(.-)\1(.*)$")
      local year = by_key[y]
      if not year then
        year = { year = y, url = "/" .. y .. "/", pages = {}, months = {} }
        by_key[y], years[#years + 1] = year, year
      end
      local month = by_key[y .. "\1" .. m]
      if not month then
        month = { year = y, month = m, url = "/" .. y .. "/" .. m .. "/", pages = {}, name = name }
        by_key[y .. "\1" .. m], year.months[#year.months + 1] = month, month
      end
      year.pages[#year.pages + 1] = page
      month.pages[#month.pages + 1] = page
    end
  end
  return years
end

local last_years = nil -- the last run's years (folio serve), reused while no page moved

folio.site_hook {
  name = "archives",
  order = 45,
  per_page = function(page)
    if page.path and page.date and (not section or page.section == section) then
      return folio.date.format(page.date, "%Y\1%m\1%B %Y")
    end
  end,
  combine = function(site, parts, changes)
    local function find(url) return site:find(url) end
    local function add(t)
      if find(t.url) then
        folio.warn("archives: " .. t.url .. " is already a page; no archive written there")
        return
      end
      site:add_page(t)
    end
    if not (changes.same and last_years) then last_years = group(site, parts) end
    -- site.pages is newest first, so years and months already are.
    site.archives = {}
    for _, year in ipairs(last_years) do
      local entry = { year = year.year, url = year.url, count = #year.pages, months = {} }
      add({ url = year.url, kind = "archive", layout = "list", title = year.year,
            year = year.year, pages = year.pages })
      for _, month in ipairs(year.months) do
        entry.months[#entry.months + 1] = { month = month.month, name = month.name,
          url = opts.months ~= false and month.url or nil, count = #month.pages }
        if opts.months ~= false then
          add({ url = month.url, kind = "archive", layout = "list", title = month.name,
                year = month.year, month = month.month, pages = month.pages })
        end
      end
      site.archives[#site.archives + 1] = entry
    end
    if opts.url ~= false then
      add({ url = opts.url or "/archives/", kind = "archives", layout = "archive",
            title = "Archives", years = site.archives })
    end
  end,
}

-- paginate.lua: splits list pages (home, terms, archives) into pages of `per_page` entries.
--
-- Options (site.lua: `{ "paginate", per_page = 5 }`):
--   per_page   entries per page (default: site.lua's `paginate`, else 10)
--   kinds      kinds of pages to split (default { "home", "term", "list", "archive" })
--   path       where page k >= 2 goes, under the list's folder, `:num` being k (default
--              "page/:num/"; Jekyll sites: their `paginate_path`, "page:num/" by default).
--              With a path of one's own, no redirect is written for page 1
--
-- Page 1 stays at the list's URL; page k >= 2 is `<list url>page/k/` (`/tags/go/page/2/`), a
-- copy of the list page with its own slice of `pages`. `<list url>page/1/` is a redirect to the
-- list's URL (kind "alias", so the sitemap leaves it out); it is written only when there is a
-- page 2. Every page gets
--   page.paginator = { number =, count =, total =, per_page =, prev =, next =, first =, last =,
--                      urls = { url of page 1, url of page 2, ... },
--                      window = { { number =, url =, current = }, { gap = true }, ... } }
-- (prev/next are nil at the ends). `window` is what a page links to: the first and last pages
-- and the current one +-2, in order, with `{ gap = true }` where pages are left out; it has at
-- most 9 entries however long the list, so links on every page cost the same (`urls` is one
-- table shared by all the pages of a list, and so are the entries of `window` other than the
-- current page's). A list with no entries is one empty page (count = 1).
-- Runs at the site stage with order 90, after the plugins that create list pages.
local opts = ... or {}
local page_path = opts.path or "page/:num/"
local kinds = {}
for _, k in ipairs(opts.kinds or { "home", "term", "list", "archive" }) do kinds[k] = true end

local function redirect(to)
  to = folio.escape(to)
  return '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Redirecting</title>'
    .. '<link rel="canonical" href="' .. to .. '"><meta name="robots" content="noindex">'
    .. '<meta http-equiv="refresh" content="0; url=' .. to .. '"></head>'
    .. '<body><p><a href="' .. to .. '">' .. to .. '</a></p></body></html>\n'
end

-- The pages page `k` of `count` links to: 1, k-2 .. k+2, count, with a gap entry where numbers
-- are skipped (a gap of one page shows that page instead). `links` holds the entries the pages
-- of one list share (page i, not current: links[i]; a gap: links.gap), so that a list of n pages
-- makes n + 1 of them, not 7n.
-- (one loop over the numbers 1, k-2 .. k+2, count, in that order: no closures made per page)
local WINDOW = 2
local function link(links, urls, i)
  local entry = links[i]
  if not entry then entry = { number = i, url = urls[i], current = false }; links[i] = entry end
  return entry
end
local LAST_STEP = 2 * WINDOW + 2
local function window(k, count, urls, links)
  local out, n, last = {}, 0, 0
  for step = 0, LAST_STEP do
    local i = step == 0 and 1 or step == LAST_STEP and count or k - WINDOW + step - 1
    if i >= 1 and i <= count and i > last then
      if i == last + 2 then
        n = n + 1
        out[n] = link(links, urls, last + 1)
      elseif i > last + 2 then
        links.gap = links.gap or { gap = true }
        n = n + 1
        out[n] = links.gap
      end
      n = n + 1
      out[n] = i == k and { number = i, url = urls[i], current = true } or link(links, urls, i)
      last = i
    end
  end
  return out
end

-- all[from..to] as a new list, made at its size when it is short (a page's slice)
local unpack = table.unpack
local function slice_of(all, from, to)
  if to - from < 256 then return { unpack(all, from, to) } end
  return table.move(all, from, to, 1, {})
end

local same_items = folio.same_items

-- Whether `list` has the fields `fields` (by value, tables by identity), its entries aside.
local function same_fields(list, fields)
  for key, v in pairs(list) do
    if key ~= "pages" and key ~= "paginator" and fields[key] ~= v then return false end
  end
  for key in pairs(fields) do
    if rawget(list, key) == nil then return false end
  end
  return true
end

-- Splits `list`; returns what it did, for the next run: { pages = the entries (a copy), fields
-- = the list's other fields, first = { pages, paginator } of page 1, added = the pages added,
-- split = page k's table (page 1: `first`), urls, links }. `before` (may be nil): what the last
-- run did with the list, when it had the same fields and as many entries (a date edit moved
-- some): then its pages whose slice holds the same entries are given again as they were.
-- `final`: no run follows (folio build), so `pages` and `fields` are not kept.
local function paginate(site, list, per_page, find, add_page, before, final)
  local all = list.pages or {}
  local count = math.max(1, math.ceil(#all / per_page))
  local base = list.url:match("^(.*/)")
  local again = before and before.per_page == per_page and #before.pages == #all
    and same_fields(list, before.fields) and before or nil
  local urls = again and again.urls or { list.url }
  local links = again and again.links or {} -- the window entries its pages share (see window)
  local added, split = {}, {}
  if not again then
    for k = 2, count do urls[k] = base .. page_path:gsub(":num", tostring(k)) end
  end
  local done = { pages = not final and table.move(all, 1, #all, 1, {}) or nil, given = list.pages, fields = {},
                 added = added, split = split, urls = urls, links = links }
  if not final then
    for key, v in pairs(list) do
      if key ~= "pages" and key ~= "paginator" then done.fields[key] = v end
    end
  end
  for k = 1, count do
    local slice = slice_of(all, (k - 1) * per_page + 1, math.min(k * per_page, #all))
    local old = again and again.split[k]
    local page = list
    if old and same_items(old.pages, slice) then
      if k > 1 then page = old else list.pages, list.paginator = old.pages, old.paginator end
    else
      if k > 1 then
        page = {}
        for key, v in pairs(list) do
          if key ~= "url" and key ~= "output" and key ~= "path" then page[key] = v end
        end
        page.url = urls[k]
      end
      page.pages = slice
      page.paginator = {
        number = k, count = count, total = #all, per_page = per_page, urls = urls,
        first = urls[1], last = urls[count], prev = urls[k - 1], next = urls[k + 1],
        window = window(k, count, urls, links),
      }
    end
    if k > 1 then
      add_page(page)
      added[#added + 1] = page
      split[k] = page
    end
  end
  done.first = { pages = list.pages, paginator = list.paginator }
  split[1] = done.first
  if count > 1 and not opts.path and not find(base .. "page/1/") then
    local alias = add_page({ url = base .. "page/1/", kind = "alias", layout = false,
                             content = redirect(site.base_url:gsub("/$", "") .. list.url) })
    added[#added + 1] = alias
  end
  return done
end

-- Whether `list` is what `done` split: the same fields (by value, tables by identity) and
-- the same entries in the same order.
local function same_list(list, done)
  local all = list.pages or {}
  local before = done.pages
  if #all ~= #before or not same_fields(list, done.fields) then return false end
  return all == done.given or same_items(all, before) -- (the same list table: entries not compared)
end

-- What the last run split, by list URL (folio serve): a list that is the same again gets the
-- same pages (they are added again as they were) instead of being split again.
local last_done = {}

-- Whether a page is a list to split (a page that has a paginator is a page >= 2 of one).
local function is_list(p) return kinds[p.kind] and p.output ~= false and not p.paginator end

folio.site_hook {
  name = "paginate",
  order = 90,
  -- a content page's part: whether it is a list (read once per page, not on every update)
  per_page = function(p) return is_list(p) or nil end,
  combine = function(site, parts, changes)
    local per_page = math.tointeger(opts.per_page or site.paginate) or 10
    assert(per_page >= 1, "paginate: per_page must be at least 1")
    -- The lists to split, among content pages and generated ones (home, terms, archives),
    -- collected first as pagination adds pages.
    local lists = {}
    for _, p in ipairs(site.pages) do
      if parts[p] then lists[#lists + 1] = p end
    end
    for _, p in ipairs(site.generated) do
      if is_list(p) then lists[#lists + 1] = p end
    end
    local function find(url) return site:find(url) end
    local function add_page(t) return site:add_page(t) end
    local done_now = {}
    for _, list in ipairs(lists) do
      local done = last_done[list.url]
      if done and not done_now[list.url] and same_list(list, done) and done.per_page == per_page then
        list.pages, list.paginator = done.first.pages, done.first.paginator
        local again, n = done.added, #done.added
        local alias = done.added[n]
        if alias and alias.kind == "alias" then -- (the last one, made only where no page was)
          again = table.move(done.added, 1, n - 1, 1, {})
          if not find(alias.url) then again[n] = alias end
        end
        site:add_pages(again)
      else
        done = paginate(site, list, per_page, find, add_page, not done_now[list.url] and done or nil, changes.final)
        done.per_page = per_page
      end
      done_now[list.url] = done
    end
    last_done = changes.final and {} or done_now -- no run follows (folio build): keep nothing
  end,
}

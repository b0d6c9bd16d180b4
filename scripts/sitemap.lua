-- sitemap.lua: /sitemap.xml (sitemaps.org protocol 0.9) and /robots.txt pointing to it.
--
-- Options (site.lua: `{ "sitemap", robots = false }`):
--   robots   write /robots.txt (default true; a site with its own robots.txt sets false)
--
-- Lists every HTML page that is written: content pages, lists, terms, archives, pagination
-- pages. Left out: pages with `output = false`, files written as is (feeds, `layout = false`),
-- redirects (kind "alias"), the 404 page, and pages with `sitemap: false` front matter.
-- `<lastmod>` is the page's lastmod (else date); for a list, that of its newest entry.
-- A multilingual site's pages that have translations list them, and themselves, as
-- <xhtml:link rel="alternate" hreflang="..." href="..."/> (Google's form of alternates).
-- Runs at the site stage with order 95, after the plugins that add pages.
local opts = ... or {}

local function listed(p)
  return p.output ~= false and p.layout ~= false and p.kind ~= "alias" and p.kind ~= "404"
    and p.url ~= "/404.html" and p.sitemap ~= false
end

-- A page's lastmod: its own (lastmod, else date), or for a list the newest of that and its
-- entries' own. `times` (may be nil): page -> its own time, for the pages it has (folio.newest_time
-- reads an entry's fields only when `times` lacks it).
local function lastmod(p, times)
  local t = p.lastmod or p.date
  local list = p.pages
  if list and list[1] ~= nil then t = folio.newest_time(list, t, times) end
  return t
end

-- A URL as the protocol wants it: non-ASCII bytes and spaces percent-encoded (an Arabic slug's
-- /ar/مرحبا/ is /ar/%D9%85.../, as Google's sitemap guide writes it), then entity-escaped.
local function loc(url)
  if url:find("[\128-\255 ]") then
    url = url:gsub("[\128-\255 ]", function(c) return string.format("%%%02X", c:byte()) end)
  end
  return folio.escape(url)
end

-- One <url> element: the page's absolute URL and its lastmod (RFC 3339) when it has one. `head`
-- is "\n<url><loc>" and the site's root as loc gives it (see head_of): loc encodes and escapes
-- byte by byte, so loc(root .. url) is loc(root) .. loc(url), and the URL is not copied first.
local function element(head, url, t)
  if t and t > 0 then
    return head .. loc(url) .. "</loc><lastmod>" .. folio.date.iso(t) .. "</lastmod></url>"
  end
  return head .. loc(url) .. "</loc></url>"
end

local head_root, head = nil, nil
local function head_of(root)
  if root ~= head_root then head_root, head = root, "\n<url><loc>" .. loc(root) end
  return head
end

-- Kept between runs of the site stage (folio serve): the generated pages' elements by URL and
-- lastmod, the URLs of the last run in sitemap order, and the file it wrote.
local generated_elements = {}
-- a generated page's { pages = the `pages` its lastmod was computed from, url =, t = its
-- lastmod (false: none), el = its element }, by page table (a page paginate or taxonomies give
-- again: its element without a lookup by URL)
local memo_of = setmetatable({}, { __mode = "k" })
local content_time = setmetatable({}, { __mode = "k" }) -- a content page's lastmod (false: none)
local last = nil -- { urls = sorted list, set = url -> true, pieces = list, content = string }
-- The content pages' own times (page -> lastmod or date, false: none), from their parts, once
-- made: each run patches it with the pages whose parts it made again (folio serve: the edited
-- ones), so a list's lastmod is not preceded by a walk over every page. Weak keys: a page gone
-- from the site is in no list, and its entry goes with it.
local kept_times = nil

-- The file: the header, the elements, the closing tag, joined by folio.concat_strings (sized
-- first, each piece copied once: table.concat doubles its buffer as it goes).
local function document(head, elements)
  local all = { head }
  table.move(elements, 1, #elements, 2, all)
  all[#all + 1] = "\n</urlset>\n"
  return folio.concat_strings(all, #all)
end

local function header(multilingual)
  return '<?xml version="1.0" encoding="UTF-8"?>\n' .. (multilingual
    and '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">'
    or '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
end

-- A multilingual site's page with translations: its element with them, and itself, as
-- <xhtml:link rel="alternate" hreflang=...> links. Made in combine, not per_page: a page's
-- translations are other pages (whose URL changes change their own parts, so an unchanged run
-- still reuses the last file).
local function with_alternates(site, root, p, el)
  local list = p.lang and folio.translations_of(site, p)
  if not list or #list == 0 then return el end
  local links = { "" }
  for _, tr in ipairs({ { lang = p.lang, url = p.url }, table.unpack(list) }) do
    links[#links + 1] = '<xhtml:link rel="alternate" hreflang="' .. folio.escape(tr.lang) .. '" href="'
      .. loc(root .. tr.url) .. '"/>'
  end
  return el:sub(1, -7) .. table.concat(links, "\n  ") .. "\n</url>"
end

-- The site's base URL without its trailing slash (remembered: per_page asks for every page).
local base, root = nil, nil
local function root_of(base_url)
  if base_url ~= base then base, root = base_url, (base_url:gsub("/$", "")) end
  return root
end

-- The index of `url` in the sorted list `urls` (where it is, or where it would go).
local function search_sorted(urls, url)
  local lo, hi = 1, #urls + 1
  while lo < hi do
    local mid = (lo + hi) // 2
    if urls[mid] < url then lo = mid + 1 else hi = mid end
  end
  return lo
end

-- folio serve, a few content pages changed: the last run's sorted URLs and elements patched with
-- the changed pages' parts (a URL moved, an element changed), instead of every page walked and
-- sorted again. nil when that is not possible (pages added or gone, URLs that more than one page
-- has, other generated pages): combine then makes the file from all parts.
local function patched(site, parts, changes, gen_urls, gen_elements, gen_times)
  local prev = last
  if not prev or prev.dups or not prev.url_of or prev.npages ~= #site.pages or changes.first
    or #gen_urls ~= #prev.gen_urls or #changes.pages > 64 then return nil end
  for i, url in ipairs(gen_urls) do
    if prev.gen_urls[i] ~= url then return nil end
  end
  local by_url, sorted, url_of, elements = prev.by_url, prev.urls, prev.url_of, prev.pieces
  if not elements or #elements ~= #sorted then return nil end
  for _, p in ipairs(changes.pages) do
    if url_of[p] == nil then return nil end
  end
  -- (`elements` is the element of each URL of `sorted`, patched in step with it)
  for i, url in ipairs(gen_urls) do -- generated pages whose element changed (a list's lastmod)
    local el = gen_elements[i]
    if el ~= prev.gen_elements[i] then
      local k = search_sorted(sorted, url)
      if sorted[k] ~= url then last = nil; return nil end
      elements[k], by_url[url] = el, el
    end
  end
  for _, p in ipairs(changes.pages) do -- take the changed pages' old URLs out...
    local old = url_of[p]
    if old then
      local i = search_sorted(sorted, old)
      if sorted[i] ~= old then last = nil; return nil end
      table.remove(sorted, i)
      table.remove(elements, i)
      by_url[old], prev.set[old] = nil, nil
    end
  end
  for _, p in ipairs(changes.pages) do -- ...and put their new ones in
    local part = parts[p]
    local url = part and part[1] or false
    if url then
      if by_url[url] ~= nil then last = nil; return nil end -- two pages with one URL
      local k = search_sorted(sorted, url)
      table.insert(sorted, k, url)
      table.insert(elements, k, part[2])
      by_url[url], prev.set[url] = part[2], true
    end
    url_of[p] = url
  end
  local content = document(header(false), elements)
  prev.pieces, prev.content, prev.gen_elements, prev.gen_times = elements, content, gen_elements, gen_times
  return content
end

-- /sitemap.xml with `content`, and /robots.txt pointing to it.
local function write_files(site, root, content)
  site:add_page({ url = "/sitemap.xml", kind = "sitemap", layout = false, content = content })
  if opts.robots ~= false then
    site:add_page({ url = "/robots.txt", kind = "robots", layout = false,
                    content = "User-agent: *\nAllow: /\n\nSitemap: " .. root .. "/sitemap.xml\n" })
  end
end

-- What the runs keep for the next one, dropped (a folio build's only run).
local function forget()
  last, generated_elements, kept_times = nil, {}, nil
  memo_of = setmetatable({}, { __mode = "k" })
  content_time = setmetatable({}, { __mode = "k" })
end

-- A folio build's only run: every listed page's element in URL order, in one stable sort in C of
-- the URLs beside their elements (content pages' first, in site order, then generated ones': a
-- URL more than one page has keeps them in that order, as combine's table of URLs did).
local function document_once(site, parts, root, multilingual, gen_urls, gen_elements)
  local size = #site.pages + #gen_urls
  local keys, values, k = folio.new_table(size, 0), folio.new_table(size, 0), 0
  for _, p in ipairs(site.pages) do
    local part = parts[p]
    if part and part[1] then
      k = k + 1
      keys[k], values[k] = part[1], multilingual and with_alternates(site, root, p, part[2]) or part[2]
    end
  end
  for i, url in ipairs(gen_urls) do
    k = k + 1
    keys[k], values[k] = url, gen_elements[i]
  end
  return document(header(multilingual), folio.ordered_by(keys, values))
end

folio.site_hook {
  name = "sitemap",
  order = 95,
  -- a content page's element: its url, lastmod or date, and whether it is listed (a page left
  -- out still gives its lastmod, which the lists that show it take)
  per_page = function(p, site)
    local own = p.lastmod or p.date
    local t, list = own, p.pages -- (lastmod(p), its fields read once)
    if list and list[1] ~= nil then t = folio.newest_time(list, own) end
    if listed(p) then
      local url = p.url
      return { url, element(head_of(root_of(site.base_url)), url, t), own or false }
    end
    return { false, t, own or false }
  end,
  combine = function(site, parts, changes)
    local root = site.base_url:gsub("/$", "")
    local multilingual = rawget(site, "language_sites") ~= nil and folio.translations_of ~= nil
    -- the content pages' own times, from their parts: the last run's patched with this run's
    -- changed pages, else made when a list's lastmod is first needed (and kept if a run follows)
    local own_times = nil
    if kept_times and not changes.first then
      for _, p in ipairs(changes.pages) do
        local part = parts[p]
        if part then kept_times[p] = part[3] else kept_times[p] = nil end
      end
      own_times = kept_times
    else
      kept_times = nil
    end
    local function times_of_pages()
      if not own_times then
        own_times = folio.new_table(0, #site.pages)
        for _, p in ipairs(site.pages) do
          local part = parts[p]
          if part then own_times[p] = part[3] end
        end
        if not changes.final then kept_times = setmetatable(own_times, { __mode = "k" }) end
      end
      return own_times
    end
    -- nothing changed that content pages give (their lastmod included) and the same generated
    -- pages with the same lists as last time: the same file (a list's lastmod is kept by page)
    if changes.same and last then
      local urls, times, j, same = last.gen_urls, last.gen_times, 0, true
      for _, p in ipairs(site.generated) do
        if listed(p) then
          j = j + 1
          local m, t = memo_of[p], nil
          if m and m.pages == p.pages then t = m.t else t = lastmod(p, times_of_pages()) or false end
          if urls[j] ~= p.url or times[j] ~= t then same = false; break end
        end
      end
      if same and j == #urls then
        write_files(site, root, last.content)
        return
      end
    end
    -- the lists' lastmods of the last run still hold when no content page's lastmod changed
    -- and a list has the same `pages` (folio serve: a title or body edit); when one did (a date
    -- edit), for the lists with the same `pages` that list none of the pages whose lastmod moved
    local reusable = last ~= nil and not changes.first and last.npages == #site.pages
    local times_hold, moved = reusable, {}
    if reusable then -- (else nothing below asks, and content_time is made again at the end)
      for _, p in ipairs(changes.pages) do
        local t = lastmod(p) or false
        if content_time[p] ~= t then times_hold = false; moved[p] = true end
        content_time[p] = t
      end
    end
    local function holds(p) -- (entries told by identity, in C: an entry is not read)
      if times_hold then return true end
      if not reusable then return false end
      local list = p.pages
      return type(list) ~= "table" or folio.count_keys(list, moved) == 0
    end
    -- the generated pages' URLs and elements, in site order
    local gen_urls, gen_elements, gen_times, plain, n = {}, {}, {}, {}, 0
    local fresh = false -- (an element made or looked up by URL: generated_elements made again)
    for _, p in ipairs(site.generated) do
      if listed(p) then
        local url, pages, m = p.url, p.pages, memo_of[p]
        if not (m and m.pages == pages and m.url == url and holds(p)) then
          local t = lastmod(p, times_of_pages()) or false
          local known = generated_elements[url]
          if not known or known[1] ~= t then known = { t, element(head_of(root), url, t or nil) } end
          m = { pages = pages, url = url, t = t, el = known[2] }
          fresh = true
          if not changes.final then memo_of[p] = m end
        end
        n = n + 1
        gen_urls[n], gen_times[n], plain[n] = url, m.t, m.el
        gen_elements[n] = multilingual and with_alternates(site, root, p, m.el) or m.el
      end
    end
    if changes.final and not last then -- (and nothing kept for a next run)
      forget()
      write_files(site, root, document_once(site, parts, root, multilingual, gen_urls, gen_elements))
      return
    end
    if fresh or changes.first then -- the elements by URL, of this run's pages only
      generated_elements = {}
      for i = 1, n do generated_elements[gen_urls[i]] = { gen_times[i], plain[i] } end
    end
    local content = not multilingual and patched(site, parts, changes, gen_urls, gen_elements, gen_times)
    if content then
      write_files(site, root, content)
      return
    end
    -- every listed page's URL and element: content pages' from their parts, then generated ones
    local urls, by_url, more = {}, {}, {}
    local elements = {}
    local function add(url, el)
      if by_url[url] == nil then by_url[url] = el; urls[#urls + 1] = url
      else more[url] = more[url] or {}; table.insert(more[url], el) end
    end
    for _, p in ipairs(site.pages) do
      local part = parts[p]
      if part and part[1] then add(part[1], multilingual and with_alternates(site, root, p, part[2]) or part[2]) end
    end
    for i, url in ipairs(gen_urls) do add(url, gen_elements[i]) end
    -- sorted by URL: the last run's order when the URLs are the same
    local sorted = nil
    if last and #last.urls == #urls then
      sorted = last.urls
      for _, url in ipairs(urls) do
        if not last.set[url] then sorted = nil; break end
      end
    end
    if not sorted then
      table.sort(urls)
      sorted = urls
    end
    local set = not changes.final and {} or nil -- (the URLs, for the next run's sort)
    local n = 0
    for _, url in ipairs(sorted) do
      if set then set[url] = true end
      n = n + 1
      elements[n] = by_url[url]
      local dups = more[url]
      if dups then for _, el in ipairs(dups) do n = n + 1; elements[n] = el end end
    end
    local url_of = nil -- (folio build: no run follows that would patch this one)
    if not changes.final then
      url_of = setmetatable({}, { __mode = "k" })
      for _, p in ipairs(site.pages) do
        local part = parts[p]
        url_of[p] = part and part[1] or false
        content_time[p] = lastmod(p) or false
      end
    end
    if last and #last.pieces == n then
      content = last.content
      local old = last.pieces
      for i = 1, n do
        if old[i] ~= elements[i] then content = nil; break end
      end
    end
    content = content or document(header(multilingual), elements)
    last = { urls = sorted, set = set, pieces = elements, content = content, gen_urls = gen_urls,
             gen_elements = gen_elements, gen_times = gen_times, by_url = by_url, url_of = url_of,
             dups = next(more) ~= nil, npages = #site.pages }
    if changes.final then forget() end -- no run follows (folio build): keep nothing through the render
    write_files(site, root, content)
  end,
}

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

local function lastmod(p)
  local t = p.lastmod or p.date
  local list = p.pages
  if list then
    for _, q in ipairs(list) do t = math.max(t or 0, q.lastmod or q.date or 0) end
  end
  return t
end

folio.hook("site", function(site)
  local root = site.base_url:gsub("/$", "")
  local pages = {}
  for _, group in ipairs({ site.pages, site.generated }) do
    for _, p in ipairs(group) do if listed(p) then pages[#pages + 1] = p end end
  end
  -- Sorted by URL: the URLs as plain strings (no Lua comparison function), then their pages.
  local urls, by_url, more = {}, {}, {}
  for _, p in ipairs(pages) do
    local url = p.url
    if by_url[url] == nil then by_url[url] = p; urls[#urls + 1] = url
    else more[url] = more[url] or {}; table.insert(more[url], p) end
  end
  table.sort(urls)
  pages = {}
  for _, url in ipairs(urls) do
    pages[#pages + 1] = by_url[url]
    local dups = more[url]
    if dups then for _, p in ipairs(dups) do pages[#pages + 1] = p end end
  end
  local multilingual = rawget(site, "language_sites") ~= nil and folio.translations_of
  local out = { '<?xml version="1.0" encoding="UTF-8"?>',
                multilingual and '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">'
                or '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' }
  local function alternates(p)
    local list = multilingual and p.lang and folio.translations_of(site, p)
    if not list or #list == 0 then return "" end
    local parts = { "" }
    for _, tr in ipairs({ { lang = p.lang, url = p.url }, table.unpack(list) }) do
      parts[#parts + 1] = '<xhtml:link rel="alternate" hreflang="' .. folio.escape(tr.lang) .. '" href="'
        .. folio.escape(root .. tr.url) .. '"/>'
    end
    return table.concat(parts, "\n  ")
  end
  local iso = {} -- time -> RFC 3339 (list pages share their newest entry's)
  local n = #out
  for _, p in ipairs(pages) do
    local t = lastmod(p)
    n = n + 1
    out[n] = "\n<url><loc>"
    n = n + 1
    out[n] = folio.escape(root .. p.url)
    n = n + 1
    if t and t > 0 then
      local s = iso[t]
      if not s then s = folio.date.iso(t); iso[t] = s end
      out[n] = "</loc><lastmod>"
      out[n + 1] = s
      out[n + 2] = "</lastmod></url>"
      n = n + 2
    else
      out[n] = "</loc></url>"
    end
    if multilingual then
      local alt = alternates(p)
      if alt ~= "" then out[n] = out[n]:sub(1, -7) .. alt .. "\n</url>" end
    end
  end
  out[n + 1] = "\n"
  out[n + 2] = "</urlset>\n"
  out[1] = out[1] .. "\n"
  site:add_page({ url = "/sitemap.xml", kind = "sitemap", layout = false, content = table.concat(out) })
  if opts.robots ~= false then
    site:add_page({ url = "/robots.txt", kind = "robots", layout = false,
                    content = "User-agent: *\nAllow: /\n\nSitemap: " .. root .. "/sitemap.xml\n" })
  end
end, { order = 95 })

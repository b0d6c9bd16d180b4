-- sitemap.lua: /sitemap.xml (sitemaps.org protocol 0.9) and /robots.txt pointing to it.
--
-- Options (site.lua: `{ "sitemap", robots = false }`):
--   robots   write /robots.txt (default true; a site with its own robots.txt sets false)
--
-- Lists every HTML page that is written: content pages, lists, terms, archives, pagination
-- pages. Left out: pages with `output = false`, files written as is (feeds, `layout = false`),
-- redirects (kind "alias"), the 404 page, and pages with `sitemap: false` front matter.
-- `<lastmod>` is the page's lastmod (else date); for a list, that of its newest entry.
-- Runs at the site stage with order 95, after the plugins that add pages.
local opts = ... or {}

local function listed(p)
  return p.output ~= false and p.layout ~= false and p.kind ~= "alias" and p.kind ~= "404"
    and p.url ~= "/404.html" and p.sitemap ~= false
end

local function lastmod(p)
  local t = p.lastmod or p.date
  for _, q in ipairs(p.pages or {}) do t = math.max(t or 0, q.lastmod or q.date or 0) end
  return t
end

folio.hook("site", function(site)
  local root = site.base_url:gsub("/$", "")
  local pages = {}
  for _, group in ipairs({ site.pages, site.generated }) do
    for _, p in ipairs(group) do if listed(p) then pages[#pages + 1] = p end end
  end
  table.sort(pages, function(a, b) return a.url < b.url end)
  local out = { '<?xml version="1.0" encoding="UTF-8"?>',
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' }
  for _, p in ipairs(pages) do
    local t = lastmod(p)
    out[#out + 1] = "<url><loc>" .. folio.escape(root .. p.url) .. "</loc>"
      .. (t and t > 0 and "<lastmod>" .. folio.date.iso(t) .. "</lastmod>" or "") .. "</url>"
  end
  out[#out + 1] = "</urlset>\n"
  site:add_page({ url = "/sitemap.xml", kind = "sitemap", layout = false, content = table.concat(out, "\n") })
  if opts.robots ~= false then
    site:add_page({ url = "/robots.txt", kind = "robots", layout = false,
                    content = "User-agent: *\nAllow: /\n\nSitemap: " .. root .. "/sitemap.xml\n" })
  end
end, { order = 95 })

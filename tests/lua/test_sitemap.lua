-- test_sitemap.lua: scripts/sitemap.lua: what is listed, lastmod, robots.txt; xmllint with
-- the sitemaps.org schema when $SHARED/schemas is there.
local T = dofile("testlib.lua")
local H = dofile("plugin_harness.lua")

local function build(opts)
  H.reset()
  H.load("taxonomies")
  H.load("redirects")
  H.load("feeds")
  H.load("paginate", { per_page = 1 })
  H.load("sitemap", opts)
  local pages = {
    H.post({ title = "A & B", date = 1389139200, lastmod = 1389398400, tags = { "x" }, aliases = { "/old.html" } }),
    H.post({ title = "B", date = 1389225600, tags = { "x" } }),
    H.post({ title = "Secret", sitemap = false }),
    H.post({ title = "Gone", output = false }),
  }
  local site = H.site(pages, { base_url = "https://example.org/blog/" })
  site:add_page({ url = "/404.html", kind = "404", layout = "404" })
  return H.run_site(site)
end

T.test("lists HTML pages, not feeds, redirects, 404 or excluded pages", function()
  local site = build()
  local xml = site:find("/sitemap.xml").content
  T.has(xml, '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
  T.has(xml, "<loc>https://example.org/blog/</loc>")
  T.has(xml, "<loc>https://example.org/blog/tags/x/</loc>")
  T.has(xml, "<loc>https://example.org/blog/tags/x/page/2/</loc>", "pagination pages")
  T.has(xml, "<loc>https://example.org/blog/tags/</loc>")
  T.lacks(xml, "atom.xml")
  T.lacks(xml, "old.html")
  T.lacks(xml, "/page/1/", "pagination redirect")
  T.lacks(xml, "404")
  local urls = 0
  for _ in xml:gmatch("<url>") do urls = urls + 1 end
  -- home + /page/2-4/ (its list has all 4 posts), 2 posts, /tags/, /tags/x/ + page/2, /categories/
  T.eq(urls, 10)
end)

T.test("lastmod: the page's, or its newest entry's for lists", function()
  local xml = build():find("/sitemap.xml").content
  local a_url = "https://example.org/blog/posts/p" -- p<n>, the first post made by build()
  T.ok(xml:find("<loc>" .. a_url .. "%d+/</loc><lastmod>" .. folio.date.iso(1389398400):gsub("%p", "%%%0") .. "</lastmod>"), "post lastmod")
  T.has(xml, "<loc>https://example.org/blog/tags/x/</loc><lastmod>" .. folio.date.iso(1389225600) .. "</lastmod>", "list: B only")
  T.has(xml, "<loc>https://example.org/blog/tags/x/page/2/</loc><lastmod>" .. folio.date.iso(1389398400) .. "</lastmod>", "page 2: A's lastmod")
  T.has(xml, "<loc>https://example.org/blog/tags/</loc></url>", "no date for the terms page")
end)

T.test("robots.txt points to the sitemap, absolute; can be turned off", function()
  local site = build()
  T.eq(site:find("/robots.txt").content, "User-agent: *\nAllow: /\n\nSitemap: https://example.org/blog/sitemap.xml\n")
  T.eq(build({ robots = false }):find("/robots.txt"), nil)
end)

T.test("xmllint accepts the sitemap", function()
  local shared = os.getenv("SHARED")
  local xsd = shared and shared .. "/schemas/sitemap.xsd"
  if not xsd or not io.open(xsd) or not os.execute("command -v xmllint >/dev/null") then
    print("note: no $SHARED/schemas/sitemap.xsd or xmllint, validator not run") return
  end
  local file = H.tmpfile(build():find("/sitemap.xml").content, ".xml")
  local ok = os.execute("xmllint --noout --schema " .. xsd .. " " .. file .. " 2>/dev/null")
  os.remove(file)
  T.ok(ok, "xmllint --schema sitemap.xsd")
end)

T.done()

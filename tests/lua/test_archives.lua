-- test_archives.lua: scripts/archives.lua: year, month and index pages.
local T = dofile("testlib.lua")
local H = dofile("plugin_harness.lua")
H.load("archives")

local function at(y, m, d) return os.time({ year = y, month = m, day = d, hour = 12 }) end
local p1 = H.post({ date = at(2013, 12, 30) })
local p2 = H.post({ date = at(2014, 1, 8) })
local p3 = H.post({ date = at(2014, 1, 20) })
local p4 = H.post({ date = at(2014, 3, 2) })
local about = H.post({ date = at(2014, 3, 3), section = "pages", url = "/about/" })
local site = H.run_site(H.site({ p1, p2, p3, p4, about }))

T.test("year pages", function()
  local y = site:find("/2014/")
  T.eq(y.kind, "archive")
  T.eq(y.layout, "list")
  T.eq(y.title, "2014")
  T.eq(H.urls(y.pages), { p4.url, p3.url, p2.url }, "posts only, newest first")
  T.eq(#site:find("/2013/").pages, 1)
end)

T.test("month pages", function()
  local m = site:find("/2014/01/")
  T.eq(m.title, "January 2014")
  T.eq(m.month, "01")
  T.eq(H.urls(m.pages), { p3.url, p2.url })
  T.eq(site:find("/2014/02/"), nil, "no empty months")
end)

T.test("index and site.archives, with counts", function()
  local idx = site:find("/archives/")
  T.eq(idx.kind, "archives")
  T.eq(idx.layout, "archive")
  T.eq(site.archives[1].year, "2014")
  T.eq(site.archives[1].count, 3)
  local march = site.archives[1].months[1]
  T.eq(H.urls(march.posts), { p4.url }, "a month's posts, for the index")
  march.posts = nil
  T.eq(march, { month = "03", name = "March 2014", url = "/2014/03/", count = 1 })
  T.eq(site.archives[1].months[2].count, 2)
  T.eq(H.urls(site.archives[1].months[2].posts), { p3.url, p2.url }, "newest first")
  local dec = site.archives[2].months[1]
  T.eq(H.urls(dec.posts), { p1.url })
  dec.posts = nil
  T.eq(site.archives[2], { year = "2013", url = "/2013/", count = 1,
    months = { { month = "12", name = "December 2013", url = "/2013/12/", count = 1 } } })
  T.eq(idx.years, site.archives)
end)

T.test("options: no months, other index URL, taken URLs left alone", function()
  H.reset()
  H.load("archives", { months = false, url = "/past/" })
  local taken = H.post({ date = at(2020, 5, 5), url = "/2020/", section = "pages" })
  local warned
  local saved = folio.warn
  folio.warn = function(m) warned = m end
  local s = H.run_site(H.site({ H.post({ date = at(2020, 5, 1) }), taken }))
  folio.warn = saved
  T.eq(s:find("/2020/"), taken, "content page kept")
  T.has(warned, "/2020/")
  T.eq(s:find("/2020/05/"), nil)
  T.eq(s.archives[1].months[1].url, nil)
  T.ok(s:find("/past/"))
end)

T.done()

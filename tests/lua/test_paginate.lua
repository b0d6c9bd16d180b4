-- test_paginate.lua: scripts/paginate.lua: edges 0, 1, exactly N, N+1, and term lists.
local T = dofile("testlib.lua")
local H = dofile("plugin_harness.lua")

local function build(n, opts, config)
  H.reset()
  H.load("paginate", opts or { per_page = 3 })
  local posts = {}
  for i = 1, n do posts[i] = H.post({ date = i * 1000 }) end
  return H.run_site(H.site(posts, config)), posts
end

T.test("no posts: one empty page", function()
  local site = build(0)
  local home = site:find("/")
  T.eq(home.pages, {})
  T.eq(home.paginator.count, 1)
  T.eq(home.paginator.number, 1)
  T.eq(home.paginator.prev, nil)
  T.eq(home.paginator.next, nil)
  T.eq(site:find("/page/2/"), nil)
  T.eq(site:find("/page/1/"), nil, "no redirect without a page 2")
end)

T.test("one post", function()
  local site = build(1)
  T.eq(#site:find("/").pages, 1)
  T.eq(site:find("/").paginator.urls, { "/" })
end)

T.test("exactly N posts: one page", function()
  local site = build(3)
  T.eq(#site:find("/").pages, 3)
  T.eq(site:find("/").paginator.count, 1)
  T.eq(site:find("/page/2/"), nil)
end)

T.test("N+1 posts: two pages, newest first", function()
  local site, posts = build(4)
  local one, two = site:find("/"), site:find("/page/2/")
  T.eq(H.urls(one.pages), { posts[4].url, posts[3].url, posts[2].url })
  T.eq(H.urls(two.pages), { posts[1].url })
  local window = one.paginator.window
  one.paginator.window = nil
  T.eq(one.paginator, { number = 1, count = 2, total = 4, per_page = 3, first = "/", last = "/page/2/",
                        next = "/page/2/", urls = { "/", "/page/2/" } })
  T.eq(window, { { number = 1, url = "/", current = true }, { number = 2, url = "/page/2/", current = false } })
  T.eq(two.paginator.number, 2)
  T.eq(two.paginator.prev, "/")
  T.eq(two.paginator.next, nil)
  T.eq(two.kind, "home")
  T.eq(two.layout, "home")
  T.eq(two.path, nil)
end)

T.test("/page/1/ redirects to the list", function()
  local site = build(4)
  local r = site:find("/page/1/")
  T.eq(r.kind, "alias")
  T.eq(r.layout, false)
  T.has(r.content, 'http-equiv="refresh" content="0; url=https://example.org/"')
end)

T.test("per_page from site.lua, default 10", function()
  T.eq(build(11, {}, {}):find("/page/2/").paginator.count, 2)
  T.eq(build(11, {}, { paginate = 5 }):find("/page/3/").paginator.total, 11)
end)

T.test("term pages from taxonomies are split under their URL; other kinds are not", function()
  H.reset()
  H.load("taxonomies")
  H.load("paginate", { per_page = 2 })
  local posts = {}
  for i = 1, 5 do posts[i] = H.post({ date = i, tags = { "Go" } }) end
  local site = H.run_site(H.site(posts))
  T.eq(site:find("/tags/go/").paginator.count, 3)
  T.eq(#site:find("/tags/go/page/3/").pages, 1)
  T.eq(site:find("/tags/go/page/3/").title, "Posts tagged Go")
  T.eq(site:find("/tags/go/page/3/").paginator.first, "/tags/go/")
  T.eq(site:find("/tags/").paginator, nil, "terms page is not a list of posts")
  T.eq(#site.taxonomies.tags[1].pages, 5, "the taxonomy's own list is not cut")
end)

-- The window as "1 … 4 [5] 6 …": numbers, "…" for a gap, the current page in brackets.
local function shape(w)
  local out = {}
  for i, e in ipairs(w) do
    out[i] = e.gap and "…" or (e.current and "[" .. e.number .. "]" or tostring(e.number))
  end
  return table.concat(out, " ")
end

T.test("window: first, last, current +-2, gaps; same size on every page of a long list", function()
  local site = build(100, { per_page = 1 })
  local function at(k) return site:find(k == 1 and "/" or "/page/" .. k .. "/").paginator end
  T.eq(shape(at(1).window), "[1] 2 3 … 100")
  T.eq(shape(at(4).window), "1 2 3 [4] 5 6 … 100", "a gap of one page shows the page")
  T.eq(shape(at(50).window), "1 … 48 49 [50] 51 52 … 100")
  T.eq(shape(at(100).window), "1 … 98 99 [100]")
  T.eq(at(50).window[3].url, "/page/48/")
  T.ok(at(1).urls == at(100).urls, "urls is one table shared by the list's pages")
  for k = 1, 100 do T.ok(#at(k).window <= 9, "at most 9 entries") end
  T.eq(shape(build(2, { per_page = 1 }):find("/").paginator.window), "[1] 2")
end)

T.done()

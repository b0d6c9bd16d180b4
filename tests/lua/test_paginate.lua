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
  T.eq(one.paginator, { number = 1, count = 2, total = 4, per_page = 3, first = "/", last = "/page/2/",
                        next = "/page/2/", urls = { "/", "/page/2/" } })
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

T.done()

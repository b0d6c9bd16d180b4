-- test_related.lua: scripts/related.lua: most shared terms first, ties newest first, never itself.
local T = dofile("testlib.lua")
local H = dofile("plugin_harness.lua")

local function build(opts, with_taxonomies)
  H.reset()
  if with_taxonomies then H.load("taxonomies") end
  H.load("related", opts)
  local p = {
    a = H.post({ title = "a", date = 10, tags = { "lua", "c", "build" }, categories = { "dev" } }),
    b = H.post({ title = "b", date = 20, tags = { "lua", "c" } }),
    c = H.post({ title = "c", date = 30, tags = { "lua" } }),
    d = H.post({ title = "d", date = 40, tags = { "Lua" }, categories = { "dev" } }),
    e = H.post({ title = "e", date = 50, tags = { "go" } }),
    f = H.post({ title = "f", date = 60, tags = { "build" } }),
  }
  local about = H.post({ title = "about", date = 5, section = "pages", tags = { "lua" } })
  H.run_site(H.site({ p.a, p.b, p.c, p.d, p.e, p.f, about }))
  p.about = about
  return p
end

local function titles(list)
  local out = {}
  for i, x in ipairs(list) do out[i] = x.title end
  return out
end

T.test("ordered by shared terms, ties newest first, case-insensitive", function()
  local p = build({})
  T.eq(titles(p.a.related), { "d", "b", "f", "c" }, "d:2 (lua, dev) and b:2 newest first, then f, c")
  T.eq(titles(p.c.related), { "d", "b", "a" })
  T.eq(p.e.related, {}, "nothing shared")
end)

T.test("same with the taxonomies plugin (slugs compared)", function()
  local p = build({}, true)
  T.eq(titles(p.a.related), { "d", "b", "f", "c" })
end)

T.test("count and taxonomies options; pages outside posts get related posts", function()
  local p = build({ count = 2, taxonomies = { "tags" } })
  T.eq(titles(p.a.related), { "b", "f" }, "b:2, then f, d, c tie on 1: newest")
  T.eq(titles(p.about.related), { "d", "c" }, "non-post page: related posts, itself not a candidate")
  for _, x in pairs(p) do
    for _, r in ipairs(x.related) do T.ok(r ~= x, "never itself") end
  end
end)

-- Brute force: every post scored by its shared terms (lower case), best first, ties newest.
local function reference(site, page, count)
  local mine = {}
  for _, t in ipairs(page.tags or {}) do mine[t:lower()] = true end
  local scored = {}
  for rank, post in ipairs(site.posts) do
    if post ~= page then
      local s, seen = 0, {}
      for _, t in ipairs(post.tags or {}) do
        local k = t:lower()
        if mine[k] and not seen[k] then s = s + 1; seen[k] = true end
      end
      if s > 0 then scored[#scored + 1] = { post = post, score = s, rank = rank } end
    end
  end
  table.sort(scored, function(a, b)
    if a.score ~= b.score then return a.score > b.score end
    return a.rank < b.rank
  end)
  local out = {}
  for i = 1, math.min(count, #scored) do out[i] = scored[i].post.title end
  return out
end

-- A seeded random number from 1 to n (the same corpora on every run).
local seed = 7
local function random(n) seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n + 1 end

-- Random corpora: `draw()` gives a post's tags.
local function random_site(n, draw)
  H.reset()
  H.load("related", { count = 5, taxonomies = { "tags" } })
  local posts = {}
  for i = 1, n do
    posts[i] = H.post({ title = "p" .. i, date = 1000 + (random(50) * 1000) + i, tags = draw(i) })
  end
  return H.run_site(H.site(posts))
end

local shapes = {
  ["2-3 tags from 50"] = function()
    local t = {}
    for k = 1, 1 + random(2) do t[k] = "tag" .. random(50) end
    return t
  end,
  ["thousands of unique tags"] = function(i) return { "u" .. i, "u" .. (i * 7 % 3001), "common" .. random(3) } end,
  ["one tag on every post"] = function() return { "all", "t" .. random(8), random(4) == 1 and "All" or "x" .. random(30) } end,
  ["few posts per tag, many ties"] = function() return { "a" .. random(3), "b" .. random(3) } end,
}

-- Every post's related list is the brute-force ranking's (`what` names the case in failures).
local function same_as_reference(site, what)
  for _, page in ipairs(site.posts) do
    local got = {}
    for i, p in ipairs(page.related) do got[i] = p.title end
    T.eq(got, reference(site, page, 5), page.title .. " " .. what)
  end
end

for name, draw in pairs(shapes) do
  T.test("same as brute force on random corpora: " .. name, function()
    for _, n in ipairs({ 1, 7, 300 }) do
      same_as_reference(random_site(n, draw), "of " .. n)
    end
  end)
end

-- Packed lists straight to folio.related, against brute force over the same lists.
local function brute(lists, n, self)
  local score = {}
  for _, list in ipairs(lists) do
    for _, r in ipairs(list) do if r ~= self then score[r] = (score[r] or 0) + 1 end end
  end
  local all = {}
  for r, s in pairs(score) do all[#all + 1] = { r, s } end
  table.sort(all, function(a, b) if a[2] ~= b[2] then return a[2] > b[2] end return a[1] < b[1] end)
  local out = {}
  for i = 1, math.min(n, #all) do out[i] = all[i][1] end
  return out
end

T.test("linear in the lists' total length whatever their shape, exact either way", function()
  -- 4,000 posts: 2-3 terms from 50 (the walk gives up: the best share 2 of 3 terms), one term
  -- on every post (the walk stops at once), thousands of unique terms
  local shapes2 = {
    pool = function() local t = {}; for k = 1, 1 + random(2) do t[random(50)] = true end; return t end,
    everywhere = function() local t = { [1] = true }; t[1 + random(30)] = true; return t end,
    unique = function(i) return { [100 + i] = true, [10000 + i // 3] = true, [2 + random(5)] = true } end,
  }
  for name, draw in pairs(shapes2) do
    local terms_of, lists = {}, {}
    for rank = 1, 4000 do
      terms_of[rank] = draw(rank)
      for t in pairs(terms_of[rank]) do lists[t] = lists[t] or {}; table.insert(lists[t], rank) end
    end
    local packed = {}
    for t, l in pairs(lists) do packed[t] = folio.related_pack(l) end
    local worst, visited_all = 0, 0
    for rank = 1, 4000, 37 do
      local mine, plain, total = {}, {}, 0
      for t in pairs(terms_of[rank]) do mine[#mine + 1] = packed[t]; plain[#plain + 1] = lists[t]; total = total + #lists[t] end
      local got, visited = folio.related(mine, 5, rank)
      T.eq(got, brute(plain, 5, rank), name .. " post " .. rank)
      worst = math.max(worst, visited / (1.25 * total + 64))
      visited_all = visited_all + visited
    end
    T.ok(worst <= 1, name .. ": at most 1.25 x the total length + 64 visited (" .. worst .. ")")
    if name == "everywhere" then T.ok(visited_all < 109 * 200, "one term on every post: the walk stops early (" .. visited_all .. ")") end
  end
end)

-- A site of 300 posts (2-3 tags from 50) as folio serve runs it, post i dated date_of(i).
-- Returns edit(field, values, what): posts[i][field] = v for each i, v of `values`,
-- those posts marked changed, the site run again (its index patched) and every list checked
-- against brute force; and site(), the site of the last run.
local function serve_site(date_of)
  H.reset()
  H.load("related", { count = 5, taxonomies = { "tags" } })
  local draw = shapes["2-3 tags from 50"]
  local posts = {}
  for i = 1, 300 do
    posts[i] = H.post({ title = "p" .. i, date = date_of(i), tags = draw(i) })
  end
  H.changed = nil
  local site = H.run_site(H.site(posts))
  same_as_reference(site, "at first")
  local function edit(field, values, what)
    H.changed = {}
    for i, v in pairs(values) do posts[i][field] = v; H.changed[posts[i]] = true end
    for _, p in ipairs(posts) do setmetatable(p, nil) end -- (run_site binds each page's fields to its site)
    site = H.run_site(H.site(posts))
    same_as_reference(site, "after " .. what)
  end
  return edit, function() return site end
end

T.test("folio serve: tag edits patch the last index (ranks in order, terms born and emptied), same as brute force", function()
  local edit, site = serve_site(function(i) return 1000 + (random(50) * 1000) + i end)
  local index = rawget(site(), "related_index")
  local newest, oldest = site().posts[1].title:sub(2) + 0, site().posts[#site().posts].title:sub(2) + 0
  edit("tags", { [17] = { "tag3", "tag9" } }, "one tag replaced")
  edit("tags", { [5] = { "tag1" }, [250] = { "tag1", "tag2", "tag40" } }, "two posts at once")
  edit("tags", { [100] = { "brand-new", "tag7" } }, "a tag no other post has")
  edit("tags", { [200] = { "brand-new" } }, "it joins a second post")
  edit("tags", { [newest] = { "tag50" }, [oldest] = { "tag50", "tag49" } }, "the newest and the oldest post")
  edit("tags", { [17] = { "tag9", "tag3" } }, "nothing that changes the terms")
  T.ok(rawget(site(), "related_index") ~= index, "a new index after the edits")
  -- the last post of a term leaves it: built again, still exact
  edit("tags", { [100] = { "tag7" }, [200] = { "tag8" } }, "a term emptied")
  H.changed = nil
end)

T.test("folio serve: date edits move posts in the last index (lists followed from the last ones), same as brute force", function()
  local edit, site = serve_site(function(i) return 1000 + i * 1000 end)
  local index = rawget(site(), "related_index")
  edit("date", { [40] = 250500 }, "one post newer")
  edit("date", { [260] = 3500 }, "one post older")
  edit("date", { [120] = 999999 }, "to the newest")
  edit("date", { [7] = 1 }, "to the oldest")
  edit("date", { [33] = 150500, [210] = 80500 }, "two posts at once")
  T.ok(rawget(site(), "related_index") ~= index, "a new index after the edits")
  H.changed = nil
end)

T.test("computed when read, once per page and site; nothing at the site stage", function()
  local calls, real = 0, folio.related
  folio.related = function(...) calls = calls + 1; return real(...) end
  local site = random_site(50, shapes["2-3 tags from 50"])
  T.eq(calls, 0, "the site stage only indexes")
  local first = site.posts[3].related
  T.eq(calls, 1)
  T.ok(site.posts[3].related == first, "cached")
  T.eq(calls, 1)
  folio.related = real
end)

T.test("folio.related: exact top n over packed lists, self left out, visits counted", function()
  local a, b = folio.related_pack({ 1, 2, 5, 9 }), folio.related_pack({ 2, 3, 9 })
  local ranks, visited = folio.related({ a, b }, 3, 2)
  T.eq(ranks, { 9, 1, 3 }, "9 shares both; 2 is self; then newest")
  T.ok(visited <= 7, "visits each listed post once at most")
  local all = {}
  for i = 1, 1000 do all[i] = i end
  local long = folio.related_pack(all)
  local top, early = folio.related({ long }, 2)
  T.eq(top, { 1, 2 })
  T.eq(early, 2, "a long list is walked only until no post further down can beat the best")
  local odd = {}
  for i = 1, 999, 2 do odd[#odd + 1] = i end
  local ranks2 = folio.related({ long, folio.related_pack({ 998 }), folio.related_pack(odd) }, 3, 1)
  T.eq(ranks2, { 3, 5, 7 }, "odd ranks share two terms; 998 shares two but is older")
  T.eq((folio.related({}, 5)), {})
  T.eq((folio.related({ a, b }, 0)), {})
  T.ok(not pcall(folio.related_pack, { 0 }), "ranks start at 1")
  T.ok(not pcall(folio.related, { "abc" }, 1), "not a packed list")
end)

T.done()

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

T.done()

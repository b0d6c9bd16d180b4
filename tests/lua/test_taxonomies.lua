-- test_taxonomies.lua: scripts/taxonomies.lua on hand-made pages.
local T = dofile("testlib.lua")
local H = dofile("plugin_harness.lua")
H.load("taxonomies", { names = { "tags", "categories", "city" } })

local a = H.post({ title = "A", date = 100, tags = { "Café", "C++", "python" }, categories = "Dev" })
local b = H.post({ title = "B", date = 200, tags = { "C#", "Node.js", "Python", "Machine Learning" } })
local c = H.post({ title = "C", date = 300, tags = { "C", "PYTHON", "python" }, city = "Zürich" })
local site = H.run_site(H.site({ a, b, c }))

local function slugs(list)
  local out = {}
  for _, t in ipairs(list) do out[t.name] = t.slug end
  return out
end

T.test("term slugs are distinct and URL-safe", function()
  local s = slugs(site.taxonomies.tags)
  T.eq(s["C++"], "c-plus-plus")
  T.eq(s["C#"], "c-sharp")
  T.eq(s["C"], "c")
  T.eq(s["Node.js"], "node-js")
  T.eq(s["Machine Learning"], "machine-learning")
  T.eq(s["Café"], "cafe")
  for _, term in ipairs(site.taxonomies.tags) do
    T.ok(term.slug:match("^[%w%-\128-\255]+$") ~= nil, "URL-safe slug " .. term.slug)
    T.eq(term.url, "/tags/" .. term.slug .. "/")
  end
end)

T.test("case-insensitive merge keeps the oldest spelling", function()
  local python
  for _, term in ipairs(site.taxonomies.tags) do if term.slug == "python" then T.eq(python, nil, "one python"); python = term end end
  T.eq(python.name, "python", "spelling of the oldest page (A)")
  T.eq(python.count, 3)
  T.eq(H.urls(python.pages), { c.url, b.url, a.url }, "newest first, C once though it names it twice")
end)

T.test("terms sorted by name, with counts", function()
  local names = {}
  for i, t in ipairs(site.taxonomies.tags) do names[i] = t.name end
  T.eq(names, { "C", "C#", "C++", "Café", "Machine Learning", "Node.js", "python" })
end)

T.test("page.taxonomies per page, canonical names", function()
  T.eq(b.taxonomies.tags[3], { name = "python", slug = "python", url = "/tags/python/" })
  T.eq(#c.taxonomies.tags, 2, "C: C and python")
  T.eq(a.taxonomies.categories, { { name = "Dev", slug = "dev", url = "/categories/dev/" } }, "string becomes a list")
  T.eq(c.taxonomies.city[1].slug, "zurich")
  T.eq(a.taxonomies.city, {})
end)

T.test("term and terms pages", function()
  local term = site:find("/tags/c-plus-plus/")
  T.eq(term.kind, "term")
  T.eq(term.layout, "list")
  T.eq(term.title, "Posts tagged C++")
  T.eq(H.urls(term.pages), { a.url })
  T.eq(site:find("/categories/dev/").title, "Posts in Dev")
  local terms = site:find("/tags/")
  T.eq(terms.kind, "terms")
  T.eq(terms.layout, "terms")
  T.eq(terms.title, "Tags")
  T.eq(#terms.terms, 7)
  T.eq(terms.terms[1].count, 1)
  T.ok(site:find("/city/"), "configured taxonomy has its page")
end)

T.test("pages without the key and generated pages are skipped", function()
  H.reset()
  H.load("taxonomies")
  local s = H.run_site(H.site({ H.post({ tags = {} }) }))
  T.eq(s.taxonomies.tags, {})
  T.ok(s:find("/tags/"), "empty terms page still written")
  T.eq(s:find("/").taxonomies, nil, "home page untouched")
end)

T.done()

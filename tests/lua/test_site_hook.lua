-- test_site_hook.lua: folio.site_hook's runner (src/lua/folio/site_hooks.lua): per_page runs only
-- for pages that are new or changed, combine is told what changed, parts of pages gone are
-- dropped, site:touch makes later hooks compute a page again, an error starts from nothing.
local T = dofile("testlib.lua")
local site_hooks = require "folio.site_hooks"
require "folio.site" -- defines folio.site_hook

local function page(name) return { path = "content/" .. name .. ".md", url = "/" .. name .. "/", title = name } end

-- A hook that counts its per_page calls and records what combine was told.
local function counting(part_of)
  local rec = { calls = {}, seen = nil }
  rec.fn = site_hooks.runner {
    per_page = function(p) rec.calls[#rec.calls + 1] = p.title; return part_of(p) end,
    combine = function(site, parts, changes)
      rec.seen = { same = changes.same, first = changes.first, pages = {}, parts = {} }
      for _, p in ipairs(changes.pages) do rec.seen.pages[#rec.seen.pages + 1] = p.title end
      for _, p in ipairs(site.pages) do rec.seen.parts[#rec.seen.parts + 1] = parts[p] or "-" end
    end,
  }
  function rec.run(site, changed)
    rec.calls = {}
    site_hooks.begin_run(changed)
    rec.fn(site)
    return rec.calls
  end
  return rec
end

local function titled(p) return p.title:upper() end

T.test("first run: per_page for every page; then only for the changed ones", function()
  local a, b, c = page("a"), page("b"), page("c")
  local site = { pages = { a, b, c } }
  local h = counting(titled)
  T.eq(h.run(site, nil), { "a", "b", "c" }, "first run")
  T.eq(h.seen.first, true)
  T.eq(h.seen.same, false)
  T.eq(h.seen.parts, { "A", "B", "C" })
  T.eq(h.run({ pages = { a, b, c } }, {}), {}, "nothing changed: no call")
  T.eq(h.seen.same, true, "same pages, same parts")
  T.eq(h.seen.first, false)
  T.eq(h.run({ pages = { a, b, c } }, { [b] = true }), { "b" }, "one page changed")
  T.eq(h.seen.same, true, "its part is what it was")
  T.eq(h.seen.pages, { "b" })
  b.title = "bee"
  T.eq(h.run({ pages = { a, b, c } }, { [b] = true }), { "bee" })
  T.eq(h.seen.same, false, "its part changed")
  T.eq(h.seen.parts, { "A", "BEE", "C" })
  T.eq(h.run({ pages = { a, b, c } }, { [a] = true, [c] = true }), { "a", "c" }, "two pages, in site order")
end)

T.test("pages added, removed, reordered", function()
  local a, b, c, d = page("a"), page("b"), page("c"), page("d")
  local h = counting(titled)
  h.run({ pages = { a, b, c } }, nil)
  T.eq(h.run({ pages = { a, d, b, c } }, {}), { "d" }, "only the new page")
  T.eq(h.seen.same, false, "a new page")
  T.eq(h.run({ pages = { a, c } }, {}), {}, "pages gone: no call")
  T.eq(h.seen.same, false)
  T.eq(h.seen.parts, { "A", "C" })
  T.eq(h.run({ pages = { c, a } }, {}), {}, "reordered: no call")
  T.eq(h.seen.same, false, "another order is not the same")
  T.eq(h.run({ pages = { c, a, b } }, {}), { "b" }, "a page back: computed again (its part was dropped)")
end)

T.test("nil parts, touch, errors", function()
  local a, b = page("a"), page("b")
  local h = counting(function(p) if p.title == "b" then return nil end return p.title end)
  h.run({ pages = { a, b } }, nil)
  T.eq(h.seen.parts, { "a", "-" }, "a nil part is absent")
  T.eq(h.run({ pages = { a, b } }, {}), {}, "a nil part is remembered too")
  -- an earlier hook touches b: a later hook computes it again
  local toucher = site_hooks.runner { combine = function(site) site_hooks.touch(site.pages[2]) end }
  site_hooks.begin_run({})
  toucher({ pages = { a, b } })
  h.calls = {}
  h.fn({ pages = { a, b } })
  T.eq(h.calls, { "b" }, "touched page computed again")
  -- a per_page that raises: the next run computes every page
  local fail = true
  local f = counting(function(p) if fail and p.title == "b" then error("boom") end return p.title end)
  T.ok(not pcall(f.run, { pages = { a, b } }, nil), "the error goes out")
  fail = false
  T.eq(f.run({ pages = { a, b } }, {}), { "a", "b" }, "after an error: everything again")
end)

T.test("a hook without per_page: same while the pages are", function()
  local a, b = page("a"), page("b")
  local told
  local fn = site_hooks.runner { combine = function(_, _, changes) told = changes end }
  site_hooks.begin_run(nil); fn({ pages = { a, b } })
  T.eq(told.same, false)
  site_hooks.begin_run({ [a] = true }); fn({ pages = { a, b } })
  T.eq(told.same, true)
  T.ok(told.changed(a) and not told.changed(b), "changes.changed says which pages changed")
  site_hooks.begin_run({}); fn({ pages = { b, a } })
  T.eq(told.same, false)
end)

T.test("folio.site_hook checks its spec", function()
  T.ok(not pcall(folio.site_hook, {}), "needs per_page or combine")
  T.ok(not pcall(folio.site_hook, { per_page = 1 }), "per_page must be a function")
  T.ok(not pcall(folio.site_hook, "x"), "a table")
  T.ok(pcall(folio.site_hook, { name = "ok", combine = function() end }))
end)

T.done()

-- test_frontmatter_types.lua: front matter values of the wrong type (src/lua/folio/frontmatter_types.lua
-- and its use in src/lua/folio/page.lua): a warning with the key's line, and the fallback.
local T = dofile("testlib.lua")
local page = require "folio.page"
local errors = require "folio.errors"
folio.date.set_timezone("UTC")

local config = { date_order = { "front_matter", "filename", "mtime" } }

-- Builds a page from front matter text; returns the page and the warnings { file, line, message }.
local function build(yaml, name)
  local source = "---\n" .. yaml .. "\n---\nbody\n"
  local meta = assert(folio.frontmatter.parse(source))
  local warnings = {}
  errors.on_warning = function(file, line, message, hint)
    warnings[#warnings + 1] = { file = file, line = line, message = message, hint = hint }
  end
  local p = { path = "content/posts/" .. (name or "2020-02-03-post") .. ".md", full_source = source }
  local ok, err = pcall(page.from_front_matter, p, meta, { mtime = 7 }, config)
  errors.on_warning = nil
  if not ok then error(err, 0) end
  if ok then page.assign_url(p, { permalinks = { posts = "/:year/:slug/", default = "/:path/" } }) end
  return p, warnings
end

local function one_warning(warnings, line, needle)
  T.eq(#warnings, 1, "one warning")
  local w = warnings[1] or {}
  T.eq(w.file, "content/posts/2020-02-03-post.md")
  T.eq(w.line, line, "the key's line")
  T.has(w.message or "", needle)
  T.ok(w.hint ~= nil, "a hint")
end

T.test("permalink: 42 is the text 42, slug: 12 too, no warning", function()
  local p, w = build("title: x\npermalink: 42")
  T.eq(p.url, "/42/")
  T.eq(#w, 0)
  p, w = build("title: x\nslug: 12")
  T.eq(p.url, "/2020/12/")
  T.eq(#w, 0)
end)

T.test("permalink, url, slug as a list or mapping: warning, the default", function()
  local p, w = build("title: x\npermalink: [a]")
  one_warning(w, 3, "`permalink` must be text, not a list")
  T.eq(p.url, "/2020/post/")
  p, w = build("title: x\nurl: {a: 1}")
  one_warning(w, 3, "`url` must be text, not a mapping")
  T.eq(p.url, "/2020/post/")
  p, w = build("title: x\nslug: {a: 1}")
  one_warning(w, 3, "`slug` must be text")
  T.eq(p.url, "/2020/post/")
end)

T.test("date: 9223372036854775807 and other dates out of range: warning, the file name's date", function()
  local p, w = build("title: x\ndate: 9223372036854775807")
  one_warning(w, 3, "outside the years 1 to 9999")
  T.eq(p.date, 1580688000) -- 2020-02-03
  p, w = build("title: x\ndate: -99999999999999")
  one_warning(w, 3, "outside the years")
  p, w = build("title: x\ndate: [1, 2]")
  one_warning(w, 3, "`date` must be a date, not a list")
  T.eq(p.date, 1580688000)
  p, w = build("title: x\ndate: {a: 1}", "undated")
  T.eq(p.date, 7, "no date in the name: the modification time")
end)

T.test("tags: {a: 1} and nested tags", function()
  local p, w = build("title: x\ntags: {a: 1}")
  one_warning(w, 3, "`tags` must be a list, not a mapping")
  T.eq(p.tags, {})
  p, w = build("title: x\ntags: [ok, [nested], {b: 1}, 2019, true]")
  one_warning(w, 3, "2 items that are a list or a mapping left out")
  T.eq(p.tags, { "ok", "2019", "true" })
  p, w = build("title: x\ncategories: 5")
  T.eq(p.categories, { "5" })
  T.eq(#w, 0)
end)

T.test("title: [a, b] and title: {a: 1}: warning, the title from the heading or the name", function()
  local p, w = build("title: [a, b]")
  one_warning(w, 2, "`title` must be text, not a list")
  T.eq(p.title, nil, "left for the first heading or the file name")
  p, w = build("title: 2019")
  T.eq(p.title, "2019")
  T.eq(#w, 0)
end)

T.test("draft: \"yes\" and friends", function()
  local p, w = build('title: x\ndraft: "yes"')
  one_warning(w, 3, 'read as true')
  T.eq(p.draft, true)
  p, w = build('title: x\ndraft: "no"')
  T.eq(p.draft, false)
  p, w = build('title: x\npublished: "false"')
  one_warning(w, 3, 'read as false')
  T.eq(p.draft, true)
  p, w = build('title: x\ndraft: maybe')
  one_warning(w, 3, "the page is held back")
  T.eq(p.draft, true)
  p, w = build('title: x\ndraft: [1]')
  T.eq(p.draft, true)
  p, w = build('title: x\ndraft: false')
  T.eq(#w, 0)
end)

T.test("layout, author, weight, output, description, lastmod", function()
  local p, w = build("title: x\nlayout: {a: 1}")
  one_warning(w, 3, "`layout` must be text")
  T.eq(p.layout, "post")
  p, w = build("title: x\nlayout: false")
  T.eq(p.layout, false)
  T.eq(#w, 0)
  p, w = build("title: x\nauthor: [1, 2]")
  one_warning(w, 3, "`author` must be a name")
  T.eq(p.author, nil)
  p, w = build("title: x\nauthor: {name: Jo, email: jo@example.org}")
  T.eq(p.author.name, "Jo")
  T.eq(#w, 0)
  p, w = build("title: x\nweight: heavy")
  one_warning(w, 3, "`weight` must be a number")
  p, w = build('title: x\nweight: "12"')
  T.eq(p.weight, 12)
  p, w = build("title: x\noutput: true")
  one_warning(w, 3, "`output` must be false")
  T.eq(p.output, "2020/post/index.html")
  p, w = build("title: x\ndescription: {a: 1}")
  one_warning(w, 3, "`description` must be text")
  T.eq(p.description, nil)
  p, w = build("title: x\nlastmod: tomorrow-ish")
  one_warning(w, 3, "cannot read the date 'tomorrow-ish' of `lastmod`")
  T.eq(p.lastmod, p.date)
end)

T.done()

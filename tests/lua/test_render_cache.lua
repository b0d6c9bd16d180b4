-- test_render_cache.lua: the render phase's caches (issue 13): a partial whose front matter says
-- `cache: language` is rendered once per site and language and gives what an uncached render
-- gives; script_json's fast path writes what folio.json.encode writes.
local T = dofile("testlib.lua")
local template = require "folio.template"
local i18n = require "folio.i18n"

-- A renderer over in-memory files, with a global counting the renders of the cached partial.
local function renderer(files)
  local count = { n = 0 }
  local r = template.new({
    find = function(relpath)
      if files[relpath] then return files[relpath], relpath end
      return nil, { relpath }
    end,
    globals = {
      tick = function() count.n = count.n + 1 end,
      lang_now = function() return i18n.current() end,
    },
  })
  return r, count
end

local FOOTER = "{% tick() %}<p>{{ site.title }} in {{ lang_now() }}{% if page then %} page!{% end %}</p>"

local function files_with(footer_meta)
  return {
    ["layouts/p.html"] = "[{{ page.title }}]{* partial('footer') *}",
    ["layouts/args.html"] = "[{{ page.title }}]{* partial('footer', { extra = 1 }) *}",
    ["layouts/partials/footer.html"] = footer_meta .. FOOTER,
  }
end
local CACHED = "---\ncache: language\n---\n"

T.test("a cache: language partial renders once per site and language", function()
  local r, count = renderer(files_with(CACHED))
  local site = { title = "S" }
  i18n.set_current("en")
  T.eq(r:render_page({ title = "a", layout = "p" }, site), "[a]<p>S in en</p>")
  T.eq(r:render_page({ title = "b", layout = "p" }, site), "[b]<p>S in en</p>")
  T.eq(count.n, 1)
  i18n.set_current("ja") -- another language: rendered again, for it
  T.eq(r:render_page({ title = "c", layout = "p" }, site), "[c]<p>S in ja</p>")
  T.eq(count.n, 2)
  i18n.set_current("en") -- and the first one's is still there
  T.eq(r:render_page({ title = "d", layout = "p" }, site), "[d]<p>S in en</p>")
  T.eq(count.n, 2)
  -- a language's view of the site (its own table, root_site the site) is a site of its own
  local view = setmetatable({ title = "V", root_site = site }, { __index = site })
  T.eq(r:render_page({ title = "e", layout = "p" }, view), "[e]<p>V in en</p>")
  T.eq(count.n, 3)
  -- the next build (another site): rendered again
  T.eq(r:render_page({ title = "f", layout = "p" }, { title = "S2" }), "[f]<p>S2 in en</p>")
  T.eq(count.n, 4)
end)

T.test("a cache: language partial gives what the uncached one gives, page aside", function()
  local cached = renderer(files_with(CACHED))
  local plain = renderer(files_with(""))
  local site = { title = "S" }
  i18n.set_current("de")
  -- the cached one never sees the page (its HTML is shared by every page)
  T.eq(cached:render_page({ title = "a", layout = "p" }, site), "[a]<p>S in de</p>")
  T.eq(plain:render_page({ title = "a", layout = "p" }, site), "[a]<p>S in de page!</p>")
  -- a partial that does not read the page renders the same either way
  local files = files_with(CACHED)
  files["layouts/partials/footer.html"] = CACHED .. "<p>{{ site.title }} in {{ lang_now() }}</p>"
  local a = renderer(files)
  files = files_with("")
  files["layouts/partials/footer.html"] = "<p>{{ site.title }} in {{ lang_now() }}</p>"
  local b = renderer(files)
  for _, title in ipairs({ "x", "y" }) do
    T.eq(a:render_page({ title = title, layout = "p" }, site), b:render_page({ title = title, layout = "p" }, site))
  end
  i18n.set_current("en")
end)

T.test("with arguments, a cache: language partial renders every time, seeing the caller", function()
  local r, count = renderer(files_with(CACHED))
  local site = { title = "S" }
  T.eq(r:render_page({ title = "a", layout = "args" }, site), "[a]<p>S in en page!</p>")
  T.eq(r:render_page({ title = "b", layout = "args" }, site), "[b]<p>S in en page!</p>")
  T.eq(count.n, 2)
end)

T.test("a partial without the front matter renders on every call", function()
  local r, count = renderer(files_with(""))
  local site = { title = "S" }
  r:render_page({ title = "a", layout = "p" }, site)
  r:render_page({ title = "b", layout = "p" }, site)
  T.eq(count.n, 2)
end)

T.test("script_json's fast path writes what folio.json.encode writes", function()
  local json = require "folio.json"
  local r = renderer({})
  local function render_json(env) return r:render_string("{* script_json(v) *}", env) end
  local function expected(v) return (json.encode(v):gsub("[<>&]", { ["<"] = "\\u003c", [">"] = "\\u003e", ["&"] = "\\u0026" })) end
  local cases = {
    { ["@context"] = "https://schema.org", ["@type"] = "BlogPosting", headline = "A <b>&</b> \"q\"\n",
      author = { ["@type"] = "Person", name = "N", url = "https://x/" }, keywords = "a, b",
      publisher = { logo = { ["@type"] = "ImageObject" }, name = "S" } },
    { list = { 1, 2, "three", true, false, { x = 1 } }, n = -7, yes = true },
    { float = 1.5, big = 1e300 },             -- numbers folio.json writes with %.14g
    { empty = {}, marked = json.array({}) },  -- {} and [] as folio.json decides
    { [1] = "a", [3] = "c" },                 -- not a sequence
    { [1] = "a", x = "mixed" },
    { "only", "a", "list" },
    "just a string </script>",
    42,
  }
  for i, v in ipairs(cases) do
    T.eq(render_json({ v = v }), expected(v), "case " .. i)
  end
  -- json_string: a string as a JSON literal
  T.eq(r:render_string("{* json_string(s) *}", { s = 'a"\\\n' }), '"a\\"\\\\\\n"')
end)

T.done()

-- test_search.lua: scripts/search.lua: /search.json shape, excerpt cap, fields, exclusions.
local T = dofile("testlib.lua")
local H = dofile("plugin_harness.lua")

-- A small JSON reader for the checks (strings, numbers, arrays, objects, true/false/null).
local function decode(s)
  local i = 1
  local function ws() i = s:find("[^ \t\r\n]", i) or #s + 1 end
  local value
  local function str()
    local out = {}
    i = i + 1
    while true do
      local c = s:sub(i, i)
      if c == '"' then i = i + 1; return table.concat(out) end
      if c == "\\" then
        local e = s:sub(i + 1, i + 1)
        if e == "u" then out[#out + 1] = utf8.char(tonumber(s:sub(i + 2, i + 5), 16)); i = i + 6
        else out[#out + 1] = ({ n = "\n", t = "\t", r = "\r", b = "\b", f = "\f" })[e] or e; i = i + 2 end
      else
        assert(c ~= "" and c:byte() >= 32, "bad string at " .. i)
        out[#out + 1] = c; i = i + 1
      end
    end
  end
  function value()
    ws()
    local c = s:sub(i, i)
    if c == "{" then
      local t = {}; i = i + 1; ws()
      if s:sub(i, i) == "}" then i = i + 1; return t end
      repeat ws(); local k = str(); ws(); assert(s:sub(i, i) == ":"); i = i + 1; t[k] = value(); ws()
        c = s:sub(i, i); i = i + 1 until c == "}"
      return t
    elseif c == "[" then
      local t = {}; i = i + 1; ws()
      if s:sub(i, i) == "]" then i = i + 1; return t end
      repeat t[#t + 1] = value(); ws(); c = s:sub(i, i); i = i + 1 until c == "]"
      return t
    elseif c == '"' then return str()
    elseif s:find("^true", i) then i = i + 4; return true
    elseif s:find("^false", i) then i = i + 5; return false
    elseif s:find("^null", i) then i = i + 4; return nil
    else local n = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", i); assert(n, "bad JSON at " .. i); i = i + #n; return tonumber(n) end
  end
  local v = value(); ws()
  assert(i > #s, "trailing text at " .. i)
  return v
end

local function build(opts)
  H.reset()
  H.load("taxonomies")
  H.load("search", opts)
  local long = string.rep("mot ", 200)
  local pages = {
    H.post({ title = 'Quotes "and" \\ back', date = 1389139200, tags = { "Lua", "C" },
             content = '<h2 id="b">Body <a class="anchor" href="#b">#</a></h2>'
               .. "<p>&amp; <em>soul</em>\n" .. long .. "</p><script>var x</script>" }),
    H.post({ title = "Hidden", search = false }),
    H.post({ title = "Dropped", output = false }),
    H.post({ title = "About", section = "pages", url = "/about/", date = 1 }),
  }
  local site = H.run_site(H.site(pages))
  return site, decode(site:find("/search.json").content)
end

T.test("index shape: an array of entries, newest first, site.search set", function()
  local site, index = build({ excerpt = 50 })
  local page = site:find("/search.json")
  T.eq(page.layout, false)
  T.eq(site.search, { index = "/search.json" })
  T.eq(#index, 2, "search = false and output = false left out")
  local e = index[1]
  T.eq(e.title, 'Quotes "and" \\ back')
  T.ok(e.url:match("^/posts/p%d+/$"), e.url)
  T.eq(e.date, folio.date.format(1389139200, "%Y-%m-%d"))
  T.eq(e.tags, { "Lua", "C" })
  T.eq(index[2].title, "About")
  T.eq(index[2].tags, {})
end)

T.test("excerpt: plain text, capped at a word end", function()
  local _, index = build({ excerpt = 50 })
  local x = index[1].excerpt
  T.ok(x:find("^Body & soul mot mot") ~= nil, x)
  T.lacks(x, "<")
  T.lacks(x, "var x", "scripts left out")
  T.lacks(x, "#", "heading anchors left out")
  T.ok(utf8.len(x) <= 51, "capped: " .. utf8.len(x))
  T.ok(x:sub(-3) == "…")
end)

T.test("excerpt: inline tags do not split words, entities are decoded", function()
  H.reset()
  H.load("search", { fields = { "excerpt" } })
  local site = H.run_site(H.site({ H.post({ content = "<p>foo<em>bar</em> &mdash; caf&#233;<br>x</p>" }) }))
  T.eq(decode(site:find("/search.json").content), { { excerpt = "foobar — café x" } })
end)

T.test("excerpt: footnote markers and back-links left out, the notes kept", function()
  H.reset()
  H.load("search", { fields = { "excerpt" } })
  -- (as cmark-gfm renders a note referred to twice)
  local html = '<p>A note<sup class="footnote-ref"><a href="#fn-1" id="fnref-1" data-footnote-ref>1</a></sup>'
    .. ' twice<sup class="footnote-ref"><a href="#fn-1" id="fnref-1-2" data-footnote-ref>1</a></sup>'
    .. ', E = mc<sup>2</sup>.</p>\n<section class="footnotes" data-footnotes>\n<ol>\n<li id="fn-1">\n<p>The note.'
    .. ' <a href="#fnref-1" class="footnote-backref" data-footnote-backref aria-label="Back to content">↩</a>'
    .. ' <a href="#fnref-1-2" class="footnote-backref" data-footnote-backref aria-label="Back to content">↩<sup class="footnote-ref">2</sup></a></p>\n</li>\n</ol>\n</section>\n'
  local site = H.run_site(H.site({ H.post({ content = html }) }))
  T.eq(decode(site:find("/search.json").content), { { excerpt = "A note twice, E = mc2. The note." } })
end)

T.test("fields and url options", function()
  H.reset()
  H.load("search", { fields = { "title", "url" }, url = "/idx.json" })
  local site = H.run_site(H.site({ H.post({ title = "T" }) }))
  T.eq(decode(site:find("/idx.json").content), { { title = "T", url = site.pages[1].url } })
  T.eq(site.search.index, "/idx.json")
end)

T.done()

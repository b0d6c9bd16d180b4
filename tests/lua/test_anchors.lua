-- test_anchors.lua: scripts/anchors.lua: GitHub-style ids, collisions, non-ASCII, the # link,
-- the table of contents.
local T = dofile("testlib.lua")
local H = dofile("plugin_harness.lua")

-- A stand-in document: headings with level, text() and a writable id.
local function doc(list)
  local nodes = {}
  for i, h in ipairs(list) do
    nodes[i] = { type = "heading", level = h[1], id = h.id, text = function() return h[2] end }
  end
  return {
    nodes = nodes,
    select = function(_, sel)
      assert(sel == "heading")
      local i = 0
      return function() i = i + 1; return nodes[i] end
    end,
  }
end

local function run(opts, headings)
  H.reset()
  H.load("anchors", opts)
  local d, page = doc(headings), {}
  H.stage("ast")[1].fn(d, page)
  local ids = {}
  for i, n in ipairs(d.nodes) do ids[i] = n.id end
  return ids, page, H.stage("render_heading")[1].fn
end

T.test("GitHub ids: lower case, spaces to -, punctuation out", function()
  local ids = run({}, { { 2, "Hello, World!" }, { 2, "What's new in v1.2?" }, { 3, "C++ & C#" },
                        { 2, "snake_case and kebab-case" }, { 2, "  two  spaces " } })
  T.eq(ids, { "hello-world", "whats-new-in-v12", "c--c", "snake_case-and-kebab-case", "--two--spaces-" })
end)

T.test("non-ASCII letters kept (and lower-cased), their punctuation removed", function()
  local ids = run({}, { { 2, "Çà et là" }, { 2, "Über «Größe»" }, { 2, "日本語の見出し。" },
                        { 2, "Ελληνικά" }, { 2, "Привет мир" } })
  T.eq(ids, { "çà-et-là", "über-größe", "日本語の見出し", "ελληνικά", "привет-мир" })
end)

T.test("collisions get -1, -2; empty gets section; an id set earlier stays", function()
  local ids = run({}, { { 2, "Intro" }, { 2, "Intro" }, { 2, "intro" }, { 2, "Intro 1" }, { 2, "!!!" },
                        { 2, "Custom", id = "mine" }, { 2, "" } })
  T.eq(ids, { "intro", "intro-1", "intro-2", "intro-1-1", "section", "mine", "section-1" })
end)

T.test("render_heading writes the id, and the # link only when asked", function()
  local _, _, render = run({}, { { 2, "A" } })
  T.eq(render({ level = 2, text = "A <em>b</em>", plain = "A b", id = "a-b" }), '<h2 id="a-b">A <em>b</em></h2>\n')
  T.eq(render({ level = 2, text = "A", plain = "A" }), nil, "no id: default rendering")
  _, _, render = run({ link = true }, { { 2, "A" } })
  T.has(render({ level = 3, text = "A", plain = "A", id = "x\"y" }),
        '<h3 id="x&quot;y">A <a class="anchor" href="#x&quot;y" aria-label="Link to this section">#</a></h3>')
end)

T.test("toc: nested levels 2-3, only with enough headings", function()
  local _, page = run({}, { { 1, "Title" }, { 2, "One" }, { 3, "One a" }, { 3, "One <b>" }, { 4, "Deep" }, { 2, "Two" } })
  T.eq(page.toc, '<ul>\n<li><a href="#one">One</a>\n<ul>\n<li><a href="#one-a">One a</a></li>\n'
    .. '<li><a href="#one-b">One &lt;b&gt;</a></li>\n</ul>\n</li>\n<li><a href="#two">Two</a></li>\n</ul>\n')
  _, page = run({}, { { 2, "One" }, { 2, "Two" }, { 4, "Deep" } })
  T.eq(page.toc, nil, "2 headings in range < 3")
  _, page = run({ levels = { 2, 4 }, min_headings = 2 }, { { 3, "Starts deep" }, { 2, "Two" }, { 4, "Deep" } })
  T.has(page.toc, '<li><a href="#starts-deep">Starts deep</a></li>\n<li><a href="#two">Two</a>\n<ul>\n<li><a href="#deep">')
end)

T.test("toc: skipped levels, several lists closed at once (one-pass writer)", function()
  local hs = {}
  for i, l in ipairs({ 2, 4, 6, 3, 1, 5, 5, 2 }) do hs[i] = { l, "H" .. i } end
  local _, page = run({ levels = { 1, 6 } }, hs)
  T.eq(page.toc, '<ul>\n<li><a href="#h1">H1</a>\n<ul>\n<li><a href="#h2">H2</a>\n<ul>\n'
    .. '<li><a href="#h3">H3</a></li>\n</ul>\n</li>\n<li><a href="#h4">H4</a></li>\n</ul>\n</li>\n'
    .. '<li><a href="#h5">H5</a>\n<ul>\n<li><a href="#h6">H6</a></li>\n<li><a href="#h7">H7</a></li>\n'
    .. '<li><a href="#h8">H8</a></li>\n</ul>\n</li>\n</ul>\n')
end)

T.done()

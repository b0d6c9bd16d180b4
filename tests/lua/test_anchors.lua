-- test_anchors.lua: scripts/anchors.lua: GitHub-style ids, collisions, non-ASCII, the # link,
-- the table of contents.
local T = dofile("testlib.lua")
local H = dofile("plugin_harness.lua")

-- A document of headings (level, text as one text node, optionally an id already set).
local function doc(list)
  local d, nodes = folio.markdown.parse(""), {}
  for i, h in ipairs(list) do
    local node = folio.ast.new("heading", { level = h[1], id = h.id })
    if h[2] ~= "" then node:append(folio.ast.new("text", { literal = h[2] })) end
    d:append(node)
    nodes[i] = node
  end
  return d, nodes
end

local function run(opts, headings)
  H.reset()
  H.load("anchors", opts)
  local d, nodes = doc(headings)
  local page = {}
  H.stage("ast")[1].fn(d, page)
  local ids = {}
  for i, n in ipairs(nodes) do ids[i] = n.id end
  local render = H.stage("render_heading")[1]
  return ids, page, render and render.fn, d
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

T.test("the renderer writes the ids; a render_heading hook adds the # link only when asked", function()
  local _, _, render, d = run({}, { { 2, "A" }, { 3, "B" } })
  T.eq(render, nil, "no hook per heading without links")
  T.eq(folio.markdown.render(d), '<h2 id="a">A</h2>\n<h3 id="b">B</h3>\n')
  _, _, render = run({ link = true }, { { 2, "A" } })
  T.has(render({ level = 3, text = "A", plain = "A", id = "x\"y" }),
        '<h3 id="x&quot;y">A <a class="anchor" href="#x&quot;y" aria-label="Link to this section">#</a></h3>')
  T.eq(render({ level = 2, text = "A", plain = "A" }), nil, "no id: default rendering")
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

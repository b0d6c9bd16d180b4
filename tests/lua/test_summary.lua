-- test_summary.lua: scripts/summary.lua: more marker, description, first paragraph, entities,
-- word count.
local T = dofile("testlib.lua")
local H = dofile("plugin_harness.lua")

-- folio.ast.parse may not be bound in `folio lua`; a stand-in records what the plugin parses.
local parsed
local real_ast = folio.ast
folio.ast = { parse = function(md) parsed = md; return { { type = "paragraph" } } end }
H.load("summary", { length = 40, wpm = 200 })
folio.ast = real_ast
local filter = H.stage("ast")[1].fn
local html_hook = H.stage("html")[1].fn

-- The body as the core hands it to the html stage: the marker block replaced by the filter.
local function render(blocks)
  local out = {}
  for _, b in ipairs(blocks) do
    if type(b) == "table" then
      folio.ast = { parse = function(md) parsed = md; return {} end }
      local r = filter.html_block({ type = "html_block", literal = b.marker })
      folio.ast = real_ast
      out[#out + 1] = r and ("<p>" .. parsed .. "</p>") or "<!-- raw HTML omitted -->"
    else
      out[#out + 1] = b
    end
  end
  return table.concat(out, "\n") .. "\n"
end

local function run(page)
  html_hook(page)
  H.run_site(H.site({ page }))
  return page
end

T.test("more marker, both spellings; marker removed from the page", function()
  for _, marker in ipairs({ "<!--more-->\n", "<!-- more -->\n", "  <!--  more  -->" }) do
    local p = run(H.post({ content = render({ "<p>One &amp; two.</p>", "<p>Three.</p>", { marker = marker }, "<p>Four.</p>" }) }))
    T.eq(p.summary_html, "<p>One &amp; two.</p>\n<p>Three.</p>", marker)
    T.eq(p.summary, "One & two. Three.")
    T.eq(p.more, true)
    T.lacks(p.content, "folio", "token removed")
    T.has(p.content, "<p>Three.</p>\n<p>Four.</p>")
  end
end)

T.test("other comments are not markers", function()
  local p = run(H.post({ content = render({ "<p>A.</p>", { marker = "<!-- more or less -->" }, "<p>B.</p>" }) }))
  T.eq(p.more, nil)
  T.eq(p.summary, "A.")
end)

T.test("raw marker kept by raw_html is found too", function()
  local p = run(H.post({ content = "<p>A.</p>\n<!-- more -->\n<p>B.</p>\n" }))
  T.eq(p.summary_html, "<p>A.</p>")
  T.eq(p.content, "<p>A.</p>\n<p>B.</p>\n")
end)

T.test("description, then excerpt, win over the first paragraph", function()
  local p = run(H.post({ description = "Fish & <chips>", content = "<p>Body.</p>" }))
  T.eq(p.summary, "Fish & <chips>")
  T.eq(p.summary_html, "<p>Fish &amp; &lt;chips&gt;</p>")
  T.eq(run(H.post({ excerpt = "Ex.", content = "<p>Body.</p>" })).summary, "Ex.")
end)

T.test("first paragraph: tags dropped, entities decoded, <pre> is not a paragraph", function()
  local p = run(H.post({ content = '<pre><code>x</code></pre>\n<p class="x">A <em>b</em>&nbsp;&#233;&#x41;&lt;</p>\n<p>Second.</p>' }))
  T.eq(p.summary, "A b éA<")
  T.eq(p.summary_html, "<p>A <em>b</em>&nbsp;&#233;&#x41;&lt;</p>")
  T.eq(run(H.post({ content = "<h2>Only a heading</h2>" })).summary, "")
end)

T.test("long summaries cut at a word end, never in an entity or a character", function()
  local p = run(H.post({ content = "<p>Les &eacute;l&egrave;ves &amp; leurs ma&icirc;tres s&#x27;en vont à l’école ensemble.</p>" }))
  T.ok(utf8.len(p.summary) <= 41, "at most length + 1 characters: " .. p.summary)
  T.eq(p.summary, "Les élèves & leurs ma&icirc;tres s'en…")
  local r = run(H.post({ content = "<p>" .. string.rep("x", 36) .. "&icirc;&icirc;</p>" }))
  T.eq(r.summary, string.rep("x", 36) .. "…", "no half entity")
  T.ok(p.summary:sub(-3) == "…", "ends with an ellipsis")
  T.ok(utf8.len(p.summary) ~= nil, "valid UTF-8")
  local q = run(H.post({ content = "<p>" .. string.rep("é", 60) .. "</p>" }))
  T.ok(utf8.len(q.summary) ~= nil and utf8.len(q.summary) <= 41, "one long word cut on a character boundary")
end)

T.test("words and reading time from the rendered text", function()
  local words = string.rep("word ", 401)
  local p = run(H.post({ content = '<h2 id="x">X <a class="anchor" href="#x">#</a></h2>\n<p>' .. words
    .. "</p><pre><code>a = 1</code></pre>", words = 1, reading_time = 0 }))
  T.eq(p.words, 405, "heading X, 401 words, a = 1; not the anchor's #")
  T.eq(p.reading_time, 3, "404 / 200 rounded up")
  T.eq(run(H.post({ content = "" })).reading_time, 1)
end)

T.done()

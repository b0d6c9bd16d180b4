-- test_summary.lua: scripts/summary.lua: more marker, description, first paragraph (paragraphs
-- without words or repeating the title skipped, footnote markers dropped), entities, word count.
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

T.test("first paragraph: <p followed by white space or >, not <picture> or <progress>", function()
  local p = run(H.post({ content = '<picture><img alt="x"></picture>\n<progress>1</progress>\n<p\tclass="y">Tab here.</p>' }))
  T.eq(p.summary, "Tab here.")
  T.eq(run(H.post({ content = "<p\n>New line.</p>" })).summary, "New line.")
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

T.test("paragraphs of only emoji, punctuation, white space or images are skipped", function()
  local sparkles = string.rep("✨", 10)
  T.eq(run(H.post({ content = "<p>" .. sparkles .. "</p>\n<p>The meetup.</p>" })).summary, "The meetup.",
    "seed 000's row of sparkles")
  T.eq(run(H.post({ content = "<p>" .. string.rep(":sparkles:", 3) .. "</p>\n<p>Text.</p>" })).summary,
    "Text.", "emoji shortcodes the emoji plugin left")
  T.eq(run(H.post({ content = "<p>👩‍💻 🇫🇷 ❤️ — … ! * * *</p>\n<p>Text.</p>" })).summary, "Text.",
    "ZWJ sequences, flags, variation selectors, dashes, punctuation")
  T.eq(run(H.post({ content = "<p>&nbsp; &#x2728; &hellip;</p>\n<p>Text.</p>" })).summary, "Text.",
    "entities decoded first")
  local p = run(H.post({ content = '<p><img src="a.jpg" alt="A logo"></p>\n<p>Tonight <a href="/x">we</a> met.</p>' }))
  T.eq(p.summary, "Tonight we met.", "seed 002 opens with an image")
  T.eq(p.summary_html, '<p>Tonight <a href="/x">we</a> met.</p>')
  T.eq(run(H.post({ content = '<p><a href="/"><img src="a.jpg"></a> ✨</p>\n<p>Text.</p>' })).summary,
    "Text.", "a linked image")
  T.eq(run(H.post({ content = "<p>✨</p>" })).summary, "", "no paragraph with words: no summary")
  T.eq(run(H.post({ content = "<p>✨</p>" })).summary_html, "")
end)

T.test("paragraphs with words in any script, or numbers, are kept", function()
  T.eq(run(H.post({ content = "<p>✨ 日本語の記事 ✨</p>" })).summary, "✨ 日本語の記事 ✨")
  T.eq(run(H.post({ content = "<p>مرحبا</p>" })).summary, "مرحبا")
  T.eq(run(H.post({ content = "<p>Ça va ?</p>" })).summary, "Ça va ?")
  T.eq(run(H.post({ content = "<p>2024</p>" })).summary, "2024")
  T.eq(run(H.post({ content = "<p>At 10:30:45, go.</p>" })).summary, "At 10:30:45, go.", "colons are not shortcodes")
  T.eq(run(H.post({ content = "<p>\xff\xfe</p>" })).summary, "\xff\xfe", "not UTF-8: taken, as before")
end)

T.test("a paragraph only repeating the title is skipped", function()
  local p = run(H.post({ title = "Janet's Meetup Writeup",
    content = "<p>✨✨</p>\n<p><strong>Janet’s Meetup Writeup</strong></p>\n<p>I used the app.</p>" }))
  T.eq(p.summary, "I used the app.")
  T.eq(run(H.post({ title = "Meetup", content = "<p>Meetup notes, at last.</p>" })).summary,
    "Meetup notes, at last.", "more than the title: kept")
end)

T.test("footnote markers never leak into the summary", function()
  local gfm = '<p>A note<sup class="footnote-ref"><a href="#fn-1" id="fnref-1" data-footnote-ref>1</a></sup> here.</p>\n'
    .. '<section class="footnotes" data-footnotes>\n<ol>\n<li id="fn-1">\n<p>The note. '
    .. '<a href="#fnref-1" class="footnote-backref" data-footnote-backref aria-label="Back to content">↩</a></p>\n</li>\n</ol>\n</section>\n'
  local p = run(H.post({ content = gfm }))
  T.eq(p.summary, "A note here.", "cmark-gfm's marker")
  T.eq(p.summary_html, "<p>A note here.</p>")
  local kramdown = '<p>A note<sup id="fnref:1" role="doc-noteref"><a href="#fn:1" class="footnote" rel="footnote">1</a></sup>.</p>'
  T.eq(run(H.post({ content = kramdown })).summary, "A note.", "kramdown's marker")
  local pandoc = '<p>A note<a href="#fn1" class="footnote-ref" id="fnref1" role="doc-noteref"><sup>1</sup></a>.</p>'
  T.eq(run(H.post({ content = pandoc })).summary, "A note.", "Pandoc's marker")
  T.eq(run(H.post({ content = "<p>Cited<sup>[1]</sup>.</p>" })).summary, "Cited.", "a bracketed superscript")
  T.eq(run(H.post({ content = "<p>E = mc<sup>2</sup>.</p>" })).summary, "E = mc2.", "a power stays")
end)

T.test("footnote markers are dropped before a more marker too; notes are never the summary", function()
  local p = run(H.post({ content = render({ '<p>A<sup class="footnote-ref"><a href="#fn-1">1</a></sup>.</p>',
    { marker = "<!--more-->" }, "<p>B.</p>" }) }))
  T.eq(p.summary_html, "<p>A.</p>")
  T.eq(p.summary, "A.")
  local q = run(H.post({ content = '<p><img src="x.png"></p>\n<section class="footnotes">\n<ol>\n<li id="fn-1">\n<p>Note.</p>\n</li>\n</ol>\n</section>' }))
  T.eq(q.summary, "", "a note's paragraph is not the summary")
end)

T.test("more marker and description keep their priority over the skip rules", function()
  local p = run(H.post({ content = render({ "<p>✨✨</p>", { marker = "<!--more-->" }, "<p>Text.</p>" }) }))
  T.eq(p.summary_html, "<p>✨✨</p>", "what the author marked")
  T.eq(run(H.post({ description = "✨", content = "<p>Text.</p>" })).summary, "✨")
end)

T.done()

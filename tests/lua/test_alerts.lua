-- test_alerts.lua: scripts/alerts.lua: GitHub alerts (`> [!NOTE]`) become callouts; anything
-- else that looks like one stays a blockquote.
local T = dofile("testlib.lua")
local H = dofile("plugin_harness.lua")
local md = folio.markdown

-- Markdown -> HTML with the plugin's ast filter run on the tree, as the pipeline does.
local function render(text, opts, page)
  H.reset()
  H.load("alerts", opts)
  local hooks = H.stage("ast")
  T.eq(#hooks, 1, "one ast hook")
  local doc = md.parse(text)
  local filter = {}
  for type, fn in pairs(hooks[1].fn) do filter[type] = function(node) return fn(node, page or {}) end end
  doc:walk(filter)
  return md.render(doc)
end

local function opening(kind, title)
  return '<div class="alert alert-' .. kind .. '" role="note"><p class="alert-title">' .. title .. "</p>"
end

T.test("each of the five types becomes its callout, the marker removed", function()
  for kind, title in pairs { note = "Note", tip = "Tip", important = "Important",
                              warning = "Warning", caution = "Caution" } do
    local out = render("> [!" .. kind:upper() .. "]\n> Read *this*.\n")
    T.has(out, opening(kind, title) .. "\n<p>Read <em>this</em>.</p>\n</div>", kind)
    T.lacks(out, "[!", kind)
    T.lacks(out, "<blockquote>", kind)
  end
end)

T.test("lower and mixed case markers work, as on GitHub", function()
  T.has(render("> [!note]\n> a\n"), opening("note", "Note"))
  T.has(render("> [!Warning]\n> a\n"), opening("warning", "Warning"))
end)

T.test("the marker on its own paragraph, with more paragraphs after", function()
  local out = render("> [!TIP]\n>\n> First.\n>\n> Second.\n")
  T.has(out, opening("tip", "Tip") .. "\n<p>First.</p>\n<p>Second.</p>\n</div>")
  T.lacks(out, "<p></p>")
end)

T.test("an unknown type stays a blockquote", function()
  local out = render("> [!DANGER]\n> a\n")
  T.has(out, "<blockquote>\n<p>[!DANGER]\na</p>\n</blockquote>")
  T.lacks(out, "alert")
end)

T.test("a marker mid-paragraph, after text on its line, or in a later paragraph stays", function()
  T.has(render("> Look: [!NOTE]\n> a\n"), "<blockquote>\n<p>Look: [!NOTE]")
  T.has(render("> [!NOTE] and more\n> a\n"), "<blockquote>\n<p>[!NOTE] and more")
  T.has(render("> Intro.\n>\n> [!NOTE]\n> a\n"), "<p>[!NOTE]\na</p>\n</blockquote>")
  T.lacks(render("> Look: [!NOTE]\n> a\n"), "alert")
end)

T.test("a blockquote holding only the marker stays a blockquote", function()
  T.has(render("> [!NOTE]\n"), "<blockquote>\n<p>[!NOTE]</p>\n</blockquote>")
end)

T.test("nested lists and code are kept inside the callout", function()
  local out = render("> [!IMPORTANT]\n> Steps:\n>\n> - one\n> - two\n>\n> ```sh\n> make\n> ```\n")
  T.has(out, opening("important", "Important") .. "\n<p>Steps:</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
    .. '<pre><code class="language-sh">make\n</code></pre>\n</div>')
end)

T.test("an alert inside a list item", function()
  local out = render("- item\n\n  > [!CAUTION]\n  > careful\n")
  T.has(out, "<li>\n<p>item</p>\n" .. opening("caution", "Caution") .. "\n<p>careful</p>\n</div>\n</li>")
end)

T.test("a blockquote without a marker is untouched", function()
  local text = "> Just a quote\n> over two lines.\n\n> - a list\n"
  T.eq(render(text), md.to_html(text))
end)

T.test("a marker inside a code block or a code span is untouched", function()
  local fenced = "> ```\n> [!NOTE]\n> x\n> ```\n"
  T.eq(render(fenced), md.to_html(fenced))
  T.has(render(fenced), "<blockquote>\n<pre><code>[!NOTE]\nx\n</code></pre>\n</blockquote>")
  local span = "> `[!NOTE]`\n> x\n"
  T.eq(render(span), md.to_html(span))
  local indented = "    > [!NOTE]\n    > x\n"
  T.eq(render(indented), md.to_html(indented))
end)

T.test("titles: the theme's table, the site's options, per language; escaped", function()
  folio.alert_titles = { note = "Theme note", tip = "Theme tip" }
  local ok, err = pcall(function()
    local opts = { titles = { tip = "Site <tip>", de = { warning = "Warnung" } } }
    T.has(render("> [!NOTE]\n> a\n", opts), opening("note", "Theme note"))
    T.has(render("> [!TIP]\n> a\n", opts), opening("tip", "Site &lt;tip&gt;"))
    T.has(render("> [!WARNING]\n> a\n", opts, { lang = "de" }), opening("warning", "Warnung"))
    T.has(render("> [!WARNING]\n> a\n", opts, { lang = "fr" }), opening("warning", "Warning"))
  end)
  folio.alert_titles = nil
  assert(ok, err)
end)

T.done()

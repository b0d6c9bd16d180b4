-- test_ast.lua: the Markdown tree binding (src/lua/lx_ast.c, src/md/markdown.c).
local T = dofile("testlib.lua")
local md, ast = folio.markdown, folio.ast

local function html(text, opts) return md.to_html(text, opts) end
local function types(list)
  local out = {}
  for _, n in ipairs(list) do out[#out + 1] = n.type end
  return out
end
local function collect(iter)
  local out = {}
  for n in iter do out[#out + 1] = n end
  return out
end

----------------------------------------------------------------------------------------------
-- Extensions and options

T.test("table extension", function()
  local out = html("| a | b |\n|---|:-:|\n| 1 | 2 |\n")
  T.has(out, "<table>")
  T.has(out, "<th>a</th>")
  T.has(out, '<td align="center">2</td>')
  local doc = md.parse("| a | b |\n|---|---|\n| 1 | 2 |\n")
  T.eq(doc.first_child.type, "table")
  T.eq(#collect(doc:select("table_row")), 2)
  T.eq(#collect(doc:select("table_cell")), 4)
end)

T.test("strikethrough extension", function()
  T.has(html("a ~~b~~ c"), "<del>b</del>")
  local doc = md.parse("a ~~b~~ c")
  T.eq(#collect(doc:select("strikethrough")), 1)
end)

T.test("autolink extension, and autolink = false", function()
  T.has(html("see https://example.com/x now"), '<a href="https://example.com/x">https://example.com/x</a>')
  T.has(html("visit www.example.com"), '<a href="http://www.example.com">www.example.com</a>')
  T.lacks(html("see https://example.com/x now", { autolink = false }), "<a ")
end)

-- The characters that start extension syntax (~, :, w) stay switched on in cmark-gfm's
-- process-wide table for the whole run (src/md/markdown.c): a parser without the extension
-- must still give one text node per run of text, and the same HTML as before.
T.test("text with extension characters, parsed without the extension", function()
  local text = "wow: a www word ~ with ~~tildes~~ and w:w:w"
  local doc = md.parse(text, { autolink = false })
  local para = doc.first_child
  T.eq(types(collect(para:children())), { "text", "strikethrough", "text" })
  T.eq(para.first_child.literal, "wow: a www word ~ with ")
  T.eq(para.last_child.literal, " and w:w:w")
  T.eq(html(text, { autolink = false }), "<p>wow: a www word ~ with <del>tildes</del> and w:w:w</p>\n")
  -- and with the extension, right after: the characters still work
  T.has(html("see www.example.com and ~~x~~"), '<a href="http://www.example.com">www.example.com</a>')
  T.has(html("see www.example.com and ~~x~~"), "<del>x</del>")
end)

T.test("task list extension", function()
  local out = html("- [ ] todo\n- [x] done\n")
  T.has(out, '<input type="checkbox" disabled="" /> todo')
  T.has(out, '<input type="checkbox" checked="" disabled="" /> done')
  local doc = md.parse("- [ ] todo\n- [x] done\n- plain\n")
  local tasks = collect(doc:select("tasklist"))
  T.eq(#tasks, 2)
  T.eq(tasks[1].checked, false)
  T.eq(tasks[2].checked, true)
  T.eq(#collect(doc:select("item")), 1)
end)

T.test("footnotes, and footnotes = false", function()
  local src = "Text[^n].\n\n[^n]: The note.\n"
  local out = html(src)
  T.has(out, 'class="footnote-ref"')
  T.has(out, '<section class="footnotes"')
  T.has(out, "The note.")
  local doc = md.parse(src)
  local ref = doc:select("footnote_reference")()
  local def = doc:select("footnote_definition")()
  T.ok(ref and def, "footnote nodes")
  T.eq(def:text(), "The note.")
  T.lacks(html(src, { footnotes = false }), "footnote-ref")
end)

T.test("tag filter: off by default, on with tagfilter = true", function()
  local embed = '<iframe src="https://www.youtube.com/embed/x"></iframe>\n\n<script>x</script>\n\n<b>ok</b>'
  T.has(html(embed), '<iframe src="https://www.youtube.com/embed/x"></iframe>')
  T.has(html(embed), "<script>x</script>")
  T.has(html(embed, { tagfilter = true }), "&lt;iframe")
  T.has(html(embed, { tagfilter = true }), "&lt;script>")
  T.has(html(embed, { tagfilter = true }), "<b>ok</b>")
  -- the tree API: parse options carry it to render, and render's own options can set it
  local doc = md.parse("<style>p{}</style>\n", { tagfilter = true })
  T.has(md.render(doc), "&lt;style>")
  T.has(md.render(md.parse("<style>p{}</style>\n"), nil, nil, { tagfilter = true }), "&lt;style>")
  T.has(md.render(md.parse("<style>p{}</style>\n")), "<style>p{}</style>")
end)

T.test("smart option", function()
  T.has(html('"quoted" -- dash', { smart = true }), "“quoted” – dash")
  T.has(html('"quoted"'), "&quot;quoted&quot;")
end)

T.test("hardbreaks option", function()
  T.has(html("a\nb", { hardbreaks = true }), "a<br />\nb")
  T.eq(html("a\nb"), "<p>a\nb</p>\n")
  -- render may override it
  local doc = md.parse("a\nb")
  T.has(md.render(doc, nil, nil, { hardbreaks = true }), "<br />")
end)

T.test("raw_html option (safe mode)", function()
  T.has(html("x <b>y</b>\n\n<div>z</div>\n"), "<b>y</b>")
  local safe = html("x <b>y</b>\n\n<div>z</div>\n", { raw_html = false })
  T.lacks(safe, "<b>")
  T.lacks(safe, "<div>")
  T.has(safe, "raw HTML omitted")
  T.has(md.render(md.parse("<i>x</i>", { raw_html = false })), "omitted")
  T.has(md.render(md.parse("<i>x</i>"), nil, nil, { raw_html = true }), "<i>x</i>")
end)

T.test("parse + render equals to_html; unknown option keys ignored", function()
  local src = "# T\n\nSome *text* with [a](b) and `c`.\n\n- x\n- y\n"
  local opts = { smart = true, something_else = 3 }
  T.eq(md.render(md.parse(src, opts), nil, nil, opts), html(src, opts))
  T.raises(function() md.parse("x", 5) end, "options must be a table")
  T.raises(function() md.parse(nil) end)
end)

----------------------------------------------------------------------------------------------
-- Fields

T.test("field reads", function()
  local doc = md.parse([[
## Title `code`

A [link](/u "tt") and ![alt *x*](/i.png) and <span>.

```lua extra
print(1)
```

3. one
4. two

<div>
block
</div>
]])
  T.eq(doc.type, "document")
  local h = doc.first_child
  T.eq(h.type, "heading")
  T.eq(h.level, 2)
  T.eq(h.id, nil)
  T.eq(h.line, 1)
  T.eq(h.end_line, 1)
  T.eq(h.url, nil, "field that does not apply")
  T.eq(h.literal, nil)
  T.eq(h.nonexistent, nil)
  local code = doc:select("code")()
  T.eq(code.literal, "code")
  local link = doc:select("link")()
  T.eq(link.url, "/u")
  T.eq(link.title, "tt")
  local img = doc:select("image")()
  T.eq(img.url, "/i.png")
  T.eq(img.title, "")
  T.eq(img:text(), "alt x")
  T.eq(doc:select("html_inline")().literal, "<span>")
  local cb = doc:select("code_block")()
  T.eq(cb.info, "lua extra")
  T.eq(cb.literal, "print(1)\n")
  T.eq(cb.line, 5)
  T.eq(cb.end_line, 7)
  local list = doc:select("list")()
  T.eq(list.list_type, "ordered")
  T.eq(list.start, 3)
  T.eq(list.tight, true)
  T.eq(list.level, nil)
  T.eq(doc:select("html_block")().literal, "<div>\nblock\n</div>\n")
  T.eq(doc:select("text")().literal, "Title ")
  T.eq(md.parse("- a\n\n- b\n"):select("list")().tight, false)
  T.eq(md.parse("- a\n"):select("list")().list_type, "bullet")
end)

T.test("field writes", function()
  local doc = md.parse("# H\n\n[l](u) ![i](p)\n\n```\nx\n```\n\n- a\n- b\n")
  local h = doc.first_child
  h.level = 3
  h.first_child.literal = "New"
  local link = doc:select("link")()
  link.url = "/new"
  link.title = "T"
  local img = doc:select("image")()
  img.url = "/pic.png"
  img.title = "P"
  local cb = doc:select("code_block")()
  cb.info = "python"
  cb.literal = "y = 2\n"
  local list = doc:select("list")()
  list.list_type = "ordered"
  list.start = 5
  list.tight = false
  T.eq(h.level, 3)
  T.eq(list.list_type, "ordered")
  T.eq(list.start, 5)
  T.eq(list.tight, false)
  local out = md.render(doc)
  T.has(out, "<h3>New</h3>")
  T.has(out, '<a href="/new" title="T">l</a>')
  T.has(out, '<img src="/pic.png" alt="i" title="P" />')
  T.has(out, '<pre><code class="language-python">y = 2\n</code></pre>')
  T.has(out, '<ol start="5">')
  T.has(out, "<p>a</p>")
  local task = md.parse("- [ ] t\n"):select("tasklist")()
  task.checked = true
  T.eq(task.checked, true)
  local html_node = md.parse("<p>x</p>\n").first_child
  html_node.literal = "<hr>\n"
  T.eq(html_node.literal, "<hr>\n")
end)

T.test("bad field writes raise clear errors", function()
  local doc = md.parse("# H\n\ntext [l](u)\n")
  local h = doc.first_child
  T.raises(function() h.url = "x" end, "field 'url' does not apply to a heading node")
  T.raises(function() h.literal = "x" end, "does not apply")
  T.raises(function() h.type = "paragraph" end, "read-only")
  T.raises(function() h.line = 3 end, "read-only")
  T.raises(function() h.parent = doc end, "read-only")
  T.raises(function() h.level = 7 end, "1 to 6")
  T.raises(function() h.level = "2" end, "must be an integer")
  T.raises(function() h.bogus = 1 end, "node has no field 'bogus'")
  T.raises(function() h.walk = 1 end, "cannot assign to method")
  T.raises(function() doc:select("text")().literal = 5 end, "must be a string")
  T.raises(function() doc:select("link")().id = "x" end, "does not apply to a link")
  T.raises(function() doc:select("paragraph")().checked = true end, "does not apply")
  T.raises(function() md.parse("- x\n"):select("list")().list_type = "dotted" end, "bullet")
  T.raises(function() md.parse("- x\n"):select("list")().tight = 1 end, "boolean")
  T.raises(function() doc:select("nonsense") end, "unknown node type 'nonsense'")
  -- error position points at the caller
  local err = T.raises(function() h.url = "x" end)
  T.has(err, "test_ast.lua:")
end)

T.test("node:heading_ids gives ids in document order and lists the headings of some levels", function()
  local doc = md.parse("# Intro\n\n## Intro\n\n> ### Quoted *em*\n\n## Own\n\n#### Deep\n\n## `code` & more\n")
  local own
  for h in doc:select("heading") do
    if h:text() == "Own" then own = h; h.id = "intro-2" end -- taken before the next "Intro"s
  end
  local list = doc:heading_ids(2, 3)
  T.eq(#list, 4)
  T.eq({ list[1].level, list[1].id, list[1].text }, { 2, "intro-1", "Intro" })
  T.eq({ list[2].level, list[2].id, list[2].text }, { 3, "quoted-em", "Quoted em" })
  T.eq(list[3].id, "intro-2")
  T.eq(list[4].id, "code--more")
  T.eq(own.id, "intro-2")
  -- defaults: every level; a second call keeps the ids the first gave
  T.eq(#doc:heading_ids(), 6)
  T.eq(doc:heading_ids()[2].id, "intro-1")
  T.eq(#md.parse("text only\n"):heading_ids(), 0)
  local out = md.render(doc)
  T.has(out, '<h1 id="intro">Intro</h1>')
  T.has(out, '<h2 id="intro-1">Intro</h2>')
  T.has(out, '<h4 id="deep">Deep</h4>')
end)

T.test("heading id", function()
  local doc = md.parse("## A & B\n\ntext\n")
  local h = doc.first_child
  h.id = 'a"<b>&'
  T.eq(h.id, 'a"<b>&')
  local out = md.render(doc)
  T.has(out, '<h2 id="a&quot;&lt;b&gt;&amp;">A &amp; B</h2>\n<p>text</p>')
  local doc2 = md.parse("# X\n")
  doc2.first_child.id = "x"
  doc2.first_child.id = nil
  T.eq(doc2.first_child.id, nil)
  T.eq(md.render(doc2), "<h1>X</h1>\n")
  T.raises(function() doc2.first_child.id = 3 end, "must be a string")
  -- an id survives moving the heading to another document
  local doc3 = md.parse("para\n")
  local h2 = ast.new("heading", { level = 1, id = "moved" })
  h2:append(ast.new("text", { literal = "M" }))
  doc3:prepend(h2)
  T.has(md.render(doc3), '<h1 id="moved">M</h1>')
end)

----------------------------------------------------------------------------------------------
-- Navigation

T.test("parent, next, prev, first_child, last_child, children, identity", function()
  local doc = md.parse("# A\n\npara *em* end\n\n> quote\n")
  local h, p, q = doc.first_child, doc.first_child.next, doc.last_child
  T.eq(types { h, p, q }, { "heading", "paragraph", "block_quote" })
  T.ok(h.parent == doc, "parent is the same userdata")
  T.ok(p.prev == h and q.prev == p and p.next == q, "siblings")
  T.eq(q.next, nil)
  T.eq(h.prev, nil)
  T.eq(doc.parent, nil)
  T.eq(types(collect(doc:children())), { "heading", "paragraph", "block_quote" })
  T.eq(types(collect(p:children())), { "text", "emph", "text" })
  T.eq(collect(p.first_child:children()), {})
  T.ok(doc:select("emph")() == p.first_child.next, "same node, same userdata")
  local seen = {}
  seen[h] = true
  T.ok(seen[doc.first_child], "nodes work as table keys")
end)

T.test("select by type and by predicate, document order", function()
  local doc = md.parse("# One *a*\n\nTwo **b *c***\n\n## Three\n")
  T.eq(#collect(doc:select("heading")), 2)
  local texts = {}
  for t in doc:select("text") do texts[#texts + 1] = t.literal end
  T.eq(texts, { "One ", "a", "Two ", "b ", "c", "Three" })
  local emph = collect(doc:select("emph"))
  T.eq(#emph, 2, "nested emph found")
  local big = collect(doc:select(function(n) return n.type == "heading" and n.level == 1 end))
  T.eq(#big, 1)
  T.eq(big[1]:text(), "One a")
  -- descendants only, not the node itself
  T.eq(#collect(doc.first_child:select("heading")), 0)
  -- removing nodes while iterating is safe
  local n = 0
  for t in doc:select("text") do t:remove(); n = n + 1 end
  T.eq(n, 6)
  T.eq(#collect(doc:select("text")), 0)
  T.raises(function() doc:select(42) end, "expected a node type name or a function")
end)

T.test("text()", function()
  local doc = md.parse("# Hello *big* `world`\n\nline one\nline two  \nthree\n\n```\ncode\n```\n")
  T.eq(doc.first_child:text(), "Hello big world")
  T.eq(doc:text(), "Hello big world\nline one line two\nthree\ncode\n")
end)

----------------------------------------------------------------------------------------------
-- Editing

T.test("insert_before, insert_after, append, prepend, remove", function()
  local doc = md.parse("middle\n")
  local p = doc.first_child
  local a = ast.new("paragraph"); a:append(ast.new("text", { literal = "before" }))
  local b = ast.new("paragraph"); b:append(ast.new("text", { literal = "after" }))
  local c = ast.new("thematic_break")
  local d = ast.new("heading", { level = 2 }); d:prepend(ast.new("text", { literal = "top" }))
  T.ok(p:insert_before(a) == a, "returns the inserted node")
  p:insert_after(b)
  doc:append(c)
  doc:prepend(d)
  T.eq(md.render(doc), "<h2>top</h2>\n<p>before</p>\n<p>middle</p>\n<p>after</p>\n<hr />\n")
  T.ok(a.parent == doc)
  T.ok(b:remove() == b)
  T.eq(b.parent, nil)
  T.eq(b.next, nil)
  T.eq(b.prev, nil)
  b:remove() -- removing a detached node is a no-op
  T.eq(md.render(doc), "<h2>top</h2>\n<p>before</p>\n<p>middle</p>\n<hr />\n")
  -- moving within the document
  doc:append(d)
  T.eq(md.render(doc), "<p>before</p>\n<p>middle</p>\n<hr />\n<h2>top</h2>\n")
  -- re-inserting a removed node
  p:insert_after(b)
  T.has(md.render(doc), "<p>middle</p>\n<p>after</p>")
  -- emph inside a paragraph
  local e = ast.new("emph")
  e:append(ast.new("text", { literal = "x" }))
  p:append(e)
  T.has(md.render(doc), "<p>middle<em>x</em></p>")
end)

T.test("ast.new for every creatable type, with fields", function()
  local kinds = { "paragraph", "heading", "text", "code", "code_block", "html_block", "html_inline",
    "emph", "strong", "link", "image", "list", "item", "tasklist", "block_quote", "thematic_break",
    "softbreak", "linebreak", "strikethrough", "custom_block", "custom_inline" }
  for _, k in ipairs(kinds) do
    local n = ast.new(k)
    T.eq(n.type, k)
    T.eq(n.parent, nil)
  end
  local link = ast.new("link", { url = "/x", title = "t" })
  link:append(ast.new("text", { literal = "go" }))
  local para = ast.new("paragraph")
  para:append(link)
  para:append(ast.new("strikethrough")):append(ast.new("code", { literal = "c" }))
  para:append(ast.new("custom_inline", { on_enter = "<x>", on_exit = "</x>" }))
  local doc = md.parse("")
  doc:append(para)
  doc:append(ast.new("code_block", { info = "sh", literal = "ls\n" }))
  local list = ast.new("list", { list_type = "ordered", start = 2, tight = true })
  local item = ast.new("tasklist", { checked = true })
  local ip = ast.new("paragraph"); ip:append(ast.new("text", { literal = "task" }))
  item:append(ip)
  list:append(item)
  doc:append(list)
  T.eq(md.render(doc), '<p><a href="/x" title="t">go</a><del><code>c</code></del><x></x></p>\n'
    .. '<pre><code class="language-sh">ls\n</code></pre>\n'
    .. '<ol start="2">\n<li><input type="checkbox" checked="" disabled="" /> task</li>\n</ol>\n')
  T.raises(function() ast.new("table") end, "cannot create a table node")
  T.raises(function() ast.new("footnote_reference") end, "cannot create")
  T.raises(function() ast.new("document") end, "cannot create")
  T.raises(function() ast.new("bogus") end, "unknown node type 'bogus'")
  T.raises(function() ast.new("text", { url = "x" }) end, "does not apply to a text node")
  T.raises(function() ast.new("text", { nope = 1 }) end, "no field 'nope'")
  T.raises(function() ast.new("text", 4) end, "fields must be a table")
end)

T.test("ast.parse returns detached blocks usable with insert", function()
  local blocks = ast.parse("# Inserted\n\nA *para*.\n\n- l\n")
  T.eq(types(blocks), { "heading", "paragraph", "list" })
  for _, b in ipairs(blocks) do T.eq(b.parent, nil); T.eq(b.next, nil) end
  local doc = md.parse("first\n")
  for _, b in ipairs(blocks) do doc:append(b) end
  T.eq(md.render(doc), "<p>first</p>\n<h1>Inserted</h1>\n<p>A <em>para</em>.</p>\n<ul>\n<li>l</li>\n</ul>\n")
  T.ok(blocks[1].parent == doc)
  -- footnotes parsed in a fragment keep working after the fragment's owner is gone
  local frag = ast.parse("x[^a]\n\n[^a]: note\n")
  local doc2 = md.parse("start\n")
  for _, b in ipairs(frag) do doc2:append(b) end
  frag = nil
  collectgarbage(); collectgarbage()
  local out = md.render(doc2)
  T.has(out, 'href="#fn-a"')
  T.has(out, "note")
end)

T.test("illegal insertions raise instead of crashing", function()
  local doc = md.parse("para *e*\n\n| a |\n|---|\n| b |\n\n- i\n")
  local p = doc.first_child
  local text = p.first_child
  T.raises(function() doc:append(ast.new("text", { literal = "x" })) end, "a text node cannot go inside a document node")
  T.raises(function() text:append(ast.new("text")) end, "cannot go inside a text node")
  T.raises(function() p:append(ast.new("paragraph")) end, "cannot go inside a paragraph")
  T.raises(function() text:insert_after(ast.new("paragraph")) end, "cannot go inside a paragraph")
  T.raises(function() p:append(p) end, "inside itself")
  T.raises(function() p.first_child.next:append(p) end, "inside itself")
  T.raises(function() p:insert_after(p) end, "next to itself")
  T.raises(function() doc:insert_before(ast.new("paragraph")) end, "has no parent")
  T.raises(function() ast.new("paragraph"):insert_after(ast.new("paragraph")) end, "has no parent")
  T.raises(function() p:append(doc) end)
  local row = doc:select("table_row")()
  local cell = doc:select("table_cell")()
  T.raises(function() doc:append(row) end, "a table_row node cannot be moved")
  T.raises(function() p:insert_after(cell) end, "cannot be moved")
  T.raises(function() cell:append(ast.new("paragraph")) end, "cannot go inside a table_cell")
  T.raises(function() doc:select("list")():append(ast.new("paragraph")) end, "cannot go inside a list")
  T.raises(function() doc:append("x") end, "folio node")
  -- nothing changed
  T.eq(md.render(doc), html("para *e*\n\n| a |\n|---|\n| b |\n\n- i\n"))
  -- rows and cells may still be removed
  cell:remove()
  T.ok(md.render(doc):find("<table>", 1, true))
end)

----------------------------------------------------------------------------------------------
-- walk

T.test("walk: keep, change in place, children before parent, page argument", function()
  local doc = md.parse("# Head *em*\n\ntext\n")
  local order, pages = {}, {}
  local page = { title = "P" }
  local r = doc:walk({
    text = function(n, pg) order[#order + 1] = "text:" .. n.literal; pages[#pages + 1] = pg end,
    emph = function(n) order[#order + 1] = "emph" end,
    heading = function(n) order[#order + 1] = "heading"; n.level = 2 end,
    document = function(n) order[#order + 1] = "document" end,
  }, page)
  T.ok(r == doc, "walk returns the node")
  T.eq(order, { "text:Head ", "text:em", "emph", "heading", "text:text", "document" })
  T.ok(pages[1] == page, "page passed along")
  T.has(md.render(doc), "<h2>")
  T.raises(function() doc:walk({ Heading = function() end }) end, "unknown node type 'Heading'")
  T.raises(function() doc:walk({ heading = 1 }) end, "must be a function")
  T.raises(function() doc:walk(5) end, "expected a filter table")
end)

T.test("walk: replace with a node", function()
  local doc = md.parse("a *b* c *d*\n")
  doc:walk({ emph = function(n)
    local s = ast.new("strong")
    s:append(ast.new("text", { literal = n:text():upper() }))
    return s
  end })
  T.eq(md.render(doc), "<p>a <strong>B</strong> c <strong>D</strong></p>\n")
  -- returning the node itself keeps it
  doc:walk({ strong = function(n) return n end })
  T.eq(md.render(md.parse("x")), "<p>x</p>\n")
end)

T.test("walk: splice a list, and delete with {}", function()
  local doc = md.parse("keep\n\n<!-- drop -->\n\nsplit\n")
  doc:walk({
    html_block = function() return {} end,
    paragraph = function(p)
      if p:text() == "split" then
        local out = ast.parse("one\n\ntwo\n")
        table.insert(out, 2, p)
        return out
      end
    end,
  })
  T.eq(md.render(doc), "<p>keep</p>\n<p>one</p>\n<p>split</p>\n<p>two</p>\n")
  -- unwrap: replace emph by its children
  local d2 = md.parse("a *b **c*** d\n")
  d2:walk({ emph = function(e) return collect(e:children()) end })
  T.eq(md.render(d2), "<p>a b <strong>c</strong> d</p>\n")
  -- nodes returned are not walked again
  local d3 = md.parse("# x\n")
  local calls = 0
  d3:walk({ heading = function(h) calls = calls + 1; return { h, ast.new("heading") } end })
  T.eq(calls, 1)
  T.eq(#collect(d3:select("heading")), 2)
end)

T.test("walk: bad results raise", function()
  local doc = md.parse("a *b*\n")
  T.raises(function() doc:walk({ emph = function() return 5 end }) end, "returned a number")
  T.raises(function() doc:walk({ emph = function() return { 1 } end }) end, "not a node")
  T.raises(function() doc:walk({ emph = function() return ast.new("paragraph") end }) end, "cannot go inside a paragraph")
  T.raises(function() doc:walk({ document = function() return ast.new("paragraph") end }) end, "has no parent")
  T.raises(function() doc:walk({ emph = function() error("boom") end }) end, "boom")
  T.eq(md.render(doc), "<p>a <em>b</em></p>\n", "failed walks left the tree alone")
end)

T.test("walk: nodes removed by an earlier filter are skipped", function()
  local doc = md.parse("# h\n\np1\n\np2\n")
  local seen = {}
  doc:walk({
    text = function(t)
      seen[#seen + 1] = t.literal
      if t.literal == "h" then doc.last_child:remove() end
    end,
  })
  T.eq(seen, { "h", "p1" })
end)

----------------------------------------------------------------------------------------------
-- Render hooks

local HOOK_SRC = [[
# Title *x*

A [link *em*](/u "tt") and ![alt **b**](/i.png "it").

```lua extra words
print(1)
```

    indented
]]

T.test("render_link", function()
  local got
  local out = md.render(md.parse(HOOK_SRC), { link = function(l, page)
    got = l
    return '<a class="x" href="' .. l.url .. '">' .. l.text .. "</a>" .. page.suffix
  end }, { suffix = "!" })
  T.eq(got, { url = "/u", title = "tt", text = "link <em>em</em>", plain = "link em" })
  T.has(out, '<a class="x" href="/u">link <em>em</em></a>!')
end)

T.test("render_image", function()
  local got
  local out = md.render(md.parse(HOOK_SRC), { image = function(i) got = i; return "<figure/>" end })
  T.eq(got, { url = "/i.png", title = "it", alt = "alt b" })
  T.has(out, "and <figure/>.")
end)

T.test("render_heading", function()
  local got
  local doc = md.parse(HOOK_SRC)
  doc.first_child.id = "the-id"
  local out = md.render(doc, { heading = function(h) got = h; return "<H" .. h.level .. ">" end })
  T.eq(got, { level = 1, text = "Title <em>x</em>", plain = "Title x", id = "the-id" })
  T.has(out, "<H1>\n<p>A")
  local got2
  md.render(md.parse("## plain\n"), { heading = function(h) got2 = h end })
  T.eq(got2.id, nil)
end)

T.test("render_codeblock", function()
  local got = {}
  local out = md.render(md.parse(HOOK_SRC), { codeblock = function(c)
    got[#got + 1] = c
    if c.lang == "lua" then return "<lua/>" end
  end })
  T.eq(got[1], { lang = "lua", info = "lua extra words", code = "print(1)\n" })
  T.eq(got[2], { lang = "", info = "", code = "indented\n" })
  T.has(out, "<lua/>")
  T.has(out, "<pre><code>indented\n</code></pre>", "nil keeps the default rendering")
end)

T.test("hooks returning nil keep the default; heading id in default rendering", function()
  local doc = md.parse(HOOK_SRC)
  doc.first_child.id = "t"
  local calls = 0
  local function none() calls = calls + 1 end
  local out = md.render(doc, { link = none, image = none, heading = none, codeblock = none })
  T.eq(calls, 5)
  local want = html(HOOK_SRC):gsub("<h1>", '<h1 id="t">')
  T.eq(out, want)
end)

T.test("hook output is verbatim, even in safe mode", function()
  local doc = md.parse("[a](b)\n\n<b>raw</b>\n", { raw_html = false })
  local out = md.render(doc, { link = function() return "<span onclick=x>L</span>" end }, nil,
    { raw_html = false })
  T.has(out, "<span onclick=x>L</span>")
  T.lacks(out, "<b>raw</b>")
end)

T.test("hooks in table cells and nested links", function()
  local src = "| [a](x) | ![i](p) |\n|---|---|\n| *[b](y)* | c |\n\n[![img](p)](u)\n"
  local out = md.render(md.parse(src), {
    link = function(l) return "<L " .. l.url .. ">" .. l.text .. "</L>" end,
    image = function(i) return "<I>" end,
  })
  T.has(out, "<th><L x>a</L></th>")
  T.has(out, "<th><I></th>")
  T.has(out, "<td><em><L y>b</L></em></td>")
  T.has(out, "<p><L u><I></L></p>", "the image hook ran before the link's text was made")
  T.lacks(out, "\2")
end)

T.test("errors raised in hooks propagate", function()
  local doc = md.parse("# a\n\n[l](u)\n")
  T.raises(function() md.render(doc, { link = function() error("link failed") end }) end, "link failed")
  T.raises(function() md.render(md.parse("# a"), { heading = function() error({ message = "structured" }) end }) end, "structured")
  T.raises(function() md.render(md.parse("# a"), { heading = function() return 42 end }) end, "render_heading must return a string or nil")
  T.raises(function() md.render(md.parse("# a"), { heading = 3 }) end, "renderers.heading must be a function")
  T.raises(function() md.render(md.parse("# a").first_child) end, "expected a document node")
  T.raises(function() md.render("x") end, "folio node")
  -- the document is still usable after a failed render
  T.has(md.render(doc), "<h1>a</h1>")
end)

----------------------------------------------------------------------------------------------
-- Memory safety

T.test("nodes stay safe after their document is gone or rendered", function()
  local kept
  do
    local doc = md.parse("# a\n\ntext *e*\n")
    kept = doc:select("emph")()
  end
  collectgarbage(); collectgarbage()
  T.eq(kept:text(), "e")
  T.eq(kept.parent.parent.type, "document", "the node keeps its document alive")
  local doc = md.parse("[l](u)\n")
  local link = doc:select("link")()
  md.render(doc, { link = function() return "X" end })
  T.eq(link.parent, nil, "a replaced node is detached, not freed")
  T.eq(link.url, "u")
  -- a node moved into another document, whose first owner is then dropped
  local target = md.parse("t\n")
  local moved
  do
    local src = md.parse("# moved\n")
    moved = src.first_child
    target:append(moved)
  end
  collectgarbage(); collectgarbage()
  T.eq(target.last_child:text(), "moved")
  T.has(md.render(target), "<h1>moved</h1>")
  -- moved back out and the target dropped
  moved:remove()
  target = nil
  collectgarbage(); collectgarbage()
  T.eq(moved:text(), "moved")
end)

local function stress(rounds)
  local src = [[
# Title *emph* and **strong**

Para with [link](u) and `code` and ~~del~~ and text[^1].

- item *a*
- [x] task

> quote with *em*

| h | i |
|---|---|
| c | [d](e) |

[^1]: Footnote *x*.
]]
  local kept = {}
  for round = 1, rounds do
    local doc = md.parse(src)
    local other = md.parse(src)
    local nodes = collect(doc:select(function() return true end))
    for _ = 1, 20 do
      local n = nodes[math.random(#nodes)]
      local m = nodes[math.random(#nodes)]
      local op = math.random(7)
      pcall(function()
        if op == 1 then n:remove()
        elseif op == 2 then n:insert_after(m)
        elseif op == 3 then n:insert_before(ast.new("text", { literal = "new" }))
        elseif op == 4 then n:append(m)
        elseif op == 5 then other:append(n)
        elseif op == 6 then n:prepend(ast.parse("*frag*")[1].first_child)
        else m:insert_before(n) end
      end)
    end
    pcall(function()
      doc:walk({
        text = function(t) if math.random(3) == 1 then return {} end end,
        emph = function(e) if math.random(2) == 1 then return collect(e:children()) end end,
        paragraph = function(p) if math.random(4) == 1 then return { p, ast.new("thematic_break") } end end,
      })
    end)
    for t in doc:select("text") do t.literal = t.literal .. "." end
    pcall(md.render, doc, {
      link = function(l) return math.random(2) == 1 and ("<" .. l.text .. ">") or nil end,
      heading = function(h) if math.random(5) == 1 then error("x") end end,
      codeblock = function() end, image = function() end,
    })
    pcall(md.render, other)
    if round % 10 == 0 then kept[#kept + 1] = nodes[math.random(#nodes)] end
    if round % 50 == 0 then collectgarbage() end
  end
  collectgarbage(); collectgarbage()
  for _, n in ipairs(kept) do
    local _ = n.type, n.parent, n:text()
    for _ in n:select("text") do end
  end
end

T.test("stress: many edits, walks and selects (incremental GC, eager)", function()
  math.randomseed(1234)
  collectgarbage("incremental", 10, 100)
  stress(200)
  collectgarbage("incremental", 200, 100)
end)

T.test("stress: many edits, walks and selects (generational GC)", function()
  math.randomseed(99)
  collectgarbage("generational")
  stress(200)
  collectgarbage("incremental")
end)

T.test("to_html fast path matches parse+render for a larger document", function()
  local parts = {}
  for i = 1, 50 do parts[#parts + 1] = ("## Section %d\n\nSome *text* with [a link](/x/%d) and `code`.\n"):format(i, i) end
  local src = table.concat(parts, "\n")
  T.eq(md.to_html(src), md.render(md.parse(src)))
  T.eq(md.to_html(""), "")
end)

T.test("rewrite_text: runs of text nodes as one string, link URLs, needle, replacement", function()
  local doc = md.parse("see http://x :x: b and *c:y:* see <https://e.org/:z:/> and `co:de:`")
  local seen = {}
  doc:rewrite_text(function(text, url) seen[#seen + 1] = (url and "[" .. url .. "] " or "") .. text end, ":")
  T.eq(seen, { "[http://x] http://x", " :x: b and ", "c:y:", "[https://e.org/:z:/] https://e.org/:z:/" }, "code spans are not text; runs without ':' skipped")
  local before = #collect(doc:select("text"))
  local held = collect(doc:select("text"))
  doc:rewrite_text(function(text, url) if not url then return (text:gsub(":(%a):", "<%1>")) end end)
  T.ok(#collect(doc:select("text")) <= before)
  T.has(md.render(doc), "</a> &lt;x&gt; b and <em>c&lt;y&gt;</em> see")
  for _, n in ipairs(held) do local _ = n.type end -- removed nodes stay safe to touch
  local all = {}
  md.parse("one\n\ntwo"):rewrite_text(function(t) all[#all + 1] = t end)
  T.eq(all, { "one", "two" }, "every run without a needle")
  local one = md.parse("a")
  T.ok(not pcall(one.rewrite_text, one, function() return 1 end), "a string or nil")
end)

T.done()

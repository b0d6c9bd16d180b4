-- test_kramdown.lua: scripts/kramdown.lua on real Markdown, run through the stages as the core
-- runs them (frontmatter, parse, ast by order, render, html): attribute lists, {:toc}, definition
-- lists, comments and options, markdown="1", and code left alone.
local T = dofile("testlib.lua")
local H = dofile("plugin_harness.lua")

-- The HTML of `md` with the named plugins loaded (kramdown unless `plugins` says otherwise).
local function build(md, plugins, md_opts, raw_html)
  H.reset()
  for _, name in ipairs(plugins or { "kramdown" }) do H.load(name, {}) end
  local page = { source = md, path = "content/posts/t.md" }
  for _, h in ipairs(H.stage("frontmatter")) do h.fn(page) end
  local doc = folio.markdown.parse(page.source, md_opts)
  for _, h in ipairs(H.stage("ast")) do h.fn(doc, page) end
  local renderers = {}
  for _, h in ipairs(H.stage("render_heading")) do renderers.heading = h.fn end
  page.content = folio.markdown.render(doc, renderers, page, { raw_html = raw_html ~= false })
  for _, h in ipairs(H.stage("html")) do h.fn(page) end
  return page.content
end

-- Checks that `md` renders to `want` with the plugin, and to something else without it.
local function same(md, want, plugins)
  T.eq(build(md, plugins), want, md)
  T.ok(build(md, {}) ~= want, "differs without the plugin: " .. md)
end

T.test("block attribute list after a paragraph, a list, a blockquote, a table", function()
  same("Hello\n{: .lead #intro data-x=\"1 & 2\"}\n", '<p class="lead" id="intro" data-x="1 &amp; 2">Hello</p>\n')
  same("* a\n* b\n{: .plain}\n", '<ul class="plain">\n<li>a</li>\n<li>b</li>\n</ul>\n')
  same("{: .note}\n> quoted\n", '<blockquote class="note">\n<p>quoted</p>\n</blockquote>\n')
  T.has(build("| a | b |\n|---|---|\n| 1 | 2 |\n{: .data}\n"), '<table class="data">')
  same("{: .before}\nNext paragraph\n", '<p class="before">Next paragraph</p>\n')
end)

T.test("attribute list after a code block; an unreadable one stays as text", function()
  same("```\nx\n```\n{: .wide}\n", '<pre class="wide"><code>x\n</code></pre>\n')
  T.eq(build("{::nomarkdown}x{:/}\n"), "<p>{::nomarkdown}x{:/}</p>\n", "other extensions left alone")
end)

-- The warnings `fn` gives (folio.warn replaced meanwhile).
local function warnings_of(fn)
  local got, real = {}, folio.warn
  folio.warn = function(msg) got[#got + 1] = msg end
  local ok, err = pcall(fn)
  folio.warn = real
  assert(ok, err)
  return got
end

T.test("bad input: an unreadable attribute list, an unclosed comment: warned, left as text", function()
  local w = warnings_of(function()
    T.eq(build('Hi\n{: title="open}\n'), build('Hi\n{: title="open}\n', {}))
  end)
  T.eq(#w, 1, "one warning")
  T.has(w[1], 'line 2: attribute list {: title="open} not understood')
  w = warnings_of(function()
    T.eq(build("A\n\n{::comment}\nnever closed\n"), "<p>A</p>\n<p>{::comment}\nnever closed</p>\n")
  end)
  T.eq(#w, 1, "one warning")
  T.has(w[1], "line 3: {::comment} is never closed")
end)

T.test("with markdown.raw_html = false the markers still work (and raw HTML stays out)", function()
  T.eq(build("Hi <b>x</b>\n{: .lead}\n\nTerm\n: def\n", nil, nil, false),
       '<p class="lead">Hi <!-- raw HTML omitted -->x<!-- raw HTML omitted --></p>\n<dl>\n<dt>Term</dt>\n<dd>def</dd>\n</dl>\n')
end)

T.test("attribute values survive smart typography (curly quotes in the text)", function()
  T.eq(build('Hi\n{: title="a b" data-k=\'v\'}\n', nil, { smart = true }), '<p title="a b" data-k="v">Hi</p>\n')
end)

T.test("headings: {: #id} becomes the id, anchors keeps it; ## x {#id} too", function()
  same("## Setup\n{: #custom-id .big}\n", '<h2 id="custom-id" class="big">Setup</h2>\n')
  T.eq(build("## Setup\n{: #custom-id}\n\n## Other\n", { "kramdown", "anchors" }),
       '<h2 id="custom-id">Setup</h2>\n<h2 id="other">Other</h2>\n')
  same("## Install {#inst}\n", '<h2 id="inst">Install</h2>\n')
end)

T.test("inline attribute lists after an image, a link, emphasis", function()
  same('![x](y.png){: .wide}\n', '<p><img src="y.png" alt="x" class="wide" /></p>\n')
  same('See [a](b){:target="_blank"} now\n', '<p>See <a href="b" target="_blank">a</a> now</p>\n')
  same('*word*{: .hl}\n', '<p><em class="hl">word</em></p>\n')
  same('**[a](b){: .x_y}** and [c](d){: .z}\n', '<p><strong><a href="b" class="x_y">a</a></strong> and <a href="d" class="z">c</a></p>\n')
end)

T.test("{:toc} list becomes a table of contents; {:.no_toc} headings left out", function()
  local html = build("# Title\n{:.no_toc}\n\n* TOC\n{:toc}\n\n## One\n\n### One a\n\n## Two\n")
  T.has(html, '<h1 id="title" class="no_toc">Title</h1>')
  T.has(html, '<ul id="markdown-toc">\n<li><a href="#one" id="markdown-toc-one">One</a>\n<ul>\n'
    .. '<li><a href="#one-a" id="markdown-toc-one-a">One a</a></li>\n</ul>\n</li>\n'
    .. '<li><a href="#two" id="markdown-toc-two">Two</a></li>\n</ul>\n')
  T.ok(not html:find("TOC", 1, true), "the TOC item is gone")
  T.ok(not html:find("markdown-toc-title", 1, true), "no_toc heading left out")
  T.has(build("1. x\n{:toc}\n\n# A\n\n## B\n\n# C\n"), '<ol id="markdown-toc">\n<li><a href="#a" id="markdown-toc-a">A</a>\n'
    .. '<ol>\n<li><a href="#b" id="markdown-toc-b">B</a></li>\n</ol>\n</li>\n<li><a href="#c" id="markdown-toc-c">C</a></li>\n</ol>\n')
  local with_anchors = build("* TOC\n{:toc}\n\n## Héllo wörld\n", { "kramdown", "anchors" })
  T.has(with_anchors, '<a href="#héllo-wörld" id="markdown-toc-héllo-wörld">Héllo wörld</a>')
end)

T.test("definition lists: several terms, several definitions, inline Markdown kept", function()
  same("Term\n: The *definition*\n", "<dl>\n<dt>Term</dt>\n<dd>The <em>definition</em></dd>\n</dl>\n")
  same("A\nB\n: one\n: two\ncontinued\n",
       "<dl>\n<dt>A</dt>\n<dt>B</dt>\n<dd>one</dd>\n<dd>two\ncontinued</dd>\n</dl>\n")
  same("Term\n\n: loose one\n\n: loose two\n",
       "<dl>\n<dt>Term</dt>\n<dd>\n<p>loose one</p>\n</dd>\n<dd>\n<p>loose two</p>\n</dd>\n</dl>\n")
  T.eq(build(": no term before\n"), "<p>: no term before</p>\n")
  T.eq(build("key: value\n"), "<p>key: value</p>\n", "a colon inside a line is not a definition")
end)

T.test("{::comment} and {::options /} removed", function()
  same("Before\n\n{::comment}\nhidden *text*\n\nstill hidden\n{:/comment}\n\nAfter\n", "<p>Before</p>\n<p>After</p>\n")
  same("a {::comment}x{:/} b\n", "<p>a  b</p>\n")
  same("{::options parse_block_html=\"true\" /}\nText\n", "<p>Text</p>\n")
end)

T.test('markdown="1" HTML blocks: the inside is Markdown', function()
  same('<div class="box" markdown="1">\n*hi* there\n</div>\n', '<div class="box">\n<p><em>hi</em> there</p>\n</div>\n')
  same('<div markdown="1">\n<div markdown="1">\n**in**\n</div>\n</div>\n',
       '<div>\n<div>\n<p><strong>in</strong></p>\n</div>\n</div>\n')
  same("<section markdown='block'>\n# Title\n</section>\n", "<section>\n<h1>Title</h1>\n</section>\n")
end)

T.test("code blocks and code spans are never touched", function()
  local cases = {
    "```\nHello\n{: .lead}\n{::comment}\nx\n{:/comment}\nTerm\n: def\n* TOC\n{:toc}\n```\n",
    "~~~ruby\n{::options x /}\n<div markdown=\"1\">\n~~~\n",
    "Para\n\n    {::comment}\n    Term\n    : def\n    {:/}\n",
    "Use `{::comment}` and `{: .x}` and `{::options a /}` literally\n",
    "`code`{: .x} stays\n",
  }
  for i, md in ipairs(cases) do
    local want = build(md, {})
    if i == 5 then
      T.eq(build(md), '<p><code class="x">code</code> stays</p>\n', "an IAL after a code span applies to it")
    else
      T.eq(build(md), want, md)
    end
  end
end)

T.test("typography on HTML: raw regions skipped, the runs after a comment, text runs across pages", function()
  local tree = assert(folio.embedded.load("scripts/kramdown_tree.lua", _G))()
  local ty = tree.typography_html
  T.eq(ty('<p>it\'s "x" -- <code>it\'s</code> y\'s <pre>"a"</pre>...</p>'),
       '<p>it’s “x” – <code>it\'s</code> y’s <pre>"a"</pre>…</p>')
  -- a comment may hold `<` and `>`: the text after it is a run of its own, typeset only with
  -- something to change in it (here `>>` needs a `-` or `.` beside it in the same run)
  T.eq(ty('<!-- a<b>c -->it\'s >> x<p>"a"</p>'), '<!-- a<b>c -->it’s\u{A0}» x<p>“a”</p>')
  T.eq(ty('<!-- a<b>-c -->it >> x<p>"a"</p>'), '<!-- a<b>-c -->it >> x<p>“a”</p>')
  -- what follows a run is read from the tag after it (`<em>` is `*`), up to 80 bytes past the
  -- segment (a `<code` inside an attribute ends one)
  local z = string.rep("z", 100)
  T.eq(ty('<p>"x <em title="<code ' .. z .. '">y\'s</em> "a"</p>'), '<p>“x <em title="<code ' .. z .. '">y\'s</em> "a"</p>')
  T.eq(ty('<p>a "<em>b</em>" c</p>'), '<p>a “<em>b</em>” c</p>')
  local page = {}
  for i = 1, 300 do page[i] = '<p>it\'s <code>x</code> "' .. i .. '"</p>' end
  local got = ty(table.concat(page))
  T.eq(select(2, got:gsub("’", "")), 300)
  T.eq(select(2, got:gsub("“", "")), 300)
end)

T.done()

-- test_template.lua: folio.template (docs/templates.md): syntax, escaping, trimming, layouts,
-- partials, error positions, the template cache and env isolation.
local T = dofile("testlib.lua")
local template = require "folio.template"

-- The real front matter parser when it exists; else a `key: value` reader good enough here.
local function simple_frontmatter(text)
  local head, body = text:match("^%-%-%-\n(.-)\n%-%-%-\n(.*)$")
  if not head then return nil, { message = "front matter is not closed", line = 1 } end
  local meta, lines = {}, 2
  for line in (head .. "\n"):gmatch("(.-)\n") do
    local k, v = line:match("^(%w+):%s*(.-)%s*$")
    if k then meta[k] = v end
    lines = lines + 1
  end
  return meta, body, lines + 1
end
local parse_frontmatter = not (folio.frontmatter and folio.frontmatter.parse) and simple_frontmatter or nil

-- A renderer over an in-memory site: files["layouts/x.html"] = text. Counts find calls.
local function site_renderer(files, globals)
  local calls = {}
  local r = template.new({
    find = function(relpath)
      calls[relpath] = (calls[relpath] or 0) + 1
      if files[relpath] then return files[relpath], relpath end
      return nil, { relpath, "themes/plain/" .. relpath }
    end,
    globals = globals,
    parse_frontmatter = parse_frontmatter,
  })
  return r, calls
end

local function render(text, env) return template.compile(text, "t.html")(env or {}) end

-- Error text as "file:line: message" whether the error is a table or a Lua string.
local function error_of(fn)
  local ok, err = pcall(fn)
  T.ok(not ok, "an error was raised")
  return err
end

T.test("escapes the five HTML characters; nil, numbers and booleans", function()
  T.eq(render([[{{ s }}]], { s = [[<a href="x">Tom & Jerry's</a>]] }),
       "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;")
  T.eq(render("[{{ missing }}]"), "[]")
  T.eq(render("{{ n }} {{ f }} {{ b }} {{ no }}", { n = 42, f = 1.5, b = true, no = false }), "42 1.5 true false")
  -- the escape() global: one result, whatever else it is given
  T.eq({ folio.escape("plain", "extra") }, { "plain" })
  T.eq({ folio.escape("<", "extra") }, { "&lt;" })
  T.eq(folio.escape(setmetatable({}, { __tostring = function() return "<obj>" end })), "&lt;obj&gt;")
end)

T.test("raw output", function()
  T.eq(render("{* html *}|{* nothing *}|{* 7 *}|{* false *}", { html = "<b>&amp;</b>" }), "<b>&amp;</b>||7|false")
end)

T.test("loops, ifs, local statements", function()
  local t = "<ul>{% for _, x in ipairs(items) do %}<li>{{ x }}</li>{% end %}</ul>"
    .. "{% if #items > 2 then %}many{% elseif #items > 0 then %}some{% else %}none{% end %}"
    .. "{% local n = #items * 2 %}{{ n }}"
  T.eq(render(t, { items = { "a", "<b>" }, ipairs = ipairs }), "<ul><li>a</li><li>&lt;b&gt;</li></ul>some4")
  T.eq(render(t, { items = {}, ipairs = ipairs }), "<ul></ul>none0")
end)

T.test("comments are left out, tags inside them too", function()
  T.eq(render("a{# one #}b{# two\n {{ x.y.z }} {% broken %}\n#}c"), "abc")
end)

T.test("trim markers cut white space and line breaks; plain tags keep it", function()
  T.eq(render("a  \n\n  {{- x -}}  \n  b", { x = 1 }), "a1b")
  T.eq(render("a \n {{- x }} \n b", { x = 1 }), "a1 \n b")
  T.eq(render("a \n {{ x -}} \n b", { x = 1 }), "a \n 1b")
  T.eq(render("a \n {* x -*} \n b {#- c -#} \n c", { x = 1 }), "a \n 1bc")
  local list = "<ul>\n{%- for _, t in ipairs(tags) do %}\n  <li>{{ t }}</li>\n{%- end %}\n</ul>"
  T.eq(render(list, { tags = { "a", "b" }, ipairs = ipairs }), "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>")
  -- a line holding only a plain statement tag keeps its line break
  T.eq(render("a\n{% if true then %}\nb\n{% end %}\n"), "a\n\nb\n\n")
  -- `{{ -x }}` with a space is a negation, not a trim marker
  T.eq(render("a {{ -x }}", { x = 2 }), "a -2")
end)

T.test("multi-line expressions and statements", function()
  local t = "{{\n  a\n  ..\n  b\n}}|{%\n  local s = 0\n  for i = 1, n do\n    s = s + i\n  end\n%}{{ s }}"
  T.eq(render(t, { a = "x", b = "y", n = 4 }), "xy|10")
end)

T.test("delimiters inside Lua strings, tables and comments do not end a tag", function()
  T.eq(render([[{{ "}}" }}|{* '*}' *}|{% local s = "%}" %}{{ s }}|{{ [==[}}]==] }}]]), "}}|*}|%}|}}")
  T.eq(render("{{ ({ a = { b = 'x' } }).a.b }}|{{ #{1, 2} }}|{{ ({a={b='y'}}).a.b }}"), "x|2|y")
  T.eq(render("{% local x = 1 -- one %}{{ x }}|{% local y = 2 --[[ two\n]] %}{{ y }}"), "1|2")
  T.eq(render("a {% local x = 1 -- c -%}  \n b{{ x }}"), "a b1")
end)

T.test("a statement starting with ( is not glued to the code before it", function()
  local env = { f = function() return "F" end, h = "h" }
  T.eq(render("{{ h }}{% (f)() %}|{% g = h %}{% (f)() %}{{ g }}", env), "h|h")
end)

T.test("generated code keeps the template's line breaks", function()
  local t = "a\n{{ x -}}\n\n{#\n#}{%- if y then\n%}\n{* z *}\r\n{% end %}\n"
  local _, template_lines = t:gsub("\n", "")
  local _, code_lines = template.generate(t, "t.html"):gsub("\n", "")
  T.eq(code_lines, template_lines)
end)

T.test("compile errors name the template line", function()
  local err = error_of(function() template.compile("a\n\nb {{ x + }}\n", "layouts/a.html") end)
  T.eq({ err.file, err.line }, { "layouts/a.html", 3 })
  T.has(err.message, "unexpected symbol")
  err = error_of(function() template.compile("a\n{% if x then %}\nb\n", "t.html") end)
  T.has(err.message, "to close 'if' at line 2")
  err = error_of(function() template.compile("a\n\nb {{ x\n\n", "u.html") end)
  T.eq({ err.file, err.line }, { "u.html", 3 })
  T.has(err.message, "unclosed '{{'")
  err = error_of(function() template.compile("a\n{% local s = 'x %}\n{# never closed", "v.html") end)
  T.eq(err.line, 2)
  T.has(tostring(err), "v.html:2: ")
end)

T.test("runtime errors name the template file and line", function()
  local fn = template.compile("<h1>\n{{ page.title }}\n{{ page.author.name }}</h1>", "layouts/post.html")
  local err = error_of(function() fn({ page = { title = "t" } }) end)
  T.has(err, "layouts/post.html:3: attempt to index a nil value (field 'author')")
  fn = template.compile("{#\n#}{% --[[ a\nb ]] %}\n{{ -- c\n x.y }}", "c.html")
  T.has(error_of(function() fn({}) end), "c.html:5: attempt to index a nil value (global 'x')")
end)

T.test("layouts chain three deep, each seeing content, page, site and its own front matter", function()
  local r = site_renderer({
    ["layouts/post.html"] = "---\nlayout: base\nkind: article\n---\n<article>{* content *}</article>{{ layout.kind }}",
    ["layouts/base.html"] = "---\nlayout: html\nwidth: wide\n---\n<main class=\"{{ layout.width }}\">{* content *}</main>",
    ["layouts/html.html"] = "<html><title>{{ page.title }} - {{ site.title }}</title>{* content *}{{ layout.kind }}</html>",
  })
  local out = r:render_page({ title = "Hi", content = "<p>x</p>", layout = "post" }, { title = "S" })
  T.eq(out, '<html><title>Hi - S</title><main class="wide"><article><p>x</p></article>article</main></html>')
  -- an explicit layout name wins over page.layout; false and "none" mean no layout
  T.eq(r:render_page({ title = "Hi", content = "<p>x</p>", layout = "post" }, {}, "html"),
       "<html><title>Hi - </title><p>x</p></html>")
  T.eq(r:render_page({ content = "<p>x</p>", layout = "post" }, {}, false), "<p>x</p>")
  T.eq(r:render_page({ content = "<p>x</p>", layout = "none" }, {}), "<p>x</p>")
end)

T.test("a missing layout names the file that asked for it and the paths looked in", function()
  local r = site_renderer({ ["layouts/post.html"] = "---\nlayout: gone\n---\n{* content *}" })
  local err = error_of(function() r:render_page({ path = "content/a.md", layout = "nope" }, {}) end)
  T.eq(err.file, "content/a.md")
  T.eq(err.message, "layout 'nope' not found (looked in layouts/nope.html and themes/plain/layouts/nope.html)")
  T.has(err.hint, "layouts/nope.html")
  err = error_of(function() r:render_page({ path = "content/a.md", layout = "post" }, {}) end)
  T.eq(err.file, "layouts/post.html")
  T.has(err.message, "layout 'gone' not found")
end)

T.test("a layout chain that loops is an error naming the chain", function()
  local r = site_renderer({
    ["layouts/a.html"] = "---\nlayout: b\n---\nA{* content *}",
    ["layouts/b.html"] = "---\nlayout: a\n---\nB{* content *}",
  })
  local err = error_of(function() r:render_page({ layout = "a", content = "" }, {}) end)
  T.has(err.message, "layout chain loops: a -> b -> a")
end)

T.test("partials get the caller's names and args, args shadow, nothing leaks back", function()
  local r = site_renderer({
    ["layouts/page.html"] = "{* partial('head.html', { title = 'T<' }) *}|{{ title }}|{* partial('meta') *}|{{ x }}",
    ["layouts/partials/head.html"] = "<h1>{{ title }} {{ page.title }} {{ site.title }}</h1>{% x = 1 %}",
    ["layouts/partials/meta.html"] = "{{ title }}/{{ page.title }}",
  }, { title = "global" })
  local out = r:render_page({ title = "P", layout = "page" }, { title = "S" })
  T.eq(out, "<h1>T&lt; P S</h1>|global|global/P|")
end)

T.test("nested partials and missing partials", function()
  local r = site_renderer({
    ["layouts/p.html"] = "[{* partial('outer', { n = 1 }) *}]",
    ["layouts/partials/outer.html"] = "o{{ n }}({* partial('inner.html', { n = n + 1 }) *})",
    ["layouts/partials/inner.html"] = "i{{ n }}{{ page.title }}",
    ["layouts/q.html"] = "x\n{* partial('nothere') *}",
  })
  T.eq(r:render_page({ title = "!", layout = "p" }, {}), "[o1(i2!)]")
  local err = error_of(function() r:render_page({ layout = "q" }, {}) end)
  T.has(err, "layouts/q.html:2: partial 'nothere' not found (looked in layouts/partials/nothere.html and ")
end)

T.test("partial_cached renders once per site and keys, without the page", function()
  local renders = 0
  local r = site_renderer({
    ["layouts/list.html"] = "{% for _, p in ipairs(page.items) do %}"
      .. "[{* partial_cached('item', { post = p, tick = tick }, p, 'short') *}]{% end %}"
      .. "({* partial_cached('item', { post = page.items[1], tick = tick }, page.items[1], 'long') *})",
    ["layouts/partials/item.html"] = "{% tick() %}{{ post.title }}/{{ site.title }}/{{ page }}",
    ["layouts/bad.html"] = "{* partial_cached('item', {}, nil) *}",
  }, { tick = function() renders = renders + 1 end })
  local a, b = { title = "A" }, { title = "B" }
  local site = { title = "S" }
  T.eq(r:render_page({ layout = "list", items = { a, b, a } }, site), "[A/S/][B/S/][A/S/](A/S/)")
  T.eq(renders, 3) -- a and b once each for 'short', a once for 'long'
  T.eq(r:render_page({ layout = "list", items = { b, a } }, site), "[B/S/][A/S/](B/S/)")
  T.eq(renders, 4) -- only b 'long' was new
  a.title = "A2" -- the next build (another site) renders again
  T.eq(r:render_page({ layout = "list", items = { a } }, { title = "S2" }), "[A2/S2/](A2/S2/)")
  T.eq(renders, 6)
  local err = error_of(function() r:render_page({ layout = "bad" }, site) end)
  T.has(err, "layouts/bad.html:1: partial_cached 'item': key 1 is nil")
end)

T.test("partial recursion is capped with a clear error", function()
  local r = site_renderer({
    ["layouts/p.html"] = "{* partial('loop', { n = 0 }) *}",
    ["layouts/partials/loop.html"] = "{* partial('loop', { n = n + 1 }) *}",
    ["layouts/partials/count.html"] = "{% if n > 0 then %}{* partial('count', { n = n - 1 }) *}{% end %}{{ n }}",
    ["layouts/c.html"] = "{* partial('count', { n = 10 }) *}",
  })
  local err = error_of(function() r:render_page({ layout = "p" }, {}) end)
  T.has(err, "layouts/partials/loop.html:1: partial 'loop': partials nested more than 50 deep (... -> loop -> loop")
  T.eq(r:render_page({ layout = "c" }, {}), "012345678910") -- legitimate nesting still works
end)

T.test("runtime errors in a layout with front matter and in a partial report their own lines", function()
  local r = site_renderer({
    ["layouts/post.html"] = "---\nlayout: base\ntitle: x\n---\n<p>\n{{ page.author.name }}</p>",
    ["layouts/base.html"] = "{* content *}",
    ["layouts/w.html"] = "---\nk: v\n---\n{* partial('bad.html') *}",
    ["layouts/partials/bad.html"] = "one\ntwo\n{{ nope() }}",
    ["layouts/s.html"] = "---\nk: v\n---\n\n{{ x + }}",
  })
  local err = error_of(function() r:render_page({ layout = "post" }, {}) end)
  T.has(err, "layouts/post.html:6: attempt to index a nil value (field 'author')")
  err = error_of(function() r:render_page({ layout = "w" }, {}) end)
  T.has(err, "layouts/partials/bad.html:3: attempt to call a nil value (global 'nope')")
  err = error_of(function() r:render_page({ layout = "s" }, {}) end)
  T.eq({ err.file, err.line }, { "layouts/s.html", 5 })
end)

T.test("a front matter error names the layout", function()
  local r = site_renderer({ ["layouts/bad.html"] = "---\nlayout: x\n" })
  local err = error_of(function() r:render_page({ layout = "bad" }, {}) end)
  T.eq(err.file, "layouts/bad.html")
  T.has(err.message, "front matter")
end)

T.test("compiled templates are cached for the renderer's lifetime", function()
  local r, calls = site_renderer({
    ["layouts/post.html"] = "---\nlayout: base\n---\n{* partial('x') *}{* partial('x') *}{* content *}",
    ["layouts/base.html"] = "<{* content *}>",
    ["layouts/partials/x.html"] = "x",
  })
  for _ = 1, 3 do T.eq(r:render_page({ layout = "post", content = "c" }, {}), "<xxc>") end
  T.eq(calls, { ["layouts/post.html"] = 1, ["layouts/base.html"] = 1, ["layouts/partials/x.html"] = 1 })
  local before = r:load("layouts/post.html")
  T.ok(r:load("layouts/post.html") == before, "same compiled template")
end)

T.test("renders are isolated: assignments stay in their env, globals are not clobbered", function()
  local globals = { site = { title = "S" }, helper = function() return "h" end }
  local r = site_renderer({
    ["layouts/a.html"] = "{{ leaked }}{% leaked = 'yes'; helper = nil; site = nil; string = nil %}{{ leaked }}",
    ["layouts/b.html"] = "{{ leaked }}|{{ helper() }}|{{ site.title }}|{{ string.upper('u') }}",
  }, globals)
  T.eq(r:render_page({ layout = "a" }), "yes")
  T.eq(r:render_page({ layout = "a" }), "yes")
  T.eq(r:render_page({ layout = "b" }), "|h|S|U")
  T.eq(globals.leaked, nil)
  T.ok(r.globals.helper ~= nil and r.globals.site ~= nil, "renderer globals intact")
end)

T.test("reused output buffers never leak stale text into a later render", function()
  local long = template.compile("{% for i = 1, n do %}[{{ i }}]{% end %}{% if fail then error('stop') end %}", "l.html")
  T.eq(long({ n = 30 }):sub(1, 12), "[1][2][3][4]")
  T.ok(not pcall(long, { n = 5, fail = true, error = error }), "error raised mid-render")
  T.eq(long({ n = 2 }), "[1][2]")
  T.eq(long({ n = 0 }), "")
end)

T.test("render_string uses the globals and the names given, without changing them", function()
  local r = site_renderer({ ["layouts/partials/p.html"] = "({{ v }})" }, { g = "G" })
  local env = { v = 1 }
  T.eq(r:render_string("{{ g }}{{ v }}{* partial('p', { v = 2 }) *}{% v = 3 %}{{ v }}", env), "G1(2)3")
  T.eq(env.v, 1)
  T.eq(r:render_string("{{ string.format('%03d', 7) }} {{ os.date('!%Y', 0) }} {* escape('<') *}"), "007 1970 &lt;")
end)

T.test("folio.escape agrees with a pattern-based escaping on random texts", function()
  local ENTITIES = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;" }
  local pieces = { "text ", ("y"):rep(11), "<", ">", "&", '"', "'", "\0", "é", "<a href=\"/x\">" }
  for s in T.random_texts(pieces, 30, 3000, 11) do
    local want, got = (s:gsub("[&<>\"']", ENTITIES)), folio.escape(s)
    if want ~= got then error(string.format("escape(%q): %q, want %q", s, got, want)) end
  end
end)

T.done()

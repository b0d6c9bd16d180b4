-- test_cold.lua: the mechanisms the cold-build work added (docs/development.md, "Cold build at
-- 10k"): {* *} values concatenated as they are, text and {{ }} runs emitted as one `..`, no
-- partial() for templates that call none, folio.utf8_valid, and the minifier's tag tables.
local T = dofile("testlib.lua")
local template = require "folio.template"

local function render(text, env) return template.compile(text, "t.html")(env or {}) end

T.test("{* *} prints nil, booleans, numbers and tables as raw() did", function()
  local shown = setmetatable({}, { __tostring = function() return "<shown>" end })
  T.eq(render("[{* a *}][{* b *}][{* c *}][{* d *}][{* e *}][{* f *}]",
              { a = nil, b = false, c = true, d = 42, e = 1.5, f = shown }),
       "[][false][true][42][1.5][<shown>]")
  T.eq(render("{* s *}{{ s }}", { s = "<b>" }), "<b>&lt;b&gt;")
  -- a buffer where a non-string came first is fixed and still pooled: the next render is right
  T.eq(render("{* x *}-{* y *}", { x = nil, y = "ok" }), "-ok")
  T.eq(render("{* x *}-{* y *}", { x = "a", y = "b" }), "a-b")
end)

T.test("text and {{ }} next to each other give one buffer slot, same text and lines", function()
  local code = template.generate('<a href="{{ u }}">{{ t }}</a>{# note #}\n<p>{{ n }}</p>{* raw *}', "t.html")
  local slots = select(2, code:gsub("__n=__n%+1", ""))
  T.eq(slots, 2, "one `..` run, then the raw value in its own slot")
  T.eq(render('<a href="{{ u }}">{{ t }}</a>{# note #}\n<p>{{ n }}</p>{* raw *}',
              { u = "/x?a=1&b=2", t = "A & B", n = 3, raw = "<i>" }),
       '<a href="/x?a=1&amp;b=2">A &amp; B</a>\n<p>3</p><i>')
  -- an error in a value of the run names its own line
  local ok, err = pcall(render, "a\n{{ x }}\nb{{ nope.field }}c", { x = 1 })
  T.ok(not ok)
  T.has(tostring(err), "t.html:3:")
  -- a long run is cut into several `..` (Lua's register limit), the text the same
  local parts, want = {}, {}
  for i = 1, 300 do parts[#parts + 1] = "<{{ " .. i .. " }}>"; want[#want + 1] = "<" .. i .. ">" end
  T.eq(render(table.concat(parts)), table.concat(want))
  -- a template holding many locals still compiles its runs
  local locals = {}
  for i = 1, 180 do locals[#locals + 1] = "{% local v" .. i .. " = " .. i .. " %}" end
  T.eq(render(table.concat(locals) .. table.concat(parts, "", 1, 40)), table.concat(want, "", 1, 40))
end)

T.test("a partial that names no partial() gets none, one that does still nests", function()
  local files = {
    ["layouts/page.html"] = '{* partial("outer.html", { who = "x" }) *}',
    ["layouts/partials/outer.html"] = '[{{ who }}:{* partial("leaf.html", { n = 1 }) *}]',
    -- (the name spelt in two halves: the word itself would count as a call)
    ["layouts/partials/leaf.html"] = '({{ n }}{{ who }}{{ own(_ENV, "par" .. "tial") }})',
  }
  local r = template.new({ find = function(p) return files[p], p end,
                           globals = { own = function(env, k) return rawget(env, k) ~= nil end } })
  T.eq(r:render_page({ content = "" }, {}, "page"), "[x:(1xfalse)]")
  T.eq(r:load("layouts/partials/leaf.html").calls_partials, false)
  T.eq(r:load("layouts/partials/outer.html").calls_partials, true)
end)

T.test("folio.utf8_valid says what utf8.len says", function()
  local cases = { "", "ascii only, long enough to skip eight bytes at a time", "é", "日本語", "✨ and 𝄞",
                  "\0", "a\128", "\192\175", "\224\128\175", "\237\160\128", "\244\144\128\128",
                  "\240\159\152", "\255", "abc\226\130", "\239\191\191", "\244\143\191\191" }
  for _, s in ipairs(cases) do
    T.eq(folio.utf8_valid(s), utf8.len(s) ~= nil, string.format("%q", s))
  end
  math.randomseed(13)
  local bytes = { "a", " ", "\195", "\169", "\226", "\130", "\172", "\237", "\160", "\240", "\159", "\128", "\255" }
  for _ = 1, 2000 do
    local t = {}
    for i = 1, math.random(0, 12) do t[i] = bytes[math.random(#bytes)] end
    local s = table.concat(t)
    T.eq(folio.utf8_valid(s), utf8.len(s) ~= nil, string.format("%q", s))
  end
end)

T.test("folio.concat_strings gives table.concat's text, nil for other values", function()
  local cs = folio.concat_strings
  T.eq(cs({ "a", "bc", 3, 1.5, "" }, 5), table.concat({ "a", "bc", 3, 1.5, "" }))
  T.eq(cs({ "a", "b", "c" }, 2), "ab", "only 1..n")
  T.eq(cs({}, 0), "")
  T.eq(cs({ "a", nil, "c" }, 3), nil)
  T.eq(cs({ "a", false }, 2), nil)
  T.eq(cs({ "a", {} }, 2), nil)
  local big = {}
  for i = 1, 5000 do big[i] = string.rep(string.char(65 + i % 26), i % 97) end
  T.eq(cs(big, #big), table.concat(big))
  -- raw reads: a metatable's __index is not asked
  T.eq(cs(setmetatable({ "x" }, { __index = function() return "y" end }), 2), nil)
end)

T.test("minify: white space around block tags goes, around inline tags stays", function()
  local m = folio.minify
  for _, tag in ipairs { "p", "h1", "h6", "hr", "li", "td", "th", "tr", "ul", "div", "nav", "base",
                         "main", "aside", "title", "header", "hgroup", "article", "summary",
                         "colgroup", "template", "blockquote", "figcaption" } do
    T.eq(m.html("x <" .. tag .. "> y </" .. tag .. "> z"), "x<" .. tag .. ">y</" .. tag .. ">z", tag)
  end
  for _, tag in ipairs { "a", "b", "em", "h7", "h0", "span", "code", "img", "tablex", "pr", "hx" } do
    T.eq(m.html("x <" .. tag .. "> y </" .. tag .. "> z"), "x <" .. tag .. "> y </" .. tag .. "> z", tag)
  end
  T.eq(m.html("<P>  Mixed  <DIV> case </DIV>"), "<P>Mixed<DIV>case</DIV>")
  T.eq(m.html("<pre>  a  \n  b </pre> <textarea> t  </textarea> x"), "<pre>  a  \n  b </pre><textarea> t  </textarea> x")
  T.eq(m.html("one two  three\nfour <b>five</b>"), "one two three four <b>five</b>")
  T.eq(m.json('{ "a" : "x \\" y\\\\" , "b":[1, 2] }'), '{"a":"x \\" y\\\\","b":[1,2]}')
  T.ok(not m.json('{"a":"unclosed\\'), "a string ended by its escape")
  T.ok(not m.json('{"a":"tab\there"}'), "a control character in a string")
end)

T.test("render buffers join as table.concat does; partial environments copy their arguments", function()
  local parts = { "a", 1, 2.5, "", "b" }
  T.eq(folio.concat_strings(parts, 5), table.concat(parts))
  T.eq(folio.concat_strings(parts, 0), "")
  T.eq(folio.concat_strings({ "a", {}, "b" }, 3), nil, "a table: nil")
  T.eq(folio.concat_strings({ "a", "b", "c" }, 2), "ab", "only 1..n")
  local long = {}
  for i = 1, 120000 do long[i] = "x" end -- more items than the stack takes at once
  T.eq(folio.concat_strings(long, #long), string.rep("x", #long))
  local meta = { __index = { inherited = 1 } }
  local args = setmetatable({ post = "p", [1] = "one" }, { __index = function() return "never read" end })
  local env = folio.fields_over(args, meta)
  T.eq(getmetatable(env), meta)
  T.eq(rawget(env, "post"), "p")
  T.eq(rawget(env, 1), "one")
  T.eq(env.inherited, 1)
  T.eq(env.missing, nil, "the arguments' own metatable is not copied")
  env.post = "changed"
  T.eq(args.post, "p", "a copy")
  T.eq(next(folio.fields_over(nil, meta)), nil)
end)

T.done()

-- test_liquid.lua: the Liquid engine (compat/jekyll/liquid/) on hand-written cases: output,
-- filters, tags, whitespace control, semantics (truthiness, empty/blank, comparisons,
-- integer vs float), errors with lines, the template cache, and the plugin's Jekyll tags.
local T = dofile("testlib.lua")
local L = assert(load(folio.embedded.read("compat/jekyll/liquid/init.lua"), "@init.lua"))()

local function r(src, vars, opts) return L.parse(src, opts):render(vars or {}, opts) end

T.test("text and output", function()
  T.eq(r("hi {{ name }}!", { name = "Ada" }), "hi Ada!")
  T.eq(r("{{ nil }}{{ missing.deep }}|{{ true }}"), "|true")
  T.eq(r("{{ a.b[1] }} {{ a['b'].size }} {{ a.b.last }}", { a = { b = { "x", "y", "z" } } }), "y 3 z")
end)

T.test("integer and float arithmetic", function()
  T.eq(r("{{ 7 | divided_by: 2 }} {{ 7 | divided_by: 2.0 }} {{ 2 | times: 1.5 }} {{ '3' | plus: 4 }}"), "3 3.5 3.0 7")
  T.eq(r("{{ -7 | modulo: 3 }} {{ 4.5 | round }} {{ 3.14159 | round: 2 }} {{ 1.2 | ceil }}"), "2 5 3.14 2")
  T.raises(function() r("{{ 1 | divided_by: 0 }}") end, "divided by 0")
end)

T.test("string filters", function()
  T.eq(r("{{ 'a,b,,c' | split: ',' | join: '-' }}"), "a-b--c")
  T.eq(r("{{ 'Hello world' | truncate: 8 }}|{{ 'one two three' | truncatewords: 2 }}"), "Hello...|one two...")
  T.eq(r("{{ '<b>x</b> & y' | strip_html }}|{{ '<a>' | escape }}|{{ '&lt;' | escape_once }}"), "x & y|&lt;a&gt;|&lt;")
  T.eq(r("{{ 'aXbXc' | replace_first: 'X', '-' }} {{ 'abc' | slice: -2, 2 }} {{ 'ab' | capitalize }}"), "a-bXc bc Ab")
  T.eq(r("{{ 'a b' | url_encode }} {{ 'a%20b' | url_decode }}"), "a+b a b")
end)

T.test("array filters", function()
  local posts = { { t = "b", n = 2 }, { t = "a", n = 1 }, { t = "c", n = 2 } }
  T.eq(r("{{ posts | sort: 't' | map: 't' | join }}", { posts = posts }), "a b c")
  T.eq(r("{{ posts | where: 'n', 2 | map: 't' | join: ',' }}", { posts = posts }), "b,c")
  T.eq(r("{{ posts | where_exp: 'p', 'p.n < 2' | map: 't' | first }}", { posts = posts }), "a")
  T.eq(r("{% assign g = posts | group_by: 'n' %}{% for x in g %}{{ x.name }}:{{ x.size }} {% endfor %}", { posts = posts }), "2:2 1:1 ")
  T.eq(r("{{ l | uniq | reverse | join }} {{ l | sum }} {{ l | compact | size }}", { l = { 1, 2, 2, 3 } }), "3 2 1 8 4")
  T.eq(r("{{ x | default: 'none' }} {{ f | default: 'd', allow_false: true }}", { f = false }), "none false")
  T.eq(r("{{ l | array_to_sentence_string }} {{ h | jsonify }}", { l = { "a", "b", "c" }, h = { k = { 1, "x" } } }),
       'a, b, and c {"k":[1,"x"]}')
end)

T.test("conditions: truthiness, empty, blank, contains, mixed types", function()
  T.eq(r("{% if 0 %}a{% endif %}{% if '' %}b{% endif %}{% if nil %}c{% endif %}{% if false %}d{% endif %}"), "ab")
  T.eq(r("{% if s == empty %}e{% endif %}{% if w == blank %}b{% endif %}{% if l == empty %}l{% endif %}",
         { s = "", w = "  ", l = {} }), "ebl")
  T.eq(r("{% if 'abc' contains 'b' and l contains 2 %}y{% endif %}", { l = { 1, 2 } }), "y")
  T.eq(r("{% if 1 == 1.0 %}eq{% endif %}{% if '1' == 1 %}no{% endif %}"), "eq")
  T.eq(r("{% if true or false and false %}right-to-left{% endif %}"), "right-to-left")
  T.raises(function() r("{% if 'a' < 1 %}{% endif %}") end, "comparison of String with 1 failed")
  T.eq(r("{% unless x %}u{% elsif y %}no{% else %}e{% endunless %}"), "u")
end)

T.test("case/when, capture, assign, increment", function()
  T.eq(r("{% case x %}{% when 1, 2 %}low{% when 3 %}three{% else %}other{% endcase %}", { x = 2 }), "low")
  T.eq(r("{% capture c %}[{{ 1 | plus: 1 }}]{% endcapture %}{{ c }}{{ c }}"), "[2][2]")
  T.eq(r("{% increment n %}{% increment n %}{% decrement m %}{{ n }}"), "01-12")
end)

T.test("for: limit, offset, reversed, ranges, forloop, break, continue, else", function()
  T.eq(r("{% for i in (1..6) limit: 3 offset: 1 reversed %}{{ i }}{% endfor %}"), "432")
  T.eq(r("{% for i in l %}{{ forloop.index }}/{{ forloop.length }}{% if forloop.last %}!{% endif %} {% endfor %}", { l = { "a", "b" } }), "1/2 2/2! ")
  T.eq(r("{% for i in (1..9) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 4 %}{% break %}{% endif %}{{ i }}{% endfor %}"), "13")
  T.eq(r("{% for i in none %}x{% else %}empty{% endfor %}"), "empty")
  T.eq(r("{% for a in (1..2) %}{% for b in (1..2) %}{{ forloop.parentloop.index }}{{ b }} {% endfor %}{% endfor %}"), "11 12 21 22 ")
  T.eq(r("{% for i in (1..4) %}{% cycle 'a', 'b' %}{% endfor %}"), "abab")
end)

T.test("tablerow", function()
  T.eq(r("{% tablerow i in (1..3) cols: 2 %}{{ i }}{% endtablerow %}"),
       '<tr class="row1">\n<td class="col1">1</td><td class="col2">2</td></tr>\n<tr class="row2"><td class="col1">3</td></tr>\n')
end)

T.test("whitespace control, raw, comment, liquid and echo", function()
  T.eq(r("a  {%- if true -%}  b  {%- endif -%}  c"), "abc")
  T.eq(r("x {{- ' y ' -}} z"), "x y z")
  T.eq(r("{% raw %}{{ not }} {% this %}{% endraw %}"), "{{ not }} {% this %}")
  T.eq(r("a{% comment %} {% if %} {% endcomment %}b{% # note %}"), "ab")
  T.eq(r("{% liquid\n assign x = 'hi'\n if x\n echo x | upcase\n endif %}"), "HI")
end)

T.test("errors name the line; unknown tags are errors unless a handler is given", function()
  local e = T.raises(function() L.parse("a\nb\n{% if x %}", { name = "f.md" }) end, "'if' tag was never closed")
  T.eq(e.line, 3)
  T.eq(e.file, "f.md")
  e = T.raises(function() L.parse("\n{% frobnicate %}") end, "Unknown tag 'frobnicate'")
  T.eq(e.line, 2)
  T.raises(function() L.parse("{{ x ") end, "not properly terminated")
  local seen
  local tpl = L.parse("a {% youtube x %} b", { unknown_tag = function(_, t) seen = t.name; local raw = t.raw
    return function(_, buf) buf[#buf + 1] = raw end end })
  T.eq(tpl:render({}), "a {% youtube x %} b")
  T.eq(seen, "youtube")
  T.eq(L.parse("{{ 'a' | upcase | }}"):render({}), "A") -- lax: trailing garbage ignored
  T.raises(function() L.parse("{{ 'a' | upcase | }}", { mode = "strict" }) end, "Expected end_of_string")
  e = T.raises(function() L.parse("\n\n{{ x | divided_by: 0 }}"):render({ x = 1 }) end, "divided by 0")
  T.eq(e.line, 3)
end)

T.test("templates are compiled once per text", function()
  T.ok(L.parse("{{ same }}") == L.parse("{{ same }}"), "cached")
  T.ok(L.parse("{{ same }}") ~= L.parse("{{ other }}"), "distinct")
end)

T.test("partials: include shares scope, render isolates it", function()
  local files = { card = "{{ title }}-{{ x }}", item = "{{ item }}," }
  local fs = function(n) return files[n] end
  T.eq(r("{% assign x = 1 %}{% include 'card', title: 'T' %}", {}, { file_system = fs }), "T-1")
  T.eq(r("{% assign x = 1 %}{% render 'card', title: 'T' %}", {}, { file_system = fs }), "T-")
  T.eq(r("{% render 'item' for l %}", { l = { 1, 2 } }, { file_system = fs }), "1,2,")
end)

T.test("float output as Ruby prints it", function()
  T.eq(L.to_s(1.0), "1.0")
  T.eq(L.to_s(0.1 + 0.2), "0.30000000000000004")
  T.eq(L.to_s(1e20), "1.0e+20")
  T.eq(L.to_s(-3), "-3")
end)

T.test("names read at once keep lookup_key's answers (self, ranges, drops, contains)", function()
  -- `a.b` indexes a table without asking for its metatable, except for self's own fields and `__`
  -- names: these still answer as lookup_key does.
  T.eq(r("{% assign scopes = 'v' %}{{ self.scopes }}|{{ self.env }}"), "v|")
  T.eq(r("{% assign x = (1..3) %}{{ x.__index }}|{{ x.first }}-{{ x.last }}-{{ x.size }}"), "|1-3-3")
  local drop = setmetatable({}, { __index = function(_, k) if k == "tags" then return { "a", "b" } end end })
  T.eq(r("{{ d.tags | join }} {{ d.tags.size }} {{ d.none.deep }}|", { d = drop }), "a b 2 |")
  T.eq(r("{% if d.tags contains 'b' %}y{% endif %}{% if d.tags contains 'c' %}n{% endif %}", { d = drop }), "y")
  T.eq(r("{% assign x = (1..3) %}{% if x contains 2 %}r{% endif %}{% if h contains 'k' %}h{% endif %}", { h = { k = 1 } }), "rh")
  T.eq(r("{% if l contains 2 %}i{% endif %}{% if l contains '2' %}s{% endif %}{% if l contains nil %}n{% endif %}", { l = { 1, 2 } }), "i")
end)

T.test("a pure loop keeps its invariant lookups per run; assignments, nesting and new runs see new values", function()
  -- reads of `page.tag` counted through a table with __index: once per run in a pure body
  local reads = 0
  local page = setmetatable({}, { __index = function(_, k) if k == "tag" then reads = reads + 1; return "b" end end })
  local posts = { { tags = { "a" } }, { tags = { "b" } }, { tags = { "b", "c" } } }
  local tpl = L.parse("{% for p in posts %}{% if p.tags contains page.tag %}{{ forloop.index }}{% endif %}{% endfor %}")
  T.eq(tpl:render({ posts = posts, page = page }), "23")
  T.eq(reads, 1)
  T.eq(tpl:render({ posts = posts, page = page }), "23") -- a new run reads it again
  T.eq(reads, 2)
  local other = setmetatable({}, { __index = function(_, k) if k == "tag" then return "a" end end })
  T.eq(tpl:render({ posts = posts, page = other }), "1") -- (another page in the same template)
  -- an assign in the body: every item reads the variable anew
  T.eq(r("{% for i in (1..3) %}{{ x }}{% assign x = i %}{% endfor %}", {}), "12")
  T.eq(r("{% for i in (1..3) %}{% capture x %}{{ i }}{% endcapture %}{{ x }}{% endfor %}", {}), "123")
  T.eq(r("{% for i in (1..2) %}{% increment c %}{{ c }}{% endfor %}", {}), "0112")
  -- the loop variable, forloop and an outer loop's variable within the inner loop's runs
  T.eq(r("{% for a in (1..2) %}{% for b in (1..2) %}{{ a }}{{ b }}{{ forloop.index }}.{% endfor %}{% endfor %}", {}),
       "111.122.211.222.")
  T.eq(r("{% for a in l %}{% for a in a %}{{ a }}{% endfor %}|{{ a.size }}{% endfor %}", { l = { { 1, 2 }, { 3 } } }), "12|23|1")
  -- after break, and a lookup with a key from the loop variable (not kept)
  T.eq(r("{% for i in (1..3) %}{{ h[i] }}{% if i == 2 %}{% break %}{% endif %}{% endfor %}{{ h.size }}",
         { h = { "x", "y", "z" } }), "yz3") -- (h[i]: 0-based)
end)

T.test("Jekyll's page and site drops: fields kept once read, content read anew, the drops empty tables", function()
  local drops = assert(folio.embedded.load("compat/jekyll/drops.lua", _G))()
  local page = { meta = { title = "T" }, content = "a", section = "posts", tags = { "x" } }
  local d = drops.page(page)
  T.eq(r("{{ page.title }} {{ page.tags | join }} {{ page.content }} {{ page.nope }}|", { page = d }), "T x a |")
  page.content, page.meta.title, page.meta.nope = "b", "U", "now"
  T.eq(r("{{ page.title }} {{ page.content }} {{ page.nope }}", { page = d }), "T b now")
  T.eq(next(d), nil)
  local site = drops.site({ sections = { posts = { page } }, pages = { page } })
  T.eq(r("{{ site.posts.size }} {{ site.posts.first.title }} {{ site.tags.x.size }}", { site = site }), "1 T 1")
  T.eq(next(site), nil)
end)

T.test("filter indexes: a loop over the same list again gives what the plain loop gives", function()
  local c = L.filter_index_counters
  local function posts()
    return { { tags = { "a", "b" }, t = 1 }, { tags = { "b" }, t = 2 }, {}, { tags = {} }, { tags = { 3, true } },
             { tags = { "b", "b" }, t = 6 }, { tags = { "c" } } }
  end
  local cases = {
    "{% for p in l %} <{% if p.tags contains v %}{{ forloop.index }}/{{ forloop.length }}{{ forloop.last }}{{ p.t }}{% endif %}> {% endfor %}.",
    "{% for p in l %}[{% if p.tags contains v %}{{ p.t }}{% if p.t == 2 %}{% break %}{% endif %}{% endif %}]{% endfor %}.",
    "{% for p in l %}[{% if p.tags contains v %}{{ p.t }}{% if p.t == 1 %}{% continue %}{% endif %}{% endif %}]{% endfor %}.",
    "{% for p in l %}{% if p.tags contains v %}{% for x in p.tags %}{{ x }}{% endfor %},{% endif %}{% endfor %}",
  }
  for _, src in ipairs(cases) do
    local tpl = L.parse(src)
    for _, v in ipairs { "b", "a", "c", "zz", 3, true, false } do
      local list = posts()
      local want = tpl:render({ l = posts(), v = v }) -- (a new list: its first loop, the plain one)
      tpl:render({ l = list, v = v })
      local runs = c.runs
      T.eq(tpl:render({ l = list, v = v }), want, src .. " " .. tostring(v))
      T.eq(c.runs, runs + 1) -- (the second loop over `list` ran from the index)
      T.eq(tpl:render({ l = list }), tpl:render({ l = posts() })) -- (no value: no item)
    end
  end
  -- the list holding another item: indexed again
  local tpl = L.parse("{% for p in l %}{% if p.tags contains 'x' %}{{ p.t }}{% endif %}{% endfor %}")
  local list = posts()
  tpl:render({ l = list }); tpl:render({ l = list })
  local made = c.made
  list[2] = { tags = { "x" }, t = 9 }
  T.eq(tpl:render({ l = list }), "9")
  T.eq(c.made, made + 1)
  -- a string (substring test), a hash, an array holding a table: the plain loop, every time
  for _, l in ipairs { { { tags = "xa" }, { tags = "b" } }, { { tags = { x = 1 } } }, { { tags = { { "x" }, "x" } } } } do
    local runs = c.runs
    for _ = 1, 3 do T.eq(tpl:render({ l = l }), "") end
    T.eq(c.runs, runs)
  end
  -- `contains` a table (empty, blank): the plain loop
  local runs = c.runs
  T.eq(L.parse("{% for p in l %}{% if p.tags contains empty %}e{% endif %}{% endfor %}"):render({ l = list }), "")
  T.eq(c.runs, runs)
end)

T.done()

-- test_frontmatter.lua: folio.frontmatter.parse (src/lua/lx_frontmatter.c, src/md/frontmatter.c).
local T = dofile("testlib.lua")
local parse = folio.frontmatter.parse

-- Parses `text` expecting success; returns meta, body, body_line.
local function ok(text)
  local meta, body, line = parse(text)
  if meta == nil then
    error(string.format("parse failed: line %s: %s (%s)", tostring(body.line), tostring(body.message),
                        tostring(body.hint)), 2)
  end
  return meta, body, line
end

-- Meta of a front matter block made of `yaml`.
local function meta_of(yaml)
  return (ok("---\n" .. yaml .. "\n---\nbody\n"))
end

-- Parses `text` expecting failure; checks the file line and returns the error table.
local function fails(text, line, needle)
  local meta, err = parse(text)
  if meta ~= nil then error("expected a parse error, got " .. T.show(meta), 2) end
  T.eq(type(err), "table", "error is a table")
  T.eq(type(err.message), "string", "error message")
  T.eq(err.line, line, "line of: " .. err.message)
  if needle then T.has(err.message, needle) end
  return err
end

T.test("no front matter: empty meta, the whole text, line 1", function()
  for _, text in ipairs({ "", "# Title\n\nSome text.\n", "----\na: 1\n----\n", "--- a\nb: 1\n---\n",
                          " ---\na: 1\n---\n", "text\n---\na: 1\n---\n", "-- \n" }) do
    local meta, body, line = ok(text)
    T.eq(meta, {}, text)
    T.eq(body, text, text)
    T.eq(line, 1, text)
  end
end)

T.test("the shape of a post without a title but with a subject, trailing spaces", function()
  local text = "---\nlayout: note \nwriter: someone\nsubject: \"Notes: from a meetup\"\n---\n\nFirst line.\n"
  local meta, body, line = ok(text)
  T.eq(meta, { layout = "note", writer = "someone", subject = "Notes: from a meetup" })
  T.eq(body, "\nFirst line.\n")
  T.eq(line, 6)
end)

T.test("the shape of a dated post: the date stays a string", function()
  local meta, body, line = ok("---\nlayout: article\ntitle: \"A Quoted Title\"\ndate: 2015-03-04 05:06:07 \n---\n\n![](x.png)\n")
  T.eq(meta, { layout = "article", title = "A Quoted Title", date = "2015-03-04 05:06:07" })
  T.eq(math.type(meta.date), nil)
  T.eq(body, "\n![](x.png)\n")
  T.eq(line, 6)
  T.eq(meta_of("date: 2015-03-04").date, "2015-03-04")
  T.eq(meta_of("date: 2015-03-04T05:06:07-06:00").date, "2015-03-04T05:06:07-06:00")
  T.eq(meta_of("at: 21:47").at, "21:47")
end)

T.test("delimiters: trailing blanks, ... closer, end of file, BOM, CRLF", function()
  local meta, body, line = ok("---   \na: 1\n---  \t\nrest")
  T.eq(meta, { a = 1 }); T.eq(body, "rest"); T.eq(line, 4)
  meta, body, line = ok("---\na: 1\n...\nrest\n")
  T.eq(meta, { a = 1 }); T.eq(body, "rest\n"); T.eq(line, 4)
  meta, body, line = ok("---\na: 1\nb: 2\n---")
  T.eq(meta, { a = 1, b = 2 }); T.eq(body, ""); T.eq(line, 5)
  meta, body, line = ok("\239\187\191---\na: 1\n---\nx")
  T.eq(meta, { a = 1 }); T.eq(body, "x"); T.eq(line, 4)
  meta, body, line = ok("---\r\ntitle: Windows\r\ntags: [a, b]\r\n---\r\nbody\r\nmore\r\n")
  T.eq(meta, { title = "Windows", tags = { "a", "b" } })
  T.eq(body, "body\r\nmore\r\n")
  T.eq(line, 5)
  -- only the first closer counts; later --- lines belong to the body
  meta, body, line = ok("---\na: 1\n---\nx\n---\ny\n")
  T.eq(meta, { a = 1 }); T.eq(body, "x\n---\ny\n"); T.eq(line, 4)
end)

T.test("empty front matter", function()
  local meta, body, line = ok("---\n---\nbody\n")
  T.eq(meta, {}); T.eq(body, "body\n"); T.eq(line, 3)
  meta, body, line = ok("---\n\n# only a comment\n\n---\nbody")
  T.eq(meta, {}); T.eq(body, "body"); T.eq(line, 6)
  meta = ok("---\n~\n---\n")
  T.eq(meta, {})
  meta = ok("---\r\n---\r\n")
  T.eq(meta, {})
end)

T.test("plain scalars: booleans and nulls (YAML 1.2 core)", function()
  local m = meta_of("a: true\nb: True\nc: TRUE\nd: false\ne: False\nf: FALSE\n" ..
                    "g: yes\nh: no\ni: on\nj: tRUE\nk: ~\nl: null\nm: Null\nn: NULL\no:\np: nulls")
  T.eq(m, { a = true, b = true, c = true, d = false, e = false, f = false,
            g = "yes", h = "no", i = "on", j = "tRUE", p = "nulls" })
end)

T.test("plain scalars: integers", function()
  local m = meta_of("a: 42\nb: -17\nc: +8\nd: 0x1F\ne: 0o17\nf: 012\ng: 0\n" ..
                    "h: 9223372036854775807\ni: -9223372036854775808\nj: 0xFFFFFFFFFFFFFFFFF\n" ..
                    "k: 1_000\nl: 0b101\nm: 0x\nn: 12abc\no: -3x")
  T.eq(m.a, 42); T.eq(math.type(m.a), "integer")
  T.eq(m.b, -17); T.eq(m.c, 8)
  T.eq(m.d, 31); T.eq(math.type(m.d), "integer")
  T.eq(m.e, 15); T.eq(m.f, 12); T.eq(m.g, 0)
  T.eq(m.h, math.maxinteger); T.eq(m.i, math.mininteger)
  T.eq(m.j, "0xFFFFFFFFFFFFFFFFF")
  T.eq(m.k, "1_000"); T.eq(m.l, "0b101"); T.eq(m.m, "0x"); T.eq(m.n, "12abc")
  T.eq(m.o, "-3x")
  local big = meta_of("n: 9223372036854775808").n
  T.eq(math.type(big), "float")
  T.eq(big, 2.0 ^ 63)
end)

T.test("plain scalars: floats", function()
  local m = meta_of("a: 1.5\nb: -0.25\nc: 1e3\nd: .5\ne: 2.\nf: 6.02E+23\ng: .inf\nh: -.Inf\n" ..
                    "i: +.INF\nj: .nan\nk: .NaN\nl: 1.2.3\nm: 1e\nn: .\no: inf\np: 3.0")
  T.eq(m.a, 1.5); T.eq(m.b, -0.25)
  T.eq(m.c, 1000.0); T.eq(math.type(m.c), "float")
  T.eq(m.d, 0.5); T.eq(m.e, 2.0); T.eq(math.type(m.e), "float"); T.eq(m.f, 6.02e23)
  T.eq(m.g, math.huge); T.eq(m.h, -math.huge); T.eq(m.i, math.huge)
  T.ok(m.j ~= m.j, ".nan is NaN"); T.ok(m.k ~= m.k, ".NaN is NaN")
  T.eq(m.l, "1.2.3"); T.eq(m.m, "1e"); T.eq(m.n, "."); T.eq(m.o, "inf")
  T.eq(math.type(m.p), "float")
end)

T.test("quoted and block scalars are always strings", function()
  local m = meta_of("a: \"42\"\nb: 'true'\nc: \"~\"\nd: ''\ne: \"1.5\"\n" ..
                    "f: |\n  line one\n  42\ng: >\n  folded\n  text\nh: |-\n  true\n")
  T.eq(m.a, "42"); T.eq(m.b, "true"); T.eq(m.c, "~"); T.eq(m.d, ""); T.eq(m.e, "1.5")
  T.eq(m.f, "line one\n42\n"); T.eq(m.g, "folded text\n"); T.eq(m.h, "true")
  T.eq(meta_of("s: \"tab\\there \\u00e9\"").s, "tab\there \u{e9}")
  T.eq(meta_of("s: \"nul\\0inside\"").s, "nul\0inside")
  T.eq(meta_of("s: plain text  with  spaces   ").s, "plain text  with  spaces")
end)

T.test("explicit tags are honoured", function()
  local m = meta_of("a: !!str 42\nb: !!str true\nc: !!int \"12\"\nd: !!float 3\ne: !!float \"2.5\"\n" ..
                    "f: !!bool \"false\"\ng: !!null ''\nh: ! 12\ni: !!str\nj: !custom 7\nk: !!int 0x10")
  T.eq(m.a, "42"); T.eq(m.b, "true")
  T.eq(m.c, 12); T.eq(math.type(m.c), "integer")
  T.eq(m.d, 3.0); T.eq(math.type(m.d), "float")
  T.eq(m.e, 2.5); T.eq(m.f, false); T.eq(m.g, nil); T.eq(m.h, "12"); T.eq(m.i, "")
  T.eq(m.j, 7); T.eq(m.k, 16)
  local err = fails("---\ntitle: t\ncount: !!int many\n---\n", 3, "int")
  T.has(err.message, "many")
  fails("---\nx: !!float abc\n---\n", 2, "float")
  fails("---\nx: !!bool yes\n---\n", 2, "bool")
  fails("---\nx: !!null 0\n---\n", 2, "null")
end)

T.test("sequences, mappings, nesting, flow style", function()
  local m = meta_of("tags:\n  - go\n  - meetups\ncategories: [blog, 'life']\n" ..
                    "author:\n  name: Ann\n  links: {site: 'https://x.example', n: 3}\n" ..
                    "matrix:\n  - [1, 2]\n  - - 3\n    - 4\nempty_list: []\nempty_map: {}")
  T.eq(m.tags, { "go", "meetups" })
  T.eq(m.categories, { "blog", "life" })
  T.eq(m.author, { name = "Ann", links = { site = "https://x.example", n = 3 } })
  T.eq(m.matrix, { { 1, 2 }, { 3, 4 } })
  T.eq(m.empty_list, {}); T.eq(m.empty_map, {})
end)

T.test("nulls: absent keys, dense sequences, last key wins", function()
  local m = meta_of("a: ~\nb: 1\nlist: [x, ~, y, null, ]\nblock:\n  -\n  - z\nc: 1\nc: 2\nd: 1\nd: ~")
  T.eq(m.a, nil); T.eq(m.b, 1)
  T.eq(m.list, { "x", "y" })
  T.eq(m.block, { "z" })
  T.eq(m.c, 2)
  T.eq(m.d, nil)
  local keys = 0
  for _ in pairs(m) do keys = keys + 1 end
  T.eq(keys, 4)
end)

T.test("keys become strings", function()
  local m = meta_of("1: one\ntrue: yes\n1.5: x\n~: tilde\n\"q\": quoted\n? complex\n: value\n0x10: hex")
  T.eq(m["1"], "one"); T.eq(m[1], nil)
  T.eq(m["true"], "yes"); T.eq(m["1.5"], "x"); T.eq(m["~"], "tilde"); T.eq(m.q, "quoted")
  T.eq(m.complex, "value"); T.eq(m["0x10"], "hex")
  T.eq(meta_of("a: &k name\n*k : aliased")["name"], "aliased")
  fails("---\n[a, b]: x\n---\n", 2, "key")
  fails("---\n? {a: 1}\n: x\n---\n", 2, "key")
end)

T.test("anchors and aliases", function()
  local m = meta_of("base: &b\n  color: red\n  size: 2\ncopy: *b\nname: &n Ann\nwho: *n\n" ..
                    "list: &l [1, 2]\nagain: *l\nnil: &z ~\nz: *z")
  T.eq(m.copy, { color = "red", size = 2 })
  T.ok(rawequal(m.copy, m.base), "an alias shares the anchored table")
  T.eq(m.who, "Ann"); T.eq(m.again, { 1, 2 }); T.eq(m.z, nil)
  -- an anchor may be redefined; aliases use the latest
  m = meta_of("a: &x 1\nb: *x\nc: &x 2\nd: *x")
  T.eq(m.b, 1); T.eq(m.d, 2)
  local err = fails("---\ntitle: t\nauthor: *nobody\n---\n", 3, "nobody")
  T.ok(err.hint ~= nil, "hint for an unknown alias")
  -- an alias to a node still being built is unknown (no cycles)
  fails("---\na: &self\n  b: *self\n---\n", 3, "self")
end)

T.test("merge keys", function()
  local m = meta_of("defaults: &d\n  layout: post\n  comments: true\n  author: Ann\n" ..
                    "post:\n  <<: *d\n  author: Bob\n")
  T.eq(m.post, { layout = "post", comments = true, author = "Bob" })
  T.eq(m.defaults.author, "Ann", "merging copies; the anchor is untouched")
  -- explicit keys win even when they come before <<
  m = meta_of("d: &d {a: 1, b: 2}\nx:\n  b: 9\n  <<: *d")
  T.eq(m.x, { a = 1, b = 9 })
  -- a list of mappings: earlier ones win
  m = meta_of("p: &p {a: 1, b: 1}\nq: &q {b: 2, c: 2}\nr:\n  <<: [*p, *q]\n  c: 3")
  T.eq(m.r, { a = 1, b = 1, c = 3 })
  -- an inline mapping works too, and a quoted "<<" is an ordinary key
  m = meta_of("r:\n  <<: {a: 1}\n  \"<<\": literal")
  T.eq(m.r, { a = 1, ["<<"] = "literal" })
  fails("---\na: &s text\nb:\n  <<: *s\n---\n", 4, "merge")
  fails("---\nb:\n  <<: [1, 2]\n---\n", 3, "merge")
end)

T.test("alias bombs are rejected", function()
  local lines = { "a: &a [x, x, x, x, x, x, x, x, x, x]" }
  local prev = "a"
  for i = 2, 9 do
    local name = string.char(96 + i)
    lines[#lines + 1] = string.format("%s: &%s [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]",
                                      name, name, prev, prev, prev, prev, prev, prev, prev, prev, prev, prev)
    prev = name
  end
  -- level f (file line 7) would be 1 + 10 * 111111 values: past the 1e6 cap
  local err = fails("---\n" .. table.concat(lines, "\n") .. "\n---\nbody\n", 7, "expands")
  T.ok(err.hint ~= nil, "hint for the alias bomb")
  -- a moderate fan-out is fine
  local m = meta_of("a: &a [1, 2, 3]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]")
  T.eq(#m.c, 3); T.eq(m.c[3][3][3], 3)
end)

T.test("nesting is capped", function()
  local deep = meta_of("v: " .. string.rep("[", 150) .. "1" .. string.rep("]", 150))
  local v = deep.v
  for _ = 1, 150 do v = v[1] end
  T.eq(v, 1)
  local err = fails("---\ntitle: t\nv: " .. string.rep("[", 300) .. string.rep("]", 300) .. "\n---\n", 3, "nested")
  T.has(err.message, "200")
  local block = { "---" }
  for i = 0, 250 do block[#block + 1] = string.rep(" ", i) .. "k:" end
  block[#block + 1] = "---"
  fails(table.concat(block, "\n") .. "\n", 202, "nested")
end)

T.test("errors: not closed", function()
  for _, text in ipairs({ "---\ntitle: x\n\nbody\n", "---", "---\n", "---\r\na: 1\r\n" }) do
    local err = fails(text, 1, "not closed")
    T.has(err.hint, "---")
  end
end)

T.test("errors: front matter that is not a mapping", function()
  T.has(fails("---\n- a\n- b\n---\n", 2).message, "list")
  T.has(fails("---\njust a sentence\n---\n", 2).message, "mapping")
  T.has(fails("---\n42\n---\n", 2).message, "number")
  T.has(fails("---\n# comment\n\ntrue\n---\n", 4).message, "boolean")
  fails("---\na: 1\n--- b\n---\n", 3, "more than one")
end)

T.test("errors: YAML syntax, with file lines", function()
  -- bad indentation on the 3rd line of front matter = line 4 of the file
  local err = fails("---\ntitle: a\nauthor: b\n  extra: c\n---\nbody\n", 4, "invalid YAML")
  T.has(err.message, "mapping values are not allowed")
  T.has(err.hint, "indentation")
  err = fails("---\nparent:\n  child: 1\n wrong: 2\n---\n", 4, "did not find expected key")
  T.has(err.hint, "indentation and quoting")
  -- tab indentation
  err = fails("---\ntitle: a\nlist:\n\t- b\n---\n", 4, "invalid YAML")
  T.has(err.hint, "tab")
  err = fails("---\ntitle: a\n\tauthor: b\n---\n", 3, "tab")
  T.has(err.hint, "tab")
  -- unclosed quotes point at the opening quote
  err = fails("---\nlayout: post\ntitle: \"Never closed\nauthor: x\n---\nbody\n", 3, "quoted scalar")
  T.has(err.hint, "quote")
  fails("---\ntitle: 'single\n---\n", 2, "quoted")
  -- a colon in an unquoted value
  err = fails("---\ntitle: Go: a tour\n---\n", 2, "mapping values")
  T.has(err.hint, "quote")
  -- a line that is not key: value
  err = fails("---\ntitle: a\nnot a pair\nnext: 1\n---\n", 3, "could not find expected ':'")
  -- unclosed brackets
  err = fails("---\ntags: [a, b\n---\n", 2, "flow sequence")
  T.has(err.hint, "[")
  fails("---\na: 1\nb: [x,\n---\n", 3, "invalid YAML")
  fails("---\nat: @handle\n---\n", 2, "cannot start any token")
  -- invalid UTF-8
  err = fails("---\na: 1\nb: \255\254\n---\n", 3, "UTF-8")
  -- CRLF text reports the same lines
  fails("---\r\ntitle: a\r\nauthor: b\r\n  extra: c\r\n---\r\n", 4, "mapping values")
  -- every error has a hint
  T.ok(type(err.hint) == "string" and #err.hint > 0, "hint")
end)

T.test("argument checking", function()
  T.raises(function() parse(nil) end)
  T.raises(function() parse({}) end)
end)

T.test("no leaks or crashes when parses fail repeatedly", function()
  local bad = { "---\na: [\n---\n", "---\na: *x\n---\n", "---\na: \"x\n---\n", "---\n- 1\n---\n",
                "---\na: !!int x\n---\n" }
  for i = 1, 200 do
    local meta = parse(bad[i % #bad + 1])
    T.eq(meta, nil)
  end
  collectgarbage()
  -- and an error raised inside the converter (stack/memory) still frees the parser: a huge
  -- document converts then is collected
  local parts = {}
  for i = 1, 5000 do parts[i] = "k" .. i .. ": [" .. i .. ", &a" .. i .. " {x: " .. i .. "}]" end
  local m = meta_of(table.concat(parts, "\n"))
  T.eq(m.k5000[2].x, 5000)
  collectgarbage()
end)

T.test("front matter without its opening ---: read as front matter, with a notice", function()
  local meta, body, line, notice = parse("title: Lost opener\ndate: 2020-01-02\ntags:\n  - a\n  - b\n---\n\nThe body.\n")
  T.eq(meta, { title = "Lost opener", date = "2020-01-02", tags = { "a", "b" } })
  T.eq(body, "\nThe body.\n")
  T.eq(line, 7)
  T.ok(notice ~= nil, "a notice")
  T.eq(notice.line, 1)
  T.has(notice.message, "without its opening ---")
  -- with a BOM and CRLF
  meta, body, line, notice = parse("\xEF\xBB\xBFtitle: x\r\n---\r\nbody\r\n")
  T.eq(meta.title, "x")
  T.ok(notice ~= nil)
  -- a well-formed block has no notice
  meta, body, line, notice = parse("---\ntitle: x\n---\nbody\n")
  T.eq(notice, nil)
end)

T.test("setext headings and thematic breaks stay Markdown", function()
  local function untouched(text)
    local meta, body, line, notice = parse(text)
    T.eq(meta, {}, text)
    T.eq(body, text)
    T.eq(line, 1)
    T.eq(notice, nil)
  end
  untouched("A heading\n---\nbody\n")
  untouched("Note: this is a setext heading\n---\n")        -- no key front matter has
  untouched("title: x\n\nmore text\n---\n")                -- a blank line: a paragraph
  untouched("title: x\nnot a key line\n---\n")             -- a line that is no key
  untouched("title: [unclosed\n---\nbody\n")                -- not YAML: Markdown as it reads
  untouched("title:x\n---\n")                               -- no blank after the colon
end)

T.done()

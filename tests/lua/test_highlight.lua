-- test_highlight.lua: scripts/highlight.lua: a keyword, a string and a comment per language,
-- HTML escaping, aliases, unknown languages, adding a language.
local T = dofile("testlib.lua")
local H = dofile("plugin_harness.lua")
H.load("highlight")
local render = H.stage("render_codeblock")[1].fn

local function hl(lang, code) return render({ lang = lang, info = lang, code = code }) end
local function span(class, text) return '<span class="' .. class .. '">' .. text .. "</span>" end

local cases = {
  { "python", 'def f(x):  # note\n    return "s" if x else None\n',
    { span("k", "def"), span("f", "f"), span("s", "&quot;s&quot;"), span("c", "# note"), span("k", "None") } },
  { "c", '#include <stdio.h>\nint main(void) { /* c */ return printf("%d\\n", 0x1F); }\n',
    { span("k", "#include"), span("s", "&lt;stdio.h&gt;"), span("t", "int"), span("k", "return"),
      span("c", "/* c */"), span("s", "&quot;%d\\n&quot;"), span("n", "0x1F"), span("f", "printf") } },
  { "lua", 'local s = [==[a]]b]==] --[[ long\ncomment ]] print("x", 1) -- end\n',
    { span("k", "local"), span("s", "[==[a]]b]==]"), span("c", "--[[ long\ncomment ]]"), span("b", "print"),
      span("s", "&quot;x&quot;"), span("n", "1"), span("c", "-- end") } },
  { "shell", 'for f in *.md; do echo "$f" > /dev/null 2>&1; done # c\n',
    { span("k", "for"), span("k", "done"), span("b", "echo"), span("s", "&quot;$f&quot;"), span("c", "# c"),
      span("o", "&gt;") } },
  { "javascript", 'const a = `t ${x}`; // c\nfunction g(y) { return y > "<" }\n',
    { span("k", "const"), span("s", "`t ${x}`"), span("c", "// c"), span("f", "g"), span("s", "&quot;&lt;&quot;") } },
  { "json", '{"key": [1, -2.5e3, true, null, "v"]}',
    { span("a", "&quot;key&quot;"), span("n", "-2.5e3"), span("k", "true"), span("k", "null"), span("s", "&quot;v&quot;") } },
  { "yaml", '---\nname: "x" # c\nlist:\n  - on: yes\nurl: http://x.org/#a\n',
    { span("a", "name"), span("s", "&quot;x&quot;"), span("c", "# c"), span("k", "yes"), span("a", "list") } },
  { "html", '<!-- c --><a href="/x?a&amp;b" class=y>T &amp; <b>x</b></a>',
    { span("c", "&lt;!-- c --&gt;"), span("t", "a"), span("a", "href"), span("s", "&quot;/x?a&amp;amp;b&quot;"),
      span("v", "&amp;amp;"), span("p", "&lt;/") } },
  { "css", '@media (min-width: 600px) { a:hover, .x { color: #fff !important; background: url("a.png"); } } /* c */',
    { span("k", "@media"), span("t", ".x"), span("a", ":hover"), span("a", "color"), span("n", "#fff"),
      span("k", "!important"), span("f", "url"), span("s", "&quot;a.png&quot;"), span("c", "/* c */") } },
}

for _, case in ipairs(cases) do
  T.test(case[1], function()
    local html = hl(case[1], case[2])
    T.ok(html, "highlighted")
    T.has(html, '<pre class="highlight"><code class="language-' .. case[1] .. '">')
    for _, want in ipairs(case[3]) do T.has(html, want) end
    -- nothing but our spans may be markup: every '<' starts one of our tags
    local stripped = html:gsub("<span class=\"%a\">", ""):gsub("</span>", ""):gsub("</?pre[^>]*>", ""):gsub("</?code[^>]*>", "")
    T.lacks(stripped, "<", "all text escaped")
    T.lacks(html:gsub("<[^>]*>", ""), '"', "quotes escaped")
  end)
end

T.test("random code in every language: the text back, every special character escaped", function()
  -- (tokens marked plain keep their text without escaping it: none of them may hold & < > " ')
  local pieces = { "if", "int", "return", "print", "x_t", "f(", "(", ")", "{", "}", "[", "]", ";", ",", ".",
                   " ", "\n", "\t", "0x1F", "2.5e3", "-1", "<", ">", "&", "&amp;", '"', "'", "`", "#", "//",
                   "/*", "*/", "--", "$x", "${y}", "@d", ":", "=", "<a", "/>", "!", "true", "null", "é" }
  local entities = { ["&lt;"] = "<", ["&gt;"] = ">", ["&amp;"] = "&", ["&quot;"] = '"', ["&#39;"] = "'" }
  for _, lang in ipairs { "python", "c", "lua", "shell", "javascript", "json", "yaml", "html", "css" } do
    for code in T.random_texts(pieces, 12, 400, 4242) do
      local html = hl(lang, code)
      local body = html:match("^<pre class=\"highlight\"><code class=\"language%-[%a]+\">(.*)</code></pre>\n$")
      T.ok(body, lang .. ": the block's frame")
      local text = body:gsub('<span class="%a">', ""):gsub("</span>", "")
      T.lacks(text, "<", lang .. ": " .. string.format("%q", code))
      T.lacks(text, ">", lang)
      T.lacks(text, '"', lang)
      T.lacks(text, "'", lang)
      T.eq((text:gsub("&[#%w]+;", entities)), code, lang .. ": " .. string.format("%q", code))
    end
  end
end)

T.test("keywords inside identifiers are not keywords", function()
  local html = hl("python", "format = information\n")
  T.lacks(html, span("k", "for"))
  T.lacks(html, span("k", "in"))
end)

T.test("aliases, case of the language name", function()
  T.has(hl("py", "pass"), 'class="language-python"')
  T.has(hl("sh", "echo"), 'class="language-shell"')
  T.has(hl("bash", "echo"), 'class="language-shell"')
  T.has(hl("JS", "let"), 'class="language-javascript"')
  T.has(hl("yml", "a: 1"), 'class="language-yaml"')
end)

T.test("unknown or no language: default rendering (nil)", function()
  T.eq(hl("cobol", "DISPLAY 'X'."), nil)
  T.eq(render({ code = "plain\n" }), nil)
end)

T.test("a language added by a site script", function()
  folio.highlight.add_language("ini", function(h)
    return h.token("c", ";" * h.rest_of_line) + h.token("t", "[" * (1 - h.lpeg.S("]\n")) ^ 0 * "]")
  end, { "cfg" })
  T.eq(hl("cfg", "[main]\n; note <x>\nkey=1\n"), '<pre class="highlight"><code class="language-ini">'
    .. span("t", "[main]") .. "\n" .. span("c", "; note &lt;x&gt;") .. "\nkey=1\n</code></pre>\n")
end)

T.done()

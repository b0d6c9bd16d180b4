-- test_html_text.lua: folio.html_text (src/core/html_text.c), the plain text of HTML.
local T = dofile("testlib.lua")
local text = folio.html_text

T.test("tags, blocks and inline", function()
  T.eq(text("<p>Hello <em>wor</em>ld</p><p>Next</p>"), " Hello world  Next ")
  T.eq(text("a<br>b<BR/>c<Td>d"), "a b c d")
  T.eq(text("x < y and <b>bold</b>"), "x < y and bold") -- Markdown text has &lt; for <
  T.eq(text("unclosed <b and more"), "unclosed <b and more")
end)

T.test("script, style, comments and the anchors plugin's links go", function()
  T.eq(text("a<script>if (x < 1) {}</script>b<style>p{}</style>c"), "a b c")
  T.eq(text("a<!-- note <p> -->b<!-- open"), "ab<!-- open")
  T.eq(text('<h2 id="x">Title <a class="anchor" href="#x" aria-label="Link">#</a></h2>'), " Title  ")
end)

T.test("the number of words comes second: runs of non-space characters", function()
  T.eq({ text("<p>one <em>two</em>three</p><li>four\tfive-six</li>") }, { " one twothree  four\tfive-six ", 4 })
  T.eq({ text("") }, { "", 0 })
end)

T.test("entities", function()
  T.eq(text("&amp; &lt;b&gt; &quot;&apos; &hellip; &#65;&#x42;&#X43; &#233;"), "& <b> \"' … ABC é")
  T.eq(text("&unknown; &#x110000; &#xZZ; &; & x; &amp"), "&unknown; &#x110000; &#xZZ; &; & x; &amp")
end)

-- The same rules as first written in Lua in the summary plugin: LPeg passes, each on the result
-- of the one before. The C version must agree on any input.
local lpeg = require("lpeg")
local P, R, S, C, Cs, Cc = lpeg.P, lpeg.R, lpeg.S, lpeg.C, lpeg.Cs, lpeg.Cc
local entities = { amp = "&", lt = "<", gt = ">", quot = '"', apos = "'", nbsp = " ",
  hellip = "…", mdash = "—", ndash = "–", lsquo = "‘", rsquo = "’", ldquo = "“", rdquo = "”",
  laquo = "«", raquo = "»", copy = "©", eacute = "é", egrave = "è", agrave = "à", ccedil = "ç" }
local blocks = {}
for tag in ("p br li ul ol dt dd div pre blockquote table tr td th hr h1 h2 h3 h4 h5 h6 "
            .. "section article figure figcaption"):gmatch("%S+") do blocks[tag] = true end
local function pass(first, pat, repl) return Cs(((1 - P(first)) ^ 1 + pat / repl + 1) ^ 0) end
local alnum = R("az", "AZ", "09")
local function till(s) return (1 - P(s)) ^ 0 * s end
local function tag_text(tag) return blocks[tag:lower()] and " " or "" end
local function entity(hash, x, name)
  local v
  if hash == "" then v = entities[name]
  else
    local code = tonumber(name, x ~= "" and 16 or 10)
    v = code and code >= 0 and code < 0x110000 and utf8.char(code)
  end
  if v then return v end
end
local passes = {
  { "<script", pass("<", "<script" * till("</script>"), " ") },
  { "<style", pass("<", "<style" * till("</style>"), " ") },
  { '<a class="anchor"', pass("<", '<a class="anchor"' * till(">") * till("<") * "/a>", "") },
  { "<", pass("<", "<" * P("/") ^ -1 * C(alnum ^ 1) * till(">"), tag_text) },
  { "<!--", pass("<", "<!--" * till("-->"), "") },
  { "&", pass("&", "&" * C(P("#") ^ -1) * (C(S("xX")) * C(alnum ^ 1) * ";" + Cc("") * C(alnum ^ 1) * ";"), entity) },
}
local function reference(html)
  for _, p in ipairs(passes) do
    if html:find(p[1], 1, true) then html = p[2]:match(html) end
  end
  return html
end

T.test("html_text agrees with the pass-by-pass reference on random HTML", function()
  local pieces = { "<p>", "</p>", "<em>", "</em>", "<br>", "<Li class=x>", "<", ">", "/", "a", " ",
                   "\n", "<script>", "</script>", "<style>", "</style>", "<!--", "-->", "&", ";", "#",
                   "x", "X", "amp", "lt", "65", "1F600", "110000", "hellip", '<a class="anchor"',
                   "</a>", "/a>", "é", "&amp;", "&#", "&#x", "zz", "<h2 id=\"t\">", "</h2>" }
  for html in T.random_texts(pieces, 20, 4000, 4242) do
    local want, got, words = reference(html), text(html)
    if want ~= got then error(string.format("html_text(%q): %q, reference %q", html, got, want)) end
    local _, runs = want:gsub("%S+", "")
    if words ~= runs then error(string.format("html_text(%q): %d words, not %d", html, words, runs)) end
  end
end)

T.test("the remembered last result is only reused for the same HTML", function()
  local a = "<p>" .. ("alpha "):rep(100) .. "</p>"
  local b = "<p>" .. ("gamma "):rep(100) .. "</p>" -- same length, other text
  local ta, wa = folio.html_text(a)
  T.eq(wa, 100)
  local tb = folio.html_text(b)
  T.ok(tb:find("gamma", 1, true) and not tb:find("alpha", 1, true), "b's own text")
  T.eq(folio.html_text(a), ta)
  T.eq(select(2, folio.html_text(a)), 100, "and its word count")
  T.eq(folio.html_text(a .. "<p>more</p>"):match("more"), "more")
end)

T.test("the word count agrees with counting %S+ runs, whatever bytes the words hold", function()
  -- eight bytes are counted at a time: runs across word boundaries, every white space byte,
  -- bytes from 0x80 up (never white space) and control characters that are not white space
  local pieces = { " ", "\t", "\n", "\v", "\f", "\r", "a", "word", ("x"):rep(9), "é", "\255", "\0", "\8",
                   "\14", "\31", "\160", "  ", "\r\n" }
  for s in T.random_texts(pieces, 40, 4000, 5) do
    local want = select(2, s:gsub("%S+", ""))
    local got = select(2, folio.html_text(s .. " "))
    if want ~= got then error(string.format("words of %q: %d, want %d", s, got, want)) end
  end
end)

T.done()

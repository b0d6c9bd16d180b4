-- test_typography_run.lua: folio.typography_run and folio.typography_html (C, src/lua/lx_text.c)
-- against their Lua paths in scripts/kramdown_tree.lua (the fallback safe mode runs, and the
-- reference): the same string (or nil) for random runs and what follows them, and the same
-- page for random pages with code, pre and comments, in C, in Lua, and with the Lua page loop
-- over the C runs. TYPO_FUZZ=N runs N random cases of each kind instead of 4000.
local T = dofile("testlib.lua")
if not folio.typography_run or not folio.typography_html then T.skip("folio.typography_* missing") end

-- kramdown_tree.lua loaded with a folio lacking the C helpers (as safe mode's has none).
local function load_tree(hide)
  local fake = setmetatable({}, { __index = function(_, k) if not hide[k] then return folio[k] end end })
  local env = setmetatable({ folio = fake }, { __index = _G })
  return assert(folio.embedded.load("scripts/kramdown_tree.lua", env))()
end
local c_tree = assert(folio.embedded.load("scripts/kramdown_tree.lua", _G))()
local lua_tree = load_tree { typography_html = true, typography_run = true, text_runs = true }
local mixed_tree = load_tree { typography_html = true } -- the Lua page loop, the C runs
local lua_run, c_run = c_tree.typography_run_lua, folio.typography_run
local count = tonumber(os.getenv("TYPO_FUZZ") or "") or 4000

T.test("folio.typography_run: known answers", function()
  local function ty(s, after) -- (the Lua path must give the same)
    local got = c_run(s, 1, #s, after or "")
    T.eq(lua_run(s, 1, #s, after or ""), got, "the Lua path on " .. s)
    return got
  end
  T.eq(ty("it's \"x\" -- y --- z..."), "it’s “x” – y — z…")
  T.eq(ty("plain"), nil)
  T.eq(ty("'80s and 'tis"), "’80s and ‘tis")
  T.eq(ty("&quot;a&quot; &lt;&lt; b &gt;&gt;"), "“a” «\u{A0}b\u{A0}»")
  T.eq(ty("&lt;b&gt; it's"), "&lt;b&gt; it’s", "entities decoded, then made again")
  T.eq(ty('"', "*em*"), "“", "a quote before *em* opens")
  T.eq(ty('x "'), "x “", "a space and a quote: opens, even at the end")
  T.eq(ty('x"'), "x”", "a letter and a quote: closes")
  T.eq(ty("a-'b"), "a-‘b")
  T.eq(ty("--", "-"), "–", "only what is inside the run makes a dash")
  T.eq(c_run("<p>it's</p>", 4, 7, ""), "it’s")
  T.eq(c_run("<p></p>", 4, 3, ""), nil, "an empty run")
  T.eq(pcall(c_run, "abc", 0, 2, ""), false)
  T.eq(pcall(c_run, "abc", 1, 4, ""), false)
end)

-- Random text from pieces typography reads: quotes, dashes, dots, guillemets, entities, spaces,
-- word and UTF-8 characters, emphasis markers.
local PIECES = { "'", '"', "''", "``", "-", "--", "---", ".", "..", "...", "<", ">", "<<", ">>", " ",
  "\t", "\n", "a", "s", "word", "9", "80", "_", "*", "(", "[", "{", "\\", "!", ",", "&", "&quot;",
  "&lt;", "&gt;", "&amp;", "&quot", "é", "\u{A0}", "\0" }

T.test("folio.typography_run and the Lua path agree on random runs", function()
  local afters = T.random_texts(PIECES, 4, count, 7)
  local bad = 0
  for text in T.random_texts(PIECES, 12, count, 11) do
    local after = afters() or ""
    local html = "<p>" .. text .. "</p>"
    local a, b = 4, 3 + #text
    local want, got = lua_run(html, a, b, after), c_run(html, a, b, after)
    if got ~= want then
      bad = bad + 1
      if bad <= 5 then T.eq(got, want, ("run %q after %q"):format(text, after)) end
    end
  end
  T.eq(bad, 0, "runs that differ")
end)

local TAGS = { "<p>", "</p>", "<em>", "</em>", "<a href=\"x\">", "</a>", "<code>", "</code>", "<pre>",
  "</pre>", "<!-- ", " -->", "<!--", "-->", "<br>", "<strong>", "</strong>", "<span>", "</span>", "<b>", "</b>",
  "<I>", "</Em>", "<img src=x>", "</del>", "<del>", "<codex>", "</code >", "<pre\n>", "<script>", "</script>",
  "<style>", "</style>", "<textarea>", "</textarea>", "<div>", "</div>", "<sup>", "</sup>", "<", ">", "</", "<a",
  "<!--->", "</i>", "<i>", "</b>", "</kbd>", "</q>", "</mark>", "</u>", "<code class=x>", "<br/>" }

T.test("typography_html with and without the C helpers agree on random pages", function()
  T.ok(c_tree.typography_html == folio.typography_html and lua_tree.typography_html == lua_tree.typography_html_lua,
       "the C path and the Lua path are the ones compared")
  local pieces = {}
  for _, p in ipairs(PIECES) do pieces[#pieces + 1] = p end
  for _, p in ipairs(TAGS) do pieces[#pieces + 1] = p end
  local bad = 0
  for html in T.random_texts(pieces, 30, count, 3) do
    local want = lua_tree.typography_html(html)
    local got, mixed = c_tree.typography_html(html), mixed_tree.typography_html(html)
    if got ~= want or mixed ~= want then
      bad = bad + 1
      if bad <= 5 then T.eq(got, want, ("page %q"):format(html)); T.eq(mixed, want, ("page %q (Lua loop)"):format(html)) end
    end
  end
  T.eq(bad, 0, "pages that differ")
end)

T.test("folio.typography_html: raw regions, what follows a run, 80 bytes past a segment", function()
  local ty = folio.typography_html
  local z = string.rep("z", 100)
  for _, html in ipairs {
    '<p>it\'s "x" -- <code>it\'s</code> y\'s <pre>"a"</pre>...</p>',
    '<!-- a<b>c -->it\'s >> x<p>"a"</p>', '<!-->"a"--> "b"', '<code >"a"</code >"b"', '<codex>"a"</codex>',
    '<p>"x <em title="<code ' .. z .. '">y\'s</em> "a"</p>', '<p>a "<em>b</em>" c</p>', "<p>'<a href=x>b</a></p>",
    '"<EM>x</EM>"', "'<strong>&quot;a&quot;</strong>", "x'</span>", "'</div>", "<textarea>'</textarea>'", "a>'",
    "'<code>" .. z .. "</code><em>" .. z .. "</em>", "", "plain", "<script>'</script", "'<!-- '",
    "<!--->'a' -->'b'", "<!-- -->'b'", "'<i>x</i>", "'<b>x</b>", "'<img src=x>", "'<br>", "'<del>x</del>",
    "x '</i>", "x '</b>", "x '</del>", "'<em>_x_</em>", "'<em> x</em>", "'<a href=x>&quot;x</a>",
  } do
    T.eq(ty(html), lua_tree.typography_html(html), html)
  end
  -- an <em> whose tag holds a `<code ` (which ends the segment): its text is read up to 80
  -- bytes past that `<`; here "a" is the 81st (kept: the quote opens) or the 82nd (cut: closes)
  local cut = function(k) return '"<em title="<code ' .. ("z"):rep(k) .. '">a</em>' end
  T.eq(ty(cut(72)), "“" .. cut(72):sub(2))
  T.eq(ty(cut(73)), "”" .. cut(73):sub(2))
  for k = 60, 90 do T.eq(ty(cut(k)), lua_tree.typography_html(cut(k)), "em text cut, " .. k) end
  local page = ("<p>it's <code>x</code></p>"):rep(50)
  T.eq(select(2, ty(page):gsub("’", "")), 50)
  T.ok(rawequal(ty("plain"), "plain"))
end)

T.done()

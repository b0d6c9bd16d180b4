-- test_emoji.lua: the emoji plugin (scripts/emoji.lua) and its generated table
-- (tools/gen_emoji.lua -> scripts/emoji_data.lua).
local T = dofile("testlib.lua")

-- The shortcode table built into folio.
local data_src = folio.embedded.read("scripts/emoji_data.lua")
local emoji = data_src and load(data_src, "@scripts/emoji_data.lua", "t", {})()

T.test("generated table is large and right", function()
  T.ok(emoji, "scripts/emoji_data.lua is embedded")
  local n = 0
  for name, value in pairs(emoji) do
    n = n + 1
    T.ok(type(name) == "string" and type(value) == "string" and utf8.len(value), name)
  end
  T.ok(n > 1500, "more than 1500 entries, got " .. n)
  T.eq(emoji.sparkles, "\u{2728}")
  T.eq(emoji["+1"], "\u{1F44D}")
  T.eq(emoji["-1"], "\u{1F44E}")
  T.eq(emoji.heart, "\u{2764}\u{FE0F}")
  T.eq(emoji.tada, "\u{1F389}")
  T.eq(emoji.rocket, "\u{1F680}")
  T.eq(emoji.smile, "\u{1F604}")
  T.eq(emoji.scotland, "\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}")
end)

T.test("aliases from the second source, when the build merges it", function()
  -- tools/gen_emoji.lua takes node-emoji's list as an optional third argument.
  if emoji.thumbsup == nil then print("note: built without the alias list (no :thumbsup:)") return end
  T.eq(emoji.thumbsup, emoji["+1"])
  T.eq(emoji.satisfied, emoji.laughing)
  T.eq(emoji["flag-us"], nil, "Slack-style names are not merged")
end)

T.test("generator fails loudly on a source it cannot read", function()
  local src = os.getenv("SRC")
  if not src or not os.execute("command -v lua5.4 >/dev/null 2>&1") then
    print("note: SRC or lua5.4 missing, generator failure case not run")
    return
  end
  local tmp = os.tmpname()
  local f = assert(io.open(tmp, "w"))
  f:write('NewEmoji("thumbs up", []int32{128077}, "+1"),\n')
  f:close()
  local ok, how, code = os.execute(string.format("lua5.4 %q %q %q 2>/dev/null",
    src .. "/tools/gen_emoji.lua", tmp, tmp .. ".out"))
  os.remove(tmp)
  os.remove(tmp .. ".out")
  T.ok(not ok and how == "exit" and code ~= 0, "non-zero exit with one entry")
end)

-- Loads the plugin with a fake folio.hook that captures what it registers.
local function load_plugin(opts)
  local chunk = assert(load(assert(folio.embedded.read("scripts/emoji.lua")), "@scripts/emoji.lua"))
  local saved, hooks = folio.hook, {}
  folio.hook = function(stage, fn) hooks[#hooks + 1] = { stage = stage, fn = fn } end
  local ok, err = pcall(chunk, opts or {})
  folio.hook = saved
  assert(ok, err)
  T.eq(#hooks, 1, "one hook")
  T.eq(hooks[1].stage, "ast")
  return hooks[1].fn
end

T.test("plugin registers one ast hook", function() load_plugin() end)

local md = folio.markdown
if not (md and md.parse and md.render) then
  if T.failed > 0 then T.done() end
  print(T.passed .. " passed before the render tests")
  T.skip("folio.markdown.parse/render not built yet: render tests not run")
end

local hook = load_plugin()
local function html(source, opts_hook)
  local doc = md.parse(source)
  ;(opts_hook or hook)(doc, { source = source, path = "content/test.md" })
  return md.render(doc)
end

T.test("shortcodes in text", function()
  local out = html("Hello :sparkles: world :+1: and :heart:\n")
  T.has(out, "Hello \u{2728} world \u{1F44D} and \u{2764}\u{FE0F}")
  T.lacks(out, ":sparkles:")
end)

T.test("adjacent shortcodes", function()
  local out = html(":sparkles::sparkles::sparkles:\n")
  T.has(out, "<p>\u{2728}\u{2728}\u{2728}</p>")
end)

T.test("shortcodes next to words, in emphasis, headings, link text", function()
  local out = html("# Done:tada:\n\n*wow:rocket:* [go :rocket:](https://example.com/)\n")
  T.has(out, "Done\u{1F389}")
  T.has(out, "wow\u{1F680}")
  T.has(out, ">go \u{1F680}</a>")
end)

T.test("a shortcode split over adjacent text nodes", function()
  local doc = md.parse("a :spark\n")
  local para = doc.first_child
  para:append(folio.ast.new("text", { literal = "les: b" }))
  para:append(folio.ast.new("text", { literal = " :ta" }))
  para:append(folio.ast.new("text", { literal = "da:" }))
  hook(doc, { source = "a :sparkles: b :tada:" })
  T.eq(md.render(doc), "<p>a \u{2728} b \u{1F389}</p>\n")
end)

T.test("unknown shortcodes stay, and their closing colon may open the next", function()
  local out = html("a :no_such_emoji: b :nope:tada: c 10:30:45\n")
  T.has(out, "a :no_such_emoji: b :nope\u{1F389} c 10:30:45")
end)

T.test("code spans and code blocks untouched", function()
  local out = html("Say `:sparkles:` here :sparkles:\n\n```\n:sparkles:\n```\n\n    :tada:\n")
  T.has(out, "<code>:sparkles:</code> here \u{2728}")
  T.has(out, "<code>:sparkles:\n</code>")
  T.has(out, "<code>:tada:\n</code>")
end)

T.test("link URLs and autolinks untouched", function()
  local out = html("[x](https://example.com/:tada:/) and https://example.com/:tada:/ ok\n")
  T.has(out, 'href="https://example.com/:tada:/"')
  T.has(out, ">https://example.com/:tada:/</a>")
  T.lacks(out, "\u{1F389}")
end)

T.test("raw HTML untouched", function()
  local out = html('<span title=":tada:">x</span> :tada:\n')
  T.has(out, '":tada:"')
  T.has(out, "\u{1F389}")
end)

T.test("no shortcode in the source: tree left alone", function()
  local doc = md.parse("plain text\n")
  hook(doc, { source = "plain text\n" })
  T.eq(md.render(doc), "<p>plain text</p>\n")
end)

T.test("extra option", function()
  local h = load_plugin({ extra = { party = "P!" } })
  T.has(html("a :party: :tada:\n", h), "a P! \u{1F389}")
end)

T.done()

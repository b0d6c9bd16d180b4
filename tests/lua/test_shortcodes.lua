-- test_shortcodes.lua: the shortcode parser of folio.shortcodes (src/lua/folio/shortcodes.lua):
-- where code is, tag arguments, pairing, and expansion with placeholders.
local T = dofile("testlib.lua")
local sc = require "folio.shortcodes"

local function fail(line, message) error({ line = line, message = message }, 0) end
local function tags(text) return sc.scan(text, fail) end
local function err_of(fn)
  local ok, e = pcall(fn)
  T.eq(ok, false, "raises")
  return e
end

T.test("arguments: positional, named, quoted, escaped, raw", function()
  local t = tags([[{{< x a "b c" k="v \"q\" \\" k2=bare `r "aw"` >}}]])
  T.eq(#t, 1)
  T.eq(t[1].name, "x")
  T.eq(t[1].args, { "a", "b c", 'r "aw"', k = 'v "q" \\', k2 = "bare" })
end)

T.test("tags: lone, closing, self-closing, literal, no spaces, over lines", function()
  local t = tags("{{<x>}} {{< /x >}} {{< y />}} {{</* z a */>}} {{% w\n  k=1 %}}")
  T.eq(t[1].kind, "open"); T.eq(t[2].kind, "close"); T.eq(t[3].self_closing, true)
  T.eq(t[4].kind, "literal"); T.eq(t[4].text, "{{< z a >}}")
  T.eq(t[5].delim, "%"); T.eq(t[5].args.k, "1")
end)

T.test("code: spans, fences, indented blocks, block quotes; not list continuations", function()
  local md = table.concat({
    "a `{{< no >}}` b ``{{< no >}}`` c {{< yes1 >}}",
    "",
    "```",
    "{{< no >}}",
    "```",
    "",
    "~~~~",
    "{{< no >}}",
    "```",
    "~~~~",
    "",
    "    {{< no >}}",
    "",
    "- item",
    "",
    "    {{< yes2 >}}",
    "",
    "> ```",
    "> {{< no >}}",
    "> ```",
    "",
    "\\`{{< yes3 >}}\\`",
  }, "\n")
  local names = {}
  for _, t in ipairs(tags(md)) do names[#names + 1] = t.name end
  T.eq(names, { "yes1", "yes2", "yes3" })
end)

T.test("an unclosed fence runs to the end", function()
  T.eq(#tags("```\n{{< no >}}\n"), 0)
end)

T.test("errors name the line", function()
  T.eq(err_of(function() tags("a\n\n{{< x \"open >}}") end).line, 3)
  T.eq(err_of(function() tags("a\n{{< x\n\nb") end).line, 2)
  local t = tags("x\n{{< /a >}}")
  T.eq(err_of(function() sc.tree(t, fail, function() return "optional" end) end).line, 2)
  t = tags("{{% a %}}\n{{% b %}}\n{{% /a %}}\n{{% /b %}}")
  T.eq(err_of(function() sc.tree(t, fail, function() return "optional" end) end).line, 3)
  t = tags("\n\n{{% a %}} never closed")
  T.eq(err_of(function() sc.tree(t, fail, function() return "required" end) end).line, 3)
end)

T.test("expand: nesting, same name inside itself, placeholders, unknown left as written", function()
  local seen = {}
  local text, resolve = sc.expand("{{% n %}}\nA {{% n %}}B{{% /n %}}\n{{% /n %}}\n\nx {{< u >}} {{< k 1 >}} y", {
    fail = fail,
    needs_inner = function(name) return name ~= "u" and "optional" or nil end,
    markdown = function(md) return "<p>" .. md:gsub("^%s+", ""):gsub("%s+$", "") .. "</p>\n" end,
    render = function(name, args, inner)
      seen[#seen + 1] = name
      if name == "u" then return nil end
      if name == "k" then return "<kbd>" .. args[1] .. "</kbd>" end
      return "<div>" .. (inner or "") .. "</div>"
    end,
  })
  T.eq(seen, { "n", "n", "u", "k" })
  local html = resolve("<p>" .. text:gsub("\n\n", "</p>\n<p>") .. "</p>\n")
  T.eq(html:find("<div><p>A <div><p>B</p>\n</div></p>\n</div>", 1, true) ~= nil, true, "nested: " .. html)
  T.eq(html:find("x {{< u >}} <kbd>1</kbd> y", 1, true) ~= nil, true, "unknown kept, inline: " .. html)
end)

T.test("no tag: the text is returned as it is", function()
  local text, resolve = sc.expand("{{ liquid }} {% tag %}", { fail = fail })
  T.eq(text, "{{ liquid }} {% tag %}")
  T.eq(resolve, nil)
end)

T.done()

-- highlight.lua: syntax highlighting of fenced code blocks, with one small LPeg grammar per
-- language. Built in: python (py), c (h), lua, shell (sh, bash, zsh, console), javascript (js,
-- mjs, cjs, jsx), json, yaml (yml), html (xml, svg), css. A block in another language, or with
-- none, is left to the default rendering.
--
-- Output: <pre class="highlight"><code class="language-python"> with tokens in
--   <span class="k"> keyword   s string   c comment   n number   f function   o operator
--   p punctuation   t type / tag   a attribute / key / decorator   b builtin / constant
--   v variable / entity
-- (themes/default/static/css/highlight.css colours them; registry.ROUGE_CLASSES names them
-- as Rouge does, for Jekyll sites). No options.
--
-- Adding a language: put a file in the site's scripts/ (loaded after the named plugins) that
-- calls
--   folio.highlight.add_language("go", function(h) return <LPeg pattern> end, { "golang" })
-- The function receives the helpers `h` below (h.lpeg is LPeg) and returns a pattern that
-- matches one or more tokens at the current position, each made with h.token(class, pattern);
-- whatever it does not match is copied as plain text, an identifier or a character at a time.
local lpeg = require("lpeg")
local P, R, S, C, Cc, Cs, Cmt, Cg, Cb = lpeg.P, lpeg.R, lpeg.S, lpeg.C, lpeg.Cc, lpeg.Cs, lpeg.Cmt, lpeg.Cg, lpeg.Cb
local escape = folio.escape

-- Helpers for grammars ------------------------------------------------------------------------
local h = { lpeg = lpeg }
h.alpha = R("az", "AZ") + "_"
h.digit = R("09")
h.alnum = h.alpha + h.digit
h.ident = h.alpha * h.alnum ^ 0
h.space = S(" \t\r\n") ^ 1
h.blank = S(" \t") ^ 0
h.rest_of_line = (1 - P("\n")) ^ 0
h.number = (P("0") * S("xX") * R("09", "af", "AF", "__") ^ 1
  + (h.digit * R("09", "__") ^ 0 * (P(".") * h.digit ^ 0) ^ -1 + P(".") * h.digit ^ 1)
    * (S("eE") * S("+-") ^ -1 * h.digit ^ 1) ^ -1) * h.alnum ^ 0

-- A token: the text `pattern` matched, with its class (nil or false: plain text). It captures
-- its HTML, escaped and in its <span>; a language's pattern is matched inside a substitution
-- capture, so the HTML takes the place of the text.
-- (The span's tags are constant captures and the text goes through folio.escape, a C function:
-- no Lua function runs per token.)
-- With `plain` (the pattern never matches one of & < > " '), the text is kept as it is: no
-- capture and no escape call (most tokens: keywords, names, numbers, punctuation).
local class_names -- while a grammar is compiled for other class names: class -> name (see registry.highlight)
function h.token(class, pattern, plain)
  local text = plain and pattern or (C(pattern) / escape)
  if not class then return text end
  local name = class_names and class_names[class] or class
  return Cc('<span class="' .. name .. '">') * text * Cc("</span>")
end

-- a + b + c ... for a list of patterns, combined in halves: LPeg copies both sides of each
-- `+`, so adding them one by one would copy the growing choice every time.
local function any_of(list, i, j)
  i, j = i or 1, j or #list
  if i > j then return P(false) end
  if i == j then return list[i] end
  local mid = (i + j) // 2
  return any_of(list, i, mid) + any_of(list, mid + 1, j)
end

-- Any of the words of `list` (a whole identifier, so `format` is not `for` + `mat`). Matched
-- by LPeg alone, grouped by first letter: `i` * ("f" + "n" + "nt"...), each followed by no
-- identifier character. Only identifiers can match, as before (`~` in a list never does).
function h.words(list, word)
  if word then
    local set = {}
    for w in list:gmatch("%S+") do set[w] = true end
    return Cmt(word, function(_, i, w) return set[w] and i end)
  end
  local by_first, firsts = {}, {}
  for w in list:gmatch("%S+") do
    if w:find("^[%a_][%w_]*$") then
      local c = w:sub(1, 1)
      if not by_first[c] then by_first[c] = {}; firsts[#firsts + 1] = c end
      table.insert(by_first[c], w:sub(2))
    end
  end
  local choices = {}
  for i, c in ipairs(firsts) do
    local rests = {}
    for j, rest in ipairs(by_first[c]) do rests[j] = P(rest) * -h.alnum end
    choices[i] = P(c) * any_of(rests)
  end
  return any_of(choices)
end

-- open ... close, with `escape` skipping the next character; single_line stops at a newline.
function h.delimited(open, close, escape, single_line)
  local stop = P(close) + (single_line and P("\n") or P(false))
  local body = (escape and P(escape) * 1 or P(false)) + (1 - stop)
  return P(open) * body ^ 0 * (P(close) + #P("\n") + -1)
end

-- A name followed by `(`: a function call or definition.
function h.call(word) return h.token("f", (word or h.ident) * #(h.blank * "(")) end

-- Registry --------------------------------------------------------------------------------------
local registry = folio.highlight or { languages = {}, aliases = {}, grammars = {} }
folio.highlight = registry

-- Plain text between tokens: identifiers and spaces are kept as they are (they hold nothing to
-- escape), the five HTML characters escaped, any other character kept.
local ENTITIES = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;" }
local fallback = h.ident + h.space + S("&<>\"'") / ENTITIES + 1

local function compile(grammar, classes)
  class_names = classes
  local ok, pattern = pcall(grammar, h)
  class_names = nil
  if not ok then error(pattern, 0) end
  return Cs((pattern + fallback) ^ 0)
end

-- A language's pattern is built on its first use (registry.languages fills itself): every
-- Lua state of a build loads this plugin, most highlight one or two languages.
setmetatable(registry.languages, { __index = function(languages, name)
  local grammar = registry.grammars[name]
  if not grammar then return nil end
  local pattern = compile(grammar, nil)
  rawset(languages, name, pattern)
  return pattern
end })

function registry.add_language(name, grammar, aliases)
  registry.grammars[name] = grammar
  rawset(registry.languages, name, nil)
  registry.aliases[name] = name
  for _, a in ipairs(aliases or {}) do registry.aliases[a] = name end
end

-- The highlighted HTML of `code` in language `lang` (a name or alias), or nil. With `classes`
-- (class -> name, as ROUGE_CLASSES below), the spans carry those names: the language is
-- compiled once more for that table, on first use.
local compiled_for = setmetatable({}, { __mode = "k" }) -- classes -> { language -> pattern }
function registry.highlight(code, lang, classes)
  local name = registry.aliases[(lang or ""):lower()]
  if not name then return nil end
  local pattern = registry.languages[name]
  if classes then
    local set = compiled_for[classes]
    if not set then set = {}; compiled_for[classes] = set end
    pattern = set[name]
    if not pattern then pattern = compile(registry.grammars[name], classes); set[name] = pattern end
  end
  return pattern:match(code), name
end

-- The classes as Rouge (Jekyll's highlighter) names them, for the style sheets of Jekyll sites
-- (`.highlight .kt`, `.nf`, `.m`...): registry.highlight(code, lang, registry.ROUGE_CLASSES).
registry.ROUGE_CLASSES = { k = "k", s = "s", c = "c", n = "m", f = "nf", o = "o", p = "p", t = "kt",
                           a = "na", b = "nb", v = "nv" }

folio.hook("render_codeblock", function(block)
  local html, name = registry.highlight(block.code, block.lang)
  if not html then return nil end
  return '<pre class="highlight"><code class="language-' .. name .. '">' .. html .. "</code></pre>\n"
end)

-- Languages -------------------------------------------------------------------------------------
local t, words, delimited = h.token, h.words, h.delimited
-- A token whose text holds none of & < > " ' (see h.token), and a call of such a name.
local function tp(class, pattern) return t(class, pattern, true) end
local function plain_call(word) return tp("f", (word or h.ident) * #(h.blank * "(")) end
local ops = t("o", S("+-*/%=<>!&|^~?:") ^ 1)
local c_comment = t("c", P("//") * h.rest_of_line + delimited("/*", "*/"))

registry.add_language("python", function()
  local prefix = S("rRbBuUfF") ^ -2
  return t("c", "#" * h.rest_of_line)
    + t("s", prefix * (delimited('"""', '"""', "\\") + delimited("'''", "'''", "\\")
      + delimited('"', '"', "\\", true) + delimited("'", "'", "\\", true)))
    + tp("a", "@" * h.ident * ("." * h.ident) ^ 0)
    + tp("k", words([[False None True and as assert async await break case class continue def del
      elif else except finally for from global if import in is lambda match nonlocal not or pass
      raise return try while with yield]]))
    + tp("b", words([[print len range int str float list dict set tuple bool bytes open enumerate
      zip map filter sorted reversed sum min max abs isinstance type super object self
      Exception ValueError TypeError KeyError]]))
    + plain_call() + tp("n", h.number) + ops + tp("p", S("()[]{},;."))
end, { "py", "python3" })

registry.add_language("c", function()
  return c_comment
    + tp("k", "#" * h.blank * h.ident) * (tp(nil, h.blank) * t("s", "<" * (1 - S(">\n")) ^ 0 * ">")) ^ -1
    + t("s", delimited('"', '"', "\\", true) + delimited("'", "'", "\\", true))
    + tp("k", words([[auto break case const continue default do else enum extern for goto if inline
      register restrict return sizeof static struct switch typedef union volatile while
      _Alignas _Alignof _Atomic _Generic _Noreturn _Static_assert _Thread_local]]))
    + tp("t", words("void char short int long float double signed unsigned bool _Bool FILE")
      + #h.alpha * (h.alnum - P("_t") * -h.alnum) ^ 0 * "_t" * -h.alnum) -- an identifier ending in _t
    + tp("b", words("NULL true false stdin stdout stderr errno"))
    + plain_call() + tp("n", h.number) + ops + tp("p", S("()[]{},;."))
end, { "h" })

registry.add_language("lua", function()
  local eq_open = "[" * Cg(P("=") ^ 0, "eq") * "["
  local eq_close = Cmt("]" * C(P("=") ^ 0) * "]" * Cb("eq"), function(_, _, a, b) return a == b end)
  local long = eq_open * (1 - eq_close) ^ 0 * (eq_close + -1)
  return t("c", "--" * (long + h.rest_of_line))
    + t("s", long + delimited('"', '"', "\\", true) + delimited("'", "'", "\\", true))
    + tp("k", words([[and break do else elseif end false for function goto if in local nil not or
      repeat return then true until while]]))
    + tp("b", words([[assert collectgarbage error getmetatable ipairs load next pairs pcall print
      rawequal rawget rawlen rawset require select setmetatable tonumber tostring type xpcall
      coroutine debug io math os package string table utf8 self _G _ENV]]))
    + plain_call() + tp("n", h.number) + t("o", P("..") + S("+-*/%^#=<>~&|") ^ 1) + tp("p", S("()[]{},;.:"))
end)

registry.add_language("shell", function()
  local word = (h.alnum + S("-.")) ^ 1
  return t("c", "#" * h.rest_of_line)
    + t("s", delimited('"', '"', "\\") + delimited("'", "'"))
    + t("v", "$" * (P("{") * (1 - S("}\n")) ^ 0 * "}" + h.ident + S("@*#?$!-0123456789")))
    + tp("k", words([[if then else elif fi for while until do done case esac function in select
      time return local export declare readonly break continue]], word))
    + tp("b", words([[echo printf cd pwd read set unset shift source exec exit test eval trap
      alias type command true false]], word))
    + tp("n", h.digit ^ 1 * #(1 - h.alnum) + h.digit ^ 1 * -1)
    + t("o", P("&&") + "||" + ">>" + S("|&;<>="))
    + tp("p", S("()[]{}"))
end, { "sh", "bash", "zsh", "console", "shell-session" })

registry.add_language("javascript", function()
  return c_comment
    + t("s", delimited('"', '"', "\\", true) + delimited("'", "'", "\\", true) + delimited("`", "`", "\\"))
    + tp("k", words([[async await break case catch class const continue debugger default delete do
      else export extends finally for from function if import in instanceof let new of return
      static super switch this throw try typeof var void while with yield]]))
    + tp("b", words([[true false null undefined NaN Infinity console Math JSON Object Array String
      Number Boolean Promise Date RegExp Map Set Symbol Error window document globalThis]]))
    + plain_call((h.alpha + "$") * (h.alnum + "$") ^ 0) + tp("n", h.number) + ops + tp("p", S("()[]{},;."))
end, { "js", "mjs", "cjs", "jsx", "node" })

registry.add_language("json", function()
  local str = delimited('"', '"', "\\", true)
  return t("a", str * #(h.blank * ":")) + t("s", str)
    + tp("k", words("true false null")) + tp("n", P("-") ^ -1 * h.number)
    + tp("p", S("{}[],:"))
end, { "jsonc", "json5" })

registry.add_language("yaml", function()
  local plain_char = h.alnum + S("_-./$")
  local ends = #(S(" \t\r\n,]}") + -1)
  local comment = Cmt(P("#"), function(s, i) return (i == 2 or s:sub(i - 2, i - 2):match("%s")) and i end)
  return t("c", comment * h.rest_of_line)
    + t("p", (P("---") + "...") * ends)
    + t("a", (plain_char - "-") * plain_char ^ 0 * (P(" ") * plain_char ^ 1) ^ 0
      * #(h.blank * ":" * (S(" \t\r\n") + -1)))
    + t("s", delimited('"', '"', "\\", true) + delimited("'", "'", nil, true))
    + t("k", words("true false yes no on off null True False Yes No Null TRUE FALSE NULL ~") * ends)
    + t("n", S("-+") ^ -1 * h.number * ends)
    + t("v", S("&*") * plain_char ^ 1)
    + t("t", "!" * P("!") ^ -1 * plain_char ^ 1)
    + t("p", S("-?:,[]{}|>"))
end, { "yml" })

registry.add_language("html", function()
  local name = (h.alnum + S("-:.")) ^ 1
  local value = delimited('"', '"') + delimited("'", "'") + (1 - S(" \t\r\n>")) ^ 1
  local attribute = t("a", name) * (t(nil, h.blank) * t("o", "=") * t(nil, h.blank) * t("s", value)) ^ -1
  return t("c", delimited("<!--", "-->"))
    + t("k", "<!" * (1 - P(">")) ^ 0 * ">")
    + t("p", "<" * P("/") ^ -1) * t("t", name) * (t(nil, h.space) + attribute) ^ 0 * t("p", P("/") ^ -1 * ">")
    + t("v", "&" * (h.alnum ^ 1 + "#" * h.alnum ^ 1) * ";")
end, { "xml", "svg", "xhtml" })

registry.add_language("css", function()
  local ident = (h.alnum + "-") ^ 1
  local comment = t("c", delimited("/*", "*/"))
  local str = t("s", delimited('"', '"', "\\", true) + delimited("'", "'", "\\", true))
  local number = t("n", "#" * R("09", "af", "AF") ^ 1
    + P("-") ^ -1 * (h.digit ^ 1 * (P(".") * h.digit ^ 1) ^ -1 + "." * h.digit ^ 1) * (R("az") ^ 1 + "%") ^ -1)
  local value = comment + str + number + t("k", "!important") + t("f", ident * #P("("))
    + t(nil, ident + h.space) + t("p", S("(),/")) + t("o", S("+*"))
  -- `name:` is a property only if no `{` comes before the next `;` or `}` (`a:hover {` is not)
  local property = ident * #(h.blank * ":" * (1 - S("{};")) ^ 0 * S(";}"))
  local declaration = t("a", property) * t(nil, h.blank) * t("p", ":") * value ^ 0 * t("p", ";") ^ -1
  local selector = t("t", S(".#") * ident) + t("a", ":" * P(":") ^ -1 * ident) + number
    + t("t", ident) + t("p", S(",>+~*[]=()"))
  local block = P({ t("p", "{") * (comment + t(nil, h.space) + declaration + lpeg.V(1)
    + selector + t("p", ";")) ^ 0 * t("p", "}") })
  return comment + str + t("k", "@" * ident) + block + selector
end, { "scss" })

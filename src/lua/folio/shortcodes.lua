-- folio.shortcodes: Hugo's shortcodes in Markdown source (docs/plugins/shortcodes.md): the
-- parser (tags outside code, their arguments, pairing and nesting), the registry of Lua
-- shortcodes (folio.shortcode) and the expansion of one page's body. The shortcodes plugin
-- (scripts/shortcodes.lua) hooks this into the pipeline and ships the standard shortcodes.
--
--   {{< name arg "quoted arg" key="value" key2=bare >}}      HTML out, no Markdown
--   {{< name >}} raw inner {{< /name >}}                       paired, inner passed as it is
--   {{% name %}} *Markdown* inner {{% /name %}}                paired, inner rendered to HTML first
--   {{< name />}}                                              explicitly without inner
--   {{</* name */>}}                                           the tag itself, as text
--
-- Tags in code spans, fenced and indented code blocks are left alone. Each expanded shortcode
-- becomes a placeholder in the Markdown (so Markdown never rewrites its HTML, and raw_html =
-- false does not escape it); `resolve` puts the HTML in place after rendering. A placeholder
-- alone in its paragraph replaces the whole <p>.
local errors = require "folio.errors"

local M = {}

local registry = {} -- name -> { fn =, inner = "optional"|"required"|"none" }

-- folio.shortcode(name, fn [, { inner = "optional" | "required" | "none" }]):
-- fn(args, inner, ctx) -> HTML. args: positional args[1].. and named args.key (strings);
-- inner: nil for a lone tag, else the inner HTML ({{% %}}) or text ({{< >}});
-- ctx = { name =, page =, file =, line =, markdown = (true for {{% %}}) }.
function M.register(name, fn, opts)
  if type(name) ~= "string" or not name:match("^[%w_%-/]+$") then
    error("folio.shortcode needs a name of letters, digits, - and _", 3)
  end
  if type(fn) ~= "function" then error("folio.shortcode(" .. name .. ", fn): fn must be a function", 3) end
  local inner = type(opts) == "table" and opts.inner or "optional"
  if inner ~= "optional" and inner ~= "required" and inner ~= "none" then
    error("folio.shortcode: inner must be \"optional\", \"required\" or \"none\"", 3)
  end
  registry[name] = { fn = fn, inner = inner }
end

function M.registered(name) return registry[name] end

-- Defined for every script (the shortcodes plugin reads the registry; without it, a registered
-- shortcode is never called).
function folio.shortcode(name, fn, opts) return M.register(name, fn, opts) end

----------------------------------------------------------------------------------------------
-- Where code is: fenced and indented code blocks, code spans

local function is_blank(line) return not line:find("%S") end

local function list_marker(line)
  return line:match("^ ? ? ?[-*+][ \t]") or line:match("^ ? ? ?%d+[.)][ \t]")
end

-- Backtick code spans of one paragraph (text[s..e]): ranges added to `out`.
local function code_spans(text, s, e, out)
  local i = s
  while i <= e do
    local a, b = text:find("`+", i)
    if not a or a > e then return end
    local escaped = false
    local k = a - 1
    while k >= s and text:byte(k) == 92 do escaped = not escaped; k = k - 1 end
    if escaped then
      i = a + 1
    else
      local len = b - a + 1
      local j, close = b + 1, nil
      while j <= e do
        local c, d = text:find("`+", j)
        if not c or c > e then break end
        if d - c + 1 == len then close = d; break end
        j = d + 1
      end
      if close then
        out[#out + 1] = { a, close }
        i = close + 1
      else
        i = b + 1 -- a lone run of backticks is text
      end
    end
  end
end

-- Sorted, disjoint { first, last } byte ranges of `text` that are code.
function M.code_ranges(text)
  local ranges = {}
  local pos, n = 1, #text
  local fence -- { char =, len =, start = }
  local prev_blank, in_list, in_code = true, false, false
  local para_s, para_e
  local function end_paragraph()
    if para_s then code_spans(text, para_s, para_e, ranges) end
    para_s = nil
  end
  while pos <= n do
    local eol = text:find("\n", pos, true) or n + 1
    local line = text:sub(pos, eol - 1)
    local content = line
    while content:find("^ ? ? ?>") do content = content:gsub("^ ? ? ?>[ ]?", "", 1) end -- block quotes: the same rules inside
    if fence then
      local ind, run = content:match("^( *)([`~]+)[ \t]*\r?$")
      if run and #ind < 4 and run:sub(1, 1) == fence.char and #run >= fence.len and not run:find(fence.char == "`" and "~" or "`") then
        ranges[#ranges + 1] = { fence.start, eol - 1 }
        fence = nil
      end
    else
      local ind, run = content:match("^( *)(```+)")
      if not run then ind, run = content:match("^( *)(~~~+)") end
      local indented = content:find("^    ") or content:find("^ ? ? ?\t")
      if run and #ind < 4 and not (run:sub(1, 1) == "`" and content:sub(#ind + #run + 1):find("`")) then
        end_paragraph()
        fence = { char = run:sub(1, 1), len = #run, start = pos }
        in_code = false
      elseif is_blank(line) then
        end_paragraph()
        prev_blank = true
      elseif indented and not in_list and (prev_blank or in_code) and not para_s then
        ranges[#ranges + 1] = { pos, eol - 1 }
        in_code = true
        prev_blank = false
      else
        in_code = false
        if list_marker(content) then in_list = true
        elseif not indented and prev_blank then in_list = false end
        if not para_s then para_s = pos end
        para_e = eol - 1
        prev_blank = false
      end
    end
    pos = eol + 1
  end
  if fence then ranges[#ranges + 1] = { fence.start, n } end -- an unclosed fence runs to the end
  end_paragraph()
  table.sort(ranges, function(a, b) return a[1] < b[1] end)
  return ranges
end

----------------------------------------------------------------------------------------------
-- Tags

-- Parses the arguments of a tag (the text after its name). Returns args or nil, message.
local function parse_args(s)
  local args, i, n, npos = {}, 1, #s, 0
  while true do
    i = s:find("%S", i)
    if not i then return args end
    local key
    local k, after = s:match("^([%w_%-]+)=()", i)
    if k then key, i = k, after end
    local c, value = s:sub(i, i), nil
    if c == '"' then
      local buf, j = {}, i + 1
      while true do
        local ch = s:sub(j, j)
        if ch == "" then return nil, "a quoted argument is not closed (add the closing \")" end
        if ch == "\\" and j < n then buf[#buf + 1] = s:sub(j + 1, j + 1); j = j + 2
        elseif ch == '"' then break
        else buf[#buf + 1] = ch; j = j + 1 end
      end
      value, i = table.concat(buf), j + 1
    elseif c == "`" then
      local close = s:find("`", i + 1, true)
      if not close then return nil, "a `raw` argument is not closed (add the closing `)" end
      value, i = s:sub(i + 1, close - 1), close + 1
    elseif c == "" then
      value = ""
    else
      local e = s:find("%s", i) or n + 1
      value, i = s:sub(i, e - 1), e
      if value:find('"', 1, true) then return nil, "a \" inside the argument " .. value .. " (quote the whole value)" end
    end
    if key then args[key] = value else npos = npos + 1; args[npos] = value end
  end
end

-- Finds the end of a tag opened at `i` ({{< or {{%): the index of the last } of >}} or %}},
-- skipping quoted arguments. nil when there is none.
local function tag_end(text, i, delim)
  local j, n = i + 3, #text
  local close = delim == "<" and ">}}" or "%}}"
  while j <= n do
    local c = text:sub(j, j)
    if c == '"' then
      j = j + 1
      while j <= n and text:sub(j, j) ~= '"' do
        if text:sub(j, j) == "\\" then j = j + 1 end
        j = j + 1
      end
      j = j + 1
    elseif c == "\n" and text:sub(j + 1, j + 1) == "\n" then
      return nil -- a tag never spans a blank line
    elseif text:sub(j, j + 2) == close then
      return j + 2
    else
      j = j + 1
    end
  end
  return nil
end

-- The tags of `text` outside code: a list of { kind = "open"|"close"|"literal", name =,
-- args =, delim = "<"|"%", s =, e =, line =, self_closing = }. Errors raise with `where(line)`.
function M.scan(text, fail)
  local tags, ranges = {}, M.code_ranges(text)
  local r, pos, line, line_pos = 1, 1, 1, 1
  local function line_of(p)
    local _, count = text:sub(line_pos, p - 1):gsub("\n", "")
    line, line_pos = line + count, p
    return line
  end
  while true do
    local i, _, delim = text:find("{{([<%%])", pos)
    if not i then break end
    while ranges[r] and ranges[r][2] < i do r = r + 1 end
    if ranges[r] and ranges[r][1] <= i then
      pos = ranges[r][2] + 1
    else
      local at = line_of(i)
      local e = tag_end(text, i, delim)
      if not e then -- an unclosed quote hides the end: find it plainly, so the quote is what is reported
        local _, plain = text:find(delim == "<" and ">}}" or "%}}", i + 3, true)
        local para_end = text:find("\n%s*\n", i)
        if plain and (not para_end or plain < para_end) then e = plain end
      end
      if not e then fail(at, "the shortcode tag " .. text:sub(i, i + 20):gsub("\n.*", "") .. "... is not closed",
                         "end it with " .. (delim == "<" and ">}}" or "%}}") .. " on the same paragraph") end
      local body = text:sub(i + 3, e - 3)
      local tag = { s = i, e = e, line = at, delim = delim }
      local comment = body:match("^%s*/%*(.-)%*/%s*$")
      if comment then
        tag.kind, tag.text = "literal", "{{" .. delim .. comment .. (delim == "<" and ">" or "%") .. "}}"
      else
        local closing, name, rest = body:match("^%s*(/?)%s*([%w_%-/]+)(.*)$")
        if not name then fail(at, "a shortcode tag without a name: " .. text:sub(i, e), "write {{< name args >}}") end
        rest = rest:gsub("%s+$", "")
        if rest:sub(-1) == "/" then tag.self_closing, rest = true, rest:sub(1, -2) end
        tag.name = name
        if closing == "/" then
          tag.kind = "close"
          if rest:find("%S") then fail(at, "a closing tag takes no arguments: " .. text:sub(i, e)) end
        else
          tag.kind = "open"
          local args, err = parse_args(rest)
          if not args then fail(at, "in the shortcode " .. name .. ": " .. err) end
          tag.args = args
        end
      end
      tags[#tags + 1] = tag
      pos = e + 1
    end
  end
  return tags
end

-- Pairs open and close tags into a tree: { children = { tag... } } where a paired tag has
-- `close` (its closing tag) and `children`. `needs_inner(name)` says "required", "none" or
-- "optional"; nil for an unknown shortcode.
function M.tree(tags, fail, needs_inner, show_line)
  show_line = show_line or function(l) return l end
  -- which opens have a close: the innermost open of the same name before it
  local open_by_name = {}
  for _, t in ipairs(tags) do
    if t.kind == "open" and not t.self_closing then
      local list = open_by_name[t.name] or {}
      open_by_name[t.name] = list
      list[#list + 1] = t
    elseif t.kind == "close" then
      local list = open_by_name[t.name]
      local o = list and table.remove(list)
      if not o then fail(t.line, "{{" .. t.delim .. " /" .. t.name .. " " .. (t.delim == "<" and ">" or "%") .. "}} closes a shortcode that is not open",
                         "remove it, or open it before with {{" .. t.delim .. " " .. t.name .. " " .. (t.delim == "<" and ">" or "%") .. "}}") end
      o.close, t.open = t, o
    end
  end
  for name, list in pairs(open_by_name) do
    for _, o in ipairs(list) do
      if needs_inner(name) == "required" then
        fail(o.line, "the shortcode " .. name .. " is not closed",
             "close it with {{" .. o.delim .. " /" .. name .. " " .. (o.delim == "<" and ">" or "%") .. "}}")
      end
    end
  end
  local root = { children = {} }
  local stack = { root }
  for _, t in ipairs(tags) do
    local top = stack[#stack]
    if t.kind == "close" then
      if top ~= t.open then
        fail(t.line, "{{" .. t.delim .. " /" .. t.name .. " ... }} closes " .. t.name .. " while " .. top.name ..
                     " (line " .. show_line(top.line) .. ") is still open", "close the inner shortcode first")
      end
      stack[#stack] = nil
    else
      top.children[#top.children + 1] = t
      if t.close then
        t.children = {}
        stack[#stack + 1] = t
      end
    end
  end
  return root
end

----------------------------------------------------------------------------------------------
-- Expansion

local nonce = (tostring(registry):match("0x(%x+)") or "0"):sub(-6)
local TOKEN_PATTERN = "xsc" .. nonce .. "n(%d+)x"

-- Expands the shortcodes of one page body. `render(name, args, inner, ctx)` returns the HTML of
-- a known shortcode, or nil for an unknown one (then its tags stay as written);
-- `markdown(text)` renders Markdown to HTML. Returns the new text and the placeholder table
-- for `resolve`, or the text unchanged (and nil) when it has no shortcode.
function M.expand(text, opts)
  if not text:find("{{[<%%]") then return text, nil end
  local fail = opts.fail
  local tags = M.scan(text, fail)
  if #tags == 0 then return text, nil end
  local root = M.tree(tags, fail, opts.needs_inner, opts.show_line)
  local outputs = {}

  local function placeholder(html, block)
    outputs[#outputs + 1] = { html = html, block = block }
    return "xsc" .. nonce .. "n" .. #outputs .. "x"
  end

  local resolve_in -- forward

  -- The text of text[s..e] with the tags of `list` (which lie inside it) expanded; `raw`: the
  -- shortcodes' HTML directly (a raw inner), else placeholders (Markdown).
  local function expand_range(list, s, e, raw)
    local out, at = {}, s
    for _, t in ipairs(list) do
      out[#out + 1] = text:sub(at, t.s - 1)
      local last = t.close and t.close.e or t.e
      if t.kind == "literal" then
        out[#out + 1] = raw and t.text or placeholder(folio.escape(t.text), false)
      else
        local inner
        if t.close then
          inner = expand_range(t.children, t.e + 1, t.close.s - 1, t.delim == "<")
          if t.delim == "%" then inner = resolve_in(opts.markdown(inner)) end
        end
        local html = opts.render(t.name, t.args, inner, { name = t.name, line = t.line, markdown = t.delim == "%" })
        if html == nil then -- unknown: the tags as written, the inner expanded
          out[#out + 1] = text:sub(t.s, t.e)
          if t.close then
            out[#out + 1] = expand_range(t.children, t.e + 1, t.close.s - 1, raw)
            out[#out + 1] = text:sub(t.close.s, t.close.e)
          end
        elseif raw then
          out[#out + 1] = html
        else
          -- alone on its lines: a block, whose <p> goes; its line breaks kept, so the lines of
          -- what follows stay right
          local before = text:sub(1, t.s - 1):match("[^\n]*$")
          local after = text:sub(last + 1):match("^[^\n]*")
          local block = not before:find("%S") and not after:find("%S")
          local _, breaks = text:sub(t.s, last):gsub("\n", "")
          out[#out + 1] = placeholder(html, block) .. string.rep("\n", breaks)
        end
      end
      at = last + 1
    end
    out[#out + 1] = text:sub(at, e)
    return table.concat(out)
  end

  -- Puts the HTML of the placeholders into rendered HTML (nested ones too).
  resolve_in = function(html)
    for _ = 1, 50 do
      if not html:find("xsc" .. nonce .. "n", 1, true) then return html end
      html = html:gsub("<p>" .. TOKEN_PATTERN .. "%s*</p>\n?", function(n)
        local o = outputs[tonumber(n)]
        if o and o.block then return o.html .. "\n" end
      end)
      html = html:gsub(TOKEN_PATTERN, function(n)
        local o = outputs[tonumber(n)]
        return o and o.html
      end)
    end
    return html
  end

  return expand_range(root.children, 1, #text, false), resolve_in
end

M.errors = errors
return M

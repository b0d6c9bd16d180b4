-- folio.template: the template engine described in docs/templates.md.
--
-- This module owns the template syntax ({{ }}, {* *}, {% %}, {# #} and the `-` trim markers),
-- its compilation to Lua, layout chaining through layout front matter, partial() (with the
-- `cache: language` partials), partial_cached(), script_json() and the environment each render
-- runs in. It does not know where templates live: the caller's `find` function looks them up
-- (site first, then theme).
--
-- A template compiles to one Lua chunk that, run once, returns the render function; the
-- helpers are upvalues of that function, and its one argument is the environment:
--
--   local __esc, __finish, __pool = ... return function(_ENV) local __b, __n = <a pooled buffer>, 0
--   __n=__n+1 __b[__n]="<li>" __n=__n+1 __b[__n]=__esc((item.title)) __n=__n+1 __b[__n]=(body) ...
--   return __finish(__b, __n) end
--
-- A {* *} value goes into the buffer as it is: __finish concatenates, and only when that fails
-- (a nil, a boolean, a table) prints each such value as raw() does and concatenates again.
--
-- The generated code has exactly as many line breaks as the template, at the same places, and is
-- loaded with the chunk name "@<file>", so Lua's own messages read `layouts/post.html:12: ...`.
local M = {}

local concat, find, sub, format = table.concat, string.find, string.sub, string.format
local folio = rawget(_G, "folio") or {}

M.MAX_PARTIAL_DEPTH = 50

---------------------------------------------------------------------------------------------------
-- Errors
---------------------------------------------------------------------------------------------------

-- Structured errors ({ file, line, message, hint }) print as "file:line: message".
local StructuredError = {
  __tostring = function(e)
    local where = e.file and (e.line and format("%s:%d: ", e.file, e.line) or e.file .. ": ") or ""
    return where .. tostring(e.message)
  end,
}

local function fail(fields)
  error(setmetatable(fields, StructuredError), 0)
end

local function line_at(text, pos)
  local _, breaks = sub(text, 1, pos - 1):gsub("\n", "")
  return breaks + 1
end

local function newlines_in(s)
  local _, breaks = s:gsub("\n", "")
  return string.rep("\n", breaks)
end

---------------------------------------------------------------------------------------------------
-- Values printed by {{ }} and {* *}
---------------------------------------------------------------------------------------------------

local ENTITIES = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;" }

-- Pure Lua stand-in, used only when the C folio.escape is not there (the module run outside folio).
local function lua_escape(v)
  if v == nil then return "" end
  return (tostring(v):gsub("[&<>\"']", ENTITIES))
end

local escape = folio.escape or lua_escape

local function raw(v)
  if type(v) == "string" then return v end
  if v == nil then return "" end
  return tostring(v)
end

---------------------------------------------------------------------------------------------------
-- Scanning: text and tags
---------------------------------------------------------------------------------------------------

local TAGS = {
  ["{"] = { kind = "escaped", close = "}}" },
  ["*"] = { kind = "raw", close = "*}" },
  ["%"] = { kind = "code", close = "%}" },
  ["#"] = { kind = "comment", close = "#}" },
}

-- Returns the position of the `]=*]` closing the long bracket opened at `j`, nil when there is no
-- long bracket at `j`, false when it is never closed.
local function long_bracket_end(text, j)
  local level = text:match("^%[(=*)%[", j)
  if not level then return nil end
  local _, e = find(text, "]" .. level .. "]", j + #level + 2, true)
  return e or false
end

-- Returns the position of the quote closing the string opened at `j` (or of the line break or
-- text end where an unfinished string stops: Lua will report it with the right line).
local function short_string_end(text, j)
  local quote = sub(text, j, j)
  local pattern = "[\\\n" .. quote .. "]"
  local k = j + 1
  while true do
    local s = find(text, pattern, k)
    if not s then return #text end
    if sub(text, s, s) ~= "\\" then return s end
    k = s + 2
  end
end

-- Reads the Lua code of a tag from `start` up to its closing delimiter `close` ("}}", "*}" or
-- "%}"), skipping strings, long brackets and, for "}}", balanced table braces. Lua comments are
-- removed (their line breaks kept) so they cannot swallow the generated code that follows.
-- Returns code, position after the tag, trim-right flag; or nil when the tag is not closed.
local function scan_code(text, start, close)
  local first = sub(close, 1, 1)
  local pattern = "[\"'%[%-{}%" .. first .. "]"
  local parts, depth, keep_from, i = {}, 0, start, start
  while true do
    local j = find(text, pattern, i)
    if not j then return nil end
    local c = sub(text, j, j)
    local closable = depth == 0 or close ~= "}}"
    if c == "-" and closable and sub(text, j + 1, j + 2) == close then
      parts[#parts + 1] = sub(text, keep_from, j - 1)
      return concat(parts), j + 3, true
    elseif c == first and closable and sub(text, j, j + 1) == close then
      parts[#parts + 1] = sub(text, keep_from, j - 1)
      return concat(parts), j + 2, false
    elseif c == "-" and sub(text, j + 1, j + 1) == "-" then
      parts[#parts + 1] = sub(text, keep_from, j - 1)
      local long_end = long_bracket_end(text, j + 2)
      if long_end == false then return nil end
      if long_end then
        parts[#parts + 1] = newlines_in(sub(text, j, long_end))
        i = long_end + 1
      else -- a short comment ends at the line break or at the tag's end, whichever comes first
        i = find(text, "\n", j + 2, true) or #text + 1
        local tag_end = find(text, close, j + 2, true)
        if tag_end and tag_end < i then
          i = (tag_end - 1 >= j + 2 and sub(text, tag_end - 1, tag_end - 1) == "-") and tag_end - 1 or tag_end
        end
      end
      keep_from = i
    elseif c == '"' or c == "'" then
      i = short_string_end(text, j) + 1
    elseif c == "[" then
      local long_end = long_bracket_end(text, j)
      if long_end == false then return nil end
      i = (long_end or j) + 1
    else
      if c == "{" then
        depth = depth + 1
      elseif c == "}" and depth > 0 then
        depth = depth - 1
      end
      i = j + 1
    end
  end
end

-- Reads a {# comment #}; same results as scan_code.
local function scan_comment(text, start)
  local e = find(text, "#}", start, true)
  if not e then return nil end
  local trim = e - 1 >= start and sub(text, e - 1, e - 1) == "-"
  return sub(text, start, e - 1), e + 2, trim
end

-- Splits a template into a list of tokens: { kind = "text", text = s } and
-- { kind = "escaped"|"raw"|"code"|"comment", code = s, ltrim = bool, rtrim = bool }.
local function tokenize(text, name)
  local tokens, pos = {}, 1
  while true do
    local s = find(text, "{[{%*%%#]", pos)
    tokens[#tokens + 1] = { kind = "text", text = sub(text, pos, s and s - 1 or #text) }
    if not s then return tokens end
    local tag = TAGS[sub(text, s + 1, s + 1)]
    local ltrim = sub(text, s + 2, s + 2) == "-"
    local body_start = s + (ltrim and 3 or 2)
    local code, after, rtrim
    if tag.kind == "comment" then
      code, after, rtrim = scan_comment(text, body_start)
    else
      code, after, rtrim = scan_code(text, body_start, tag.close)
    end
    if not code then
      fail({ file = name, line = line_at(text, s),
             message = format("unclosed '%s' (no matching '%s')", sub(text, s, s + 1), tag.close) })
    end
    tokens[#tokens + 1] = { kind = tag.kind, code = code, ltrim = ltrim, rtrim = rtrim }
    pos = after
  end
end

-- Applies the trim markers: white space (line breaks included) next to a `-` is cut from the
-- neighbouring text. The line breaks cut are remembered so the code keeps its line numbers.
local function apply_trims(tokens)
  for i, token in ipairs(tokens) do
    if token.kind == "text" then
      local before, after = tokens[i - 1], tokens[i + 1]
      local text = token.text
      token.lead, token.trail = "", ""
      if before and before.rtrim then
        local ws = text:match("^%s*")
        token.lead, text = newlines_in(ws), sub(text, #ws + 1)
      end
      if after and after.ltrim then
        local ws = text:match("%s*$")
        token.trail, text = newlines_in(ws), sub(text, 1, #text - #ws)
      end
      token.text = text
    end
  end
end

---------------------------------------------------------------------------------------------------
-- Code generation
---------------------------------------------------------------------------------------------------

-- Output buffers are reused across renders (a stack, since partials render inside templates):
-- this saves growing a fresh table every time. A buffer lost to an error is simply collected.
-- Entries past the count are stale but never read: the render concatenates 1..__n only. The
-- pool is taken from inline (the prologue below): pool.n buffers wait in pool[1..n].
local pool = { n = 0 }
local MAX_POOLED_BUFFERS = 32

-- The end of every render: the buffer's text, the buffer back in the pool. folio.concat_strings
-- (C) gives table.concat's text, or nil for a buffer holding another value than a string or
-- number; outside folio a pcall of table.concat tells the same.
local pcall_, concat_ = pcall, concat
local concat_strings = folio.concat_strings or function(buffer, n)
  local ok, text = pcall_(concat_, buffer, "", 1, n)
  return ok and text or nil
end
local function finish(buffer, n)
  local text = concat_strings(buffer, n)
  if not text then -- a {* *} value that is not a string or number: printed as raw() does
    for i = 1, n do
      local v = buffer[i]
      if type(v) ~= "string" then buffer[i] = raw(v) end
    end
    text = concat_(buffer, "", 1, n)
  end
  local count = pool.n
  if count < MAX_POOLED_BUFFERS then
    count = count + 1
    pool[count], pool.n = buffer, count
  end
  return text
end

local PROLOGUE = "local __esc, __finish, __pool = ... "
  .. "return function(_ENV) local __k, __b = __pool.n "
  .. "if __k > 0 then __b = __pool[__k] __pool[__k] = false __pool.n = __k - 1 else __b = {} end local __n = 0 "
local EPILOGUE = " return __finish(__b, __n) end"
-- The same code as a plain chunk, compiled only to word a syntax error as the template's own
-- (inside the wrapper, an unclosed `if` would be reported as an unclosed `function`).
local PLAIN_PROLOGUE = "local _ENV, __b, __n = ..., {}, 0 "
local PLAIN_EPILOGUE = " return"

-- Lua's lexer takes a lone "\r" for a line break; the template's lines are counted by "\n" (a
-- "\r\n" or "\n\r" is one break for both). So code with a lone "\r" gets a space there instead,
-- and messages keep the template's line numbers.
local function lone_returns_to_spaces(code)
  if not find(code, "\r", 1, true) then return code end
  local parts, from, i = {}, 1, 1
  while true do
    local s = find(code, "[\r\n]", i)
    if not s then break end
    local pair = sub(code, s, s + 1)
    if pair == "\r\n" or pair == "\n\r" then
      i = s + 2
    elseif sub(code, s, s) == "\n" then
      i = s + 1
    else
      parts[#parts + 1] = sub(code, from, s - 1)
      parts[#parts + 1] = " "
      from, i = s + 1, s + 1
    end
  end
  parts[#parts + 1] = sub(code, from)
  return concat(parts)
end

local function emit(token)
  local kind = token.kind
  if kind ~= "text" and kind ~= "comment" then token.code = lone_returns_to_spaces(token.code) end
  if kind == "text" then
    if token.text == "" then return token.lead .. token.trail end
    return token.lead .. "__n=__n+1 __b[__n]=" .. format("%q", token.text) .. " " .. token.trail
  elseif kind == "escaped" then
    return "__n=__n+1 __b[__n]=__esc((" .. token.code .. ")) "
  elseif kind == "raw" then
    return "__n=__n+1 __b[__n]=(" .. token.code .. ") "
  elseif kind == "code" then -- `;` on both sides: a statement may start with `(`
    return ";" .. token.code .. " ; "
  else -- comment
    return newlines_in(token.code)
  end
end

-- Text and {{ }} values next to each other (nothing but comments between them) go into the
-- buffer as one `..` expression: one buffer slot and one concatenation instead of one slot each
-- (every piece of a buffer costs the final table.concat a call). {{ }} values are always
-- strings (escape's), so `..` cannot fail on them; {* *} values may be anything and keep their
-- own slot. Line breaks stay where they were, between the operands. Returns the code and the
-- index after the run, or nil when the run at `i` has fewer than two values.
local MAX_RUN = 16 -- operands of one `..` (each takes a register: a template may hold many locals)

local function merged_run(tokens, i)
  local parts, operands, j = {}, 0, i
  while j <= #tokens and operands < MAX_RUN do
    local token = tokens[j]
    local kind = token.kind
    local operand
    if kind == "text" then
      if token.text ~= "" then operand = token.lead .. format("%q", token.text) .. token.trail
      else parts[#parts + 1] = token.lead .. token.trail end
    elseif kind == "escaped" then
      operand = "__esc((" .. lone_returns_to_spaces(token.code) .. "))"
    elseif kind == "comment" then
      parts[#parts + 1] = newlines_in(token.code)
    else
      break
    end
    if operand then
      if operands > 0 then parts[#parts + 1] = " .. " end
      parts[#parts + 1] = operand
      operands = operands + 1
    end
    j = j + 1
  end
  if operands < 2 then return nil end
  return "__n=__n+1 __b[__n]=" .. concat(parts) .. " ", j
end

-- Returns the Lua source for a template; `first_line` is the line of `text` in its file.
-- `plain` gives the code as a bare chunk instead of a chunk returning the render function.
function M.generate(text, name, first_line, plain)
  local tokens = tokenize(text, name)
  apply_trims(tokens)
  local out = { string.rep("\n", (first_line or 1) - 1), plain and PLAIN_PROLOGUE or PROLOGUE }
  local i = 1
  while i <= #tokens do
    local run, after = merged_run(tokens, i)
    if run then
      out[#out + 1] = run
      i = after
    else
      out[#out + 1] = emit(tokens[i])
      i = i + 1
    end
  end
  out[#out + 1] = plain and PLAIN_EPILOGUE or EPILOGUE
  return concat(out)
end

-- load(), with the errors the parser raises instead of returning ("C stack overflow") returned.
local function load_text(code, name)
  local ok, chunk, err = pcall(load, code, "@" .. name, "t", {})
  if not ok then return nil, chunk end
  return chunk, err
end

-- Lua reports some errors without a position ("C stack overflow" from an expression nested too
-- deeply). The generated code keeps the template's line breaks, so the first line whose prefix
-- of the code already gives that error is the template's line: found by bisection.
local function positionless_error_line(code, name, err)
  local ends = {}
  for pos in code:gmatch("()\n") do ends[#ends + 1] = pos end
  ends[#ends + 1] = #code
  local lo, hi = 1, #ends
  while lo < hi do
    local mid = (lo + hi) // 2
    local _, e = load_text(code:sub(1, ends[mid]), name)
    if e == err then hi = mid else lo = mid + 1 end
  end
  return lo
end

-- Compiles a template to a function(env) -> string. `name` is the file name shown in messages;
-- `first_line` (default 1) the line where `text` starts in that file (after front matter).
-- Raises { file, line, message } when the template is not valid.
function M.compile(text, name, first_line)
  name = name or "template"
  local code = M.generate(text, name, first_line)
  local chunk, err = load_text(code, name)
  if not chunk then
    local _, plain_err = load_text(M.generate(text, name, first_line, true), name)
    err = plain_err or err
    local line, message = err:match("^.-:(%d+): (.*)$")
    fail({ file = name, line = tonumber(line) or positionless_error_line(code, name, err),
           message = message or err })
  end
  return chunk(escape, finish, pool)
end

---------------------------------------------------------------------------------------------------
-- Renderer: template cache, environments, partials, layout chaining
---------------------------------------------------------------------------------------------------

-- script_json(v): v as JSON to put inside a <script> element (JSON-LD): folio.json's encoding
-- with `<`, `>` and `&` written as \u escapes, so no `</script>` or `<!--` can end the element.
local SCRIPT_UNSAFE = { ["<"] = "\\u003c", [">"] = "\\u003e", ["&"] = "\\u0026" }

-- The fast path for what JSON-LD holds (objects with string keys, strings, booleans, integers,
-- and non-empty sequences of those): the same text as folio.json.encode, built straight into
-- one buffer. Returns false for anything else (folio.json then encodes it).
local json_string = folio.json_string
local sort, mtype, pairs_, next_ = table.sort, math.type, pairs, next

local function put_json(v, out, n)
  local kind = type(v)
  if kind == "string" then
    n = n + 1; out[n] = json_string(v)
  elseif kind == "boolean" then
    n = n + 1; out[n] = v and "true" or "false"
  elseif kind == "number" then
    if mtype(v) ~= "integer" then return false end
    n = n + 1; out[n] = tostring(v)
  elseif kind == "table" then
    if getmetatable(v) ~= nil then return false end
    local first = next_(v)
    if first == nil then return false end -- {} or a marked empty array: folio.json decides
    if first == 1 or type(first) ~= "string" then -- a sequence, or folio.json's business
      if type(first) ~= "number" then return false end
      local len = #v
      for k in pairs_(v) do
        if mtype(k) ~= "integer" or k < 1 or k > len then return false end
      end
      n = n + 1; out[n] = "["
      for i = 1, len do
        if i > 1 then n = n + 1; out[n] = "," end
        n = put_json(v[i], out, n)
        if not n then return false end
      end
      n = n + 1; out[n] = "]"
      return n
    end
    local keys, count = {}, 0
    for k in pairs_(v) do
      if type(k) ~= "string" then return false end
      count = count + 1; keys[count] = k
    end
    sort(keys)
    n = n + 1; out[n] = "{"
    for i = 1, count do
      local k = keys[i]
      if i > 1 then n = n + 1; out[n] = "," end
      n = n + 1; out[n] = json_string(k)
      n = n + 1; out[n] = ":"
      n = put_json(v[k], out, n)
      if not n then return false end
    end
    n = n + 1; out[n] = "}"
  else
    return false
  end
  return n
end

local function script_json(v)
  local text
  if json_string and type(v) == "table" then
    local out = {}
    local n = put_json(v, out, 0)
    if n then text = concat(out, "", 1, n) end
  end
  if not text then
    local json = folio.json or require("folio.json")
    text = json.encode(v)
  end
  if not find(text, "[<>&]") then return text end
  return (text:gsub("[<>&]", SCRIPT_UNSAFE))
end

-- Names every template can read besides page/site/content/layout/partial (docs/templates.md).
local function library()
  local names = {
    string = string, table = table, math = math, utf8 = utf8,
    os = { time = os.time, date = os.date },
    ipairs = ipairs, pairs = pairs, next = next, select = select,
    tostring = tostring, tonumber = tonumber, type = type,
    error = error, assert = assert, pcall = pcall,
    escape = escape, slugify = folio.slugify, script_json = script_json,
    json_string = json_string and function(v) return json_string(v) end or nil,
  }
  if folio.date then
    names.date, names.iso_date = folio.date.format, folio.date.iso
  end
  return names
end

local Renderer = {}
Renderer.__index = Renderer

-- opts.find(relpath) -> text, display_name | nil, looked_in (a path list or string)
-- opts.globals: names visible in every template (copied over the standard ones at creation;
--   add more later through renderer.globals)
-- opts.parse_frontmatter(text) -> meta, body, body_line | nil, err (default folio.frontmatter.parse)
-- opts.search_dirs: folder prefixes tried by find, used to name them when find gives none
-- opts.guard(render_fn, name, first_line) -> the function to call instead (safe mode's budget)
function M.new(opts)
  assert(type(opts) == "table" and type(opts.find) == "function", "template.new: opts.find is required")
  local globals = library()
  for k, v in pairs(opts.globals or {}) do globals[k] = v end
  local self = setmetatable({
    globals = globals,
    _find = opts.find,
    _parse_frontmatter = opts.parse_frontmatter,
    _search_dirs = opts.search_dirs,
    _guard = opts.guard,
    _cache = {},
    _partial_paths = {},
    _layout_paths = {},
    _env_meta = { __index = globals },
    _cached = {},        -- partial_cached results: name -> key -> ... -> { [HTML] = html }
    _cached_site = nil,  -- the site they were rendered for
    _per_language = {},  -- `cache: language` partials: site -> template -> language -> HTML
  }, Renderer)
  globals.partial_cached = function(name, args, ...)
    local html = M.render_cached(self, name, args, ...) -- not a tail call: errors name the template
    return html
  end
  return self
end

local function frontmatter_parser(self)
  if self._parse_frontmatter then return self._parse_frontmatter end
  local fm = rawget(_G, "folio") and _G.folio.frontmatter
  return fm and fm.parse
end

-- Splits front matter off a template: meta, body, line of the body in the file.
local function split_frontmatter(self, text, name)
  if not find(text, "^%-%-%-[ \t]*\r?\n") then return {}, text, 1 end
  local parse = frontmatter_parser(self)
  if not parse then
    fail({ file = name, line = 1, message = "front matter found but folio.frontmatter.parse is missing" })
  end
  local meta, body, body_line = parse(text)
  if meta == nil then
    local err = body
    local message = type(err) == "table" and (err.message or err[1]) or err
    local line = type(err) == "table" and (err.line or err[2]) or 1
    local hint = type(err) == "table" and err.hint or nil
    fail({ file = name, line = line, message = "front matter: " .. tostring(message), hint = hint })
  end
  body = body or ""
  body_line = body_line or line_at(text, #text - #body + 1)
  return meta, body, body_line
end

-- The compiled template for `relpath` ({ fn, meta, name }), or nil and the places looked in.
function Renderer:load(relpath)
  local tpl = self._cache[relpath]
  if tpl then return tpl end
  local text, name = self._find(relpath)
  if text == nil then return nil, name end
  if type(name) ~= "string" then name = relpath end
  local meta, body, body_line = split_frontmatter(self, text, name)
  local fn = M.compile(body, name, body_line)
  if self._guard then fn = self._guard(fn, name, body_line) end
  -- A template whose text never names `partial` (nor partial_cached) calls no partial: the
  -- environments made for it need no partial() of their own.
  tpl = { fn = fn, meta = meta, name = name, calls_partials = find(body, "partial", 1, true) ~= nil }
  self._cache[relpath] = tpl
  return tpl
end

-- "a", "a and b", "a, b and c"
local function looked_in(self, relpath, looked)
  local paths = looked
  if type(paths) ~= "table" and type(paths) ~= "string" then
    paths = {}
    for i, dir in ipairs(self._search_dirs or { "" }) do paths[i] = dir .. relpath end
  end
  if type(paths) == "string" then return paths end
  if #paths <= 1 then return paths[1] or relpath end
  return concat(paths, ", ", 1, #paths - 1) .. " and " .. paths[#paths]
end

-- The names of the partials being rendered, by depth: partial_names[d] is the one at depth d.
-- Entries past the current depth are stale and never read. Used only for the "nested too deep"
-- message, so no table is made per call to remember the chain.
local partial_names = {}

local function trail_text(depth)
  local first = math.max(1, depth - 5)
  return (first > 1 and "... -> " or "") .. concat(partial_names, " -> ", first, depth)
end

-- The file a template name stands for, memoised in `paths` ("post" -> "layouts/post.html"); a
-- name that already ends as `given` describes keeps its extension.
local function template_path(paths, folder, name, given)
  local relpath = paths[name]
  if not relpath then
    relpath = folder .. (name:find(given) and name or name .. ".html")
    paths[name] = relpath
  end
  return relpath
end

-- "post-meta" -> "layouts/partials/post-meta.html"; any extension may be given.
local function partial_path(self, name)
  return template_path(self._partial_paths, "layouts/partials/", name, "%.%w+$")
end

-- The partial() function seen by a template running in `env`: renders a partial in a new env
-- that reads `args` first, then `env`. `depth` counts the partials around `env`. The metatable
-- of those environments (reads fall through to `env`) is made at the first call and kept by this
-- closure: one per calling environment, not one per call (a list page calls the same partial for
-- every item).
-- A copy of the fields of `args` (nil: none) with metatable `meta`: folio.fields_over (C, one
-- call, the table made at its size) or the same in Lua outside folio.
local fields_over = folio.fields_over or function(args, meta)
  local fields = {}
  if args ~= nil then
    for k, v in next, args do fields[k] = v end
  end
  return setmetatable(fields, meta)
end

local function make_partial(self, env, depth)
  local reads_through
  return function(name, args)
    if type(name) ~= "string" then
      error("partial: the name must be a string, got " .. type(name), 2)
    end
    if depth >= M.MAX_PARTIAL_DEPTH then
      error(format("partial '%s': partials nested more than %d deep (%s)", name,
                   M.MAX_PARTIAL_DEPTH, trail_text(depth)), 2)
    end
    local relpath = self._partial_paths[name] or partial_path(self, name)
    local tpl = self._cache[relpath]
    if not tpl then
      local looked
      tpl, looked = self:load(relpath)
      if not tpl then
        error(format("partial '%s' not found (looked in %s)", name, looked_in(self, relpath, looked)), 2)
      end
    end
    if args == nil and tpl.meta.cache == "language" then
      partial_names[depth + 1] = name
      return M.render_per_language(self, tpl, env.site, depth + 1)
    end
    if args ~= nil and type(args) ~= "table" then error("partial: args must be a table, got " .. type(args), 2) end
    if not reads_through then reads_through = { __index = env } end
    local child = fields_over(args, reads_through)
    if tpl.calls_partials then child.partial = make_partial(self, child, depth + 1) end
    partial_names[depth + 1] = name
    return tpl.fn(child)
  end
end

-- partial_cached(name, args, key...): as partial(name, args), but rendered once per site build
-- for each list of keys and then reused (Hugo's partialCached). The partial sees only `site`,
-- the globals and `args`, never the page being rendered: so what it gives cannot depend on
-- anything its keys do not name, and a list page showing a post shows the same HTML as every
-- other list showing it.
local HTML = {} -- key of a result in the cache tree

-- Where partial_cached keeps a result: in a batch build, one past 256 bytes waits in the C
-- content store (folio.build.store), which spills to a file past its budget, not in the Lua
-- heap (a post's list entry is reused by every list that shows it, and 100,000 of them held
-- 170 MB to the end of the render); elsewhere (the preview, tests) as it is.
local store_results -- nil until the first result: whether this is a batch build
local function keep(html)
  if #html < 256 then return html end
  if store_results == nil then
    local build = rawget(folio, "build")
    local ok, o = pcall(function() return build and build.options and build.options() end)
    store_results = ok and type(o) == "table" and o.preview == false and build.store ~= nil
  end
  return store_results and folio.build.store(html) or html
end

function M.render_cached(self, name, args, ...)
  if type(name) ~= "string" then
    error("partial_cached: the name must be a string, got " .. type(name), 3)
  end
  local slot = self._cached[name]
  if not slot then
    slot = {}
    self._cached[name] = slot
  end
  for i = 1, select("#", ...) do
    local key = select(i, ...)
    if key == nil or key ~= key then
      error(format("partial_cached '%s': key %d is %s", name, i, tostring(key)), 3)
    end
    local inner = slot[key]
    if not inner then
      inner = {}
      slot[key] = inner
    end
    slot = inner
  end
  local html = slot[HTML]
  if html then
    if type(html) == "number" then return folio.build.content(html) end
    return html
  end
  local base = setmetatable({ site = self._cached_site, partial = false }, self._env_meta)
  base.partial = make_partial(self, base, 0)
  html = base.partial(name, args)
  slot[HTML] = keep(html)
  return html
end

-- A partial whose front matter says `cache: language` depends only on `site`, the helpers and
-- the language being rendered (its t(), date() and lang_url()): rendered once per site (a
-- language's view counts as its own site) and language, then reused. Like partial_cached's, its
-- environment holds `site` and the globals only, so no page can leak into the shared HTML.
local i18n_current -- folio.i18n's current(), once it is loaded
local function current_language()
  local i18n = package.loaded["folio.i18n"]
  if not i18n then return false end
  i18n_current = i18n.current
  return i18n.current() or false
end

function M.render_per_language(self, tpl, site, depth)
  local site_key = site == nil and HTML or site
  local of_site = self._per_language[site_key]
  if not of_site then
    of_site = {}
    self._per_language[site_key] = of_site
  end
  local of_tpl = of_site[tpl]
  if not of_tpl then
    of_tpl = {}
    of_site[tpl] = of_tpl
  end
  local lang = i18n_current and i18n_current() or current_language()
  local html = of_tpl[lang]
  if html then return html end
  local base = setmetatable({ site = site, partial = false }, self._env_meta)
  base.partial = make_partial(self, base, depth or 1)
  html = tpl.fn(base)
  of_tpl[lang] = html
  return html
end

-- A fresh environment over the globals: template assignments land in it, never in the globals.
function Renderer:new_env(fields)
  local env = setmetatable(fields, self._env_meta)
  env.partial = make_partial(self, env, 0)
  return env
end

-- The environment of one layout level (new_env with its fields known: the table is made with a
-- slot for `partial`, so setting it does not grow the table).
local function layout_env(self, page, site, content, layout)
  local env = setmetatable({ page = page, site = site, content = content, layout = layout, partial = false },
                           self._env_meta)
  env.partial = make_partial(self, env, 0)
  return env
end

-- Renders a one-off template with the names of `env` (copied) over the globals.
function Renderer:render_string(text, env, name)
  local fields = {}
  for k, v in pairs(env or {}) do fields[k] = v end
  local fn = M.compile(text, name or "<string>")
  if self._guard then fn = self._guard(fn, name or "<string>", 1) end
  return fn(self:new_env(fields))
end

-- "post" -> "layouts/post.html"
local function layout_path(self, name)
  return template_path(self._layout_paths, "layouts/", name, "%.html$")
end

local function no_layout(name)
  return name == nil or name == false or name == "none" or name == ""
end

-- Whether layout `name` exists (the site's or the theme's), without compiling it. Returns also
-- its path and the places looked in, for messages.
function Renderer:has_layout(name)
  local relpath = layout_path(self, name)
  if self._cache[relpath] then return true, relpath end
  local text, looked = self._find(relpath)
  return text ~= nil, relpath, text == nil and looked_in(self, relpath, looked) or nil
end

-- The front matter of layout `name` (compiled if it was not yet), or nil when there is none.
function Renderer:layout_meta(name)
  if type(name) ~= "string" or no_layout(name) then return nil end
  local tpl = self:load(layout_path(self, name))
  return tpl and tpl.meta or nil
end

-- Renders page.content through layout `layout_name` (default page.layout), then through the
-- layout named in that layout's front matter, and so on. Returns the HTML.
function Renderer:render_page(page, site, layout_name)
  local root = type(site) == "table" and rawget(site, "root_site") or site -- a language's view of the site
  if root ~= self._cached_site then -- another build or update: its own partial_cached results
    self._cached, self._cached_site, self._per_language = {}, root, {}
  end
  if layout_name == nil then layout_name = page.layout end
  local html = page.content or ""
  local referrer = page.path or page.url or "the page"
  local chain = {}
  local name = layout_name
  while not no_layout(name) do
    if type(name) ~= "string" then
      fail({ file = referrer, message = "layout name must be a string, got " .. type(name) })
    end
    for i = 1, #chain do
      if chain[i] == name then
        fail({ file = referrer, message = format("layout chain loops: %s -> %s", concat(chain, " -> "), name),
               hint = "remove the `layout:` front matter from one of these layouts" })
      end
    end
    chain[#chain + 1] = name
    local relpath = layout_path(self, name)
    local tpl, looked = self:load(relpath)
    if not tpl then
      fail({ file = referrer,
             message = format("layout '%s' not found (looked in %s)", name, looked_in(self, relpath, looked)),
             hint = #chain == 1 and format("set `layout` in %s to an existing layout, or create %s", referrer, relpath)
                 or format("fix `layout: %s` in the front matter of %s, or create %s", name, referrer, relpath) })
    end
    html = tpl.fn(layout_env(self, page, site, html, tpl.meta))
    referrer = tpl.name
    name = tpl.meta.layout
  end
  return html
end

return M

-- template_driver.lua: the Lua half of the template fuzz harness (tests/fuzz/template.c).
-- Loaded once; returns check(data), which raises "property: ..." when folio.template breaks a
-- promise. The C half runs check under an instruction budget and a memory cap, and passes a
-- pcall that lets a spent budget through (so a template cannot catch it and loop forever).
--
-- data's first byte picks the mode:
--   even: the rest is a template, as is. It either fails with a structured error naming this
--         file and a line of it, or compiles; compiled, it renders to a string or raises an
--         error whose "file:line:" is a line of the template. The generated Lua has exactly
--         the template's line breaks.
--   odd:  the rest describes a template built from pieces whose output is known: text,
--         {{ }} / {* *} of string literals of every Lua spelling (quotes, long brackets,
--         table constructors), code tags with comments, {# #} comments, `-` trim markers, and
--         maybe a final error() whose line is known. The render must be exactly that output.
local pcall = ...
local T = require("folio.template")
local escape = folio.escape

local NAME = "fuzz.html"
local NAME_PATTERN = "^fuzz%.html:(%d+):"

local function fail(fmt, ...)
  error("property: " .. string.format(fmt, ...), 0)
end

local function breaks(s)
  local _, n = s:gsub("\n", "")
  return n
end

local globals = {
  string = string, table = table, math = math, utf8 = utf8, ipairs = ipairs, pairs = pairs,
  next = next, select = select, tostring = tostring, tonumber = tonumber, type = type,
  error = error, assert = assert, pcall = pcall, escape = escape,
}
local env_meta = { __index = globals }

local function new_env()
  return setmetatable({
    page = { title = "A <b>&amp;</b> 'title'", tags = { "x", "y" }, n = 3, date = 1389239267 },
    site = { title = "Site", pages = {} },
  }, env_meta)
end

-- A structured compile error: { file = NAME, line = a line of `text`, message = string }.
local function check_structured(err, text, what)
  if type(err) ~= "table" then
    fail("%s raised a %s, not a structured error: %s", what, type(err), tostring(err))
  end
  if err.file ~= NAME or type(err.message) ~= "string" then
    fail("%s: error without file or message: %s", what, tostring(err.message))
  end
  local lines = breaks(text) + 1
  if math.type(err.line) ~= "integer" or err.line < 1 or err.line > lines then
    fail("%s: error on line %s of a %d-line template: %s", what, tostring(err.line), lines, err.message)
  end
end

local function render(text)
  local ok, fn = pcall(T.compile, text, NAME)
  if not ok then return false, fn end
  local ok2, out = pcall(fn, new_env())
  return ok2, out, fn
end

local function as_is(text)
  local ok, code = pcall(T.generate, text, NAME)
  if not ok then
    check_structured(code, text, "generate")
  elseif breaks(code) ~= breaks(text) then
    fail("the generated Lua has %d line breaks, the template %d", breaks(code), breaks(text))
  end
  local compiled, fn = pcall(T.compile, text, NAME)
  if not compiled then
    check_structured(fn, text, "compile")
    return
  end
  if not ok then fail("compile succeeded where generate failed") end
  local rendered, out = pcall(fn, new_env())
  if rendered then
    if type(out) ~= "string" then fail("render gave a %s", type(out)) end
  elseif type(out) == "string" then
    local line = tonumber(out:match(NAME_PATTERN))
    if line and line > breaks(text) + 1 then
      fail("runtime error on line %d of a %d-line template: %s", line, breaks(text) + 1, out)
    end
  end
end

---------------------------------------------------------------------------------------------------
-- Pieces with known output
---------------------------------------------------------------------------------------------------

-- A Lua literal whose value is `s` (possibly altered: returned second) in spelling `how`.
local function literal(s, how)
  how = how % 4
  if how == 0 or how == 1 then
    local q = how == 0 and '"' or "'"
    local body = s:gsub("[\\\n\r" .. q .. "]", function(c)
      return c == "\n" and "\\n" or c == "\r" and "\\r" or "\\" .. c
    end)
    return q .. body .. q, s
  end
  -- long brackets turn every line break spelling into "\n": keep to plain "\n"
  s = s:gsub("\r", " ")
  local level = ""
  while (s .. "]" .. level .. "]"):find("]" .. level .. "]", 1, true) <= #s do level = level .. "=" end
  local lead = s:sub(1, 1) == "\n" and "\n" or "" -- a first line break is skipped
  if how == 2 then return "[" .. level .. "[" .. lead .. s .. "]" .. level .. "]", s end
  return "({ [" .. level .. "[" .. lead .. s .. "]" .. level .. "], { } })[1]", s
end

local SPACES = { "\n", " ", "\t", "\r\n", "  \n\t ", "\v\f" }
local BLANK = "[ \t\n\v\f\r]"

local function built(data)
  local pos = 2
  local function byte()
    local b = data:byte(pos) or 0
    pos = pos + 1
    return b
  end
  local function chunk(max)
    local n = byte() % (max + 1)
    local s = data:sub(pos, pos + n - 1)
    pos = pos + n
    return s
  end
  local items = {} -- { text = s } or { src = s, out = s, ltrim = b, rtrim = b }
  local error_line
  while pos <= #data and #items < 64 do
    local b = byte()
    local kind = b % 9
    local ltrim, rtrim = b & 16 ~= 0, b & 32 ~= 0
    local lt, rt = ltrim and "-" or "", rtrim and "-" or ""
    local tag
    if kind <= 1 then
      items[#items + 1] = { text = (chunk(24):gsub("{", "(")) }
    elseif kind == 2 then
      items[#items + 1] = { text = SPACES[byte() % #SPACES + 1] }
    elseif kind == 3 or kind == 4 then
      local lit, value = literal(chunk(16), byte())
      if kind == 3 then
        tag = { src = "{{" .. lt .. " " .. lit .. " " .. rt .. "}}", out = escape(value) }
      else
        tag = { src = "{*" .. lt .. " " .. lit .. " " .. rt .. "*}", out = value }
      end
    elseif kind == 5 then -- code: a statement and a short comment (no line break, no %})
      local lit = literal(chunk(10), byte())
      local comment = chunk(10):gsub("[\n\r%%]", " ")
      tag = { src = "{%" .. lt .. " local _ = " .. lit .. " -- " .. comment .. " " .. rt .. "%}", out = "" }
    elseif kind == 6 then -- code: a long comment, anything inside
      local body = chunk(16):gsub("\r", " ")
      local level = ""
      while (body .. "]" .. level .. "]"):find("]" .. level .. "]", 1, true) <= #body do level = level .. "=" end
      tag = { src = "{%" .. lt .. " --[" .. level .. "[" .. body .. "]" .. level .. "] " .. rt .. "%}", out = "" }
    elseif kind == 7 then -- {# comment #}
      local body = chunk(16):gsub("[#%-]", "_")
      if body == "" then body = " " end -- "{#-#}" is a left trim: keep the two markers apart
      tag = { src = "{#" .. lt .. body .. rt .. "#}", out = "" }
    else -- an escaped value from the environment
      tag = { src = "{{" .. lt .. " page.title " .. rt .. "}}", out = escape(new_env().page.title) }
    end
    if tag then
      tag.ltrim, tag.rtrim = ltrim, rtrim
      items[#items + 1] = tag
    end
  end
  local with_error = (byte() & 1) == 1

  -- The template, and its output: the texts between tags, trimmed next to a `-`.
  local src, want = {}, {}
  local i = 1
  while i <= #items do
    if items[i].text then
      local parts = {}
      while i <= #items and items[i].text do
        parts[#parts + 1] = items[i].text
        i = i + 1
      end
      local text = table.concat(parts)
      src[#src + 1] = text
      local before, after = items[i - #parts - 1], items[i]
      if before and before.rtrim then text = text:gsub("^" .. BLANK .. "+", "") end
      if after and after.ltrim then text = text:gsub(BLANK .. "+$", "") end
      want[#want + 1] = text
    else
      src[#src + 1] = items[i].src
      want[#want + 1] = items[i].out
      i = i + 1
    end
  end
  if with_error then
    error_line = breaks(table.concat(src)) + 1
    src[#src + 1] = '{% error("stop here", 1) %}'
  end
  local text, expected = table.concat(src), table.concat(want)

  local ok, out = render(text)
  if not ok and out == "not enough memory" then return end -- the harness's cap, not a bug
  if with_error then
    if ok then fail("the final error() was not raised:\n%s", text) end
    if type(out) ~= "string" then
      fail("template raised a %s: %s\n%s", type(out), tostring(out and out.message), text)
    end
    local line = tonumber(out:match(NAME_PATTERN))
    if line ~= error_line then
      fail("error() on line %d reported as %s\n--- template:\n%s", error_line, out, text)
    end
    return
  end
  if not ok then
    fail("a valid template failed: %s\n--- template:\n%s", type(out) == "table" and tostring(out.line) .. ": " .. tostring(out.message) or tostring(out), text)
  end
  if out ~= expected then
    fail("rendered %q, expected %q\n--- template:\n%q", out, expected, text)
  end
end

return function(data)
  if #data == 0 then return end
  if data:byte(1) % 2 == 0 then as_is(data:sub(2)) else built(data) end
end

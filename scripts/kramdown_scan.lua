-- kramdown_scan.lua: quick tests over a whole Markdown source for the kramdown plugin's passes
-- (is there any line that opens an HTML block, a definition, a numbered `1)` item?). Each does
-- what one unanchored Lua pattern did (named beside it) with plain finds to the few characters
-- worth a look: a pattern is tried at every byte of the text, which made these tests the
-- larger part of the plugin's time on long posts.
local find, byte, sub = string.find, string.byte, string.sub
local M = {}
-- The line tests in C (src/lua/lx_text.c), as the Lua below does them; safe mode's folio has
-- none, and then the Lua runs (tests/lua/test_kramdown_scan.lua holds the two to the same answers).
local line_start = rawget(folio, "text_line_start")

local SPACE = { [32] = true, [9] = true, [10] = true, [11] = true, [12] = true, [13] = true } -- %s

-- Whether the text before `at` on its line is only characters of `lead` (a set of bytes), at
-- most `max` of them: then `at` starts the line as "^LEAD*" or "\nLEAD*" would.
local function led_by(src, at, lead, max)
  local j, count = at - 1, 0
  while j >= 1 and lead[byte(src, j)] do
    j, count = j - 1, count + 1
    if max and count > max then return false end
  end
  return j == 0 or byte(src, j) == 10
end

local BLANK_OR_QUOTE = { [32] = true, [9] = true, [62] = true } -- [ \t>]
local SPACES = { [32] = true }

-- "\n[ \t>]*:%s" or "^[ \t>]*:%s": a definition's `: ` (also inside block quotes).
function M.lua_definition_line(src)
  local at = find(src, ":", 1, true)
  while at do
    local c = byte(src, at + 1)
    if c and SPACE[c] and led_by(src, at, BLANK_OR_QUOTE) then return true end
    at = find(src, ":", at + 1, true)
  end
  return false
end

-- "{[:#]": an attribute list or a heading id.
function M.attribute_list(src)
  return find(src, "{:", 1, true) ~= nil or find(src, "{#", 1, true) ~= nil
end

-- "[%)%]%*_`~]{:": an attribute list right after a span (link, emphasis, code...).
local SPAN_END = { [41] = true, [93] = true, [42] = true, [95] = true, [96] = true, [126] = true }
function M.span_attribute_list(src)
  local at = find(src, "{:", 2, true)
  while at do
    if SPAN_END[byte(src, at - 1)] then return true end
    at = find(src, "{:", at + 2, true)
  end
  return false
end

-- "\n ? ? ?<%a" or "^ ? ? ?<%a": a line that opens an HTML block.
function M.lua_html_block_line(src)
  local at = find(src, "<", 1, true)
  while at do
    local c = byte(src, at + 1)
    if c and ((c >= 65 and c <= 90) or (c >= 97 and c <= 122)) and led_by(src, at, SPACES, 3) then return true end
    at = find(src, "<", at + 1, true)
  end
  return false
end

-- "\n ? ? ?%d+%)" in "\n" .. src: a line starting with a number and `)`.
function M.lua_paren_item_line(src)
  local at = find(src, ")", 1, true)
  while at do
    local j = at - 1
    while j >= 1 do -- (back over the digits before it, one byte read each)
      local c = byte(src, j)
      if c < 48 or c > 57 then break end
      j = j - 1
    end
    if j < at - 1 and led_by(src, j + 1, SPACES, 3) then return true end
    at = find(src, ")", at + 1, true)
  end
  return false
end

M.definition_line = line_start and function(src) return line_start(src, "definition") end or M.lua_definition_line
M.html_block_line = line_start and function(src) return line_start(src, "html_block") end or M.lua_html_block_line
M.paren_item_line = line_start and function(src) return line_start(src, "paren_item") end or M.lua_paren_item_line

-- The lines of `src`, as `(src .. "\n"):gmatch("(.-)\n")` gives them (no "\n" added when src
-- ends with one): the lazy `.-` made a call per character.
local text_lines = folio.text_lines -- C (safe mode's folio has none: the loop below then)
function M.lines(src)
  if text_lines then return text_lines(src) end
  local text = byte(src, -1) == 10 and src or src .. "\n"
  local lines, pos = {}, 1
  local nl = find(text, "\n", 1, true)
  while nl do
    lines[#lines + 1] = sub(text, pos, nl - 1)
    pos = nl + 1
    nl = find(text, "\n", pos, true)
  end
  return lines
end

-- html:gsub("<!%-%-" .. name .. ":(%d+)%-%->", function(n) return list[tonumber(n)] end) for a
-- placeholder name such as "kd:html": each `<!--name:N-->` becomes list[N] (kept when there is
-- none), found with plain finds.
function M.restore_placeholders(html, name, list)
  local opener = "<!--" .. name .. ":"
  local at = find(html, opener, 1, true)
  if not at then return html end
  local out, copied = {}, 1
  while at do
    local digits_end = at + #opener
    while byte(html, digits_end) and byte(html, digits_end) >= 48 and byte(html, digits_end) <= 57 do
      digits_end = digits_end + 1
    end
    local value = digits_end > at + #opener and sub(html, digits_end, digits_end + 2) == "-->" and
                  list[tonumber(sub(html, at + #opener, digits_end - 1))]
    if value then
      out[#out + 1] = sub(html, copied, at - 1)
      out[#out + 1] = value
      copied = digits_end + 3
      at = find(html, opener, copied, true)
    else
      at = find(html, opener, at + 1, true)
    end
  end
  out[#out + 1] = sub(html, copied)
  return table.concat(out)
end

-- The first of the plain strings `a` and `b` in s from `init` (find's start), or nil.
function M.first_of(s, a, b, init)
  local x, y = find(s, a, init, true), find(s, b, init, true)
  if x and (not y or x < y) then return x end
  return y
end

return M

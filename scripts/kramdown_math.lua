-- kramdown_math.lua: kramdown's math, as its MathJax output writes it, for the kramdown plugin.
-- On the Markdown source: a paragraph that is only `$$ ... $$` (one or more lines, blank lines
-- around it) is block math, written `\[...\]`; `$$...$$` inside a line is inline math,
-- written `\(...\)`. The math text is kept out of Markdown (its backslashes stay as written)
-- by an HTML comment placeholder, replaced in the html stage. Fenced code, indented code and
-- backtick code spans are left as they are.
local scan = assert(folio.embedded.load("scripts/kramdown_scan.lua", _G))() -- whole-text tests
local byte, find = string.byte, string.find

local function escape(s) return (s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;")) end

local function trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end

-- `line` with inline $$...$$ outside backtick code spans replaced through `add`.
local function inline_math(line, add)
  local out, pos = {}, 1
  local function plain(part)
    return (part:gsub("%$%$(.-[^\\])%$%$", function(m) return add("\\(" .. escape(m) .. "\\)") end))
  end
  while true do
    local s, e = line:find("`+", pos)
    if not s then break end
    local ticks = line:sub(s, e)
    local cs, ce = line:find(ticks, e + 1, true)
    if not cs then break end
    out[#out + 1] = plain(line:sub(pos, s - 1)) .. line:sub(s, ce)
    pos = ce + 1
  end
  out[#out + 1] = plain(line:sub(pos))
  return table.concat(out)
end

local function fence_of(line)
  local indent, f = line:match("^( *)([`~][`~][`~]+)")
  if indent and #indent < 4 and f:match("^" .. f:sub(1, 1) .. "+$") then return f end
end

-- Returns the source with placeholders and the list of math HTML, or nil when there is no math.
local function extract(src)
  if not src:find("$$", 1, true) then return nil end
  local lines = scan.lines(src)
  local math, out, fence = {}, {}, nil
  local function add(html)
    math[#math + 1] = html
    return "<!--kd:math:" .. #math .. "-->"
  end
  local i, blank_before, in_pre = 1, true, false
  local fence_close -- the pattern of the open fence's closing line
  while i <= #lines do
    local line = lines[i]
    local lead = byte(line, 1)
    if not fence and not in_pre and lead ~= 32 and lead ~= 96 and lead ~= 126 and
       not find(line, "$$", 1, true) and not find(line, "<pre", 1, true) then
      -- (most lines: no math, no <pre>, no fence nor indented code can start here)
      out[#out + 1] = line
      blank_before = lead == nil or (lead >= 9 and lead <= 13 and find(line, "^%s*$") ~= nil)
      i = i + 1
      goto continue
    end
    if fence then
      out[#out + 1] = line
      if find(line, fence_close) then fence = nil end
    elseif in_pre or (line:find("<pre", 1, true) and line:find("^%s*<[%w]") and not line:find("</pre>", 1, true)) then
      -- a <pre> block (a Liquid {% highlight %} writes one): HTML, where kramdown reads no math
      out[#out + 1] = line
      in_pre = not line:find("</pre>", 1, true)
    elseif fence_of(line) then
      fence = fence_of(line); out[#out + 1] = line
      fence_close = "^ *" .. fence:sub(1, 1):rep(#fence) .. "+%s*$"
    elseif blank_before and line:match("^    ") then
      out[#out + 1] = line
      goto next
    elseif blank_before and line:match("^ ? ? ?%$%$") then
      -- block math: up to the line that ends with $$, then a blank line (or the end)
      local j = i
      local body = line:gsub("^%s*%$%$", "", 1)
      local closed = body:find("%$%$%s*$") and #trim(body) >= 2
      while not closed and j < #lines do
        j = j + 1
        if lines[j]:match("^%s*$") then break end
        body = body .. "\n" .. lines[j]
        closed = lines[j]:find("%$%$%s*$") ~= nil
      end
      if closed and (j == #lines or lines[j + 1]:match("^%s*$")) then
        body = body:gsub("%$%$%s*$", "")
        out[#out + 1] = add("\\[" .. escape(trim(body)) .. "\\]")
        i = j + 1
        blank_before = false
        goto continue
      end
      out[#out + 1] = inline_math(line, add)
    elseif line:find("<pre", 1, true) then -- math outside the line's <pre>...</pre> only
      local parts, pos = {}, 1
      for s, e in function() local a, b = line:find("<pre.-</pre>", pos); return a, b end do
        parts[#parts + 1] = inline_math(line:sub(pos, s - 1), add) .. line:sub(s, e)
        pos = e + 1
      end
      parts[#parts + 1] = inline_math(line:sub(pos), add)
      out[#out + 1] = table.concat(parts)
    else
      out[#out + 1] = line:find("$$", 1, true) and inline_math(line, add) or line
    end
    blank_before = line:match("^%s*$") ~= nil
    ::next::
    i = i + 1
    ::continue::
  end
  if #math == 0 then return nil end
  return table.concat(out, "\n") .. "\n", math
end

-- The rendered HTML with the placeholders replaced by the math.
local function restore(html, math)
  return scan.restore_placeholders(html, "kd:math", math)
end

return { extract = extract, restore = restore }

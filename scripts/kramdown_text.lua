-- kramdown_text.lua: the text pass of the kramdown plugin, on the Markdown source before it is
-- parsed: `{::comment}...{:/comment}` (or `{:/}`) and `{::options .../}` removed, and the inside
-- of `<tag markdown="1">` blocks opened with blank lines so CommonMark reads it as Markdown.
-- On Jekyll sites also: kramdown's HTML blocks kept whole (html_blocks) and its readings of `1)`,
-- reference and link URLs and backslashes (paren_markers).
-- Fenced code, indented code and backtick code spans are left as they are.
local scan = assert(folio.embedded.load("scripts/kramdown_scan.lua", _G))() -- whole-text tests

-- `line` with `fn` applied to the parts outside backtick code spans.
local function outside_code(line, fn)
  local out, pos = {}, 1
  while true do
    local s, e = line:find("`+", pos)
    if not s then break end
    local ticks = line:sub(s, e)
    local cs, ce = line:find(ticks, e + 1, true)
    while cs and line:sub(ce + 1, ce + 1) == "`" do cs, ce = line:find(ticks, ce + 2, true) end
    if not cs then break end
    out[#out + 1] = fn(line:sub(pos, s - 1)) .. line:sub(s, ce)
    pos = ce + 1
  end
  out[#out + 1] = fn(line:sub(pos))
  return table.concat(out)
end

local COMMENT_OPEN, COMMENT_CLOSE = "{::comment}", { "{:/comment}", "{:/}" }

-- Position just past the first closing comment token in `s` at or after `from`, or nil.
local function comment_end(s, from)
  local best
  for _, tok in ipairs(COMMENT_CLOSE) do
    local _, e = s:find(tok, from, true)
    if e and (not best or e < best) then best = e end
  end
  return best and best + 1
end

-- Removes options and comments from one line outside code; returns the new line and whether a
-- comment stays open at its end.
local function strip_line(line, in_comment)
  local open = in_comment
  local result = outside_code(line, function(part)
    local out, pos = {}, 1
    while pos <= #part do
      if open then
        local e = comment_end(part, pos)
        if not e then return table.concat(out) end
        open, pos = false, e
      else
        local s = part:find(COMMENT_OPEN, pos, true)
        if not s then out[#out + 1] = part:sub(pos); break end
        out[#out + 1] = part:sub(pos, s - 1)
        open, pos = true, s + #COMMENT_OPEN
      end
    end
    return (table.concat(out):gsub("{::options[^}]-/}", ""))
  end)
  return result, open
end

local function fence_of(line)
  local indent, f = line:match("^( *)([`~][`~][`~]+)")
  if indent and #indent < 4 and f:match("^" .. f:sub(1, 1) .. "+$") then return f end
end

-- `<tag ... markdown="1" ...>` alone on a line: the tag without the attribute, and its name.
local function markdown_block_open(line)
  local indent, tag, rest = line:match("^( *)<(%a[%w]*)(.-)>%s*$")
  if not indent or #indent >= 4 then return nil end
  local cleaned, n = rest:gsub("%s+markdown%s*=%s*([\"']?)1%1", "")
  if n == 0 then cleaned, n = rest:gsub("%s+markdown%s*=%s*([\"']?)block%1", "") end
  if n == 0 then return nil end
  return indent .. "<" .. tag .. cleaned .. ">", tag:lower()
end

local function transform_text(src)
  local out, fence, in_comment, open_tags = {}, nil, false, {}
  local blank_before, n, comment_line = true, 0, nil
  for _, line in ipairs(scan.lines(src)) do
    n = n + 1
    if fence then
      out[#out + 1] = line
      if line:match("^ *" .. fence:sub(1, 1):rep(#fence) .. "+%s*$") then fence = nil end
    elseif not in_comment and not line:find("{::", 1, true) and not line:find("<", 1, true) then
      out[#out + 1] = line -- (most lines: nothing to do but follow fences and indented code)
      if blank_before and line:match("^    ") then goto next end
      fence = fence_of(line)
    elseif not in_comment and fence_of(line) then
      fence = fence_of(line); out[#out + 1] = line
    elseif not in_comment and blank_before and line:match("^    ") then
      out[#out + 1] = line -- indented code: stays blank_before so that following code lines stay too
      goto next
    else
      local tag_line, tag = markdown_block_open(line)
      local top = open_tags[#open_tags]
      if tag_line and not in_comment then
        out[#out + 1] = tag_line; out[#out + 1] = ""
        open_tags[#open_tags + 1] = { tag = tag, depth = 0 }
      elseif top and line:lower():match("^%s*</" .. top.tag .. ">%s*$") and top.depth == 0 and not in_comment then
        out[#out + 1] = ""; out[#out + 1] = line
        open_tags[#open_tags] = nil
      else
        if top and not in_comment then
          local _, opens = line:lower():gsub("<" .. top.tag .. "[%s>]", "")
          local _, closes = line:lower():gsub("</" .. top.tag .. ">", "")
          top.depth = top.depth + opens - closes
        end
        local was = in_comment
        local new
        new, in_comment = strip_line(line, in_comment)
        if in_comment and not was then comment_line = n end
        if new ~= line and new:match("^%s*$") then goto next end -- a line that held only markup
        if was and new == "" then goto next end
        out[#out + 1] = new
      end
    end
    blank_before = line:match("^%s*$") ~= nil
    ::next::
  end
  if in_comment then
    folio.warn(string.format("line %d: {::comment} is never closed: add {:/comment} (or {:/}) where "
      .. "it ends; the comment markup was left in the page", comment_line))
    return nil
  end
  return table.concat(out, "\n") .. "\n"
end

-- kramdown's list markers are `1.` only: a line starting `1) ` (or `2) `...) is text, where
-- CommonMark starts an ordered list. Such markers get a backslash (`1\) `). And a reference
-- definition's URL with unbalanced parentheses (`[x]: http://a/b)`), which kramdown takes as it
-- is, is written `<http://a/b)>` for CommonMark. A backslash before a character kramdown does
-- not escape (`\^`, `\@`, `\%`...) stays, as in kramdown; an inline link's URL with spaces
-- (`[a](b c)`, kramdown's link to "b c") is written `[a](<b c>)`. Outside fenced and indented code and <pre>
-- blocks. Nil when there is nothing to change.
local function unbalanced_parens(url)
  local depth = 0
  for c in url:gmatch("[()]") do
    depth = depth + (c == "(" and 1 or -1)
    if depth < 0 then return true end
  end
  return depth ~= 0
end

-- Could `src` hold anything paren_markers changes? (Found in C over the whole text: most
-- posts have none, and then the line-by-line pass is skipped.)
local function may_need_markers(src)
  local text = "\n" .. src
  if scan.paren_item_line(src) then return true end
  local at = text:find("\\", 1, true) -- (plain finds jump to the few places worth a pattern)
  while at do
    if text:find("^[%%&,/;%?@%^]", at + 1) then return true end
    at = text:find("\\", at + 2, true)
  end
  at = text:find("](", 1, true)
  while at do
    if text:find("^%]%([%w%-%./#:_ ]- [%w%-%./#:_ ]-%)", at) then return true end
    at = text:find("](", at + 2, true)
  end
  at = text:find("]:", 1, true)
  while at do
    local url = text:match("^%]:[ \t]*([^%s<]+)", at)
    if url and unbalanced_parens(url) then return true end
    at = text:find("]:", at + 2, true)
  end
  return false
end

local function paren_markers(src)
  if not may_need_markers(src) then return nil end
  local out, fence, in_pre, blank_before, changed = {}, nil, false, true, false
  for _, line in ipairs(scan.lines(src)) do
    local new = line
    if fence then
      if line:match("^ *" .. fence:sub(1, 1):rep(#fence) .. "+%s*$") then fence = nil end
    elseif in_pre then
      if line:find("</[pP][rR][eE]>") then in_pre = false end
    elseif fence_of(line) then
      fence = fence_of(line)
    elseif blank_before and line:match("^    ") then
      goto next -- indented code: blank_before stays, so following code lines stay too
    else
      if line:find("<", 1, true) and line:find("<[pP][rR][eE][%s>]") and not line:find("</[pP][rR][eE]>") then
        in_pre = true
      end
      local label, url, title
      if line:find("^ ? ? ?%[") then label, url, title = line:match("^( ? ? ?%[[^%]]+%]:%s*)([^%s<]+)(.*)$") end
      if url and unbalanced_parens(url) then -- kramdown takes any URL; CommonMark needs <...> here
        new = label .. "<" .. url .. ">" .. title; changed = true
      end
      if new:find("\\", 1, true) and new:find("\\[%%&,/;%?@%^]") then -- kramdown escapes fewer characters than CommonMark
        new = outside_code(new, function(part)
          return (part:gsub("\\(.)", function(c)
            if c:find("^[%%&,/;%?@%^]$") then return "\\\\" .. c end
          end))
        end)
        changed = true
      end
      if new:find("](", 1, true) then -- kramdown: a link's URL may hold spaces; CommonMark: <...>
        local spaced = outside_code(new, function(part)
          return (part:gsub("([^%[])%]%(([%w%-%./#:_ ]- [%w%-%./#:_ ]-)%)", function(before, url)
            if url:find("^%s") or url:find("%s$") then return nil end -- (only plain words: a code span
            return before .. "](<" .. url .. ">)"                     -- begun a line above is not seen)
          end))
        end)
        if spaced ~= new then new = spaced; changed = true end
      end
      local indent, num, rest = new:match("^( ? ? ?)(%d%d?%d?%d?%d?%d?%d?%d?%d?)%)(%s.*)$")
      if not indent then indent, num = new:match("^( ? ? ?)(%d%d?%d?%d?%d?%d?%d?%d?%d?)%)$"); rest = "" end
      if indent then new = indent .. num .. "\\)" .. rest; changed = true end
    end
    blank_before = line:match("^%s*$") ~= nil
    ::next::
    out[#out + 1] = new
  end
  if not changed then return nil end
  return table.concat(out, "\n") .. "\n"
end

-- kramdown's HTML blocks: a line that starts a block with a tag kramdown does not count as a
-- span element (`<video`, `<s>`, `<ul>`, `<div>`...) opens an HTML block that runs to the
-- matching closing tag, blank lines and indented lines included, and its inside is not read as
-- Markdown (without markdown="1"). CommonMark ends such a block at the first blank line, reads
-- `    <li>` after one as code, and needs a one-line opening tag. Each such block is replaced by a
-- placeholder line `<!--kd:html:N-->` and put back in the html pass. Returns the new source and
-- the blocks, or nil.
local KRAMDOWN_SPAN = {}
for name in ([[a abbr acronym b big bdo br button cite code del dfn em i img input kbd label
  option q rb rbc rp rt rtc ruby samp select small span strike strong sub sup textarea tt var
  area base col embed hr link meta param source track wbr pre script style]]):gmatch("%S+") do
  KRAMDOWN_SPAN[name] = true -- (and void elements, and CommonMark's own raw blocks)
end

local VOID = { area = true, base = true, br = true, col = true, embed = true, hr = true, img = true,
               input = true, link = true, meta = true, param = true, source = true, track = true, wbr = true }

-- kramdown reads a block's HTML into elements and writes them back: a closing tag that closes
-- nothing (a stray `</a>`) comes out as text.
local function stray_closers_as_text(block)
  if not block:find("</", 1, true) then return block end
  local open = {}
  return (block:gsub("<(/?)(%a[%w%-]*)([^>]*)>", function(slash, name, rest)
    local tag = name:lower()
    if VOID[tag] or rest:find("/%s*$") then return nil end
    if slash == "" then open[tag] = (open[tag] or 0) + 1; return nil end
    if (open[tag] or 0) == 0 then return "&lt;/" .. name .. rest .. "&gt;" end
    open[tag] = open[tag] - 1
    return nil
  end))
end

-- The first characters a line needs for html_blocks to look at it: white space (a blank line,
-- an indented tag or fence), `<`, and the fence characters.
local LINE_LEAD = { [32] = true, [9] = true, [11] = true, [12] = true, [13] = true, [60] = true, [96] = true,
                    [126] = true }
local byte, find = string.byte, string.find

local function html_blocks(src)
  if not scan.html_block_line(src) then return nil end
  local lines = scan.lines(src)
  local out, blocks, fence, block_start = {}, {}, nil, true
  -- The lines in lower case, and for each tag the last line with its closer ("</tag"): a block
  -- whose depth is still open there never closes, so the search for its end stops (an `<img>`
  -- line no longer reads the rest of the page). Tags with a `-` (a pattern character in the
  -- searches below) are searched the long way.
  local lower, last_closer = {}, {}
  local function lower_line(j)
    local l = lower[j]
    if not l then l = lines[j]:lower(); lower[j] = l end
    return l
  end
  local function last_closer_of(tag)
    local last = last_closer[tag]
    if last == nil then
      last = 0
      local closer = "</" .. tag
      for j = #lines, 1, -1 do -- (a line without "</" is not lowered)
        if find(lines[j], "</", 1, true) and lower_line(j):find(closer, 1, true) then last = j; break end
      end
      last_closer[tag] = last
    end
    return last
  end
  local fence_close -- the pattern of the open fence's closing line
  local i = 1
  while i <= #lines do
    local line = lines[i]
    local lead = byte(line, 1)
    if fence then -- inside a fenced block only its closing line changes anything (block_start
      out[#out + 1] = line -- is not read before it, and that line is not blank)
      if lead and find(line, fence_close) then fence, block_start = nil, false end
      i = i + 1
      goto next_line
    end
    if lead == nil or not LINE_LEAD[lead] then -- (most lines: no tag, fence nor blank can start here)
      out[#out + 1] = line
      block_start = lead == nil -- (an empty line: a block may start after it)
      i = i + 1
      goto next_line
    end
    do
    local tag = not fence and block_start and line:match("^ ? ? ?<(%a[%w%-]*)")
    tag = tag and tag:lower()
    local closing_at
    if tag and not KRAMDOWN_SPAN[tag] and not line:find("markdown%s*=") then
      local depth = 0
      local plain = not tag:find("-", 1, true)
      local opener, closer = "<" .. tag, "</" .. tag
      local last = plain and last_closer_of(tag) or #lines
      for j = i, math.min(#lines, i + 2000) do
        local l = lower_line(j)
        local opens, closes = 0, 0
        if not plain or l:find(opener, 1, true) then
          opens = select(2, l:gsub("<" .. tag .. "[%s>/]", ""))
          if l:find("<" .. tag .. "$") then opens = opens + 1 end
        end
        if not plain or l:find(closer, 1, true) then closes = select(2, l:gsub("</" .. tag .. "%s*>", "")) end
        depth = depth + opens - closes
        if depth <= 0 then closing_at = j; break end
        if j >= last then break end -- no closer below: the block never ends
      end
    end
    if closing_at and closing_at > i then
      blocks[#blocks + 1] = stray_closers_as_text(table.concat(lines, "\n", i, closing_at))
      out[#out + 1] = "<!--kd:html:" .. #blocks .. "-->"
      i = closing_at + 1
      block_start = true -- the next line may open another block (kramdown: no blank line needed)
    else
      out[#out + 1] = line
      fence = fence_of(line) -- (no fence is open here)
      if fence then fence_close = "^ *" .. fence:sub(1, 1):rep(#fence) .. "+%s*$" end
      block_start = line:match("^%s*$") ~= nil or (closing_at == i)
      i = i + 1
    end
    end
    ::next_line::
  end
  if #blocks == 0 then return nil end
  return table.concat(out, "\n") .. "\n", blocks
end

return { transform = transform_text, paren_markers = paren_markers, html_blocks = html_blocks }

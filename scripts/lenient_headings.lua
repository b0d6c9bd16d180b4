-- lenient_headings.lua: `#Heading` and `##Heading` (no space after the hashes) become headings,
-- as kramdown and old Jekyll sites have them.  CommonMark requires the space, so without this
-- plugin such a line is a paragraph that starts with "#".
--
-- Plugin: on when "lenient_headings" is listed in site.lua's `plugins`.  Works on the source
-- text before parsing: a line of up to 3 spaces, 1 to `levels` hashes, then directly a
-- character that is neither a space nor '#' gets a space after the hashes, if it starts a block
-- as kramdown reads it: it comes first, or after a blank line, a heading, or the end of fenced
-- code or raw HTML.  A `#word` line that continues a paragraph ("...the\n#RustAllHands
-- hashtag") stays text, as in kramdown.  Left alone:
-- front matter, fenced code (``` and ~~~, closed by a fence of the same character at least as
-- long, as CommonMark says), lines indented 4 or more columns (indented code), raw HTML blocks
-- <pre>, <script>, <style>, <textarea> and <!-- comments -->, and a '#' in mid-line.
--
-- Options (site.lua: `{ "lenient_headings", levels = 3 }`):
--   levels   the most hashes to fix (1-6, default 6)
local opts = ... or {}
local levels = math.max(1, math.min(6, math.tointeger(opts.levels) or 6))

-- A candidate line, for the cheap test: `#` right after the start of a line (or 1-3 spaces).
-- Jumps from '#' to '#' with a plain find (a pattern tried at every byte is what costs).
local function has_candidate(s)
  local pos = 1
  while true do
    local hash = s:find("#", pos, true)
    if not hash then return false end
    local line_start = hash
    while line_start > 1 and hash - line_start < 3 and s:byte(line_start - 1) == 32 do line_start = line_start - 1 end
    if (line_start == 1 or s:byte(line_start - 1) == 10) and s:find("^#+[^%s#]", hash) then return true end
    pos = s:find("[^#]", hash) or #s + 1
  end
end

-- Container markers before a fence: `> `, `- `, `* `, `+ `, `1. `, `1) `, any mix, so that a
-- fence inside a list item or a quote is still seen as one.
local function strip_containers(line)
  while string.find(line, "^ ? ? ?[>%-%*%+%d]") do
    local rest = line:match("^ ? ? ?>%s?(.*)$")
      or line:match("^ ? ? ?[-*+]%s+(.*)$")
      or line:match("^ ? ? ?%d%d?%d?%d?%d?%d?%d?%d?%d?[.)]%s+(.*)$")
    if not rest then return line end
    line = rest
  end
  return line
end

-- The fence that opens on this line: char, length; or nil.
local function fence_open(line)
  local indent, fence, info = strip_containers(line):match("^( *)(```+)(.*)$")
  if fence and not info:find("`", 1, true) and #indent <= 3 then return "`", #fence end
  indent, fence = strip_containers(line):match("^( *)(~~~+)")
  if fence and #indent <= 3 then return "~", #fence end
  return nil
end

-- Whether this line closes a fence of `char` at least `len` long.  The indentation is not
-- checked (a fence inside a nested list item is indented further); erring here only means a
-- heading is left as it was.
local function fence_close(line, char, len)
  local fence = strip_containers(line):match("^%s*(" .. (char == "`" and "`" or "~") .. "+)%s*$")
  return fence ~= nil and #fence >= len
end

-- Raw HTML blocks whose content must stay verbatim: the end marker, or nil.
local HTML_BLOCKS = { pre = "</pre>", script = "</script>", style = "</style>", textarea = "</textarea>" }
local function html_open(line)
  if line:find("^ ? ? ?<!%-%-") then return "-->" end
  local tag = line:match("^ ? ? ?<(%a+)[%s>]") or line:match("^ ? ? ?<(%a+)$")
  return tag and HTML_BLOCKS[tag:lower()]
end

-- The end of the front matter (the index of its last character), or 0.
local function front_matter_end(s)
  local delim = s:match("^(%-%-%-)[ \t]*\n") or s:match("^(%+%+%+)[ \t]*\n")
  if not delim then return 0 end
  local close_pat = delim == "---" and "\n%-%-%-[ \t]*\n" or "\n%+%+%+[ \t]*\n"
  local _, e = s:find(close_pat, 4)
  if not e and delim == "---" then _, e = s:find("\n%.%.%.[ \t]*\n", 4) end
  if not e then
    -- closing delimiter on the last line, without a newline
    local tail = delim == "---" and "\n%-%-%-[ \t]*$" or "\n%+%+%+[ \t]*$"
    _, e = s:find(tail, 4)
  end
  return e or 0
end

local find, sub, byte = string.find, string.sub, string.byte

-- The source with headings fixed, or nil when nothing changed.
--
-- Speed: rather than reading every line, the scan jumps from one line that can matter to the
-- next: a line starting (after up to 3 spaces) with '#' or '<', or any line with ``` or ~~~ in
-- it.  Inside a fence it jumps to the next run of the fence character, inside raw HTML to the
-- end marker.  A page of prose with a few code blocks costs a handful of string.find calls.
local function fix(source)
  if not has_candidate(source) then return nil end
  local n = #source
  local body = front_matter_end(source) + 1
  local inserts = {} -- positions that get a space before them
  local fence_char, fence_len, html_end, lower
  local block_end = body -- the start of the line after the last fence or raw HTML block that closed
  local fixed = {}       -- line starts of the headings fixed so far

  local function line_start(p)
    while p > body and byte(source, p - 1) ~= 10 do p = p - 1 end
    return p
  end
  local function line_end(p) return find(source, "\n", p, true) or n + 1 end

  -- Whether the line at `ls` starts a block: the first line, or one after a blank line, an ATX
  -- heading (CommonMark's, or one fixed here), or a closed fence or HTML block.
  local function starts_block(ls)
    if ls <= body or ls == block_end then return true end
    local ps = line_start(ls - 1)
    if fixed[ps] then return true end
    local prev = sub(source, ps, ls - 2)
    return not find(prev, "%S") or find(prev, "^ ? ? ?#+%s") ~= nil or find(prev, "^ ? ? ?#+$") ~= nil
  end

  -- A line outside code and HTML: opens a fence or an HTML block, or is a heading to fix.
  local function outside(ls, le)
    local line = sub(source, ls, le - 1)
    if find(line, "```", 1, true) or find(line, "~~~", 1, true) then
      fence_char, fence_len = fence_open(line)
      if fence_char then return end
    end
    if find(line, "^ ? ? ?<") then
      html_end = html_open(line)
      if html_end then
        if line:lower():find(html_end, 1, true) then html_end = nil end
        return
      end
    end
    local indent, hashes = line:match("^( ? ? ?)(#+)[^%s#]")
    if hashes and #hashes <= levels and starts_block(ls) then
      inserts[#inserts + 1] = ls + #indent + #hashes
      fixed[ls] = true
    end
  end

  -- Next line starts of each kind of interesting line, found lazily (false: none left).
  local next_hash, next_lt, next_bt, next_tl = 0, 0, 0, 0
  local function after(cached, p, finder)
    if cached == false or (cached and cached >= p) then return cached end
    return finder(p) or false
  end

  -- The start of the next line beginning (after up to 3 spaces) with '#' or '<'.  Plain finds
  -- of the character and a look back are much faster than a pattern anchored on "\n".
  local function find_char_line(p, ch)
    while true do
      local at = find(source, ch, p, true)
      if not at then return nil end
      local ls = at
      while ls > body and ls > at - 3 and byte(source, ls - 1) == 32 do ls = ls - 1 end
      if ls == body or byte(source, ls - 1) == 10 then return ls end
      p = at + 1
    end
  end
  local function find_hash(p) return find_char_line(p, "#") end
  local function find_lt(p) return find_char_line(p, "<") end
  local function find_bt(p)
    local at = find(source, "```", p, true)
    return at and line_start(at)
  end
  local function find_tl(p)
    local at = find(source, "~~~", p, true)
    return at and line_start(at)
  end

  local le = line_end(body)
  outside(body, le)
  local pos = le + 1
  while pos <= n do
    if fence_char then
      local p = find(source, fence_char == "`" and "```" or "~~~", pos, true)
      if not p then break end
      local ls = line_start(p)
      le = line_end(p)
      if fence_close(sub(source, ls, le - 1), fence_char, fence_len) then fence_char = nil; block_end = le + 1 end
      pos = le + 1
    elseif html_end then
      lower = lower or source:lower()
      local p = find(lower, html_end, pos, true)
      if not p then break end
      html_end = nil
      pos = line_end(p) + 1
      block_end = pos
    else
      next_hash = after(next_hash, pos, find_hash)
      next_lt = after(next_lt, pos, find_lt)
      next_bt = after(next_bt, pos, find_bt)
      next_tl = after(next_tl, pos, find_tl)
      local ls = next_hash or n + 1
      if next_lt and next_lt < ls then ls = next_lt end
      if next_bt and next_bt < ls then ls = next_bt end
      if next_tl and next_tl < ls then ls = next_tl end
      if ls > n then break end
      if ls < pos then ls = pos end -- a fence mark found earlier on a line already read
      le = line_end(ls)
      outside(ls, le)
      pos = le + 1
    end
  end

  if #inserts == 0 then return nil end
  local out, last = {}, 1
  for _, at in ipairs(inserts) do
    out[#out + 1] = sub(source, last, at - 1)
    last = at
  end
  out[#out + 1] = sub(source, last)
  return table.concat(out, " ")
end

folio.hook("source", function(page)
  local fixed = fix(page.source)
  if fixed then page.source = fixed end
end)

return { fix = fix }

-- lenient_headings.lua: `#Heading` and `##Heading` (no space after the hashes) become headings,
-- as kramdown and old Jekyll sites have them.  CommonMark requires the space, so without this
-- plugin such a line is a paragraph that starts with "#".
--
-- Plugin: on when "lenient_headings" is listed in site.lua's `plugins`.  Works on the source
-- text before parsing: a line of up to 3 spaces, 1 to `levels` hashes, then directly a
-- character that is neither a space nor '#' gets a space after the hashes.  Left alone:
-- front matter, fenced code (``` and ~~~, closed by a fence of the same character at least as
-- long, as CommonMark says), lines indented 4 or more columns (indented code), raw HTML blocks
-- <pre>, <script>, <style>, <textarea> and <!-- comments -->, and a '#' in mid-line.
--
-- Options (site.lua: `{ "lenient_headings", levels = 3 }`):
--   levels   the most hashes to fix (1-6, default 6)
local opts = ... or {}
local levels = math.max(1, math.min(6, math.tointeger(opts.levels) or 6))

-- A candidate line, for the cheap test: `#` right after the start of a line (or 1-3 spaces).
local function has_candidate(s)
  return s:find("^ ? ? ?#+[^%s#]") or s:find("\n ? ? ?#+[^%s#]")
end

-- Container markers before a fence: `> `, `- `, `* `, `+ `, `1. `, `1) `, any mix, so that a
-- fence inside a list item or a quote is still seen as one.
local function strip_containers(line)
  while true do
    local rest = line:match("^ ? ? ?>%s?(.*)$")
      or line:match("^ ? ? ?[-*+]%s+(.*)$")
      or line:match("^ ? ? ?%d%d?%d?%d?%d?%d?%d?%d?%d?[.)]%s+(.*)$")
    if not rest then return line end
    line = rest
  end
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

-- The body with headings fixed, or nil when nothing changed.
local function fix(source)
  if not has_candidate(source) then return nil end
  local start = front_matter_end(source)
  local head, body = source:sub(1, start), source:sub(start + 1)
  if not has_candidate(body) then return nil end

  local out, changed = {}, false
  local fence_char, fence_len, html_end
  for line, nl in body:gmatch("([^\n]*)(\n?)") do
    if line == "" and nl == "" then break end
    if fence_char then
      if fence_close(line, fence_char, fence_len) then fence_char = nil end
    elseif html_end then
      if line:lower():find(html_end, 1, true) then html_end = nil end
    else
      fence_char, fence_len = fence_open(line)
      if not fence_char then
        html_end = html_open(line)
        if html_end and line:lower():find(html_end, 1, true) then html_end = nil end
        if not html_end then
          local indent, hashes, rest = line:match("^( ? ? ?)(#+)([^%s#].*)$")
          if hashes and #hashes <= levels then
            line = indent .. hashes .. " " .. rest
            changed = true
          end
        end
      end
    end
    out[#out + 1] = line .. nl
  end
  if not changed then return nil end
  return head .. table.concat(out)
end

folio.hook("source", function(page)
  local fixed = fix(page.source)
  if fixed then page.source = fixed end
end)

return { fix = fix }

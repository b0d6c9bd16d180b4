-- anchors.lua: ids on headings, as GitHub makes them, an optional `#` link to each, and a
-- table of contents.
--
-- Options (site.lua: `{ "anchors", link = true, levels = { 2, 4 }, min_headings = 3 }`):
--   link           add `<a class="anchor" href="#id">#</a>` to each heading (default false)
--   levels         { lowest, highest } heading levels in the table of contents (default {2, 3})
--   min_headings   fewest headings in those levels for a table of contents (default 3)
--
-- Ids: the heading's text in lower case, each space a `-`, ASCII punctuation and symbols
-- removed (`-` and `_` kept), other letters kept (`Çà et là` -> `çà-et-là`). A repeated id gets
-- `-1`, `-2`, ... (`intro`, `intro-1`); an empty one is `section`. A heading whose id another
-- hook already set keeps it. page.toc is a nested `<ul>` of links, or nil.
local opts = ... or {}
local lo, hi = (opts.levels or {})[1] or 2, (opts.levels or {})[2] or 3
local min_headings = opts.min_headings or 3

-- Lower case for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic capitals.
local function lower_char(c)
  local n = utf8.codepoint(c)
  if (n >= 0xC0 and n <= 0xDE and n ~= 0xD7) or (n >= 0x391 and n <= 0x3AB and n ~= 0x3A2)
     or (n >= 0x410 and n <= 0x42F) then
    return utf8.char(n + 32)
  elseif n >= 0x400 and n <= 0x40F then
    return utf8.char(n + 80)
  elseif n >= 0x100 and n <= 0x17F and n % 2 == 0 and n ~= 0x138 then
    return utf8.char(n + 1)
  end
  return c
end

-- Non-ASCII punctuation that goes, like ASCII's: Latin-1 signs, general punctuation, CJK marks.
local function is_punct(n)
  return (n >= 0xA0 and n <= 0xBF) or n == 0xD7 or n == 0xF7 or (n >= 0x2000 and n <= 0x206F)
    or (n >= 0x3000 and n <= 0x303F) or (n >= 0xFF01 and n <= 0xFF0F)
end

local function github_id(text)
  if not text:find("[\128-\255]") then -- ASCII: the same, without a loop over characters
    return (text:lower():gsub("[^%w_%- ]", ""):gsub(" ", "-"))
  end
  local out = {}
  for _, n in utf8.codes(text) do
    local c = utf8.char(n)
    if n < 128 then
      if c:match("[%w_%-]") then out[#out + 1] = c:lower()
      elseif c == " " then out[#out + 1] = "-" end
    elseif not is_punct(n) then
      out[#out + 1] = lower_char(c)
    end
  end
  return table.concat(out)
end

-- A nested <ul> of { level =, id =, text = } entries.
local function toc_html(entries)
  local root = { level = lo - 1, children = {} }
  local stack = { root }
  for _, e in ipairs(entries) do
    while #stack > 1 and stack[#stack].level >= e.level do table.remove(stack) end
    local item = { level = e.level, entry = e, children = {} }
    table.insert(stack[#stack].children, item)
    stack[#stack + 1] = item
  end
  local out = {}
  local function list(items)
    out[#out + 1] = "<ul>\n"
    for _, item in ipairs(items) do
      out[#out + 1] = '<li><a href="#' .. folio.escape(item.entry.id) .. '">' .. folio.escape(item.entry.text) .. "</a>"
      if #item.children > 0 then out[#out + 1] = "\n"; list(item.children) end
      out[#out + 1] = "</li>\n"
    end
    out[#out + 1] = "</ul>\n"
  end
  list(root.children)
  return table.concat(out)
end

folio.hook("ast", function(doc, page)
  local used, entries = {}, {}
  for h in doc:select("heading") do
    local id = h.id
    local text = h:text()
    if not id then
      local base = github_id(text)
      if base == "" then base = "section" end
      id = base
      local k = 0
      while used[id] do k = k + 1; id = base .. "-" .. k end
      h.id = id
    end
    used[id] = true
    if h.level >= lo and h.level <= hi then
      entries[#entries + 1] = { level = h.level, id = id, text = text }
    end
  end
  page.toc = #entries >= min_headings and toc_html(entries) or nil
end)

folio.hook("render_heading", function(h)
  if not h.id then return nil end
  local id = folio.escape(h.id)
  local link = opts.link and (' <a class="anchor" href="#' .. id .. '" aria-label="Link to this section">#</a>') or ""
  return string.format('<h%d id="%s">%s%s</h%d>\n', h.level, id, h.text, link, h.level)
end)

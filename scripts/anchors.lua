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

-- The ids are made in C, as every heading of every page needs one: folio.heading_id
-- (src/core/heading_id.c) has the rules above, "section" for an empty id, and with `used` the
-- first free one of id, id-1, id-2, ... (recorded in `used`).
local heading_id = folio.heading_id

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
    if id then
      used[id] = true
    else
      id = heading_id(text, used)
      h.id = id
    end
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

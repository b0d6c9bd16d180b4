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

-- A nested <ul> of { level =, id =, text = } entries, written in one pass: `open` holds the
-- levels of the items not closed yet and `nested` whether each has opened its own <ul>.
local escape = folio.escape

local function toc_html(entries)
  local out, n = { "<ul>\n" }, 1
  local open, nested, depth = {}, {}, 0
  local function close_item()
    if nested[depth] then n = n + 1; out[n] = "</ul>\n" end
    n = n + 1; out[n] = "</li>\n"
    depth = depth - 1
  end
  for i = 1, #entries do
    local e = entries[i]
    local level = e.level
    while depth > 0 and open[depth] >= level do close_item() end
    if depth > 0 and not nested[depth] then
      n = n + 1; out[n] = "\n<ul>\n"
      nested[depth] = true
    end
    n = n + 1; out[n] = '<li><a href="#' .. escape(e.id) .. '">' .. escape(e.text) .. "</a>"
    depth = depth + 1
    open[depth], nested[depth] = level, false
  end
  while depth > 0 do close_item() end
  n = n + 1; out[n] = "</ul>\n"
  return table.concat(out)
end

-- Ids and the table of contents' entries come from one call into C: doc:heading_ids (the rules
-- above are folio.heading_id's, src/core/heading_id.c; a heading's own id is kept), not a node
-- userdata per heading.
folio.hook("ast", function(doc, page)
  local entries = doc:heading_ids(lo, hi)
  page.toc = #entries >= min_headings and toc_html(entries) or nil
end)

-- Without links, the renderer writes a heading's id itself (<hN id="...">, src/lua/lx_ast.c):
-- no hook runs per heading.
if opts.link then
  folio.hook("render_heading", function(h)
    if not h.id then return nil end
    local id = folio.escape(h.id)
    local link = ' <a class="anchor" href="#' .. id .. '" aria-label="Link to this section">#</a>'
    return string.format('<h%d id="%s">%s%s</h%d>\n', h.level, id, h.text, link, h.level)
  end)
end

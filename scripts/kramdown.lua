-- kramdown.lua: the kramdown extensions Jekyll posts use, on top of folio's CommonMark.
--   - `{::comment}...{:/comment}` (or `{:/}`) and `{::options .../}` removed (text stage);
--   - `<div markdown="1">...</div>`: the inside is read as Markdown (text stage);
--   - definition lists `term\n: definition` -> <dl><dt>/<dd> (tree stage);
--   - attribute lists `{: .class #id key="v"}` after a block or a span/link/image (tree stage
--     marks the element with an HTML comment, the html stage moves the attributes onto its tag);
--   - `* TOC\n{:toc}`: the list becomes a table of contents of the headings that are not
--     `{:.no_toc}` (built in the html stage from the rendered headings and their ids).
-- Code blocks and code spans are never touched: the text stage skips fenced and indented lines
-- and backtick spans; the tree stage only reads text nodes, never code ones.
local marks, next_mark = nil, 0

-- ---------------------------------------------------------------------------------------------
-- Text stage: comments, options, markdown="1".

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
  for line in (src .. (src:sub(-1) == "\n" and "" or "\n")):gmatch("(.-)\n") do
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

folio.hook("frontmatter", function(page)
  if page.source and (page.source:find("{::", 1, true) or page.source:find("markdown=", 1, true)) then
    page.source = transform_text(page.source) or page.source
  end
end, { order = 80 }) -- after other text hooks (Liquid runs before Markdown, as in Jekyll)

-- ---------------------------------------------------------------------------------------------
-- Attribute lists.

-- `.class #id key="v" key='v' key=v` -> { classes = {...}, id =, list of {k, v} }, or nil.
local function parse_ial(s)
  s = s:gsub("“", '"'):gsub("”", '"'):gsub("‘", "'"):gsub("’", "'")
  local a = { classes = {}, pairs = {} }
  local pos = 1
  while pos <= #s do
    local ws = s:match("^%s+", pos)
    if ws then pos = pos + #ws
    else
      local cls = s:match("^%.([%w_%-:]+)", pos)
      local id = not cls and s:match("^#([%w_%-:.]+)", pos)
      local k, q, v = s:match("^([%w_%-:]+)=([\"'])(.-)%2", pos)
      local k2, v2 = s:match("^([%w_%-:]+)=([^%s\"']+)", pos)
      if cls then a.classes[#a.classes + 1] = cls; pos = pos + 1 + #cls
      elseif id then a.id = id; pos = pos + 1 + #id
      elseif k then a.pairs[#a.pairs + 1] = { k, v }; pos = pos + #k + 3 + #v
      elseif k2 then a.pairs[#a.pairs + 1] = { k2, v2 }; pos = pos + #k2 + 1 + #v2
      else
        local word = s:match("^[%w_%-]+", pos)
        if not word then return nil end
        a.refs = a.refs or {}; a.refs[word] = true; pos = pos + #word
      end
    end
  end
  return a
end

local function has_class(a, c)
  for _, x in ipairs(a.classes) do if x == c then return true end end
  return false
end

-- A marker to put before an element: the html stage moves `a` onto the next opening tag.
local function marker(kind, a)
  next_mark = next_mark + 1
  marks[next_mark] = a
  return folio.ast.new(kind, { on_enter = "<!--kd:" .. next_mark .. "-->" })
end

local TAGGABLE = { paragraph = true, heading = true, list = true, table = true, block_quote = true,
  code_block = true, html_block = true, thematic_break = true }

local function apply_block(node, a)
  if not TAGGABLE[node.type] then return end
  if node.type == "heading" and a.id then node.id = a.id; a.id = nil end
  if node.type == "heading" and has_class(a, "no_toc") then a.no_toc = true end
  if node.type == "paragraph" and node.parent and node.parent.type == "item"
     and node.parent.parent and node.parent.parent.tight then return end
  if a.id or #a.classes > 0 or #a.pairs > 0 then node:insert_before(marker("custom_block", a)) end
end

-- The inline nodes of `para` split at soft breaks: { {nodes...}, ... } (breaks not included).
local function lines_of(para)
  local lines, cur = {}, {}
  for c in para:children() do
    if c.type == "softbreak" then lines[#lines + 1] = cur; cur = {} else cur[#cur + 1] = c end
  end
  lines[#lines + 1] = cur
  return lines
end

-- The text of a line when it is only text nodes, else nil.
local function line_text(nodes)
  local parts = {}
  for i, n in ipairs(nodes) do
    if n.type ~= "text" then return nil end
    parts[i] = n.literal
  end
  return table.concat(parts)
end

-- The attributes of a line that is an attribute list; one that cannot be read is left as text,
-- with a warning naming `line`.
local function ial_of_line(nodes, line)
  local t = line_text(nodes)
  local body = t and t:match("^%s*{:%s*(.-)%s*}%s*$")
  if not body or body:find("^[:/]") then return nil end -- `{::name}`, `{:/}`: extensions, not lists
  local a = parse_ial(body)
  if not a then
    folio.warn(string.format("line %s: attribute list %s not understood (write {: .class #id key=\"value\"}); "
      .. "left as text", line or "?", t:match("^%s*(.-)%s*$")))
  end
  return a
end

local function remove_line(para, nodes)
  local first = nodes[1]
  local brk = first and first.prev
  if brk and brk.type == "softbreak" then brk:remove() end
  for _, n in ipairs(nodes) do n:remove() end
end

-- Inline attribute lists: `{: ...}` right after a link, image, emphasis or code span.
local SPAN = { link = true, image = true, emph = true, strong = true, code = true, strikethrough = true }

local function inline_ials(doc)
  for nx in doc:select("text") do
    local c = nx.literal:sub(1, 2) == "{:" and nx.prev
    if c and SPAN[c.type] then
      local body, rest = nx.literal:match("^{:%s*(.-)%s*}(.*)$")
      local a = body and parse_ial(body)
      if a then
        if rest == "" then nx:remove() else nx.literal = rest end
        c:insert_before(marker("custom_inline", a))
      end
    end
  end
end

local toc_lists = {}

-- A paragraph whose last line (or first) is an attribute list: the line goes, its attributes
-- go onto the paragraph, the block before or after it, or the list it ends.
local function block_ial(para)
  local lines = lines_of(para)
  local a = ial_of_line(lines[#lines], para.end_line)
  if a and #lines == 1 then
    local prev = para.prev
    if prev and prev.end_line and para.line and para.line == prev.end_line + 1 then
      apply_block(prev, a)
    elseif para.next then
      apply_block(para.next, a)
    end
    para:remove()
    return
  elseif a then
    remove_line(para, lines[#lines])
    local item = para.parent
    if a.refs and a.refs.toc and item and item.type == "item" then
      toc_lists[#toc_lists + 1] = item.parent
    elseif item and item.type == "item" and not para.next and not item.next then
      apply_block(item.parent, a) -- `* b\n{: .x}`: a lazy line for CommonMark, the list's for kramdown
    else
      apply_block(para, a)
    end
  end
  local lead = #lines > 1 and ial_of_line(lines[1], para.line)
  if lead then -- `{: .x}` on the line before a paragraph
    local brk = lines[2][1] and lines[2][1].prev
    for _, n in ipairs(lines[1]) do n:remove() end
    if brk and brk.type == "softbreak" then brk:remove() end
    apply_block(para, lead)
  end
end

local function block_ials(doc, src)
  for para in doc:select("paragraph") do -- (cheap checks first: most paragraphs have none)
    local first, last = para.first_child, para.last_child
    if (last and last.type == "text" and last.literal:find("}%s*$"))
       or (first and first.type == "text" and first.literal:find("^%s*{:")) then
      block_ial(para)
    end
  end
  if src:find("[%)%*_`~]{:") then inline_ials(doc) end
  for tbl in doc:select("table") do -- a GFM table takes the IAL line as its last row
    local row = tbl.last_child
    local cell = row and row.first_child
    local body = cell and cell:text():match("^%s*{:%s*(.-)%s*}%s*$")
    local a = body and row:text():match("^%s*{:.-}%s*$") and parse_ial(body)
    if a then row:remove(); apply_block(tbl, a) end
  end
  for h in doc:select("heading") do -- kramdown's `## Title {#id}`
    local last = h.last_child
    if last and last.type == "text" then
      local before, id = last.literal:match("^(.-)%s*{#([%w_%-:.]+)}%s*$")
      if id then last.literal = before; h.id = id end
    end
  end
end

-- ---------------------------------------------------------------------------------------------
-- Definition lists.

local function starts_definition(nodes)
  local first = nodes[1]
  return first and first.type == "text" and first.literal:match("^:%s+%S") ~= nil
end

-- A custom_block `<tag>` ... `</tag>` holding the inline nodes of `lines` (soft breaks between).
local function inline_block(tag, lines)
  local b = folio.ast.new("custom_inline", { on_enter = "<" .. tag .. ">", on_exit = "</" .. tag .. ">\n" })
  for i, nodes in ipairs(lines) do
    if i > 1 then b:append(folio.ast.new("softbreak", {})) end
    for _, n in ipairs(nodes) do b:append(n) end
  end
  return b
end

-- `Term\n\n: definition`: the paragraph before gives the terms (or a list just made, which
-- gets one more definition); the definition is a paragraph, as kramdown writes it.
local function loose_definition(para, lines)
  local prev = para.prev
  local dl
  if prev and prev.type == "custom_block" and prev.on_enter == "<dl>\n" then
    dl = prev
  elseif prev and prev.type == "paragraph" then
    dl = folio.ast.new("custom_block", { on_enter = "<dl>\n", on_exit = "</dl>" })
    for _, nodes in ipairs(lines_of(prev)) do dl:append(inline_block("dt", { nodes })) end
    prev:insert_before(dl)
    prev:remove()
  else
    return
  end
  lines[1][1].literal = lines[1][1].literal:gsub("^:%s+", "")
  local dd = folio.ast.new("custom_block", { on_enter = "<dd>", on_exit = "</dd>\n" })
  dl:append(dd)
  dd:append(para:remove())
end

-- The set of source lines that may open a definition (`: text`, maybe indented or quoted), or nil.
local function definition_lines(src)
  if not src:find("\n[ \t>]*:%s") and not src:find("^[ \t>]*:%s") then return nil end
  local set, n = {}, 0
  for line in src:gmatch("([^\n]*)\n?") do
    n = n + 1
    if line:find("^[ \t>]*:%s") then set[n] = true end
  end
  return set
end

local function spans_any(node, set)
  local first, last = node.line, node.end_line
  if not first then return true end
  for l = first, last or first do if set[l] then return true end end
  return false
end

local function definition_list(para)
  local lines = lines_of(para)
  local first_def
  for i, nodes in ipairs(lines) do
    if starts_definition(nodes) then first_def = i; break end
  end
  if first_def == 1 then return loose_definition(para, lines) end
  if not first_def then return end
  local dl = folio.ast.new("custom_block", { on_enter = "<dl>\n", on_exit = "</dl>" })
  for i = 1, first_def - 1 do dl:append(inline_block("dt", { lines[i] })) end
  local group
  for i = first_def, #lines do
    local nodes = lines[i]
    if starts_definition(nodes) then
      nodes[1].literal = nodes[1].literal:gsub("^:%s+", "")
      if group then dl:append(inline_block("dd", group)) end
      group = { nodes }
    else
      group[#group + 1] = nodes
    end
  end
  dl:append(inline_block("dd", group))
  para:insert_before(dl)
  para:remove()
end

-- ---------------------------------------------------------------------------------------------
-- Table of contents (from the rendered headings).

local function toc_html(headings, ordered)
  local tag = ordered and "ol" or "ul"
  local out, depth, levels = {}, 0, {}
  for _, h in ipairs(headings) do
    if depth == 0 then
      out[#out + 1] = "<" .. tag .. ' id="markdown-toc">\n'; depth = 1; levels[1] = h.level
    else
      while depth > 1 and h.level < levels[depth] do out[#out + 1] = "</li>\n</" .. tag .. ">\n"; depth = depth - 1 end
      if h.level > levels[depth] then
        out[#out + 1] = "\n<" .. tag .. ">\n"; depth = depth + 1; levels[depth] = h.level
      else
        out[#out + 1] = "</li>\n"
      end
    end
    local id = folio.escape(h.id)
    out[#out + 1] = '<li><a href="#' .. id .. '" id="markdown-toc-' .. id .. '">' .. folio.escape(h.text) .. "</a>"
  end
  if depth == 0 then return "" end
  for _ = 2, depth do out[#out + 1] = "</li>\n</" .. tag .. ">\n" end
  out[#out + 1] = "</li>\n</" .. tag .. ">\n"
  return table.concat(out)
end

local function kramdown_id(text)
  local id = text:lower():gsub("[^%w%s_%-]", ""):gsub("^[^%a]+", ""):gsub("%s+", "-")
  return id ~= "" and id or "section"
end

folio.hook("ast", function(doc, page)
  marks, next_mark, toc_lists = {}, 0, {}
  local src = page.source or ""
  local def_lines = definition_lines(src)
  if def_lines then
    for para in doc:select("paragraph") do
      if spans_any(para, def_lines) then definition_list(para) end
    end
  end
  if src:find("{", 1, true) then block_ials(doc, src) end
  for _, list in ipairs(toc_lists) do
    list:insert_before(folio.ast.new("custom_block", { on_enter = list.list_type == "ordered" and "<!--kd:toc:ol-->" or "<!--kd:toc:ul-->" }))
    list:remove()
  end
  page.kramdown_marks = next(marks) and marks or nil
  page.kramdown_toc = #toc_lists > 0 or nil
end, { order = 20 })

-- After anchors (order 50): headings still without an id get kramdown's, when a toc needs them.
folio.hook("ast", function(doc, page)
  if not page.kramdown_toc then return end
  local used = {}
  for h in doc:select("heading") do if h.id then used[h.id] = true end end
  for h in doc:select("heading") do
    if not h.id then
      local base = kramdown_id(h:text())
      local id, k = base, 0
      while used[id] do k = k + 1; id = base .. "-" .. k end
      used[id] = true
      h.id = id
    end
  end
end, { order = 60 })

-- ---------------------------------------------------------------------------------------------
-- Html stage: attributes onto tags, the table of contents.

local function merge_attrs(tag_attrs, a)
  local extra = {}
  if #a.classes > 0 then
    local cls = table.concat(a.classes, " ")
    local n
    tag_attrs, n = tag_attrs:gsub(' class="(.-)"', function(old) return ' class="' .. old .. " " .. folio.escape(cls) .. '"' end, 1)
    if n == 0 then extra[#extra + 1] = 'class="' .. folio.escape(cls) .. '"' end
  end
  if a.id then
    local n
    tag_attrs, n = tag_attrs:gsub(' id="(.-)"', function() return ' id="' .. folio.escape(a.id) .. '"' end, 1)
    if n == 0 then extra[#extra + 1] = 'id="' .. folio.escape(a.id) .. '"' end
  end
  for _, kv in ipairs(a.pairs) do extra[#extra + 1] = kv[1] .. '="' .. folio.escape(kv[2]) .. '"' end
  if #extra == 0 then return tag_attrs end
  return tag_attrs .. " " .. table.concat(extra, " ")
end

local function apply_marks(html, marks)
  return (html:gsub("<!%-%-kd:(%d+)%-%->(%s*)<([%w]+)([^>]-)(/?)>", function(n, _, tag, attrs, slash)
    local a = marks[tonumber(n)]
    if not a then return nil end
    return "<" .. tag .. merge_attrs(attrs:gsub("%s+$", ""), a) .. (slash ~= "" and " /" or "") .. ">"
  end):gsub("<!%-%-kd:%d+%-%->", ""))
end

local function headings_of(html)
  local list = {}
  for level, attrs, inner in html:gmatch("<h([1-6])([^>]*)>(.-)</h%1>") do
    local id = attrs:match('id="([^"]*)"')
    local cls = attrs:match('class="([^"]*)"') or ""
    if id and not (" " .. cls .. " "):find(" no_toc ", 1, true) then
      local text = folio.html_text(inner):gsub("%s+#$", "") -- anchors' `#` link left out
      id = id:gsub("&quot;", '"'):gsub("&amp;", "&")
      list[#list + 1] = { level = tonumber(level), id = id, text = text }
    end
  end
  return list
end

folio.hook("html", function(page)
  local html = page.content
  if not html then return end
  if page.kramdown_marks then html = apply_marks(html, page.kramdown_marks) end
  if page.kramdown_toc then
    local headings = headings_of(html)
    html = html:gsub("<!%-%-kd:toc:(%a+)%-%->\n?", function(tag) return toc_html(headings, tag == "ol") end)
  end
  page.content = html
  page.kramdown_marks, page.kramdown_toc = nil, nil
end, { order = 20 })


-- kramdown_tree.lua: the tree pass of the kramdown plugin: attribute lists (block and inline)
-- found in text nodes, removed, and recorded with a marker comment before their element (the html
-- pass moves them onto its tag); `{: #id}` on a heading set as its id; lists marked `{:toc}`
-- collected; definition lists (`term\n: definition`) made into <dl>. Code nodes are never read.
-- Also kramdown's typography for Jekyll sites (typography_html: quotes, dashes, ellipses on the
-- rendered HTML, code and raw blocks left alone).
local scan = assert(folio.embedded.load("scripts/kramdown_scan.lua", _G))() -- whole-text tests
local marks, next_mark, toc_lists


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
  if scan.span_attribute_list(src) then inline_ials(doc) end -- after `)`, a reference `]`, emphasis, code
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
  if not scan.definition_line(src) then return nil end
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
-- kramdown's typography (a Jekyll site: cmark's smart punctuation is off there). kramdown curls
-- quotes by its SQ_RULES (kramdown/parser/kramdown/smart_quotes.rb), tried at the leftmost place
-- in a run of text where one matches, so the character before a quote decides most of them
-- (`-"` opens, `x"` closes); a run starts after any element (code, emphasis, a link, an HTML
-- tag), where the character after the quote decides. `---`, `--`, `...`, `<<`, `>>` become
-- dashes, an ellipsis and guillemets.

local LQ = { ["'"] = "\u{2018}", ['"'] = "\u{201C}" }
local find, sub = string.find, string.sub
local text_runs = folio.text_runs -- (safe mode's folio has none: the same scan in Lua then)
local RQ = { ["'"] = "\u{2019}", ['"'] = "\u{201D}" }
local SYMS = { { "---", "\u{2014}" }, { "--", "\u{2013}" }, { "...", "\u{2026}" },
               { "<< ", "\u{AB}\u{A0}" }, { " >>", "\u{A0}\u{BB}" }, { "<<", "\u{AB}" }, { ">>", "\u{BB}" } }
local PUNCT_AT = "^[!\"#%$%%'()*+,%-./:;<=>?@%[\\%]%^_`{|}~]"

local function is_space(c) return c ~= "" and c:find("^[ \t\r\n\f\v]") ~= nil end
local function is_word(c) return c ~= "" and c:find("^[%w_]") ~= nil end
local function is_quote(c) return c == "'" or c == '"' end
local function sq_close(c) return c ~= "" and not c:find("^[ \\\t\r\n%[{(%-]") end

-- The quote rules at position p of s (run text followed by `after`, the source after the run):
-- the number of characters matched and the replacement, or nil.
local function quote_rule(s, p)
  local c, c1, c2 = s:sub(p, p), s:sub(p + 1, p + 1), s:sub(p + 2, p + 2)
  if is_quote(c) then
    if s:find("^[_*][_*]?%S", p + 1) then return 1, LQ[c] end                  -- "*em*
    if c1:find(PUNCT_AT) and s:sub(p + 1, p + 2) ~= ".." and not is_word(c2) then return 1, RQ[c] end
  end
  local sp = is_space(c) and 1 or 0 -- (\s?)"'(?=\w), (\s?)'"(?=\w), (\s?)'(?=\d\ds)
  if sp == 1 or is_quote(c) then
    for _, off in ipairs(sp == 1 and { 1, 0 } or { 0 }) do
      local q1, q2, w = s:sub(p + off, p + off), s:sub(p + off + 1, p + off + 1), s:sub(p + off + 2, p + off + 2)
      local lead = s:sub(p, p + off - 1)
      if q1 == '"' and q2 == "'" and is_word(w) then return off + 2, lead .. LQ['"'] .. LQ["'"] end
      if q1 == "'" and q2 == '"' and is_word(w) then return off + 2, lead .. LQ["'"] .. LQ['"'] end
      if q1 == "'" and s:find("^%d%ds", p + off + 1) then return off + 1, lead .. RQ["'"] end
      if off == 1 and not is_space(c) then break end
    end
  end
  if is_space(c) and is_quote(c1) and is_word(c2) then return 2, c .. LQ[c1] end -- (\s)("|')(?=\w)
  if sq_close(c) and is_quote(c1) then return 2, c .. RQ[c1] end                -- (SQ_CLOSE)("|')
  if is_quote(c) and (c1 == "" or is_space(c1) or (c1 == "s" and not is_word(c2))) then return 1, RQ[c] end
  if c1 == "'" then return 2, c .. LQ["'"] end
  if c == "'" then return 1, LQ["'"] end
  if c1 == '"' then return 2, c .. LQ['"'] end
  if c == '"' then return 1, LQ['"'] end
  return nil
end

-- A typographic symbol or a quote rule at p: (characters matched, replacement) or nil.
local function typographic_at(s, p, n)
  local b, b1 = s:byte(p), s:byte(p + 1)
  if b == 45 and b1 == 45 then -- -- ---
    if p + 2 <= n and s:byte(p + 2) == 45 then return 3, SYMS[1][2] end
    if p + 1 <= n then return 2, SYMS[2][2] end
  elseif b == 46 and b1 == 46 and p + 2 <= n and s:sub(p, p + 2) == "..." then return 3, SYMS[3][2]
  elseif b == 60 or b == 62 or (b == 32 and b1 == 62) then -- << >>
    for i = 4, #SYMS do
      local pair = SYMS[i]
      local e = p + #pair[1] - 1
      if e <= n and s:sub(p, e) == pair[1] then return #pair[1], pair[2] end
    end
  end
  if (b1 == 39 or b1 == 34) and b and (b >= 128 or (b >= 48 and b <= 57) or (b >= 65 and b <= 90) or (b >= 97 and b <= 122)) then
    if p + 1 <= n then return 2, string.char(b) .. RQ[string.char(b1)] end -- a letter, a quote: only (SQ_CLOSE)("|') can match
    return nil
  end
  if b == 34 or b == 39 or b1 == 34 or b1 == 39 then
    local len, rep = quote_rule(s, p)
    if len and p + len - 1 <= n then return len, rep end
  end
  return nil
end

-- The run's text with kramdown's typography; `after` is what follows the run in the source.
-- Rules match at a candidate (a quote, `--`, `...`, `<<`/`>>`, each found in C) or at the
-- character before it: the loop jumps from one to the next.
local function typeset(run, after)
  local quote, dash, dots = scan.first_of(run, '"', "'", 1), find(run, "--", 1, true), find(run, "...", 1, true)
  local guil = (find(run, "<", 1, true) or find(run, ">", 1, true)) and find(run, "[<>][<>]")
  if not (quote or dash or dots or guil) then return run end
  local s, n = run .. after, #run
  local out, p = {}, 1
  local q = math.min(quote or n + 1, dash or n + 1, dots or n + 1, guil or n + 1)
  while q <= n do
    if q - 1 > p then out[#out + 1] = run:sub(p, q - 2); p = q - 1 end
    while p <= q do
      local len, rep = typographic_at(s, p, n)
      if len then out[#out + 1] = rep; p = p + len; break end
      out[#out + 1] = s:sub(p, p); p = p + 1
    end
    if p > n then break end
    if quote and quote < p then quote = scan.first_of(run, '"', "'", p) end
    if dash and dash < p then dash = run:find("--", p, true) end
    if dots and dots < p then dots = run:find("...", p, true) end
    if guil and guil < p then guil = run:find("[<>][<>]", p) end
    q = math.min(quote or n + 1, dash or n + 1, dots or n + 1, guil or n + 1)
  end
  if p <= n then out[#out + 1] = run:sub(p) end
  return table.concat(out)
end

-- The typography is set on the rendered HTML (a page then needs no Markdown tree): a run is the
-- text between two tags; code, pre, script, style and comments are skipped; what follows a run is
-- read back from the tag after it as the Markdown it came from (`<em>` is `*`, `</a>` is `]`,
-- the end of a block is the end of the text).
local RAW_TAGS = { code = true, pre = true, script = true, style = true, textarea = true }
local OPENS = { em = "*", i = "*", strong = "**", b = "**", a = "[", code = "`", img = "![", br = "\n", del = "~~" }
local CLOSES = { em = "*", i = "*", strong = "**", b = "**", a = "]", del = "~~", span = "<", sup = "<", sub = "<",
                 kbd = "<", abbr = "<", cite = "<", q = "<", small = "<", s = "<", u = "<", mark = "<" }

local function decoded(text)
  if not text:find("&", 1, true) then return text end
  if find(text, "&quot;", 1, true) then text = text:gsub("&quot;", '"') end
  if find(text, "&lt;", 1, true) then text = text:gsub("&lt;", "<") end
  if find(text, "&gt;", 1, true) then text = text:gsub("&gt;", ">") end
  return text
end

local function html_after(html, lt)
  local slash, name = html:match("^<(/?)(%w+)", lt)
  if not name then return "<" end
  name = name:lower()
  if slash == "/" then return CLOSES[name] or "" end -- a block's end: the end of the text
  local open = OPENS[name]
  if not open then return "<" end
  if open == "*" or open == "**" or open == "[" then
    return open .. decoded(html:match("^<[^>]*>([^<]*)", lt) or "")
  end
  return open
end

-- Whether text holds something typography may change: a quote, an entity (`&quot;`, `&lt;`...),
-- `--`, `...`, or a literal `>>` beside a `-` or `.` (a run is typeset only when it has one of
-- `"'&-.`). Plain finds: a pattern class would be tried at every character.
local function may_typeset(text)
  if find(text, "'", 1, true) or find(text, '"', 1, true) or find(text, "&", 1, true) or
     find(text, "--", 1, true) or find(text, "...", 1, true) then
    return true
  end
  return find(text, ">>", 1, true) ~= nil and (find(text, "-", 1, true) or find(text, ".", 1, true)) ~= nil
end

-- Typesets the text runs of `seg` (HTML without raw regions); `tail` is the HTML after it. A run
-- is what follows a `>` up to the next `<`. Runs and candidates are found with plain finds, the
-- next place of each candidate kept until the runs pass it (each is looked for once per place,
-- not once per run).
local function typeset_segment(seg, tail)
  local whole = ">" .. seg .. tail -- (a leading `>` makes the first run look like the others)
  local n, limit = #whole, #seg + 1
  local never = n + 10
  local sq, dq, amp, dash, dots, gg, minus, dot = 0, 0, 0, 0, 0, 0, 0, 0
  local function candidate_in(i, j) -- may_typeset for whole[i..j]
    if sq < i then sq = find(whole, "'", i, true) or never end
    if sq <= j then return true end
    if dq < i then dq = find(whole, '"', i, true) or never end
    if dq <= j then return true end
    if amp < i then amp = find(whole, "&", i, true) or never end
    if amp <= j then return true end
    if dash < i then dash = find(whole, "--", i, true) or never end
    if dash + 1 <= j then return true end
    if dots < i then dots = find(whole, "...", i, true) or never end
    if dots + 2 <= j then return true end
    if gg < i then gg = find(whole, ">>", i, true) or never end
    if gg + 1 > j then return false end
    if minus < i then minus = find(whole, "-", i, true) or never end
    if minus <= j then return true end
    if dot < i then dot = find(whole, ".", i, true) or never end
    return dot <= j
  end
  local out, copied = {}, 1 -- whole[copied..] is not in `out` yet
  local function typeset_run(gt, lt) -- the run whole[gt + 1 .. lt - 1], between `>` and `<`
    local plain = decoded(sub(whole, gt + 1, lt - 1))
    local typed = typeset(plain, lt <= n and html_after(whole, lt) or "")
    if typed ~= plain then
      out[#out + 1] = sub(whole, copied, gt)
      if find(typed, "<", 1, true) or find(typed, ">", 1, true) or find(typed, '"', 1, true) then
        typed = typed:gsub("[<>\"]", { ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;" })
      end
      out[#out + 1] = typed
      copied = lt
    end
  end
  if text_runs then -- the scan in C (folio.text_runs, the same loop as below)
    local runs = text_runs(whole, limit)
    for k = 1, #runs, 2 do typeset_run(runs[k] - 1, runs[k + 1] + 1) end
  else
    local gt = find(whole, ">", 1, true)
    while gt and gt + 1 <= limit do
      local lt = find(whole, "<", gt + 1, true) or n + 1
      if lt > gt + 1 and candidate_in(gt + 1, lt - 1) then typeset_run(gt, lt) end
      gt = find(whole, ">", lt, true)
    end
  end
  if copied == 1 then return seg end
  out[#out + 1] = sub(whole, copied)
  local result = table.concat(out)
  return sub(result, 2, #result - #tail)
end

-- The end of the first `</name%s*>` at or after `start` (`closer` is "</name"), or nil: plain
-- finds to each "</name", then the anchored rest.
local function closer_end(html, closer, start)
  local at = find(html, closer, start, true)
  while at do
    local _, e = find(html, "^%s*>", at + #closer)
    if e then return e end
    at = find(html, closer, at + 1, true)
  end
  return nil
end

local RAW_OPENERS = { "<code", "<pre", "<script", "<style", "<textarea", "<!--" }

local function typography_html(html)
  if not may_typeset(html) then return html end
  local out, pos, n = {}, 1, #html
  local next_at = {} -- where each raw opener is next (false: nowhere), found with plain finds
  while pos <= n do
    local start, which
    for i, opener in ipairs(RAW_OPENERS) do
      local at = next_at[i]
      if at ~= false and (at == nil or at < pos) then
        at = html:find(opener, pos, true)
        -- the whole name (`<code>`, `<code class=...>`, not `<codex>`); `<!--` is always a comment
        while at and i < 6 and not html:find("^[%s>/]", at + #opener) do at = html:find(opener, at + 1, true) end
        at = at or false
        next_at[i] = at
      end
      if at and (not start or at < start) then start, which = at, i end
    end
    local stop = start or n + 1
    if stop > pos then out[#out + 1] = typeset_segment(html:sub(pos, stop - 1), html:sub(stop, stop + 80)) end
    if not start then break end
    local close
    if which == 6 then close = select(2, html:find("-->", start + 4, true))
    else close = closer_end(html, "</" .. RAW_OPENERS[which]:sub(2), start) end
    close = close or n
    out[#out + 1] = html:sub(start, close)
    pos = close + 1
  end
  return table.concat(out)
end

-- Runs the tree pass on `doc`, whose Markdown was `src`. Returns the attributes of each marker
-- (`<!--kd:N-->`, by N) and the lists that are tables of contents.
local function run(doc, src)
  marks, next_mark, toc_lists = {}, 0, {}
  local def_lines = definition_lines(src)
  if def_lines then
    for para in doc:select("paragraph") do
      if spans_any(para, def_lines) then definition_list(para) end
    end
  end
  if scan.attribute_list(src) then block_ials(doc, src) end -- attribute lists `{:...}`, heading ids `{#id}`
  return marks, toc_lists
end

return { run = run, typography_html = typography_html }

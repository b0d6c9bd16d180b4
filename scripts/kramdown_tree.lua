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
local text_runs = folio.text_runs -- (safe mode's folio has none, nor folio.typography_*: Lua then)
local RQ = { ["'"] = "\u{2019}", ['"'] = "\u{201D}" }
local SYMS = { { "---", "\u{2014}" }, { "--", "\u{2013}" }, { "...", "\u{2026}" },
               { "<< ", "\u{AB}\u{A0}" }, { " >>", "\u{A0}\u{BB}" }, { "<<", "\u{AB}" }, { ">>", "\u{BB}" } }
local PUNCT_AT = "^[!\"#%$%%'()*+,%-./:;<=>?@%[\\%]%^_`{|}~]"

local function is_space(c) return c ~= "" and c:find("^[ \t\r\n\f\v]") ~= nil end
local function is_word(c) return c ~= "" and c:find("^[%w_]") ~= nil end
local function sq_close(c) return c ~= "" and not c:find("^[ \\\t\r\n%[{(%-]") end

-- The same tests by byte (byte -> true), made from the functions above: the rules below read
-- bytes, not one-character strings.
local SPACE, WORD, PUNCT, SQ_CLOSE = {}, {}, {}, {}
for b = 0, 255 do
  local c = string.char(b)
  SPACE[b], WORD[b], SQ_CLOSE[b] = is_space(c) or nil, is_word(c) or nil, sq_close(c) or nil
  PUNCT[b] = c:find(PUNCT_AT) and true or nil
end
local byte, char = string.byte, string.char
local LQB, RQB = { [39] = LQ["'"], [34] = LQ['"'] }, { [39] = RQ["'"], [34] = RQ['"'] }
local LSQ, LDQ, RSQ = LQ["'"], LQ['"'], RQ["'"]
local function is_digit(b) return b ~= nil and b >= 48 and b <= 57 end

-- The quote rules at position p of s (run text followed by `after`, the source after the run),
-- whose bytes there are c, c1, c2 (nil past the end): the number of characters matched and the
-- replacement, or nil.
local function quote_rule(s, p, c, c1, c2)
  local quote = c == 39 or c == 34
  if quote then
    if (c1 == 95 or c1 == 42) and c2 and not SPACE[c2] then return 1, LQB[c] end -- "*em* (^[_*][_*]?%S)
    if PUNCT[c1] and not (c1 == 46 and c2 == 46) and not WORD[c2] then return 1, RQB[c] end
  end
  local sp = SPACE[c] -- (\s?)"'(?=\w), (\s?)'"(?=\w), (\s?)'(?=\d\ds)
  if sp or quote then
    local off = sp and 1 or 0 -- (after a space, the quote is the next character)
    local q1, q2, w, w2 = byte(s, p + off, p + off + 3)
    local lead = sp and char(c) or ""
    if q1 == 34 and q2 == 39 and WORD[w] then return off + 2, lead .. LDQ .. LSQ end
    if q1 == 39 and q2 == 34 and WORD[w] then return off + 2, lead .. LSQ .. LDQ end
    if q1 == 39 and is_digit(q2) and is_digit(w) and w2 == 115 then return off + 1, lead .. RSQ end
  end
  if sp and (c1 == 39 or c1 == 34) and WORD[c2] then return 2, char(c) .. LQB[c1] end -- (\s)("|')(?=\w)
  if SQ_CLOSE[c] and (c1 == 39 or c1 == 34) then return 2, char(c) .. RQB[c1] end  -- (SQ_CLOSE)("|')
  if quote and (c1 == nil or SPACE[c1] or (c1 == 115 and not WORD[c2])) then return 1, RQB[c] end
  if c1 == 39 then return 2, char(c) .. LSQ end
  if c == 39 then return 1, LSQ end
  if c1 == 34 then return 2, char(c) .. LDQ end
  if c == 34 then return 1, LDQ end
  return nil
end

-- A letter (or a byte of a UTF-8 character) and a closing quote, by quote byte and letter byte.
local CLOSED = { [39] = {}, [34] = {} }

-- A typographic symbol or a quote rule at p: (characters matched, replacement) or nil.
local function typographic_at(s, p, n)
  local b, b1, b2 = byte(s, p, p + 2)
  if b == 45 and b1 == 45 then -- -- ---
    if p + 2 <= n and b2 == 45 then return 3, SYMS[1][2] end
    if p + 1 <= n then return 2, SYMS[2][2] end
  elseif b == 46 and b1 == 46 and p + 2 <= n and b2 == 46 then return 3, SYMS[3][2]
  elseif b == 60 or b == 62 or (b == 32 and b1 == 62) then -- << >>
    for i = 4, #SYMS do
      local pair = SYMS[i]
      local e = p + #pair[1] - 1
      if e <= n and s:sub(p, e) == pair[1] then return #pair[1], pair[2] end
    end
  end
  if (b1 == 39 or b1 == 34) and b and (b >= 128 or (b >= 48 and b <= 57) or (b >= 65 and b <= 90) or (b >= 97 and b <= 122)) then
    if p + 1 <= n then -- a letter, a quote: only (SQ_CLOSE)("|') can match
      local rep = CLOSED[b1][b]
      if not rep then rep = char(b) .. RQB[b1]; CLOSED[b1][b] = rep end
      return 2, rep
    end
    return nil
  end
  if b == 34 or b == 39 or b1 == 34 or b1 == 39 then
    local len, rep = quote_rule(s, p, b, b1, b2)
    if len and p + len - 1 <= n then return len, rep end
  end
  return nil
end

-- The run's text with kramdown's typography; `after` is what follows the run in the source.
-- Rules match at a candidate (a quote, `--`, `...`, `<<`/`>>`, each found with a plain find) or
-- at the character before it: the loop jumps from one to the next, and the text between two
-- replacements is copied as one piece.
local function typeset(run, after)
  local n = #run
  local never = n + 1
  local sq, dq = find(run, "'", 1, true) or never, find(run, '"', 1, true) or never
  local dash, dots = find(run, "--", 1, true) or never, find(run, "...", 1, true) or never
  local guil = (find(run, "<", 1, true) or find(run, ">", 1, true)) and find(run, "[<>][<>]") or never
  local q = sq
  if dq < q then q = dq end
  if dash < q then q = dash end
  if dots < q then q = dots end
  if guil < q then q = guil end
  if q > n then return run end
  local s = run .. after
  local out, copied, p = {}, 1, 1 -- run[copied..] is not in `out` yet
  while q <= n do
    if q - 1 > p then p = q - 1 end
    -- a letter before a quote, the usual case (`it's`): typographic_at's first answer, here
    local b = p < q and (q == sq or q == dq) and byte(run, p)
    if b and (b >= 128 or (b >= 48 and b <= 57) or (b >= 65 and b <= 90) or (b >= 97 and b <= 122)) then
      local closed = CLOSED[q == sq and 39 or 34]
      local rep = closed[b]
      if not rep then rep = char(b) .. (q == sq and RSQ or RQ['"']); closed[b] = rep end
      if p > copied then out[#out + 1] = sub(run, copied, p - 1) end
      out[#out + 1] = rep
      p = q + 1
      copied = p
    else
      while p <= q do
        local len, rep = typographic_at(s, p, n)
        if len then
          if p > copied then out[#out + 1] = sub(run, copied, p - 1) end
          out[#out + 1] = rep
          p = p + len
          copied = p
          break
        end
        p = p + 1
      end
    end
    if p > n then break end
    if sq < p then sq = find(run, "'", p, true) or never end
    if dq < p then dq = find(run, '"', p, true) or never end
    if dash < p then dash = find(run, "--", p, true) or never end
    if dots < p then dots = find(run, "...", p, true) or never end
    if guil < p then guil = find(run, "[<>][<>]", p) or never end
    q = sq
    if dq < q then q = dq end
    if dash < q then q = dash end
    if dots < q then q = dots end
    if guil < q then q = guil end
  end
  if copied == 1 then return run end
  if copied <= n then out[#out + 1] = sub(run, copied) end
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

-- What follows a run that ends before the tag at `lt`, read as Markdown; `bound`: the last byte
-- of html it may read (the text of an `<em>` is cut there, as the old per-segment copies were).
local function html_after(html, lt, bound)
  local slash, name = html:match("^<(/?)(%w+)", lt)
  if not name then return "<" end
  name = name:lower()
  if slash == "/" then return CLOSES[name] or "" end -- a block's end: the end of the text
  local open = OPENS[name]
  if not open then return "<" end
  if open == "*" or open == "**" or open == "[" then
    local _, e, inner = find(html, "^<[^>]*>([^<]*)", lt)
    if e and e > bound then _, _, inner = find(sub(html, lt, bound), "^<[^>]*>([^<]*)") end
    return open .. decoded(inner or "")
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

-- The runs of `whole` (1-based i, j pairs) that follow a `>` at or before limit - 1 up to the
-- next `<` (or the end), non-empty and with something may_typeset sees: folio.text_runs's scan,
-- in Lua for safe mode's folio, which has none.
local function lua_text_runs(whole, limit)
  local out, n = {}, #whole
  local gt = find(whole, ">", 1, true)
  while gt and gt + 1 <= limit do
    local lt = find(whole, "<", gt + 1, true) or n + 1
    if lt > gt + 1 and may_typeset(sub(whole, gt + 1, lt - 1)) then out[#out + 1] = gt + 1; out[#out + 1] = lt - 1 end
    gt = find(whole, ">", lt, true)
  end
  return out
end

-- The typography of the run html[a..b] (`after`: the Markdown after it), back in HTML, or nil
-- when unchanged: folio.typography_run, in Lua for safe mode's folio, which has none (and as
-- the reference tests/lua/test_typography_run.lua holds the C to).
local function lua_typography_run(html, a, b, after)
  local plain = decoded(sub(html, a, b))
  local typed = typeset(plain, after)
  if typed == plain then return nil end
  if find(typed, "<", 1, true) or find(typed, ">", 1, true) or find(typed, '"', 1, true) then
    typed = typed:gsub("[<>\"]", { ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;" })
  end
  return typed
end
local typography_run = folio.typography_run or lua_typography_run

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
local RAW_CLOSERS = { "</code", "</pre", "</script", "</style", "</textarea" }

-- The typography of a page's HTML. Raw regions (code, pre, script, style, textarea, comments)
-- are skipped; the text between two of them is a segment, whose runs are what follows each `>`
-- (and the segment's start) up to the next `<`. The runs are found once for the whole page: a
-- segment's runs are the page's that start in it, except after a comment (which may hold `<` and
-- `>`), where the page's run may start inside the comment: its part in the segment is the
-- segment's first run. What follows a run is read no further than 80 bytes past its segment's
-- end. Unchanged HTML is copied once, at the end. folio.typography_html does the same in C (safe
-- mode's folio has none: this, then).
local function lua_typography_html(html)
  if not may_typeset(html) then return html end
  local n = #html
  local whole = ">" .. html -- (a leading `>` makes the first run look like the others)
  local runs = text_runs and text_runs(whole, n + 1) or lua_text_runs(whole, n + 1)
  local nruns, k = #runs, 1 -- (whole's positions: one past html's)
  if nruns == 0 then return html end
  local out, copied, pos = {}, 1, 1 -- html[copied..] is not in `out` yet
  local next_at = {} -- where each raw opener is next (false: nowhere), found with plain finds
  local present, npresent = {}, 0 -- the openers the page has (most pages have one or two)
  for i = 1, 6 do
    if find(html, RAW_OPENERS[i], 1, true) then npresent = npresent + 1; present[npresent] = i end
  end
  while k < nruns do
    local start, which
    for j = 1, npresent do
      local i = present[j]
      local at = next_at[i]
      if at ~= false and (at == nil or at < pos) then
        local opener = RAW_OPENERS[i]
        at = find(html, opener, pos, true)
        -- the whole name (`<code>`, `<code class=...>`, not `<codex>`); `<!--` is always a comment
        while at and i < 6 and not find(html, "^[%s>/]", at + #opener) do at = find(html, opener, at + 1, true) end
        at = at or false
        next_at[i] = at
      end
      if at and (not start or at < start) then start, which = at, i end
    end
    local stop = start or n + 1
    local bound = start and stop + 80 or n
    while k < nruns do -- the runs in pos..stop - 1
      local a, b = runs[k] - 1, runs[k + 1] - 1
      if a >= stop then break end
      if b >= pos and (a >= pos or may_typeset(sub(html, pos, b))) then
        if a < pos then a = pos end
        local typed = typography_run(html, a, b, b < n and html_after(html, b + 1, bound) or "")
        if typed then
          if a > copied then out[#out + 1] = sub(html, copied, a - 1) end
          out[#out + 1] = typed
          copied = b + 1
        end
      end
      k = k + 2
    end
    if not start then break end
    local close
    if which == 6 then close = select(2, find(html, "-->", start + 4, true))
    else close = closer_end(html, RAW_CLOSERS[which], start) end
    pos = (close or n) + 1
  end
  if copied == 1 then return html end
  if copied <= n then out[#out + 1] = sub(html, copied) end
  return table.concat(out)
end

local typography_html = folio.typography_html or lua_typography_html

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

-- (typography_html_lua, typography_run_lua: the Lua paths of folio.typography_html and
-- folio.typography_run, for their differential test)
return { run = run, typography_html = typography_html, typography_html_lua = lua_typography_html,
         typography_run_lua = lua_typography_run }

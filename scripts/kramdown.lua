-- kramdown.lua: the kramdown extensions Jekyll posts use, on top of folio's CommonMark. This
-- file wires the passes to the hook stages and owns the html pass; the work is in two helpers:
--   scripts/kramdown_text.lua  (frontmatter stage) `{::comment}`, `{::options /}` removed,
--                              `<div markdown="1">` insides read as Markdown; on Jekyll sites
--                              also kramdown's HTML blocks, `1)`, link URLs and escapes;
--   scripts/kramdown_math.lua  (frontmatter stage) `$$...$$` math kept out of Markdown, written
--                              as MathJax's `\(...\)` and `\[...\]` in the html pass;
--   scripts/kramdown_tree.lua  (ast stage) attribute lists `{: .class #id key="v"}` found and
--                              marked, heading ids, `{:toc}` lists, definition lists; (html
--                              stage, Jekyll sites) kramdown's smart quotes.
-- The html pass moves each marked element's attributes onto its tag and writes the tables of
-- contents from the rendered headings (`{:.no_toc}` ones left out). Code is never touched.

-- A helper module shipped with folio beside this plugin.
local function helper(name)
  local path = "scripts/" .. name .. ".lua"
  return assert(folio.embedded.load(path, _G))()
end

-- Options: { "kramdown", rouge = true } (a Jekyll site: compat/jekyll/site.lua sets it unless
-- the site turns its highlighter off): code blocks in kramdown's Rouge markup.
local opts = ... or {}

local text, tree, math = helper("kramdown_text"), helper("kramdown_tree"), helper("kramdown_math")
local scan = helper("kramdown_scan")

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

-- A Jekyll folder built as it is (compat/jekyll/site.lua): kramdown's own readings where they
-- differ from CommonMark (`1)` is no list marker; quotes curled by kramdown's rules) are
-- matched too. folio sites that list this plugin keep CommonMark's.
local JEKYLL = type(folio.config) == "table" and type(folio.config.jekyll) == "table"

local MARKDOWN_FILE = { md = true, markdown = true, mkd = true, mkdn = true, mdown = true }

-- The text passes, on the Markdown source once its Liquid has run.
local function text_passes(page)
  local markdown = MARKDOWN_FILE[(page.path or ""):match("%.(%w+)$") or ""]
  if JEKYLL and not markdown then return end -- Jekyll runs kramdown on Markdown files only
  if JEKYLL and page.source then
    local src, blocks = text.html_blocks(page.source)
    if src then page.source, page.kramdown_html = src, blocks end
  end
  if page.source and (page.source:find("{::", 1, true) or page.source:find("markdown=", 1, true)) then
    page.source = text.transform(page.source) or page.source
  end
  if JEKYLL and page.source then page.source = text.paren_markers(page.source) or page.source end
  if page.source then
    local src, list = math.extract(page.source)
    if src then page.source, page.kramdown_math = src, list end
  end
end

folio.hook("frontmatter", function(page)
  if JEKYLL and page.defer then return end -- its Liquid waits for the site: so do these passes
  text_passes(page)
end, { order = 80 }) -- after other text hooks (Liquid runs before Markdown, as in Jekyll)

if JEKYLL then
  folio.hook("defer", function(page)
    if page.defer then text_passes(page) end
  end, { order = 90 }) -- after the liquid plugin's
end

folio.hook("ast", function(doc, page)
  local marks, toc_lists = tree.run(doc, page.source or "")
  for _, list in ipairs(toc_lists) do
    list:insert_before(folio.ast.new("custom_block", { on_enter = list.list_type == "ordered" and "<!--kd:toc:ol-->" or "<!--kd:toc:ul-->" }))
    list:remove()
  end
  page.kramdown_marks = next(marks) and marks or nil
  page.kramdown_toc = #toc_lists > 0 or nil
end, { order = 20, when = function(page) -- (most pages have no attribute list nor definition)
  local src = page.source or ""
  return scan.attribute_list(src) or scan.definition_line(src)
end })

-- A Jekyll site: quotes, dashes and ellipses as kramdown writes them, set on the rendered HTML
-- in the html pass (compat/jekyll/site.lua turns cmark's smart punctuation off when this
-- plugin is on; no Markdown tree is needed for it).
local KRAMDOWN_TYPOGRAPHY = JEKYLL and folio.config.markdown and folio.config.markdown.smart == false

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
end, { order = 60, when = function(page) return page.kramdown_toc end })

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
  if KRAMDOWN_TYPOGRAPHY and MARKDOWN_FILE[(page.path or ""):match("%.(%w+)$") or ""] then
    html = tree.typography_html(html) -- (before the raw HTML blocks are back: they keep straight quotes)
  end
  if page.kramdown_html then
    html = scan.restore_placeholders(html, "kd:html", page.kramdown_html)
  end
  if page.kramdown_math then html = math.restore(html, page.kramdown_math) end
  if page.kramdown_marks then html = apply_marks(html, page.kramdown_marks) end
  if page.kramdown_toc then
    local headings = headings_of(html)
    html = html:gsub("<!%-%-kd:toc:(%a+)%-%->\n?", function(tag) return toc_html(headings, tag == "ol") end)
  end
  page.content = html
  page.kramdown_marks, page.kramdown_toc, page.kramdown_math, page.kramdown_html = nil, nil, nil, nil
end, { order = 20 })

-- A Jekyll site's fenced and indented code blocks as kramdown writes them with Rouge (Jekyll's
-- default highlighter): <div class="language-x highlighter-rouge"><div class="highlight"><pre
-- class="highlight"><code>, the tokens from folio's highlight plugin when it is loaded
-- (compat/jekyll/site.lua loads it, and sets `rouge`, unless `highlighter: none`); with
-- `kramdown: syntax_highlighter_opts: block: line_numbers: true`, Rouge's table of line numbers.
local function rouge_options()
  local jc = folio.config.jekyll
  local k = type(jc.kramdown) == "table" and jc.kramdown or {}
  local o = type(k.syntax_highlighter_opts) == "table" and k.syntax_highlighter_opts or {}
  local block = type(o.block) == "table" and o.block or {}
  local line_numbers = block.line_numbers
  if line_numbers == nil then line_numbers = o.line_numbers end
  return { line_numbers = line_numbers == true, default_lang = o.default_lang and tostring(o.default_lang) or "plaintext" }
end

local function line_number_table(code, html)
  local n = 0
  for _ in code:gmatch("[^\n]*\n") do n = n + 1 end
  local numbers = {}
  for i = 1, n do numbers[i] = i .. "\n" end
  return '<table class="rouge-table"><tbody><tr><td class="rouge-gutter gl"><pre class="lineno">' ..
    table.concat(numbers) .. '</pre></td><td class="rouge-code"><pre>' .. html .. "</pre></td></tr></tbody></table>"
end

local ROUGE = JEKYLL and opts.rouge and rouge_options()
if ROUGE then
  folio.hook("render_codeblock", function(block)
    local lang = block.lang ~= nil and block.lang ~= "" and block.lang or ROUGE.default_lang
    local code = block.code or ""
    if code ~= "" and code:sub(-1) ~= "\n" then code = code .. "\n" end
    local hl = folio.highlight
    local html = hl and hl.highlight(code, lang, hl.ROUGE_CLASSES) or folio.escape(code)
    if ROUGE.line_numbers then html = line_number_table(code, html) end
    return '<div class="language-' .. folio.escape(lang) .. ' highlighter-rouge"><div class="highlight"><pre class="highlight"><code>' ..
      html .. "</code></pre></div></div>\n"
  end, { order = 40 }) -- before the highlight plugin's own (order 50)
end

-- A Jekyll site's footnote back links stay kramdown's plain ↩ (folio's theme, order 95, marks
-- them as text with U+FE0E when its layouts render the site; cmark's ↩ otherwise).
if JEKYLL then
  folio.hook("html", function(page)
    local html = page.content
    if type(html) ~= "string" or not html:find("footnote-backref", 1, true) then return end
    html = html:gsub('(class="footnote%-backref"[^>]*>)\u{21A9}\u{FE0E}', "%1&#8617;")
    page.content = html:gsub('(class="footnote%-backref"[^>]*>)\u{21A9}', "%1&#8617;") -- (no theme hook: cmark's own)
  end, { order = 96 })
end


-- summary.lua: page summaries for lists, feeds and search, and a better word count.
--
-- Options (site.lua: `{ "summary", length = 200, wpm = 230 }`):
--   length   longest plain summary, in characters, cut at a word end with "…" (default 300;
--            0: no limit)
--   wpm      reading speed, words per minute (default 220)
--
-- The summary is, in this order:
--   1. the body up to a `<!--more-->` (or `<!-- more -->`) line, which must stand on its own
--      line between blocks; the marker is removed from the page;
--   2. the `description` or else the `excerpt` front matter;
--   3. the first paragraph of the body with words: paragraphs of only images, emoji,
--      punctuation or white space, one repeating the title, and the notes are skipped.
-- Footnote reference markers are dropped from the summary.
-- page.summary is plain text (tags dropped, entities decoded); page.summary_html is HTML: the
-- blocks before the marker, `<p>` + the escaped description, or the first paragraph.
-- page.more is true when the page has a marker. page.words counts the words of the rendered
-- text (code included), page.reading_time = ceil(words / wpm) minutes, at least 1.
local opts = ... or {}
local length = math.tointeger(opts.length or 300)
local wpm = opts.wpm or 220

-- The marker is turned into a paragraph holding only this word, found again in the HTML.
local TOKEN = "folioMoreMarker7c2e"

local find = string.find

-- `s` without its trailing bytes of the anchored class `class` ("^[%p%s]"), tried from the end
-- byte by byte: s:gsub("[%p%s]+$", "") would try a match at every position of `s`.
local function trim_end(s, class)
  local e = #s
  while e > 0 and find(s, class, e) do e = e - 1 end
  return s:sub(1, e)
end

local function is_marker(s) return s:match("^%s*<!%-%-%s*more%s*%-%->%s*$") ~= nil end

folio.hook("ast", {
  html_block = function(node)
    if is_marker(node.literal) then return folio.ast.parse(TOKEN) end
  end,
})

folio.hook("html", function(page)
  local html = page.content or ""
  local s, e
  -- (patterns are slow to scan a page with; a plain search first tells whether they can match)
  if html:find(TOKEN, 1, true) then s, e = html:find("<p>" .. TOKEN .. "</p>\n?") end
  if not s and html:find("<!--", 1, true) then
    s, e = html:find("<!%-%-%s*more%s*%-%->\n?") -- raw HTML kept as is
  end
  if s then
    page.summary_html = trim_end(html:sub(1, s - 1), "^%s")
    page.content = html:sub(1, s - 1) .. html:sub(e + 1)
    page.more = true
  end
end)


-- Plain text of HTML, white space not yet collapsed: script and style dropped, tags dropped
-- (block tags become spaces), entities decoded. In C, as its pattern-based first version
-- (tests/lua/test_html_text.lua) says.
local plain_spaced = folio.html_text

-- ... and white space collapsed, none at either end (in C: a gsub of %s+ costs more than the
-- rest of a page's summary).
local collapse_space = folio.collapse_space
local function plain(html)
  return collapse_space((plain_spaced(html)))
end

-- Cuts plain text at a word end so that it is at most `max` characters and "…" (UTF-8 aware;
-- a single word too long is cut between characters, never inside an entity left undecoded).
local function cut(text, max)
  if max == 0 or #text <= max or (utf8.len(text) or 0) <= max then return text end
  local head = text:sub(1, utf8.offset(text, max + 1) - 1)
  head = head:match("^(.*%S)%s") or head:gsub("&%w*$", "")
  return trim_end(head, "^[%p%s]") .. "…"
end

-- Footnote reference markers, which mean nothing once the notes are out of sight: a link or
-- superscript marked as one (class `footnote...`, role `doc-noteref`, a link to `#fn...`:
-- cmark-gfm's, kramdown's, Goldmark's and Pandoc's), a superscript holding an in-page link,
-- and `<sup>[1]</sup>`. A plain `<sup>2</sup>` (a power) stays.
local function is_note_link(tag)
  return tag:find("footnote", 1, true) or tag:find("noteref", 1, true)
    or tag:find('href="#fn', 1, true) ~= nil
end

local function drop_footnote_refs(html)
  if not find(html, "<sup", 1, true) and not find(html, "footnote", 1, true)
     and not find(html, "noteref", 1, true) then
    return html
  end
  html = html:gsub("(<a%s[^>]*>)(.-</a>)", function(tag) if is_note_link(tag) then return "" end end)
  return (html:gsub("(<sup[^>]*>)(.-)</sup>", function(tag, inner)
    if is_note_link(tag) or inner:find('href="#', 1, true) or inner:find("^%s*%[[%w%s]+%]%s*$") then
      return ""
    end
  end))
end

-- Characters that are not words: general punctuation and spaces (zero-width joiner included),
-- Latin-1 signs, letter-like and number-like signs, arrows, maths, technical signs, shapes,
-- dingbats, CJK marks, variation selectors, full-width punctuation, emoji and tags.
local NOT_WORD = {
  { 0x80, 0xBF }, { 0xD7, 0xD7 }, { 0xF7, 0xF7 }, { 0x2000, 0x2BFF }, { 0x3000, 0x303F },
  { 0xFE00, 0xFE0F }, { 0xFF01, 0xFF0F }, { 0x1F000, 0x1FBFF }, { 0xE0000, 0xE007F },
}

local function is_word_char(n)
  if n < 128 then return n >= 48 and n <= 57 or (n | 32) >= 97 and (n | 32) <= 122 end
  for _, r in ipairs(NOT_WORD) do
    if n >= r[1] and n <= r[2] then return false end
  end
  return true
end

local SHORTCODE = ":[%w_+-]+:" -- `:sparkles:`, as the emoji plugin left it: an emoji

-- Whether plain text has a letter or digit of any script (not UTF-8: true, as it was taken
-- before these rules). Most text has an ASCII one, found without a loop over characters.
local function has_words(text)
  if find(text, ":", 1, true) then text = text:gsub(SHORTCODE, " ") end
  if text:find("%w") then return true end
  if not text:find("[\128-\255]") then return false end
  local ok, found = pcall(function()
    for _, n in utf8.codes(text, true) do if is_word_char(n) then return true end end
    return false
  end)
  return not ok or found
end

-- The letters and digits of plain text, ASCII in lower case (nil when not UTF-8).
local function letters(text)
  local ok, out = pcall(function()
    local t = {}
    for _, n in utf8.codes(text:gsub(SHORTCODE, " "), true) do
      if is_word_char(n) then t[#t + 1] = n < 128 and string.char(n):lower() or utf8.char(n) end
    end
    return table.concat(t)
  end)
  return ok and out or nil
end

-- Whether a paragraph (its inner HTML, footnote markers gone) can be a summary: it has words
-- (not only images, emoji, punctuation or white space) and does not only repeat the title
-- (compared by letters and digits, so `Janet’s` matches `Janet's`). `text` is its plain text.
local function is_summary_paragraph(text, title)
  if not has_words(text) then return false end
  if type(title) ~= "string" or #text > 2 * #title + 16 then return true end
  local words = letters(text)
  return words == nil or words ~= letters(title)
end

-- Where the next `<p` followed by white space or `>` starts at or after `at` (the same as
-- html:find("<p[%s>]", at), with a plain find: a pattern is tried at every byte of the page).
local P_AFTER = { [9] = true, [10] = true, [11] = true, [12] = true, [13] = true, [32] = true, [62] = true }
local function next_p(html, at)
  while true do
    at = find(html, "<p", at, true)
    if not at or P_AFTER[html:byte(at + 2)] then return at end
    at = at + 1
  end
end

-- The inside of the first <p>...</p> that can be a summary (footnote markers dropped), not
-- looking into the notes themselves, and its plain text.
local function first_paragraph(html, title)
  local notes = find(html, '<section class="footnotes"', 1, true)
    or find(html, '<div class="footnotes"', 1, true)
  local at = 1
  while true do
    at = next_p(html, at)
    if not at or (notes and at > notes) then return nil end
    local open = find(html, ">", at + 2, true)
    local close = open and find(html, "</p>", open + 1, true)
    if not close then return nil end
    local inner = drop_footnote_refs(html:sub(open + 1, close - 1))
    local text = plain(inner)
    if is_summary_paragraph(text, title) then return inner, text end
    at = close + 4
  end
end

-- Summary, summary_html, words and reading time of a content page from its final HTML.
local function summarize(page, html)
  local desc = page.description or page.excerpt
  if page.more then
    page.summary_html = drop_footnote_refs(page.summary_html)
    page.summary = plain(page.summary_html)
  elseif type(desc) == "string" and desc ~= "" then
    page.summary = desc:gsub("%s+", " ")
    page.summary_html = "<p>" .. folio.escape(page.summary) .. "</p>"
  else
    local p, text = first_paragraph(html, page.title)
    page.summary = text or ""
    page.summary_html = p and "<p>" .. p .. "</p>" or ""
  end
  page.summary = cut(page.summary, length)
  local _, words = plain_spaced(html) -- and its runs of non-space characters (%S+)
  page.words = words
  page.reading_time = math.max(1, math.ceil(words / wpm))
  page.summarized = true
end

-- The work is done per page, on the worker threads, once the other html hooks (default order
-- 50) have had their say on the HTML.
folio.hook("html", function(page)
  if page.path and page.content then summarize(page, page.content) end
end, { order = 90 })

-- Pages that did not go through the html stage above (made by hand, or by an earlier site hook).
folio.site_hook {
  name = "summary",
  order = 10,
  per_page = function(page)
    if page.path and not page.summarized then
      local html = page.content
      if html then summarize(page, html) end
    end
  end,
}

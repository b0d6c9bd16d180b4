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
--   3. the first paragraph of the body.
-- page.summary is plain text (tags dropped, entities decoded); page.summary_html is HTML: the
-- blocks before the marker, `<p>` + the escaped description, or the first paragraph.
-- page.more is true when the page has a marker. page.words counts the words of the rendered
-- text (code included), page.reading_time = ceil(words / wpm) minutes, at least 1.
local opts = ... or {}
local length = math.tointeger(opts.length or 300)
local wpm = opts.wpm or 220

-- The marker is turned into a paragraph holding only this word, found again in the HTML.
local TOKEN = "folioMoreMarker7c2e"

local function is_marker(s) return s:match("^%s*<!%-%-%s*more%s*%-%->%s*$") ~= nil end

folio.hook("ast", {
  html_block = function(node)
    if is_marker(node.literal) then return folio.ast.parse(TOKEN) end
  end,
})

folio.hook("html", function(page)
  local html = page.content or ""
  local s, e = html:find("<p>" .. TOKEN .. "</p>\n?")
  if not s then s, e = html:find("<!%-%-%s*more%s*%-%->\n?") end -- raw HTML kept as is
  if s then
    page.summary_html = html:sub(1, s - 1):gsub("%s+$", "")
    page.content = html:sub(1, s - 1) .. html:sub(e + 1)
    page.more = true
  end
end)

local entities = { amp = "&", lt = "<", gt = ">", quot = '"', apos = "'", nbsp = " ",
  hellip = "…", mdash = "—", ndash = "–", lsquo = "‘", rsquo = "’", ldquo = "“", rdquo = "”",
  laquo = "«", raquo = "»", copy = "©", eacute = "é", egrave = "è", agrave = "à", ccedil = "ç" }
local blocks = {}
for tag in ("p br li ul ol dt dd div pre blockquote table tr td th hr h1 h2 h3 h4 h5 h6 "
            .. "section article figure figcaption"):gmatch("%S+") do blocks[tag] = true end

-- Plain text of HTML: tags dropped (block tags become spaces), entities decoded (numeric
-- ones, and the named ones above; others stay whole), white space collapsed.
local function plain(html)
  local s = html:gsub("<script.-</script>", " "):gsub("<style.-</style>", " ")
  s = s:gsub('<a class="anchor"[^>]*>[^<]*</a>', "") -- the anchors plugin's `#` links
  s = s:gsub("<(/?)(%w+)[^>]*>", function(_, tag) return blocks[tag:lower()] and " " or "" end)
  s = s:gsub("<!%-%-.-%-%->", "")
  s = s:gsub("&(#?)([xX]?)(%w+);", function(hash, x, name)
    if hash == "" then return entities[name] end
    local code = tonumber(name, x ~= "" and 16 or 10)
    return code and code < 0x110000 and utf8.char(code) or nil
  end)
  return (s:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", ""))
end

-- Cuts plain text at a word end so that it is at most `max` characters and "…" (UTF-8 aware;
-- a single word too long is cut between characters, never inside an entity left undecoded).
local function cut(text, max)
  if max == 0 or (utf8.len(text) or 0) <= max then return text end
  local head = text:sub(1, utf8.offset(text, max + 1) - 1)
  head = head:match("^(.*%S)%s") or head:gsub("&%w*$", "")
  return (head:gsub("[%p%s]+$", "")) .. "…"
end

local function first_paragraph(html)
  local at = html:find("<p[%s>]")
  return at and html:match("^<p[^>]*>(.-)</p>", at)
end

folio.hook("site", function(site)
  for _, page in ipairs(site.pages) do
    if page.path and page.content then
      local desc = page.description or page.excerpt
      if page.more then
        page.summary = plain(page.summary_html)
      elseif type(desc) == "string" and desc ~= "" then
        page.summary = desc:gsub("%s+", " ")
        page.summary_html = "<p>" .. folio.escape(page.summary) .. "</p>"
      else
        local p = first_paragraph(page.content)
        page.summary = p and plain(p) or ""
        page.summary_html = p and "<p>" .. p .. "</p>" or ""
      end
      page.summary = cut(page.summary, length)
      local words = 0
      for _ in plain(page.content):gmatch("%S+") do words = words + 1 end
      page.words = words
      page.reading_time = math.max(1, math.ceil(words / wpm))
    end
  end
end, { order = 10 })

-- theme.lua for folio's default theme: configuration defaults, and one html hook that makes the
-- body's HTML accessible where cmark-gfm's output is not (docs/themes.md, "Accessibility").
-- The theme's strings per language are in i18n/<lang>.lua (docs/multilingual.md).
-- Values a site.lua may set to change it (all optional):
--   language     the <html lang>, the strings' and dates' language, default "en"
--   menu         the header links: { { name = "About", url = "/about/" }, ... }; by default the
--                Markdown pages at the top of content/ (content/about.md), by title
--   nav_extras   false: no Tags and Archive links after the menu (they come when the plugins are on)
--   date_format  strftime format for dates; by default the language's (English: "January 8, 2014")
--   favicon      path of the icon, default "/favicon.svg" (the theme ships one)
--   touch_icon   path of the apple-touch-icon, default "/apple-touch-icon.png" (shipped, 180x180)
--   image        the social image of pages that have none of their own (og:image)
--   logo         the publisher logo of JSON-LD, default the touch icon
--   twitter      the site's account for twitter:site ("name" or { username = "name" })
--   theme_color, theme_color_dark   the browser bar's colours (default the theme's backgrounds)
folio.defaults {}

-- The words this hook writes for screen readers: i18n/<lang>.lua's a11y_code, a11y_table and
-- back_to_content in the page's language, these English words where no file has them.
local ENGLISH = { a11y_code = "Code", a11y_table = "Table", back_to_content = "Back to content" }
local words_by_lang = {}
local function words_for(lang)
  lang = lang or "en"
  local words = words_by_lang[lang]
  if not words then
    words = {}
    for key, english in pairs(ENGLISH) do
      words[key] = folio.i18n and folio.i18n.lookup(key, lang) or english
    end
    words_by_lang[lang] = words
  end
  return words
end

-- <pre>: focusable (tabindex=0), so a keyboard can scroll a long line, and named as a region.
-- The language comes from the inner <code class="language-x">.
local function focusable_code(html, words)
  local out, pos = {}, 1
  while true do -- each "<pre" found by a plain search, then matched where it is
    local s = html:find("<pre", pos, true)
    if not s then break end
    local attrs, code, after = html:match('^<pre([^>]*)>(%s*<code[^>]*>)()', s)
    if attrs and not attrs:find("tabindex", 1, true) then
      local lang = code:match('class="[^"]-language%-([%w_+#.-]+)')
      local label = lang and (words.a11y_code .. ": " .. lang) or words.a11y_code
      out[#out + 1] = html:sub(pos, s - 1)
      out[#out + 1] = '<pre' .. attrs .. ' tabindex="0" role="region" aria-label="' .. folio.escape(label) .. '">' .. code
      pos = after
    else
      out[#out + 1] = html:sub(pos, s + 3)
      pos = s + 4
    end
  end
  if pos == 1 then return html end
  out[#out + 1] = html:sub(pos)
  return table.concat(out)
end

-- <table>: inside a scroll box (a focusable, named region) that shows a shadow where there is
-- more to scroll; the table itself keeps its table semantics.
-- (found by plain searches: a gsub would try its pattern at every position of the page)
local function scrolling_tables(html, words)
  local s = html:find("<table", 1, true)
  if not s then return html end
  local open = '<div class="table-wrap" tabindex="0" role="region" aria-label="'
               .. folio.escape(words.a11y_table) .. '"><table'
  local out, pos = {}, 1
  while s do
    local after = html:byte(s + 6)
    if after == 32 or after == 62 then -- "<table " or "<table>"
      out[#out + 1] = html:sub(pos, s - 1)
      out[#out + 1] = open
      pos = s + 6
    end
    s = html:find("<table", s + 6, true)
  end
  out[#out + 1] = html:sub(pos)
  html = table.concat(out)
  out, pos, s = {}, 1, html:find("</table>", 1, true)
  while s do
    out[#out + 1] = html:sub(pos, s + 7)
    out[#out + 1] = "</div>"
    pos = s + 8
    s = html:find("</table>", pos, true)
  end
  out[#out + 1] = html:sub(pos)
  return table.concat(out)
end

-- Task lists: the checkbox's label is the item's text, up to a nested block or the item's end.
local BLOCK_AFTER_TASK = { "</li>", "</p>", "<ul", "<ol", "<p>", "<p ", "<div", "<pre", "<blockquote", "<table" }
local function labelled_tasks(html)
  if not html:find('type="checkbox"', 1, true) then return html end
  local out, pos = {}, 1
  while true do
    local s, e = html:find('<input type="checkbox"[^>]*>', pos)
    if not s then break end
    local stop = #html + 1
    for _, tag in ipairs(BLOCK_AFTER_TASK) do
      local at = html:find(tag, e + 1, true)
      if at and at < stop then stop = at end
    end
    local text = html:sub(e + 1, stop - 1)
    out[#out + 1] = html:sub(pos, s - 1)
    if text:find("%S") then
      out[#out + 1] = '<label class="task">' .. html:sub(s, e) .. text .. "</label>"
    else
      out[#out + 1] = html:sub(s, stop - 1)
    end
    pos = stop
  end
  out[#out + 1] = html:sub(pos)
  return table.concat(out)
end

-- Footnote back-links: ↩ drawn as text, not as an emoji (U+FE0E), and named.
local function textual_backrefs(html, words)
  if not html:find("footnote-backref", 1, true) then return html end
  return (html:gsub('(<a [^>]-class="footnote%-backref"[^>]*>)↩(</a>)', function(open, close)
    open = open:gsub('aria%-label="[^"]*"', 'aria-label="' .. folio.escape(words.back_to_content) .. '"')
    return open .. "↩\u{FE0E}" .. close
  end))
end

-- (Not on a site whose own layouts render the pages, a Jekyll site's: their style sheets know
-- nothing of these wrappers, and its bodies stay as Jekyll writes them.)
folio.hook("html", function(page)
  if folio.layout_engine_active then return end
  local html = page.content
  if type(html) ~= "string" or html == "" then return end
  local words = words_for(page.lang)
  if html:find("<pre", 1, true) then html = focusable_code(html, words) end
  html = textual_backrefs(labelled_tasks(scrolling_tables(html, words)), words)
  page.content = html
end, { order = 95 })

-- The links the header adds after the menu (partials/header.html): the tags index of the
-- taxonomies plugin and the archive index of the archives plugin, when they are on, named by
-- those pages' titles. Found once per build here, not on every page's render.
folio.hook("site", function(site)
  site.theme_nav = {}
  if site.nav_extras == false then return end
  local tags, archive
  for _, p in ipairs(site.generated or {}) do
    if p.kind == "terms" and p.taxonomy == "tags" then tags = p end
    if p.kind == "archives" then archive = p end
  end
  for _, p in ipairs({ tags, archive }) do
    if p and p.output ~= false then site.theme_nav[#site.theme_nav + 1] = { name = p.title, url = p.url } end
  end
end, { order = 96 })

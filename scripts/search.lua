-- search.lua: a search index, /search.json, for the theme's search box (partials/search.html
-- and static/search.js in the default theme).
--
-- Options (site.lua: `{ "search", excerpt = 200, fields = { "title", "url", "tags" } }`):
--   fields    what each entry holds, from "title", "url", "date" (YYYY-MM-DD), "tags" (names),
--             "excerpt" (default all five)
--   excerpt   longest excerpt in characters, cut at a word end (default 300)
--   url       where the index is written (default "/search.json")
--
-- Indexes every written content page except those with `search: false` front matter. The
-- index is a JSON array of objects, newest first; the excerpt is the plain text of the page
-- (footnote markers and back-links left out) from its summary's paragraph on (summary plugin:
-- leading emoji rows and title lines are skipped).
-- Sets site.search = { index = "/search.json" } (site-relative: use url() in templates).
-- Runs at the site stage with order 70.
local opts = ... or {}
local fields = opts.fields or { "title", "url", "date", "tags", "excerpt" }
local max = math.tointeger(opts.excerpt or 300)
local index_url = opts.url or "/search.json"

-- JSON string, as folio.json.encode writes it (strings without control characters, quotes or
-- backslashes, the usual case, need no pass over their characters).
local lpeg = require("lpeg")
local json = folio.json.encode
local plain_string = (1 - (lpeg.S('"\\') + lpeg.R("\0\31", "\127\127"))) ^ 0 * -1
local function str(s)
  if plain_string:match(s) then return '"' .. s .. '"' end
  return json(s)
end

-- The plain text: scripts, styles and tags dropped (block tags becoming spaces), entities
-- decoded (folio.html_text).
local spaced = folio.html_text

-- cmark-gfm's footnote markers (`<sup class="footnote-ref">`) and back-links (`↩`), which
-- mean nothing in an excerpt ("a note1 here"); the notes' own text stays.
local function without_note_marks(html)
  if not html:find("footnote-", 1, true) then return html end
  html = html:gsub('<sup class="footnote%-ref">.-</sup>', "")
  return (html:gsub('<a [^>]-class="footnote%-backref".-</a>', ""))
end

-- (the trailing space goes by hand: gsub(" $", "") would try a match at every position)
local collapse = folio.collapse_space or function(s) -- (C: the same in one pass)
  s = s:gsub("%s+", " "):gsub("^ ", "")
  if s:byte(-1) == 32 then s = s:sub(1, -2) end
  return s
end
-- Whether the text is UTF-8 (C: no count of the characters, as utf8.len makes).
local utf8_valid = folio.utf8_valid or function(s) return utf8.len(s) ~= nil end

-- The excerpt: the plain text, white space collapsed, cut at `max` characters at a word end
-- with "…". Only the start of the text matters, so white space is collapsed in a slice of it
-- (growing until it gives more than `max` characters): the collapsed slice is the start of the
-- collapsed whole.
-- Where the first paragraph with words (the summary plugin's page.summary) begins in the
-- text: the excerpt starts there, as the description does, so that a row of emoji or a line
-- repeating the title does not open it. Found by its first three words at a word start; 1
-- when there is no summary or it is not in the text (a description of its own).
-- (A pattern is tried only where a plain search finds the first word: tried at every byte of
-- the text, it cost more than the rest of the index.)
local ELLIPSIS = "…"
local function words_start(text, summary)
  if type(summary) ~= "string" or summary == "" then return 1 end
  if summary:sub(-#ELLIPSIS) == ELLIPSIS then summary = summary:sub(1, -#ELLIPSIS - 1) end
  local words, first = {}, nil
  for w in summary:gmatch("%S+") do
    first = first or w
    words[#words + 1] = w:gsub("%p", "%%%0")
    if #words == 3 then break end
  end
  if #words == 0 then return 1 end
  local pattern = "^%f[%S]" .. table.concat(words, "%s+")
  local at = text:find(first, 1, true)
  while at do
    if text:find(pattern, at) then return at end
    at = text:find(first, at + 1, true)
  end
  return 1
end

local function excerpt_of(html, summary)
  local text = spaced(without_note_marks(html))
  local start = words_start(text, summary)
  if start > 1 then text = text:sub(start) end
  if not utf8_valid(text) then return collapse(text) end -- not UTF-8: no cut, as utf8.len says
  local len = max + 64
  while true do
    local slice = text
    if len < #text then
      local cut_at = len
      while cut_at > 1 and (text:byte(cut_at + 1) or 0) & 0xC0 == 0x80 do cut_at = cut_at - 1 end
      slice = text:sub(1, cut_at)
    end
    local s = collapse(slice)
    local n = utf8.len(s)
    if n > max then
      s = s:sub(1, utf8.offset(s, max + 1) - 1)
      return (s:match("^(.*%S)%s") or s) .. "…"
    elseif slice == text then
      return s
    end
    len = len * 2
  end
end

local function excerpt(page)
  local text = page.search_text
  if type(text) ~= "string" then text = excerpt_of(page.content or "") end
  return text
end

-- The excerpt is made per page, on the worker threads, after the other html hooks.
if (function() for _, f in ipairs(fields) do if f == "excerpt" then return true end end end)() then
  folio.hook("html", function(page)
    if page.path then page.search_text = excerpt_of(page.content or "", page.summary) end
  end, { order = 92 })
end

-- Writers: each appends one field of page `p` to `out` (key and value, as JSON pieces) after
-- index `n` and returns the new last index (`n` when the page has no such field).
local json_string = folio.json_string -- (C: one call, whatever the string holds)
local function put(out, n, key, s)
  if json_string then
    out[n + 1], out[n + 2] = key, json_string(s)
    return n + 2
  end
  if plain_string:match(s) then
    out[n + 1], out[n + 2], out[n + 3], out[n + 4] = key, '"', s, '"'
    return n + 4
  end
  out[n + 1], out[n + 2] = key, json(s)
  return n + 2
end

local writers = {
  title = function(out, n, key, p) return put(out, n, key, p.title or "") end,
  url = function(out, n, key, p) return put(out, n, key, p.url) end,
  date = function(out, n, key, p)
    if not p.date then return n end
    return put(out, n, key, folio.date.format(p.date, "%Y-%m-%d"))
  end,
  excerpt = function(out, n, key, p) return put(out, n, key, excerpt(p)) end,
  tags = function(out, n, key, p)
    n = n + 1
    out[n] = key .. "["
    local tax = p.taxonomies -- (a folio.page_field: read once)
    local list = tax and tax.tags or {}
    local raw = not tax and type(p.tags) == "table"
    if raw then list = p.tags end
    for i, t in ipairs(list) do
      n = put(out, n, i > 1 and "," or "", raw and tostring(t) or t.name)
    end
    n = n + 1
    out[n] = "]"
    return n
  end,
}

-- The index: each page's entry (a JSON object) is made once per change of the page
-- (folio.site_hook's per_page), and the entries are joined in site.pages order.
-- One index per language (folio.language_views): <prefix>/search.json holds that language's pages.
local write, first_key, next_key = {}, {}, {}
for i, f in ipairs(fields) do
  write[i] = writers[f] or function() error("search: unknown field " .. tostring(f)) end
  first_key[i] = writers[f] and json(f) .. ":"
  next_key[i] = writers[f] and "," .. json(f) .. ":"
end

-- (the pieces go into one scratch list, joined by folio.concat_strings up to the entry's last
-- piece: no list is made per page; pieces past it are the last pages' and are not read)
local pieces = { "{" }
local function entry(p)
  local out, n = pieces, 1
  for i = 1, #write do
    n = write[i](out, n, n == 1 and first_key[i] or next_key[i], p)
  end
  out[n + 1] = "}"
  -- (nil: a piece that is no string, which table.concat reports)
  return folio.concat_strings(out, n + 1) or table.concat(out, "", 1, n + 1)
end

-- What each language's view got in the last run (language -> { pages = its pages then, in
-- order; index = string }): reused when no entry changed and the view has the same pages.
local last_index = {}

local same_pages = folio.same_items

-- out[1..n] joined: folio.concat_strings sizes the text first and copies each piece once
-- (table.concat grows its buffer by doubling: a 5 MB index was copied about three times).
local join = folio.concat_strings

local function language_index(site, parts, changes)
  local lang = site.lang or ""
  local last = last_index[lang]
  local index
  if changes.same and last and same_pages(last.pages, site.pages) then
    index = last.index
  else
    local out, n = folio.new_table(2 * #site.pages + 2, 0), 1
    out[1] = "["
    for _, p in ipairs(site.pages) do
      local e = parts[p]
      if e then
        if n > 1 then n = n + 1; out[n] = ",\n" end
        n = n + 1
        out[n] = e
      end
    end
    n = n + 1
    out[n] = "]\n"
    index = join(out, n)
    last_index[lang] = { pages = table.move(site.pages, 1, #site.pages, 1, {}), index = index }
  end
  local url = (site.lang_prefix or "") .. index_url
  site:add_page({ url = url, kind = "search", layout = false, content = index })
  site.search = { index = url }
end

folio.site_hook {
  name = "search",
  order = 70,
  -- reads the page's title, url, date, tags (page.taxonomies), search text, output and `search`
  per_page = function(p)
    if p.path and p.output ~= false and p.search ~= false then return entry(p) end
  end,
  combine = function(root, parts, changes)
    for _, site in ipairs(folio.language_views and folio.language_views(root) or { root }) do
      language_index(site, parts, changes)
    end
    if changes.final then last_index = {} end -- no run follows (folio build): keep nothing
  end,
}

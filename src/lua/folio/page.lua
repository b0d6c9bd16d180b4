-- folio.page: the rules that turn a source file and its front matter into a page's fields:
-- title, date, draft, slug, section, layout, url and output path. Each rule is a small
-- function so hooks and tests can call it.
local errors = require "folio.errors"

local M = {}

-- Lower-case, Latin accents transliterated, apostrophes dropped, other non-letters -> "-";
-- letters outside Latin-1 are kept as they are (URLs may hold UTF-8). In C: core/slug.c.
M.slugify = folio.slugify

-- "2014-01-08-why-go.md" -> "2014-01-08", "why-go"
function M.split_dated_name(name)
  local y, m, d, rest = name:match("^(%d%d%d%d)%-(%d%d?)%-(%d%d?)%-(.+)$")
  if y then return string.format("%s-%02d-%02d", y, tonumber(m), tonumber(d)), rest end
  return nil, name
end

-- Where in the front matter a key is written (1-based file line), for error messages.
function M.key_line(source, key)
  local line = 1
  for text in source:gmatch("([^\n]*)\n?") do
    if text:find("^" .. key .. "%s*:") then return line end
    line = line + 1
    if line > 200 then break end
  end
  return nil
end

-- The section: first folder under content/ ("_posts" counts as "posts"); "" at the top.
function M.section(relpath)
  local inner = relpath:gsub("^content/", "")
  local first = inner:match("^([^/]+)/")
  if not first then return "" end
  if first == "_posts" then return "posts" end
  return first
end

local function as_list(v)
  if v == nil then return {} end
  if type(v) == "table" then return v end
  if type(v) == "string" then
    local list = {}
    for item in v:gmatch("[^,%s][^,]*") do list[#list + 1] = item:gsub("%s+$", "") end
    return list
  end
  return { tostring(v) }
end

-- Copies front matter onto the page and fills in the fields that need only the front matter.
function M.from_front_matter(page, meta, file_info, config)
  page.meta = meta
  for k, v in pairs(meta) do
    if page[k] == nil then page[k] = v end
  end
  local base = page.path:match("([^/]+)$"):gsub("%.[^.]+$", "")
  page.basename = base
  page.section = M.section(page.path)
  page.kind = "page"
  page.draft = meta.draft == true or meta.published == false
  page.tags = as_list(meta.tags)
  page.categories = as_list(meta.categories or meta.category)
  local title = meta.title or meta.subject
  page.title = title ~= nil and tostring(title) or nil
  page.layout = meta.layout
  if page.layout == nil then page.layout = (page.section == "posts") and "post" or "page" end
  M.assign_date(page, meta, file_info, config)
  if meta.lastmod or meta.last_modified_at then
    local t = folio.date.parse(meta.lastmod or meta.last_modified_at)
    page.lastmod = t
  end
  page.lastmod = page.lastmod or page.date
end

function M.assign_date(page, meta, file_info, config)
  local dated_name = M.split_dated_name(page.basename)
  for _, source in ipairs(config.date_order) do
    if source == "front_matter" and meta.date ~= nil then
      local t, err = folio.date.parse(meta.date)
      if not t then
        errors.fail(page.path, M.key_line(page.full_source or "", "date"),
                    "invalid date '" .. tostring(meta.date) .. "': " .. tostring(err),
                    "write dates as 2014-01-08, 2014-01-08 21:47 or 2014-01-08 21:47:47 +0100")
      end
      page.date = t
      return
    elseif source == "filename" and dated_name then
      local t = folio.date.parse(dated_name)
      if t then page.date = t; return end
    elseif source == "mtime" then
      page.date = file_info.mtime
      return
    end
  end
  page.date = file_info.mtime
end

local function title_from_name(base)
  local _, rest = M.split_dated_name(base)
  rest = rest:gsub("[-_]+", " ")
  return (rest:gsub("^%l", string.upper))
end

-- After the Markdown tree exists: title from the first heading, else from the file name.
-- Returns the heading node used, so the pipeline can drop it from the body.
function M.title_from_tree(page, doc)
  if page.title then return nil end
  local first = doc.first_child
  for node in doc:select("heading") do
    page.title = node:text()
    if node == first and node.level == 1 then return node end
    return nil
  end
  page.title = title_from_name(page.basename)
  return nil
end

local function pad(n) return string.format("%02d", n) end

-- ":path": the file's path under content/ without extension ("docs/intro"); an index file
-- stands for its folder, and a front matter `slug` replaces the file name.
function M.path_token(page)
  local meta_slug = page.meta and page.meta.slug
  local path = page.path:gsub("^content/", ""):gsub("^_posts/", "posts/"):gsub("%.[^./]+$", "")
  return (path:gsub("[^/]+$", function(last)
    if last == "index" or last == "_index" then return "" end
    return meta_slug and M.slugify(meta_slug) or last
  end))
end

-- Permalink tokens, each computed only when the pattern uses it. `c` caches the date parts.
local function date_part(page, c, i)
  if not c.date then
    c.date = { folio.date.format(page.date or 0, "%Y %m %d %H %M %S"):match("^(%-?%d+) (%d+) (%d+) (%d+) (%d+) (%d+)$") }
  end
  return c.date[i]
end

local TOKENS = {
  year = function(p, c) return date_part(p, c, 1) end,
  month = function(p, c) return date_part(p, c, 2) end,
  day = function(p, c) return date_part(p, c, 3) end,
  hour = function(p, c) return date_part(p, c, 4) end,
  minute = function(p, c) return date_part(p, c, 5) end,
  second = function(p, c) return date_part(p, c, 6) end,
  slug = function(p) return p.slug end,
  title = function(p) return M.slugify(p.title) end,
  section = function(p) return p.section end,
  path = function(p) return M.path_token(p) end,
  filename = function(p) return p.basename end,
  categories = function(p)
    local out = {}
    for _, c in ipairs(p.categories or {}) do out[#out + 1] = M.slugify(c) end
    return table.concat(out, "/")
  end,
}

-- Expands a permalink pattern ("/:year/:month/:day/:slug/") for a page. Unknown tokens stay.
function M.expand_permalink(pattern, page)
  local cache = {}
  local url = pattern:gsub(":(%a+)", function(name)
    local token = TOKENS[name]
    if token then return token(page, cache) end
  end)
  return M.normalize_url(url)
end

local SLASH = 47 -- string.byte("/"): a `$`-anchored pattern would be tried at every position

-- Leading slash, no double slashes, trailing slash unless the last part has an extension.
function M.normalize_url(url)
  if url:byte(1) == SLASH and url:byte(-1) == SLASH and not url:find("//", 1, true) then
    return url -- already normal (the usual case)
  end
  url = ("/" .. url):gsub("//+", "/")
  if url:byte(-1) ~= SLASH and not url:match("/[^/]*%.[%w]+$") then url = url .. "/" end
  return url
end

-- "/a/b/" -> "a/b/index.html"; "/feed.xml" -> "feed.xml"
function M.output_for(url)
  local rel = url:byte(1) == SLASH and url:sub(2) or url
  if rel == "" or rel:byte(-1) == SLASH then return rel .. "index.html" end
  return rel
end

function M.assign_url(page, config)
  if not page.slug then
    local slug = page.meta and page.meta.slug
    if slug == nil then
      local dated, rest = M.split_dated_name(page.basename)
      -- Jekyll names (2014-01-08-why-go.md) keep their slug; other names use the title, as Hugo.
      if dated or page.basename == "index" or page.basename == "_index" then slug = rest
      else slug = page.title or rest end
    end
    page.slug = M.slugify(slug)
    if page.slug == "" then page.slug = M.slugify(page.basename) end
  end
  if not page.url then
    local meta = page.meta or {}
    local pattern = meta.permalink or meta.url
    if not pattern then
      local base = page.basename
      if (base == "index" or base == "_index") and page.section == "" then
        pattern = "/"
      else
        pattern = config.permalinks[page.section] or config.permalinks.default
      end
    end
    page.url = M.expand_permalink(pattern, page)
  else
    page.url = M.normalize_url(page.url)
  end
  if page.output == nil then page.output = M.output_for(page.url) end
end

M.count_words = folio.count_words -- C: it runs over every page's text

return M

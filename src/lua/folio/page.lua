-- folio.page: the rules that turn a source file and its front matter into a page's fields:
-- title, date, draft, slug, section, layout, url and output path. Each rule is a small
-- function so hooks and tests can call it.
local errors = require "folio.errors"
local types = require "folio.frontmatter_types"

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

-- Where in the front matter a top-level key is written (1-based file line), for messages: its
-- last `key:` line before the closing --- (YAML's last one wins), or nil.
function M.key_line(source, key)
  local line, found = 1, nil
  local prefix = "^" .. key:gsub("%p", "%%%0") .. "%s*:"
  for text in source:gmatch("([^\n]*)\n?") do
    if line > 1 and (text:find("^%-%-%-%s*$") or text:find("^%.%.%.%s*$")) then break end
    if text:find(prefix) then found = line end
    line = line + 1
    if line > 500 then break end
  end
  return found
end

-- The section: first folder under content/ ("_posts" counts as "posts"); "" at the top.
function M.section(relpath, lang_folder)
  local inner = relpath:gsub("^content/", "")
  if lang_folder then inner = inner:sub(#lang_folder + 2) end -- content/ja/posts/x.md: "posts"
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

local DATE_HINT = "write dates as 2014-01-08, 2014-01-08 21:47 or 2014-01-08 21:47:47 +0100"

-- The layout of a page's kind: "post" in the posts section, else "page". Pages that name no
-- layout, or one that does not exist, get it.
function M.default_layout(page)
  return page.section == "posts" and "post" or "page"
end

-- Copies front matter onto the page and fills in the fields that need only the front matter.
-- Values of the wrong type are first replaced by their fallbacks, with a warning
-- (folio.frontmatter_types).
function M.from_front_matter(page, meta, file_info, config)
  local source = page.full_source or ""
  types.check(meta, { file = page.path, line_of = function(key) return M.key_line(source, key) end },
              config and config.front_matter_unchecked)
  page.meta = meta
  for k, v in pairs(meta) do
    if page[k] == nil then page[k] = v end
  end
  local base = page.path:match("([^/]+)$"):gsub("%.[^.]+$", "")
  page.basename = base
  page.section = M.section(page.path, page.lang_folder)
  page.kind = "page"
  page.draft = meta.draft == true or meta.published == false
  page.tags = as_list(meta.tags)
  page.categories = as_list(meta.categories or meta.category)
  local title = meta.title or meta.subject
  page.title = title ~= nil and tostring(title) or nil
  page.layout = meta.layout
  if page.layout == nil then page.layout = M.default_layout(page) end
  M.assign_date(page, meta, file_info, config)
  local lastmod_key = meta.lastmod ~= nil and "lastmod" or meta.last_modified_at ~= nil and "last_modified_at"
  if lastmod_key then
    local t, err = M.parse_date(meta[lastmod_key])
    if not t then
      errors.warn(page.path, M.key_line(source, lastmod_key),
                  string.format("cannot read the date '%s' of `%s`: %s; the page's date is used",
                                tostring(meta[lastmod_key]), lastmod_key, err), DATE_HINT)
    end
    page.lastmod = t
  end
  -- Without a lastmod key: the file's last commit (as Hugo's enableGitInfo), when git is a source.
  if not page.lastmod and file_info.git_last and M.uses_source(config, "git") then
    page.lastmod = math.max(file_info.git_last, page.date or file_info.git_last)
  end
  page.lastmod = page.lastmod or page.date
end

function M.uses_source(config, name)
  for _, source in ipairs(config.date_order or {}) do
    if source == name then return true end
  end
  return false
end

-- The years a date may fall in (templates, permalinks and feeds print four-digit years).
local FIRST_TIME, LAST_TIME = -62135596800, 253402300799 -- 0001-01-01, 9999-12-31 23:59:59 UTC

-- folio.date.parse, with times outside years 1 to 9999 refused: seconds, or nil and why.
function M.parse_date(v)
  local t, err = folio.date.parse(v)
  if t and (t < FIRST_TIME or t > LAST_TIME) then
    return nil, "it is outside the years 1 to 9999"
  end
  return t, err
end

local SOURCE_NAMES = { front_matter = "the front matter", filename = "the file name",
                       git = "the file's first commit", mtime = "the file's modification time" }

-- The date from the first source of `date_order` that gives one. A front matter date that
-- cannot be read is a warning, and the next source is used. `git` is the author time of the
-- file's first commit (file_info.git_first, set by the pipeline from folio.git.dates); a file
-- git does not know yet has none. page.date_source says which source gave the date.
function M.assign_date(page, meta, file_info, config)
  local dated_name = M.split_dated_name(page.basename)
  local unreadable -- the front matter date's problem, reported once the fallback is known
  local function found(t, source)
    page.date = t
    page.date_source = source
    if unreadable then
      errors.warn(page.path, M.key_line(page.full_source or "", "date"),
                  string.format("cannot read the date '%s': %s; using %s (%s)", tostring(meta.date), unreadable,
                                SOURCE_NAMES[source] or source, folio.date.format(t, "%Y-%m-%d %H:%M:%S")),
                  DATE_HINT)
    end
  end
  for _, source in ipairs(config.date_order) do
    if source == "front_matter" and meta.date ~= nil then
      local t, err = M.parse_date(meta.date)
      if t then return found(t, source) end
      unreadable = tostring(err)
    elseif source == "filename" and dated_name then
      local t = folio.date.parse(dated_name)
      if t then return found(t, source) end
    elseif source == "git" and file_info.git_first then
      return found(file_info.git_first, source)
    elseif source == "mtime" then
      return found(file_info.mtime, source)
    end
  end
  found(file_info.mtime, "mtime")
end

function M.title_from_name(base)
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
  page.title = M.title_from_name(page.basename)
  return nil
end

local function pad(n) return string.format("%02d", n) end

-- ":path": the file's path under content/ without extension ("docs/intro"); an index file
-- stands for its folder, and a front matter `slug` replaces the file name.
function M.path_token(page)
  local meta_slug = page.meta and page.meta.slug
  local path = page.path:gsub("^content/", "")
  if page.lang_folder then path = path:sub(#page.lang_folder + 2) end -- the language is the URL's prefix
  path = path:gsub("^_posts/", "posts/"):gsub("%.[^./]+$", "")
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

local DATE_TOKENS = { year = true, month = true, day = true, hour = true, minute = true, second = true }

function M.has_date_parts(pattern)
  for name in pattern:gmatch(":(%a+)") do
    if DATE_TOKENS[name] then return true end
  end
  return false
end

-- A permalink pattern with its date tokens taken out ("/:year/:month/:day/:slug/" -> "/:slug/"),
-- for pages dated only by their file's modification time, which moves with every clone or
-- touch: their URL must not. The separators left around a removed token go with it.
function M.without_date_parts(pattern)
  if not M.has_date_parts(pattern) then return pattern end
  local out = pattern:gsub("[-_.]?:(%a+)", function(name)
    if DATE_TOKENS[name] then return "" end
  end)
  out = out:gsub("/[-_.]+", "/"):gsub("//+", "/")
  return out
end

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
        if page.date_source == "mtime" and M.has_date_parts(pattern) then
          page.dateless_url = pattern -- the pattern it did not get; reported once for the site (pipeline.lua)
          pattern = M.without_date_parts(pattern)
        end
      end
    end
    page.url = M.expand_permalink(pattern, page)
    -- a multilingual site's language prefix ("/ja"), not on URLs the front matter gives
    local prefix = page.lang_prefix
    if prefix and prefix ~= "" and not (meta.permalink or meta.url) then
      page.url = M.normalize_url(prefix .. page.url)
    end
  else
    page.url = M.normalize_url(page.url)
  end
  if page.output == nil then page.output = M.output_for(page.url) end
end

M.count_words = folio.count_words -- C: it runs over every page's text

return M

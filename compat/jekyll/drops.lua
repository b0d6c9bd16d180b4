-- compat/jekyll/drops.lua: folio's pages and site as Jekyll's Liquid sees them (Jekyll's
-- drops): `page` (title, date as a Time, url, content, excerpt, categories, tags,
-- previous/next, every front matter key), `site` (posts newest first, pages, categories, tags,
-- data, time, collections, every _config.yml key), `paginator` and `jekyll`. Views are made
-- when read and cached per page and per site, in the state that reads them (a render worker).
-- Loaded once per Lua state (folio.jekyll_drops) by scripts/liquid.lua and compat/jekyll/layouts.lua.
if folio.jekyll_drops then return folio.jekyll_drops end
local liquid = folio.liquid or assert(folio.embedded.load("compat/jekyll/liquid/init.lua", _G))()

local M = {}

local function config() return folio.config or {} end
local function jekyll_config() return type(config().jekyll) == "table" and config().jekyll or {} end

local function base_path()
  local path = (config().base_url or "/"):match("^%a[%w+.-]*://[^/]+(/.*)$") or "/"
  return (path:gsub("/$", ""))
end

-- A drop's pairs(): its keys in sorted order (Liquid's `for x in page` and `inspect` print the
-- same order on every build), each value read through the drop.
local function sorted_pairs(drop, keys)
  table.sort(keys)
  local i = 0
  return function()
    i = i + 1
    local k = keys[i]
    if k == nil then return nil end
    return k, drop[k]
  end, drop, nil
end

local function time_of(t) return t and liquid.time(t) or nil end

-- The excerpt as Jekyll makes it: the content before `excerpt_separator` (default: the first
-- block, which is what the text before the first blank line becomes).
local function excerpt_of(page)
  local meta = rawget(page, "meta") or {}
  if meta.excerpt ~= nil then return tostring(meta.excerpt) end
  local html = page.content or ""
  local sep = meta.excerpt_separator -- the document's own, else _config.yml's
  if sep == nil then sep = jekyll_config().excerpt_separator end
  if sep ~= nil and tostring(sep) ~= "\n\n" then
    local at = html:find(tostring(sep), 1, true)
    return at and html:sub(1, at - 1) or html
  end
  local tag = html:match("^%s*<(%w+)")
  if not tag then return html end
  local _, e = html:find("</" .. tag .. ">", 1, true)
  return e and html:sub(1, e) .. "\n" or html
end

local page_drop, drops_of
local drops = setmetatable({}, { __mode = "k" })
local drop_meta = setmetatable({}, { __mode = "k" }) -- page -> the `meta` its drop was made for

-- Jekyll's page fields computed from folio's page; anything else is front matter.
local FIELDS = {
  content = function(p) return p.content or "" end,
  date = function(p) return time_of(p.date) end,
  url = function(p) -- (page 2, 3... of a paginated page is a copy of page 1: its own url)
    local pg = p.paginator
    if pg and pg.number and pg.number > 1 then return p.url end
    return p.jekyll_url or p.url
  end,
  title = function(p) -- a Jekyll page's title is its front matter's only (posts: also the file name's)
    if p.jekyll_type == "page" then local m = rawget(p, "meta"); return m and m.title end
    return p.title
  end,
  excerpt = function(p) if p.jekyll_type == "post" or p.section == "posts" then return excerpt_of(p) end end,
  previous = function(p) return p.section == "posts" and page_drop(p.prev) or nil end,
  next = function(p) return p.section == "posts" and page_drop(p.next) or nil end,
  categories = function(p) return p.categories or {} end,
  tags = function(p) return p.tags or {} end,
  path = function(p) return p.path end,
  name = function(p) return p.path and p.path:match("([^/]+)$") end,
  id = function(p) if p.section == "posts" then return ((p.jekyll_url or p.url or ""):gsub("%.html$", ""):gsub("/$", "")) end end,
  collection = function(p) return p.section == "posts" and "posts" or (p.jekyll_type == "doc" and p.section) or nil end,
  layout = function(p) local m = rawget(p, "meta"); return m and m.layout end,
  slug = function(p) return p.slug end,
  ext = function(p) return p.path and p.path:match("(%.[^./]+)$") end,
  dir = function(p) return ((p.jekyll_url or p.url or "/"):match("^(.*/)") or "/") end,
  draft = function(p) return p.draft or false end,
  -- a jekyll-archives page (compat/jekyll/archives.lua): its type and posts
  type = function(p) return p.jekyll_archive end,
  posts = function(p) if p.jekyll_archive then return drops_of(p.pages) end end,
}

-- A page (folio's) as Jekyll's page/post drop; nil gives nil.
function page_drop(page)
  if page == nil then return nil end
  local d = drops[page]
  -- (a page the preview processed again keeps its table but gets a new `meta`: a new drop)
  if d and drop_meta[page] == rawget(page, "meta") then return d end
  -- The fields read so far (content is read anew each time), the drop's __index: a field read
  -- again is found by Lua itself, without a call. The drop stays an empty table (next() and
  -- rawget see nothing, as before).
  local cache = setmetatable({}, { __index = function(c, k)
    if type(k) ~= "string" then return nil end
    local v
    local f = FIELDS[k]
    if f then v = f(page) end
    if v == nil then
      local meta = rawget(page, "meta")
      if meta then v = meta[k] end
      if v == nil and not meta then v = page[k] end -- a generated page: its own fields
    end
    if v ~= nil and k ~= "content" then c[k] = v end
    return v
  end })
  d = setmetatable({}, {
    __index = cache,
    __pairs = function(t)
      local keys = {}
      for k in pairs(FIELDS) do keys[#keys + 1] = k end
      for k in pairs(rawget(page, "meta") or {}) do if not FIELDS[k] then keys[#keys + 1] = k end end
      return sorted_pairs(t, keys)
    end,
  })
  drops[page], drop_meta[page] = d, rawget(page, "meta")
  return d
end
M.page = page_drop

function drops_of(list)
  local out = {}
  for _, p in ipairs(list or {}) do
    if p.output ~= false then out[#out + 1] = page_drop(p) end
  end
  return out
end

-- term -> posts (newest first) for `field` ("categories" or "tags"), the terms in Jekyll's
-- order (a `for` over site.tags): as each first appears, walking the posts oldest first.
local function by_term(posts, field)
  local out, order = {}, {}
  for i = #posts, 1, -1 do
    for _, term in ipairs(posts[i][field] or {}) do
      if out[term] == nil then out[term] = {}; order[#order + 1] = term end
    end
  end
  for _, p in ipairs(posts) do
    for _, term in ipairs(p[field] or {}) do
      local list = out[term]
      list[#list + 1] = page_drop(p)
    end
  end
  return liquid.ordered(out, order)
end

local site_drops = setmetatable({}, { __mode = "k" })
local NO_SITE = {}

-- The site (folio's assembled site, or nil before assembly: no posts yet) as Jekyll's site drop.
function M.site(site)
  local key = site or NO_SITE
  local d = site_drops[key]
  if d then return d end
  local jc, cfg = jekyll_config(), config()
  local posts_src = site and (site.sections and site.sections.posts or site.posts) or {}
  local computed = {}
  local function posts() -- (rawget: computed's __index is the drop's, which calls this)
    local list = rawget(computed, "posts")
    if not list then list = drops_of(posts_src); computed.posts = list end
    return list
  end
  local getters = {
    posts = posts,
    pages = function()
      local out = {}
      for _, p in ipairs(site and site.pages or {}) do
        if p.output ~= false and p.section ~= "posts" and p.jekyll_type ~= "doc" then out[#out + 1] = page_drop(p) end
      end
      return out
    end,
    html_pages = function()
      local out = {}
      for _, p in ipairs(site and site.pages or {}) do
        local url = p.jekyll_url or p.url or ""
        if p.output ~= false and p.section ~= "posts" and p.jekyll_type ~= "doc" and (url:find("/$") or url:find("%.html$")) then
          out[#out + 1] = page_drop(p)
        end
      end
      return out
    end,
    categories = function() return by_term(posts_src, "categories") end,
    tags = function() return by_term(posts_src, "tags") end,
    data = function() return cfg.data or {} end,
    time = function() return time_of(site and site.build_time or folio.date.now()) end,
    url = function() return cfg.url or (cfg.base_url or ""):gsub("/$", ""):gsub("^(%a[%w+.-]*://[^/]+).*$", "%1") end,
    baseurl = function() return cfg.baseurl or base_path() end,
    title = function() if cfg.jekyll then return jc.title end return cfg.title end,
    description = function() if cfg.jekyll then return jc.description end return cfg.description end,
    related_posts = function() local l = posts(); return table.move(l, 1, math.min(10, #l), 1, {}) end,
    static_files = function() return {} end,
    documents = function()
      local out = {}
      for _, p in ipairs(site and site.pages or {}) do if p.jekyll_type == "doc" then out[#out + 1] = page_drop(p) end end
      return out
    end,
    collections = function()
      local out = { { label = "posts", docs = posts(), output = true, relative_directory = "_posts" } }
      local names = {}
      for name in pairs(type(jc.collections) == "table" and jc.collections or {}) do
        if type(name) == "string" and name ~= "posts" then names[#names + 1] = name end
      end
      table.sort(names)
      for _, name in ipairs(names) do
        local docs = {}
        for _, p in ipairs(site and site.pages or {}) do
          if p.jekyll_type == "doc" and p.section == name then docs[#docs + 1] = page_drop(p) end
        end
        local c = jc.collections[name]
        out[#out + 1] = { label = name, docs = docs, output = type(c) == "table" and c.output == true,
                          relative_directory = "_" .. name }
      end
      return out
    end,
  }
  setmetatable(computed, { __index = function(c, k) -- (the drop's __index, as a page drop's)
    if type(k) ~= "string" then return nil end
    local v
    local g = getters[k]
    if g then v = g() end
    if v == nil then v = jc[k] end
    if v == nil and not cfg.jekyll then -- a folio site: its site.lua keys (a Jekyll site: _config.yml's only)
      v = cfg[k]
      if type(v) == "function" or type(v) == "userdata" then v = nil end
    end
    c[k] = v
    return v
  end })
  d = setmetatable({}, {
    __index = computed,
    __pairs = function(t)
      local keys, seen = {}, {}
      for _, src in ipairs { getters, jc } do
        for k in pairs(src) do if type(k) == "string" and not seen[k] then seen[k] = true; keys[#keys + 1] = k end end
      end
      return sorted_pairs(t, keys)
    end,
  })
  site_drops[key] = d
  return d
end

-- The site as `page` sees it: site.related_posts leaves the page out (Jekyll's related posts
-- without lsi: the ten newest other posts).
function M.site_for(site, page)
  local base = M.site(site)
  if not page or page.section ~= "posts" then return base end
  local related
  return setmetatable({}, {
    __index = function(_, k)
      if k ~= "related_posts" then return base[k] end
      if not related then
        related = {}
        local me = page_drop(page)
        for _, d in ipairs(base.posts) do
          if #related >= 10 then break end
          if d ~= me then related[#related + 1] = d end
        end
      end
      return related
    end,
    __pairs = function() return pairs(base) end,
  })
end

-- jekyll-paginate's paginator for a page folio's paginate plugin split (page.paginator).
function M.paginator(page)
  local pg = page and page.paginator
  if type(pg) ~= "table" then return nil end
  local n, count = pg.number, pg.count
  return {
    page = n, per_page = pg.per_page, posts = drops_of(page.pages), total_posts = pg.total,
    total_pages = count, previous_page = n > 1 and n - 1 or nil, next_page = n < count and n + 1 or nil,
    previous_page_path = pg.prev, next_page_path = pg.next, -- without baseurl (| relative_url adds it)
  }
end

M.jekyll = { environment = os.getenv("JEKYLL_ENV") or "development", version = "4.3.1" }

folio.jekyll_drops = M
return M

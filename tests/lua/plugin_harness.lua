-- plugin_harness.lua: runs the shipped plugins (scripts/<name>.lua, read from the binary) on
-- hand-made pages, for the tests of issue 4's plugins.
--   local H = dofile("plugin_harness.lua")
--   H.load("taxonomies", { names = { "tags" } })       -- registers its hooks in H
--   local site = H.site({ H.post{ title = "A", tags = { "Lua" } } }, { title = "Blog" })
--   H.run_site(site)                                     -- every "site" hook, by order
-- Only folio.hook is replaced (by a recorder); the rest of `folio` is the real one (folio.slugify
-- comes from the core's folio.page module). A helper missing from this build gets a stand-in,
-- flagged in H.stubbed. The site object mirrors the core's (src/lua/folio/pipeline.lua):
-- site.pages holds the content pages, site.generated what site:add_page added (home included).
local H = { hooks = {}, stubbed = {}, fields = {} }
local seq = 0

folio.hook = function(stage, fn, opts)
  seq = seq + 1
  local order = opts and opts.order or 50
  H.hooks[#H.hooks + 1] = { stage = stage, fn = fn, order = order, seq = seq }
end

-- folio.site_hook (src/lua/folio/site.lua): the core's runner (folio.site_hooks), recorded as a
-- site hook. run_site tells it which pages changed: H.changed (page -> true), nil for all.
local site_hooks = require "folio.site_hooks"
folio.site_hook = function(spec)
  seq = seq + 1
  H.hooks[#H.hooks + 1] = { stage = "site", fn = site_hooks.runner(spec), order = spec.order or 50, seq = seq }
end

-- folio.page_field (src/lua/folio/pipeline.lua): recorded, and served by run_site's pages.
folio.page_field = function(name, fn) H.fields[name] = fn end

pcall(require, "folio.page") -- defines folio.slugify
if not folio.slugify then
  H.stubbed.slugify = true
  local latin = { ["à"]="a", ["á"]="a", ["â"]="a", ["ä"]="a", ["ã"]="a", ["å"]="a", ["ç"]="c",
    ["è"]="e", ["é"]="e", ["ê"]="e", ["ë"]="e", ["ì"]="i", ["í"]="i", ["î"]="i", ["ï"]="i",
    ["ñ"]="n", ["ò"]="o", ["ó"]="o", ["ô"]="o", ["ö"]="o", ["õ"]="o", ["ù"]="u", ["ú"]="u",
    ["û"]="u", ["ü"]="u", ["ý"]="y", ["ÿ"]="y", ["É"]="e", ["À"]="a", ["Ç"]="c", ["Ü"]="u" }
  folio.slugify = function(s)
    s = s:gsub("[\xC3][\x80-\xBF]", latin):lower()
    s = s:gsub("[%z\1-\127]", function(c) return c:match("[%w]") and c or "-" end)
    return (s:gsub("%-+", "-"):gsub("^%-", ""):gsub("%-$", ""))
  end
end

folio.warn = folio.warn or function(msg) H.warnings[#H.warnings + 1] = msg end
H.warnings = {}
folio.date = folio.date or {}
if not folio.date.iso then
  H.stubbed.date = true
  folio.date.iso = function(t) return os.date("!%Y-%m-%dT%H:%M:%S+00:00", t) end
  folio.date.format = function(t, fmt) return os.date("!" .. fmt, t) end
  folio.date.rfc822 = function(t) return os.date("!%a, %d %b %Y %H:%M:%S +0000", t) end
end

-- Loads scripts/<name>.lua from the binary with `opts` as its `...`.
function H.load(name, opts)
  local path = "scripts/" .. name .. ".lua"
  local chunk = assert(load(assert(folio.embedded.read(path), path .. " is embedded"), "@" .. path))
  chunk(opts or {})
end

-- Forgets every registered hook (and what plugins put on `folio`), for a fresh start.
function H.reset()
  H.hooks = {}
  H.fields = {}
  folio.highlight = nil
end

function H.stage(name)
  local list = {}
  for _, h in ipairs(H.hooks) do if h.stage == name then list[#list + 1] = h end end
  table.sort(list, function(a, b) if a.order ~= b.order then return a.order < b.order end return a.seq < b.seq end)
  return list
end

-- A content page, as the core hands it to the site stage.
local n = 0
function H.post(t)
  n = n + 1
  t.path = t.path or ("content/posts/p" .. n .. ".md")
  t.section = t.section or "posts"
  t.kind = t.kind or "page"
  t.slug = t.slug or ("p" .. n)
  t.url = t.url or ("/posts/" .. t.slug .. "/")
  t.title = t.title or ("Post " .. n)
  t.date = t.date or (1389139200 + n * 86400)
  t.lastmod = t.lastmod or t.date
  t.layout = t.layout or "post"
  t.tags = t.tags or {}
  t.categories = t.categories or {}
  t.content = t.content or ("<p>Body of " .. t.title .. ".</p>")
  return t
end

local function output_of(url)
  if url:sub(-1) == "/" then return url:sub(2) .. "index.html" end
  return url:sub(2)
end

-- A site as the core builds it: pages newest first, posts, generated pages (home first),
-- add_page, find.
function H.site(pages, config)
  local site = {}
  for k, v in pairs(config or {}) do site[k] = v end
  site.title = site.title or "Test site"
  site.base_url = site.base_url or "https://example.org/"
  pages = table.move(pages, 1, #pages, 1, {})
  table.sort(pages, function(a, b) return (a.date or 0) > (b.date or 0) end)
  site.pages, site.posts, site.generated = {}, {}, {}
  for _, p in ipairs(pages) do
    site.pages[#site.pages + 1] = p
    if p.section == "posts" then site.posts[#site.posts + 1] = p end
  end
  local by_url = {}
  for _, p in ipairs(pages) do by_url[p.url] = p end
  function site:add_page(t)
    assert(t.url, "add_page needs url")
    assert(t.layout ~= nil or t.content, "add_page needs layout or content")
    assert(not by_url[t.url], "duplicate page " .. t.url)
    t.kind = t.kind or "list"
    t.output = output_of(t.url)
    t.generated = true
    by_url[t.url] = t
    self.generated[#self.generated + 1] = t
    return t
  end
  function site:add_pages(list) for _, t in ipairs(list) do self:add_page(t) end end
  function site:find(url) return by_url[url] end
  local posts = {}
  for i, p in ipairs(site.posts) do posts[i] = p end
  site:add_page({ kind = "home", url = "/", layout = "home", title = site.title, pages = posts })
  return site
end

function H.run_site(site)
  local meta = { __index = function(page, key)
    local fn = H.fields[key]
    if fn then return fn(page, site) end
  end }
  for _, p in ipairs(site.pages) do
    if getmetatable(p) == nil then setmetatable(p, meta) end
  end
  site.touch = site.touch or function(_, page) site_hooks.touch(page) end
  site_hooks.begin_run(H.changed)
  for _, h in ipairs(H.stage("site")) do h.fn(site) end
  return site
end

-- The generated page written at `url`, or nil.
function H.page(site, url) return site:find(url) end

function H.urls(list)
  local out = {}
  for i, p in ipairs(list) do out[i] = p.url end
  return out
end

-- Writes `s` to a temporary file and returns its name.
function H.tmpfile(s, suffix)
  local name = os.tmpname() .. (suffix or "")
  local f = assert(io.open(name, "w"))
  f:write(s)
  f:close()
  return name
end

return H

-- folio.languages: multilingual sites (docs/multilingual.md). This module owns which languages a
-- site has (site.lua's `languages`, or content folders named after languages), the language of
-- each page (front matter, else its folder, else the site's `language`), the language prefix of
-- URLs, the matching of translations (same path under each language folder, or the same
-- `translation_key`), and the per-language views of the site that templates and the shipped
-- plugins work on, so that no list mixes languages.
local i18n = require "folio.i18n"

local M = {}

-- ISO 639-1 codes: a content folder with one of these names (or with a region, "pt-br") is a
-- language folder when site.lua has no `languages`.
local ISO = {}
for code in ([[aa ab af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu
  cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht
  hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb
  lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or
  os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te
  tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu]]):gmatch("%a+") do
  ISO[code] = true
end

local function looks_like_language(name)
  local base, region = name:lower():match("^(%a%a)([-_]?%w*)$")
  return base ~= nil and ISO[base] and (region == "" or #region >= 3)
end

-- The site's languages from site.lua and the source paths (main state, before processing):
-- { list = { "en", "ja" } (by weight, then code), default = "en", multilingual = bool,
--   folders = { ja = true, ... } (content/<code>/ folders holding a language's pages) }.
function M.detect(config, paths)
  local default = config.language or "en"
  local configured = type(config.languages) == "table" and next(config.languages) ~= nil
  local folders, found = {}, {}
  for _, path in ipairs(paths) do
    local first = path:match("^content/([^/]+)/")
    if first and not found[first] then
      found[first] = true
      if configured then
        if config.languages[first] then folders[first] = true end
      elseif looks_like_language(first) then
        folders[first] = true
      end
    end
  end
  local langs, seen = {}, {}
  local function add(code) if not seen[code] then seen[code] = true; langs[#langs + 1] = code end end
  add(default)
  if configured then for code in pairs(config.languages) do add(code) end end
  local nfolders = 0
  for code in pairs(folders) do add(code); nfolders = nfolders + 1 end
  local multilingual = configured and #langs > 1 or (not configured and nfolders >= 2)
  if not multilingual then langs, folders = { default }, {} end
  local weight = function(code)
    local c = configured and config.languages[code]
    return type(c) == "table" and tonumber(c.weight) or (code == default and 0 or 1000)
  end
  table.sort(langs, function(a, b)
    local wa, wb = weight(a), weight(b)
    if wa ~= wb then return wa < wb end
    return a < b
  end)
  return { list = langs, default = default, multilingual = multilingual, folders = folders }
end

local info = { list = { "en" }, default = "en", multilingual = false, folders = {} }
function M.set(t) info = t end
function M.get() return info end

-- The URL prefix of a language: "" for the default one (unless site.lua sets
-- `default_language_in_url = true`), "/<code>" for the others.
function M.prefix(config, lang)
  if not info.multilingual or lang == nil then return "" end
  if lang == info.default and not config.default_language_in_url then return "" end
  return "/" .. lang
end

-- Called by the pipeline before a page's front matter is read: the page's language folder,
-- if it sits in one (content/ja/posts/x.md: "ja").
function M.folder_of(path)
  if not info.multilingual then return nil end
  local first = path:match("^content/([^/]+)/")
  if first and info.folders[first] then return first end
  return nil
end

-- After the front matter: page.lang and page.dir.
function M.assign(page, config)
  local lang = page.meta and page.meta.lang
  if type(lang) ~= "string" or lang == "" then lang = page.lang_folder or config.language or "en" end
  page.lang = lang
  page.dir = i18n.direction(lang)
  page.lang_prefix = M.prefix(config, lang)
end

-- Site stage --------------------------------------------------------------------------------

-- Keys of site.lua's `languages.<code>` that are not site keys.
local OWN_KEYS = { weight = true, name = true }

-- A plain table per language (site.language_sites[code]) holding what differs from the site:
-- the language's own site.lua keys (title, description, menu, date_format...), its pages, posts,
-- sections, and what the plugins set for it (feed_links, taxonomies, search...). M.view gives
-- it the site behind it.
local function new_language_site(site, config, lang, pages, menu_of)
  local own = type(config.languages) == "table" and config.languages[lang] or {}
  local v = { lang = lang, language = lang, lang_prefix = M.prefix(config, lang), root_site = site }
  if type(own) == "table" then
    for k, val in pairs(own) do if not OWN_KEYS[k] and type(val) ~= "function" then v[k] = val end end
  end
  v.pages, v.sections = pages, {}
  for _, p in ipairs(pages) do
    local list = v.sections[p.section]
    if not list then list = {}; v.sections[p.section] = list end
    list[#list + 1] = p
  end
  v.posts = v.sections.posts or {}
  if config.menu == nil and v.menu == nil then v.menu = menu_of(pages) end
  v.home_url = (v.lang_prefix == "" and "/" or v.lang_prefix .. "/")
  return v
end

local view_meta = setmetatable({}, { __mode = "k" }) -- site -> metatable of its views

-- The view of `site` for `lang`: its language table, with the site behind it (metatables do not
-- travel between states, so each state sets them again). Monolingual sites: the site itself.
function M.view(site, lang)
  local views = rawget(site, "language_sites")
  local v = views and (views[lang] or views[info.default])
  if not v then return site end
  if getmetatable(v) == nil then
    local mt = view_meta[site]
    if not mt then
      -- pages added through a view go to the site (and its URL index), found the same way
      local methods = {
        add_page = function(_, t) return site:add_page(t) end,
        find = function(_, url) return site:find(url) end,
      }
      mt = { __index = function(_, k)
        local m = methods[k]
        if m then return m end
        return site[k]
      end }
      view_meta[site] = mt
    end
    setmetatable(v, mt)
  end
  return v
end

-- The views of a site, in language order: what the shipped plugins loop over so that their
-- lists, feeds and indexes never mix languages. A monolingual site is its only view.
function M.views(site)
  local views = rawget(site, "language_sites")
  if not views then return { site } end
  local out = {}
  for _, lang in ipairs(info.list) do out[#out + 1] = M.view(site, lang) end
  return out
end

local function key_of(page)
  local key = page.meta and page.meta.translation_key
  if key ~= nil then return "key:" .. tostring(key) end
  local rel = page.path:gsub("^content/", "")
  if page.lang_folder then rel = rel:sub(#page.lang_folder + 2) end
  return "path:" .. rel:gsub("%.[^./]+$", "")
end

local function language_name(config, lang)
  local own = type(config.languages) == "table" and config.languages[lang]
  if type(own) == "table" and own.name then return tostring(own.name) end
  return i18n.lookup("language_name", lang) or i18n.NATIVE_NAMES[lang:lower():match("^[^-_]+")] or lang
end

-- Every page's translations: { { lang =, url =, title = }, ... }, the other languages' pages
-- with the same key (translation_key, else the path under the language folder), in language
-- order. Generated pages (homes, term pages) get theirs from M.translations_of.
local function link_translations(all)
  local groups = {}
  for _, p in ipairs(all) do
    if p.path and p.lang then
      local k = key_of(p)
      local g = groups[k]
      if not g then g = {}; groups[k] = g end
      g[#g + 1] = p
    end
  end
  local rank = {}
  for i, code in ipairs(info.list) do rank[code] = i end
  for _, g in pairs(groups) do
    table.sort(g, function(a, b) return (rank[a.lang] or 999) < (rank[b.lang] or 999) end)
    for _, p in ipairs(g) do
      local list = {}
      for _, q in ipairs(g) do
        if q ~= p and q.lang ~= p.lang and q.output ~= false then
          list[#list + 1] = { lang = q.lang, url = q.url, title = q.title }
        end
      end
      p.translations = list
    end
  end
end

-- The translations of a generated page (homes, term and archive pages): the pages at the same
-- URL under each other language's prefix. Kept on the page.
function M.translations_of(site, page)
  local t = rawget(page, "translations")
  if t or not info.multilingual or not page.lang then return t end
  local config = folio.config
  local mine = M.prefix(config, page.lang)
  local rest = page.url:sub(#mine + 1)
  t = {}
  for _, lang in ipairs(info.list) do
    if lang ~= page.lang then
      local q = site:find(M.prefix(config, lang) .. rest)
      if q and q.lang == lang then t[#t + 1] = { lang = lang, url = q.url, title = q.title } end
    end
  end
  page.translations = t
  return t
end

-- A not-found page per language (/ja/404.html), as Hugo writes them, when the pipeline added the
-- root /404.html: that one is in the default language, whichever prefix it has.
local function add_not_found_pages(site, views, has_output)
  local root = site:find("/404.html")
  if not (root and root.kind == "404" and root.generated) then return end
  root.lang = info.default
  for _, lang in ipairs(info.list) do
    local prefix = views[lang].lang_prefix
    if prefix ~= "" then
      local url = prefix .. "/404.html"
      local title = i18n.lookup("page_not_found", lang)
      local existing = site:find(url)
      if existing and existing.kind == "404" and existing.generated then
        existing.lang = lang
      elseif not existing and not has_output(url:sub(2)) then
        site:add_page { url = url, kind = "404", layout = "404", lang = lang,
                        title = type(title) == "string" and title or root.title }
      end
    end
  end
end

-- Before the site hooks (both a full assemble and a preview update): the language views, each
-- language's home page, neighbours within a language, translations, site.languages.
-- `menu_of(pages)` is the default menu; `has_output(out)` tells whether a page writes `out`.
function M.assemble(site, config, menu_of, has_output, link_neighbours)
  if not info.multilingual then
    site.languages = { { lang = config.language, name = language_name(config, config.language), url = "/",
                         title = site.title, dir = i18n.direction(config.language), weight = 0, default = true } }
    return
  end
  local by_lang = {}
  for _, lang in ipairs(info.list) do by_lang[lang] = {} end
  for _, p in ipairs(site.pages) do
    local list = by_lang[p.lang]
    if not list then list = {}; by_lang[p.lang] = list end
    list[#list + 1] = p
  end
  local views, languages = {}, {}
  for i, lang in ipairs(info.list) do
    local v = new_language_site(site, config, lang, by_lang[lang], menu_of)
    views[lang] = v
    for _, list in pairs(v.sections) do link_neighbours(list) end
    local own = type(config.languages) == "table" and config.languages[lang] or {}
    local entry = { lang = lang, name = language_name(config, lang), url = v.home_url,
                    title = v.title or site.title, dir = i18n.direction(lang),
                    weight = type(own) == "table" and tonumber(own.weight) or i, default = lang == info.default }
    languages[#languages + 1] = entry
    languages[lang] = entry
  end
  site.language_sites = views
  site.languages = languages
  link_translations(site.pages)
  -- A home per language (the default language's is the usual "/", added by the pipeline).
  for _, lang in ipairs(info.list) do
    local v = views[lang]
    local home_out = v.home_url:sub(2) .. "index.html"
    local existing = site:find(v.home_url)
    if existing and existing.kind == "home" and existing.generated then
      existing.lang, existing.pages, existing.title = lang, #v.posts > 0 and v.posts or v.pages, v.title or site.title
    elseif not has_output(home_out) then
      site:add_page { url = v.home_url, kind = "home", layout = "home", title = v.title or site.title,
                      pages = #v.posts > 0 and v.posts or v.pages, lang = lang }
    end
  end
  add_not_found_pages(site, views, has_output)
  if config.default_language_in_url and not has_output("index.html") then
    local home = site:find("/")
    local target = views[info.default].home_url
    if home and home.generated and home.kind == "home" and home.url ~= target then
      home.kind, home.layout = "alias", false
      local to = folio.escape(site.base_url:gsub("/$", "") .. target)
      home.content = '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Redirecting</title>'
        .. '<link rel="canonical" href="' .. to .. '"><meta http-equiv="refresh" content="0; url=' .. to .. '"></head>'
        .. '<body><p><a href="' .. to .. '">' .. to .. '</a></p></body></html>\n'
    end
  end
end

-- For plugins: folio.language_views(site), the language views to loop over.
-- folio.translations_of(site, page): page.translations, computed for generated pages.
if rawget(_G, "folio") then
  folio.language_views = M.views
  folio.translations_of = M.translations_of
end

return M

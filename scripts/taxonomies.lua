-- taxonomies.lua: tags, categories and any other front matter list, each with a page per term
-- (/tags/<slug>/) and a page listing the terms (/tags/).
--
-- Options (site.lua: `{ "taxonomies", names = { "tags", "categories", "speakers" } }`):
--   names    front matter keys to collect (default { "tags", "categories" })
--   titles   title pattern of term pages per name, "%s" is the term
--            (default: "Posts tagged %s" for tags, "Posts in %s" otherwise)
--
-- Sets, at the site stage (order 40, before feeds, related and pagination):
--   page.taxonomies.<name> = { { name =, slug =, url = }, ... }       on every content page
--   site.taxonomies.<name> = { { name =, slug =, url =, count =, pages = }, ... } sorted by name
-- and adds a page per term (kind "term", layout "list", `pages` newest first, `taxonomy`,
-- `term`) and one per taxonomy (kind "terms", layout "terms", `terms` as in site.taxonomies).
--
-- Terms are the same when their slugs are: `Python` and `python`, or `Café` and `Cafe`, are
-- one term, spelled as in the oldest page that uses it. See term_slug for the slug rule.
local opts = ... or {}
local names = opts.names or { "tags", "categories" }
local titles = opts.titles or {}

-- The slug of a term: symbols that tell terms apart become words (`C++` -> `c-plus-plus`,
-- `C#` -> `c-sharp`, `.NET` -> `dotnet`, `R&D` -> `r-and-d`), then folio.slugify does the rest:
-- lower case, Latin accents transliterated (`Café` -> `cafe`), other letters kept, anything
-- else a `-` (`Node.js` -> `node-js`, `Machine Learning` -> `machine-learning`). A term with
-- nothing left (`!!!`) gets its bytes in hex, so it still has a URL of its own.
local function term_slug(term)
  local s = term:gsub("^%.", "dot"):gsub("%+", "-plus-"):gsub("#", "-sharp-"):gsub("&", "-and-")
  s = folio.slugify(s)
  if s == "" then s = term:gsub(".", function(c) return string.format("%02x", c:byte()) end) end
  return s
end

local function as_list(v)
  if type(v) == "table" then return v end
  if v == nil or v == "" then return {} end
  return { v }
end

local function trim(s) return (tostring(s):gsub("^%s+", ""):gsub("%s+$", "")) end

-- raw front matter value -> { label, slug } (slug false for an empty label), once per build.
local function labeler()
  local known = {}
  return function(raw)
    if raw ~= raw then local label = trim(raw); return label, label ~= "" and term_slug(label) end
    local k = known[raw]
    if not k then
      local label = trim(raw)
      k = { label, label ~= "" and term_slug(label) }
      known[raw] = k
    end
    return k[1], k[2]
  end
end

local function collect(site, name, label_of, prefix)
  local terms, by_slug = {}, {}
  -- Oldest page first, so that the first spelling of a term is the one that stays.
  for i = #site.pages, 1, -1 do
    local page = site.pages[i]
    if page.path then
      for _, raw in ipairs(as_list(page[name])) do
        local label, slug = label_of(raw)
        if slug and not by_slug[slug] then
          by_slug[slug] = { name = label, slug = slug, url = prefix .. "/" .. name .. "/" .. slug .. "/", pages = {} }
          terms[#terms + 1] = by_slug[slug]
        end
      end
    end
  end
  -- Newest page first in each term; each page once per term, however often it names it.
  for _, page in ipairs(site.pages) do
    if page.path then
      local mine, seen = {}, {}
      for _, raw in ipairs(as_list(page[name])) do
        local _, slug = label_of(raw)
        local term = slug and by_slug[slug]
        if term and not seen[term] then
          seen[term] = true
          term.pages[#term.pages + 1] = page
          mine[#mine + 1] = { name = term.name, slug = term.slug, url = term.url }
        end
      end
      page.taxonomies = page.taxonomies or {}
      page.taxonomies[name] = mine
    end
  end
  for _, term in ipairs(terms) do term.count = #term.pages end
  table.sort(terms, function(a, b)
    local x, y = a.name:lower(), b.name:lower()
    if x ~= y then return x < y end
    return a.slug < b.slug
  end)
  return terms
end

-- A multilingual site: each language's terms and pages apart (folio.language_views), under its
-- URL prefix (/ja/tags/go/), with titles from the theme's translations.
local lookup = folio.i18n and folio.i18n.lookup or function() return nil end

folio.hook("site", function(root)
  local label_of = labeler()
  for _, site in ipairs(folio.language_views and folio.language_views(root) or { root }) do
    local prefix, lang = site.lang_prefix or "", rawget(site, "lang")
    rawset(site, "taxonomies", rawget(site, "taxonomies") or {})
    for _, name in ipairs(names) do
      local terms = collect(site, name, label_of, prefix)
      site.taxonomies[name] = terms
      local pattern = titles[name] or lookup(name == "tags" and "tagged" or "posts_in", lang)
        or (name == "tags" and "Posts tagged %s" or "Posts in %s")
      for _, term in ipairs(terms) do
        local pages = {}
        for i, p in ipairs(term.pages) do pages[i] = p end
        site:add_page({
          url = term.url, kind = "term", layout = "list", taxonomy = name, term = term.name,
          title = pattern:gsub("%%s", (term.name:gsub("%%", "%%%%"))), pages = pages, lang = lang,
        })
      end
      site:add_page({
        url = prefix .. "/" .. name .. "/", kind = "terms", layout = "terms", taxonomy = name,
        title = lookup(name, lang) or (name:sub(1, 1):upper() .. name:sub(2)), terms = terms, lang = lang,
      })
    end
  end
end, { order = 40 })

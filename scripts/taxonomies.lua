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
--                            (one such table per term, shared by the pages that have it;
--                            page.taxonomies is a folio.page_field, see KEY)
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

-- (NONE: one empty list for every page without the field, only ever read)
local NONE = setmetatable({}, { __newindex = function() error("taxonomies: NONE is read only", 2) end })
local function as_list(v)
  if type(v) == "table" then return v end
  if v == nil or v == "" then return NONE end
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

local label_of = labeler()

-- A page's terms, per name: { [name] = { label, slug, label, slug, ... } } (folio.site_hook's
-- part: only the page's own front matter).
-- (tables made at their size: a page's part is made once per page and build; a page without
-- terms of a name has the one read-only NONE list)
local new_table = folio.new_table or function() return {} end
local function terms_of(page)
  local part = new_table(0, #names)
  for _, name in ipairs(names) do
    local raws = as_list(page[name])
    local list = NONE
    if #raws > 0 then
      list = new_table(2 * #raws, 0)
      for _, raw in ipairs(raws) do
        local label, slug = label_of(raw)
        if slug then list[#list + 1] = label; list[#list + 1] = slug end
      end
    end
    part[name] = list
  end
  return part
end

-- Whether the array `list` holds `v` (a page's terms: a few, so no set is made per page).
local function has(list, v)
  for i = 1, #list do if list[i] == v then return true end end
  return false
end

local function collect(site, name, parts, prefix)
  local terms, by_slug = {}, {}
  -- Oldest page first, so that the first spelling of a term is the one that stays.
  -- (a page without a path has no part: per_page gives none, so its fields are not read here)
  local pages = site.pages
  for i = #pages, 1, -1 do
    local part = parts[pages[i]]
    if part then
      local list = part[name]
      for k = 1, #list, 2 do
        local label, slug = list[k], list[k + 1]
        if not by_slug[slug] then
          by_slug[slug] = { name = label, slug = slug, url = prefix .. "/" .. name .. "/" .. slug .. "/", pages = {} }
          terms[#terms + 1] = by_slug[slug]
        end
      end
    end
  end
  -- Newest page first in each term; each page once per term, however often it names it. A
  -- page's list holds one { name =, slug =, url = } table per term, shared by all its pages.
  local mine_of, ref_of = {}, {}
  for _, term in ipairs(terms) do ref_of[term] = { name = term.name, slug = term.slug, url = term.url } end
  for _, page in ipairs(pages) do
    local part = parts[page]
    if part then
      local mine = {}
      local list = part[name]
      for k = 2, #list, 2 do
        local term = by_slug[list[k]]
        local ref = ref_of[term]
        if not has(mine, ref) then
          term.pages[#term.pages + 1] = page
          mine[#mine + 1] = ref
        end
      end
      mine_of[page] = mine
    end
  end
  for _, term in ipairs(terms) do term.count = #term.pages end
  table.sort(terms, function(a, b)
    local x, y = a.name:lower(), b.name:lower()
    if x ~= y then return x < y end
    return a.slug < b.slug
  end)
  return terms, mine_of, ref_of
end

-- A page's slugs for `name` in its part, each once, in order.
local function slugs_of(part, name)
  local out, list = {}, part and part[name] or {}
  for k = 2, #list, 2 do
    local slug, seen = list[k], false
    for j = 1, #out do if out[j] == slug then seen = true; break end end
    if not seen then out[#out + 1] = slug end
  end
  return out
end

-- The label `page` gives the term `slug` in its part.
local function label_in(part, name, slug)
  local list = part and part[name] or {}
  for k = 2, #list, 2 do if list[k] == slug then return list[k - 1] end end
  return nil
end

-- folio serve, a few pages' terms changed: the last run's terms patched in place (each changed
-- page taken out of the terms it left and put, in site order, into those it joined), when no
-- term is born or emptied and no term's spelling (its oldest page's) changes; false when that
-- cannot be done (collect then makes everything again). `pages` are the changed pages; `moved`:
-- they may also have moved in site.pages (a date edit), so each is put in its place again.
local function patch_terms(site, name, parts, pages, last, moved)
  local terms, mine_of, ref_of = last.terms[name], last.mine[name], last.refs[name]
  if not (terms and mine_of and ref_of) or #pages > 64 then return false end
  local by_slug = {}
  for _, term in ipairs(terms) do by_slug[term.slug] = term end
  local position
  local function place(p)
    if not position then
      position = {}
      for i, q in ipairs(site.pages) do position[q] = i end
    end
    return position[p]
  end
  local plan = {} -- page -> its new slugs, for the pages whose terms changed
  for _, p in ipairs(pages) do
    local now = p.path and slugs_of(parts[p], name) or {}
    local was = {}
    for i, ref in ipairs(mine_of[p] or {}) do was[i] = ref.slug end
    local same = #was == #now and not moved
    for i = 1, #now do if now[i] ~= was[i] then same = false; break end end
    if not same then
      if not place(p) then return false end
      for _, slug in ipairs(now) do
        local term = by_slug[slug]
        if not term or label_in(parts[p], name, slug) ~= term.name then return false end
      end
      plan[p] = { was = was, now = now }
    end
  end
  -- what each touched term's pages become (checked before anything changes)
  local lists, touched = {}, {}
  local function list_of(term)
    local l = lists[term]
    if not l then l = table.move(term.pages, 1, #term.pages, 1, {}); lists[term] = l; touched[#touched + 1] = term end
    return l
  end
  for p, change in pairs(plan) do
    for _, slug in ipairs(change.was) do
      local l = list_of(by_slug[slug])
      for i = #l, 1, -1 do if l[i] == p then table.remove(l, i); break end end
    end
    for _, slug in ipairs(change.now) do
      local l, at = list_of(by_slug[slug]), place(p)
      local lo, hi = 1, #l + 1
      while lo < hi do
        local mid = (lo + hi) // 2
        if place(l[mid]) < at then lo = mid + 1 else hi = mid end
      end
      table.insert(l, lo, p)
    end
  end
  for _, term in ipairs(touched) do
    local l = lists[term]
    if #l == 0 then return false end -- a term emptied
    local oldest = l[#l]
    if label_in(parts[oldest], name, term.slug) ~= term.name then return false end -- its spelling moves
  end
  for _, term in ipairs(touched) do
    term.pages, term.count = lists[term], #lists[term]
    last.listed[term] = nil -- its list pages get a new copy
  end
  for p, change in pairs(plan) do
    local mine = {}
    for i, slug in ipairs(change.now) do mine[i] = ref_of[by_slug[slug]] end
    mine_of[p] = mine
  end
  return true
end

-- page.taxonomies is read through folio.page_field, from tables kept on the site (KEY: one
-- per language view, page -> { [name] = its list }), not stored on the page: a page table has
-- 32 fields when it gets here, and a 33rd would double its hash part (+768 bytes a page).
local KEY = "taxonomies_of"
folio.page_field("taxonomies", function(page, site)
  local views = site and rawget(site, KEY)
  if not views then return nil end
  for i = 1, #views do
    local t = views[i][page]
    if t then return t end
  end
  return nil
end)

-- page.taxonomies[name] = mine: in `by` (see KEY), or on the page's own `taxonomies` table
-- if it has one.
local function set_mine(by, page, name, mine)
  local t = rawget(page, "taxonomies")
  if not t then
    t = by[page]
    if not t then t = {}; by[page] = t end
  end
  t[name] = mine
end

-- What the last run made (folio serve), per language view: per name, the terms and each
-- page's list, and the view's pages then.
-- lang -> { terms = { [name] = terms }, mine = { [name] = { [page] = mine } }, listed =, pages = }
local last_of = {}

-- A multilingual site: each language's terms and pages apart (folio.language_views), under its
-- URL prefix (/ja/tags/go/), with titles from the theme's translations.
local lookup = folio.i18n and folio.i18n.lookup or function() return nil end

local same_pages = folio.same_items

-- The pages of the site for the terms of the last run: fresh page tables each run (pagination
-- changes what it is given), each with a copy of its term's list made once (`listed`).
local function add_pages(site, name, terms, listed)
  local prefix, lang = site.lang_prefix or "", rawget(site, "lang")
  local pattern = titles[name] or lookup(name == "tags" and "tagged" or "posts_in", lang)
    or (name == "tags" and "Posts tagged %s" or "Posts in %s")
  for _, term in ipairs(terms) do
    local pages = listed[term]
    if not pages then
      pages = table.move(term.pages, 1, #term.pages, 1, {})
      listed[term] = pages
    end
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

-- The last run's terms and lists, given again to the site (the changed pages' own tables
-- remade): returns the view's page -> page.taxonomies table (see KEY).
local function reuse_last(site, last, pages)
  local by = last.by
  for _, page in ipairs(pages) do by[page] = nil end -- re-processed: a new table
  for _, name in ipairs(names) do
    local mine = last.mine[name]
    for _, page in ipairs(pages) do
      if mine[page] then set_mine(by, page, name, mine[page]) end
    end
    site.taxonomies[name] = last.terms[name]
    add_pages(site, name, last.terms[name], last.listed)
  end
  return by
end

-- Whether patch_terms could bring every name's terms up to date with the changed pages.
local function patch_all(site, parts, pages, last, moved)
  for _, name in ipairs(names) do
    if not patch_terms(site, name, parts, pages, last, moved) then return false end
  end
  return true
end

-- Returns the view's page -> page.taxonomies table (see KEY): the last run's when no page's terms
-- changed, or when the few that did could be patched in; else everything collected again.
local function language_terms(site, parts, changes)
  local lang = rawget(site, "lang") or ""
  rawset(site, "taxonomies", rawget(site, "taxonomies") or {})
  local last = last_of[lang]
  if last and same_pages(last.pages, site.pages)
     and (changes.same or (not changes.first and patch_all(site, parts, changes.pages, last))) then
    return reuse_last(site, last, changes.pages)
  end
  -- a date edit: the same pages, the changed ones in new places
  if last and not changes.first and changes.moved(last.pages, site.pages)
     and patch_all(site, parts, changes.pages, last, true) then
    last.pages = table.move(site.pages, 1, #site.pages, 1, {})
    return reuse_last(site, last, changes.pages)
  end
  local before = last
  local by = {}
  -- (the view's pages, for the next run: none follows a folio build)
  local pages = changes.final and {} or table.move(site.pages, 1, #site.pages, 1, {})
  last = { terms = {}, mine = {}, refs = {}, listed = {}, by = by, pages = pages }
  last_of[lang] = last
  local prefix = site.lang_prefix or ""
  local mines, olds = {}, {}
  for i, name in ipairs(names) do
    local terms, mine_of, ref_of = collect(site, name, parts, prefix)
    mines[i], olds[i] = mine_of, before and before.mine[name] or false
    last.terms[name], last.mine[name], last.refs[name] = terms, mine_of, ref_of
  end
  -- each page's lists, every name's in one visit of the page
  for _, page in ipairs(site.pages) do
    for i, name in ipairs(names) do
      local mine_of, old = mines[i], olds[i]
      local mine = mine_of[page]
      if mine then
        if old and old[page] and changes.equal(old[page], mine) then
          mine = old[page] -- the same table as before: what others keep of it stays valid
        elseif old then
          site:touch(page)
        end
        mine_of[page] = mine
        set_mine(by, page, name, mine)
      end
    end
  end
  for _, name in ipairs(names) do
    site.taxonomies[name] = last.terms[name]
    add_pages(site, name, last.terms[name], last.listed)
  end
  return by
end

folio.site_hook {
  name = "taxonomies",
  order = 40,
  per_page = function(page)
    if page.path then return terms_of(page) end
  end,
  -- Per language view: unless no page's terms changed (nor the view's pages), everything is
  -- collected again; pages whose lists changed are touched, for the hooks after this one.
  combine = function(root, parts, changes)
    local views = {}
    for _, site in ipairs(folio.language_views and folio.language_views(root) or { root }) do
      views[#views + 1] = language_terms(site, parts, changes)
    end
    rawset(root, KEY, views)
    if changes.final then last_of = {} end -- no run follows (folio build): keep nothing
  end,
}

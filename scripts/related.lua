-- related.lua: page.related, the posts that share the most terms with a page.
--
-- Options (site.lua: `{ "related", count = 3, taxonomies = { "tags" } }`):
--   count        most related posts per page (default 5)
--   taxonomies   front matter lists compared (default { "tags", "categories" })
--
-- A post is related when it shares at least one term; more shared terms rank higher, ties go
-- to the newer post. A page is never related to itself. Terms compare by slug when the
-- taxonomies plugin ran (so `Python` matches `python`), else case-insensitively.
-- The site stage (order 50, after taxonomies) only builds an index: for each term, the ranks
-- (places in site.posts) of the posts that have it, packed for folio.related (C, in
-- src/core/related.c). page.related is computed when a template or hook reads it
-- (folio.page_field), once per page and site.

local opts = ... or {}
local count = opts.count or 5
local names = opts.taxonomies or { "tags", "categories" }

-- A page's terms, flat, into `out`: i, key, i, key, ... in order, where i is the taxonomy's
-- place in `names` and key the term's slug when the taxonomies plugin ran (page.taxonomies),
-- else its front matter value in lower case. Returns how many entries it wrote (entries after
-- them are left as they were: `out` is a scratch list used again). Both the index (terms_of)
-- and the site hook's part (term_list) are made from it.
local scratch = {}
local function raw_terms(page, out)
  local n = 0
  local tax = page.taxonomies
  for i, name in ipairs(names) do
    local list = tax and tax[name]
    local raw = not list
    if raw then
      list = page[name]
      if type(list) ~= "table" then list = { list } end
    end
    for _, t in ipairs(list) do
      out[n + 1], out[n + 2] = i, raw and tostring(t):lower() or t.slug
      n = n + 2
    end
  end
  return n
end

-- The terms of a page, each once, as numbers, from its flat terms terms[1..n] (raw_terms):
-- `ids[i][key]` numbers the term `key` of the taxonomy names[i]; `create` adds the terms not yet
-- numbered.
local function ids_of(terms, n, ids, create)
  local out = {}
  for k = 1, n, 2 do
    local known = ids[terms[k]]
    local key = terms[k + 1]
    local id = known[key]
    if not id and create then
      ids.n = ids.n + 1
      id = ids.n
      known[key] = id
    end
    if id then
      local dup = false
      for j = 1, #out do if out[j] == id then dup = true; break end end
      if not dup then out[#out + 1] = id end
    end
  end
  return out
end

local function terms_of(page, ids, create) return ids_of(scratch, raw_terms(page, scratch), ids, create) end

-- The index of a site (see the top of this file), kept on the site so that it travels with it
-- to the render workers.
local KEY = "related_index"

-- Returns the index, and (for a later patch, folio serve) the lists unpacked (term id -> ranks)
-- and each post's terms (post -> term ids). A post's terms are its part (this run's: see
-- term_list), when it has one.
local function build_index(site, parts)
  local ids = { n = 0 }
  for i = 1, #names do ids[i] = {} end
  local lists, rank, raw, terms = {}, {}, {}, {}
  for i, post in ipairs(site.posts) do
    rank[post] = i
    local part = parts[post]
    local mine = part and ids_of(part, #part, ids, true) or terms_of(post, ids, true)
    terms[post] = mine
    for _, id in ipairs(mine) do
      local list = lists[id]
      if not list then list = {}; lists[id] = list end
      list[#list + 1] = i
    end
  end
  for id, list in pairs(lists) do raw[id], lists[id] = list, folio.related_pack(list) end
  return { ids = ids, lists = lists, rank = rank, posts = site.posts }, raw, terms
end

-- The last index with the terms of the posts `changed` (pages whose part was computed again)
-- put right, when the posts and their order are the last index's (`last`: last_of's entry): each
-- changed post's rank is taken out of the lists of the terms it left and put, in rank order, into
-- those it joined (a term no post had is numbered after the others: the ranking does not depend
-- on the numbers). Returns a new index table (a fresh cache of related lists; the last index is
-- left as it was, `last`'s unpacked lists and terms are patched in place), or the last index when
-- no post's terms changed, and nil when a term is emptied (a full build numbers only the terms
-- some post has): then build again.
local function patch_index(view, last, changed)
  local old = last.index
  local raw, terms = last.raw, last.terms
  if not raw then return nil end
  local ids, lists = nil, nil -- copies of the last index's, made when a post's terms changed
  local before = {} -- post -> its terms in the last index, for the posts whose terms changed
  for _, post in ipairs(changed) do
    local r = old.rank[post]
    if r then
      if not ids then
        ids = { n = old.ids.n }
        for i = 1, #names do
          ids[i] = {}
          for k, v in pairs(old.ids[i]) do ids[i][k] = v end
        end
      end
      local was, now = terms[post], terms_of(post, ids, true)
      local same = #was == #now
      for j = 1, #was do if same and was[j] ~= now[j] then same = false end end
      if not same then
        if not lists then
          lists = {}
          for id, packed in pairs(old.lists) do lists[id] = packed end
        end
        before[post], terms[post] = was, now
        local left, joined = {}, {}
        for _, id in ipairs(was) do left[id] = true end
        for _, id in ipairs(now) do if left[id] then left[id] = nil else joined[id] = true end end
        for id in pairs(left) do
          local list, out = raw[id], {}
          for _, x in ipairs(list) do if x ~= r then out[#out + 1] = x end end
          if #out == 0 then return nil end
          raw[id], lists[id] = out, folio.related_pack(out)
        end
        for id in pairs(joined) do
          local list, out, put = raw[id] or {}, {}, false
          for _, x in ipairs(list) do
            if not put and x > r then out[#out + 1] = r; put = true end
            out[#out + 1] = x
          end
          if not put then out[#out + 1] = r end
          raw[id], lists[id] = out, folio.related_pack(out)
        end
      end
    end
  end
  if not lists then return old, raw, terms end
  return { ids = ids, lists = lists, rank = old.rank, posts = view.posts }, raw, terms, before
end

-- The last index with the changed posts (a date edit) in their new places, when view.posts holds
-- the last index's posts in the same order but for those (changes.moved), and their terms did
-- not change: the
-- posts between a moved post's old and new place shift by one, so only their ranks and the lists
-- of their terms are made again. Returns the new index (as patch_index does), or nil.
local function patch_moved(view, last, changes)
  local old, raw, terms = last.index, last.raw, last.terms
  local before, now, moved = last.posts, view.posts, changes.pages
  if not raw or not changes.moved(before, now) then return nil end
  -- the stretch where ranks differ
  local lo, hi = #now + 1, 0
  for i = 1, #now do
    if now[i] ~= before[i] then
      if i < lo then lo = i end
      hi = i
    end
  end
  if hi == 0 then return old, raw, terms end
  for _, p in ipairs(moved) do -- a moved post keeps its terms (else: build again)
    local was, mine = terms[p], terms_of(p, old.ids, false)
    if not was or #was ~= #mine then return nil end
    for k = 1, #was do if was[k] ~= mine[k] then return nil end end
  end
  local rank = {}
  for p, r in pairs(old.rank) do rank[p] = r end
  local dirty = {}
  for i = lo, hi do
    local p = now[i]
    rank[p] = i
    for _, id in ipairs(terms[p]) do dirty[id] = true end
  end
  local lists = {}
  for id, packed in pairs(old.lists) do lists[id] = packed end
  for id in pairs(dirty) do
    local out = {}
    for k, x in ipairs(raw[id]) do
      out[k] = (x >= lo and x <= hi) and rank[before[x]] or x
    end
    table.sort(out)
    raw[id], lists[id] = out, folio.related_pack(out)
  end
  return { ids = old.ids, lists = lists, rank = rank, posts = now }, raw, terms
end

-- The related posts of `page`, computed on first use. The cache is per index (a fresh site has
-- a fresh index), weak so it never travels between states.
local caches = setmetatable({}, { __mode = "k" })

-- folio serve, after patch_index (a tag edit: the posts' order as it was) or patch_moved (a date
-- edit: the terms as they were): { index = the new index, last = the one it was patched from,
-- before = post -> terms in `last` of each post whose terms changed, moved = post -> true for
-- each post whose rank moved, terms = post -> terms now }, so that a page's list is made from
-- its list in the last index (followed_list) instead of ranked again. Only the last patch's (one
-- generation: the indexes never chain).
local patched_from = nil

-- How many of `mine` (a set of term ids) the list of term ids `theirs` holds.
local function shared(mine, theirs)
  local n = 0
  for _, id in ipairs(theirs) do if mine[id] then n = n + 1 end end
  return n
end

-- `page`'s list in `index` from its list in the index it was patched from, or nil (then it is
-- ranked again). Only the posts whose terms changed have other scores, and only the moved posts'
-- ranks changed against the others' (the others keep their order): so the new top n is among
-- the last list's posts and those posts, unless one of the last list's posts lost a shared term
-- or moved (another post may then take its place: nil). Ties go to the smaller rank, as
-- folio.related's, with the new index's ranks.
local function followed_list(page, index)
  local from = patched_from
  if not from or from.index ~= index or from.before[page] or from.moved[page] then return nil end
  local cache = caches[from.last]
  local last_list = cache and cache[page]
  local terms = from.terms[page]
  if not last_list or not terms then return nil end
  local mine = {}
  for _, id in ipairs(terms) do mine[id] = true end
  local rank, score, candidates = index.rank, {}, {}
  if next(from.moved) == nil and #last_list == count and count > 0 then
    -- a tag edit (no rank moved): when no post of the last list changed terms and no post that
    -- did beats its last entry, the other posts' scores being as they were, the list is the same
    local unchanged, last = true, last_list[count]
    for _, q in ipairs(last_list) do
      if from.before[q] then unchanged = false; break end
    end
    if unchanged then
      local floor, floor_rank = shared(mine, from.terms[last] or {}), rank[last]
      for q in pairs(from.before) do
        local s = q ~= page and rank[q] and shared(mine, from.terms[q] or {}) or 0
        if s > floor or (s == floor and s > 0 and rank[q] < floor_rank) then unchanged = false; break end
      end
      if unchanged then return last_list end
    end
  end
  for _, q in ipairs(last_list) do
    if from.moved[q] then return nil end
    local was = from.before[q]
    local s = shared(mine, from.terms[q] or {})
    if was and s < shared(mine, was) then return nil end
    score[q] = s
    candidates[#candidates + 1] = q
  end
  for _, changed in ipairs { from.before, from.moved } do
    for q in pairs(changed) do
      if q ~= page and score[q] == nil and rank[q] then
        local s = shared(mine, from.terms[q] or {})
        if s > 0 then score[q] = s; candidates[#candidates + 1] = q end
      end
    end
  end
  for i = 2, #candidates do -- (a few: an insertion sort, best first)
    local q, sq, rq = candidates[i], score[candidates[i]], rank[candidates[i]]
    local j = i - 1
    while j >= 1 and (score[candidates[j]] < sq or (score[candidates[j]] == sq and rank[candidates[j]] > rq)) do
      candidates[j + 1] = candidates[j]
      j = j - 1
    end
    candidates[j + 1] = q
  end
  local list = {}
  for i = 1, math.min(count, #candidates) do list[i] = candidates[i] end
  return list
end

local function related_of(page, site)
  local views = site and rawget(site, "language_sites") -- a multilingual site: the page's language's
  local index = site and (views and views[page.lang] and rawget(views[page.lang], KEY) or rawget(site, KEY))
  if not index then return nil end
  local cache = caches[index]
  if not cache then cache = setmetatable({}, { __mode = "k" }); caches[index] = cache end
  local list = cache[page] or followed_list(page, index)
  if list then cache[page] = list; return list end
  list = {}
  local mine = terms_of(page, index.ids, false)
  if count > 0 and #mine > 0 then
    local packed = {}
    for i, id in ipairs(mine) do packed[i] = index.lists[id] end
    local ranks = folio.related(packed, count, index.rank[page])
    for i, r in ipairs(ranks) do list[i] = index.posts[r] end
  end
  cache[page] = list
  return list
end

-- What every page's list is made from: the index of each language view (folio.warm).
local function indexes(site)
  local out = { rawget(site, KEY) or false }
  local views = rawget(site, "language_sites")
  for lang, view in pairs(views or {}) do out[lang] = rawget(view, KEY) or false end
  return out
end

folio.page_field("related", related_of, { inputs = indexes })

-- The flat terms of each page (raw_terms: i, key, i, key, ...; folio.site_hook's part): the index
-- is built again only when a post's terms or the posts' order changed, and then from these.
local function term_list(page)
  return table.move(scratch, 1, raw_terms(page, scratch), 1, {})
end

-- per language view (lang -> { index =, posts = a copy of the view's posts }): the last run's
-- (folio serve)
local last_of = {}

local same_posts = folio.same_items

folio.site_hook {
  name = "related",
  order = 50,
  per_page = function(page)
    -- a `related` of the page's own (front matter, say) would hide the computed one
    if page.path and rawget(page, "related") ~= nil then rawset(page, "related", nil) end
    return term_list(page)
  end,
  -- A multilingual site: an index per language view (related posts never cross languages).
  combine = function(root, parts, changes)
    for _, view in ipairs(folio.language_views and folio.language_views(root) or { root }) do
      local lang = rawget(view, "lang") or ""
      local last = last_of[lang]
      local same_order = last and same_posts(view.posts, last.posts)
      local index, raw, terms, before, moved
      if changes.same and same_order then
        index = last.index
      elseif same_order and not changes.first then
        index, raw, terms, before = patch_index(view, last, changes.pages)
      elseif last and not changes.first then
        index, raw, terms = patch_moved(view, last, changes)
        if index then
          moved = {}
          for _, p in ipairs(changes.pages) do moved[p] = true end
        end
      end
      if not index then index, raw, terms = build_index(view, parts) end
      rawset(view, KEY, index)
      if (before or moved) and index ~= last.index then
        patched_from = { index = index, last = last.index, before = before or {}, moved = moved or {}, terms = terms }
      elseif index ~= (last and last.index) then
        patched_from = nil
      end
      if index ~= (last and last.index) then
        -- (the posts, for the next run: none follows a folio build)
        local posts = changes.final and {} or table.move(view.posts, 1, #view.posts, 1, {})
        last_of[lang] = { index = index, posts = posts, raw = raw, terms = terms }
      end
    end
    if changes.final then last_of, patched_from = {}, nil end -- no run follows (folio build): keep nothing
  end,
}

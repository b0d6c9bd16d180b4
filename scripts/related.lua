-- related.lua: page.related, the posts that share the most terms with a page.
--
-- Options (site.lua: `{ "related", count = 3, taxonomies = { "tags" } }`):
--   count        most related posts per page (default 5)
--   taxonomies   front matter lists compared (default { "tags", "categories" })
--
-- A post is related when it shares at least one term; more shared terms rank higher, ties go
-- to the newer post. A page is never related to itself. Terms compare by slug when the
-- taxonomies plugin ran (so `Python` matches `python`), else case-insensitively.
-- Runs at the site stage with order 50 (after taxonomies).
local opts = ... or {}
local count = opts.count or 5
local names = opts.taxonomies or { "tags", "categories" }

-- The terms of a page, each once, as numbers: `ids[i][key]` numbers the term `key` (its slug, or
-- the value in lower case) of the taxonomy names[i]; `create` adds the terms not yet numbered.
local function terms_of(page, ids, create)
  local out = {}
  local tax = page.taxonomies
  for i, name in ipairs(names) do
    local list = tax and tax[name]
    local raw = not list
    if raw then
      list = page[name]
      if type(list) ~= "table" then list = { list } end
    end
    local known = ids[i]
    for _, t in ipairs(list) do
      local key = raw and tostring(t):lower() or t.slug
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
  end
  return out
end

-- Ranking: a post ranks above another when it shares more terms, or as many and is newer
-- (smaller rank: site.posts is newest first).
local function better(s1, r1, s2, r2) return s1 > s2 or (s1 == s2 and r1 < r2) end

-- The `need` best posts for a set of terms, given the posts of each term (`lists`, newest first)
-- and the same as sets (`sets`). Exact, without scoring every post that shares a term:
--  * the terms with few posts (together at most SMALL) are scored in full, their posts' counts
--    completed by looking them up in the sets of the other terms;
--  * the posts of the other (popular) terms are visited newest first, all lists at once, and the
--    walk stops as soon as no post further down can beat the last of the `need` found so far: a
--    post not yet seen shares at most as many terms as there are lists left, and is no newer
--    than the next one in line.
local SMALL = 256
local function best_for(lists, sets, rank, need)
  local order = {}
  for i = 1, #lists do order[i] = i end
  table.sort(order, function(a, b) return #lists[a] < #lists[b] end)
  local best_p, best_s = {}, {}
  local function offer(post, score)
    local n = #best_p
    local r = rank[post]
    if n == need and not better(score, r, best_s[n], rank[best_p[n]]) then return end
    local i = n < need and n + 1 or n
    while i > 1 and better(score, r, best_s[i - 1], rank[best_p[i - 1]]) do
      best_p[i], best_s[i] = best_p[i - 1], best_s[i - 1]
      i = i - 1
    end
    best_p[i], best_s[i] = post, score
  end
  -- Small lists in full.
  local scored, cand = {}, {}
  local k, total = 0, 0
  while k < #order and total + #lists[order[k + 1]] <= SMALL do
    k = k + 1
    local list = lists[order[k]]
    total = total + #list
    for _, post in ipairs(list) do
      local sc = scored[post]
      if not sc then cand[#cand + 1] = post end
      scored[post] = (sc or 0) + 1
    end
  end
  local big, bigsets = {}, {}
  for j = k + 1, #order do big[#big + 1] = lists[order[j]]; bigsets[#bigsets + 1] = sets[order[j]] end
  for _, post in ipairs(cand) do
    local sc = scored[post]
    for _, set in ipairs(bigsets) do if set[post] then sc = sc + 1 end end
    offer(post, sc)
  end
  -- Popular lists, newest first, merged.
  local pos, live = {}, #big
  for j = 1, #big do pos[j] = 1 end
  while live > 0 do
    local min_r, post
    for j = 1, #big do
      local p = big[j][pos[j]]
      if p and (not min_r or rank[p] < min_r) then min_r, post = rank[p], p end
    end
    -- Every post from here on shares at most `live` terms and is no newer than `post`.
    if #best_p == need and not better(live, min_r, best_s[need], rank[best_p[need]]) then break end
    local sc = 0
    for j = 1, #big do
      if big[j][pos[j]] == post then
        sc = sc + 1
        pos[j] = pos[j] + 1
        if pos[j] > #big[j] then live = live - 1 end
      end
    end
    if not scored[post] then offer(post, sc) end
  end
  return best_p
end

folio.hook("site", function(site)
  -- term id -> posts that have it (newest first) and the same as a set; each post's rank.
  local ids = { n = 0 }
  for i = 1, #names do ids[i] = {} end
  local lists, sets, rank = {}, {}, {}
  for i, post in ipairs(site.posts) do
    rank[post] = i
    for _, id in ipairs(terms_of(post, ids, true)) do
      local list = lists[id]
      if not list then list = {}; lists[id] = list; sets[id] = {} end
      list[#list + 1] = post
      sets[id][post] = true
    end
  end
  -- Pages with the same terms share their ranking: keep the count + 1 best per set of terms
  -- (one more in case the page itself is among them), in a tree keyed by the sorted term ids.
  local cache = {}
  for _, page in ipairs(site.pages) do
    if page.path then
      local mine = terms_of(page, ids, false)
      if #mine > 1 then table.sort(mine) end
      local node = cache
      for _, id in ipairs(mine) do
        local next_node = node[id]
        if not next_node then next_node = {}; node[id] = next_node end
        node = next_node
      end
      local top = node.top
      if not top then
        local my_lists, my_sets = {}, {}
        for i, id in ipairs(mine) do my_lists[i], my_sets[i] = lists[id], sets[id] end
        top = count > 0 and #mine > 0 and best_for(my_lists, my_sets, rank, count + 1) or {}
        node.top = top
      end
      local related = {}
      for _, post in ipairs(top) do
        if post ~= page and #related < count then related[#related + 1] = post end
      end
      page.related = related
    end
  end
end, { order = 50 })

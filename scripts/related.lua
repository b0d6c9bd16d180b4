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

-- The "<taxonomy>\0<term key>" strings of a page, each once.
local function terms_of(page)
  local keys, seen = {}, {}
  local function add(key)
    if not seen[key] then seen[key] = true; keys[#keys + 1] = key end
  end
  for _, name in ipairs(names) do
    local list = page.taxonomies and page.taxonomies[name]
    if list then
      for _, t in ipairs(list) do add(name .. "\0" .. t.slug) end
    else
      local raw = page[name]
      if type(raw) ~= "table" then raw = { raw } end
      for _, t in ipairs(raw) do add(name .. "\0" .. tostring(t):lower()) end
    end
  end
  return keys
end

folio.hook("site", function(site)
  -- term -> posts that have it, and each post's rank (1 = newest).
  local index, rank = {}, {}
  for i, post in ipairs(site.posts) do
    rank[post] = i
    for _, key in ipairs(terms_of(post)) do
      index[key] = index[key] or {}
      index[key][post] = true
    end
  end
  for _, page in ipairs(site.pages) do
    if page.path then
      local score, found = {}, {}
      for _, key in ipairs(terms_of(page)) do
        for post in pairs(index[key] or {}) do
          if post ~= page then
            if not score[post] then found[#found + 1] = post end
            score[post] = (score[post] or 0) + 1
          end
        end
      end
      table.sort(found, function(a, b)
        if score[a] ~= score[b] then return score[a] > score[b] end
        return rank[a] < rank[b]
      end)
      page.related = table.move(found, 1, math.min(count, #found), 1, {})
    end
  end
end, { order = 50 })

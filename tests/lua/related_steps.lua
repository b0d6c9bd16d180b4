-- related_steps.lua: the related plugin's ranking work on a site's posts, for tests/growth.sh.
--   folio lua tests/lua/related_steps.lua SITE_DIR
-- Indexes the posts' tags and categories as scripts/related.lua does (lower case), ranks the
-- posts newest first, asks folio.related for the 5 best of every post and prints
-- "related posts N visited V listed L": V posts visited in all, L the total length of the lists
-- read (what a ranking linear in the lists may read).
local dir = assert(arg[1], "usage: folio lua related_steps.lua SITE_DIR")
local files = folio.fs.scan(dir .. "/content/posts")
local posts = {}
for _, f in ipairs(files) do
  local meta = folio.frontmatter.parse(assert(folio.fs.read(f.path)))
  if meta then
    local terms = {}
    for _, name in ipairs { "tags", "categories" } do
      local v = meta[name]
      if type(v) ~= "table" then v = { v } end
      for _, t in ipairs(v) do terms[name .. "\1" .. tostring(t):lower()] = true end
    end
    posts[#posts + 1] = { path = f.path, date = tostring(meta.date or ""), terms = terms }
  end
end
table.sort(posts, function(a, b)
  if a.date ~= b.date then return a.date > b.date end
  return a.path < b.path
end)
local lists = {}
for rank, p in ipairs(posts) do
  for t in pairs(p.terms) do lists[t] = lists[t] or {}; table.insert(lists[t], rank) end
end
local packed = {}
for t, l in pairs(lists) do packed[t] = folio.related_pack(l) end
local visited, listed = 0, 0
for rank, p in ipairs(posts) do
  local mine = {}
  for t in pairs(p.terms) do mine[#mine + 1] = packed[t]; listed = listed + #lists[t] end
  local _, v = folio.related(mine, 5, rank)
  visited = visited + v
end
print(string.format("related posts %d visited %d listed %d", #posts, visited, listed))

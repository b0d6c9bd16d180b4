-- search.lua: a search index, /search.json, for the theme's search box (partials/search.html
-- and static/search.js in the default theme).
--
-- Options (site.lua: `{ "search", excerpt = 200, fields = { "title", "url", "tags" } }`):
--   fields    what each entry holds, from "title", "url", "date" (YYYY-MM-DD), "tags" (names),
--             "excerpt" (default all five)
--   excerpt   longest excerpt in characters, cut at a word end (default 300)
--   url       where the index is written (default "/search.json")
--
-- Indexes every written content page except those with `search: false` front matter. The
-- index is a JSON array of objects, newest first; the excerpt is the plain text of the page.
-- Sets site.search = { index = "/search.json" } (site-relative: use url() in templates).
-- Runs at the site stage with order 70.
local opts = ... or {}
local fields = opts.fields or { "title", "url", "date", "tags", "excerpt" }
local max = math.tointeger(opts.excerpt or 300)
local index_url = opts.url or "/search.json"

local str = folio.json.encode

local entities = { amp = "&", lt = "<", gt = ">", quot = '"', ["#39"] = "'", nbsp = " " }

local function plain(html)
  local s = html:gsub("<script.-</script>", ""):gsub("<style.-</style>", "")
  s = s:gsub('<a class="anchor"[^>]*>[^<]*</a>', ""):gsub("<[^>]*>", " ") -- no anchors' `#`
  s = s:gsub("&(#?%w+);", function(e) return entities[e] end)
  return (s:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", ""))
end

local function excerpt(page)
  local text = plain(page.content or "")
  if utf8.len(text) and utf8.len(text) > max then
    text = text:sub(1, utf8.offset(text, max + 1) - 1)
    text = (text:match("^(.*%S)%s") or text) .. "…"
  end
  return text
end

local getters = {
  title = function(p) return str(p.title or "") end,
  url = function(p) return str(p.url) end,
  date = function(p) return p.date and str(folio.date.format(p.date, "%Y-%m-%d")) end,
  excerpt = function(p) return str(excerpt(p)) end,
  tags = function(p)
    local names = {}
    for i, t in ipairs(p.taxonomies and p.taxonomies.tags or {}) do names[i] = str(t.name) end
    if not p.taxonomies then
      for i, t in ipairs(type(p.tags) == "table" and p.tags or {}) do names[i] = str(tostring(t)) end
    end
    return "[" .. table.concat(names, ",") .. "]"
  end,
}

folio.hook("site", function(site)
  local entries = {}
  for _, p in ipairs(site.pages) do
    if p.path and p.output ~= false and p.search ~= false then
      local parts = {}
      for _, f in ipairs(fields) do
        local v = assert(getters[f], "search: unknown field " .. tostring(f))(p)
        if v then parts[#parts + 1] = str(f) .. ":" .. v end
      end
      entries[#entries + 1] = "{" .. table.concat(parts, ",") .. "}"
    end
  end
  site:add_page({ url = index_url, kind = "search", layout = false,
                  content = "[" .. table.concat(entries, ",\n") .. "]\n" })
  site.search = { index = index_url }
end, { order = 70 })

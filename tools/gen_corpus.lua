-- tools/gen_corpus.lua: writes N synthetic writeups (~4 KB each: front matter, headings, lists,
-- code, links, tags) into DIR/content/posts, for benchmarks. Run with `folio lua`:
--   folio lua tools/gen_corpus.lua DIR [N] [SHAPE]
-- SHAPE says how posts are tagged and what they hold:
--   small-pool   2 tags from a pool of 11 (the default; few distinct tag sets)
--   pool50       2-3 tags from a pool of 50 (as real blogs: thousands of distinct tag sets)
--   unique       a tag of its own on every post, one shared by ~3 posts, one of 5 common ones
--   everywhere   one tag on every post, and one or two from a pool of 30
--   real         pool50 tags, long posts (~15 KB): many code blocks, tables, footnotes, raw HTML,
--                emoji shortcodes, a <!--more--> marker
local dir, n, shape = arg[1], tonumber(arg[2] or 10000), arg[3] or "small-pool"
assert(dir, "usage: folio lua tools/gen_corpus.lua DIR [N] [SHAPE]")
local SHAPES = { ["small-pool"] = true, pool50 = true, unique = true, everywhere = true, real = true }
assert(SHAPES[shape], "unknown shape " .. shape .. " (small-pool, pool50, unique, everywhere, real)")
local words = {}
for w in ([[meetup python community talk speaker venue pizza laptop question answer library
  parser compiler network server client module package release version feature bug test review
  design layout theme template markdown writer reader editor browser event stream socket thread
  memory cache index search query result error warning system]]):gmatch("%a+") do words[#words + 1] = w end
local tags = { "python", "lua", "c", "events", "community", "web", "tools", "notes", "Café", "C++", "Node.js" }
local seed = 42
local function rand(k) seed = (seed * 1103515245 + 12345) % 2147483648; return seed % k + 1 end
local function sentence(len)
  local out = {}
  for i = 1, len do out[i] = words[rand(#words)] end
  out[1] = out[1]:gsub("^%l", string.upper)
  return table.concat(out, " ") .. "."
end
local function paragraph() local s = {}; for i = 1, 4 do s[i] = sentence(8 + rand(8)) end; return table.concat(s, " ") end

-- The tags of post i, as a YAML flow list.
local function tags_of(i)
  local list
  if shape == "small-pool" then
    list = { tags[rand(#tags)], tags[rand(#tags)] }
  elseif shape == "pool50" or shape == "real" then
    list = {}
    for k = 1, 1 + rand(2) do list[k] = "topic-" .. rand(50) end
  elseif shape == "unique" then
    list = { "only-" .. i, "shared-" .. (i // 3), "common-" .. rand(5) }
  else -- everywhere
    list = { "blog", "topic-" .. rand(30) }
    if rand(2) == 1 then list[3] = "topic-" .. rand(30) end
  end
  local q = {}
  for k, t in ipairs(list) do q[k] = string.format("%q", t) end
  return "[" .. table.concat(q, ", ") .. "]"
end

-- What real writeups hold besides prose: code, tables, footnotes, raw HTML, shortcodes.
local function real_extras(i)
  local out = {}
  for block = 1, 6 do
    out[#out + 1] = "## " .. sentence(3) .. " :sparkles:"
    out[#out + 1] = ""
    out[#out + 1] = paragraph() .. " As noted before[^" .. block .. "], this matters :+1:."
    out[#out + 1] = ""
    out[#out + 1] = block % 2 == 0 and "```lua" or "```c"
    for line = 1, 12 do
      out[#out + 1] = block % 2 == 0 and string.format("local v%d = f(%d, \"%s\") -- %s", line, i + line, words[rand(#words)], words[rand(#words)])
        or string.format("int v%d = f(%d, \"%s\"); /* %s */", line, i + line, words[rand(#words)], words[rand(#words)])
    end
    out[#out + 1] = "```"
    out[#out + 1] = ""
    out[#out + 1] = "| name | value | note |"
    out[#out + 1] = "|:-----|------:|------|"
    for row = 1, 5 do
      out[#out + 1] = string.format("| %s | %d | %s `code` |", words[rand(#words)], rand(1000), sentence(3))
    end
    out[#out + 1] = ""
    out[#out + 1] = '<div class="note"><strong>Note:</strong> ' .. sentence(8) .. "</div>"
    out[#out + 1] = ""
    if block == 1 then out[#out + 1] = "<!--more-->"; out[#out + 1] = "" end
  end
  for block = 1, 6 do out[#out + 1] = "[^" .. block .. "]: " .. sentence(6) end
  out[#out + 1] = ""
  return table.concat(out, "\n")
end

os.execute("mkdir -p '" .. dir .. "/content/posts'")
for i = 1, n do
  local day = os.time { year = 2010 + i % 14, month = 1 + i % 12, day = 1 + i % 28, hour = 12 }
  local tag_list = tags_of(i) -- (drawn here, so the default corpus stays what it was)
  local body = {
    "---",
    string.format('title: "Post %d: %s"', i, sentence(4):sub(1, -2)),
    "date: " .. os.date("!%Y-%m-%d %H:%M:%S +0000", day),
    "author: Writer " .. rand(20),
    "tags: " .. tag_list,
    "---", "",
    paragraph(), "",
    "## " .. sentence(3), "",
    paragraph(), "",
    "- " .. sentence(5), "- " .. sentence(6), "- [a link](https://example.org/" .. i .. ")", "",
    "```python", "def f(x):", "    return x * " .. i, "```", "",
    "### " .. sentence(2), "",
    paragraph(), " See https://example.com/page/" .. i .. " for more.", "",
    "1. " .. sentence(4), "2. " .. sentence(5), "",
    "> " .. sentence(10), "",
    paragraph(), "",
    "## " .. sentence(3), "",
    paragraph(), "",
    "| a | b |", "|---|---|", "| " .. words[rand(#words)] .. " | " .. i .. " |", "",
    paragraph(), "",
  }
  if shape == "real" then body[#body + 1] = real_extras(i) end
  local f = assert(io.open(string.format("%s/content/posts/post-%05d.md", dir, i), "w"))
  f:write(table.concat(body, "\n"))
  f:close()
end

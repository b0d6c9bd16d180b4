-- tools/gen_corpus.lua: writes N synthetic writeups (~4 KB each: front matter, headings, lists,
-- code, links, tags) into DIR/content/posts, for benchmarks. Run with `folio lua`:
--   folio lua tools/gen_corpus.lua DIR [N]
local dir, n = arg[1], tonumber(arg[2] or 10000)
assert(dir, "usage: folio lua tools/gen_corpus.lua DIR [N]")
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

os.execute("mkdir -p '" .. dir .. "/content/posts'")
for i = 1, n do
  local day = os.time { year = 2010 + i % 14, month = 1 + i % 12, day = 1 + i % 28, hour = 12 }
  local t1, t2 = tags[rand(#tags)], tags[rand(#tags)]
  local body = {
    "---",
    string.format('title: "Post %d: %s"', i, sentence(4):sub(1, -2)),
    "date: " .. os.date("!%Y-%m-%d %H:%M:%S +0000", day),
    "author: Writer " .. rand(20),
    string.format("tags: [%q, %q]", t1, t2),
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
  local f = assert(io.open(string.format("%s/content/posts/post-%05d.md", dir, i), "w"))
  f:write(table.concat(body, "\n"))
  f:close()
end

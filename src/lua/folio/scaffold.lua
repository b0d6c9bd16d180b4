-- folio.scaffold: `folio new site DIR` and `folio new post "Title"`: the files a new site or
-- post starts with.
local pagemod = require "folio.page"

local M = {}

local SITE_LUA = [[
-- site.lua: this site's configuration (plain Lua). Every key is available to templates as
-- site.<key>. See docs/configuration.md for all keys.
title = %q
description = "Notes, event reports and other writeups."
author = "Your Name"
base_url = "https://example.org/"   -- used for absolute links in feeds and the sitemap
theme = "default"
timezone = "UTC"                    -- dates without an offset are in this zone
permalinks = { posts = "/:year/:month/:day/:slug/", default = "/:path/" }

-- Plugins: remove a line to switch it off.
plugins = {
  "emoji",             -- :sparkles: -> ✨
  "lenient_headings",  -- #Heading -> # Heading, as Jekyll's kramdown reads it
  "alerts",            -- > [!NOTE] ... [!CAUTION] -> callouts, as on GitHub
  "summary",
  "anchors",
  "taxonomies",
  "archives",
  { "paginate", per_page = 10 },
  "feeds",
  "sitemap",
  "related",
  "search",
  "redirects",
  "highlight",
  "shortcodes",        -- {{< youtube id >}}, {{< figure src="..." >}}, {{%% note %%}}...{{%% /note %%}}
  "images",            -- width/height, lazy loading, WebP/AVIF srcsets for local images
}
]]

local FIRST_POST = [[
---
title: %q
date: %s
tags: [meta]
---

This is your first post. Edit it in `%s`, then run `folio build` or `folio serve`.
]]

local function write_new(path, text)
  if folio.fs.stat(path) then error(path .. " already exists; folio new never overwrites a file", 0) end
  local f = assert(io.open(path, "w"))
  assert(f:write(text))
  assert(f:close())
  print("  created " .. path)
end

local function mkdir(path)
  local ok = os.execute("mkdir -p '" .. path:gsub("'", "'\\''") .. "'")
  if not ok then error("cannot create folder " .. path, 0) end
end

-- Plugins in the list above that this build of folio does not ship are left out.
local function site_lua(title)
  local out = {}
  for line in SITE_LUA:format(title):gmatch("([^\n]*)\n") do
    local name = line:match('^  {? ?"([%w_]+)"')
    if not name or folio.embedded.read("scripts/" .. name .. ".lua") then out[#out + 1] = line end
  end
  return table.concat(out, "\n") .. "\n"
end

function M.new_site(dir)
  if folio.fs.stat(dir) and #folio.fs.scan(dir) > 0 then
    error(dir .. " exists and is not empty; choose a new folder name", 0)
  end
  for _, sub in ipairs { "", "/content/posts", "/static", "/layouts", "/scripts" } do mkdir(dir .. sub) end
  local title = dir:match("([^/]+)/*$"):gsub("[-_]", " "):gsub("^%l", string.upper)
  write_new(dir .. "/site.lua", site_lua(title))
  local date = os.date("%Y-%m-%d")
  local post = dir .. "/content/posts/" .. date .. "-welcome.md"
  write_new(post, FIRST_POST:format("Welcome", date, post:sub(#dir + 2)))
  print("\nNext: cd " .. dir .. " && folio serve")
end

function M.new_post(title, section)
  if not folio.fs.stat("site.lua") then
    error("no site.lua here: run 'folio new post' inside a site folder", 0)
  end
  section = section or "posts"
  local date = os.date("%Y-%m-%d")
  local folder = "content/" .. section
  mkdir(folder)
  local path = folder .. "/" .. date .. "-" .. pagemod.slugify(title) .. ".md"
  write_new(path, ("---\ntitle: %q\ndate: %s\ntags: []\ndraft: false\n---\n\nWrite here.\n"):format(title, os.date("%Y-%m-%d %H:%M:%S %z")))
end

return M

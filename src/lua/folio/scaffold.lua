-- folio.scaffold: `folio new site DIR`, `folio new post "Title"` and `folio new page NAME`: the
-- files a new site, post or page starts with. A user's mistake is raised as { message, hint }
-- (src/cli/cmd_new.c prints it as one line and a hint); anything else is a bug in folio.
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
minify = true                       -- folio build minifies HTML, CSS, JS, JSON (folio serve does not)

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

local function fail(message, hint) error({ message = message, hint = hint }, 0) end

-- `shown` is the path as the user sees it (from the folder they ran folio in).
local function write_new(path, text, shown)
  shown = shown or path
  if folio.fs.stat(path) then
    fail(shown .. " already exists; folio new never overwrites a file",
         "edit it, or pick another title or name")
  end
  local f, err = io.open(path, "w")
  if not f then fail("cannot create " .. shown .. ": " .. tostring(err), "check the folder's permissions") end
  local ok, werr = f:write(text)
  f:close()
  if not ok then fail("cannot write " .. shown .. ": " .. tostring(werr), "check the free disk space") end
  print("  created " .. shown)
end

local function mkdir(path)
  local ok = os.execute("mkdir -p '" .. path:gsub("'", "'\\''") .. "' 2>/dev/null")
  if not ok then fail("cannot create the folder " .. path, "check that its parent exists and is writable") end
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
  local st = folio.fs.stat(dir)
  if st and st.type ~= "dir" and st.type ~= "link" then
    fail(dir .. " exists and is not a folder", "choose a new folder name")
  elseif st and #folio.fs.scan(dir) > 0 then
    local has_site = folio.fs.stat(dir .. "/site.lua")
    fail(dir .. " exists and is not empty" .. (has_site and " (it is a site already)" or ""),
         has_site and ("cd " .. dir .. " && folio new post \"Title\"") or "choose a new folder name, or empty this one")
  end
  for _, sub in ipairs { "", "/content/posts", "/static", "/layouts", "/scripts" } do mkdir(dir .. sub) end
  local title = dir:match("([^/]+)/*$"):gsub("[-_]", " "):gsub("^%l", string.upper)
  write_new(dir .. "/site.lua", site_lua(title))
  -- The output and the build cache are made from the sources: they stay out of the repository.
  write_new(dir .. "/.gitignore", "/public/\n/.folio-cache/\n")
  local date = os.date("%Y-%m-%d")
  local post = dir .. "/content/posts/" .. date .. "-welcome.md"
  write_new(post, FIRST_POST:format("Welcome", date, post:sub(#dir + 2)))
  print("\nNext: cd " .. dir .. " && folio serve")
end

-- A folder or file name given on the command line: relative, inside content/.
local function check_name(name, what)
  if name == "" or name:find("^/") or name:find("%.%.") then
    fail("'" .. name .. "' is not a " .. what .. " name inside content/",
         "give a name such as about or docs/install (no leading / or ..)")
  end
end

-- opts: section (posts), draft, prefix (the site folder as seen from where folio was run).
function M.new_post(title, opts)
  opts = opts or {}
  if not folio.fs.stat("site.lua") then
    fail("no site.lua in this folder or any folder above it", "run 'folio new post' inside a site, or create one with 'folio new site DIR'")
  end
  local slug = pagemod.slugify(title)
  if slug == "" then fail("the title '" .. title .. "' gives an empty file name", "use a title with letters or digits") end
  local section = opts.section or "posts"
  check_name(section, "section")
  local date = os.date("%Y-%m-%d")
  local folder = "content/" .. section
  mkdir(folder)
  local path = folder .. "/" .. date .. "-" .. slug .. ".md"
  write_new(path, ("---\ntitle: %q\ndate: %s\ntags: []\ndraft: %s\n---\n\nWrite here.\n"):format(
    title, os.date("%Y-%m-%d %H:%M:%S %z"), opts.draft and "true" or "false"), (opts.prefix or "") .. path)
  if opts.draft then print("  (a draft: folio serve shows it, folio build --drafts builds it)") end
end

-- `folio new page about` -> content/about.md; `docs/Install guide` -> content/docs/install-guide.md
function M.new_page(name, opts)
  opts = opts or {}
  if not folio.fs.stat("site.lua") then
    fail("no site.lua in this folder or any folder above it", "run 'folio new page' inside a site, or create one with 'folio new site DIR'")
  end
  name = name:gsub("^content/", ""):gsub("%.md$", "")
  check_name(name, "page")
  local folder, last = name:match("^(.*)/([^/]*)$")
  if not folder then folder, last = nil, name end
  local slug = pagemod.slugify(last)
  if slug == "" then fail("the name '" .. name .. "' gives an empty file name", "use a name with letters or digits") end
  local title = last
  if last == slug then title = (last:gsub("[-_]", " "):gsub("^%l", string.upper)) end
  if folder then mkdir("content/" .. folder) end
  local path = "content/" .. (folder and folder .. "/" or "") .. slug .. ".md"
  write_new(path, ("---\ntitle: %q\n%s---\n\nWrite here.\n"):format(title, opts.draft and "draft: true\n" or ""),
            (opts.prefix or "") .. path)
end

return M

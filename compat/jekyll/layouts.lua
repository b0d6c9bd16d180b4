-- compat/jekyll/layouts.lua: a Jekyll site's layouts, rendered through Liquid. Owns finding a
-- layout (the site's `_layouts/` first, then the installed gem of the theme `_config.yml`
-- names), its front matter (`layout:` chaining to an outer layout), and rendering the chain with
-- Jekyll's variables: `content`, `page`, `site`, `layout`, `paginator`, `jekyll`. Plugged into
-- the pipeline with folio.layout_engine (docs/templates.md); the Liquid itself (tags, includes,
-- filters) is scripts/liquid.lua's.
local errors = require "folio.errors"

local M = {}

local function is_file(path)
  local st = folio.fs.stat(path)
  return st ~= nil and st.type == "file"
end

local function is_dir(path)
  local st = folio.fs.stat(path)
  return st ~= nil and st.type == "dir"
end

-- Where installed theme gems live: Debian's packages (jekyll-theme-minima ships
-- /usr/share/rubygems-integration/all/gems/minima-2.5.1), then `gem install`'s folders. Each
-- root has specifications/NAME-VERSION.gemspec (a flat folder: cheap to list) and gems/NAME-VERSION/.
M.GEM_ROOTS = { "/usr/share/rubygems-integration/all", "/var/lib/gems/3.1.0", "/var/lib/gems/3.0.0" }

-- The folder of the installed gem `name` (the last version by name), or nil.
function M.theme_dir(name)
  if type(name) ~= "string" or not name:find("^[%w_.-]+$") then return nil end
  local pattern = "^" .. name:gsub("%p", "%%%0") .. "%-(%d[%w.]*)%.gemspec$"
  for _, root in ipairs(M.GEM_ROOTS) do
    if is_dir(root .. "/specifications") then
      local best
      for _, f in ipairs((folio.fs.scan(root .. "/specifications"))) do
        local file = f.path:match("([^/]+)$")
        if file:find(pattern) and (not best or file > best) then best = file end
      end
      if best then
        local dir = root .. "/gems/" .. best:gsub("%.gemspec$", "")
        if is_dir(dir) then return dir end
      end
    end
  end
  return nil
end

-- A body as Jekyll reads it after front matter: its front matter pattern (`---\s*$\n?` after
-- the closing line) also takes the blank lines that follow, so a feed whose `---` lines are
-- followed by an empty one still starts with `<?xml`. Returns the body and its first line.
function M.after_front_matter(body, line)
  local blank = body:match("^[ \t\r\n]*\n")
  if not blank then return body, line end
  return body:sub(#blank + 1), line + select(2, blank:gsub("\n", ""))
end

-- An engine for folio.layout_engine. `dirs`: the layout folders, searched in order.
function M.engine(dirs)
  local found = {}  -- name -> path, or false
  local loaded = {} -- path -> { meta =, body =, line = }
  -- A layout's name is its file's path in the folder without the extension, whatever that is
  -- (Jekyll's rule: `layout: tagfeed` is _layouts/tagfeed.xml); `.html` first when both exist.
  local names_in = {} -- dir -> { name -> path }
  local function layouts_in(dir)
    local index = names_in[dir]
    if index then return index end
    index = {}
    if is_dir(dir) then
      local files = folio.fs.scan(dir)
      for _, f in ipairs(files) do
        local rel = f.path:sub(#dir + 2)
        local name = rel:match("^(.+)%.[^./]+$") or rel
        if index[name] == nil or rel:find("%.html$") then index[name] = f.path end
      end
    end
    names_in[dir] = index
    return index
  end
  local function path_of(name)
    if type(name) ~= "string" or name == "" then return nil end
    local v = found[name]
    if v == nil then
      v = false
      local base = name:gsub("%.html$", "")
      for _, dir in ipairs(dirs) do
        local path = layouts_in(dir)[base]
        if path then v = path; break end
      end
      found[name] = v
    end
    return v or nil
  end
  local function load_layout(path)
    local l = loaded[path]
    if l then return l end
    local text = assert(folio.fs.read(path))
    local meta, body, line = folio.frontmatter.parse(text)
    if not meta then errors.fail(path, body and body.line, tostring(body and body.message), "fix the layout's front matter") end
    line = line or 1
    if line > 1 then body, line = M.after_front_matter(body, line) end
    l = { meta = meta, body = body, line = line }
    loaded[path] = l
    return l
  end
  local drops
  local engine = {}
  function engine.has_layout(name) return path_of(name) ~= nil end
  function engine.looked(name)
    local list = {}
    for i, dir in ipairs(dirs) do list[i] = dir .. "/" .. tostring(name):gsub("%.html$", "") .. ".*" end
    return table.concat(list, ", ")
  end
  function engine.render(page, site, name)
    local plugin = assert(folio.jekyll_liquid, "the liquid plugin is not loaded")
    drops = drops or plugin.drops or assert(folio.embedded.load("compat/jekyll/drops.lua", _G))()
    local render = plugin.render
    local content = page.content
    -- a copy of a page (the paginate plugin's page 2, 3...) is a plain table: its body is the page's
    if content == nil and rawget(page, "id") then content = folio.build.content(page.id) end
    content = content or ""
    local vars = { page = drops.page(page), site = drops.site_for(site, page), jekyll = drops.jekyll,
                   paginator = drops.paginator(page) }
    if page.liquid_in_layout then -- content that loops over paginator: one rendering per page of the list
      content = render(content, vars, page.path or "index.html", page.body_line)
    end
    local seen, layout = {}, {}
    while name ~= nil and name ~= false and name ~= "none" and name ~= "null" and name ~= "" do
      local path = path_of(name)
      if not path then
        errors.warn(page.path, nil, "layout '" .. tostring(name) .. "' not found (looked in " .. engine.looked(name) .. "): the inner layout's output is used as it is",
                    "create _layouts/" .. tostring(name) .. ".html or fix the `layout:` that names it")
        break
      end
      if seen[path] then
        errors.fail(path, nil, "layout chain loops back to " .. path, "remove the `layout:` front matter from one of these layouts")
      end
      seen[path] = true
      local l = load_layout(path)
      local merged = {}
      for k, v in pairs(l.meta) do merged[k] = v end
      for k, v in pairs(layout) do if merged[k] == nil then merged[k] = v end end
      layout = merged
      vars.content, vars.layout = content, layout
      content = render(l.body, vars, path, l.line, true)
      name = l.meta.layout
    end
    return content
  end
  return engine
end

return M

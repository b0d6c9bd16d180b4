-- folio.site: loading a site into a Lua state: its configuration (site.lua), the hook registry
-- (folio.hook), and the code that registers hooks: plugins, the theme's theme.lua, and the
-- site's own scripts/. Every build worker loads the site the same way.
-- In safe mode (--safe, or safe = true in site.lua) that code is loaded with folio.sandbox's
-- environment and every function it registers runs within a budget (docs/security.md).
local errors = require "folio.errors"
local sandbox = require "folio.sandbox"
local site_hooks = require "folio.site_hooks"

local M = {}

local STAGES = {
  source = true, frontmatter = true, defer = true, ast = true, html = true, site = true, serve = true,
  render_link = true, render_image = true, render_heading = true, render_codeblock = true,
}

local DEFAULTS = {
  title = "My site",
  description = "",
  author = "",
  base_url = "http://localhost:1313/",
  theme = "default",
  output = "public",
  permalinks = { posts = "/:year/:month/:day/:slug/", default = "/:path/" },
  date_order = { "front_matter", "filename", "git", "mtime" },
  markdown = { raw_html = true, smart = true, hardbreaks = false, tagfilter = false },
  plugins = {},
  title_from_heading = true,
  words_per_minute = 220,
  follow_symlinks = false,
}

-- hooks[stage] = list of { fn = f, order = n, seq = k, source = "scripts/x.lua:12" }
M.hooks = {}
for stage in pairs(STAGES) do M.hooks[stage] = {} end
local seq = 0
local theme_defaults = {}
-- Safe mode: M.safe is true once decided, M.env the environment of untrusted chunks.
M.safe, M.env = false, nil

local function where(fn)
  local info = debug.getinfo(fn, "S")
  return info.short_src .. ":" .. (info.linedefined or 0)
end

-- folio.hook(stage, fn_or_filter [, { order = n, when = fn(page) }]); `when` (ast hooks): the
-- hook runs only on pages for which it is true, and a page no hook wants skips the tree.
function folio.hook(stage, fn, opts)
  if not STAGES[stage] then
    local names = {}
    for name in pairs(STAGES) do names[#names + 1] = name end
    table.sort(names)
    error(string.format("unknown hook stage '%s' (stages: %s)", tostring(stage), table.concat(names, ", ")), 2)
  end
  if type(fn) ~= "function" and not (stage == "ast" and type(fn) == "table") then
    error("folio.hook('" .. stage .. "', ...) needs a function" .. (stage == "ast" and " or a filter table" or ""), 2)
  end
  seq = seq + 1
  local order = opts and opts.order or 50
  local info = debug.getinfo(2, "Sl")
  local list = M.hooks[stage]
  local source = type(fn) == "function" and where(fn) or (info.short_src .. ":" .. info.currentline)
  if M.safe then fn = M.guarded(fn, "the " .. stage .. " hook") end
  local when = opts and opts.when
  if when ~= nil and type(when) ~= "function" then error("folio.hook: `when` must be a function(page)", 2) end
  list[#list + 1] = { fn = fn, order = order, seq = seq, source = source, when = when }
  table.sort(list, function(a, b)
    if a.order ~= b.order then return a.order < b.order end
    return a.seq < b.seq
  end)
end

-- folio.site_hook{ name =, per_page = fn(page, site), combine = fn(site, parts, changes),
-- order = n }: an incremental site hook (folio.site_hooks; docs/hooks.md). Registered at the
-- site stage like folio.hook("site", ...), by `order`.
function folio.site_hook(spec)
  if type(spec) ~= "table" then error("folio.site_hook needs a table { name =, per_page =, combine = }", 2) end
  for _, key in ipairs { "per_page", "combine" } do
    if spec[key] ~= nil and type(spec[key]) ~= "function" then
      error("folio.site_hook: " .. key .. " must be a function", 2)
    end
  end
  if not spec.per_page and not spec.combine then
    error("folio.site_hook needs per_page or combine (or both)", 2)
  end
  if spec.name ~= nil and type(spec.name) ~= "string" then error("folio.site_hook: name must be a string", 2) end
  local fns = { per_page = spec.per_page, combine = spec.combine }
  if M.safe then
    for k, f in pairs(fns) do fns[k] = M.guarded(f, "the site hook " .. tostring(spec.name or "") .. " (" .. k .. ")") end
  end
  seq = seq + 1
  local source = where(spec.combine or spec.per_page)
  local list = M.hooks.site
  local fn, stats = site_hooks.runner(fns)
  list[#list + 1] = { fn = fn, order = spec.order or 50, seq = seq, source = source,
                      name = spec.name, stats = stats }
  table.sort(list, function(a, b)
    if a.order ~= b.order then return a.order < b.order end
    return a.seq < b.seq
  end)
end

-- folio.defaults{...}: configuration defaults from a theme; site.lua wins.
function folio.defaults(t)
  for k, v in pairs(t) do theme_defaults[k] = v end
end

-- In safe mode, a hook (a function, or an ast filter's table of functions) run within the budget.
function M.guarded(fn, what)
  if type(fn) == "function" then return sandbox.guard(fn, what) end
  local filter = {}
  for k, v in pairs(fn) do
    filter[k] = type(v) == "function" and sandbox.guard(v, what .. " (" .. tostring(k) .. ")") or v
  end
  return filter
end

-- Runs a loaded chunk: in safe mode within the budget.
local function run_chunk(chunk, label, ...)
  if M.safe then chunk = sandbox.guard(chunk, "loading " .. label, label .. ":1") end
  return xpcall(chunk, errors.handler, ...)
end

local function exists(path)
  local st = folio.fs.stat(path)
  return st ~= nil and st.type == "file"
end

-- A folder Jekyll would build: no site.lua, and a _config.yml, or Jekyll's _posts or _layouts
-- without one (Jekyll needs no configuration file).
local function jekyll_folder()
  if exists("site.lua") then return false end
  if exists("_config.yml") then return true end
  for _, dir in ipairs { "_posts", "_layouts" } do
    local st = folio.fs.stat(dir)
    if st and st.type == "dir" then return true end
  end
  return false
end

-- The Jekyll site model (compat/jekyll/site.lua), for a Jekyll folder (jekyll_folder).
local function jekyll_model()
  return assert(folio.embedded.load("compat/jekyll/site.lua", _G))()
end

-- Reads site.lua: either assignments (`title = "x"`) or `return { ... }`. Without site.lua, a
-- Jekyll folder's _config.yml is read instead (docs/migrating-from-jekyll.md).
local function load_config()
  if jekyll_folder() then
    M.config_file = "_config.yml"
    return jekyll_model().config()
  end
  M.config_file = "site.lua"
  if not exists("site.lua") then
    errors.fail("site.lua", nil, "no site.lua in this folder",
                "run folio in a site folder, pass --source DIR, or create a site with 'folio new site DIR'")
  end
  local text = assert(folio.fs.read("site.lua"))
  local env = setmetatable({}, { __index = M.safe and M.env or _G })
  local chunk, err = load(text, "@site.lua", "t", env)
  if not chunk then error(err, 0) end
  local ok, result = run_chunk(chunk, "site.lua")
  if not ok then error(result, 0) end
  local config = {}
  local source = type(result) == "table" and result or env
  for k, v in pairs(source) do config[k] = v end
  return config
end

local function merge_defaults(config)
  -- `language` is the site's language; `lang` is its older name, kept equal to it.
  if config.language == nil then config.language = config.lang end
  for k, v in pairs(theme_defaults) do if config[k] == nil then config[k] = v end end
  for k, v in pairs(DEFAULTS) do if config[k] == nil then config[k] = v end end
  if type(config.permalink) == "string" then -- one pattern for posts, as Jekyll's `permalink`
    config.permalinks = setmetatable({ posts = config.permalink }, { __index = DEFAULTS.permalinks })
  elseif config.permalinks ~= DEFAULTS.permalinks then
    setmetatable(config.permalinks, { __index = DEFAULTS.permalinks })
  end
  if config.markdown ~= DEFAULTS.markdown then
    setmetatable(config.markdown, { __index = DEFAULTS.markdown })
  end
  if config.language == nil or config.language == "" then config.language = "en" end
  config.language = tostring(config.language)
  config.lang = config.language
  if not config.base_url:find("/$") then config.base_url = config.base_url .. "/" end
  return config
end

-- Runs a Lua file (site or built-in) that registers hooks. `args` is passed as `...`. A built-in
-- one (`embedded`: its path in folio) loads from folio's precompiled bytecode.
local function run_script(label, text, args, embedded)
  local env = M.safe and M.env or _G
  local chunk, err
  if embedded then chunk, err = folio.embedded.load(embedded, env)
  else chunk, err = load(text, "@" .. label, "t", env) end
  if not chunk then error(err, 0) end
  local ok, e = run_chunk(chunk, label, args or {})
  if not ok then error(e, 0) end
end

-- Returns the text and label of a plugin: the site's scripts/<name>.lua, else folio's own (and
-- then its embedded path).
local function find_plugin(name)
  local path = "scripts/" .. name .. ".lua"
  if exists(path) then return folio.fs.read(path), path end
  local builtin = folio.embedded.read(path)
  if builtin then return builtin, "(folio)/" .. path, path end
  return nil
end

-- A theme's file: themes/<name>/<relpath> in the site, else the copy built into folio.
local function one_theme_file(name, relpath)
  local disk = "themes/" .. name .. "/" .. relpath
  if exists(disk) then return folio.fs.read(disk), disk end
  local builtin = folio.embedded.read(disk)
  if builtin then return builtin, "(folio)/" .. disk end
  return nil
end

-- The themes a site's pages come from: its theme, the theme that one extends, and so on
-- (config.theme_chain, set by M.load); just the theme before that.
local function chain_of(config)
  return config.theme_chain or { config.theme }
end
M.chain_of = chain_of

-- The theme's file for `relpath`: the first theme of the chain that has it.
function M.theme_file(config, relpath)
  for _, name in ipairs(chain_of(config)) do
    local text, label = one_theme_file(name, relpath)
    if text then return text, label end
  end
  return nil
end

-- Every theme's file for `relpath`, the furthest ancestor first: { { text =, label = }, ... }
-- (i18n files merge key by key down the chain).
function M.theme_files(config, relpath)
  local out, chain = {}, chain_of(config)
  for i = #chain, 1, -1 do
    local text, label = one_theme_file(chain[i], relpath)
    if text then out[#out + 1] = { text = text, label = label } end
  end
  return out
end

local function theme_exists(name)
  local dir = "themes/" .. name
  return folio.fs.stat(dir) or folio.embedded.list(dir .. "/")[1]
end

-- Safe mode on: the environment untrusted chunks get, and the budgets.
local function enter_safe_mode(setting)
  M.safe = true
  M.env = M.env or sandbox.new_env()
  sandbox.configure(setting, errors.handler)
end

-- Runs theme.lua of the site's theme, then of the theme it extends (`extends = "name"` in its
-- theme.lua), and so on; sets config.theme_chain. A theme's defaults win over those of the
-- themes it extends. Each theme.lua runs in an environment of its own (over the globals), where
-- its `extends` is read.
local function load_themes(config)
  local chain, seen = {}, {}
  local name = tostring(config.theme or DEFAULTS.theme)
  local from = "site.lua"
  local layered = {} -- each theme's folio.defaults, child first
  while name do
    if seen[name] then
      errors.fail(from, nil, "themes extend each other in a loop: " .. table.concat(chain, " -> ") .. " -> " .. name,
                  "remove `extends` from one of these themes' theme.lua")
    end
    if not theme_exists(name) then
      errors.fail(from, nil, "theme '" .. name .. "' not found",
                  "put it in themes/" .. name .. "/ or use theme = \"default\"")
    end
    seen[name] = true
    chain[#chain + 1] = name
    config.theme_chain = chain
    local text, label = one_theme_file(name, "theme.lua")
    local extends = nil
    if text then
      local env = setmetatable({}, { __index = M.safe and M.env or _G })
      local chunk, err = load(text, "@" .. label, "t", env)
      if not chunk then error(errors.normalize(err, label, "while loading the theme"), 0) end
      theme_defaults = {}
      local ok, e = run_chunk(chunk, label, {})
      if not ok then error(errors.normalize(e, label, "while loading the theme"), 0) end
      layered[#layered + 1] = theme_defaults
      extends = rawget(env, "extends")
      if extends ~= nil and type(extends) ~= "string" then
        errors.fail(label, nil, "extends must be the name of a theme, not " .. type(extends), "write extends = \"default\"")
      end
      from = label
    end
    name = extends
  end
  theme_defaults = {}
  for i = #layered, 1, -1 do
    for k, v in pairs(layered[i]) do theme_defaults[k] = v end
  end
end

-- Loads everything; returns the config. Raises a structured error naming the file at fault.
function M.load()
  local options = folio.build.options()
  if options.safe then enter_safe_mode(true) end -- site.lua itself is untrusted code then
  local ok, config = xpcall(load_config, errors.handler)
  if not ok then error(errors.normalize(config, M.config_file or "site.lua"), 0) end
  if config.safe ~= nil and config.safe ~= false and type(config.safe) ~= "table" and config.safe ~= true then
    errors.fail("site.lua", nil, "safe must be true, false or a table, not " .. type(config.safe),
                "write safe = true, or safe = { instructions = 100000000, memory_mb = 256 }")
  end
  if options.safe or config.safe then enter_safe_mode(config.safe) end
  folio.config = config
  load_themes(config)
  merge_defaults(config)
  local named = {}
  for i, spec in ipairs(config.plugins) do
    local name, opts = spec, {}
    if type(spec) == "table" then name, opts = spec[1], spec end
    if type(name) ~= "string" then
      errors.fail("site.lua", nil, "plugins[" .. i .. "] has no name",
                  "write plugins = { \"emoji\", { \"paginate\", per_page = 5 } }")
    end
    local text, label, embedded = find_plugin(name)
    if not text then
      errors.fail("site.lua", nil, "unknown plugin '" .. name .. "'",
                  "put it in scripts/" .. name .. ".lua or remove it from plugins in site.lua")
    end
    named["scripts/" .. name .. ".lua"] = true
    local ok3, err = pcall(run_script, label, text, opts, embedded)
    if not ok3 then error(errors.normalize(err, label, "while loading plugin '" .. name .. "'"), 0) end
  end
  local files = folio.fs.stat("scripts") and folio.fs.scan("scripts") or {}
  for _, f in ipairs(files) do
    local rel = f.path
    if rel:find("%.lua$") and not rel:find("^scripts/[^/]+/") and not named[rel] then
      local ok4, err = pcall(run_script, rel, folio.fs.read(rel))
      if not ok4 then error(errors.normalize(err, rel, "while loading site script"), 0) end
    end
  end
  return config
end

-- Finds a template: the site's file first, then the theme's.
-- On a miss returns nil and the paths looked in, for the error message.
function M.find_template(config, relpath)
  if exists(relpath) then return folio.fs.read(relpath), relpath end
  local text, label = M.theme_file(config, relpath)
  if text then return text, label end
  local looked = { relpath }
  for _, name in ipairs(chain_of(config)) do looked[#looked + 1] = "themes/" .. name .. "/" .. relpath end
  return nil, looked
end

return M

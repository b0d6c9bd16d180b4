-- folio.sandbox: safe mode (docs/security.md). Untrusted Lua — site.lua under --safe, theme.lua,
-- plugins, the site's scripts and templates — is loaded with the environment built here instead
-- of _G: copies of the standard libraries (so nothing it changes reaches folio's own code)
-- without the calls that run commands, touch files outside the site, write files, load C code or
-- reach into the VM. Each refused call raises "file:line: NAME is not allowed in safe mode ...",
-- naming the untrusted line that made it.
--
-- Every untrusted function folio calls is wrapped by guard() (C, src/lua/lx_sandbox.c), which
-- runs it with a budget of instructions and memory. folio's own modules keep _G and run with no
-- hook at all outside those calls.
local M = {}

local sandbox = folio.sandbox
local real = {
  getmetatable = getmetatable, setmetatable = setmetatable, rawget = rawget, rawset = rawset,
  load = load, loadfile = loadfile, require = require, collectgarbage = collectgarbage,
  io_open = io.open, io_lines = io.lines, io_input = io.input, io_output = io.output,
  io_close = io.close, getenv = os.getenv, setlocale = os.setlocale, searchpath = package.searchpath,
}

local WHY = "not allowed in safe mode (--safe, or safe = true in site.lua)"

-- "file:line: " of the innermost frame that is neither folio's own Lua nor C.
local function blame()
  for level = 3, 200 do
    local info = debug.getinfo(level, "Sl")
    if not info then break end
    if info.what ~= "C" and not info.source:find("^@src/lua/folio/") and info.currentline > 0 then
      return info.short_src .. ":" .. info.currentline .. ": "
    end
  end
  return ""
end

local function refuse(call, hint)
  error(blame() .. call .. " is " .. WHY .. (hint and ("; " .. hint) or ""), 0)
end

local function forbidden(call, hint)
  return function() refuse(call, hint) end
end

local function shown(v)
  return type(v) == "string" and string.format("%q", v) or tostring(v)
end

local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

---------------------------------------------------------------------------------------------------
-- Files: read inside the site folder, write nowhere

local READ_HINT = "only files inside the site folder can be read"
local WRITE_HINT = "write outputs with site:add_page or folio.build.write instead"

local function check_read(call, path)
  if type(path) ~= "string" then refuse(call .. "(" .. shown(path) .. ")", "give a file name inside the site folder") end
  if not sandbox.inside_site(path) then refuse(call .. "(" .. shown(path) .. ")", READ_HINT) end
end

local function safe_open(path, mode)
  local m = mode == nil and "r" or mode
  if type(m) == "string" and m:find("[wa+]") then
    refuse("io.open(" .. shown(path) .. ", " .. shown(m) .. ")", "files cannot be written; " .. WRITE_HINT)
  end
  check_read("io.open", path)
  return real.io_open(path, m)
end

local function safe_lines(path, ...)
  if path == nil then return real.io_lines() end -- standard input
  check_read("io.lines", path)
  return real.io_lines(path, ...)
end

local function text_only(call, mode)
  if mode ~= nil and (type(mode) ~= "string" or mode:find("b")) then
    refuse(call .. " of binary chunks", "load Lua source (mode \"t\")")
  end
end

---------------------------------------------------------------------------------------------------
-- Metatables: folio's own are protected; untrusted ones get guarded metamethods

local METAMETHODS = { "__index", "__newindex", "__call", "__len", "__eq", "__lt", "__le", "__concat",
  "__unm", "__add", "__sub", "__mul", "__div", "__mod", "__pow", "__idiv", "__band", "__bor",
  "__bxor", "__shl", "__shr", "__bnot", "__tostring", "__pairs", "__close", "__name" }

local own = setmetatable({}, { __mode = "k" }) -- metatables that untrusted code set

-- A metamethod may be run by folio's own code long after the hook that set it returned
-- (reading a page field, sorting a list): guarded, it still runs within a budget.
local function guard_metamethods(mt)
  for _, name in ipairs(METAMETHODS) do
    local f = real.rawget(mt, name)
    if type(f) == "function" and not sandbox.is_guard(f) then
      local info = debug.getinfo(f, "S")
      real.rawset(mt, name, sandbox.guard(f, "the " .. name .. " metamethod",
                                          info.short_src .. ":" .. (info.linedefined or 0)))
    end
  end
end

local function safe_getmetatable(v)
  local mt = real.getmetatable(v)
  if mt == nil or own[mt] then return mt end
  return false -- folio's (pages, the site, Markdown nodes, strings): protected
end

local function safe_setmetatable(t, mt)
  local current = real.getmetatable(t)
  if current ~= nil and not own[current] then
    error(blame() .. "cannot change a protected metatable (this table belongs to folio; safe mode)", 0)
  end
  if type(mt) == "table" then
    if real.rawget(mt, "__gc") ~= nil then
      refuse("a __gc metamethod", "a finalizer would run outside any budget")
    end
    own[mt] = true
    guard_metamethods(mt)
  end
  return real.setmetatable(t, mt)
end

---------------------------------------------------------------------------------------------------
-- The environment

-- The images and shortcodes plugins are folio's own code: their scripts/ files only call these.
local ALLOWED_MODULES = { lpeg = true, ["folio.json"] = true, ["folio.images_plugin"] = true,
                          ["folio.shortcodes_plugin"] = true }

-- folio's modules of which a safe subset is given: pure functions that read and write only the
-- tables they are handed (the liquid plugin and compat/jekyll report problems and fill in a
-- page's fields from its front matter with them). The rest of each module is left out.
local SAFE_SUBSETS = {
  ["folio.errors"] = { "warn", "fail" },
  ["folio.page"] = { "from_front_matter", "assign_url", "split_dated_name", "title_from_name",
                     "expand_permalink", "normalize_url", "output_for", "slugify" },
}

local function safe_subset(name)
  local real_module, subset = real.require(name), {}
  for _, fn in ipairs(SAFE_SUBSETS[name]) do subset[fn] = real_module[fn] end
  return subset
end

-- folio's functions an untrusted script sees: the hook API, helpers, reads checked like io.open.
local function folio_view(env_folio)
  local f = env_folio
  for _, name in ipairs { "hook", "site_hook", "defaults", "warn", "escape", "slugify", "html_text", "count_words",
                          "json_string", "version", "related", "related_pack", "language_views", "translations_of",
                          "shortcode", "heading_id", "collapse_space", "utf8_valid", "same_items", "count_keys", "pages_holding", "lists_holding", "concat_strings", "newest_time", "ordered_by", "new_table", "sort_newest_first" } do
    f[name] = folio[name]
  end
  -- A computed page field runs when folio's own code reads it: within a budget too.
  f.page_field = function(name, fn, how)
    if type(how) == "table" and type(how.inputs) == "function" then
      how = { inputs = M.guard(how.inputs, "the inputs of the page field " .. tostring(name)) }
    end
    return folio.page_field(name, type(fn) == "function" and M.guard(fn, "the page field " .. tostring(name)) or fn, how)
  end
  for _, name in ipairs { "json", "date", "markdown", "ast", "frontmatter", "embedded", "i18n" } do
    if folio[name] then f[name] = copy(folio[name]) end
  end
  if f.date then f.date.set_timezone = forbidden("folio.date.set_timezone", "set timezone in site.lua") end
  f.register_metatable = forbidden("folio.register_metatable")
  f.fs = {}
  for _, name in ipairs { "read", "read_source", "stat", "scan" } do
    local fn = folio.fs[name]
    f.fs[name] = function(path, ...) check_read("folio.fs." .. name, path); return fn(path, ...) end
  end
  f.build = { write = folio.build.write, remove = folio.build.remove, report = folio.build.report,
              options = folio.build.options }
  local copy_file = folio.build.copy
  f.build.copy = function(rel, src) check_read("folio.build.copy", src); return copy_file(rel, src) end
  return f
end

-- A copy of t (and of the tables in it, one level down) with every function guarded.
local function guarded_functions(t, what, depth)
  local out = {}
  for k, v in pairs(t) do
    if type(v) == "function" then out[k] = M.guard(v, what .. tostring(k))
    elseif type(v) == "table" and (depth or 0) < 1 and real.getmetatable(v) == nil then
      out[k] = guarded_functions(v, what .. tostring(k) .. ".", (depth or 0) + 1)
    else out[k] = v end
  end
  return out
end

-- A new sandbox environment: the _G of untrusted chunks.
function M.new_env()
  local env = {}
  local loaded = {}
  for _, name in ipairs { "assert", "error", "ipairs", "next", "pairs", "pcall", "print", "rawequal",
                          "rawget", "rawlen", "rawset", "select", "tonumber", "tostring", "type",
                          "xpcall", "warn", "_VERSION" } do
    env[name] = _G[name]
  end
  env._G = env
  for _, name in ipairs { "string", "table", "math", "utf8", "coroutine" } do
    env[name] = copy(_G[name])
    loaded[name] = env[name]
  end
  env.getmetatable, env.setmetatable = safe_getmetatable, safe_setmetatable

  env.os = { time = os.time, date = os.date, clock = os.clock, difftime = os.difftime,
    execute = forbidden("os.execute"), remove = forbidden("os.remove", WRITE_HINT),
    rename = forbidden("os.rename", WRITE_HINT), tmpname = forbidden("os.tmpname"),
    exit = forbidden("os.exit", "fail the build with error() instead"),
    getenv = function(name)
      -- JEKYLL_ENV: jekyll.environment of a Jekyll site's Liquid (production/development)
      if type(name) == "string" and (name:find("^FOLIO_") or name == "JEKYLL_ENV") then return real.getenv(name) end
      refuse("os.getenv(" .. shown(name) .. ")", "only variables named FOLIO_* (and JEKYLL_ENV) can be read")
    end,
    setlocale = function(locale, category)
      if locale == nil then return real.setlocale(nil, category) end
      refuse("os.setlocale(" .. shown(locale) .. ")", "the locale belongs to the whole process")
    end,
  }
  env.io = { open = safe_open, lines = safe_lines, read = io.read, write = io.write, type = io.type,
    stdin = io.stdin, stdout = io.stdout, stderr = io.stderr,
    popen = forbidden("io.popen"), tmpfile = forbidden("io.tmpfile", WRITE_HINT),
    close = function(file)
      if file == nil then refuse("io.close()", "close the files you opened") end
      return real.io_close(file)
    end,
    input = function(file)
      if file == nil then return real.io_input() end
      refuse("io.input(" .. shown(file) .. ")", "open the file with io.open")
    end,
    output = function(file)
      if file == nil then return real.io_output() end
      refuse("io.output(" .. shown(file) .. ")", WRITE_HINT)
    end,
  }
  env.debug = { traceback = debug.traceback }
  for _, name in ipairs { "debug", "gethook", "getinfo", "getlocal", "getmetatable", "getregistry",
                          "getupvalue", "getuservalue", "sethook", "setlocal", "setmetatable",
                          "setupvalue", "setuservalue", "upvalueid", "upvaluejoin", "setcstacklimit" } do
    env.debug[name] = forbidden("debug." .. name)
  end
  env.collectgarbage = function(opt, ...)
    if opt == nil or opt == "collect" or opt == "count" or opt == "step" or opt == "isrunning" then
      return real.collectgarbage(opt, ...)
    end
    refuse("collectgarbage(" .. shown(opt) .. ")", "it would change how folio's own collector runs")
  end

  env.load = function(chunk, name, mode, ...)
    text_only("load", mode)
    if type(chunk) == "string" and chunk:byte(1) == 27 then text_only("load", "b") end
    if select("#", ...) > 0 then return real.load(chunk, name, "t", ...) end
    return real.load(chunk, name, "t", env)
  end
  env.loadfile = function(path, mode, ...)
    text_only("loadfile", mode)
    check_read("loadfile", path)
    if select("#", ...) > 0 then return real.loadfile(path, "t", ...) end
    return real.loadfile(path, "t", env)
  end
  env.dofile = function(path)
    check_read("dofile", path)
    local chunk, err = real.loadfile(path, "t", env)
    if not chunk then error(err, 0) end
    return chunk()
  end

  local site_path = "./?.lua;./?/init.lua"
  env.package = { loaded = loaded, preload = {}, path = site_path, cpath = "", config = package.config,
    loadlib = forbidden("package.loadlib", "C code cannot be loaded"),
    searchpath = function(name, path, ...)
      if type(path) ~= "string" or path:find("^/") or path:find(";/") or path:find("%.%.") then
        refuse("package.searchpath(" .. shown(name) .. ", " .. shown(path) .. ")", READ_HINT)
      end
      return real.searchpath(name, path, ...)
    end,
  }
  env.require = function(name)
    if type(name) ~= "string" then error("bad argument #1 to 'require' (string expected)", 2) end
    if loaded[name] ~= nil then return loaded[name] end
    local value
    if ALLOWED_MODULES[name] then
      value = copy(real.require(name))
    elseif SAFE_SUBSETS[name] then
      value = safe_subset(name)
    else
      local file = real.searchpath(name, env.package.path)
      if file and sandbox.inside_site(file) then
        local chunk, err = real.loadfile(file, "t", env)
        if not chunk then error(err, 0) end
        value = chunk(name, file)
        if value == nil then value = true end
      elseif real.searchpath(name, package.cpath) then
        refuse("require(" .. shown(name) .. ")", "C modules (package.cpath) cannot be loaded")
      else
        error(blame() .. "module '" .. name .. "' not found (safe mode looks in ./" .. name:gsub("%.", "/")
              .. ".lua and ./" .. name:gsub("%.", "/") .. "/init.lua only)", 0)
      end
    end
    if loaded[name] == nil then loaded[name] = value end
    return loaded[name]
  end
  env.folio = setmetatable({}, {
    __index = function(_, key)
      if key == "config" then return folio.config end
    end,
    -- The liquid plugin's renderer and drops, which compat/jekyll/layouts.lua (folio's own)
    -- calls for a Jekyll site's layouts: handed over guarded, so each call keeps a budget, and
    -- layouts and content share one Liquid engine (its times and drops are the plugin's).
    __newindex = function(t, key, value)
      if key == "jekyll_liquid" and type(value) == "table" then
        folio.jekyll_liquid = guarded_functions(value, "the liquid plugin's ")
      end
      real.rawset(t, key, value)
    end,
  })
  folio_view(env.folio)
  loaded._G = env
  return env
end

-- Names templates see in safe mode in place of the shared libraries (template.lua's library()).
function M.template_globals(env)
  return { string = env.string, table = env.table, math = env.math, utf8 = env.utf8,
           os = { time = os.time, date = os.date } }
end

-- The budget of every guarded call, from site.lua's `safe` (true or a table).
function M.configure(setting, handler)
  local t = type(setting) == "table" and setting or {}
  sandbox.configure {
    instructions = tonumber(t.instructions) and math.floor(tonumber(t.instructions)) or sandbox.default_instructions,
    memory_mb = tonumber(t.memory_mb) and math.floor(tonumber(t.memory_mb)) or sandbox.default_memory_mb,
    handler = handler,
  }
end

-- fn, run within the budget. `what` names it in messages ("the html hook").
function M.guard(fn, what, defined_at)
  if sandbox.is_guard(fn) then return fn end
  if not defined_at then
    local info = debug.getinfo(fn, "S")
    defined_at = info.short_src .. ":" .. (info.linedefined or 0)
  end
  return sandbox.guard(fn, what, defined_at)
end

return M

-- folio.assets: what static files become in the output (docs/assets.md). Sass and SCSS files are
-- compiled to CSS (folio.sass, libsass), partials (`_x.scss`) left out; CSS, JavaScript, JSON and
-- HTML are minified when `minify` is on; every CSS and JS output is also written under a
-- fingerprinted name (`css/site.3f2a9c1e.css`, the first 8 hex digits of its SHA-256), which the
-- `asset()` template helper gives with its Subresource Integrity value. The manifest of those
-- names is computed once in the main state and travels to the render workers with the site.
local M = {}

local config, opts, report = {}, {}, nil
local processed = {} -- source (path or embedded name) -> output bytes, or false (a Sass error)
local maps = {}      -- source -> the source map of its CSS (folio serve: written as out .. ".map")
local manifest       -- static rel (source or output) -> { url =, integrity =, file =, output = }
local last_manifest  -- the one before M.invalidate(): a Sass file that fails keeps its last name
local warned = {}    -- problems already reported (each once per build)

local SASS = { scss = true, sass = true }
local FINGERPRINTED = { css = true, js = true }
local MINIFIERS = { css = "css", js = "js", mjs = "js", json = "json", webmanifest = "json",
                    html = "html", htm = "html" }

-- (most outputs end in .html: a plain look at the end first; the pattern tries every position)
local function ext_of(rel)
  if rel:find(".html", -5, true) then return "html" end
  return (rel:match("%.([^./]+)$") or ""):lower()
end

-- Called by the pipeline when a state loads the site; `report_fn(err, file)` reports a problem.
function M.setup(cfg, build_opts, report_fn)
  config, opts, report = cfg or {}, build_opts or {}, report_fn
  processed, manifest, warned, maps = {}, nil, {}, {}
end

-- Is minifying on? `--minify`/`--no-minify` first, then site.lua's `minify` (never by default in
-- the preview: `folio serve` shows readable output).
function M.minify_on()
  if opts.minify ~= nil then return opts.minify end
  if opts.preview then return false end
  return config.minify == true
end

local function sass_options()
  return type(config.sass) == "table" and config.sass or {}
end

-- Source maps: in the preview unless sass.source_maps = false, as a file beside the CSS
-- (css/site.css.map, its sources embedded); in a build only when it is true, inline in the CSS
-- (a build never writes .map files).
local function source_maps_on()
  local s = sass_options().source_maps
  if opts.preview then return s ~= false and "file" end
  return s == true
end

-- Is this static source compiled? Every Sass file, except in a site model that names the ones it
-- compiles (a Jekyll site: those with front matter; config.sass_sources(), { [path] = true }).
local function compiled(rel)
  return SASS[ext_of(rel)] and (config.sass_sources == nil or config.sass_sources()[rel] == true)
end

-- The output a static source gives: `x.scss` -> `x.css`, a partial `_x.scss` -> false (none).
function M.output_name(rel)
  local ext = ext_of(rel)
  if compiled(rel) then
    if rel:match("([^/]*)$"):sub(1, 1) == "_" then return false end
    return rel:sub(1, -#ext - 1) .. "css"
  end
  return rel
end

-- Static sources (rel -> { path = file } or { embedded = name }) to outputs (output rel -> the
-- same tables, each given `rel`, its source name). A Sass file wins over a CSS file of the same
-- output name, with a warning.
function M.outputs(found)
  local out = {}
  local rels = {}
  for rel in pairs(found) do rels[#rels + 1] = rel end
  table.sort(rels)
  for _, rel in ipairs(rels) do
    local f = found[rel]
    local o = M.output_name(rel)
    if o then
      f.rel = rel
      local had = out[o]
      if had and compiled(had.rel) then
        if report then
          report({ severity = "warning", file = f.path, message = rel .. " and " .. had.rel .. " both give "
                   .. o .. ": the Sass file's CSS is written", hint = "remove one of them" }, f.path)
        end
      else
        out[o] = f
      end
    end
  end
  return out
end

local function read(f)
  if f.path then return folio.fs.read(f.path) end
  return folio.embedded.read(f.embedded)
end

-- The folders Sass imports are searched in, beyond the file's own: site.lua's sass.include_paths,
-- then what the site model adds (a Jekyll site's _sass/ and its theme's).
local function include_paths()
  local paths = {}
  for _, p in ipairs(sass_options().include_paths or {}) do paths[#paths + 1] = tostring(p) end
  local extra = config.sass_include_paths
  if type(extra) == "function" then extra = extra() end
  for _, p in ipairs(extra or {}) do paths[#paths + 1] = p end
  return paths
end

-- Jekyll's Sass entry files start with a front matter block (often empty) and may hold Liquid.
-- The block's lines become empty lines so that Sass errors keep the file's line numbers.
local function strip_front_matter(text)
  local block, body = text:match("^(%-%-%-[ \t]*\r?\n.-\r?\n?%-%-%-[ \t]*\r?\n)(.*)$")
  if not block then return text, false end
  local _, lines = block:gsub("\n", "")
  return string.rep("\n", lines) .. body, true
end

local function liquid_render(text, name)
  if not (config.jekyll and (text:find("{{", 1, true) or text:find("{%", 1, true))) then return text end
  local chunk = assert(folio.embedded.load("compat/jekyll/liquid/init.lua", _G))
  local liquid = chunk()
  local ok, result = pcall(function() return liquid.parse(text):render({ site = config.jekyll }) end)
  if ok then return result end
  error({ file = name, message = "Liquid in a Sass file: " .. tostring(type(result) == "table" and result.message or result) }, 0)
end

local function compile_sass(f, text, out)
  local name = f.path or ("(folio)/" .. f.embedded)
  local body, had_front_matter = strip_front_matter(text)
  if had_front_matter then body = liquid_render(body, name) end
  local minify = M.minify_on()
  local css, err = folio.sass.compile(body, {
    path = name, include_paths = include_paths(), indented = ext_of(name) == "sass",
    style = sass_options().style or (minify and "compressed" or "expanded"),
    source_map = source_maps_on(), output = out,
  })
  if css then return css, err end -- err: the source map, when it is a file
  local file = err.file ~= "" and err.file or name
  local hint = "fix the Sass there; imports are searched beside the file"
    .. (#include_paths() > 0 and (" and in " .. table.concat(include_paths(), ", ")) or "")
    .. " (site.lua: sass = { include_paths = {...} })"
  local failing = file == name and body or folio.fs.read(file) or ""
  if ("\n" .. failing):find("\n%s*@use%s") or ("\n" .. failing):find("\n%s*@forward%s") then
    hint = "this file uses Sass modules (@use, @forward, module functions such as meta.load-css or map.get): "
      .. "Dart Sass has them, libsass (folio's Sass compiler) does not; write @import \"x\" for @use \"x\" "
      .. "and meta.load-css(\"x\"), and the global names of module functions (map-get for map.get)"
  end
  error({ file = file, line = err.line > 0 and err.line or nil,
          message = "Sass: " .. err.message:gsub("%s+$", "") .. (err.column > 0 and (" (column " .. err.column .. ")") or ""),
          hint = hint }, 0)
end

-- The warning (once per output) for a text the minifier of `kind` could not read from byte
-- `bad_at` on: it is written as it is.
local function warn_not_minified(out, data, source, kind, bad_at)
  if not warned[out] and report then
    warned[out] = true
    local line = select(2, data:sub(1, bad_at):gsub("\n", "")) + 1
    report({ severity = "warning", file = source, line = line,
             message = "not minified: the " .. kind .. " minifier cannot read " .. out .. " from here on",
             hint = "it is written as it is; check for an unterminated string, comment or regular expression" }, source)
  end
end

-- Minifies `data` by the output's extension; the text unchanged (and a warning, once) when the
-- minifier cannot read it.
local function minify(out, data, source)
  local kind = MINIFIERS[ext_of(out)]
  if not kind then return data end
  local small, bad_at = folio.minify[kind](data)
  if small then return small end
  warn_not_minified(out, data, source, kind, bad_at)
  return data
end

-- The bytes written for output `out` from source `f`, or nil when the file is copied as it is,
-- or false after an error (reported once). Remembered until M.invalidate().
function M.data(out, f)
  local key = f.path or f.embedded
  local have = processed[key]
  if have ~= nil then return have end
  local result
  if compiled(f.rel or out) then
    local text = read(f)
    local ok, css, map = pcall(compile_sass, f, text or "", out)
    if ok then result, maps[key] = css, map else
      if report then report(css, f.path) end
      result = false
    end
  elseif M.minify_on() and MINIFIERS[ext_of(out)] then
    result = minify(out, read(f) or "", f.path)
  end
  if result ~= nil then processed[key] = result end
  return result
end

-- "css/site.css" and its bytes -> "css/site.3f2a9c1e.css"
local function fingerprinted_name(out, data)
  local hash = folio.digest.sha256_hex(data):sub(1, 8)
  local stem, ext = out:match("^(.*)%.([^./]+)$")
  return stem .. "." .. hash .. "." .. ext
end

-- Computes the manifest of fingerprinted CSS and JS (Sass compiled, minified as configured)
-- from the static outputs (M.outputs), unless it is already there.
function M.prepare(outputs)
  if manifest then return manifest end
  manifest = {}
  for out, f in pairs(outputs) do
    if FINGERPRINTED[ext_of(out)] then
      local data = M.data(out, f)
      if data == nil then data = read(f) end
      if data == false then -- a Sass error (reported): the last good file, else the plain name
        local last = last_manifest and last_manifest[out]
        local entry = last or { url = "/" .. out, file = nil, output = out }
        manifest[out] = entry
        manifest[f.rel or out] = entry
      elseif data then
        local file = fingerprinted_name(out, data)
        local entry = { url = "/" .. file, integrity = folio.digest.sri(data, "sha384"), file = file, output = out }
        manifest[out] = entry
        manifest[f.rel or out] = entry
      end
    end
  end
  return manifest
end

-- The manifest for the render workers, and setting it there.
function M.export() return manifest end
function M.import(m) manifest = m end

-- Forget what was computed (a static file changed in the preview).
function M.invalidate()
  last_manifest = manifest or last_manifest
  processed, manifest, maps = {}, nil, {}
end

-- Writes output `out` from source `f`, and its fingerprinted copy; returns the plain output's URL
-- when it got new bytes (the fingerprinted name is new to every browser: no reload to announce).
function M.write(out, f)
  local changed = {}
  local data = M.data(out, f)
  if data == false then return changed end -- a Sass error, reported
  local function put(rel)
    if data then return folio.build.write(rel, data) end
    if f.path then return folio.build.copy(rel, f.path) end
    return folio.build.write(rel, folio.embedded.read(f.embedded))
  end
  if put(out) then changed[1] = "/" .. out end
  local map = maps[f.path or f.embedded]
  if map then folio.build.write(out .. ".map", map) end -- the CSS's sourceMappingURL names it
  local entry = manifest and manifest[out]
  if entry and entry.file then put(entry.file) end
  return changed
end

-- Is this static source one the manifest depends on (a change re-makes every asset)?
function M.is_asset_source(rel)
  local ext = ext_of(rel)
  return SASS[ext] or FINGERPRINTED[ext] or false
end

-- A rendered page's bytes as written: minified by its output's extension when minify is on.
-- `compact`: the page says its content is already minified but for a final newline (JSON made
-- by folio.json.encode or as compactly): only that newline goes, as the minifier would drop it.
function M.finish_output(out, data, source, compact)
  if not M.minify_on() or type(out) ~= "string" then return data end
  if compact then return (data:sub(-1) == "\n" and data:sub(1, -2) or data) end
  return minify(out, data, source or out)
end

-- Writes a rendered page's output as finish_output gives it; whether the file changed
-- (folio.build.write). The minifier runs inside the write: its result never becomes a Lua string.
function M.write_output(out, data, source, compact)
  local kind = not compact and type(out) == "string" and M.minify_on() and MINIFIERS[ext_of(out)]
  if not kind then return folio.build.write(out, M.finish_output(out, data, source, compact)) end
  local changed, bad_at = folio.build.write(out, data, kind)
  if changed ~= nil then return changed end
  warn_not_minified(out, data, source or out, kind, bad_at)
  return folio.build.write(out, data)
end

----------------------------------------------------------------------------------------------
-- The asset() template helper

local Asset = {}
Asset.__index = Asset
Asset.__tostring = function(a) return a.url end

-- asset(path):tag([attrs]): the <link rel="stylesheet"> or <script> element, with integrity;
-- `attrs` is added as it is (`"defer"`, `'media="print"'`).
function Asset:tag(attrs)
  local extra = attrs and (" " .. attrs) or ""
  local sri = self.integrity and (' integrity="' .. self.integrity .. '"') or ""
  if self.path:find(".css", -4, true) then -- (a plain look at the end: a pattern tries every position)
    return string.format('<link rel="stylesheet" href="%s"%s%s>', folio.escape(self.url), sri, extra)
  end
  return string.format('<script src="%s"%s%s></script>', folio.escape(self.url), sri, extra)
end

-- The helper for templates; `url` makes site paths into the site's URLs (its base path). A file
-- that is not there is a warning (once) and gets its plain URL, without integrity: a layout copied
-- without the theme's static files still renders.
function M.helper(url)
  return function(path)
    local key = tostring(path or "")
    if key:byte(1) == 47 then key = key:sub(2) end -- "/css/x.css" -> "css/x.css"
    local e = manifest and manifest[key]
    if not e then
      if not warned["asset:" .. key] then
        warned["asset:" .. key] = true
        folio.build.report("warning", nil, nil, string.format("asset(%q): no CSS, JS or Sass file of that name in static/ or "
          .. "the theme's static/: linked as /%s, without integrity", tostring(path), key),
          "add the file, or fix the name in the template (asset() fingerprints CSS and JS files)")
      end
      local out = M.output_name(key) or key
      return setmetatable({ url = url("/" .. out), path = out }, Asset)
    end
    return setmetatable({ url = url(e.url), integrity = e.integrity, path = e.output, file = e.file }, Asset)
  end
end

-- For the live-reload event: { [url(output)] = { url =, integrity = } } of every asset.
function M.reload_map(url)
  local map = {}
  for key, e in pairs(manifest or {}) do
    if key == e.output then map[url("/" .. e.output)] = { url = url(e.url), integrity = e.integrity } end
  end
  return map
end

return M

-- folio.image_helper: image(path), the chainable image operations of templates and hooks, and
-- the cache behind them (docs/plugins/images.md).
--
--   local img = image("images/photo.jpg"):fit(800, 600):webp():quality(75)
--   img.url, img.width, img.height     -- the operation runs (or comes from the cache) on first read
--
-- Each operation's result is kept in the cache folder (site.lua `images.cache`, default
-- .folio-cache/images/) under the source's content hash and the operation, with its size in a
-- sidecar .txt file, so a rebuild reads two small files and links the result into the output:
-- no libvips work, no image read (the source's hash is kept too, under its inode and times). The processed files go to the output under `_img/` (`images.output`).
local errors = require "folio.errors"

local M = {}

local settings = {
  cache = ".folio-cache/images",
  output = "_img",
  quality = 80,
  max_pixels = 40e6, -- 40 megapixels: larger sources are refused before they are decoded
}

-- M.configure{ cache =, output =, quality =, max_pixels = }: the images plugin's options, or
-- site.lua's `images` table.
local function site_relative(name, v)
  if type(v) ~= "string" or v == "" or v:find("^/") or ("/" .. v .. "/"):find("/%.%.?/") then
    error(string.format("images: %s must be a folder inside the site, such as %q, not %s", name, settings[name], tostring(v)), 0)
  end
  return (v:gsub("/+$", ""))
end

function M.configure(t)
  for k, v in pairs(t or {}) do
    if k == "cache" or k == "output" then v = site_relative(k, v) end
    if settings[k] ~= nil then settings[k] = v end
  end
end

function M.settings() return settings end

-- This state's memos: a file's hash while its mtime and size stay, what was looked up in the
-- cache, what was copied into this build's output.
local hashes = {}    -- path -> { mtime =, ns =, size =, hash = }
local results = {}   -- cache key -> { width =, height = }
local copied = {}    -- output path -> true

-- A file of the cache folder goes into the output as a hard link (folio.build.link: no
-- bytes copied; a copy where links cannot be made). Only the cache's own files: they are never
-- written again in place (results are renamed into the cache), so the output cannot change them.
-- Any other file is copied. folio.build.copy itself is wrapped, so that the build cache
-- (folio/buildcache.lua) replays a reused page's files as links too; when that cache wrapped
-- folio.build.copy before this module was loaded, this wrapper records its links with it.
local function under_cache(src)
  local prefix = settings.cache .. "/"
  return src:sub(1, #prefix) == prefix
end
if folio.build and folio.build.copy and folio.build.link and not rawget(folio.build, "image_links") then
  local below = folio.build.copy
  local record = rawget(folio.build, "copy_recorded") and folio.build.note_copy
  folio.build.copy = function(rel, src, ...)
    if type(src) == "string" and type(rel) == "string" and under_cache(src) then
      if record then record(rel, src) end
      return folio.build.link(rel, src)
    end
    return below(rel, src, ...)
  end
  folio.build.image_links = true
end

-- Puts `src` at the output path `rel` once per build and state; a later page using the same
-- file tells the build cache it needs it too (folio.build.note_copy, folio/buildcache.lua).
local function copy_once(rel, src)
  if not copied[rel] then
    folio.build.copy(rel, src)
    copied[rel] = true
  elseif folio.build.note_copy then
    folio.build.note_copy(rel, src)
  end
end
-- A part of temporary names no other thread or process uses (the render phase forks: asked
-- each time, never kept).
local function unique() return folio.image.unique() end

-- The content hash of a source: from this state's memo while its mtime and size stay, else
-- from the cache's memo (cache/stat/: kept under the file's device, inode, size and times, so a
-- warm build reads no image), else by reading it.
local function content_hash(path)
  local st = folio.fs.stat(path)
  if not st or st.type ~= "file" then return nil, "no image file " .. path end
  local h = hashes[path]
  if h and h.mtime == st.mtime and h.ns == st.mtime_ns and h.size == st.size then return h.hash end
  local hash, err = folio.image.hash(path, settings.cache .. "/stat")
  if not hash then return nil, err end
  hashes[path] = { mtime = st.mtime, ns = st.mtime_ns, size = st.size, hash = hash }
  return hash
end

local function read_sidecar(path)
  local f = io.open(path, "r")
  if not f then return nil end
  local text = f:read("a") or ""
  f:close()
  local w, h, format = text:match("^(%d+) (%d+) ?(%w*)")
  if not w then return nil end
  return { width = tonumber(w), height = tonumber(h), format = format ~= "" and format or nil }
end

-- Written beside and renamed into place: another thread may read it at any moment.
local function write_sidecar(path, info)
  local ok, err = folio.image.mkdirs_for(path)
  if not ok then return nil, err end
  local tmp = path .. "." .. unique() .. ".tmp"
  local f, oerr = io.open(tmp, "w")
  if not f then return nil, oerr end
  f:write(string.format("%d %d %s\n", info.width, info.height, info.format or ""))
  f:close()
  return os.rename(tmp, path)
end

-- The size and format of a source image: from the cache, else from its header (libvips).
local function source_info(path, hash)
  local key = hash .. ".source"
  local r = results[key]
  if r then return r end
  local side = settings.cache .. "/" .. key .. ".txt"
  r = read_sidecar(side)
  if not r then
    local info, err = folio.image.info(path)
    if not info then return nil, err end
    r = { width = info.width, height = info.height, format = info.format }
    write_sidecar(side, r)
  end
  results[key] = r
  return r
end
M.source_info = function(path)
  local hash, err = content_hash(path)
  if not hash then return nil, err end
  return source_info(path, hash)
end

local EXT = { jpeg = "jpg", png = "png", webp = "webp", avif = "avif" }
local WRITABLE = { jpeg = true, png = true, webp = true, avif = true }

-- The format a result takes when the operations name none: the source's own, where folio can
-- write it; JPEG otherwise (GIF, TIFF, HEIF sources).
local function default_format(src)
  if src.format == "jpeg" or src.format == "png" or src.format == "webp" then return src.format end
  if src.format == "heif" then return "jpeg" end
  return (src.format == "gif" or src.format == "svg") and "png" or "jpeg"
end

local function base_path()
  local base = (folio.config and folio.config.base_url) or "/"
  return ((base:match("^%a[%w+.-]*://[^/]+(/.*)$") or "/"):gsub("/$", ""))
end

-- Runs (or finds in the cache) one operation on a source: { url =, width =, height =, format = }
-- or nil, message. `spec` = { path =, url = (the original's URL, or nil), mode =, width =,
-- height =, format =, quality =, copy = (true: the original copied into the output as it is),
-- cached_only = (true: nil, without a message, when the result is not in the cache yet) }.
function M.run(spec)
  local hash, err = content_hash(spec.path)
  if not hash then return nil, err end
  local src, ierr = source_info(spec.path, hash)
  if not src then return nil, ierr end
  if src.width * src.height > settings.max_pixels then
    return nil, string.format("the image %s is %d x %d pixels, more than the limit of %g megapixels",
                              spec.path, src.width, src.height, settings.max_pixels / 1e6)
  end
  if spec.copy then -- the original as it is, into the output
    local ext = spec.path:match("%.([%w]+)$") or "img"
    local name = spec.path:match("([^/]+)$"):gsub("%.[^.]*$", "")
    local rel = string.format("%s/%s-%s.%s", settings.output, name, hash:sub(1, 8), ext:lower())
    copy_once(rel, spec.path)
    return { url = base_path() .. "/" .. rel, width = src.width, height = src.height, format = src.format }
  end
  local format = spec.format or default_format(src)
  if not WRITABLE[format] then return nil, "cannot write images as " .. tostring(format) end
  if not spec.mode and not spec.format and spec.url then -- nothing to do: the original itself
    return { url = spec.url, width = src.width, height = src.height, format = src.format }
  end
  local mode = spec.mode or "fit"
  local w, h = spec.width or 0, spec.height or 0
  local q = spec.quality or settings.quality
  local op = string.format("%s%dx%d", mode, w, h)
  if format ~= "png" then op = op .. "q" .. q end
  local key = hash .. "-" .. op .. "." .. EXT[format]
  local cached = settings.cache .. "/" .. key
  local r = results[key]
  if not r then
    r = read_sidecar(cached .. ".txt")
    if r and not folio.fs.stat(cached) then r = nil end
    if not r and spec.cached_only then return nil end
    if not r then
      local ok, merr = folio.image.mkdirs_for(cached)
      if not ok then return nil, merr end
      -- made beside and renamed into place: a cached result may be linked into an output
      -- (a live public/), which must never see it half written
      local tmp = cached:gsub("(%.%w+)$", "." .. unique() .. ".tmp%1")
      local made, perr = folio.image.process(spec.path, tmp, {
        mode = mode, width = w, height = h, format = format, quality = q, max_pixels = settings.max_pixels })
      if not made then os.remove(tmp); return nil, perr end
      local ok, rerr = os.rename(tmp, cached)
      if not ok then os.remove(tmp); return nil, rerr end
      r = { width = made.width, height = made.height, format = format }
      write_sidecar(cached .. ".txt", r)
    end
    results[key] = r
  end
  local name = spec.path:match("([^/]+)$"):gsub("%.[^.]*$", "")
  local rel = string.format("%s/%s-%s-%s.%s", settings.output, name, hash:sub(1, 8), op, EXT[format])
  copy_once(rel, cached)
  return { url = base_path() .. "/" .. rel, width = r.width, height = r.height, format = format }
end

----------------------------------------------------------------------------------------------
-- image(path): the chainable object

local Image = {}
local ImageMeta = {}

local function derive(img, changes)
  local spec = {}
  for k, v in pairs(rawget(img, "spec")) do spec[k] = v end
  for k, v in pairs(changes) do spec[k] = v end
  return setmetatable({ spec = spec }, ImageMeta)
end

local function size_arg(v, name, method)
  if v == nil then return 0 end
  if math.type(v) ~= "integer" then v = tonumber(v) end
  if not v or v < 0 or v ~= math.floor(v) or v > 100000 then
    error(string.format("image():%s: %s must be a whole number of pixels", method, name), 3)
  end
  return math.floor(v)
end

for _, mode in ipairs { "fit", "fill", "crop", "resize" } do
  Image[mode] = function(self, w, h)
    return derive(self, { mode = mode, width = size_arg(w, "width", mode), height = size_arg(h, "height", mode) })
  end
end
for format in pairs(WRITABLE) do
  Image[format] = function(self) return derive(self, { format = format }) end
end
Image.jpg = Image.jpeg
function Image:format(f)
  if not WRITABLE[f] then error("image():format: use jpeg, png, webp or avif", 2) end
  return derive(self, { format = f })
end
function Image:quality(q)
  if math.type(q) ~= "integer" or q < 1 or q > 100 then error("image():quality: a whole number from 1 to 100", 2) end
  return derive(self, { quality = q })
end
-- The result, processing on first use; a failure is an error naming the image (and, through
-- the field read or tostring that called this, the template's line: level 3).
function Image:result()
  local r = rawget(self, "done")
  if r then return r end
  local spec = rawget(self, "spec")
  local err
  r, err = M.run(spec)
  if not r then error(err, 3) end
  rawset(self, "done", r)
  return r
end

ImageMeta.__index = function(self, key)
  if key == "url" or key == "width" or key == "height" then return Image.result(self)[key] end
  return Image[key]
end
ImageMeta.__tostring = function(self) return Image.result(self).url end

-- Finds the file of an image path as written in a template: under static/ (and the theme's
-- static/), else relative to the site folder.
local function find_source(path)
  local rel = path:gsub("^/+", "")
  local theme = folio.config and folio.config.theme
  local candidates = { "static/" .. rel }
  if theme then candidates[#candidates + 1] = "themes/" .. theme .. "/static/" .. rel end
  candidates[#candidates + 1] = rel
  local safe = package.loaded["folio.site"] and package.loaded["folio.site"].safe
  for i, p in ipairs(candidates) do
    local st = (not safe or folio.sandbox.inside_site(p)) and folio.fs.stat(p)
    if st and st.type == "file" then return p, i <= 2 and (base_path() .. "/" .. rel) or nil end
  end
  return nil
end
M.find_source = find_source

-- image(path [, url]): path is a site path ("images/x.jpg": static/images/x.jpg) or a file
-- found otherwise; url the original's URL when it is already in the output.
function M.open(path, url)
  if type(path) ~= "string" or path == "" then error("image() needs the path of an image", 2) end
  if ("/" .. path .. "/"):find("/%.%./") then error(string.format("image(%q): the path may not go up with ..", path), 2) end
  local file, found_url = find_source(path)
  if not file then
    error(string.format("image(%q): no such file under static/ or the site folder", path), 2)
  end
  return setmetatable({ spec = { path = file, url = url or found_url } }, ImageMeta)
end

-- Whether a URL points at this site (no scheme, not protocol-relative, not data:).
function M.is_local(url)
  return type(url) == "string" and url ~= "" and not url:find("^%a[%w+.-]*:") and not url:find("^//")
end

M.errors = errors
return M

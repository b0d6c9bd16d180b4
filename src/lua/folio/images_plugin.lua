-- folio.images_plugin: the images plugin (scripts/images.lua calls it with its options; a
-- module, so that it runs as folio's own code in safe mode too). Responsive local images (docs/plugins/images.md). The image render hook turns
-- `![alt](/images/photo.jpg)` into
--
--   <picture>
--   <source type="image/avif" srcset="/_img/photo-3f2a9c1e-fit480x0q80.avif 480w, ... 1440w" sizes="...">
--   <source type="image/webp" srcset="... 480w, ... 1440w" sizes="...">
--   <img src="/images/photo.jpg" alt="alt" width="1600" height="1200" loading="lazy" decoding="async">
--   </picture>
--
-- width/height are the source's (no layout shift); the widths are the plugin's `widths` that
-- are smaller than the source, plus the source's own width when it is below the largest (never
-- an upscale); AVIF only when this libvips can write it (checked at run time). The first image
-- of a page is not lazy (it is likely on the first screen). SVG and GIF get width/height and
-- lazy loading only. Remote images are left as they are; one with an empty alt is a warning
-- naming file:line. A local image that is not found is a warning and is left as written.
--
-- Where files are: `/images/x.jpg` is static/images/x.jpg (or the theme's static/);
-- `x.jpg` is next to the page's source file (copied into the output under `_img/`), else
-- static/x.jpg. Processing is cached (folio.image: content hash + operation).
--
-- Options: { "images", widths = { 480, 960, 1440 }, formats = { "avif", "webp" }, quality = 80,
--            sizes = "(max-width: 48rem) 100vw, 48rem", lazy = true, cache = ".folio-cache/images",
--            output = "_img", max_pixels = 40e6 }
local M = {}

function M.install(opts)
  opts = opts or {}
  local image = require "folio.image"
  local errors = require "folio.errors"

  image.configure { cache = opts.cache, output = opts.output, quality = opts.quality, max_pixels = opts.max_pixels }
  local widths = opts.widths or { 480, 960, 1440 }
  table.sort(widths)
  local sizes = opts.sizes or "(max-width: 48rem) 100vw, 48rem"
  local lazy = opts.lazy ~= false

  local formats = opts.formats or { "avif", "webp" }
  -- Whether this libvips writes a format, asked only when a result is not in the cache yet
  -- (asking starts libvips, which a warm build never needs).
  local writable = {}
  local function can_write(f)
    if writable[f] == nil then writable[f] = folio.image.can_write(f) end
    return writable[f]
  end

  local MIME = { avif = "image/avif", webp = "image/webp", jpeg = "image/jpeg", png = "image/png" }

  -- Per page: the source lines of its images in document order (from the ast stage), and how
  -- many the render hook has met. Keyed by the page table, weakly.
  local lines = setmetatable({}, { __mode = "k" })
  local seen = setmetatable({}, { __mode = "k" })

  local function file_line(page, node_line)
    if not node_line then return nil end
    return (page.body_line or 1) + node_line - 1
  end

  folio.hook("ast", {
    image = function(node, page)
      local list = lines[page]
      if not list then list = {}; lines[page] = list end
      -- inline nodes carry no position in cmark: their block's line is the nearest
      local n, line = node, nil
      while n and not line do line = n.line; n = n.parent end
      list[#list + 1] = file_line(page, line)
    end,
  }, { order = 80 })

  local warned = {}
  local function warn_once(file, line, message, hint)
    local key = tostring(file) .. ":" .. tostring(line) .. ":" .. message
    if warned[key] then return end
    warned[key] = true
    errors.warn(file, line, message, hint)
  end

  local function dirname(path) return path and path:match("^(.*)/[^/]*$") or "." end

  -- The file behind an image URL, and the URL of the original in the output (nil when it is not
  -- there: a file next to the page's source).
  local function locate(url, page)
    local path = url:gsub("[?#].*$", ""):gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end)
    if ("/" .. path .. "/"):find("/%.%./") then return nil end
    if path:sub(1, 1) == "/" then
      local file, found_url = image.find_source(path)
      if file and found_url then return file, url end
      return nil
    end
    local beside = dirname(page.path) .. "/" .. path
    local st = folio.fs.stat(beside)
    if st and st.type == "file" then return beside, nil end
    local file, found_url = image.find_source(path)
    if file and found_url then return file, found_url end
    return nil
  end

  local function attr(name, value)
    if value == nil or value == "" then return "" end
    return string.format(' %s="%s"', name, folio.escape(tostring(value)))
  end

  -- The srcset of one format, or false when this libvips cannot write it, or nil, message.
  local function srcset_of(file, src, format)
    local parts, list = {}, {}
    for _, w in ipairs(widths) do
      if w < src.width then list[#list + 1] = w end
    end
    if #list == 0 or (src.width < widths[#widths] and list[#list] ~= src.width) then list[#list + 1] = src.width end
    for i, w in ipairs(list) do
      local spec = { path = file, mode = "fit", width = w, height = 0, format = format }
      local r, err = image.run { path = file, mode = "fit", width = w, height = 0, format = format, cached_only = true }
      if not r and not err then
        if i == 1 and not can_write(format) then return false end
        r, err = image.run(spec)
      end
      if not r then return nil, err end
      parts[#parts + 1] = r.url .. " " .. r.width .. "w"
    end
    return table.concat(parts, ", ")
  end

  folio.hook("render_image", function(img, page)
    local n = (seen[page] or 0) + 1
    seen[page] = n
    local line = lines[page] and lines[page][n]
    if not image.is_local(img.url) then
      if img.alt == nil or img.alt:match("^%s*$") then
        warn_once(page.path, line, "the image " .. img.url .. " has no alt text",
                  "describe it between the brackets: ![what it shows](" .. img.url .. ")")
      end
      return nil
    end
    local file, original_url = locate(img.url, page)
    if not file then
      warn_once(page.path, line, "the image " .. img.url .. " was not found (looked in static/ and beside the page)",
                "check the path; the image is left as written")
      return nil
    end
    local src, err = image.source_info(file)
    if not src then errors.fail(page.path, line, err, "replace or remove the image " .. file) end
    local fallback = original_url
    if not fallback then -- beside the page: copied as it is
      local r, cerr = image.run { path = file, copy = true }
      if not r then errors.fail(page.path, line, cerr, "replace or remove the image " .. file) end
      fallback = r.url
    end
    local loading = ""
    if lazy and n > 1 then loading = ' loading="lazy"' end
    local tag = string.format('<img src="%s"%s%s width="%d" height="%d"%s decoding="async">',
                              folio.escape(fallback), ' alt="' .. folio.escape(img.alt or "") .. '"',
                              attr("title", img.title), src.width, src.height, loading)
    if src.format ~= "jpeg" and src.format ~= "png" and src.format ~= "webp" and src.format ~= "heif" then
      return tag -- SVG, GIF (animations), TIFF...: as they are, with their size
    end
    local out = { "<picture>" }
    for _, f in ipairs(formats) do
      local set, serr = srcset_of(file, src, f)
      if set == nil then errors.fail(page.path, line, serr, "replace or remove the image " .. file) end
      if set then out[#out + 1] = string.format('<source type="%s" srcset="%s" sizes="%s">', MIME[f], folio.escape(set), folio.escape(sizes)) end
    end
    out[#out + 1] = tag
    out[#out + 1] = "</picture>"
    return table.concat(out)
  end)
end

return M

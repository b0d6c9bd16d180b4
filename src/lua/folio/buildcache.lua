-- folio.buildcache: the persistent build cache of `folio build` (docs/configuration.md, "Build
-- cache"): what the per-page stage (read -> hooks -> HTML) made of each source, kept in an LMDB
-- store (src/core/cache.c) so the next build reuses it for every source that did not change.
--
-- An entry, under the source's path, holds the page table, its HTML, the warnings met while
-- processing it, and what it was made from: the hash of the source's text, of its file facts
-- (path, git dates; the modification time only for a page dated by it) and the site's stamp. The
-- stamp hashes everything that shapes every page: this folio (its binary), the build options,
-- the configuration file and every file under scripts/, layouts/, data/, i18n/, the theme's folder
-- (but static/) and Jekyll's _data/_includes/_layouts/_plugins. An entry is reused only when all
-- of them match, so a reused page is the page a cold build would make.
--
-- A per-page hook that reads other files than those (another page's source, the environment)
-- is not seen by the cache: `folio build --no-cache` then gives a cold build. The one such hook
-- folio ships is Liquid's (scripts/liquid.lua: post_url and link read other sources, site.time
-- is the clock): with it loaded, a source holding `{{` or `{%` is processed on every build.
local errors = require "folio.errors"
local sitemod = require "folio.site"

local M = {}

-- The layout of entries; a store of another format (or another folio) is not read.
local FORMAT = "folio-build-cache 2"

local SHAPING_FILES = { "site.lua", "_config.yml" }
local SHAPING_DIRS = { "scripts", "layouts", "data", "i18n", "_data", "_includes", "_layouts", "_plugins" }

local active = false
local OUTPUTS_KEY = "\0outputs" -- what the last build rendered (folio.warm); no source path is empty
local previous_outputs -- that record, read when the store opens (the commit may drop it)
local liquid_loaded -- a frontmatter hook of scripts/liquid.lua is registered (found on first use)

local function liquid_hook_loaded()
  if liquid_loaded == nil then
    liquid_loaded = false
    for _, h in ipairs(sitemod.hooks.frontmatter or {}) do
      if tostring(h.source):find("scripts/liquid%.lua") then liquid_loaded = true end
    end
  end
  return liquid_loaded
end

-- Whether a page made from `text` may be cached: not one the Liquid hook renders.
local function cacheable(text)
  return not (liquid_hook_loaded() and (text:find("{{", 1, true) or text:find("{%", 1, true)))
end

local function hash_dir(h, dir, skip)
  local st = folio.fs.stat(dir)
  if not st or st.type ~= "dir" then return h end
  local files = folio.fs.scan(dir)
  table.sort(files, function(a, b) return a.path < b.path end)
  for _, f in ipairs(files) do
    if not (skip and f.path:sub(1, #skip) == skip) then
      h = folio.cache.hash(h, f.path, folio.fs.read(f.path) or "")
    end
  end
  return h
end

-- The site's stamp: the hash of everything that shapes every page (see the top of the file).
local function site_stamp(config, opts)
  local h = folio.cache.hash(FORMAT, folio.cache.folio_hash(), tostring(opts.drafts), tostring(opts.future),
                             tostring(opts.safe), tostring(config.base_url), tostring(config.drafts),
                             tostring(config.future), tostring(config.theme))
  for _, f in ipairs(SHAPING_FILES) do
    local text = folio.fs.read(f)
    if text then h = folio.cache.hash(h, f, text) end
  end
  for _, d in ipairs(SHAPING_DIRS) do h = hash_dir(h, d) end
  local theme = "themes/" .. tostring(config.theme)
  h = hash_dir(h, theme, theme .. "/static/")
  return h
end

-- Main state, before the process phase: opens the store unless the build is a preview or
-- --no-cache; problems with it are one warning, and the build goes on without it or cold.
function M.open(config, opts)
  active = false
  M.reused, M.processed = 0, 0
  if opts.no_cache or opts.preview then return end
  local dir = opts.cache_dir or config.cache_dir or ".folio-cache"
  if type(dir) ~= "string" or dir == "" then
    errors.warn("site.lua", nil, "cache_dir must be a folder name, not " .. type(dir) .. "; building without the cache",
                "write cache_dir = \".folio-cache\", or remove it")
    return
  end
  local ok, warning = folio.cache.open(dir, FORMAT .. " " .. folio.version)
  if warning then
    errors.warn(nil, nil, warning, "nothing to do: the cache fills again as this build runs; "
                .. "delete the folder " .. dir .. " if this warning comes back")
  end
  if not ok then return end
  folio.cache.set_stamp(site_stamp(config, opts))
  active = true
  local raw = folio.cache.get(OUTPUTS_KEY)
  previous_outputs = raw and folio.cache.unpack(raw) or nil
end

-- The last build's record of its outputs (folio.warm), or nil.
function M.previous_outputs() return previous_outputs end

-- Main state, after the render: keeps this build's record of its outputs for the next one.
function M.save_outputs(record)
  previous_outputs = nil
  local packed = folio.cache.pack(record)
  folio.cache.put(OUTPUTS_KEY, packed)
  local ok, err = folio.cache.commit()
  if not ok then errors.warn(nil, nil, err, "check that the cache folder is writable, or build with --no-cache") end
end

-- Every state: whether this build reads and writes the cache.
function M.active()
  return folio.cache.active()
end

-- What an entry must match besides the text: the file's facts but its size and modification time.
local function source_facts(src)
  local facts = {}
  for k, v in pairs(src) do
    if k ~= "mtime" and k ~= "size" then facts[k] = v end
  end
  return folio.cache.hash(folio.cache.pack(facts))
end

local text_hash -- the hash of the last text `reuse` looked up (for `store`)

-- Files a page's processing copied into the output with folio.build.copy (the images plugin's
-- resized photos, from its own cache folder): kept with the page's entry and copied again when
-- the entry is reused, since the output folder is made anew by every build.
local copies -- { { output, source }, ... } of the page being processed, or nil
local function record_copies()
  local build = folio.build
  if rawget(build, "copy_recorded") then return end
  local raw_copy = build.copy
  build.copy = function(rel, src, ...)
    if copies then copies[#copies + 1] = { rel, src } end
    return raw_copy(rel, src, ...)
  end
  -- for a file this state copied already for another page: this page needs it too
  build.note_copy = function(rel, src)
    if copies then copies[#copies + 1] = { rel, src } end
  end
  build.copy_recorded = true
end

-- Before a page is processed: start recording what it copies into the output.
function M.begin_page()
  record_copies()
  copies = {}
end
local damaged_reported = false

-- The page the cache holds for source `src` (id `id`) with this text, its HTML put back in the
-- content store and its warnings reported again; nil when there is none to reuse.
function M.reuse(id, src, text)
  if not cacheable(text) then text_hash = nil; return nil end
  text_hash = folio.cache.hash(text)
  local raw, problem = folio.cache.get(src.path)
  local entry = raw and folio.cache.unpack(raw)
  if raw and not entry then problem = "damaged" end
  if problem then
    if not damaged_reported then
      damaged_reported = true
      errors.warn(nil, nil, "an entry of the build cache is damaged; its page is processed again",
                  "nothing to do; delete the cache folder if this comes back")
    end
    return nil
  end
  if not entry or entry.stamp ~= folio.cache.stamp() or entry.text ~= text_hash
     or entry.facts ~= source_facts(src) or type(entry.page) ~= "table" then
    return nil
  end
  local page = entry.page
  if page.date_source == "mtime" and entry.mtime ~= src.mtime then return nil end
  for _, c in ipairs(entry.copies or {}) do -- a copied file gone (a cleaned cache): process again
    if not folio.fs.stat(c[2]) then return nil end
  end
  page.id, page.mtime = id, src.mtime
  folio.build.set_content(id, entry.html or "")
  for _, r in ipairs(entry.reports or {}) do
    folio.build.report(r[1], r[2], r[3], r[4], r[5], r[6])
  end
  copies = nil
  for _, c in ipairs(entry.copies or {}) do folio.build.copy(c[1], c[2]) end
  return page
end

-- Queues the page just processed from `src` (its HTML is in the content store), with the
-- warnings met on the way, for the commit at the end of the phase.
function M.store(id, src, page, reports)
  if not text_hash then return end -- not cacheable
  folio.cache.put(src.path, folio.cache.pack {
    stamp = folio.cache.stamp(), text = text_hash, facts = source_facts(src), mtime = src.mtime,
    page = page, html = folio.build.content(id) or "", reports = reports, copies = copies,
  })
  copies = nil
end

-- Main state, after the process phase: writes what was queued, and drops the entries of
-- sources that are gone. A failure is one warning: the output does not depend on it.
function M.commit(sources)
  if not active then return end
  local keep = {}
  for _, src in pairs(sources) do keep[src.path] = true end
  keep[OUTPUTS_KEY] = true
  local ok, err = folio.cache.commit(keep)
  if not ok then errors.warn(nil, nil, err, "check that the cache folder is writable, or build with --no-cache") end
end

return M

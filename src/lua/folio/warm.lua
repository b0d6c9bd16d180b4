-- folio.warm: which outputs a warm `folio build` renders again. A build with the build cache
-- (folio.buildcache) records, for every output it rendered, a digest of what that output shows
-- and the identity of the file it wrote. The next build computes the digests again after the
-- site stage; an output whose digest is the same and whose previous file is still the one folio
-- wrote (same inode, size and modification time: not edited, not replaced) is hard-linked from
-- the previous output folder instead of rendered.
--
-- What an output shows follows the rule folio serve renders by (docs/serve.md): a page's own
-- fields and body; the pages it points at (prev, next, related, translations, the pages of a
-- list, the ones inside a paginator), with their own fields and bodies; the menu, the newest
-- post of each language, the asset fingerprints and the site's stamp (configuration, theme,
-- templates, scripts, this folio: folio.buildcache). A generated page with no list of its own
-- (an archive, the terms index, the not-found page) is taken to show every page. Outputs
-- written as they are (feeds, the sitemap, the search index) are always written. Sites that set
-- `preview_render_all` (Jekyll's, whose Liquid layouts read any page) render everything.
--
--   warm.plan(render_list, site, views, manifest, ...) -> keep (output -> its size: to take with
--     folio.build.link_kept from the last output folder)
--   warm.record(render_list) -> the record for the next build (after the render)
local M = {}

local find, sub = string.find, string.sub

local memo -- { own, refs, tables } of folio.cache.own_digest and output_digest, for one plan

-- A page's own digest: its fields (pages inside by their id) and its body's hash (16 bytes).
local function own(p) return folio.cache.own_digest(memo, p) end

local function written_as_is(p) return p.layout == false or p.layout == "none" end

-- The pages a computed field (folio.page_field with `inputs`) lists for `p`, as their outputs
-- joined by newlines: from the last record while the field's inputs are the same, else
-- computed now. Each listed output goes to `extras` as its page (by_output), else as itself.
local function derived_outputs(p, name, fast, was, by_output, extras)
  local start = #extras
  if fast and was and type(was[name]) == "string" then
    -- (lines found with a plain find: a pattern's character class costs ~60 instructions a byte)
    local outs, n, from, len = was[name], start, 1, #was[name]
    while n and from <= len do
      local nl = find(outs, "\n", from, true) or len + 1
      local r = nl > from and by_output[sub(outs, from, nl - 1)]
      if r then
        n = n + 1
        extras[n] = r
      elseif nl > from then
        n = nil
      end
      from = nl + 1
    end
    if n then return outs end
    for i = #extras, start + 1, -1 do extras[i] = nil end
  end
  local list = p[name]
  if type(list) ~= "table" then return "" end
  local outs = {}
  for i, r in ipairs(list) do outs[i] = type(r) == "table" and tostring(r.output) or "?" .. tostring(r) end
  for i, o in ipairs(outs) do extras[start + i] = by_output[o] or o end
  return table.concat(outs, "\n")
end

-- The digest of what output page `p` shows, `global` being what every output shows and
-- `everything` the digest of every page (for generated pages that have no list); `derived`:
-- name -> true when that computed field's inputs are as last time; `was` the last record's
-- entry for p's output. Returns the digest and the computed fields' outputs (name -> text).
local function digest_of(p, global, everything, derived, was, by_output)
  local extras, lists
  if rawget(p, "path") then
    for name, fast in pairs(derived) do
      extras = extras or {}
      extras[#extras + 1] = name
      lists = lists or {}
      lists[name] = derived_outputs(p, name, fast, was and was[6], by_output, extras)
    end
  end
  if rawget(p, "generated") and type(p.pages) ~= "table" then
    extras = extras or {}
    extras[#extras + 1] = everything()
  end
  return folio.cache.output_digest(memo, global, p, extras), lists
end

local function global_digest(site, views, manifest, config)
  -- (the configuration as evaluated: site.lua may read the environment)
  local parts = { folio.cache.stamp(), folio.cache.fields_hash({ menu = site.menu, assets = manifest, config = config }) }
  for _, v in ipairs(views) do
    local newest = v.posts and v.posts[1]
    parts[#parts + 1] = newest and own(newest) or "-"
    parts[#parts + 1] = folio.cache.fields_hash({ menu = v.menu })
  end
  return folio.cache.hash(table.concat(parts, "\n"))
end

local function begin(site)
  -- (plain tables, dropped after the plan: weak ones would cost the collector more)
  memo = { {}, {}, {} }
  local all
  local function everything()
    if not all then
      local parts = {}
      for i, p in ipairs(site.pages) do parts[i] = own(p) end
      for _, p in ipairs(site.generated or {}) do parts[#parts + 1] = own(p) end
      all = folio.cache.hash(table.concat(parts))
    end
    return all
  end
  return everything
end

local digests, lists_of, inputs_now -- this build's, for M.record
local kept_was -- output -> the last record's entry, for the outputs kept

-- Main state, after the site stage of a build with the cache: the outputs whose last file can be
-- kept (output -> the size of that file), given the last build's record (`previous`), the last
-- output folder (nil: none), the computed page fields that name their inputs (name -> inputs(site)) and the
-- site's configuration.
-- Also remembers this build's digests for M.record.
function M.plan(render_list, site, views, manifest, previous, output_dir, field_inputs, config)
  local debug = os.getenv("FOLIO_WARM_DEBUG")
  local everything = begin(site)
  local global = global_digest(site, views, manifest, config)
  previous = type(previous) == "table" and previous or {}
  local old, old_inputs = previous.outputs or {}, previous.inputs or {}
  digests, lists_of, inputs_now, kept_was = {}, {}, {}, {}
  local derived = {}
  for name, inputs in pairs(field_inputs or {}) do
    inputs_now[name] = folio.cache.fields_hash({ inputs(site) })
    derived[name] = inputs_now[name] == old_inputs[name]
    if debug then io.stderr:write("warm: inputs of ", name, derived[name] and " unchanged" or " changed", "\n") end
  end
  local by_output = {}
  for _, p in ipairs(render_list) do
    if p.output then by_output[p.output] = p end
  end
  local keep = {}
  for _, p in ipairs(render_list) do
    local out = p.output
    if out and not written_as_is(p) then
      local was = old[out]
      local d, lists = digest_of(p, global, everything, derived, was, by_output)
      digests[out], lists_of[out] = d, lists
      if was and was[1] == d and output_dir and folio.build.kept(out, was[2], was[3], was[4], was[5]) then
        keep[out], kept_was[out] = was[3], was
      end
      if debug and not keep[out] then
        io.stderr:write("warm: render ", out, was and (was[1] == d and " (file changed)" or " (digest)") or " (new)", "\n")
      end
    end
  end
  memo = nil
  return keep
end

-- The identity of the file this build wrote for `out`, from the staging folder.
local function staged_identity(out)
  local st = folio.build.staged_stat(out)
  if st then return st.ino, st.size, st.mtime, st.mtime_ns end
end

-- Main state, after the render: the record of this build's outputs for the next one. A kept
-- output is a hard link to the file the last record names, so its identity is that one's, once
-- the staging folder shows that links were made (not copies: a file system without them).
function M.record()
  local outputs, links = {}, nil
  for out, d in pairs(digests or {}) do
    local was, ino, size, mtime, mtime_ns = kept_was[out], nil, nil, nil, nil
    if was and links == nil then
      ino = staged_identity(out)
      links = ino == was[2]
    end
    if was and links then
      ino, size, mtime, mtime_ns = was[2], was[3], was[4], was[5]
    else
      ino, size, mtime, mtime_ns = staged_identity(out)
    end
    if ino then outputs[out] = { d, ino, size, mtime, mtime_ns, lists_of[out] } end
  end
  local record = { outputs = outputs, inputs = inputs_now }
  digests, lists_of, inputs_now, kept_was = nil, nil, nil, nil
  return record
end

return M

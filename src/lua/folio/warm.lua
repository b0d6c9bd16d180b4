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
--   warm.plan(render_list, site, views, manifest, ...) -> keep (output -> its record entry: to
--     take with folio.build.link_kept from the last output folder)
--   warm.record(render_list) -> the record for the next build (after the render)
local M = {}

local find, sub = string.find, string.sub

-- The record (M.record, the next build's `previous`):
--   outputs = { [output] = entry }: an entry is the output's digest (16 bytes) and the identity of
--     its file (folio.build.staged_identity: 32 bytes), in one string
--   lists = { [field] = { [output] = the outputs that computed field listed, joined by newlines } }
--   inputs = { [field] = the hash of that field's inputs }
local DIGEST, ENTRY = 16, 48
local entries, lists_now, inputs_now -- this build's, for M.record (entries: output -> digest or kept entry)

local memo -- { own, refs, tables } of folio.cache.own_digest and output_digest, for one plan

-- A page's own digest: its fields (pages inside by their id) and its body's hash (16 bytes).
local function own(p) return folio.cache.own_digest(memo, p) end

local function written_as_is(p) return p.layout == false or p.layout == "none" end

-- The pages a computed field (folio.page_field with `inputs`) lists for `p`, as their outputs
-- joined by newlines: from the last record (`was`) while the field's inputs are the same, else
-- computed now. Each listed output goes to `extras` as its page (by_output), else as itself.
local function derived_outputs(p, name, fast, was, by_output, extras)
  local start = #extras
  if fast and type(was) == "string" then
    -- (lines found with a plain find: a pattern's character class costs ~60 instructions a byte)
    local outs, n, from, len = was, start, 1, #was
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
-- name -> true when that computed field's inputs are as last time; `old_lists` the last record's
-- lists. Notes the computed fields' outputs for the record (lists_now).
local function digest_of(p, global, everything, derived, out, old_lists, by_output)
  local extras
  if rawget(p, "path") then
    for name, fast in pairs(derived) do
      extras = extras or {}
      extras[#extras + 1] = name
      local was = old_lists[name]
      lists_now[name][out] = derived_outputs(p, name, fast, type(was) == "table" and was[out], by_output, extras)
    end
  end
  if rawget(p, "generated") and type(p.pages) ~= "table" then
    extras = extras or {}
    extras[#extras + 1] = everything()
  end
  return folio.cache.output_digest(memo, global, p, extras)
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

-- Main state, after the site stage of a build with the cache: the outputs whose last file can be
-- kept (output -> its record entry: folio.build.link_kept takes the file from the last output
-- folder), given the last build's record (`previous`), the last output folder (nil: none), the
-- computed page fields that name their inputs (name -> inputs(site)) and the site's
-- configuration. Also remembers this build's digests for M.record.
function M.plan(render_list, site, views, manifest, previous, output_dir, field_inputs, config)
  local debug = os.getenv("FOLIO_WARM_DEBUG")
  local everything = begin(site)
  local global = global_digest(site, views, manifest, config)
  previous = type(previous) == "table" and previous or {}
  local old, old_inputs, old_lists = previous.outputs or {}, previous.inputs or {}, previous.lists
  if type(old_lists) ~= "table" then old_lists = {} end
  entries, lists_now, inputs_now = {}, {}, {}
  local derived = {}
  for name, inputs in pairs(field_inputs or {}) do
    inputs_now[name] = folio.cache.fields_hash({ inputs(site) })
    derived[name] = inputs_now[name] == old_inputs[name]
    lists_now[name] = {}
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
      if type(was) ~= "string" or #was ~= ENTRY then was = nil end
      local d = digest_of(p, global, everything, derived, out, old_lists, by_output)
      local same = was and sub(was, 1, DIGEST) == d
      if same and output_dir and folio.build.kept(out, was) then
        keep[out], entries[out] = was, was
      else
        entries[out] = d
      end
      if debug and not keep[out] then
        io.stderr:write("warm: render ", out, was and (same and " (file changed)" or " (digest)") or " (new)", "\n")
      end
    end
  end
  memo = nil
  return keep
end

-- Main state, after the render: the record of this build's outputs for the next one. A kept
-- output is a hard link to the file its last entry names, so that entry stands, once the staging
-- folder shows that links were made (not copies: a file system without them).
function M.record()
  local outputs, links = {}, nil
  for out, e in pairs(entries or {}) do
    local kept = #e > DIGEST
    if kept and links == nil then links = folio.build.staged_identity(out) == sub(e, DIGEST + 1) end
    if kept and links then
      outputs[out] = e
    else
      local id = folio.build.staged_identity(out)
      if id then outputs[out] = sub(e, 1, DIGEST) .. id end
    end
  end
  local record = { outputs = outputs, lists = lists_now, inputs = inputs_now }
  entries, lists_now, inputs_now = nil, nil, nil
  return record
end

return M

-- folio.site_hooks: incremental site hooks (folio.site_hook, docs/hooks.md). A hook made of a
-- `per_page` function, whose results ("parts") are kept per page between runs of the site stage
-- and computed again only for pages that changed, and a `combine` function that makes the site's
-- outputs from the parts. The pipeline says which pages changed before each run (begin_run);
-- hooks add pages they changed with site:touch(page).
local M = {}

local dirty = {}   -- page -> true: pages whose fields changed since the last run (this run)

-- Starts a run of the site stage: `changed` (page -> true) are the pages re-processed since the
-- last run; nil means every page may have changed (a first build).
function M.begin_run(changed)
  dirty = changed or {}
  M.all_dirty = changed == nil
end

-- site:touch(page): `page`'s fields changed in this run (a hook set them), so the parts later
-- hooks keep for it are computed again.
function M.touch(page)
  if type(page) == "table" then dirty[page] = true end
end

function M.is_dirty(page) return M.all_dirty or dirty[page] == true end

-- Whether another run of the site stage may follow this one: false in `folio build`, whose
-- only run keeps nothing for a next one (the parts, and what combine keeps, would otherwise stay
-- in memory through the render); true in the preview, and outside a build (tests run hooks
-- again and again).
local follows = nil
function M.runs_follow()
  if follows == nil then
    local build = rawget(folio, "build")
    local o = build and build.options and build.options() or {}
    follows = o.preview ~= false
  end
  return follows
end

-- Whether two parts are equal: the same value, or tables with equal keys and values (parts are
-- plain data; pages inside are compared by identity).
local function equal(a, b, depth)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" or depth > 8 then return false end
  if rawget(a, "path") ~= nil and rawget(a, "url") ~= nil then return false end -- two pages
  for k, v in pairs(a) do
    if not equal(v, b[k], depth + 1) then return false end
  end
  for k in pairs(b) do
    if a[k] == nil then return false end
  end
  return true
end
M.equal = function(a, b) return equal(a, b, 0) end

-- Whether `now` holds the entries of `before` in the same order but for `moved` (a few pages,
-- each of them in `before`), which may sit anywhere in it: a site after a date edit. At most
-- 64 moved pages (more: false, the hook makes everything again).
local function moved_only(before, now, moved)
  if #before ~= #now or #moved == 0 or #moved > 64 then return false end
  local skip, seen = {}, 0
  for _, p in ipairs(moved) do skip[p] = true end
  local j = 1
  for i = 1, #before do
    local p = before[i]
    if skip[p] then
      seen = seen + 1
    else
      while skip[now[j]] do j = j + 1 end
      if now[j] ~= p then return false end
      j = j + 1
    end
  end
  return seen == #moved
end

-- The function the pipeline runs for a folio.site_hook spec: fn(site); and a table whose
-- `calls` says how many pages per_page was called for in the last run (FOLIO_COUNTERS).
function M.runner(spec)
  local stats = { calls = 0 }
  local per_page, combine = spec.per_page, spec.combine
  local parts, have = {}, {} -- page -> part; page -> true once its part was computed
  local runs = 0             -- runs since the parts were last forgotten
  local seen = nil           -- the pages of the last run, in order (a copy)
  local position = nil       -- page -> its index in `seen`, made when first needed
  local count = 0            -- entries in `have`
  local failed = false       -- the last run raised: start again from nothing

  local function forget()
    parts, have, seen, count, runs, position = {}, {}, nil, 0, 0, nil
  end

  return function(site)
    stats.calls = 0
    if failed or M.all_dirty then forget() end
    failed = true -- until this run completes
    local list = site.pages
    local same_order = seen ~= nil and folio.same_items(list, seen)
    if not same_order then
      seen = table.move(list, 1, #list, 1, {})
      position = nil
      if count > #list then -- drop the parts of pages that are gone
        local p2, h2, n = {}, {}, 0
        for _, p in ipairs(list) do
          if have[p] then p2[p], h2[p], n = parts[p], true, n + 1 end
        end
        parts, have, count = p2, h2, n
      end
    end
    local changed, same = {}, same_order
    if per_page and same_order then
      -- every page of the list has its part: only the changed ones are computed again
      if not position then
        position = {}
        for i, p in ipairs(list) do position[p] = i end
      end
      for p in pairs(dirty) do
        if position[p] then changed[#changed + 1] = p end
      end
      table.sort(changed, function(a, b) return position[a] < position[b] end)
      for _, p in ipairs(changed) do
        local part = per_page(p, site)
        stats.calls = stats.calls + 1
        if same and not equal(part, parts[p], 0) then same = false end
        parts[p] = part
      end
    elseif per_page and count == 0 and not M.runs_follow() then
      -- no part known and no run follows (folio build): every page's part computed, with none
      -- of the bookkeeping a next run would read (`have`). The parts go into a table made at
      -- the size of the site when the first page has one (else most pages may have none).
      local n = #list
      changed = folio.new_table(n, 0)
      for i = 1, n do
        local p = list[i]
        local part = per_page(p, site)
        if part ~= nil then
          if i == 1 then parts = folio.new_table(0, n) end
          parts[p] = part
        end
        changed[i] = p
      end
      stats.calls = n
      if n > 0 then same = false end
    elseif per_page then
      for _, p in ipairs(list) do
        local known = have[p]
        if not known or dirty[p] then
          local part = per_page(p, site)
          stats.calls = stats.calls + 1
          if known then
            if same and not equal(part, parts[p], 0) then same = false end
          else
            have[p] = true
            count = count + 1
            same = false
          end
          parts[p] = part
          changed[#changed + 1] = p
        end
      end
    elseif not same_order then
      same = false
    end
    local final = not M.runs_follow()
    local function moved(before, now) return moved_only(before, now, changed) end
    if combine then combine(site, parts, { same = same, first = runs == 0, pages = changed, equal = M.equal, moved = moved,
                                changed = M.is_dirty, final = final }) end
    runs = runs + 1
    failed = false
    if final then
      forget()
    end
  end, stats
end

return M

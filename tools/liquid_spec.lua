-- tools/liquid_spec.lua: runs Shopify's liquid-spec YAML specs with folio's Liquid engine.
--   folio lua tools/liquid_spec.lua SPEC_DIR... [--verbose] [--filter NAME]
-- Each spec: template, environment, filesystem, expected output or expected errors. The YAML
-- is read with folio's own YAML binding (folio.frontmatter.parse). Ends with
-- "N passed, M failed, K skipped"; skips are only for what Jekyll never uses (listed below).
local liquid = assert(load(folio.embedded.read("compat/jekyll/liquid/init.lua"), "@liquid/init.lua"))()

liquid.now = function() return 1704067318 end -- the suite's frozen clock: 2024-01-01 00:01:58 UTC
folio.date.set_timezone("UTC")
local lua_pattern
local dirs, verbose, filter = {}, false, nil
local i = 1
while arg[i] do
  if arg[i] == "--verbose" then verbose = true
  elseif arg[i] == "--filter" then i = i + 1; filter = arg[i]
  else dirs[#dirs + 1] = arg[i] end
  i = i + 1
end

-- Features of the spec suite that Jekyll never uses, and why each spec needing one is skipped.
local SKIP = {
  inline_errors = "errors rendered into the page (Jekyll raises them and stops the build)",
  ruby_types = "Ruby symbols and Ruby-only value types",
  ruby_drops = "Ruby drop objects defined by the Ruby harness",
  drops = "test drop classes of the Ruby harness (instantiate:X)",
  drop_class_output = "Ruby class names in output",
  template_factory = "Ruby template factories",
  binary_data = "non-UTF-8 binary data",
  randomness = "random output (shuffle, sample)",
  shopify_resource_limits = "Shopify's render resource limits",
  shopify_error_format = "Shopify's error message format",
  shopify_tags = "Shopify theme tags", shopify_objects = "Shopify theme objects",
  shopify_filters = "Shopify theme filters", shopify_blank = "Shopify's blank semantics",
  shopify_string_access = "Shopify's string.first", shopify_includes = "Shopify's include rules",
  shopify_error_handling = "Shopify's error recovery",
  strict2_blank_body_errors = "a parse mode liquid-ruby itself does not implement yet",
  self_environment_shadowing = "liquid-ruby's synthetic self object",
  strict2_parsing = "Liquid 5.12's strict2 parse mode (Jekyll uses Liquid 4 in lax/warn mode)",
}

local function parse_yaml(text)
  local indented = ("\n" .. text):gsub("\n", "\n  ")
  local doc, err = folio.frontmatter.parse("---\nroot:" .. indented .. "\n---\n")
  if not doc then return nil, (err.message or "?") .. " at line " .. tostring(err.line) end
  return doc.root
end

-- A spec file: { specs = {...}, _metadata = {...} } or a list. Each "- name:" entry at the
-- left margin is read on its own, so one spec folio's YAML cannot read (a mapping used as a
-- key) counts as one failure, not the whole file.
local function read_yaml(path)
  local f = assert(io.open(path, "rb"))
  local text = f:read("a")
  f:close()
  text = text:gsub("^%s*#[^\n]*", ""):gsub("^.-\n%-%-%-[^\n]*\n", "", 1):gsub("^%-%-%-[^\n]*\n", "")
  local head, entries = text, {}
  local first = text:find("\n%- ")
  if first then
    head = text:sub(1, first)
    local rest = text:sub(first + 1)
    local starts = { 1 }
    for pos in rest:gmatch("\n()%- ") do starts[#starts + 1] = pos end
    for k, a in ipairs(starts) do
      local b = starts[k + 1] and starts[k + 1] - 1 or #rest
      entries[#entries + 1] = rest:sub(a, b)
    end
  end
  local meta = {}
  if head:find("_metadata") then
    local m, err = parse_yaml(head:gsub("\nspecs:%s*$", "\n"))
    if not m then return nil, err end
    meta = m._metadata or {}
  end
  local specs = {}
  for _, entry in ipairs(entries) do
    local list, err = parse_yaml(entry)
    if list and list[1] then specs[#specs + 1] = list[1]
    else specs[#specs + 1] = { unreadable = err or "empty", name = entry:match("name:%s*([^\n]*)") } end
  end
  return { specs = specs, _metadata = meta }
end

local function list_dir(dir)
  local p = io.popen('ls "' .. dir .. '"')
  local out = {}
  for name in p:lines() do if name:find("%.yml$") and name ~= "suite.yml" then out[#out + 1] = dir .. "/" .. name end end
  p:close()
  return out
end

local function has_instantiate(v)
  if type(v) == "string" then return v:find("^instantiate:") ~= nil end
  if type(v) == "table" then for k, x in pairs(v) do if has_instantiate(x) or has_instantiate(k) then return true end end end
  return false
end

local function matches(text, pattern)
  pattern = tostring(pattern)
  local re = pattern:match("^/(.*)/[imx]*$")
  if re then
    -- a Ruby regexp: try the literal words of it
    local lit = re:gsub("\\(.)", "%1"):gsub("[%.%*%+%?%^%$%(%)%[%]|]", " ")
    for w in lit:gmatch("%S+") do if not text:lower():find(w:lower(), 1, true) then return false end end
    return true
  end
  return text:lower():find(pattern:lower(), 1, true) ~= nil
end

-- The simple Ruby regexps expected_pattern uses (\d, [a-z], x{n}, .*, (?m), anchors) as a Lua
-- pattern; nil for anything else (groups, alternation).
lua_pattern = function(re)
  re = re:gsub("^%(%?m%)", "")
  if re:find("[|()]") then return nil end
  local out, i = {}, 1
  while i <= #re do
    local c = re:sub(i, i)
    if c == "\\" then
      local n = re:sub(i + 1, i + 1)
      out[#out + 1] = ({ d = "%d", w = "[%w_]", s = "%s" })[n] or ("%" .. n)
      i = i + 2
    elseif c == "[" then
      local close = re:find("]", i, true)
      out[#out + 1] = re:sub(i, close)
      i = close + 1
    elseif c == "{" then
      local n, close = re:match("^{(%d+)}()", i)
      for _ = 2, tonumber(n) do out[#out + 1] = out[#out] end
      i = close
    elseif c == "." then
      out[#out + 1] = (re:sub(i + 1, i + 1) == "*") and "[%z\1-\255]" or "."
      i = i + 1
    elseif c:find("[%^%$%*%+%?]") then out[#out + 1] = c; i = i + 1
    elseif c:find("%W") then out[#out + 1] = "%" .. c; i = i + 1
    else out[#out + 1] = c; i = i + 1 end
  end
  return table.concat(out)
end

-- Renders one spec; returns "pass" | "fail" | "skip", and details.
local function run_spec(spec, meta)
  if spec.unreadable then return "fail", "folio's YAML binding cannot read this spec: " .. spec.unreadable end
  local feats = {}
  for _, list in ipairs { spec.features or {}, meta.features or {} } do
    for _, f in ipairs(type(list) == "table" and list or { list }) do feats[#feats + 1] = f end
  end
  local render_errors = spec.render_errors
  if render_errors == nil then render_errors = meta.render_errors end
  if render_errors then feats[#feats + 1] = "inline_errors" end
  local mode = spec.error_mode or (meta.required_options or {}).error_mode
  if type(mode) == "table" then mode = mode[#mode] end
  if mode == "strict2" then feats[#feats + 1] = "strict2_parsing" end
  if has_instantiate(spec.environment) then feats[#feats + 1] = "drops" end
  for _, f in ipairs(feats) do
    if SKIP[f] then return "skip", f end
  end
  local fs = spec.filesystem
  local function file_system(name)
    if type(fs) ~= "table" or type(name) ~= "string" then return nil end
    local hit = fs[name] or fs[name .. ".liquid"] or fs[(name:gsub("%.liquid$", ""))]
    if hit then return hit end
    for k, v in pairs(fs) do if k:lower() == name:lower() then return v end end -- case-insensitive, as the suite's file system
  end
  local ok, out = pcall(function()
    local tpl = liquid.parse(spec.template or "", { mode = mode, name = nil })
    return tpl:render(spec.environment or {}, { file_system = file_system, parse_opts = { mode = mode } })
  end)
  local errors = spec.errors
  if not ok then
    local msg = tostring(out)
    if type(errors) == "table" and next(errors) then
      for _, kind in ipairs { "parse_error", "render_error", "output" } do
        local pats = errors[kind]
        if pats then
          if type(pats) ~= "table" then pats = { pats } end
          local all = true
          for _, p in ipairs(pats) do if not matches(msg, p) then all = false end end
          if all then return "pass" end
        end
      end
    end
    return "fail", "error: " .. msg
  end
  if spec.expected ~= nil then
    local want = tostring(spec.expected)
    if out == want then return "pass" end
    return "fail", string.format("expected %q got %q", want, out)
  end
  if spec.expected_pattern then
    local pat = lua_pattern(tostring(spec.expected_pattern))
    if not pat then return "fail", "expected_pattern " .. tostring(spec.expected_pattern) .. " is beyond the runner's regexp subset" end
    if out:find(pat) then return "pass" end
    return "fail", string.format("expected a match of %s got %q", spec.expected_pattern, out)
  end
  if type(errors) == "table" and next(errors) then return "fail", "expected an error, got " .. string.format("%q", out) end
  return "pass"
end

local total = { pass = 0, fail = 0, skip = 0 }
local reasons = {}
for _, dir in ipairs(dirs) do
  local counts = { pass = 0, fail = 0, skip = 0 }
  for _, path in ipairs(list_dir(dir)) do
    local data, err = read_yaml(path)
    if not data then
      io.stderr:write(path .. ": cannot read: " .. tostring(err) .. "\n")
    else
      local specs, meta = data, {}
      if data.specs then specs, meta = data.specs, data._metadata or {} end
      for _, spec in ipairs(specs) do
        if not filter or tostring(spec.name):find(filter, 1, true) then
          local ok, status, why = pcall(run_spec, spec, meta)
          if not ok then status, why = "fail", "runner: " .. tostring(status) end
          counts[status] = counts[status] + 1
          if status == "skip" then reasons[why] = (reasons[why] or 0) + 1 end
          if status == "fail" and verbose then
            print("FAIL " .. path:match("[^/]+$") .. " " .. tostring(spec.name) .. "\n  template: " ..
                  string.format("%q", tostring(spec.template)) .. "\n  " .. tostring(why))
          end
        end
      end
    end
  end
  local run_n = counts.pass + counts.fail
  print(string.format("%s: %d passed, %d failed, %d skipped (%.1f%% of those run, %.1f%% of all)",
    dir, counts.pass, counts.fail, counts.skip, run_n > 0 and 100 * counts.pass / run_n or 0,
    100 * counts.pass / math.max(1, run_n + counts.skip)))
  for k, v in pairs(counts) do total[k] = total[k] + v end
end
local keys = {}
for k in pairs(reasons) do keys[#keys + 1] = k end
table.sort(keys)
for _, k in ipairs(keys) do print(string.format("skipped %d needing %s: %s", reasons[k], k, SKIP[k])) end
print(string.format("%d passed, %d failed, %d skipped", total.pass, total.fail, total.skip))
os.exit(total.fail == 0 and 0 or 1)

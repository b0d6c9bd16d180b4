-- testlib.lua: a tiny test harness for folio's Lua tests, run with `folio lua test_x.lua`.
--   local T = dofile("testlib.lua")
--   T.test("name", function() T.eq(1 + 1, 2) end)
--   T.done()   -- prints "N passed, N failed" and exits non-zero on failure
local T = { passed = 0, failed = 0 }

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) ~= "table" then return tostring(v) end
  local parts = {}
  for k, x in pairs(v) do parts[#parts + 1] = tostring(k) .. "=" .. show(x) end
  table.sort(parts)
  return "{" .. table.concat(parts, ", ") .. "}"
end
T.show = show

local function deep_equal(a, b)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  for k, v in pairs(a) do if not deep_equal(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

function T.eq(got, want, what)
  if not deep_equal(got, want) then
    error(string.format("%sexpected %s, got %s", what and (what .. ": ") or "", show(want), show(got)), 2)
  end
end

function T.ok(cond, what)
  if not cond then error("expected true: " .. (what or "condition"), 2) end
end

-- Asserts that `s` contains the plain substring `needle`.
function T.has(s, needle, what)
  if type(s) ~= "string" or not s:find(needle, 1, true) then
    error(string.format("%sexpected %s to contain %s", what and (what .. ": ") or "", show(s), show(needle)), 2)
  end
end

function T.lacks(s, needle, what)
  if type(s) == "string" and s:find(needle, 1, true) then
    error(string.format("%sexpected %s not to contain %s", what and (what .. ": ") or "", show(s), show(needle)), 2)
  end
end

-- Calls fn, expects it to raise; returns the error. If `pattern` is given, the error's
-- string form (or its .message field) must contain it (plain find).
function T.raises(fn, pattern)
  local ok, err = pcall(fn)
  if ok then error("expected an error", 2) end
  local text = type(err) == "table" and (tostring(err.message) .. " " .. tostring(err.file) .. ":" .. tostring(err.line)) or tostring(err)
  if pattern and not text:find(pattern, 1, true) then
    error(string.format("expected error containing %q, got %q", pattern, text), 2)
  end
  return err
end

function T.test(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    T.passed = T.passed + 1
  else
    T.failed = T.failed + 1
    io.stderr:write("FAIL ", name, "\n", tostring(err), "\n")
  end
end

-- A seeded random number generator: rand(n) gives 1..n, the same numbers on every run for a
-- given seed (a linear congruential one, as T.random_texts draws with).
function T.lcg(seed)
  return function(n)
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed % n + 1
  end
end

-- The keys of a table as text, sorted: "1,2,7" (to compare sets in T.eq).
function T.keys(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = tostring(k) end
  table.sort(out)
  return table.concat(out, ",")
end

-- `count` strings of up to `max_parts` pieces drawn from `pieces` (a list of strings, or a
-- function(rand) giving one), the same ones on every run for a given `seed`:
--   for s in T.random_texts({ "a", "<p>", "&amp;" }, 12, 3000, 42) do ... end
function T.random_texts(pieces, max_parts, count, seed)
  local rand = T.lcg(seed)
  local made = 0
  return function()
    if made == count then return nil end
    made = made + 1
    local parts = {}
    for i = 1, rand(max_parts) do
      parts[i] = type(pieces) == "function" and pieces(rand) or pieces[rand(#pieces)]
    end
    return table.concat(parts)
  end
end

function T.skip(why)
  print("SKIP: " .. why)
  os.exit(77, true)
end

function T.done()
  print(string.format("%d passed, %d failed", T.passed, T.failed))
  os.exit(T.failed == 0 and 0 or 1, true)
end

return T

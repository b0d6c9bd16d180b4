-- folio.json: JSON encoding for plugins (feeds, search indexes). Objects get their keys sorted
-- so output is stable from build to build. A table is an array when folio.json.array marked it,
-- or when it is a non-empty sequence; an empty unmarked table is an object.
local M = {}

local ARRAY = setmetatable({}, { __mode = "k" })
local ESCAPES = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\t"] = "\\t", ["\r"] = "\\r" }

-- Marks `t` as a JSON array (so an empty list encodes as []). Returns t.
function M.array(t)
  ARRAY[t] = true
  return t
end

local function is_array(t)
  if ARRAY[t] then return true end
  local n = #t
  if n == 0 then return false end
  for k in pairs(t) do
    if math.type(k) ~= "integer" or k < 1 or k > n then return false end
  end
  return true
end

local encode

-- (folio.json_string, in C, gives the same: a pattern tried at every character of a long
-- excerpt was most of a search index's time)
local encode_string = rawget(_G, "folio") and folio.json_string or function(s)
  return '"' .. s:gsub('[%c"\\]', function(c) return ESCAPES[c] or string.format("\\u%04x", c:byte()) end) .. '"'
end

function encode(v, out)
  local t = type(v)
  if t == "string" then
    out[#out + 1] = encode_string(v)
  elseif t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then error("JSON cannot hold " .. tostring(v), 0) end
    out[#out + 1] = math.type(v) == "integer" and tostring(v) or string.format("%.14g", v)
  elseif t == "boolean" then
    out[#out + 1] = tostring(v)
  elseif v == nil then
    out[#out + 1] = "null"
  elseif t == "table" then
    if is_array(v) then
      out[#out + 1] = "["
      for i = 1, #v do
        if i > 1 then out[#out + 1] = "," end
        encode(v[i], out)
      end
      out[#out + 1] = "]"
    else
      local keys = {}
      for k in pairs(v) do keys[#keys + 1] = tostring(k) end
      table.sort(keys)
      out[#out + 1] = "{"
      for i, k in ipairs(keys) do
        if i > 1 then out[#out + 1] = "," end
        out[#out + 1] = encode_string(k)
        out[#out + 1] = ":"
        local value = v[k]
        if value == nil then value = v[tonumber(k)] end
        encode(value, out)
      end
      out[#out + 1] = "}"
    end
  else
    error("JSON cannot hold a " .. t, 0)
  end
end

-- Encodes a Lua value (strings, numbers, booleans, tables of them) as compact JSON.
function M.encode(v)
  local out = {}
  encode(v, out)
  return table.concat(out)
end

return M

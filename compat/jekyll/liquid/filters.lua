-- liquid/filters.lua: Liquid's standard filters and Jekyll's, in the engine's filter table.
-- A filter is function(input, args..., [kwargs]); errors are raised with engine.raise.
local L = ...
local F, raise, is_hash, to_list = L.filters, L.raise, L.is_hash, L.to_list
-- What Ruby's to_s gives a filter's input: arrays and hashes as inspect shows them.
local function to_s(v)
  if type(v) == "table" and not L.is_range(v) and not L.is_time(v) then return L.inspect(v) end
  return L.to_s(v)
end

local function list_of(v)
  if v == nil then return {} end
  if L.is_self(v) then return { v } end
  if L.is_range(v) then return to_list(v) end
  if type(v) == "table" and not is_hash(v) then return v end
  return { v }
end

-- Liquid's Utils.to_number: numbers as they are, numeric strings read, anything else 0.
local function num(v)
  if type(v) == "number" then return v end
  if type(v) == "string" then
    local s = v:match("^%s*(.-)%s*$")
    if s:match("^%-?%d+$") then return math.tointeger(tonumber(s)) or tonumber(s) end
    local f = s:match("^(%-?%d+%.%d+)")
    if f then return tonumber(f) + 0.0 end
    local i = s:match("^(%-?%d+)")
    if i then return math.tointeger(tonumber(i)) end
    return 0
  end
  return 0
end
L.to_number = num

-- Digits after the point in the shortest form of a float (0 for integers).
local function decimals(x)
  if math.type(x) ~= "float" then return 0 end
  local s = L.float_string(x)
  if s:find("e") then return 15 end
  return #(s:match("%.(%d*)$") or "")
end
-- Liquid computes with decimals (Ruby's BigDecimal) when an operand is a float: the binary
-- result is rounded to the digits the decimal one would have.
local function as_decimal(r, digits)
  if math.type(r) ~= "float" or r ~= r or r == math.huge or r == -math.huge then return r end
  return tonumber(string.format("%." .. math.min(digits, 15) .. "f", r)) + 0.0
end
L.as_decimal, L.decimals = as_decimal, decimals

local function arith(a, b, op, digits)
  a, b = num(a), num(b)
  local r = op(a, b)
  if math.type(r) == "float" then return as_decimal(r, digits(decimals(a), decimals(b))) end
  return r
end

-- Strings -------------------------------------------------------------------------------------
F.append = function(s, x) return to_s(s) .. to_s(x) end
F.prepend = function(s, x) return to_s(x) .. to_s(s) end
F.downcase = function(s) return to_s(s):lower() end
F.upcase = function(s) return to_s(s):upper() end
F.capitalize = function(s) s = to_s(s); return s:sub(1, 1):upper() .. s:sub(2):lower() end
F.strip = function(s) return (to_s(s):gsub("^%s+", ""):gsub("%s+$", "")) end
F.lstrip = function(s) return (to_s(s):gsub("^%s+", "")) end
F.rstrip = function(s) return (to_s(s):gsub("%s+$", "")) end
F.strip_newlines = function(s) return (to_s(s):gsub("\r?\n", "")) end
F.newline_to_br = function(s) return (to_s(s):gsub("\r?\n", "<br />\n")) end
F.strip_html = function(s)
  s = to_s(s):gsub("<script.-</script>", ""):gsub("<!%-%-.-%-%->", ""):gsub("<style.-</style>", "")
  return (s:gsub("<.->", ""))
end
local function plain_replace(s, from, to, count)
  s, from, to = to_s(s), to_s(from), to_s(to)
  if from == "" then
    if count then return to .. s end
    local out = { to }
    for ch in s:gmatch(utf8.charpattern) do out[#out + 1] = ch; out[#out + 1] = to end
    return table.concat(out)
  end
  local out, i, n = {}, 1, 0
  while true do
    local a, b = s:find(from, i, true)
    if not a or (count and n >= count) then break end
    out[#out + 1] = s:sub(i, a - 1)
    out[#out + 1] = to
    i, n = b + 1, n + 1
  end
  out[#out + 1] = s:sub(i)
  return table.concat(out)
end
F.replace = function(s, a, b) return plain_replace(s, a, b) end
F.replace_first = function(s, a, b) return plain_replace(s, a, b, 1) end
F.replace_last = function(s, a, b)
  s, a, b = to_s(s), to_s(a), to_s(b)
  local last
  local i = 1
  while true do local x = s:find(a, i, true); if not x then break end last = x; i = x + 1 end
  if not last then return s end
  return s:sub(1, last - 1) .. b .. s:sub(last + #a)
end
F.remove = function(s, a) return plain_replace(s, a, "") end
F.remove_first = function(s, a) return plain_replace(s, a, "", 1) end
F.remove_last = function(s, a) return F.replace_last(s, a, "") end
F.split = function(s, sep)
  s, sep = to_s(s), to_s(sep)
  local out = {}
  if sep == "" then
    for ch in s:gmatch(utf8.charpattern) do out[#out + 1] = ch end
    return out
  end
  if sep == " " then
    for w in s:gmatch("%S+") do out[#out + 1] = w end
    return out
  end
  local i = 1
  while true do
    local a, b = s:find(sep, i, true)
    if not a then out[#out + 1] = s:sub(i); break end
    out[#out + 1] = s:sub(i, a - 1)
    i = b + 1
  end
  while out[#out] == "" do out[#out] = nil end -- Ruby drops trailing empty fields
  return out
end

local function chars(s)
  local out = {}
  for ch in s:gmatch(utf8.charpattern) do out[#out + 1] = ch end
  return out
end

F.truncate = function(s, n, ellipsis)
  if s == nil then return nil end
  s = to_s(s)
  n = n == nil and 50 or L.to_integer(n)
  ellipsis = ellipsis == nil and "..." or to_s(ellipsis)
  local cs = chars(s)
  if #cs <= n then return s end
  local keep = math.max(0, n - (utf8.len(ellipsis) or #ellipsis))
  return table.concat(cs, "", 1, keep) .. ellipsis
end
F.truncatewords = function(s, n, ellipsis)
  if s == nil then return nil end
  s = to_s(s)
  n = n == nil and 15 or L.to_integer(n)
  if n < 1 then n = 1 end
  ellipsis = ellipsis == nil and "..." or to_s(ellipsis)
  local words = {}
  for w in s:gmatch("%S+") do words[#words + 1] = w end
  if #words <= n then return s end
  return table.concat(words, " ", 1, n) .. ellipsis
end
F.slice = function(v, start, len)
  start = L.to_integer(start)
  len = len == nil and 1 or L.to_integer(len)
  if type(v) == "table" then
    local l = list_of(v)
    if start < 0 then start = #l + start end
    local out = {}
    for i = start + 1, math.min(start + len, #l) do out[#out + 1] = l[i] end
    return out
  end
  local cs = chars(to_s(v))
  if start < 0 then start = #cs + start end
  if start < 0 or start >= #cs then return "" end
  return table.concat(cs, "", start + 1, math.min(start + len, #cs))
end

-- folio.escape (C) writes & < > " ' as &amp; &lt; &gt; &quot; &#39;, as Liquid does; a pattern
-- class tried at every character cost a feed of whole posts (`content | xml_escape`) more than rendering them.
local html_escape = folio.escape
F.escape = function(s) if s == nil then return nil end return html_escape(to_s(s)) end
F.h = F.escape
F.escape_once = function(s)
  local escaped = html_escape(to_s(s))
  if not escaped:find("&amp;", 1, true) then return escaped end
  return (escaped:gsub("&amp;([#%w]+;)", "&%1"))
end
F.xml_escape = function(s) if s == nil then return "" end return html_escape(to_s(s)) end
-- Each byte's %XX, for gsub (a table: no call per escaped character).
local PERCENT = {}
for b = 0, 255 do PERCENT[string.char(b)] = string.format("%%%02X", b) end

F.url_encode = function(s)
  if s == nil then return nil end
  return (to_s(s):gsub("[^%w%-%._~ ]", PERCENT):gsub(" ", "+"))
end
F.cgi_escape = F.url_encode
F.url_decode = function(s)
  if s == nil then return nil end
  return (to_s(s):gsub("+", " "):gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end
F.uri_escape = function(s)
  return (to_s(s):gsub("[^%w%-%._~!*'();:@&=+$,/?#%[%]%%]", PERCENT))
end
local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
F.base64_decode = function(s)
  s = to_s(s):gsub("[^%w%+/=]", "")
  local out = {}
  local bits, nbits = 0, 0
  for ch in s:gmatch("[^=]") do
    bits = (bits << 6) | (B64:find(ch, 1, true) - 1)
    nbits = nbits + 6
    if nbits >= 8 then
      nbits = nbits - 8
      out[#out + 1] = string.char((bits >> nbits) & 0xFF)
    end
  end
  return table.concat(out)
end
F.base64_url_safe_encode = function(s) return (F.base64_encode(s):gsub("+", "-"):gsub("/", "_")) end
F.base64_url_safe_decode = function(s) return F.base64_decode((to_s(s):gsub("-", "+"):gsub("_", "/"))) end
F.base64_encode = function(s)
  s = to_s(s)
  local b = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
  return ((s:gsub(".", function(x)
    local r, byte = "", x:byte()
    for i = 8, 1, -1 do r = r .. (byte % 2 ^ i - byte % 2 ^ (i - 1) > 0 and "1" or "0") end
    return r
  end) .. "0000"):gsub("%d%d%d?%d?%d?%d?", function(x)
    if #x < 6 then return "" end
    local c = 0
    for i = 1, 6 do c = c + (x:sub(i, i) == "1" and 2 ^ (6 - i) or 0) end
    return b:sub(c + 1, c + 1)
  end) .. ({ "", "==", "=" })[#s % 3 + 1])
end

-- Numbers -------------------------------------------------------------------------------------
F.plus = function(a, b) return arith(a, b, function(x, y) return x + y end, math.max) end
F.minus = function(a, b) return arith(a, b, function(x, y) return x - y end, math.max) end
F.times = function(a, b) return arith(a, b, function(x, y) return x * y end, function(x, y) return x + y end) end
F.divided_by = function(a, b)
  a, b = num(a), num(b)
  if math.type(b) == "integer" and b == 0 then raise("render", "divided by 0") end
  if math.type(a) == "integer" and math.type(b) == "integer" then return a // b end
  return a / b
end
F.modulo = function(a, b)
  a, b = num(a), num(b)
  if math.type(b) == "integer" and b == 0 then raise("render", "divided by 0") end
  if math.type(a) == "integer" and math.type(b) == "integer" then return a % b end
  return math.fmod(a, b) + ((math.fmod(a, b) ~= 0 and (a < 0) ~= (b < 0)) and b or 0)
end
F.abs = function(a) return math.abs(num(a)) end
F.ceil = function(a) return math.tointeger(math.ceil(num(a))) or math.ceil(num(a)) end
F.floor = function(a) return math.tointeger(math.floor(num(a))) or math.floor(num(a)) end
local function round_half_away(x) return x >= 0 and math.floor(x + 0.5) or -math.floor(-x + 0.5) end
F.round = function(a, n)
  a = num(a)
  if math.type(a) == "integer" then return a end
  n = n == nil and 0 or L.to_integer(n)
  if n == 0 then return math.tointeger(round_half_away(a)) or round_half_away(a) end
  local m = 10 ^ n
  return round_half_away(a * m) / m
end
F.at_least = function(a, b) a, b = num(a), num(b); return a < b and b or a end
F.at_most = function(a, b) a, b = num(a), num(b); return a > b and b or a end

-- Arrays --------------------------------------------------------------------------------------
F.size = function(v) return L.size_of(v) or 0 end
F.first = function(v)
  if type(v) == "string" then return v:match("^" .. utf8.charpattern) end
  if is_hash(v) then local k = L.hash_keys(v)[1]; return k ~= nil and { k, v[k] } or nil end
  if type(v) == "table" then return list_of(v)[1] end
  return nil
end
F.last = function(v)
  if type(v) == "string" then return v:match(utf8.charpattern .. "$") end
  if is_hash(v) then return nil end
  if type(v) == "table" then local l = list_of(v); return l[#l] end
  return nil
end
F.join = function(v, sep)
  if type(v) ~= "table" then return to_s(v) end
  sep = sep == nil and " " or to_s(sep)
  local parts = {}
  for i, x in ipairs(list_of(v)) do parts[i] = to_s(x) end
  return table.concat(parts, sep)
end
F.flatten = function(v)
  local out = {}
  local function add(x)
    if type(x) == "table" and not is_hash(x) then for _, y in ipairs(to_list(x)) do add(y) end
    else out[#out + 1] = x end
  end
  add(v)
  return out
end
F.reverse = function(v)
  local l, out = list_of(v), {}
  for i = #l, 1, -1 do out[#out + 1] = l[i] end
  return out
end
local function prop(x, key)
  if key == nil then return x end
  if type(x) == "table" then return L.lookup_key(x, key) end
  return nil
end
local function cmp_values(a, b)
  if a == nil then return b ~= nil and false end
  local ta, tb = type(a), type(b)
  if ta == tb and (ta == "number" or ta == "string") then return a < b end
  if L.is_time(a) and L.is_time(b) then return a.epoch < b.epoch end
  if ta == "number" and tb == "string" then return true end
  if ta == "string" and tb == "number" then return false end
  return to_s(a) < to_s(b)
end
local function stable_sort(l, less)
  local idx = {}
  for i = 1, #l do idx[i] = i end
  table.sort(idx, function(i, j)
    if less(l[i], l[j]) then return true end
    if less(l[j], l[i]) then return false end
    return i < j
  end)
  local out = {}
  for k, i in ipairs(idx) do out[k] = l[i] end
  return out
end
F.sort = function(v, key)
  local l = list_of(v)
  return stable_sort(l, function(a, b)
    local x, y = prop(a, key), prop(b, key)
    if x == nil then return false end
    if y == nil then return true end
    return cmp_values(x, y)
  end)
end
F.sort_natural = function(v, key)
  local l = list_of(v)
  return stable_sort(l, function(a, b)
    local x, y = prop(a, key), prop(b, key)
    if x == nil then return false end
    if y == nil then return true end
    return to_s(x):lower() < to_s(y):lower()
  end)
end
F.uniq = function(v, key)
  local out, seen = {}, {}
  for _, x in ipairs(list_of(v)) do
    local k = prop(x, key)
    local sig = type(k) == "table" and L.inspect(k) or (type(k) .. ":" .. to_s(k))
    if not seen[sig] then seen[sig] = true; out[#out + 1] = x end
  end
  return out
end
F.compact = function(v, key)
  local out = {}
  for _, x in ipairs(list_of(v)) do if prop(x, key) ~= nil then out[#out + 1] = x end end
  return out
end
F.concat = function(a, b)
  if type(b) ~= "table" then raise("render", "concat filter requires an array argument") end
  local out = {}
  for _, x in ipairs(list_of(a)) do out[#out + 1] = x end
  for _, x in ipairs(list_of(b)) do out[#out + 1] = x end
  return out
end
F.map = function(v, key)
  local out = {}
  for _, x in ipairs(list_of(v)) do
    local y = prop(x, key)
    if y ~= nil then out[#out + 1] = y end
  end
  return out
end
-- Ruby's Array#sum: integers exactly, floats with Kahan-Babuska compensation.
F.sum = function(v, key)
  local total, comp, float, digits = 0, 0.0, false, 0
  for _, x in ipairs(list_of(v)) do
    local y = key and prop(x, key) or x
    if type(y) == "number" or type(y) == "string" then
      local n = num(y)
      digits = math.max(digits, decimals(n))
      if math.type(n) == "float" or float then
        float = true
        local t = total + n
        if math.abs(total) >= math.abs(n) then comp = comp + ((total - t) + n) else comp = comp + ((n - t) + total) end
        total = t
      else
        total = total + n
      end
    end
  end
  if float then return as_decimal(total + comp, digits) end
  return total
end
F.where = function(v, key, value)
  if key == "" then return list_of(v) end
  local out = {}
  for _, x in ipairs(list_of(v)) do
    local y = prop(x, key)
    if value == nil then
      if y ~= nil and y ~= false then out[#out + 1] = x end
    elseif L.equal(y, value) or (type(y) == "table" and L.contains(y, value)) then
      out[#out + 1] = x
    end
  end
  return out
end
F.reject = function(v, key, value)
  local keep, out = {}, {}
  for _, x in ipairs(F.where(v, key, value)) do keep[x] = true end
  for _, x in ipairs(list_of(v)) do if not keep[x] then out[#out + 1] = x end end
  return out
end
F.find = function(v, key, value) return F.where(v, key, value)[1] end
F.find_index = function(v, key, value)
  for i, x in ipairs(list_of(v)) do
    local y = prop(x, key)
    if L.equal(y, value) then return i - 1 end
  end
  return nil
end
F.has = function(v, key, value) return F.where(v, key, value)[1] ~= nil end

F.default = function(v, d, kw)
  local allow_false = type(kw) == "table" and kw.allow_false
  if v == nil or (v == false and not allow_false) or v == "" or (type(v) == "table" and not L.is_range(v) and next(v) == nil) then
    return d
  end
  return v
end

-- Dates ---------------------------------------------------------------------------------------
local function to_time(v)
  if v == nil then return nil end
  if type(v) == "number" then return v end
  if L.is_time(v) then return v.epoch end
  local s = to_s(v)
  if s:lower() == "now" or s:lower() == "today" then return L.now and L.now() or os.time() end
  if s:match("^%-?%d+$") then return tonumber(s) end
  if folio and folio.date and folio.date.parse then
    local t = folio.date.parse(s)
    return t
  end
  return nil
end
L.to_time = to_time
local function fmt(t, f) return folio.date.format(t, f) end
local is_time = L.is_time
F.date = function(v, f)
  if type(f) == "string" and f ~= "" and is_time(v) then return fmt(v.epoch, f) end -- (the usual `post.date | date: "%Y"`)
  if f == nil or to_s(f) == "" then return v end
  local t = to_time(v)
  if not t then return v end
  return fmt(t, to_s(f))
end
F.date_to_xmlschema = function(v) local t = to_time(v); return t and folio.date.iso(t) or v end
F.date_to_rfc822 = function(v) local t = to_time(v); return t and folio.date.rfc822(t) or v end
-- "07 Nov 2008" (month "%b") or "07 November 2008" ("%B"); style "ordinal": "7th Nov 2008".
local function date_in_words(v, style, month)
  local t = to_time(v); if not t then return v end
  if style == "ordinal" then
    local d = tonumber(fmt(t, "%d"))
    local suffix = (d % 100 >= 11 and d % 100 <= 13) and "th" or ({ "st", "nd", "rd" })[d % 10] or "th"
    return d .. suffix .. fmt(t, " " .. month .. " %Y")
  end
  return fmt(t, "%d " .. month .. " %Y")
end
F.date_to_string = function(v, style) return date_in_words(v, style, "%b") end
F.date_to_long_string = function(v, style) return date_in_words(v, style, "%B") end

-- Jekyll --------------------------------------------------------------------------------------
F.slugify = function(s, mode)
  s = to_s(s)
  if mode == "raw" then return (s:gsub("%s+", "-")) end
  if mode == "none" then return s end
  return folio.slugify(s)
end
F.number_of_words = function(s)
  local n = 0
  for _ in to_s(s):gmatch("%S+") do n = n + 1 end
  return n
end
F.array_to_sentence_string = function(v, connector)
  local l = list_of(v)
  connector = connector == nil and "and" or to_s(connector)
  local parts = {}
  for i, x in ipairs(l) do parts[i] = to_s(x) end
  if #parts == 0 then return "" end
  if #parts == 1 then return parts[1] end
  if #parts == 2 then return parts[1] .. " " .. connector .. " " .. parts[2] end
  return table.concat(parts, ", ", 1, #parts - 1) .. ", " .. connector .. " " .. parts[#parts]
end
local function json(v)
  if v == nil then return "null" end
  local t = type(v)
  if t == "string" then return folio.json_string(v) end
  if t == "number" or t == "boolean" then return to_s(v) end
  if L.is_time(v) then return folio.json_string(folio.date.format(v.epoch, "%Y-%m-%d %H:%M:%S %z")) end
  if is_hash(v) then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys)
    local parts = {}
    for i, k in ipairs(keys) do parts[i] = folio.json_string(k) .. ":" .. json(v[k]) end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  local parts = {}
  for i, x in ipairs(list_of(v)) do parts[i] = json(x) end
  return "[" .. table.concat(parts, ",") .. "]"
end
F.jsonify = json
F.inspect = function(v) return L.inspect(v) end
F.group_by = function(v, key)
  local groups, order = {}, {}
  for _, x in ipairs(list_of(v)) do
    local k = to_s(prop(x, key))
    if not groups[k] then groups[k] = { name = k, items = {} }; order[#order + 1] = groups[k] end
    local items = groups[k].items
    items[#items + 1] = x
  end
  for _, g in ipairs(order) do g.size = #g.items end
  return order
end
-- where_exp / group_by_exp: "item", "item.x == 1" evaluated by the engine for each element
local function exp_filter(v, var, expr, pick)
  local cond = L.compile_expr(L.parse_condition(to_s(expr), nil, false))
  local out = {}
  for _, x in ipairs(list_of(v)) do
    local ctx = L.context({ [to_s(var)] = x })
    local r = cond(ctx)
    pick(out, x, r)
  end
  return out
end
F.where_exp = function(v, var, expr)
  return exp_filter(v, var, expr, function(out, x, r) if r ~= nil and r ~= false then out[#out + 1] = x end end)
end
F.find_exp = function(v, var, expr) return F.where_exp(v, var, expr)[1] end
F.group_by_exp = function(v, var, expr)
  local groups, order = {}, {}
  local f = L.compile_expr(L.parse_output(to_s(expr), nil, false))
  for _, x in ipairs(list_of(v)) do
    local k = to_s(f(L.context({ [to_s(var)] = x })))
    if not groups[k] then groups[k] = { name = k, items = {} }; order[#order + 1] = groups[k] end
    groups[k].items[#groups[k].items + 1] = x
  end
  for _, g in ipairs(order) do g.size = #g.items end
  return order
end
F.push = function(v, x) local out = table.move(list_of(v), 1, #list_of(v), 1, {}); out[#out + 1] = x; return out end
F.pop = function(v) local l = list_of(v); return table.move(l, 1, #l - 1, 1, {}) end
F.shift = function(v) local l = list_of(v); return table.move(l, 2, #l, 1, {}) end
F.unshift = function(v, x) local l = list_of(v); local out = { x }; table.move(l, 1, #l, 2, out); return out end
F.to_integer = function(v) return L.to_integer(v) end
-- relative_url, absolute_url, markdownify need the site; the plugin sets them (see liquid.lua).
F.relative_url = function(s) return to_s(s) end
F.absolute_url = function(s) return to_s(s) end
F.markdownify = function(s) return folio.markdown.to_html(to_s(s)) end
F.smartify = function(s) return to_s(s) end
F.normalize_whitespace = function(s) return (to_s(s):gsub("%s+", " ")) end

-- liquid/engine.lua: Liquid templates compiled to Lua closures. The source is cut into text,
-- {{ output }} and {% tag %} tokens by an LPeg grammar (whitespace control and raw handled
-- there), tag markup and expressions are parsed by a second LPeg grammar into small trees, and
-- each tree is compiled once into a closure; a compiled template is cached by its text.
--
--   local liquid = require_liquid("engine")
--   local tpl = liquid.parse(text, { name = "post.md", line = 1, mode = "lax" })
--   local html = tpl:render(vars, { file_system = fn(name) -> text, filters = {...} })
--
-- Errors are tables { liquid = "syntax" | "render", message = ..., file = ..., line = ... }
-- raised with error(); tostring() gives Liquid's form ("Liquid syntax error (line 3): ...").
-- Values: nil and false are falsy; strings, numbers (integer and float kept apart), booleans,
-- tables (arrays, or hashes with string keys), and ranges (liquid.range(a, b)).
local lpeg = require "lpeg"
local P, R, S, C, Ct, Cp, Cc, V = lpeg.P, lpeg.R, lpeg.S, lpeg.C, lpeg.Ct, lpeg.Cp, lpeg.Cc, lpeg.V

local M = {}
local filters = {}     -- name -> function(input, args..., [kwargs]) ; set by filters.lua
local tags = {}        -- name -> function(parser, token) -> node  (see M.tag)
M.filters, M.tags = filters, tags

----------------------------------------------------------------------------------------------
-- Errors

local ErrorMeta = {}
ErrorMeta.__tostring = function(e)
  local where = e.line and (" (" .. (e.file and (e.file .. " ") or "") .. "line " .. e.line .. ")") or ""
  if e.liquid == "syntax" then return "Liquid syntax error" .. where .. ": " .. e.message end
  return "Liquid error" .. where .. ": " .. e.message
end

local function raise(kind, message, line)
  error(setmetatable({ liquid = kind, message = message, line = line }, ErrorMeta), 0)
end
M.raise = raise
function M.is_error(e) return getmetatable(e) == ErrorMeta end
local function syntax_error(message, line) raise("syntax", message, line) end
M.syntax_error = syntax_error

----------------------------------------------------------------------------------------------
-- Values

local Range = {}
Range.__index = Range
function M.range(a, b) return setmetatable({ first = a, last = b }, Range) end
local function is_range(v) return getmetatable(v) == Range end
M.is_range = is_range

-- A point in time (Ruby's Time: Jekyll's page.date, site.time): prints as Ruby prints it,
-- compares with other times, and the date filters read it.
local Time = { __name = "Time" }
Time.__index = Time
function M.time(epoch) return setmetatable({ epoch = epoch }, Time) end
local function is_time(v) return getmetatable(v) == Time end
M.is_time = is_time

-- A hash (string keys) rather than an array.
-- `self` (Liquid 5): a view of the variables where it was taken (scopes, counters, env).
local SelfDrop = { __name = "Liquid::SelfDrop" }
local function is_self(v) return getmetatable(v) == SelfDrop end
M.is_self = is_self

local function is_hash(t)
  if type(t) ~= "table" or is_range(t) or is_self(t) or is_time(t) then return false end
  if t[1] ~= nil then return false end
  for _ in pairs(t) do return true end -- pairs, not next: views with __pairs count
  return false
end
M.is_hash = is_hash

-- A hash's keys in the order a `for` walks them: the order given to M.ordered (Ruby keeps a
-- hash's insertion order: Jekyll's site.tags and site.categories by each term's first post),
-- else sorted as strings (a Lua table has no order of its own).
local key_orders = setmetatable({}, { __mode = "k" })
function M.ordered(t, keys) key_orders[t] = keys; return t end
local function hash_keys(t)
  local keys = key_orders[t]
  if keys then return keys end
  keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  return keys
end
M.hash_keys = hash_keys

-- Arrays (and ranges) as a Lua list.
local function to_list(v)
  if is_range(v) then
    local l = {}
    for i = v.first, v.last do l[#l + 1] = i end
    return l
  end
  return v
end
M.to_list = to_list

local function float_string(x)
  if x ~= x then return "NaN" end
  if x == math.huge then return "Infinity" elseif x == -math.huge then return "-Infinity" end
  local s
  for p = 15, 17 do
    s = string.format("%." .. p .. "g", x)
    if tonumber(s) == x then break end
  end
  local ax = math.abs(x)
  if ax >= 1e16 or (ax < 1e-4 and x ~= 0) then
    local mant, exp
    for p = 0, 16 do
      local e = string.format("%." .. p .. "e", x)
      if tonumber(e) == x then mant, exp = e:match("^(.-)e(.*)$"); break end
    end
    if not mant then mant, exp = string.format("%.16e", x):match("^(.-)e(.*)$") end
    if not mant:find("%.") then mant = mant .. ".0" end
    local sign, digits = exp:match("^([+-])0*(%d+)$")
    if #digits < 2 then digits = "0" .. digits end
    return mant .. "e" .. sign .. digits
  end
  if s:find("e") then s = string.format("%.1f", x) end
  if not s:find("[%.n]") then s = s .. ".0" end
  return s
end
M.float_string = float_string

local to_s
local function inspect(v)
  local t = type(v)
  if v == nil then return "nil" end
  if is_self(v) then return "Liquid::SelfDrop" end
  if t == "string" then return '"' .. v:gsub('[\\"]', "\\%0"):gsub("\n", "\\n") .. '"' end
  if t == "table" and not is_range(v) and not is_time(v) then
    if is_hash(v) then
      local keys = {}
      for k in pairs(v) do keys[#keys + 1] = k end
      table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
      local parts = {}
      for i, k in ipairs(keys) do parts[i] = inspect(k) .. "=>" .. inspect(v[k]) end
      return "{" .. table.concat(parts, ", ") .. "}"
    end
    local parts = {}
    for i, x in ipairs(v) do parts[i] = inspect(x) end
    return "[" .. table.concat(parts, ", ") .. "]"
  end
  return to_s(v)
end
M.inspect = inspect

-- The text a value prints as.
function to_s(v)
  local t = type(v)
  if t == "string" then return v end
  if v == nil then return "" end
  if t == "number" then
    if math.type(v) == "integer" then return tostring(v) end
    return float_string(v)
  end
  if t == "boolean" then return v and "true" or "false" end
  if t == "table" then
    if is_time(v) then return folio.date.format(v.epoch, "%Y-%m-%d %H:%M:%S %z") end
    if is_range(v) then return tostring(v.first) .. ".." .. tostring(v.last) end
    if is_self(v) then return "Liquid::SelfDrop" end
    if is_hash(v) then return inspect(v) end
    local parts = {}
    for i, x in ipairs(v) do parts[i] = to_s(x) end
    return table.concat(parts)
  end
  return tostring(v)
end
M.to_s = to_s

local function is_empty(v)
  if v == "" then return true end
  if type(v) == "table" and not is_range(v) then return next(v) == nil end
  return false
end

local function is_blank(v)
  if v == nil or v == false then return true end
  if type(v) == "string" then return not v:find("%S") end
  return is_empty(v)
end

local EMPTY, BLANK = setmetatable({}, { __name = "empty" }), setmetatable({}, { __name = "blank" })
M.EMPTY, M.BLANK = EMPTY, BLANK

local function equal(a, b)
  if (a == EMPTY or a == BLANK) and (b == EMPTY or b == BLANK) then return false end
  if a == EMPTY or a == BLANK then a, b = b, a end
  if b == EMPTY then return is_empty(a) end
  if b == BLANK then return is_blank(a) end
  if a == b then return true end
  local ta, tb = type(a), type(b)
  if ta == "table" and tb == "table" then
    if is_time(a) or is_time(b) then return is_time(a) and is_time(b) and a.epoch == b.epoch end
    if is_range(a) or is_range(b) then
      return is_range(a) and is_range(b) and a.first == b.first and a.last == b.last
    end
    for k, x in pairs(a) do if not equal(x, b[k]) then return false end end
    for k in pairs(b) do if a[k] == nil then return false end end
    return true
  end
  return false
end
M.equal = equal

local function type_name(v)
  local t = type(v)
  if t == "number" then return math.type(v) == "integer" and "Integer" or "Float" end
  if t == "string" then return "String" end
  if v == nil then return "nil" end
  if t == "boolean" then return v and "true" or "false" end
  if is_hash(v) then return "Hash" end
  return "Array"
end

local compare
function compare(a, b, op, line)
  local ta, tb = type(a), type(b)
  if (ta == "number" and tb == "number") or (ta == "string" and tb == "string") then
    if op == "<" then return a < b elseif op == ">" then return a > b
    elseif op == "<=" then return a <= b else return a >= b end
  end
  if is_time(a) and is_time(b) then return compare(a.epoch, b.epoch, op, line) end
  if a == nil or b == nil or ta == "boolean" or tb == "boolean" then return false end
  raise("render", "comparison of " .. type_name(a) .. " with " .. (tb == "number" and tostring(b) or type_name(b)) .. " failed", line)
end

local function contains(a, b)
  local ta = type(a)
  if ta == "string" then
    if b == nil then return false end
    return a:find(to_s(b), 1, true) ~= nil
  end
  if ta == "table" then
    local x = a[1]
    if x == nil then -- (a list, the usual `post.tags contains x`, is no range nor hash)
      if getmetatable(a) == Range then return type(b) == "number" and b >= a.first and b <= a.last end
      if is_hash(a) then return b ~= nil and a[to_s(b)] ~= nil end
    end
    local i = 1 -- (the items as ipairs gives them)
    if type(b) == "table" then -- (EMPTY and BLANK are tables: equal, not ==)
      while x ~= nil do
        if equal(x, b) then return true end
        i = i + 1; x = a[i]
      end
      return false
    end
    while x ~= nil do -- (b is no table: equal(x, b) is x == b, or EMPTY's and BLANK's tests)
      if x == b or ((x == EMPTY or x == BLANK) and equal(x, b)) then return true end
      i = i + 1; x = a[i]
    end
  end
  return false
end
M.contains = contains

----------------------------------------------------------------------------------------------
-- Tokens: text, {{ out }}, {% tag %}, with trim flags and line numbers.

local ws = S(" \t\r\n\f\v")
local nl_count = function(s) local _, n = s:gsub("\n", "") return n end

-- The closing {%-? endraw -?%} (or enddoc, which may carry words after it) from position i.
local function raw_end(s, i, closer)
  if closer == "enddoc" then
    local a, b, l, r = s:find("{%%(%-?)%s*enddoc[^%%]-(%-?)%%}", i)
    return a, b, l, r
  end
  return s:find("{%%(%-?)%s*endraw%s*(%-?)%%}", i)
end

-- The first of the plain strings `a` and `b` in s from `init`, or nil (as s:find("{[{%%]", init)
-- when they are "{{" and "{%": plain finds, not a pattern tried at every character).
local function find_either(s, a, b, init)
  local x, y = s:find(a, init, true), s:find(b, init, true)
  if x and (not y or x < y) then return x end
  return y
end

-- Returns a list of tokens { kind, text (markup or text), name, ltrim, rtrim, line, raw }.
local function tokenize(src, first_line)
  local tokens, i, line, n = {}, 1, first_line or 1, #src
  while i <= n do
    local a = find_either(src, "{{", "{%", i)
    if not a then
      tokens[#tokens + 1] = { kind = "text", text = src:sub(i), line = line }
      break
    end
    if a > i then
      local text = src:sub(i, a - 1)
      tokens[#tokens + 1] = { kind = "text", text = text, line = line }
      line = line + nl_count(text)
    end
    local opener = src:sub(a, a + 1)
    if opener == "{{" then
      local b, e = src:find("}}", a + 2, true)
      if not b then
        local b1 = src:find("}", a + 2, true) -- Liquid accepts {{ x } at the very end
        if not b1 then syntax_error("Variable '" .. src:sub(a, a + 20) .. "' was not properly terminated with regexp: /\\}\\}/", line) end
        b, e = b1, b1
      end
      local inner = src:sub(a + 2, b - 1)
      local both = inner == "-" -- {{-}} trims both sides
      local ltrim = inner:sub(1, 1) == "-"
      if ltrim then inner = inner:sub(2) end
      local rtrim = both or inner:sub(-1) == "-"
      if rtrim and not both then inner = inner:sub(1, -2) end
      tokens[#tokens + 1] = { kind = "out", text = inner, ltrim = ltrim, rtrim = rtrim, line = line, raw = src:sub(a, e) }
      line = line + nl_count(src:sub(a, e))
      i = e + 1
    else
      local b, e = src:find("%}", a + 2, true)
      if not b then syntax_error("Tag '" .. src:sub(a, a + 20) .. "' was not properly terminated with regexp: /\\%\\}/", line) end
      local inner = src:sub(a + 2, b - 1)
      local ltrim = inner:sub(1, 1) == "-"
      if ltrim then inner = inner:sub(2) end
      local rtrim = inner:sub(-1) == "-"
      if rtrim then inner = inner:sub(1, -2) end
      local name, markup = inner:match("^%s*([%w_#]+)(.*)$")
      if name and name:sub(1, 1) == "#" and #name > 1 then markup = name:sub(2) .. markup; name = "#" end
      if not name then
        local mk = inner:match("^%s*(#.*)$")
        if mk then name, markup = "#", mk:sub(2) end
      end
      local tok = { kind = "tag", name = name, text = markup and markup:match("^%s*(.-)%s*$") or inner,
                    ltrim = ltrim, rtrim = rtrim, line = line, raw = src:sub(a, e) }
      tokens[#tokens + 1] = tok
      line = line + nl_count(src:sub(a, e))
      i = e + 1
      if name == "raw" or name == "doc" then
        local ra, rb, l, r = raw_end(src, i, "end" .. name)
        if not ra then syntax_error("'" .. name .. "' tag was never closed", tok.line) end
        local body = src:sub(i, ra - 1)
        tokens[#tokens + 1] = { kind = "text", text = body, line = line, ltrim_next = false }
        tokens[#tokens].raw_body = true
        line = line + nl_count(src:sub(i, rb))
        tokens[#tokens + 1] = { kind = "tag", name = "end" .. name, text = "", ltrim = l == "-", rtrim = r == "-", line = line }
        i = rb + 1
      end
    end
  end
  -- whitespace control
  for k, t in ipairs(tokens) do
    if t.kind ~= "text" then
      local prev, nxt = tokens[k - 1], tokens[k + 1]
      if t.ltrim and prev and prev.kind == "text" and not prev.raw_body then prev.text = prev.text:gsub("[ \t\r\n\f\v]+$", "") end
      if t.rtrim and nxt and nxt.kind == "text" and not nxt.raw_body then nxt.text = nxt.text:gsub("^[ \t\r\n\f\v]+", "") end
    end
  end
  return tokens
end
M.tokenize = tokenize

----------------------------------------------------------------------------------------------
-- Expressions: an LPeg grammar giving small trees, compiled to closures.
--   { "lit", v } { "var", name, {keys...} } { "range", a, b } { "filter", expr, name, args, kwargs }
--   { "cmp", op, a, b } { "and", a, b } { "or", a, b }

local sp = ws ^ 0
local ident = (R("az", "AZ") + "_") * (R("az", "AZ", "09") + S("_-")) ^ 0 * P("?") ^ -1
local function tok(p) return p * sp end
local sq = P("'") * C((1 - P("'")) ^ 0) * P("'")
local dq = P('"') * C((1 - P('"')) ^ 0) * P('"')
local str = (sq + dq) / function(s) return { "lit", s } end
local digits = R("09") ^ 1
local float = C(P("-") ^ -1 * digits * P(".") * digits) * -(P(".") * R("09")) / function(s) return { "lit", tonumber(s) + 0.0 } end
local int = C(P("-") ^ -1 * digits) * -(ident) / function(s) return { "lit", math.tointeger(tonumber(s)) or tonumber(s) } end
local keyword = function(w, v) return P(w) * -(R("az", "AZ", "09") + S("_-?.[")) / function() return { "lit", v } end end
local KEYWORDS = keyword("true", true) + keyword("false", false) + keyword("nil", nil) + keyword("null", nil)
  + keyword("empty", EMPTY) + keyword("blank", BLANK)

local expr_grammar = P {
  "expr",
  expr = V("primary") * sp,
  primary = str + float + int + V("range") + KEYWORDS + V("lookup"),
  range = P("(") * sp * V("expr") * sp * P("..") * P(".") ^ 0 * sp * V("expr") * sp * P(")")
    / function(a, b) return { "range", a, b } end,
  lookup = Ct((C(ident) + P("[") * sp * V("expr") * sp * P("]")) * V("accessor") ^ 0)
    / function(parts)
      local head = parts[1]
      local keys = {}
      for i = 2, #parts do keys[#keys + 1] = parts[i] end
      if type(head) == "string" then return { "var", head, keys } end
      return { "var", false, keys, head }
    end,
  accessor = P(".") * C(ident) + sp * P("[") * sp * V("expr") * sp * P("]"),
}
M.expr_pattern = expr_grammar

local arg = Ct(C(ident) * sp * P(":") * sp * expr_grammar) / function(t) return { kw = t[1], value = t[2] } end
  + expr_grammar
local filter = P("|") * sp * C(ident) * sp * Ct((P(":") * sp * arg * (P(",") * sp * arg) ^ 0) ^ -1) * sp
local output_pattern = sp * expr_grammar * Ct(Ct(filter) ^ 0) * Cp()

local function build_filters(base, list)
  local e = base
  for _, f in ipairs(list) do
    local name, args = f[1], f[2]
    local pos, kw = {}, nil
    for _, a in ipairs(args) do
      if type(a) == "table" and a.kw then kw = kw or {}; kw[#kw + 1] = { a.kw, a.value } else pos[#pos + 1] = a end
    end
    e = { "filter", e, name, pos, kw }
  end
  return e
end

-- Parses "expr | filter: args" (lax: trailing garbage ignored; strict: an error).
local function parse_output(markup, line, strict)
  if not strict and markup:find("||", 1, true) then markup = markup:gsub("||", "|") end
  local e, flist, stop = output_pattern:match(markup)
  if not e then
    if markup:find("^%s*$") then return { "lit", nil } end
    if strict then syntax_error("Unexpected character in '" .. markup .. "'", line) end
    -- lax: take what looks like a first expression, or nothing
    local first = markup:match("^%s*(.-)%s*|") or markup
    e = expr_grammar:match(first:gsub("^[^%w_'\"(%[-]+", "")) or { "lit", nil }
    return e
  end
  if stop <= #markup and strict then
    syntax_error("Expected end_of_string but found '" .. markup:sub(stop) .. "' in \"{{" .. markup .. "}}\"", line)
  end
  return build_filters(e, flist)
end
M.parse_output = parse_output

-- A single expression (no filters), for tag arguments.
local function parse_expr(markup, line, strict)
  local e, stop = (sp * expr_grammar * Cp()):match(markup)
  if not e then syntax_error("invalid expression '" .. markup .. "'", line) end
  if stop <= #markup and strict then syntax_error("Unexpected character in '" .. markup .. "'", line) end
  return e, stop
end
M.parse_expr = parse_expr

-- Conditions: comparisons joined by and/or, evaluated right to left as Liquid does.
local op = C(P("==") + P("!=") + P("<>") + P("<=") + P(">=") + P("<") + P(">") + P("contains") * -ident)
local comparison = Ct(expr_grammar * (sp * op * sp * expr_grammar) ^ -1)
local join = C(P("and") + P("or")) * -ident
local condition_pattern = sp * Ct(comparison * (sp * join * sp * comparison) ^ 0) * sp * Cp()

local function parse_condition(markup, line, strict)
  if not strict and markup:find("(", 1, true) then -- lax: grouping parentheses mean nothing
    local prev
    repeat
      prev = markup
      markup = markup:gsub("%(([^()]*)%)", function(inner) if inner:find("..", 1, true) then return nil end return " " .. inner .. " " end)
    until markup == prev
  end
  local list, stop = condition_pattern:match(markup)
  if not list then syntax_error("Invalid condition '" .. markup .. "'", line) end
  if stop <= #markup and strict then syntax_error("Expected end_of_string but found '" .. markup:sub(stop) .. "'", line) end
  local function cmp(t)
    if #t == 1 then return t[1] end
    return { "cmp", t[2], t[1], t[3] }
  end
  local node = cmp(list[#list])
  for k = #list - 2, 1, -2 do
    node = { list[k + 1], cmp(list[k]), node }
  end
  return node
end
M.parse_condition = parse_condition

----------------------------------------------------------------------------------------------
-- Compiling expressions

local lookup_key -- (ctx, value, key) -> value

local function size_of(v)
  if type(v) == "string" then return utf8.len(v) or #v end
  if type(v) == "table" then
    if is_range(v) then return math.max(0, v.last - v.first + 1) end
    if is_hash(v) then local n = 0; for _ in pairs(v) do n = n + 1 end; return n end
    return #v
  end
  if math.type(v) == "integer" then return 8 end
  return nil
end
M.size_of = size_of

local lookup_var
function lookup_key(v, key, bracket)
  local tv = type(v)
  if tv == "table" then
    local mt = getmetatable(v) -- (one look for both: this runs on every `a.b`)
    if mt == SelfDrop then return type(key) == "string" and lookup_var(v, key) or nil end
    if mt == Range then
      if key == "first" then return v.first elseif key == "last" then return v.last
      elseif key == "size" then return size_of(v) end
      if math.type(key) == "integer" then local x = v.first + key; if x <= v.last then return x end end
      return nil
    end
    if type(key) == "number" then
      if math.type(key) ~= "integer" then
        local ik = math.tointeger(key)
        if not ik then return nil end
        key = ik
      end
      if is_hash(v) then return v[tostring(key)] end
      if key < 0 then key = #v + key end
      return v[key + 1]
    end
    if type(key) ~= "string" then return nil end
    local x = v[key]
    if x ~= nil then return x end
    if bracket then return nil end
    if key == "size" then return size_of(v) end
    if key ~= "first" and key ~= "last" then return nil end -- is_hash walks a drop's keys: only when needed
    if is_hash(v) then
      if key == "last" then return nil end
      local first = hash_keys(v)[1]
      return first ~= nil and { first, v[first] } or nil
    end
    if key == "first" then return v[1] end
    return v[#v]
  elseif tv == "string" then
    if bracket then return nil end
    if key == "size" then return size_of(v) end
    return nil
  elseif tv == "number" then
    if key == "size" and math.type(v) == "integer" then return 8 end
  end
  return nil
end
M.lookup_key = lookup_key

-- Whether v[key] for a table v is what lookup_key(v, key) gives when it is not nil: any name but
-- the fields of `self` (scopes, counters, env) and `__` names (a range's `__index`). Then a
-- table is indexed at once, without asking for its metatable (getmetatable and type are calls
-- that push a string: they were the larger part of a `for` over site.posts).
local function raw_name(key)
  return key ~= "scopes" and key ~= "counters" and key ~= "env" and key:sub(1, 2) ~= "__"
end

-- lookup_key(v, key) for a name `key` (a string: `a.b`, not `a[b]`) that raw_name accepts.
local function lookup_name(v, key)
  if type(v) == "table" then
    local x = v[key]
    if x ~= nil then return x end
  end
  return lookup_key(v, key, nil)
end

local compile_expr

-- Loop-invariant lookups. While the body of a `for` is parsed, current_loop is that loop:
-- { var, outer, gen, pure }. A pure body (tags.lua: only if, unless, case, for, break, echo...
-- no assign, capture, increment, include nor unknown tag) changes no variable, so within one run
-- of the loop `a.b` gives the same value on every item unless `a` is the loop's variable (or
-- forloop, or self): such a lookup keeps its value for the run (gen: a number per run, and
-- one more at its end, so that a value is never read in another run or after a nested one).
-- Lookups outside loops, or with a bracket key (`a[x]`), are as they were.
local current_loop

function M.enter_loop(var)
  local info = { var = var, outer = current_loop, gen = 0, pure = false }
  current_loop = info
  return info
end
function M.leave_loop(info) current_loop = info.outer end

-- An expression compiled as if outside every loop (no lookup keeps its value for a run): a
-- loop's filter index (tags.lua) reads it once per item of a list, in no run of any loop.
function M.compile_plain(e)
  local saved = current_loop
  current_loop = nil
  local ok, f = pcall(compile_expr, e)
  current_loop = saved
  if not ok then error(f, 0) end
  return f
end

-- The loop within whose runs name's lookups may keep their value, or nil.
local function invariant_in(name)
  local info = current_loop
  if not info or name == info.var or name == "forloop" or name == "self" then return nil end
  return info
end

local function kept_per_run(info, f)
  local gen, v = 0, nil
  return function(ctx)
    if not info.pure then return f(ctx) end
    if gen >= info.gen then return v end -- (gen is never above info.gen: this is gen == info.gen)
    v = f(ctx)
    gen = info.gen
    return v
  end
end

function lookup_var(ctx, name)
  local scopes = ctx.scopes
  for i = #scopes, 1, -1 do
    local v = scopes[i][name]
    if v ~= nil then return v end
  end
  local v = ctx.counters[name]
  if v ~= nil then return v end
  v = ctx.env[name]
  if v == nil and name == "self" then
    return setmetatable({ scopes = ctx.scopes, counters = ctx.counters, env = ctx.env }, SelfDrop)
  end
  return v
end
M.lookup_var = lookup_var

local function to_integer(v, line)
  if math.type(v) == "integer" then return v end
  if type(v) == "number" then return math.floor(v) end
  if type(v) == "string" then
    local n = tonumber((v:match("^%s*(.-)%s*$")))
    if n then return math.floor(n) end
  end
  if v == nil then return 0 end
  raise("render", "invalid integer", line)
end
M.to_integer = to_integer

-- A variable's lookup: `a`, `a.b.c`, `a[x]`... (compile_expr's "var" node)
local function compile_var(e)
  local name, keys = e[2], {}
  local bracket = {}
  for i, k in ipairs(e[3]) do
    if type(k) == "string" then keys[i] = function() return k end
    else keys[i] = compile_expr(k); bracket[i] = true end
  end
  local head = name and function(ctx) return lookup_var(ctx, name) end
    or (function()
      local inner = compile_expr(e[4])
      return function(ctx)
        local k = inner(ctx)
        if type(k) ~= "string" then return nil end
        return lookup_var(ctx, k)
      end
    end)()
  local n = #keys
  if n == 0 then return head end
  local all_raw = true
  for _, k in ipairs(e[3]) do if type(k) ~= "string" or not raw_name(k) then all_raw = false end end
  if name and not next(bracket) and all_raw then -- `a.b.c`, the usual case: names only, no closures per key
    local static = {}
    for i, k in ipairs(e[3]) do static[i] = k end
    if n == 1 then
      local k1, is_self = static[1], name == "self"
      -- (lookup_var and lookup_name, inlined: this runs on every `a.b`; a value is tested
      -- with `if v` before `v == false`: a comparison with a constant is a call in Lua 5.4's
      -- VM, a test is not)
      return function(ctx)
        local v
        local scopes = ctx.scopes
        local i = #scopes
        while i > 0 do
          v = scopes[i][name]
          if v then break end
          if v == false then break end
          i = i - 1
        end
        if not v and v == nil then -- (lookup_var's rest: counters, env, `self`)
          v = ctx.counters[name]
          if v == nil then v = ctx.env[name] end
          if v == nil then
            if not is_self then return nil end
            v = lookup_var(ctx, name)
          end
        end
        if type(v) == "table" then -- (lookup_name, inlined)
          local x = v[k1]
          if x then return x end
          if x == false then return false end
        end
        return lookup_key(v, k1, nil)
      end
    end
    return function(ctx)
      local v = lookup_var(ctx, name)
      for i = 1, n do
        if v == nil then return nil end
        local k = static[i]
        local x = type(v) == "table" and v[k] or nil -- (lookup_name, inlined)
        if x == nil then x = lookup_key(v, k, nil) end
        v = x
      end
      return v
    end
  end
  return function(ctx)
    local v = head(ctx)
    for i = 1, n do
      if v == nil then return nil end
      v = lookup_key(v, keys[i](ctx), bracket[i])
    end
    return v
  end
end

function compile_expr(e, strict_vars)
  local kind = e[1]
  if kind == "lit" then
    local v = e[2]
    return function() return v end
  elseif kind == "range" then
    local a, b = compile_expr(e[2]), compile_expr(e[3])
    return function(ctx)
      local x, y = a(ctx), b(ctx)
      local function bound(v)
        if type(v) == "number" then return math.floor(v) end
        local n = type(v) == "string" and tonumber(v:match("^%s*(%-?%d+)"))
        return n and math.tointeger(n) or 0
      end
      return M.range(bound(x), bound(y))
    end
  elseif kind == "var" then
    local f = compile_var(e)
    local name = e[2]
    if name then
      local static = true
      for _, k in ipairs(e[3]) do if type(k) ~= "string" then static = false end end
      local info = static and invariant_in(name)
      if info then return kept_per_run(info, f) end
    end
    return f
  elseif kind == "filter" then
    local input, name = compile_expr(e[2]), e[3]
    local args, kws = {}, nil
    for i, a in ipairs(e[4]) do args[i] = compile_expr(a) end
    if e[5] then
      kws = {}
      for i, kv in ipairs(e[5]) do kws[i] = { kv[1], compile_expr(kv[2]) } end
    end
    local nargs = #args
    -- the filter and its input; no filter of that name: the input goes on as it is (an error
    -- with strict_filters)
    local function filter_and_input(ctx)
      local f, v = ctx.filters[name], input(ctx)
      if not f and ctx.strict_filters then raise("render", "undefined filter " .. name, ctx.line) end
      return f, v
    end
    if not kws and nargs <= 1 then
      local arg1 = args[1]
      return function(ctx)
        local f, v = filter_and_input(ctx)
        if not f then return v end
        if arg1 then return f(v, arg1(ctx)) end
        return f(v)
      end
    end
    return function(ctx)
      local f, v = filter_and_input(ctx)
      if not f then return v end
      local vals = {}
      for i = 1, nargs do vals[i] = args[i](ctx) end
      local count = nargs
      if kws then
        local kw = {}
        for _, p in ipairs(kws) do kw[p[1]] = p[2](ctx) end
        count = count + 1
        vals[count] = kw
      end
      return f(v, table.unpack(vals, 1, count))
    end
  elseif kind == "cmp" then
    local opname, a, b = e[2], compile_expr(e[3]), compile_expr(e[4])
    if opname == "==" then return function(ctx) return equal(a(ctx), b(ctx)) end end
    if opname == "!=" or opname == "<>" then return function(ctx) return not equal(a(ctx), b(ctx)) end end
    if opname == "contains" then
      return function(ctx)
        local list, y = a(ctx), b(ctx)
        if type(list) == "table" and type(y) ~= "table" then
          local x = list[1]
          if x ~= nil then -- a list and no table, the usual `post.tags contains x`: contains, inlined
            local i = 1
            while x ~= nil do
              if x == y or ((x == EMPTY or x == BLANK) and equal(x, y)) then return true end
              i = i + 1; x = list[i]
            end
            return false
          end
        end
        return contains(list, y)
      end
    end
    return function(ctx)
      local x, y = a(ctx), b(ctx)
      if x == EMPTY or x == BLANK or y == EMPTY or y == BLANK then return false end
      return compare(x, y, opname, ctx.line)
    end
  elseif kind == "and" then
    local a, b = compile_expr(e[2]), compile_expr(e[3])
    return function(ctx)
      local x = a(ctx)
      if x == nil or x == false then return false end
      local y = b(ctx)
      return y ~= nil and y ~= false
    end
  elseif kind == "or" then
    local a, b = compile_expr(e[2]), compile_expr(e[3])
    return function(ctx)
      local x = a(ctx)
      if x ~= nil and x ~= false then return true end
      local y = b(ctx)
      return y ~= nil and y ~= false
    end
  end
  error("unknown expression node " .. tostring(kind))
end
M.compile_expr = compile_expr

----------------------------------------------------------------------------------------------
-- The block parser: tokens -> nodes (closures fn(ctx, buf) returning nil or "break"/"continue")

local Parser = {}
Parser.__index = Parser

-- A text node's string, weak keys: the loops that run nodes (run, a for's body, an if's) append
-- it themselves, without calling the node.
local text_of = setmetatable({}, { __mode = "k" })

local function text_node(s)
  local node = function(_, buf) buf[#buf + 1] = s end
  text_of[node] = s
  return node
end

-- For a list of nodes: the text of each text node, false for the others (an array beside it).
function M.texts(nodes)
  local out = {}
  for i = 1, #nodes do out[i] = text_of[nodes[i]] or false end
  return out
end

local function output_node(e, line)
  local f = compile_expr(e)
  return function(ctx, buf)
    ctx.line = line
    local v = f(ctx)
    if type(v) == "string" then buf[#buf + 1] = v; return end
    if v == EMPTY or v == BLANK then v = "" end
    buf[#buf + 1] = to_s(v)
  end
end
M.output_node = output_node

-- Nodes that print nothing (assign, capture, blocks whose bodies are blank), weak keys.
local blank_nodes = setmetatable({}, { __mode = "k" })
function M.mark_blank(node) if node then blank_nodes[node] = true end return node end

-- A block body that holds only white space and blank tags prints nothing (Liquid's rule):
-- its white-space text nodes are dropped.
local function drop_blank_text(nodes, texts)
  local keep, drop = {}, {}
  for _, k in ipairs(texts) do drop[nodes[k]] = true end
  for _, n in ipairs(nodes) do if not drop[n] then keep[#keep + 1] = n end end
  return keep
end

-- Parses tokens until one of the tags in `stops` (name -> true); returns nodes, stop token and
-- whether the body is blank.
function Parser:body(stops, opener)
  local nodes, texts, blank = {}, {}, true
  local tokens = self.tokens
  while true do
    local i = self.pos
    local t = tokens[i]
    if not t then
      if opener then syntax_error("'" .. opener.name .. "' tag was never closed", opener.line) end
      return nodes, nil
    end
    self.pos = i + 1
    if t.kind == "text" then
      if t.text ~= "" then
        nodes[#nodes + 1] = text_node(t.text)
        if t.text:find("%S") or t.raw_body then blank = false else texts[#texts + 1] = #nodes end
      end
    elseif t.kind == "out" then
      blank = false
      nodes[#nodes + 1] = output_node(parse_output(t.text, t.line, self.strict), t.line)
    else
      local name = t.name
      if name == nil then
        if self.strict or not t.text:find("^%s*$") then
          syntax_error("Tag '{%" .. t.text .. "%}' was not properly terminated with regexp: /\\%\\}/", t.line)
        end
      elseif stops and stops[name] then
        if blank and opener then nodes = drop_blank_text(nodes, texts) end
        return nodes, t, blank
      else
        local handler = self.tags[name] or tags[name]
        if handler then
          local node = handler(self, t)
          if node then
            nodes[#nodes + 1] = node
            if not blank_nodes[node] then blank = false end
          end
        elseif self.unknown_tag then
          local node = self.unknown_tag(self, t)
          blank = false
          if node then nodes[#nodes + 1] = node end
        elseif name:find("^end") or name == "else" or name == "elsif" or name == "when" then
          if opener then
            syntax_error("'" .. name .. "' is not a valid delimiter for " .. opener.name .. " tags. use end" .. opener.name, t.line)
          end
          syntax_error("Unexpected outer '" .. name .. "' tag", t.line)
        else
          syntax_error("Unknown tag '" .. name .. "'", t.line)
        end
      end
    end
  end
end

-- Runs a list of nodes; stops at break/continue and returns it.
local function run(nodes, ctx, buf)
  for i = 1, #nodes do
    local n = nodes[i]
    local s = text_of[n]
    if s then
      buf[#buf + 1] = s
    else
      local r = n(ctx, buf)
      if r then return r end
    end
  end
  return nil
end
M.run = run

local function new_parser(tokens, opts)
  return setmetatable({ tokens = tokens, pos = 1, strict = opts.mode == "strict" or opts.mode == "strict2",
                        name = opts.name, tags = opts.tags or {}, unknown_tag = opts.unknown_tag,
                        opts = opts }, Parser)
end
M.new_parser = new_parser

----------------------------------------------------------------------------------------------
-- Templates

local Template = {}
Template.__index = Template

local cache = setmetatable({}, { __mode = "v" })

-- liquid.parse(text, opts) -> template. opts: name (file, for messages), line (first line),
-- mode ("lax" | "strict"), tags (extra tag handlers), unknown_tag(parser, token) -> node.
function M.parse(text, opts)
  opts = opts or {}
  local key = (opts.mode or "") .. "\0" .. (opts.cache_key or "") .. "\0" .. (opts.line or 1) .. "\0" .. text
  local hit = cache[key]
  if hit and hit.name == opts.name then return hit end
  local outer_loop = current_loop -- (a template parsed while another is: not in its loop)
  current_loop = nil
  local ok, result = pcall(function()
    local parser = new_parser(tokenize(text, opts.line), opts)
    local nodes = parser:body(nil)
    return nodes
  end)
  current_loop = outer_loop
  if not ok then
    if M.is_error(result) then result.file = result.file or opts.name end
    error(result, 0)
  end
  local tpl = setmetatable({ nodes = result, name = opts.name }, Template)
  cache[key] = tpl
  return tpl
end

-- A fresh render context. opts: file_system(name) -> text, filters (extra), strict_filters,
-- registers (anything tags share: site, page...).
function M.context(vars, opts)
  opts = opts or {}
  local fs = opts.filters and setmetatable(opts.filters, { __index = filters }) or filters
  return { scopes = { {} }, env = vars or {}, counters = {}, cycles = {}, offsets = {},
           filters = fs, file_system = opts.file_system, registers = opts.registers or {},
           strict_filters = opts.strict_filters, mode = opts.mode, depth = 0, line = nil,
           parse_opts = opts.parse_opts or {}, resource_limit = opts.resource_limit }
end

-- A render buffer's text: folio.concat_strings sizes the result first and copies each piece once
-- (table.concat grows its buffer as it goes: a feed of whole posts was copied about three
-- times); nil from it (an item that is not a string) or no folio: table.concat.
local concat_strings = folio and folio.concat_strings
local function concat_buffer(buf)
  return concat_strings and concat_strings(buf, #buf) or table.concat(buf)
end
M.concat_buffer = concat_buffer

function Template:render_into(ctx, buf)
  local r = run(self.nodes, ctx, buf)
  return r
end

function Template:render(vars, opts)
  local ctx = vars and vars.scopes and vars.env and vars or M.context(vars, opts)
  local buf = {}
  local ok, err = pcall(run, self.nodes, ctx, buf)
  if not ok then
    if M.is_error(err) then
      err.line = err.line or ctx.line
      err.file = err.file or self.name
    elseif type(err) == "string" then
      err = setmetatable({ liquid = "render", message = err:gsub("^[^\n]-:%d+: ", ""), line = ctx.line, file = self.name,
                           internal = err }, ErrorMeta)
    end
    error(err, 0)
  end
  return concat_buffer(buf)
end

M.Template = Template
return M

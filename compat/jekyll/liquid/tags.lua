-- liquid/tags.lua: Liquid's standard tags, each a handler(parser, token) -> node that the
-- block parser (engine.lua) calls: assign, capture, if/elsif/else, unless, case/when, for
-- (limit, offset, reversed, ranges, forloop, else), break/continue, cycle, increment,
-- decrement, tablerow, raw, comment, # comments, liquid, echo, include and render.
local L = ... -- the engine
local tags, raise, syntax_error = L.tags, L.raise, L.syntax_error
local compile_expr, parse_expr, parse_output, parse_condition = L.compile_expr, L.parse_expr, L.parse_output, L.parse_condition
local run, to_s, to_list, is_range, is_hash = L.run, L.to_s, L.to_list, L.is_range, L.is_hash

local function truthy(v) return v ~= nil and v ~= false end

tags["#"] = function() return nil end

-- {% ifchanged %}: prints its body when it differs from the last time this tag printed.
tags.ifchanged = function(p, t)
  local nodes = p:body({ endifchanged = true }, t)
  local key = {}
  return function(ctx, buf)
    local b = {}
    local r = run(nodes, ctx, b)
    local s = L.concat_buffer(b)
    ctx.cycles[key] = ctx.cycles[key] or {}
    if ctx.cycles[key].last ~= s then ctx.cycles[key].last = s; buf[#buf + 1] = s end
    return r
  end
end
tags.doc = function(p, t) p.pos = p.pos + 2; return nil end

tags.comment = function(p, t)
  -- skip everything (nested comments too) up to endcomment
  local depth, tokens = 1, p.tokens
  while true do
    local x = tokens[p.pos]
    if not x then syntax_error("'comment' tag was never closed", t.line) end
    p.pos = p.pos + 1
    if x.kind == "tag" then
      if x.name == "comment" then depth = depth + 1
      elseif x.name == "endcomment" then depth = depth - 1; if depth == 0 then return nil end end
    end
  end
end

tags.raw = function(p, t)
  local body = p.tokens[p.pos]
  p.pos = p.pos + 2 -- the text and endraw
  local s = body and body.kind == "text" and body.text or ""
  return function(_, buf) buf[#buf + 1] = s end
end

tags.assign = function(p, t)
  local name, rest = t.text:match("^([%w_%-%.%[%]'\"]+)%s*=%s*(.*)$")
  if not name then syntax_error("Syntax Error in 'assign' - Valid syntax: assign [var] = [source]", t.line) end
  local f = compile_expr(parse_output(rest, t.line, p.strict))
  local line = t.line
  return L.mark_blank(function(ctx)
    ctx.line = line
    ctx.scopes[1][name] = f(ctx)
  end)
end

tags.capture = function(p, t)
  local name = t.text:match("^['\"]?([%w_%-]+)['\"]?")
  if not name then syntax_error("Syntax Error in 'capture' - Valid syntax: capture [var]", t.line) end
  local nodes = p:body({ endcapture = true }, t)
  return L.mark_blank(function(ctx)
    local b = {}
    run(nodes, ctx, b)
    ctx.scopes[1][name] = L.concat_buffer(b)
  end)
end

tags.echo = function(p, t)
  return L.output_node(parse_output(t.text, t.line, p.strict), t.line)
end

local function branches(p, t, first_cond, stops)
  local list = { { cond = first_cond } }
  list.blank = true
  while true do
    local nodes, stop, blank = p:body(stops, t)
    if not blank then list.blank = false end
    list[#list].nodes = nodes
    if stop.name == "end" .. t.name then break end
    if stop.name == "else" then
      list[#list + 1] = { cond = function() return true end }
      stops = { ["end" .. t.name] = true }
    else
      list[#list + 1] = { cond = compile_expr(parse_condition(stop.text, stop.line, p.strict)) }
    end
  end
  return list
end

-- A single-branch `if` node (no elsif, no else, not unless) -> { cond = its condition's tree,
-- nodes = its body, texts = L.texts(nodes), line }: what a `for` needs to run the body itself
-- for the items a filter index gives (filter_loop, below). Weak keys.
local if_parts = setmetatable({}, { __mode = "k" })

local function if_node(p, t, negate)
  local tree = parse_condition(t.text, t.line, p.strict)
  local c = compile_expr(tree)
  local first = negate and function(ctx) return not truthy(c(ctx)) end or c
  local list = branches(p, t, first, { elsif = true, ["else"] = true, ["end" .. t.name] = true })
  local line = t.line
  local node
  if #list == 1 then -- no elsif, no else: the usual {% if x %}...{% endif %}
    local cond, nodes = list[1].cond, list[1].nodes
    local texts, count = L.texts(nodes), #nodes
    node = function(ctx, buf)
      ctx.line = line
      if cond(ctx) then -- (not nil nor false) run(nodes, ctx, buf), inline
        for j = 1, count do
          local s = texts[j]
          if s then
            buf[#buf + 1] = s
          else
            local r = nodes[j](ctx, buf)
            if r then return r end
          end
        end
      end
    end
  else
    node = function(ctx, buf)
      ctx.line = line
      for i = 1, #list do
        local b = list[i]
        if truthy(b.cond(ctx)) then return run(b.nodes, ctx, buf) end
      end
    end
  end
  if #list == 1 and not negate then
    if_parts[node] = { cond = tree, nodes = list[1].nodes, texts = L.texts(list[1].nodes), line = line }
  end
  if list.blank then L.mark_blank(node) end
  return node
end
tags["if"] = function(p, t) return if_node(p, t, false) end
tags.unless = function(p, t) return if_node(p, t, true) end

tags.case = function(p, t)
  local subject = compile_expr(parse_expr(t.text, t.line))
  local stops = { when = true, ["else"] = true, endcase = true }
  local _, stop = p:body(stops, t) -- text before the first when is dropped
  local list, all_blank = {}, true
  while stop.name ~= "endcase" do
    local entry = { values = nil }
    if stop.name == "when" then
      entry.values = {}
      local rest = stop.text
      while rest and rest ~= "" do
        local e, pos = parse_expr(rest, stop.line)
        entry.values[#entry.values + 1] = compile_expr(e)
        rest = rest:sub(pos):match("^%s*,%s*(.*)$") or rest:sub(pos):match("^%s*or%s+(.*)$")
      end
    end
    local blank
    entry.nodes, stop, blank = p:body(stops, t)
    if not blank then all_blank = false end
    list[#list + 1] = entry
  end
  return (all_blank and L.mark_blank or function(f) return f end)(function(ctx, buf)
    local v = subject(ctx)
    local matched = false
    for _, entry in ipairs(list) do
      if entry.values then
        for _, f in ipairs(entry.values) do
          if L.equal(f(ctx), v) then
            matched = true
            local r = run(entry.nodes, ctx, buf) -- once per matching value, as Liquid does
            if r then return r end
          end
        end
      elseif not matched then
        local r = run(entry.nodes, ctx, buf)
        if r then return r end
      end
    end
  end)
end

tags["break"] = function() return function() return "break" end end
tags["continue"] = function() return function() return "continue" end end

-- "x in coll limit: 2 offset: 1 reversed" -> var, collection expr, options
local function loop_markup(p, t)
  local var, rest = t.text:match("^([%w_%-]+)%s+in%s+(.*)$")
  if not var then syntax_error("Syntax Error in 'for loop' - Valid syntax: for [item] in [collection]", t.line) end
  local e, pos = parse_expr(rest, t.line)
  local opts, tail = {}, rest:sub(pos)
  for key, value in tail:gmatch("([%w_]+)%s*:%s*([^%s,]+)") do
    if value == "continue" then opts[key] = "continue"
    else opts[key] = compile_expr(parse_expr(value, t.line)) end
  end
  opts.reversed = tail:find("%f[%w]reversed%f[^%w]") ~= nil
  return var, compile_expr(e), opts
end

local function collection_of(v)
  if v == nil or v == false then return {} end
  if is_range(v) then return to_list(v) end
  if type(v) == "table" then
    if is_hash(v) then
      local out = {}
      for i, k in ipairs(L.hash_keys(v)) do out[i] = { k, v[k] } end
      return out
    end
    return v
  end
  if v == "" then return {} end
  return { v }
end

local function slice(ctx, list, opts, loop_key, line)
  if not (opts.offset or opts.limit or opts.reversed) then -- the whole list, as it is (no copy:
    ctx.offsets[loop_key] = #list                            -- a template cannot change it)
    return list
  end
  local from = 0
  if opts.offset == "continue" then from = ctx.offsets[loop_key] or 0
  elseif opts.offset then from = L.to_integer(opts.offset(ctx), line) end
  local limit = opts.limit and L.to_integer(opts.limit(ctx), line)
  local out = {}
  local last = limit and from + limit or #list
  for i = from + 1, math.min(last, #list) do out[#out + 1] = list[i] end
  ctx.offsets[loop_key] = from + #out
  if opts.reversed then
    local n = #out
    for i = 1, n // 2 do out[i], out[n + 1 - i] = out[n + 1 - i], out[i] end
  end
  return out
end

-- A `for` loop's forloop object: the position is one field set per item (FORLOOP_I); index,
-- index0, rindex, rindex0, first and last are computed when a template reads them (most loops
-- read none: a `for` over site.posts set six fields per post before).
local FORLOOP_I = "\0i"
local forloop_fields = {
  index = function(i) return i end,
  index0 = function(i) return i - 1 end,
  rindex = function(i, n) return n - i + 1 end,
  rindex0 = function(i, n) return n - i end,
  first = function(i) return i == 1 end,
  last = function(i, n) return i == n end,
}
local Forloop = {
  __index = function(f, k)
    local field = forloop_fields[k]
    if field then return field(rawget(f, FORLOOP_I), rawget(f, "length")) end
  end,
  -- (for json and inspect: the fields as a plain table would have them)
  __pairs = function(f)
    local i, n = rawget(f, FORLOOP_I), rawget(f, "length")
    local t = { name = rawget(f, "name"), length = n, parentloop = rawget(f, "parentloop") }
    for k, field in pairs(forloop_fields) do t[k] = field(i, n) end
    return next, t, nil
  end,
}

-- The tags a pure loop body may hold (engine.lua, loop-invariant lookups): none of them sets a
-- variable or renders another template.
local PURE_TAGS = { ["if"] = true, elsif = true, ["else"] = true, endif = true, unless = true,
                    endunless = true, case = true, when = true, endcase = true, ["for"] = true,
                    endfor = true, ["break"] = true, continue = true, echo = true, ["#"] = true }

local function pure_body(tokens, from, to)
  for i = from, to do
    local tok = tokens[i]
    if tok.kind == "tag" and not PURE_TAGS[tok.name] then return false end
  end
  return true
end

-- Filter indexes. A loop whose body is one `if` between texts, testing the item against a
-- value that is the same for every item,
--   {% for post in site.posts %}{% if post.tags contains page.tag %}...{% endif %}{% endfor %}
-- (a tag page: every one walks all the posts), runs the `if`'s body only for the items whose
-- value (post.tags, an array of strings, numbers or booleans) holds the other side (page.tag),
-- found in an index: value -> the positions of the items that hold it, made for that list on
-- its second such loop, and the texts around the `if` of each other item are appended as one
-- string (what the loop would print). The index is made again when the list holds other items
-- (folio.same_items); an item's own fields are taken not to change while it is in the list
-- (Jekyll's drops keep the fields they read, compat/jekyll/drops.lua). Any other value (a
-- string: `contains` is a substring test; a hash, a range, an array holding a table) leaves
-- the list to the plain loop.
local filter_indexes = setmetatable({}, { __mode = "k" }) -- list -> { [path] = index, or 0: seen once, or false }
local NO_HITS = {}
local same_items = folio and folio.same_items or function(a, b)
  if #a ~= #b then return false end
  for i = 1, #a do if rawequal(a[i], b[i]) == false then return false end end
  return true
end
local counters = { made = 0, runs = 0 } -- (for tests: L.filter_index_counters)
L.filter_index_counters = counters

local function plain_names(keys)
  for _, k in ipairs(keys) do if type(k) ~= "string" then return false end end
  return true
end

-- The body's shape as a filter loop -> plan, or nil (any other body).
local function filter_plan(var, nodes, texts)
  local at
  for j = 1, #nodes do
    if not texts[j] then
      if at then return nil end
      at = j
    end
  end
  local parts = at and if_parts[nodes[at]]
  if not parts then return nil end
  local e = parts.cond
  if e[1] ~= "cmp" or e[2] ~= "contains" then return nil end
  local a, b = e[3], e[4]
  if a[1] ~= "var" or a[2] ~= var or #a[3] == 0 or not plain_names(a[3]) then return nil end
  if b[1] == "var" then
    local name = b[2]
    if not name or name == var or name == "forloop" or name == "self" or not plain_names(b[3]) then return nil end
  elseif b[1] ~= "lit" then
    return nil
  end
  local pre, post = {}, {}
  for j = 1, at - 1 do pre[#pre + 1] = texts[j] end
  for j = at + 1, #nodes do post[#post + 1] = texts[j] end
  pre, post = table.concat(pre), table.concat(post)
  return { var = var, key = table.concat(a[3], "\0"), item = L.compile_plain(a), value = compile_expr(b),
           pre = pre, post = post, skip = pre .. post, parts = parts }
end

-- list[1..n] -> { n, items (a copy), map: value -> positions }, or false: not a list to index.
local function build_index(list, n, plan)
  local scope = {}
  local view = { scopes = { scope }, counters = {}, env = {} } -- (the item is all the lookup reads)
  local map = {}
  for i = 1, n do
    local item = list[i]
    if item == nil then return false end
    scope[plan.var] = item
    local v = plan.item(view)
    if type(v) == "string" then return false end
    if type(v) == "table" then
      local x = v[1]
      if x == nil and (is_range(v) or is_hash(v)) then return false end
      local j = 1
      while x ~= nil do -- (as `contains` walks it: x == value, for a value that is no table)
        local tx = type(x)
        if tx ~= "string" and tx ~= "number" and tx ~= "boolean" then return false end
        if x == x then -- (NaN equals nothing)
          local at = map[x]
          if not at then map[x] = { i } elseif at[#at] ~= i then at[#at + 1] = i end
        end
        j = j + 1; x = v[j]
      end
    end
  end
  counters.made = counters.made + 1
  return { n = n, items = table.move(list, 1, n, 1, {}), map = map }
end

-- The index of list for plan, or nil: the plain loop (a first run, or no list to index).
local function index_for(list, n, plan)
  local per = filter_indexes[list]
  if not per then per = {}; filter_indexes[list] = per end
  local index = per[plan.key]
  if index == nil then per[plan.key] = 0; return nil end
  if index == 0 or (index and (index.n ~= n or not same_items(list, index.items))) then
    index = build_index(list, n, plan)
    per[plan.key] = index
  end
  return index or nil
end

-- A filter loop's run over the items the index gives (as the plain loop would run them all).
local function run_filtered(plan, index, value, list, n, scope, forloop, ctx, buf)
  counters.runs = counters.runs + 1
  local hits = value ~= nil and index.map[value] or NO_HITS
  local var, pre, post, skip = plan.var, plan.pre, plan.post, plan.skip
  local parts = plan.parts
  local pnodes, ptexts, pline = parts.nodes, parts.texts, parts.line
  local count = #pnodes
  local prev, r = 0, nil
  for h = 1, #hits do
    local i = hits[h]
    if i > prev + 1 and skip ~= "" then buf[#buf + 1] = skip:rep(i - prev - 1) end
    scope[var] = list[i]
    forloop[FORLOOP_I] = i
    if pre ~= "" then buf[#buf + 1] = pre end
    ctx.line = pline
    r = nil
    for j = 1, count do -- (the if's body, as its node runs it)
      local s = ptexts[j]
      if s then
        buf[#buf + 1] = s
      else
        r = pnodes[j](ctx, buf)
        if r then break end
      end
    end
    if r == "break" then return end
    if not r and post ~= "" then buf[#buf + 1] = post end
    prev = i
  end
  if prev < n then
    if skip ~= "" then buf[#buf + 1] = skip:rep(n - prev) end
    ctx.line = pline
  end
end

tags["for"] = function(p, t)
  local var, coll, opts = loop_markup(p, t)
  local from = p.pos
  local loop = L.enter_loop(var)
  local nodes, stop, blank = p:body({ ["else"] = true, endfor = true }, t)
  L.leave_loop(loop)
  loop.pure = pure_body(p.tokens, from, p.pos - 2) -- (p.pos - 1: the else or endfor)
  local texts = L.texts(nodes)
  local else_nodes, else_blank, _
  if stop.name == "else" then else_nodes, _, else_blank = p:body({ endfor = true }, t) end
  local all_blank = blank and (else_nodes == nil or else_blank)
  local loop_key = var .. "-" .. t.text:match("in%s+(%S+)")
  local line = t.line
  local plan = loop.pure and filter_plan(var, nodes, texts)
  return (all_blank and L.mark_blank or function(f) return f end)(function(ctx, buf)
    ctx.line = line
    local list = slice(ctx, collection_of(coll(ctx)), opts, loop_key, line)
    local n = #list
    if n == 0 then
      if else_nodes then return run(else_nodes, ctx, buf) end
      return nil
    end
    local scope = {}
    local scopes = ctx.scopes
    local parent = ctx.forloop
    local forloop = setmetatable({ name = loop_key, length = n, parentloop = parent }, Forloop)
    scopes[#scopes + 1] = scope
    ctx.forloop = forloop
    scope.forloop = forloop
    local count = #nodes
    loop.gen = loop.gen + 1 -- a new run: lookups kept in another are not read in this one
    local index = plan and index_for(list, n, plan)
    if index then
      local value = plan.value(ctx) -- (a table: empty or blank, equal() not ==, the plain loop)
      if type(value) ~= "table" then
        run_filtered(plan, index, value, list, n, scope, forloop, ctx, buf)
        n = 0 -- (the plain loop below runs no item)
      end
    end
    for i = 1, n do
      scope[var] = list[i]
      forloop[FORLOOP_I] = i
      local r
      for j = 1, count do -- run(nodes, ctx, buf), without a call per item (nor per text)
        local s = texts[j]
        if s then
          buf[#buf + 1] = s
        else
          r = nodes[j](ctx, buf)
          if r then break end
        end
      end
      if r == "break" then break end
    end
    loop.gen = loop.gen + 1
    scopes[#scopes] = nil
    ctx.forloop = parent
  end)
end

tags.cycle = function(p, t)
  local group, rest = t.text:match("^(.-)%s*:%s*(.*)$")
  if group and not (group:find("^'[^']*'$") or group:find('^"[^"]*"$') or group:find("^[%w_%.]+$")) then
    group, rest = nil, nil
  end
  if not group or rest:find("^%s*$") then group, rest = nil, t.text end
  local values = {}
  local r = rest
  while r and not r:find("^%s*$") do
    local e, pos = parse_expr(r, t.line)
    values[#values + 1] = compile_expr(e)
    r = r:sub(pos):match("^%s*,%s*(.*)$")
  end
  local group_f = group and compile_expr(parse_expr(group, t.line))
  local key = t.text
  if not group then
    key = rest:gsub("%s+", "")
    local names = rest:gsub("'[^']*'", ""):gsub('"[^"]*"', ""):gsub("%f[%w_](%a+)%f[^%w_]", function(w)
      if w == "true" or w == "false" or w == "nil" or w == "empty" or w == "blank" then return "" end
    end)
    if names:find("[%a_]") then key = {} end -- a variable entry: this tag's own counter
  end
  return function(ctx, buf)
    local k = group_f and ("g:" .. to_s(group_f(ctx))) or key
    local i = ctx.cycles[k] or 0
    buf[#buf + 1] = to_s(values[i % #values + 1](ctx))
    ctx.cycles[k] = i + 1
  end
end

tags.increment = function(p, t)
  local name = t.text:match("^([%w_%-]+)") or ""
  return function(ctx, buf)
    local v = ctx.counters[name] or 0
    buf[#buf + 1] = to_s(v)
    ctx.counters[name] = v + 1
  end
end

tags.decrement = function(p, t)
  local name = t.text:match("^([%w_%-]+)") or ""
  return function(ctx, buf)
    local v = (ctx.counters[name] or 0) - 1
    ctx.counters[name] = v
    buf[#buf + 1] = to_s(v)
  end
end

tags.tablerow = function(p, t)
  local var, coll, opts = loop_markup(p, t)
  local nodes = p:body({ endtablerow = true }, t)
  local line = t.line
  local function int_or_nil(f, ctx)
    local v = f and f ~= "continue" and f(ctx)
    if type(v) == "number" then return math.floor(v) end
    if type(v) == "string" then local n = tonumber(v); return n and math.floor(n) end
    return nil
  end
  return function(ctx, buf)
    ctx.line = line
    local raw = coll(ctx)
    if raw == nil or raw == false then return nil end
    local list = collection_of(raw)
    local from = int_or_nil(opts.offset, ctx) or 0
    local limit = opts.limit and (int_or_nil(opts.limit, ctx) or 0)
    local items = {}
    for i = from + 1, math.min(limit and from + limit or #list, #list) do items[#items + 1] = list[i] end
    local cols = int_or_nil(opts.cols, ctx) or #items
    if cols <= 0 then cols = #items end
    local n = #items
    local scope = {}
    ctx.scopes[#ctx.scopes + 1] = scope
    local loop = { length = n }
    scope.tablerowloop = loop
    buf[#buf + 1] = '<tr class="row1">\n'
    local col, row = 1, 1
    for i = 1, n do
      scope[var] = items[i]
      loop.index, loop.index0, loop.rindex, loop.rindex0 = i, i - 1, n - i + 1, n - i
      loop.first, loop.last = i == 1, i == n
      loop.col, loop.col0, loop.row = col, col - 1, row
      loop.col_first, loop.col_last = col == 1, col == cols
      buf[#buf + 1] = '<td class="col' .. col .. '">'
      local r = run(nodes, ctx, buf)
      buf[#buf + 1] = "</td>"
      if col == cols and i ~= n then
        row = row + 1
        buf[#buf + 1] = '</tr>\n<tr class="row' .. row .. '">'
        col = 1
      else
        col = col + 1
      end
      if r == "break" then break end
    end
    buf[#buf + 1] = "</tr>\n"
    ctx.scopes[#ctx.scopes] = nil
  end
end

-- {% liquid %}: one tag per line, no delimiters.
tags.liquid = function(p, t)
  local tokens = {}
  local line = t.line
  for l in (t.text .. "\n"):gmatch("(.-)\n") do
    local name, markup = l:match("^%s*([%w_#]+)%s*(.-)%s*$")
    if name then
      if name:sub(1, 1) == "#" then markup = name:sub(2) .. markup; name = "#" end
      tokens[#tokens + 1] = { kind = "tag", name = name, text = markup, line = line, raw = l }
    end
    line = line + 1
  end
  local sub = L.new_parser(tokens, p.opts)
  local nodes = sub:body(nil)
  return function(ctx, buf) return run(nodes, ctx, buf) end
end

----------------------------------------------------------------------------------------------
-- Partials (Liquid's include and render; Jekyll's include replaces include in the plugin)

local function partial(ctx, name, line)
  local fs = ctx.file_system
  local text = fs and fs(name)
  if not text then raise("render", "Could not find partial '" .. tostring(name) .. "'", line) end
  local opts = {}
  for k, v in pairs(ctx.parse_opts) do opts[k] = v end
  opts.name, opts.line = name, 1
  return L.parse(text, opts)
end
L.partial = partial

local function partial_markup(p, t)
  local e, pos = parse_expr(t.text, t.line)
  local rest = t.text:sub(pos)
  local spec = { name = compile_expr(e), params = {} }
  local kw, x, alias = rest:match("^%s*(%a+)%s+([^%s,]+)(.*)$")
  if kw == "with" or kw == "for" then
    spec[kw] = compile_expr(parse_expr(x, t.line))
    rest = alias
    local as = rest:match("^%s*as%s+([%w_%-]+)")
    if as then spec.alias = as; rest = rest:gsub("^%s*as%s+[%w_%-]+", "") end
  end
  local as = rest:match("^%s*as%s+([%w_%-]+)")
  if as then spec.alias = as end
  local pos = 1
  while true do
    local key, vpos = rest:match("([%w_%-]+)%s*:%s*()", pos)
    if not key then break end
    local ok, e, stop = pcall(parse_expr, rest:sub(vpos), t.line)
    if not ok then break end
    spec.params[#spec.params + 1] = { key, compile_expr(e) }
    pos = vpos + stop - 1
  end
  spec.default_alias = t.text:match("^['\"]([^'\"]+)['\"]")
  return spec
end

local function run_partial(ctx, buf, spec, isolated, line)
  ctx.line = line
  local name = spec.name(ctx)
  local tpl = partial(ctx, name, line)
  if ctx.depth > 100 then raise("render", "Nesting too deep", line) end
  local alias = spec.alias or (type(name) == "string" and name:match("([^/]+)$"):gsub("%..*$", ""))
  local function one(value, forloop)
    local saved_scopes = ctx.scopes
    local scope = {}
    if isolated then
      ctx.scopes = { scope }
    else
      saved_scopes[#saved_scopes + 1] = scope
    end
    for _, kv in ipairs(spec.params) do
      ctx.scopes = isolated and { scope } or ctx.scopes
      scope[kv[1]] = (function() local s = ctx.scopes; ctx.scopes = saved_scopes; local v = kv[2](ctx); ctx.scopes = s; return v end)()
    end
    if value ~= nil then scope[alias] = value end
    if forloop then scope.forloop = forloop end
    local saved_env = ctx.env
    if isolated then ctx.env = {} end
    ctx.depth = ctx.depth + 1
    local saved_forloop, saved_cycles, saved_counters = ctx.forloop, ctx.cycles, ctx.counters
    if isolated then ctx.forloop, ctx.cycles, ctx.counters = nil, {}, {} end
    local ok, err = pcall(run, tpl.nodes, ctx, buf)
    ctx.depth = ctx.depth - 1
    ctx.env, ctx.forloop, ctx.cycles, ctx.counters = saved_env, saved_forloop, saved_cycles, saved_counters
    if isolated then ctx.scopes = saved_scopes else saved_scopes[#saved_scopes] = nil end
    if not ok then error(err, 0) end
    if not isolated then return err end
  end
  if spec["for"] then
    local v = spec["for"](ctx)
    local list = (is_hash(v) or type(v) ~= "table") and (v ~= nil and { v } or {}) or collection_of(v)
    for i, v in ipairs(list) do
      local r = one(v, isolated and { index = i, index0 = i - 1, first = i == 1, last = i == #list, length = #list,
                            rindex = #list - i + 1, rindex0 = #list - i } or nil)
      if r then return r end
    end
  else
    return one(spec.with and spec.with(ctx) or nil)
  end
end

tags.include = function(p, t)
  local spec = partial_markup(p, t)
  local line = t.line
  return function(ctx, buf) return run_partial(ctx, buf, spec, false, line) end
end

tags.render = function(p, t)
  local spec = partial_markup(p, t)
  local line = t.line
  return function(ctx, buf) run_partial(ctx, buf, spec, true, line) end
end

-- markdown_tree_driver.lua: the Lua half of the Markdown tree fuzz harness
-- (tests/fuzz/markdown_tree.c). Returns check(data), which raises "property: ..." when the tree
-- API (src/lua/lx_ast.c) breaks a promise; memory errors are for ASan to see.
--
-- data: an options byte, two length bytes, that much Markdown, then a program: each byte an
-- operation on a pool of nodes (the document's, new ones, parsed fragments), with operands
-- from the bytes after it. Operations: append, prepend, insert_before, insert_after, remove,
-- ast.new, ast.parse, field writes and reads, walk with filters that return nil, a node, a
-- list or {}, children/select iterations that edit while iterating, text(), render with hooks,
-- dropping nodes and collecting garbage. Misuse raises Lua errors, which are fine; what is
-- checked:
-- - rendering an untouched parse gives what folio.markdown.to_html gives;
-- - after every operation the tree around the nodes it touched is consistent (parent, first
--   and last child, next and prev agree), and at the end the whole document is, and select
--   sees exactly the nodes a manual walk sees;
-- - field reads give the documented types;
-- - text() and render give valid UTF-8 when every string given to the API was;
-- - in safe mode (raw_html off at parse and render, no raw HTML handed in through hooks or
--   on_enter/on_exit) the HTML has no <script and no javascript: link.
local pcall = ...
local md, ast = folio.markdown, folio.ast

local function fail(fmt, ...)
  error("property: " .. string.format(fmt, ...), 0)
end

local TYPES = { "paragraph", "heading", "text", "code", "code_block", "html_block", "html_inline",
  "emph", "strong", "link", "image", "list", "item", "block_quote", "thematic_break", "softbreak",
  "linebreak", "strikethrough", "tasklist", "custom_block", "custom_inline", "table", "document",
  "footnote_reference", "nope" }
local FIELDS = { "literal", "level", "url", "title", "info", "id", "checked", "list_type", "start",
  "tight", "on_enter", "on_exit", "type", "line", "parent", "nope" }
local FIELD_TYPES = {
  type = "string", literal = "string", level = "number", url = "string", title = "string",
  info = "string", id = "string", checked = "boolean", list_type = "string", start = "number",
  tight = "boolean", line = "number", end_line = "number", parent = "userdata", next = "userdata",
  prev = "userdata", first_child = "userdata", last_child = "userdata", on_enter = "string",
  on_exit = "string",
}

local function is_node(v)
  return type(v) == "userdata" and tostring(v):find("^folio%.node") ~= nil
end

-- The neighbourhood of `n` agrees with itself.
local function check_links(n)
  local ok, parent = pcall(function() return n.parent end)
  if not ok then return end -- a freed document: reads raise, that is the promise
  if parent ~= nil then
    local found = false
    local c = parent.first_child
    local prev = nil
    local steps = 0
    while c ~= nil do
      if c.prev ~= prev then fail("%s: prev of a child is not the child before it", tostring(c)) end
      if c.parent ~= parent then fail("%s: a child whose parent is another node", tostring(c)) end
      if c == n then found = true end
      prev = c
      c = c.next
      steps = steps + 1
      if steps > 100000 then fail("a sibling list that does not end") end
    end
    if parent.last_child ~= prev then fail("last_child is not the last child") end
    if not found then fail("%s is not among its parent's children", tostring(n)) end
  else
    if n.next ~= nil or n.prev ~= nil then fail("a node without a parent has siblings") end
  end
end

-- Every node below `root`, by a manual pre-order walk, checking each link.
local function walk_all(root)
  local list = {}
  local function visit(n, depth)
    if depth > 10000 then fail("a tree deeper than 10000") end
    local c, prev = n.first_child, nil
    while c ~= nil do
      if c.parent ~= n then fail("child of %s has parent %s", tostring(n), tostring(c.parent)) end
      if c.prev ~= prev then fail("prev link broken under %s", tostring(n)) end
      list[#list + 1] = c
      if #list > 1000000 then fail("a tree that does not end") end
      visit(c, depth + 1)
      prev = c
      c = c.next
    end
    if n.last_child ~= prev then fail("last_child of %s is wrong", tostring(n)) end
  end
  visit(root, 0)
  return list
end

local function check_fields(n)
  for field, want in pairs(FIELD_TYPES) do
    local ok, v = pcall(function() return n[field] end)
    if ok and v ~= nil and type(v) ~= want then
      fail("%s.%s is a %s, not a %s", tostring(n), field, type(v), want)
    end
  end
end

return function(data)
  local pos = 1
  local function byte()
    local b = data:byte(pos) or 0
    pos = pos + 1
    return b
  end
  local function chunk(max)
    local n = byte() % (max + 1)
    local s = data:sub(pos, pos + n - 1)
    pos = pos + n
    return s
  end

  local flags = byte()
  local safe = flags & 1 == 0
  local opts = { raw_html = not safe, smart = flags & 2 ~= 0, hardbreaks = flags & 4 ~= 0,
                 autolink = flags & 8 == 0, footnotes = flags & 16 == 0 }
  local len = byte() * 256 + byte()
  local text = data:sub(pos, pos + len - 1)
  pos = pos + #text

  -- the two ways to HTML agree on an untouched tree
  local direct = md.to_html(text, opts)
  local via_tree = md.render(md.parse(text, opts))
  if direct ~= via_tree then fail("render(parse(text)) differs from to_html(text)") end

  local doc = md.parse(text, opts)
  local docs = { doc }
  local pool = { doc }
  for n in doc:select(function() return true end) do pool[#pool + 1] = n end
  local all_utf8 = utf8.len(text) ~= nil
  local raw_used = false

  local function pick()
    if #pool == 0 then return nil end
    return pool[byte() % #pool + 1]
  end
  local function add(n)
    if is_node(n) and #pool < 300 then pool[#pool + 1] = n end
  end
  local function value()
    local k = byte() % 6
    if k == 0 then return byte() - 100
    elseif k == 1 then return byte() & 1 == 1
    elseif k == 2 then return nil
    elseif k == 3 then return math.maxinteger
    else
      local s = chunk(12)
      if utf8.len(s) == nil then all_utf8 = false end
      return s
    end
  end
  local function hooks()
    local which = byte()
    local h = {}
    local function result(name)
      local k = byte() % 3
      if k == 0 then return nil end
      if k == 1 then raw_used = true return "<x-" .. name .. ">" end
      return 42 -- not a string: an error
    end
    if which & 1 ~= 0 then h.link = function(t) return result("link") end end
    if which & 2 ~= 0 then h.image = function(t) return result("image") end end
    if which & 4 ~= 0 then h.heading = function(t) local n = pick() if n then pcall(function() n:remove() end) end return result("h") end end
    if which & 8 ~= 0 then h.codeblock = function(t) return result("code") end end
    return h
  end

  local steps = 0
  while pos <= #data and steps < 200 do
    steps = steps + 1
    local op = byte() % 18
    local a, b = pick(), pick()
    if op == 0 then pcall(function() return a:append(b) end)
    elseif op == 1 then pcall(function() return a:prepend(b) end)
    elseif op == 2 then pcall(function() return a:insert_before(b) end)
    elseif op == 3 then pcall(function() return a:insert_after(b) end)
    elseif op == 4 then pcall(function() return a:remove() end)
    elseif op == 5 then
      local fields = {}
      for _ = 1, byte() % 3 do fields[FIELDS[byte() % #FIELDS + 1]] = value() end
      local ok, n = pcall(ast.new, TYPES[byte() % #TYPES + 1], fields)
      if ok then add(n) end
    elseif op == 6 then
      local snippet = chunk(40)
      if utf8.len(snippet) == nil then all_utf8 = false end -- cmark passes bytes through
      local ok, list = pcall(ast.parse, snippet, opts)
      if ok then
        for _, n in ipairs(list) do
          add(n)
          for d in n:select(function() return true end) do add(d) end
        end
      end
    elseif op == 7 then
      local field = FIELDS[byte() % #FIELDS + 1]
      local v = value()
      local ok = pcall(function() a[field] = v end)
      if ok and (field == "on_enter" or field == "on_exit") then raw_used = true end
    elseif op == 8 then check_fields(a)
    elseif op == 9 then
      local filter = {}
      for _ = 1, byte() % 3 + 1 do
        local k = byte() % 4
        filter[TYPES[byte() % 21 + 1]] = function(n)
          if k == 0 then return nil
          elseif k == 1 then return {}
          elseif k == 2 then return pick()
          else return { pick(), n, pick() } end
        end
      end
      pcall(function() return a:walk(filter) end)
    elseif op == 10 then
      pcall(function()
        for c in a:children() do
          if byte() & 1 == 1 then c:remove() end
          add(c)
        end
      end)
    elseif op == 11 then
      pcall(function()
        for c in a:select(TYPES[byte() % 21 + 1]) do
          if byte() & 3 == 0 then c:remove() end
        end
      end)
    elseif op == 12 then
      local ok, s = pcall(function() return a:text() end)
      if ok and all_utf8 and utf8.len(s) == nil then fail("text() is not valid UTF-8") end
    elseif op == 13 then
      if #pool > 1 then table.remove(pool, byte() % #pool + 1) end
    elseif op == 14 then
      local h = hooks()
      local ok, html = pcall(md.render, a, h, { title = "p" }, { raw_html = not safe })
      if ok and all_utf8 and utf8.len(html) == nil then fail("render gave invalid UTF-8") end
    elseif op == 15 then
      if type(tostring(a)) ~= "string" then fail("tostring") end
    elseif op == 16 then
      local snippet = chunk(40)
      if utf8.len(snippet) == nil then all_utf8 = false end
      local other = md.parse(snippet, opts)
      docs[#docs + 1] = other
      add(other)
      for n in other:select(function() return true end) do add(n) end
    else
      collectgarbage("collect")
    end
    if a then check_links(a) end
    if b then check_links(b) end
  end

  for _, d in ipairs(docs) do
    local manual = walk_all(d)
    local seen = 0
    for _ in d:select(function() return true end) do seen = seen + 1 end
    if seen ~= #manual then fail("select saw %d nodes, a walk %d", seen, #manual) end
  end
  local html = md.render(doc, nil, nil, { raw_html = not safe })
  if all_utf8 and utf8.len(html) == nil then fail("the final HTML is not valid UTF-8") end
  if safe and not raw_used then
    local lower = html:lower()
    if lower:find("<script", 1, true) then fail("safe mode let a <script through:\n%s", html) end
    if lower:find("href=\"javascript:", 1, true) or lower:find("src=\"javascript:", 1, true) then
      fail("safe mode let a javascript: URL through:\n%s", html)
    end
  end
end

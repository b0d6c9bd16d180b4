-- folio.frontmatter_types: what each front matter key that folio reads must hold, and what
-- happens when it holds something else (`permalink: 42`, `tags: {a: 1}`, `title: [a, b]`,
-- `draft: "yes"`). M.check fixes a page's meta in place and reports each problem once, as a
-- warning naming the key's line in the file; the page then builds with the fallback the table in
-- docs/configuration.md ("Front matter types") documents. Keys folio does not read are left as
-- they were written (templates and plugins may want anything there).
local errors = require "folio.errors"

local M = {}

-- "text", "number", "boolean", "list" or "mapping" (an empty table counts as a list).
local function shape(v)
  local t = type(v)
  if t == "string" then return "text" end
  if t == "table" then
    local n = 0
    for _ in pairs(v) do n = n + 1 end
    return n == #v and "list" or "mapping"
  end
  return t
end

local A = { text = "text", number = "a number", boolean = "a boolean", list = "a list",
            mapping = "a mapping" }

local function as_text(v)
  if math.type(v) == "integer" then return string.format("%d", v) end
  return tostring(v)
end

-- The key's line in the file: a top-level `key:` line of the front matter.
local function line_of(where, key)
  return where.line_of and where.line_of(key) or nil
end

local function warn(where, key, message, hint)
  errors.warn(where.file, line_of(where, key), message, hint)
end

-- Text keys: a number is used as its text (`title: 2019`), a list, a mapping or true/false
-- are dropped and the key's fallback applies.
local TEXT = {
  title = "the title comes from the first heading, else the file name",
  subject = "the title comes from the first heading, else the file name",
  slug = "the slug comes from the file name, else the title",
  permalink = "the page gets the default permalink of its section",
  url = "the page gets the default permalink of its section",
  layout = "the page gets the layout of its kind (post or page)",
  description = "the page has no description",
  excerpt = "the page has no excerpt",
  menu_title = "the menu shows the page's title",
  lang = "the page has the site's language",
}
local TEXT_OR_FALSE = { layout = true } -- `layout: false`: written without a layout

local function check_text(meta, key, where, fallback)
  local v = meta[key]
  local s = shape(v)
  if s == "text" then return end
  if s == "number" then meta[key] = as_text(v); return end
  if s == "boolean" and v == false and TEXT_OR_FALSE[key] then return end
  meta[key] = nil
  warn(where, key, string.format("`%s` must be text, not %s; %s", key, A[s], fallback),
       string.format('write %s: "..." on one line (quote text that holds ": " or starts with [ or {)', key))
end

-- Date keys: text or seconds; anything else is dropped, and the next source in `date_order`
-- gives the date (folio.page reads the text, and warns when it cannot).
local DATE = { date = true, lastmod = true, last_modified_at = true }

local function check_date(meta, key, where)
  local s = shape(meta[key])
  if s == "text" or s == "number" then return end
  meta[key] = nil
  warn(where, key, string.format("`%s` must be a date, not %s; %s", key, A[s],
       key == "date" and "the date comes from the next source in date_order" or "the page's date is used"),
       "write dates as 2014-01-08, 2014-01-08 21:47 or 2014-01-08 21:47:47 +0100")
end

-- Booleans. Text that names a truth value (`draft: "yes"`) is read as it says, with a warning;
-- anything else holds the page back (draft: true / published: false), as the safer reading.
local TRUE_WORDS = { ["true"] = true, yes = true, on = true, y = true, ["1"] = true }
local FALSE_WORDS = { ["false"] = true, no = true, off = true, n = true, ["0"] = true }
local HELD_BACK = { draft = true, published = false }

local function check_boolean(meta, key, where)
  local v = meta[key]
  local s = shape(v)
  if s == "boolean" then return end
  local word = (s == "text" or s == "number") and as_text(v):lower():match("^%s*(.-)%s*$")
  local hint = string.format("write %s: true or %s: false, without quotes", key, key)
  if word and TRUE_WORDS[word] then
    meta[key] = true
    warn(where, key, string.format("`%s` should be true or false, not %s %q; read as true", key, A[s], as_text(v)), hint)
  elseif word and FALSE_WORDS[word] then
    meta[key] = false
    warn(where, key, string.format("`%s` should be true or false, not %s %q; read as false", key, A[s], as_text(v)), hint)
  else
    meta[key] = HELD_BACK[key]
    warn(where, key, string.format("`%s` must be true or false, not %s; the page is held back (as %s: %s)", key,
         A[s], key, tostring(HELD_BACK[key])), hint)
  end
end

-- Lists of names: a list, or text ("a, b" or one name). Items that are lists or mappings are
-- dropped; a mapping instead of a list drops the key.
local LIST = { tags = true, categories = true, category = true, aliases = true, redirect_from = true,
               keywords = true }

local function list_hint(key)
  return string.format("write %s: [a, b] or one item per line as `- a`", key)
end

-- Whether every item of list v is text (the usual case: the list is kept as it is).
local function all_text(v)
  for i = 1, #v do
    if type(v[i]) ~= "string" then return false end
  end
  return true
end

local function check_list(meta, key, where)
  local v = meta[key]
  local s = shape(v)
  if s == "text" then return end
  if s == "number" or s == "boolean" then meta[key] = as_text(v); return end
  if s == "mapping" then
    meta[key] = nil
    warn(where, key, string.format("`%s` must be a list, not a mapping; the page has no %s", key, key), list_hint(key))
    return
  end
  if all_text(v) then return end
  local kept, dropped = {}, 0
  for _, item in ipairs(v) do
    local is = shape(item)
    if is == "list" or is == "mapping" then dropped = dropped + 1
    else kept[#kept + 1] = is == "text" and item or as_text(item) end
  end
  meta[key] = kept
  if dropped > 0 then
    warn(where, key, string.format("`%s` must be a list of names; %d item%s that %s a list or a mapping left out",
         key, dropped, dropped == 1 and "" or "s", dropped == 1 and "is" or "are"), list_hint(key))
  end
end

-- Numbers: text that reads as a number is used as one.
local NUMBER = { weight = true }

local function check_number(meta, key, where)
  local v = meta[key]
  local s = shape(v)
  if s == "number" then return end
  if s == "text" and tonumber(v) then meta[key] = tonumber(v); return end
  meta[key] = nil
  warn(where, key, string.format("`%s` must be a number, not %s; 0 is used", key, A[s]),
       string.format("write %s: 10", key))
end

-- author: a name, or a mapping with a `name` (and email, url).
local function check_author(meta, where)
  local v = meta.author
  local s = shape(v)
  if s == "text" then return end
  if s == "number" then meta.author = as_text(v); return end
  if s == "mapping" and type(v.name) == "string" then return end
  meta.author = nil
  warn(where, "author", string.format("`author` must be a name or a mapping with a name, not %s; the site's author is used",
       s == "mapping" and "a mapping without a name" or A[s]),
       'write author: Jane Doe, or author: { name: Jane Doe, email: jane@example.org }')
end

-- output: false (nothing written) or the output path.
local function check_output(meta, where)
  local v = meta.output
  if v == false or type(v) == "string" then return end
  meta.output = nil
  warn(where, "output", string.format("`output` must be false (no file written) or a path, not %s; the page is written at its URL",
       A[shape(v)]), "remove `output`, or write output: false")
end

-- The checked keys and their checks, in the order the key tables' pairs() give them (so the
-- warnings come in the same order as a walk over each table), made once: a numeric loop over
-- one list costs less per page than five pairs() walks. CHECKS[i] = key, CHECKS[i + 1] = check,
-- CHECKS[i + 2] = its last argument (the fallback of a text key).
local CHECKS = {}
local function add_checks(keys, check, with_value)
  for key, value in pairs(keys) do
    local n = #CHECKS
    CHECKS[n + 1], CHECKS[n + 2], CHECKS[n + 3] = key, check, with_value and value or false
  end
end
add_checks(TEXT, check_text, true)
add_checks(DATE, check_date)
add_checks(HELD_BACK, check_boolean)
add_checks(LIST, check_list)
add_checks(NUMBER, check_number)

-- A page's meta holds a few keys; CHECKS holds some thirty: the keys present are found by a walk
-- over the meta (CHECK_AT: key -> its index in CHECKS), then checked in CHECKS' order (so the
-- warnings come in the same order as before).
local CHECK_AT = {}
for i = 1, #CHECKS, 3 do CHECK_AT[CHECKS[i]] = i end
local present = {} -- reused: indexes in CHECKS of the keys one meta holds (check never nests)

-- Fixes `meta` in place. `where` = { file = "content/x.md", line_of = function(key) -> line }.
-- `unchecked`: keys left as they are (a site model whose templates read them otherwise:
-- a Jekyll site's `author` may be a list).
function M.check(meta, where, unchecked)
  local count = 0
  for key in next, meta do
    local at = CHECK_AT[key]
    if at then
      local j = count -- insertion sort: a handful of entries
      while j > 0 and present[j] > at do present[j + 1] = present[j]; j = j - 1 end
      present[j + 1] = at
      count = count + 1
    end
  end
  for k = 1, count do
    local i = present[k]
    local key = CHECKS[i]
    if meta[key] ~= nil then CHECKS[i + 1](meta, key, where, CHECKS[i + 2]) end
  end
  if meta.author ~= nil and not (unchecked and unchecked.author) then check_author(meta, where) end
  if meta.output ~= nil then check_output(meta, where) end
  return meta
end

return M

-- folio.i18n: the strings of a theme in many languages (docs/multilingual.md).
--
-- This module owns the translation tables (`i18n/<lang>.lua` in each theme of the theme chain,
-- overridden key by key by the site's own `i18n/<lang>.lua`), plural forms, the fallback to
-- English with one warning per missing key, the language a render is in, dates formatted per
-- language (month and day names, a date format per language) and the text direction of a
-- language. Every Lua state loads the tables it needs on first use.
local errors = require "folio.errors"
local sitemod = require "folio.site"
local sandbox = require "folio.sandbox"

local M = {}

local config           -- the site's configuration (set by M.setup)
local tables = {}      -- lang -> merged table, or false when no file has that language
local warned = {}      -- "lang\0key" -> true: each missing key is reported once per state
local names_of = {}    -- lang -> whether its tables have month or day names
local forms_made = {}  -- "lang\0key" -> M.forms' table
local current = "en"   -- the language of the page being rendered
-- Results already worked out, reset by M.setup (a reload reads the tables again): t()'s per
-- lang -> key -> n (NO_COUNT when none), format_date's per lang -> fmt (NO_FORMAT) -> time.
-- A page asks for the same few strings and dates as every other page: most calls end here.
local texts, dates = {}, {}
local NO_COUNT, NO_FORMAT, WITH_S = {}, {}, {}

-- Languages written right to left: <html dir="rtl"> and a mirrored layout.
local RTL = { ar = true, he = true, fa = true, ur = true, yi = true, ps = true, sd = true, dv = true, ug = true, ckb = true }

-- The names languages give themselves, for the language switcher (a site's
-- `languages = { xx = { name = ... } }` or the i18n file's `language_name` wins).
M.NATIVE_NAMES = {
  ar = "العربية", de = "Deutsch", en = "English", es = "Español", fa = "فارسی", fr = "Français",
  he = "עברית", hi = "हिन्दी", it = "Italiano", ja = "日本語", ko = "한국어", nl = "Nederlands",
  pl = "Polski", pt = "Português", ru = "Русский", sv = "Svenska", tr = "Türkçe", uk = "Українська",
  ur = "اردو", zh = "中文",
}

-- "pt-BR" -> "pt": the language without its region or script.
local function base_of(lang) return (tostring(lang):lower():match("^([^-_]+)")) end

-- Remembered per language value: every page's render asks (default.html, post.html).
local directions = {}
function M.direction(lang)
  local dir = directions[lang or "en"]
  if dir then return dir end
  dir = RTL[base_of(lang or "en")] and "rtl" or "ltr"
  if type(lang) == "string" then directions[lang] = dir end
  return dir
end

function M.setup(cfg)
  config, tables, warned, names_of = cfg, {}, {}, {}
  forms_made = {}
  texts, dates = {}, {}
  current = cfg.language or "en"
end

-- CLDR plural categories, for the languages folio ships and the most common others.
local function plural_category(lang, n)
  local b = base_of(lang)
  n = math.abs(tonumber(n) or 0)
  local int = n == math.floor(n)
  if b == "ja" or b == "zh" or b == "ko" or b == "th" or b == "vi" or b == "id" or b == "tr" then return "other" end
  if b == "fr" or b == "pt" then return (n < 2) and "one" or "other" end
  if b == "ar" then
    if n == 0 then return "zero" elseif n == 1 then return "one" elseif n == 2 then return "two" end
    local r = int and n % 100 or -1
    if r >= 3 and r <= 10 then return "few" elseif r >= 11 and r <= 99 then return "many" end
    return "other"
  end
  if b == "ru" or b == "uk" or b == "pl" then
    if not int then return "other" end
    local r10, r100 = n % 10, n % 100
    if b ~= "pl" and r10 == 1 and r100 ~= 11 then return "one" end
    if b == "pl" and n == 1 then return "one" end
    if r10 >= 2 and r10 <= 4 and (r100 < 12 or r100 > 14) then return "few" end
    return "many"
  end
  return (n == 1) and "one" or "other"
end
M.plural_category = plural_category

-- Runs an i18n file: a chunk that returns a table, with no names to read.
local function read_file(text, label)
  local chunk, err = load(text, "@" .. label, "t", {})
  if not chunk then errors.fail(label, tonumber(err:match(":(%d+):")), "cannot read the translations: " .. err:gsub("^[^:]*:%d+: ", ""),
                                "an i18n file is `return { key = \"text\", ... }`") end
  if sitemod.safe then chunk = sandbox.guard(chunk, "loading " .. label, label .. ":1") end
  local ok, t = pcall(chunk)
  if not ok then errors.fail(label, nil, "cannot read the translations: " .. tostring(type(t) == "table" and t.message or t)) end
  if type(t) ~= "table" then
    errors.fail(label, nil, "the file returns " .. type(t) .. ", not a table of translations",
                "write return { min_read = { one = \"%d min read\", other = \"%d min read\" }, ... }")
  end
  return t
end

-- The merged table of one language: each theme of the chain, furthest ancestor first, then the
-- site's own file; a later file's key replaces an earlier one's. false when no file exists.
local function table_of(lang)
  local t = tables[lang]
  if t ~= nil then return t end
  local merged, found = {}, false
  local rel = "i18n/" .. lang .. ".lua"
  for _, file in ipairs(sitemod.theme_files(config, rel)) do
    for k, v in pairs(read_file(file.text, file.label)) do merged[k] = v end
    found = true
  end
  local st = folio.fs.stat(rel)
  if st and st.type == "file" then
    for k, v in pairs(read_file(folio.fs.read(rel), rel)) do merged[k] = v end
    found = true
  end
  t = found and merged or false
  tables[lang] = t
  return t
end

-- The value of `key` for `lang`: the language's table, its base language's ("pt" for "pt-BR"),
-- then nil. `plain` lookups never warn.
local function raw_lookup(key, lang)
  lang = tostring(lang or current):lower()
  local t = table_of(lang)
  local v = t and t[key]
  if v == nil then
    local b = base_of(lang)
    if b ~= lang then
      t = table_of(b)
      v = t and t[key]
    end
  end
  return v
end

function M.lookup(key, lang) return raw_lookup(key, lang) end

-- Puts `n` in place of %d, `s` (else `n`) in place of %s, and % for %%.
local function fill(text, n, s)
  if not text:find("%", 1, true) then return text end
  return (text:gsub("%%([ds%%])", function(c)
    if c == "%" then return "%" end
    if c == "s" and s ~= nil then return tostring(s) end
    return tostring(n)
  end))
end

local function pick(entry, lang, n, s)
  if type(entry) == "table" then
    local form = entry[n ~= nil and plural_category(lang, n) or "other"] or entry.other or entry.one
    return form and fill(tostring(form), n, s) or nil
  end
  if entry == nil then return nil end
  return fill(tostring(entry), n, s)
end

-- t(key [, n [, s [, lang]]]): the text of `key` in the language of the page being rendered (or
-- `lang`), in the plural form for `n` when given; `n` replaces %d, `s` replaces %s (else `n`
-- does). A key that language lacks falls back to English, with one warning per key; a key
-- English lacks too is printed as it is.
local function translate(key, n, s, lang)
  local v = raw_lookup(key, lang)
  if v == nil then
    local id = tostring(lang) .. "\0" .. tostring(key)
    if not warned[id] then
      warned[id] = true
      local has_en = raw_lookup(key, "en") ~= nil
      errors.warn("i18n/" .. tostring(lang) .. ".lua", nil,
        string.format("no translation of '%s' for language '%s' (in the theme's or the site's i18n/%s.lua); %s",
                      tostring(key), tostring(lang), tostring(lang), has_en and "the English text is used" or "the key itself is printed"),
        string.format("add %s = \"...\" to i18n/%s.lua in the site", tostring(key), tostring(lang)))
    end
    v = lang ~= "en" and raw_lookup(key, "en") or nil
    if v == nil then return fill(tostring(key), n, s) end
  end
  return pick(v, lang, n, s) or tostring(key)
end

-- plural_forms(key [, lang]): the raw forms of `key` ({ one = "%d result", other = ... }, %d
-- left in; a plain text is { other = text }) for scripts that count in the browser (search.js).
-- Falls back to English as t() does, with its warning.
-- Made once per key and language (every page's search box asks); templates only read them.
function M.forms(key, lang)
  lang = lang or current
  local id = tostring(lang) .. "\0" .. tostring(key)
  local forms = forms_made[id]
  if forms then return forms end
  local v = raw_lookup(key, lang)
  if v == nil then
    M.t(key, nil, nil, lang) -- the warning
    v = raw_lookup(key, "en")
  end
  if type(v) ~= "table" then
    forms = { other = tostring(v == nil and key or v) }
  else
    forms = {}
    for k, text in pairs(v) do forms[k] = tostring(text) end
  end
  forms_made[id] = forms
  return forms
end

-- The table under `key` in `t`, made when missing (the memo trees below are tables of tables).
local function branch(t, key)
  local sub = t[key]
  if not sub then
    sub = {}
    t[key] = sub
  end
  return sub
end

-- A call is remembered per language, key, n and s (when a string); the warning, if any, comes
-- from the first call, as before.
function M.t(key, n, s, lang)
  lang = lang or current
  local of_lang = texts[lang]
  local of_key = of_lang and key ~= nil and of_lang[key]
  if of_key then -- seen before: t("key") in two more lookups, with a count or `s` in three or four
    local slot = n == nil and NO_COUNT or n
    local text
    if s == nil then
      text = of_key[slot]
    elseif type(s) == "string" then
      local with_s = of_key[WITH_S]
      local of_slot = with_s and with_s[slot]
      text = of_slot and of_slot[s]
    end
    if text ~= nil then return text end
  end
  if key == nil or (s ~= nil and type(s) ~= "string") then return translate(key, n, s, lang) end
  local of_key = branch(branch(texts, lang), key)
  local slot = n
  if slot == nil then slot = NO_COUNT elseif slot ~= slot then return translate(key, n, s, lang) end
  if s ~= nil then -- by_author's name: a tree of its own, WITH_S -> n -> s
    of_key, slot = branch(branch(of_key, WITH_S), slot), s
  end
  local text = of_key[slot]
  if text == nil then
    text = translate(key, n, s, lang)
    of_key[slot] = text
  end
  return text
end

-- The language renders are in now (the pipeline sets it to each page's before rendering).
function M.set_current(lang) current = lang or (config and config.language) or "en" end
function M.current() return current end

-- Month and day names of a language's table replace %B %b %A %a before folio.date.format
-- (which prints the C locale's English names). `fmt` nil: the language's `date_format`.
local NAME_FIELDS = { B = "months", b = "months_short", h = "months_short", A = "days", a = "days_short" }

-- Whether a language's tables name months or days (English needs not: the C names are English).
local function has_names(lang)
  local v = names_of[lang]
  if v == nil then
    v = false
    for _, field in pairs(NAME_FIELDS) do
      if type(raw_lookup(field, lang)) == "table" then v = true; break end
    end
    names_of[lang] = v
  end
  return v
end

local function format_date(t, fmt, lang)
  fmt = fmt or raw_lookup("date_format", lang) or raw_lookup("date_format", "en") or "%B %-d, %Y"
  if fmt:find("%%[BbhAa]") and has_names(lang) then
    local month, wday
    fmt = fmt:gsub("%%([BbhAa%%])", function(c)
      if c == "%" then return "%%" end
      local names = raw_lookup(NAME_FIELDS[c], lang)
      if type(names) ~= "table" then return nil end
      local i
      if c == "A" or c == "a" then
        wday = wday or tonumber(folio.date.format(t, "%w")) + 1 -- Sunday first
        i = wday
      else
        month = month or tonumber(folio.date.format(t, "%m"))
        i = month
      end
      local name = names[i]
      return name and tostring(name):gsub("%%", "%%%%") or nil
    end)
  end
  return folio.date.format(t, fmt)
end

-- Remembered per language, format and time when the time is a number (a timestamp).
function M.format_date(t, fmt, lang)
  if not t then return "" end
  lang = lang or current
  if type(t) ~= "number" or t ~= t then return format_date(t, fmt, lang) end
  local fmt_key = fmt == nil and NO_FORMAT or fmt
  local of_lang = dates[lang]
  local seen = of_lang and of_lang[fmt_key]
  local text = seen and seen[t]
  if text ~= nil then return text end -- the usual call: three lookups
  local of_fmt = branch(branch(dates, lang), fmt_key)
  text = of_fmt[t]
  if text == nil then
    text = format_date(t, fmt, lang)
    of_fmt[t] = text
  end
  return text
end

-- For plugins: folio.i18n.lookup(key, lang) (nil when no file has it; never warns) and
-- folio.i18n.format_date(t, fmt, lang).
if rawget(_G, "folio") then
  folio.i18n = { lookup = M.lookup, format_date = M.format_date, direction = M.direction }
end

return M

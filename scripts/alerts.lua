-- alerts.lua: GitHub alerts. A blockquote whose first line is `[!NOTE]`, `[!TIP]`,
-- `[!IMPORTANT]`, `[!WARNING]` or `[!CAUTION]` (any case, alone on its line) becomes a callout:
--
--   > [!WARNING]
--   > Back up first.
--
--   <div class="alert alert-warning" role="note"><p class="alert-title">Warning</p>
--   <p>Back up first.</p>
--   </div>
--
-- The marker is removed and the rest of the blockquote (lists, code, more paragraphs) is moved
-- into the callout as it is. An unknown type, a marker that is not the first thing in the
-- blockquote, a marker with text after it on its line, or a blockquote holding nothing but the
-- marker are left as plain blockquotes, as GitHub does. Works at any depth (inside list items).
--
-- Titles: the TITLES table below; a theme's theme.lua (loaded before plugins) may set
-- `folio.alert_titles`, and site.lua's options win over both:
--   { "alerts", titles = { note = "Hinweis", de = { warning = "Warnung" } } }
-- A table under a language code applies to pages whose `lang` (else site.lua's `language`) is it;
-- the theme's i18n/<lang>.lua keys alert_note, alert_tip... come after the site's options.
-- Runs at the ast stage (filter on block_quote), default order.
local opts = ... or {}

-- The callout types, in GitHub's order, with their English titles (the strings to translate).
local TITLES = {
  note = "Note",
  tip = "Tip",
  important = "Important",
  warning = "Warning",
  caution = "Caution",
}

-- Language-independent overrides (plain string values) from the theme, then the site.
local function merge_plain(into, from)
  for key, value in pairs(from or {}) do
    if type(value) == "string" then into[key] = value end
  end
  return into
end

local theme_titles = type(folio.alert_titles) == "table" and folio.alert_titles or {}
local site_titles = type(opts.titles) == "table" and opts.titles or {}
local base_titles = merge_plain(merge_plain(merge_plain({}, TITLES), theme_titles), site_titles)

-- The title of `kind` for `page`: a per-language table of the site, then of the theme, then
-- the site's language-independent title, then the theme's translation files (`alert_note`...
-- in i18n/<lang>.lua, docs/multilingual.md), then the theme's or the English title.
local function title_of(kind, page)
  local lang = page and page.lang or (folio.config and (folio.config.language or folio.config.lang))
  if lang then
    for _, source in ipairs { site_titles, theme_titles } do
      local per_lang = source[lang]
      if type(per_lang) == "table" and type(per_lang[kind]) == "string" then return per_lang[kind] end
    end
  end
  if type(site_titles[kind]) == "string" then return site_titles[kind] end
  local translated = lang and folio.i18n and folio.i18n.lookup("alert_" .. kind, lang)
  if type(translated) == "string" then return translated end
  return base_titles[kind]
end

-- The leading inline nodes of `para` that make up its first line, and the break after them
-- (nil when the paragraph is one line).
local function first_line(para)
  local nodes, text = {}, {}
  for child in para:children() do
    if child.type == "softbreak" or child.type == "linebreak" then return nodes, text, child end
    if child.type ~= "text" then return nil end -- emphasis, code, a link...: not a bare marker
    nodes[#nodes + 1] = child
    text[#text + 1] = child.literal
  end
  return nodes, text, nil
end

-- The alert type named by the blockquote's first line, and the nodes that spell the marker.
local function marker_of(quote)
  local para = quote.first_child
  if not para or para.type ~= "paragraph" then return nil end
  local nodes, text, line_break = first_line(para)
  if not nodes or #nodes == 0 then return nil end
  local kind = table.concat(text):match("^%[!(%a+)%][ \t]*$")
  kind = kind and kind:lower()
  if not kind or not TITLES[kind] then return nil end
  local has_more = line_break ~= nil or para.next ~= nil
  if not has_more then return nil end -- only the marker: GitHub shows a plain blockquote
  if line_break then nodes[#nodes + 1] = line_break end
  return kind, para, nodes
end

local function callout(kind, page)
  local title = folio.escape(title_of(kind, page))
  return folio.ast.new("custom_block", {
    on_enter = '<div class="alert alert-' .. kind .. '" role="note"><p class="alert-title">'
      .. title .. "</p>",
    on_exit = "</div>",
  })
end

folio.hook("ast", {
  block_quote = function(quote, page)
    local kind, para, marker = marker_of(quote)
    if not kind then return nil end
    for _, node in ipairs(marker) do node:remove() end
    if not para.first_child then para:remove() end
    local box = callout(kind, page)
    for child in quote:children() do box:append(child:remove()) end
    return box
  end,
})

-- emoji.lua: GitHub emoji shortcodes (`:sparkles:`, `:+1:`) become the Unicode emoji.
--
-- Plugin: on when "emoji" is listed in site.lua's `plugins`.  Works on the Markdown tree, so
-- only text is touched: code spans, code blocks, raw HTML and link URLs are other node types,
-- and the visible text of an autolink (which is its URL) is skipped too.  Names it does not
-- know stay as written.  The table (about 1,900 names) is generated at build time by
-- tools/gen_emoji.lua and built into folio as scripts/emoji_data.lua.
--
-- Options (site.lua: `{ "emoji", extra = { shipit = "🐿️" } }`):
--   extra   a table of more names, or names to override
local opts = ... or {}

local emoji = assert(folio.embedded.load("scripts/emoji_data.lua", {}))()
if opts.extra then
  local merged = setmetatable({}, { __index = emoji })
  for name, value in pairs(opts.extra) do merged[name] = value end
  emoji = merged
end

local NAME = "^[%w_+%-]+$"

-- Replaces every known `:name:` in s.  A colon that closes an unknown name may open the next
-- one, so `:nope:tada:` gives ":nope🎉" as on GitHub.  Returns nil when nothing changed.
local function replace(s)
  local out, last, pos, changed = {}, 1, 1, false
  while true do
    local open = s:find(":", pos, true)
    if not open then break end
    local close = s:find(":", open + 1, true)
    if not close then break end
    local name = s:sub(open + 1, close - 1)
    local value = name:find(NAME) and emoji[name]
    if value then
      out[#out + 1] = s:sub(last, open - 1)
      out[#out + 1] = value
      last, pos, changed = close + 1, close + 1, true
    else
      pos = close
    end
  end
  if not changed then return nil end
  out[#out + 1] = s:sub(last)
  return table.concat(out)
end

-- An autolink's text is its URL (`https://example.com/:x:/`); leave it as written.
local function is_autolink_text(url, text)
  return url == text or url:sub(-#text) == text -- mailto: is added to e-mail autolinks
end

-- Whether `s` holds something shaped like a shortcode. Jumps from colon to colon with a plain
-- find: a pattern search tried at every byte costs more than the rest of this plugin.
local function has_shortcode(s)
  local pos = 1
  while true do
    local colon = s:find(":", pos, true)
    if not colon then return false end
    if s:find("^[%w_+%-]+:", colon + 1) then return true end
    pos = colon + 1
  end
end

folio.hook("ast", function(doc, page)
  -- Most pages have no shortcode at all; don't walk their trees.
  local source = page and page.source
  if source and not has_shortcode(source) then return end

  -- The parser splits text at some characters (cmark-gfm's autolinker stops at every ':'), so
  -- `:sparkles:` may arrive as several neighbouring text nodes: rewrite_text gives each run of
  -- them as one string (in C, without a Lua object per node), and only runs with a colon.
  doc:rewrite_text(function(text, link_url)
    if link_url and is_autolink_text(link_url, text) then return nil end
    return replace(text)
  end, ":")
end)

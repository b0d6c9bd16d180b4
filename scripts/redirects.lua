-- redirects.lua: old URLs that lead to a page's new one, from its `aliases` front matter (a
-- string or a list; Jekyll's `redirect_from` works too):
--
--   aliases: [ /2014/01/08/old-post.html, /old-post/ ]
--
-- Each alias becomes a small HTML page (kind "alias") with a meta refresh, a canonical link
-- and a plain link to the page's absolute URL. An alias that ends in `/` is written as
-- `<alias>index.html`; one whose last part has an extension (`.html`, `.php`) is written under
-- exactly that name; any other (`/old-post`) gets a `/` added. An alias whose URL is already a
-- page is skipped with a warning. No options. Runs at the site stage with order 80.
local function as_list(v)
  if type(v) == "table" then return v end
  return v and { v } or {}
end

local function normalise(alias)
  alias = tostring(alias):gsub("^%s+", ""):gsub("%s+$", ""):gsub("^https?://[^/]+", "")
  if alias:sub(1, 1) ~= "/" then alias = "/" .. alias end
  if alias:sub(-1) ~= "/" and not alias:match("%.%w+$") then alias = alias .. "/" end
  return alias
end

local function redirect_html(target)
  local to = folio.escape(target)
  return table.concat({
    "<!DOCTYPE html>",
    '<html lang="en">',
    '<head><meta charset="utf-8"><title>Redirecting…</title>',
    '<link rel="canonical" href="' .. to .. '">',
    '<meta name="robots" content="noindex">',
    '<meta http-equiv="refresh" content="0; url=' .. to .. '"></head>',
    '<body><p>This page has moved to <a href="' .. to .. '">' .. to .. "</a>.</p></body>",
    "</html>", "" }, "\n")
end

folio.hook("site", function(site)
  local root = site.base_url:gsub("/$", "")
  local function find(url) return site:find(url) end
  local function add_page(t) return site:add_page(t) end
  local pages = {}
  for _, page in ipairs(site.pages) do
    if page.path and page.output ~= false then pages[#pages + 1] = page end
  end
  for _, page in ipairs(pages) do
    for _, list in ipairs({ page.aliases or {}, page.redirect_from or {} }) do -- either may be nil
      for _, alias in ipairs(as_list(list)) do
        local url = normalise(alias)
        if find(url) then
          folio.warn("redirects: " .. url .. " is already a page; alias of " .. page.url .. " skipped")
        else
          add_page({ url = url, kind = "alias", layout = false, target = page.url,
                          content = redirect_html(root .. page.url) })
        end
      end
    end
  end
end, { order = 80 })

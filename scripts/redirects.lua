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

-- A page's aliases (folio.site_hook's part): { { url =, content = }, ... }, or nil.
-- (most pages have neither field: no tables are made for them)
local function aliases_of(page, root)
  if not page.path or page.output == false then return nil end
  local aliases, redirect_from = page.aliases, page.redirect_from
  if not aliases and not redirect_from then return nil end
  local out = nil
  for _, list in ipairs({ aliases or {}, redirect_from or {} }) do -- either may be nil
    for _, alias in ipairs(as_list(list)) do
      out = out or {}
      out[#out + 1] = { url = normalise(alias), target = page.url }
    end
  end
  return out
end

local with_aliases = 0 -- how many pages had aliases in the last run

folio.site_hook {
  name = "redirects",
  order = 80,
  per_page = function(page, site) return aliases_of(page, site.base_url) end,
  combine = function(site, parts, changes)
    if changes.same and with_aliases == 0 then return end
    local root = site.base_url:gsub("/$", "")
    with_aliases = 0
    for _, page in ipairs(site.pages) do
      local list = parts[page]
      if list then
        with_aliases = with_aliases + 1
        for _, a in ipairs(list) do
          if site:find(a.url) then
            folio.warn("redirects: " .. a.url .. " is already a page; alias of " .. a.target .. " skipped")
          else
            site:add_page({ url = a.url, kind = "alias", layout = false, target = a.target,
                            content = redirect_html(root .. a.target) })
          end
        end
      end
    end
  end,
}

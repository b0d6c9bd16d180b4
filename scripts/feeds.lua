-- feeds.lua: Atom 1.0 (/atom.xml) and JSON Feed 1.1 (/feed.json) of the posts, and of each
-- taxonomy term (/tags/<slug>/atom.xml, /tags/<slug>/feed.json) when the taxonomies plugin is on.
--
-- Options (site.lua: `{ "feeds", content = "summary", limit = 10 }`):
--   content   "full" (default): the whole body; "summary": page.summary_html (summary plugin),
--             else the description, else (no summary at all) the whole body
--   limit     most entries per feed (default 20)
--   formats   { "atom", "json" } (default both)
--   terms     feeds per taxonomy term (default true)
--   section   the section in the site feed (default "posts"; false: every dated page)
--
-- URLs are absolute, from site.lua's base_url; links in the content that start with `/` are
-- made absolute too. Dates are RFC 3339 with the site's offset. The author is the page's
-- `author`, else site.lua's `author` (a name, or { name =, email =, url = }), else the site
-- title. Sets site.feed_links = { { href = absolute URL, url = site-relative URL, type =,
-- title = }, ... } for the theme's <head>, and page.feed_links on each term page. Runs at the site stage with order 60.
local opts = ... or {}
local limit = opts.limit or 20
local formats = opts.formats or { "atom", "json" }
local section = opts.section == nil and "posts" or opts.section

local esc = folio.escape

-- JSON ----------------------------------------------------------------------------------------
local array, json = folio.json.array, folio.json.encode

-- Feed data -----------------------------------------------------------------------------------
local function author_of(v, fallback)
  if type(v) == "table" and v.name then return v end
  if type(v) == "string" and v ~= "" then return { name = v } end
  return fallback
end

local function body_of(page)
  if opts.content == "summary" then
    local html = page.summary_html or (page.description and "<p>" .. esc(page.description) .. "</p>")
    if html and html ~= "" then return html end
  end
  return page.content or ""
end

-- One feed: `pages` newest first; `url` is where the HTML list lives, `path` the feed's folder.
local function write(site, title, list_url, folder, pages)
  local root = site.base_url:gsub("/$", "")
  local function abs(u) return root .. u end
  local function absolute_links(html) -- href="/x" and src="/x", not href="//host/x"
    for _, attr in ipairs({ "href", "src" }) do
      html = html:gsub("(%s" .. attr .. '=")/([^/])', function(a, c) return a .. root .. "/" .. c end)
    end
    return html
  end
  local entries = table.move(pages, 1, math.min(limit, #pages), 1, {})
  local updated = 0
  for _, p in ipairs(entries) do updated = math.max(updated, p.lastmod or p.date or 0) end
  if updated == 0 then updated = os.time() end
  local site_author = author_of(site.author, { name = site.title or "" })
  local links = {}

  for _, format in ipairs(formats) do
    local url = folder .. (format == "atom" and "atom.xml" or "feed.json")
    local out
    if format == "atom" then
      out = {
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        "<title>" .. esc(title) .. "</title>",
        '<link rel="self" type="application/atom+xml" href="' .. esc(abs(url)) .. '"/>',
        '<link rel="alternate" type="text/html" href="' .. esc(abs(list_url)) .. '"/>',
        "<id>" .. esc(abs(url)) .. "</id>",
        "<updated>" .. folio.date.iso(updated) .. "</updated>",
        "<author><name>" .. esc(site_author.name) .. "</name></author>",
        '<generator version="' .. esc(folio.version or "") .. '">folio</generator>',
      }
      if (site.description or "") ~= "" then out[#out + 1] = "<subtitle>" .. esc(site.description) .. "</subtitle>" end
      for _, p in ipairs(entries) do
        local a = author_of(p.author)
        out[#out + 1] = "<entry>\n<title>" .. esc(p.title or "") .. "</title>\n"
          .. '<link rel="alternate" type="text/html" href="' .. esc(abs(p.url)) .. '"/>\n'
          .. "<id>" .. esc(abs(p.url)) .. "</id>\n"
          .. "<published>" .. folio.date.iso(p.date) .. "</published>\n"
          .. "<updated>" .. folio.date.iso(p.lastmod or p.date) .. "</updated>"
        if a then out[#out + 1] = "<author><name>" .. esc(a.name) .. "</name></author>" end
        for _, tag in ipairs(p.taxonomies and p.taxonomies.tags or {}) do
          out[#out + 1] = '<category term="' .. esc(tag.slug) .. '" label="' .. esc(tag.name) .. '"/>'
        end
        if p.summary and p.summary ~= "" then
          out[#out + 1] = '<summary type="text">' .. esc(p.summary) .. "</summary>"
        end
        out[#out + 1] = '<content type="html">' .. esc(absolute_links(body_of(p))) .. "</content>\n</entry>"
      end
      out[#out + 1] = "</feed>\n"
      out = table.concat(out, "\n")
    else
      local items = array({})
      for _, p in ipairs(entries) do
        local a = author_of(p.author)
        local tags = array({})
        for _, tag in ipairs(p.taxonomies and p.taxonomies.tags or {}) do tags[#tags + 1] = tag.name end
        items[#items + 1] = {
          id = abs(p.url), url = abs(p.url), title = p.title,
          content_html = absolute_links(body_of(p)),
          summary = p.summary ~= "" and p.summary or nil,
          date_published = folio.date.iso(p.date),
          date_modified = folio.date.iso(p.lastmod or p.date),
          authors = a and array({ { name = a.name, url = a.url } }) or nil,
          tags = #tags > 0 and tags or nil,
        }
      end
      out = json({
        version = "https://jsonfeed.org/version/1.1", title = title,
        home_page_url = abs(list_url), feed_url = abs(url),
        description = (site.description or "") ~= "" and site.description or nil,
        language = site.language, authors = array({ { name = site_author.name, url = site_author.url } }),
        items = items,
      }) .. "\n"
    end
    site:add_page({ url = url, kind = "feed", layout = false, content = out })
    links[#links + 1] = { href = abs(url), url = url, title = title,
                          type = format == "atom" and "application/atom+xml" or "application/feed+json" }
  end
  return links
end

folio.hook("site", function(site)
  local posts = {}
  for _, p in ipairs(site.pages) do
    if p.path and p.date and p.output ~= false and (not section or p.section == section) then
      posts[#posts + 1] = p
    end
  end
  site.feed_links = write(site, site.title or "", "/", "/", posts)
  if opts.terms == false then return end
  for _, terms in pairs(site.taxonomies or {}) do
    for _, term in ipairs(terms) do
      local list = site:find(term.url)
      local links = write(site, (list and list.title or term.name) .. " · " .. (site.title or ""),
                          term.url, term.url, term.pages)
      if list then list.feed_links = links end
    end
  end
end, { order = 60 })

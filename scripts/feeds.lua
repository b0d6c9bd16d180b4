-- feeds.lua: Atom 1.0 (/atom.xml) and JSON Feed 1.1 (/feed.json) of the posts, and of each
-- taxonomy term (/tags/<slug>/atom.xml, /tags/<slug>/feed.json) when the taxonomies plugin is on.
--
-- Options (site.lua: `{ "feeds", content = "summary", limit = 10 }`):
--   content   the site feed's entries: "full" (default): the whole body; "summary":
--             page.summary_html (summary plugin), else the description, else (no summary at
--             all) the whole body
--   term_content  the term feeds' entries, the same choices (default: `content` when it is
--             given, else "summary": a term feed repeats posts of the site feed, as Hugo's do)
--   limit     most entries per feed (default 20)
--   formats   { "atom", "json" } (default both)
--   terms     feeds per taxonomy term (default true)
--   section   the section in the site feed (default "posts"; false: every dated page)
--   atom_name the Atom feed's file name (default "atom.xml"; Jekyll sites: "feed.xml")
--
-- URLs are absolute, from site.lua's base_url; links in the content that start with `/` are
-- made absolute too. Dates are RFC 3339 with the site's offset. A feed's <updated> is its newest
-- entry's date (an empty feed: the newest page's), so an unchanged site builds the same bytes. The author is the page's
-- `author`, else site.lua's `author` (a name, or { name =, email =, url = }), else the site
-- title. Sets site.feed_links = { { href = absolute URL, url = site-relative URL, type =,
-- title = }, ... } for the theme's <head>, and page.feed_links on each term page. Runs at the site stage with order 60.
local opts = ... or {}
local limit = opts.limit or 20
local formats = opts.formats or { "atom", "json" }
local section = opts.section == nil and "posts" or opts.section
local atom_name = opts.atom_name or "atom.xml"
local site_content = opts.content or "full"
local term_content = opts.term_content or opts.content or "summary"

local esc = folio.escape

-- JSON ----------------------------------------------------------------------------------------
local array, json = folio.json.array, folio.json.encode

-- A JSON string exactly as folio.json.encode writes it: folio.json_string (C), else LPeg for
-- long HTML.
local lpeg = require("lpeg")
local escapes = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\t"] = "\\t", ["\r"] = "\\r" }
for c = 0, 31 do escapes[string.char(c)] = escapes[string.char(c)] or string.format("\\u%04x", c) end
escapes["\127"] = "\\u007f"
local special = lpeg.S('"\\') + lpeg.R("\0\31", "\127\127")
local json_string = lpeg.Cc('"') * lpeg.Cs(((1 - special) ^ 1 + special / escapes) ^ 0) * lpeg.Cc('"')
local json_str = folio.json_string or function(s) return table.concat({ json_string:match(s) }) end

-- A JSON item's text, with its keys in folio.json.encode's (sorted) order, made directly: the
-- generic encoder sorts and copies each item's long content_html again. A value of a shape
-- this does not write (a title that is a number, say) sends the item to json() as it is.
local ITEM_KEYS = { "authors", "content_html", "date_modified", "date_published", "id", "summary",
                    "tags", "title", "url" }
local function item_json(item)
  local parts = {}
  for _, key in ipairs(ITEM_KEYS) do
    local v = item[key]
    if v ~= nil then
      local text
      if type(v) == "string" then
        text = json_str(v)
      elseif key == "tags" then
        for i = 1, #v do if type(v[i]) ~= "string" then return json(item) end end
        local quoted = {}
        for i = 1, #v do quoted[i] = json_str(v[i]) end
        text = "[" .. table.concat(quoted, ",") .. "]"
      elseif key == "authors" then
        local a = v[1]
        if type(a.name) ~= "string" or (a.url ~= nil and type(a.url) ~= "string") then return json(item) end
        text = '[{"name":' .. json_str(a.name) .. (a.url and ',"url":' .. json_str(a.url) or "") .. "}]"
      else
        return json(item)
      end
      parts[#parts + 1] = '"' .. key .. '":' .. text
    end
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

-- Feed data -----------------------------------------------------------------------------------
local function author_of(v, fallback)
  if type(v) == "table" and v.name then return v end
  if type(v) == "string" and v ~= "" then return { name = v } end
  return fallback
end

local function body_of(page, content)
  if content == "summary" then
    local html = page.summary_html or (page.description and "<p>" .. esc(page.description) .. "</p>")
    if html and html ~= "" then return html end
  end
  return page.content or ""
end

-- What the last run wrote (folio serve), by feed URL: { key = { header, entries... }, out = the
-- file, link = its entry in feed_links }; by folder: the feed_links list. Reused when the same,
-- so that unchanged feeds cost no work and keep their tables (pagination compares them).
local last_files, files = {}, {}
local last_links, links_now = {}, {}

-- The file for `url` made from the header text and the entry strings `parts`: the last run's
-- when they are the same, else make().
local function file_for(url, parts, make)
  local before = last_files[url]
  if before and #before.key == #parts then
    local same = true
    for i = 1, #parts do
      if before.key[i] ~= parts[i] then same = false; break end
    end
    if same then files[url] = before; return before.out end
  end
  local out = make()
  files[url] = { key = parts, out = out }
  return out
end

-- What each feed folder's write made in the last run (folio serve), by folder: { entries = the
-- pages it showed, inputs = what else it read (feed_inputs), files = { { url, content,
-- minified }, ... }, links }; given again whole when the same pages show and none of them
-- changed (a body edit of an older post).
local last_writes, writes = {}, {}
local changed_now = function() return true end -- changes.changed of the run
local same_items = folio.same_items

-- What a feed's files show besides its entries: its title, list URL and content mode, and the
-- site's fields they read (positions 1..8; some may be nil).
local function feed_inputs(site, title, list_url, content)
  return { title, list_url, content, site.base_url, site.title, site.description, site.language, site.author }
end

-- The last run's write of `folder` when it holds again (see last_writes), else nil.
local function same_write(folder, entries, inputs)
  local w = last_writes[folder]
  if not (w and #entries > 0 and same_items(w.entries, entries)) then return nil end
  for i = 1, 8 do
    if w.inputs[i] ~= inputs[i] then return nil end
  end
  for _, p in ipairs(entries) do
    if changed_now(p) then return nil end
  end
  return w
end

-- One feed: `pages` newest first; `url` is where the HTML list lives, `path` the feed's folder.
-- `cache` keeps, per page, what every feed of its kind (`content`: "full" or "summary") writes
-- the same (a page is in several feeds): its content with absolute links, its Atom entry and its
-- JSON item.
local function write(site, title, list_url, folder, pages, cache, content)
  local entries = table.move(pages, 1, math.min(limit, #pages), 1, {})
  local inputs = feed_inputs(site, title, list_url, content)
  local again = same_write(folder, entries, inputs)
  if again then
    for _, p in ipairs(entries) do -- (kept for the next run's cache)
      local _ = cache.body[p], cache.atom[p], cache.json[p]
    end
    for _, f in ipairs(again.files) do
      site:add_page({ url = f.url, kind = "feed", layout = false, content = f.content, minified = f.minified })
      files[f.url] = last_files[f.url]
    end
    links_now[folder], writes[folder] = again.links, again
    return again.links
  end
  local written = {}
  local root = site.base_url:gsub("/$", "")
  local function abs(u) return root .. u end
  local function absolute_links(html) -- href="/x" and src="/x", not href="//host/x"
    for _, attr in ipairs({ "href", "src" }) do
      if html:find(attr .. '="/', 1, true) then -- else the pattern cannot match
        html = html:gsub("(%s" .. attr .. '=")/([^/])', function(a, c) return a .. root .. "/" .. c end)
      end
    end
    return html
  end
  local function body(p)
    local c = cache.body[p]
    if not c then c = absolute_links(body_of(p, content)); cache.body[p] = c end
    return c
  end
  local updated = 0
  for _, p in ipairs(entries) do updated = math.max(updated, p.lastmod or p.date or 0) end
  if updated == 0 then -- an empty feed: the newest page's date, never the build time (reproducible)
    local newest = site.pages[1]
    updated = newest and (newest.lastmod or newest.date) or 0
  end
  local site_author = author_of(site.author, { name = site.title or "" })
  local links = {}

  for _, format in ipairs(formats) do
    local url = folder .. (format == "atom" and atom_name or "feed.json")
    local out
    if format == "atom" then
      local head = {
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
      if (site.description or "") ~= "" then head[#head + 1] = "<subtitle>" .. esc(site.description) .. "</subtitle>" end
      local parts = { table.concat(head, "\n") }
      for _, p in ipairs(entries) do
        local entry = cache.atom[p]
        if not entry then
          local a = author_of(p.author)
          local e = { "<entry>\n<title>" .. esc(p.title or "") .. "</title>\n"
            .. '<link rel="alternate" type="text/html" href="' .. esc(abs(p.url)) .. '"/>\n'
            .. "<id>" .. esc(abs(p.url)) .. "</id>\n"
            .. "<published>" .. folio.date.iso(p.date) .. "</published>\n"
            .. "<updated>" .. folio.date.iso(p.lastmod or p.date) .. "</updated>" }
          if a then e[#e + 1] = "<author><name>" .. esc(a.name) .. "</name></author>" end
          local tax = p.taxonomies
          for _, tag in ipairs(tax and tax.tags or {}) do
            e[#e + 1] = '<category term="' .. esc(tag.slug) .. '" label="' .. esc(tag.name) .. '"/>'
          end
          if p.summary and p.summary ~= "" then
            e[#e + 1] = '<summary type="text">' .. esc(p.summary) .. "</summary>"
          end
          e[#e + 1] = '<content type="html">' .. esc(body(p)) .. "</content>\n</entry>"
          entry = table.concat(e, "\n")
          cache.atom[p] = entry
        end
        parts[#parts + 1] = entry
      end
      out = file_for(url, parts, function() return table.concat(parts, "\n") .. "\n</feed>\n" end)
    else
      local items = {}
      for _, p in ipairs(entries) do
        if not cache.json[p] then
          local a = author_of(p.author)
          local tags = array({})
          local tax = p.taxonomies
          for _, tag in ipairs(tax and tax.tags or {}) do tags[#tags + 1] = tag.name end
          local item = {
            id = abs(p.url), url = abs(p.url), title = p.title,
            content_html = body(p),
            summary = p.summary ~= "" and p.summary or nil,
            date_published = folio.date.iso(p.date),
            date_modified = folio.date.iso(p.lastmod or p.date),
            authors = a and array({ { name = a.name, url = a.url } }) or nil,
            tags = #tags > 0 and tags or nil,
          }
          cache.json[p] = item_json(item)
        end
        items[#items + 1] = cache.json[p]
      end
      -- The feed with no items, then the items put in: `"items":[]` occurs once, as a key
      -- (quotes inside JSON strings are escaped).
      local head = json({
        version = "https://jsonfeed.org/version/1.1", title = title,
        home_page_url = abs(list_url), feed_url = abs(url),
        description = (site.description or "") ~= "" and site.description or nil,
        language = site.language, authors = array({ { name = site_author.name, url = site_author.url } }),
        items = array({}),
      })
      local parts = { head }
      for i, item in ipairs(items) do parts[i + 1] = item end
      out = file_for(url, parts, function()
        local s, e = head:find('"items":[]', 1, true)
        return head:sub(1, s + 8) .. table.concat(items, ",") .. head:sub(e) .. "\n"
      end)
    end
    -- (the JSON is as compact as the minifier makes it: written as it is)
    site:add_page({ url = url, kind = "feed", layout = false, content = out, minified = format == "json" })
    written[#written + 1] = { url = url, content = out, minified = format == "json" }
    local link = { href = abs(url), url = url, title = title,
                   type = format == "atom" and "application/atom+xml" or "application/feed+json" }
    local before = last_files[url]
    if files[url] == before and before.link and before.link.title == title and before.link.href == link.href then
      link = before.link
    end
    files[url].link = link
    links[#links + 1] = link
  end
  local before = last_links[folder]
  if before and #before == #links then
    local same = true
    for i = 1, #links do if before[i] ~= links[i] then same = false; break end end
    if same then links = before end
  end
  links_now[folder] = links
  writes[folder] = { entries = entries, inputs = inputs, files = written, links = links }
  return links
end

-- What every feed writes the same of a page (its body with absolute links, its Atom entry, its
-- JSON item), kept from the last run (folio serve) for the pages that did not change.
-- One such set per content mode: { full = { body =, atom =, json = }, summary = ... }.
local function empty_caches()
  return { full = { body = {}, atom = {}, json = {} }, summary = { body = {}, atom = {}, json = {} } }
end
local last_cache = empty_caches()

local function new_cache(changed)
  local caches = {}
  for mode, before_all in pairs(last_cache) do
    local cache = {}
    for kind, before in pairs(before_all) do
      cache[kind] = setmetatable({}, { __index = function(t, p)
        if changed(p) then return nil end
        local v = before[p]
        if v ~= nil then t[p] = v end
        return v
      end })
    end
    caches[mode] = cache
  end
  return caches
end

-- One language's feeds (a multilingual site has a view per language, folio.language_views):
-- the site feed at <prefix>/atom.xml, a term's under the term's own URL.
local function language_feeds(site, cache)
  local prefix = site.lang_prefix or ""
  -- Only the `limit` newest posts are read.
  local posts = {}
  for _, p in ipairs(site.pages) do
    if #posts >= limit then break end
    if p.path and p.date and p.output ~= false and (not section or p.section == section) then
      posts[#posts + 1] = p
    end
  end
  site.feed_links = write(site, site.title or "", prefix .. "/", prefix .. "/", posts,
                          cache[site_content] or cache.full, site_content)
  if opts.terms == false then return end
  local function find(url) return site:find(url) end
  for _, terms in pairs(rawget(site, "taxonomies") or {}) do
    for _, term in ipairs(terms) do
      local list = find(term.url)
      local links = write(site, (list and list.title or term.name) .. " · " .. (site.title or ""),
                          term.url, term.url, term.pages, cache[term_content] or cache.full, term_content)
      if list then list.feed_links = links end
    end
  end
end

-- Every language's feeds; what this run wrote (files, links_now) is gathered over all of them.
local function combine(root, cache)
  files, links_now = {}, {}
  for _, site in ipairs(folio.language_views and folio.language_views(root) or { root }) do
    language_feeds(site, cache)
  end
end

folio.site_hook {
  name = "feeds",
  order = 60,
  -- entries read the page's title, url, dates, author, tags (page.taxonomies), summary, body
  combine = function(site, _, changes)
    local cache = new_cache(changes.changed)
    changed_now, writes = changes.first and function() return true end or changes.changed, {}
    local ok, err = pcall(combine, site, cache)
    if not ok then -- start again from nothing next time
      last_cache, last_files, last_links, last_writes = empty_caches(), {}, {}, {}
      error(err, 0)
    end
    for _, set in pairs(cache) do for _, t in pairs(set) do setmetatable(t, nil) end end
    last_cache, last_files, last_links, last_writes = cache, files, links_now, writes
    if changes.final then -- no run follows (folio build): keep nothing through the render
      last_cache, last_files, last_links, last_writes = empty_caches(), {}, {}, {}
      files, links_now, writes = {}, {}, {}
    end
  end,
}

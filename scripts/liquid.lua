-- liquid.lua: Jekyll's Liquid in page content, and the renderer Jekyll layouts use. Each page's
-- body is rendered through Liquid (compat/jekyll/liquid/) after its front matter is read and
-- before Markdown, with the variables `page` (the page's fields and front matter), `site`
-- (Jekyll's site drop, compat/jekyll/drops.lua: every config key, data, time, url, baseurl) and
-- `jekyll`. A page whose Liquid reads the assembled site (`site.posts`, `site.pages`,
-- `site.categories`, `site.tags`, `paginator`...) is deferred and rendered once the site is
-- assembled (the `defer` stage), so `{% for post in site.posts %}` works in an index.md as in
-- Jekyll; other pages do not wait. Jekyll's tags: include (from _includes/ and the theme's,
-- with parameters as `include.x`), include_relative, highlight (linenos), link, post_url, seo
-- (jekyll-seo-tag), feed_meta (jekyll-feed). A page with `render_with_liquid: false`, or with
-- no `{{` or `{%`, is left alone. An unknown tag is a warning (file:line) and stays as written;
-- a Liquid syntax or render error is an error naming file:line.
--
-- Options: { "liquid", includes = "_includes" (or a list of folders, searched in order),
-- strict = false } (strict: lines after a tag that Liquid's lax parser would skip are errors).
local opts = ...
local liquid = assert(folio.embedded.load("compat/jekyll/liquid/init.lua", _G))()
local errors = require "folio.errors"
local pagemod = require "folio.page"

-- the folders includes are looked up in, in order (a Jekyll site: its own, then its theme's)
local includes_dirs = type(opts.includes) == "table" and opts.includes or { opts.includes or "_includes" }
local includes_dir = includes_dirs[1]
local mode = opts.strict and "strict" or "lax"

local function read(path)
  local st = folio.fs.stat(path)
  if st and st.type == "file" then return folio.fs.read(path) end
  return nil
end

local function warn(file, line, message)
  if folio.build and folio.build.report then folio.build.report("warning", file, line, message)
  else folio.warn(message) end
end

----------------------------------------------------------------------------------------------
-- URLs of other source files (post_url, link): their front matter read, URL computed as the
-- pipeline does. The list of sources is scanned once per Lua state.

local sources_by_name
local function source_index()
  if sources_by_name then return sources_by_name end
  sources_by_name = {}
  local files -- the site's sources (config.sources: a Jekyll site's, compat/jekyll/site.lua)
  if type(folio.config.sources) == "function" then files = folio.config.sources()
  else files = folio.fs.stat("content") and folio.fs.scan("content") or {} end
  for _, f in ipairs(files) do
    local base = f.path:match("([^/]+)%.[^./]+$")
    if base and f.path:find("%.m[a-z]*$") then
      sources_by_name[base] = sources_by_name[base] or {}
      table.insert(sources_by_name[base], f)
    end
  end
  return sources_by_name
end

local url_cache = {}
local function url_of(f)
  if url_cache[f.path] then return url_cache[f.path] end
  if folio.config.source_url then -- a site model with its own URL rules (compat/jekyll/site.lua)
    url_cache[f.path] = folio.config.source_url(f)
    return url_cache[f.path]
  end
  local meta = folio.frontmatter.parse(folio.fs.read(f.path) or "") or {}
  local page = { path = f.path, mtime = f.mtime }
  pagemod.from_front_matter(page, meta, f, folio.config)
  pagemod.assign_url(page, folio.config)
  url_cache[f.path] = page.url
  return page.url
end

local function base_path()
  local path = (folio.config.base_url or "/"):match("^%a[%w+.-]*://[^/]+(/.*)$") or "/"
  return (path:gsub("/$", ""))
end

-- {% post_url 2010-07-21-name %} (also "folder/2010-07-21-name")
local function post_url(p, t)
  local name = t.text:match("^(%S+)")
  local line = t.line
  return function(ctx, buf)
    local base = name:match("([^/]+)$")
    local list = source_index()[base]
    if not list then
      liquid.raise("render", "post_url: no post named '" .. tostring(name) .. "'", line)
    end
    local chosen = list[1]
    for _, f in ipairs(list) do if f.path:find(name, 1, true) then chosen = f end end
    buf[#buf + 1] = base_path() .. url_of(chosen)
  end
end

-- {% link path/to/file.md %}: the URL of that source file
local function link(p, t)
  local path = t.text:match("^(%S+)")
  local line = t.line
  return function(ctx, buf)
    local target = path
    if target:find("{{", 1, true) then target = liquid.parse(target):render(ctx) end
    for _, candidate in ipairs { target, "content/" .. target, "content/" .. target:gsub("^_posts/", "posts/") } do
      local st = folio.fs.stat(candidate)
      if st and st.type == "file" then
        buf[#buf + 1] = base_path() .. url_of({ path = candidate, mtime = st.mtime })
        return
      end
    end
    liquid.raise("render", "link: no file '" .. target .. "'", line)
  end
end

-- Jekyll's include: {% include name.html key="v" key2=var %}; {% include {{ var }} %}.
local function jekyll_params(markup)
  local name, rest = markup:match("^({{.-}})%s*(.*)$")
  if not name then name, rest = markup:match("^(%S+)%s*(.*)$") end
  name = name:gsub("^(['\"])(.*)%1$", "%2") -- a quoted name is the same name
  local params = {}
  for key, value in rest:gmatch("([%w_%-]+)%s*=%s*(\"[^\"]*\"%s*|'[^']*'%s*|%S+)") do
    params[#params + 1] = { key, value }
  end
  -- gmatch has no alternation: read values one by one
  params = {}
  local i = 1
  while i <= #rest do
    local key, eq = rest:match("^%s*([%w_%-]+)%s*=%s*()", i)
    if not key then break end
    local q = rest:sub(eq, eq)
    local value, after
    if q == '"' or q == "'" then
      local close = rest:find(q, eq + 1, true) or #rest
      value, after = rest:sub(eq, close), close + 1
    else
      local s, e = rest:find("^%S+", eq)
      value, after = rest:sub(s, e), e + 1
    end
    params[#params + 1] = { key, liquid.compile_expr(liquid.parse_output(value, nil, false)) }
    i = after
  end
  return name, params
end

-- Includes and layouts, compiled once per Lua state and kept (the engine's own cache lets go of
-- templates at each garbage collection; these few are used by every page).
-- By path: { text =, tpl = } (the text compared, not hashed with the path into a key: the
-- same layout text is one string on every page).
local kept = {}
local function kept_template(path, text, parse)
  local k = kept[path]
  if k and k.text == text then return k.tpl end
  local tpl = parse()
  kept[path] = { text = text, tpl = tpl }
  return tpl
end

local function include_tag(relative)
  return function(p, t)
    local name, params = jekyll_params(t.text)
    local line, page_path = t.line, p.opts.name
    return function(ctx, buf)
      local file = name
      if file:find("{{", 1, true) then file = liquid.parse(file):render(ctx) end
      local path, text
      if relative then
        path = (page_path:match("^(.*)/") or ".") .. "/" .. file
        text = read(path)
      else
        for _, dir in ipairs(includes_dirs) do
          path = dir .. "/" .. file
          text = read(path)
          if text then break end
        end
      end
      if not text then
        liquid.raise("render", "Could not locate the included file '" .. file .. "' in " ..
          (relative and "the page's folder" or includes_dir .. "/"), line)
      end
      local inc = {}
      for _, kv in ipairs(params) do inc[kv[1]] = kv[2](ctx) end
      local tpl = kept_template(path, text, function()
        return liquid.parse(text, { name = path, mode = mode, tags = p.opts.tags, unknown_tag = p.opts.unknown_tag })
      end)
      local scope = { include = inc }
      ctx.scopes[#ctx.scopes + 1] = scope
      ctx.depth = ctx.depth + 1
      if ctx.depth > 50 then liquid.raise("render", "includes nested too deep (" .. path .. ")", line) end
      local ok, err = pcall(liquid.run, tpl.nodes, ctx, buf)
      ctx.depth = ctx.depth - 1
      ctx.scopes[#ctx.scopes] = nil
      if not ok then
        if liquid.is_error(err) and not err.file then err.file = path end
        error(err, 0)
      end
    end
  end
end

local JEKYLL_SITE = type(folio.config) == "table" and type(folio.config.jekyll) == "table"

-- {% highlight lang linenos %} code {% endhighlight %}
local function highlight(p, t)
  local lang = t.text:match("^(%S+)") or "text"
  local linenos = t.text:find("linenos", 1, true) ~= nil
  local nodes = p:body({ endhighlight = true }, t)
  return function(ctx, buf)
    local b = {}
    liquid.run(nodes, ctx, b)
    local code = table.concat(b):gsub("^\n", ""):gsub("\n+$", "")
    local hl = folio.highlight
    local html = hl and hl.highlight(code .. "\n", lang, JEKYLL_SITE and hl.ROUGE_CLASSES or nil) -- (Rouge's names, for a Jekyll site's style sheet)
    html = (html or folio.escape(code .. "\n")):gsub("\n$", "")
    local body
    if linenos then
      local n, nums = 0, {}
      for _ in (code .. "\n"):gmatch("[^\n]*\n") do n = n + 1; nums[n] = tostring(n) end
      body = '<table class="rouge-table"><tbody><tr><td class="gutter gl"><pre class="lineno">' ..
        table.concat(nums, "\n") .. '</pre></td><td class="code"><pre>' .. html .. "</pre></td></tr></tbody></table>"
    else
      body = "<pre class=\"highlight\"><code>" .. html .. "</code></pre>"
    end
    body = '<figure class="highlight"><code class="language-' .. lang .. '" data-lang="' .. lang .. '">' .. body .. "</code></figure>"
    -- one line: a blank line inside would end the HTML block in Markdown
    buf[#buf + 1] = "\n" .. body:gsub("\n", "&#10;") .. "\n"
  end
end

-- Jekyll plugins' tags. {% seo %} (jekyll-seo-tag): title, description, canonical URL, Open
-- Graph and Twitter tags for the page; `title=false` leaves the <title> out.
local function abs_url(path)
  local base = (folio.config.base_url or ""):gsub("/$", "")
  local prefix = base_path()
  path = tostring(path or "/")
  if path:find("^%a[%w+.-]*:") then return path end
  return base:gsub(prefix:gsub("%p", "%%%0") .. "$", "") .. prefix .. path
end

local function plain(s)
  if s == nil then return nil end
  s = liquid.to_s(s):gsub("<[^>]*>", ""):gsub("%s+", " "):gsub("^ ", ""):gsub(" $", "")
  return s ~= "" and s or nil
end

local function seo(p, t)
  local with_title = not t.text:find("title%s*=%s*false")
  return function(ctx)
    local page, site = liquid.lookup_var(ctx, "page") or {}, liquid.lookup_var(ctx, "site") or {}
    local paginator = liquid.lookup_var(ctx, "paginator")
    local site_title = plain(site.title)
    local page_title = plain(page.title) or site_title
    local title
    if site_title and page_title ~= site_title then title = page_title .. " | " .. site_title
    elseif site_title and plain(site.tagline or site.description) then title = site_title .. " | " .. plain(site.tagline or site.description)
    else title = page_title end
    if type(paginator) == "table" and tonumber(paginator.page) and paginator.page > 1 then
      title = string.format("Page %d of %d for %s", paginator.page, paginator.total_pages or 1, title or "")
    end
    local description = plain(page.description) or plain(page.excerpt) or plain(site.description)
    local url = page.url and abs_url(liquid.to_s(page.url):gsub("index%.html$", ""))
    local e = folio.escape
    local out = { "<!-- Begin Jekyll SEO tag v2.8.0 -->" }
    local function add(s) out[#out + 1] = s end
    if with_title and title then add("<title>" .. e(title) .. "</title>") end
    add('<meta name="generator" content="Jekyll v4.3.1" />')
    if page_title then add('<meta property="og:title" content="' .. e(page_title) .. '" />') end
    add('<meta property="og:locale" content="' .. e(tostring(page.locale or site.locale or site.lang or "en_US"):gsub("-", "_")) .. '" />')
    if description then
      add('<meta name="description" content="' .. e(description) .. '" />')
      add('<meta property="og:description" content="' .. e(description) .. '" />')
    end
    if url then
      add('<link rel="canonical" href="' .. e(url) .. '" />')
      add('<meta property="og:url" content="' .. e(url) .. '" />')
    end
    if site_title then add('<meta property="og:site_name" content="' .. e(site_title) .. '" />') end
    local date = page.date
    if date and page.collection == "posts" then
      add('<meta property="og:type" content="article" />')
      add('<meta property="article:published_time" content="' .. folio.date.iso(liquid.is_time(date) and date.epoch or date) .. '" />')
    else
      add('<meta property="og:type" content="website" />')
    end
    add('<meta name="twitter:card" content="summary" />')
    if page_title then add('<meta property="twitter:title" content="' .. e(page_title) .. '" />') end
    add("<!-- End Jekyll SEO tag -->")
    return table.concat(out, "\n") .. "\n"
  end
end

-- {% feed_meta %} (jekyll-feed): the link to the site's Atom feed.
local function feed_meta()
  return function(ctx, buf)
    local site = liquid.lookup_var(ctx, "site") or {}
    local title = site.title and (' title="' .. folio.escape(liquid.to_s(site.title)) .. '"') or ""
    local feed = type(site.feed) == "table" and site.feed.path or "feed.xml"
    buf[#buf + 1] = '<link type="application/atom+xml" rel="alternate" href="' .. folio.escape(abs_url("/" .. tostring(feed):gsub("^/", ""))) .. '"' .. title .. " />"
  end
end

local function seo_tag(p, t)
  local fn = seo(p, t)
  return function(ctx, buf) buf[#buf + 1] = fn(ctx) end
end

-- {% gist id [file] %} (jekyll-gist): the script that shows the gist. Either argument may name
-- a variable. jekyll-gist also fetches the gist's text over the network for a <noscript>; folio
-- never reaches the network, so it writes what jekyll-gist writes with `gist: noscript: false`.
local function gist_tag(_, t)
  local id, file = t.text:match("^%s*(%S+)%s*(%S*)%s*$")
  if not id then liquid.syntax_error("Syntax error in tag 'gist': write {% gist user/1234567 file.md %}", t.line) end
  return function(ctx, buf)
    local function value(name)
      local v = name ~= "" and liquid.lookup_var(ctx, name)
      return v ~= nil and v ~= false and liquid.to_s(v) or name
    end
    local gist, f = value(id), value(file)
    local url = "https://gist.github.com/" .. gist .. ".js" .. (f ~= "" and "?file=" .. f or "")
    buf[#buf + 1] = '<script src="' .. folio.escape(url) .. '"> </script>'
  end
end

local TAGS = {
  include = include_tag(false), include_relative = include_tag(true),
  post_url = post_url, link = link, highlight = highlight,
  seo = seo_tag, feed_meta = feed_meta, gist = gist_tag,
}

----------------------------------------------------------------------------------------------
-- Filters that need the site

local function site_filters()
  local prefix = base_path()
  local absolute = (folio.config.base_url or ""):gsub("/$", "")
  local function rel(s)
    s = liquid.to_s(s)
    if s:find("^%a[%w+.-]*:") or s:find("^//") then return s end
    if s:sub(1, 1) ~= "/" then s = "/" .. s end
    return prefix .. s
  end
  return {
    relative_url = rel,
    absolute_url = function(s)
      s = liquid.to_s(s)
      if s:find("^%a[%w+.-]*:") then return s end
      return absolute:gsub(prefix .. "$", "") .. rel(s)
    end,
    markdownify = function(s) return folio.markdown.to_html(liquid.to_s(s), folio.config.markdown) end,
  }
end


----------------------------------------------------------------------------------------------

-- The page as Liquid sees it: its fields, and `url` worked out as the pipeline will when the
-- front matter does not set it (on a copy, so the page itself is not changed).
local function page_view(page)
  local url
  return setmetatable({}, { __index = function(_, k)
    if k == "url" and rawget(page, "url") == nil then
      if not url then
        local copy = {}
        for key, v in pairs(page) do copy[key] = v end
        copy.title = copy.title or copy.basename
        local ok = pcall(pagemod.assign_url, copy, folio.config)
        url = ok and copy.url or false
      end
      return url or nil
    end
    if k == "date" and type(page.date) == "number" then return liquid.time(page.date) end
    return page[k]
  end, __pairs = function() return next, page, nil end })
end

local filters

-- Renders Liquid `text` (from `file`, its first line `line`) with the variables `vars`; `keep`:
-- keep the compiled template (a layout). Raises folio's error naming file:line on a Liquid error.
local function render(text, vars, file, line, keep)
  filters = filters or site_filters()
  local parse_opts = {
    name = file, line = line or 1, mode = mode, tags = TAGS,
    unknown_tag = function(_, t)
      warn(file, t.line, "unknown Liquid tag '" .. tostring(t.name) .. "', left as written")
      local raw = t.raw
      return function(_, buf) buf[#buf + 1] = raw end
    end,
  }
  local ok, result = pcall(function()
    local tpl
    if keep then tpl = kept_template(file, text, function() return liquid.parse(text, parse_opts) end)
    else tpl = liquid.parse(text, parse_opts) end
    return tpl:render(vars, { filters = filters, parse_opts = parse_opts })
  end)
  if not ok then
    if liquid.is_error(result) then
      errors.fail(result.file or file, result.line, tostring(result):gsub(" %(.-line %d+%)", ""),
        "fix the Liquid here, wrap literal {{ }} in {% raw %}...{% endraw %}, or set render_with_liquid: false")
    end
    error(result, 0)
  end
  return result
end

local drops = assert(folio.embedded.load("compat/jekyll/drops.lua", _G))()

-- What layouts (compat/jekyll/layouts.lua) render with: the same engine and drops as content
-- (in safe mode this plugin's engine is a copy of its own, whose times only it knows).
folio.jekyll_liquid = { render = render, drops = drops }

-- Content that reads the assembled site (site.posts, site.pages, site.categories, ...; Jekyll
-- renders content Liquid after reading every post) waits for it: the page is deferred
-- (page.defer, docs/hooks.md) and rendered in the `defer` stage. Other pages render now.
local SITE_WIDE = { posts = true, pages = true, html_pages = true, categories = true, tags = true,
                    collections = true, documents = true, related_posts = true, static_files = true }
local function needs_site(src)
  for name in src:gmatch("site%.([%a_]+)") do
    if SITE_WIDE[name] then return true end
  end
  return src:find("site%[") ~= nil or src:find("paginator", 1, true) ~= nil
end

local function has_liquid(page)
  if page.render_with_liquid == false then return false end
  local src = page.source
  return src and (src:find("{{", 1, true) or src:find("{%", 1, true)) and true or false
end

folio.hook("frontmatter", function(page)
  if not has_liquid(page) then return end
  -- an HTML page that loops over the paginator (jekyll-paginate's index.html): each page of the
  -- list renders it, with its own paginator, when its layout renders (compat/jekyll/layouts.lua)
  if folio.layout_engine_active and page.source:find("paginator", 1, true) and (page.path or ""):find("%.html?$") then
    page.liquid_in_layout = true
    return
  end
  if needs_site(page.source) then page.defer = true; return end
  page.source = render(page.source, { page = page_view(page), site = drops.site(nil), jekyll = drops.jekyll },
                       page.path, page.body_line)
end, { order = 5 })

folio.hook("defer", function(page, site)
  if not page.defer or not has_liquid(page) then return end
  page.source = render(page.source, { page = page_view(page), site = drops.site_for(site, page), jekyll = drops.jekyll,
                                      paginator = drops.paginator(page) }, page.path, page.body_line)
end)

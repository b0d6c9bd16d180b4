-- liquid.lua: Jekyll's Liquid in page content. Each page's body is rendered through Liquid
-- (compat/jekyll/liquid/) after its front matter is read and before Markdown, with the
-- variables `page` (the page's fields and front matter), `site` (site.lua's keys, plus Jekyll's
-- `url`, `baseurl`, `time`) and `content` (nil: it exists only in layouts). Jekyll's tags:
-- include (from _includes/, with parameters as `include.x`), include_relative, highlight
-- (linenos), link, post_url. A page with `render_with_liquid: false`, or with no `{{` or
-- `{%`, is left alone. An unknown tag is a warning (file:line) and stays as written; a
-- Liquid syntax or render error is an error naming file:line.
--
-- Options: { "liquid", includes = "_includes", strict = false } (strict: lines after a tag
-- that Liquid's lax parser would skip are errors).
local opts = ...
local liquid = assert(load(folio.embedded.read("compat/jekyll/liquid/init.lua"), "@(folio)/compat/jekyll/liquid/init.lua"))()
local errors = require "folio.errors"
local pagemod = require "folio.page"

local includes_dir = opts.includes or "_includes"
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

local function include_tag(relative)
  return function(p, t)
    local name, params = jekyll_params(t.text)
    local line, page_path = t.line, p.opts.name
    return function(ctx, buf)
      local file = name
      if file:find("{{", 1, true) then file = liquid.parse(file):render(ctx) end
      local path
      if relative then
        path = (page_path:match("^(.*)/") or ".") .. "/" .. file
      else
        path = includes_dir .. "/" .. file
      end
      local text = read(path)
      if not text then
        liquid.raise("render", "Could not locate the included file '" .. file .. "' in " ..
          (relative and "the page's folder" or includes_dir .. "/"), line)
      end
      local inc = {}
      for _, kv in ipairs(params) do inc[kv[1]] = kv[2](ctx) end
      local tpl = liquid.parse(text, { name = path, mode = mode, tags = p.opts.tags, unknown_tag = p.opts.unknown_tag })
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

-- {% highlight lang linenos %} code {% endhighlight %}
local function highlight(p, t)
  local lang = t.text:match("^(%S+)") or "text"
  local linenos = t.text:find("linenos", 1, true) ~= nil
  local nodes = p:body({ endhighlight = true }, t)
  return function(ctx, buf)
    local b = {}
    liquid.run(nodes, ctx, b)
    local code = table.concat(b):gsub("^\n", ""):gsub("\n+$", "")
    local html = folio.highlight and folio.highlight.highlight(code .. "\n", lang)
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

local TAGS = {
  include = include_tag(false), include_relative = include_tag(true),
  post_url = post_url, link = link, highlight = highlight,
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

local function site_vars()
  local site = {}
  for k, v in pairs(folio.config) do
    local t = type(v)
    if t ~= "function" and t ~= "userdata" then site[k] = v end
  end
  site.url = site.url or (folio.config.base_url or ""):gsub("/$", ""):gsub("^(%a[%w+.-]*://[^/]+).*$", "%1")
  site.baseurl = site.baseurl or base_path()
  site.time = folio.date.now()
  return site
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
    return page[k]
  end, __pairs = function() return next, page, nil end })
end

local filters, site

folio.hook("frontmatter", function(page)
  if page.render_with_liquid == false then return end
  local src = page.source
  if not src or not (src:find("{{", 1, true) or src:find("{%", 1, true)) then return end
  filters = filters or site_filters()
  site = site or site_vars()
  local file = page.path
  local parse_opts = {
    name = file, line = page.body_line or 1, mode = mode, tags = TAGS,
    unknown_tag = function(_, t)
      warn(file, t.line, "unknown Liquid tag '" .. tostring(t.name) .. "', left as written")
      local raw = t.raw
      return function(_, buf) buf[#buf + 1] = raw end
    end,
  }
  local ok, result = pcall(function()
    local tpl = liquid.parse(src, parse_opts)
    return tpl:render({ page = page_view(page), site = site }, { filters = filters, parse_opts = parse_opts })
  end)
  if not ok then
    if liquid.is_error(result) then
      errors.fail(result.file or file, result.line, tostring(result):gsub(" %(.-line %d+%)", ""),
        "fix the Liquid here, wrap literal {{ }} in {% raw %}...{% endraw %}, or set render_with_liquid: false")
    end
    error(result, 0)
  end
  page.source = result
end, { order = 5 })

-- folio.shortcodes_plugin: the shortcodes plugin (scripts/shortcodes.lua calls it with its
-- options; a module, so that it runs as folio's own code in safe mode too). Hugo's shortcodes in content (docs/plugins/shortcodes.md). The parser and
-- the expansion are folio.shortcodes (src/lua/folio/shortcodes.lua); this plugin runs them on
-- each page's Markdown at the frontmatter stage (order 20, before Liquid's default 50), puts
-- their HTML in place at the html stage (order 10), and ships:
--
--   {{< figure src="/images/x.jpg" alt="..." caption="..." link="..." width=800 >}}
--   {{< youtube dQw4w9WgXcQ >}}   {{< youtube id="..." title="..." start=30 >}}
--   {{< vimeo 55073825 >}}        {{< gist user 0123abcd [file.rb] >}}
--   {{% details summary="More" open=true %}} Markdown {{% /details %}}
--   {{% callout type="warning" title="Careful" %}} Markdown {{% /callout %}}   (note, tip, warning...)
--   {{% note %}} ... {{% /note %}}  (and tip, important, warning, caution: callouts of that type)
--
-- A shortcode is looked up as layouts/shortcodes/NAME.html (the site's, then the theme's), then
-- among the Lua shortcodes registered with folio.shortcode (plugins, scripts/) and these. An
-- unknown shortcode is a warning and stays as written. Options: { "shortcodes", warn_unknown = true }
local M = {}

function M.install(opts)
  opts = opts or {}
  local shortcodes = require "folio.shortcodes"
  local errors = require "folio.errors"
  local sitemod = require "folio.site"
  local template = require "folio.template"
  local image = require "folio.image"

  -- The shipped shortcodes never replace one a theme registered before this plugin loaded.
  local function register(name, fn, o)
    if not shortcodes.registered(name) then shortcodes.register(name, fn, o) end
  end

  local esc = folio.escape

  local function attr(name, value)
    if value == nil or value == "" then return "" end
    return string.format(' %s="%s"', name, esc(tostring(value)))
  end

  local function truthy(v) return v == true or v == "true" or v == "yes" or v == "1" end

  ----------------------------------------------------------------------------------------------
  -- Templates: layouts/shortcodes/NAME.html

  local renderer
  local function base_path()
    local base = (folio.config and folio.config.base_url) or "/"
    return ((base:match("^%a[%w+.-]*://[^/]+(/.*)$") or "/"):gsub("/$", ""))
  end
  local function site_url(path)
    path = tostring(path or "/")
    if path:find("^%a[%w+.-]*:") or path:find("^//") then return path end
    return base_path() .. (path:sub(1, 1) == "/" and path or "/" .. path)
  end

  local function templates()
    if renderer then return renderer end
    renderer = template.new {
      find = function(relpath) return sitemod.find_template(folio.config, relpath) end,
      globals = { url = site_url, image = image.open, markdownify = function(s) return folio.markdown.to_html(tostring(s or ""), folio.config.markdown) end },
    }
    return renderer
  end

  local template_cache = {} -- name -> compiled template | false
  local function find_template(name)
    local t = template_cache[name]
    if t == nil then
      local relpath = "layouts/shortcodes/" .. name .. ".html"
      local text = sitemod.find_template(folio.config, relpath)
      if text then
        t = { tpl = assert(templates():load(relpath)), uses_inner = text:find("inner", 1, true) ~= nil }
      else
        t = false
      end
      template_cache[name] = t
    end
    return t or nil
  end

  local function needs_inner(name)
    local t = find_template(name)
    if t then return t.uses_inner and "required" or "optional" end
    local r = shortcodes.registered(name)
    return r and r.inner or nil
  end

  ----------------------------------------------------------------------------------------------
  -- The shipped shortcodes

  local function video_frame(src, title, class)
    return string.format('<div class="video video-%s"><iframe src="%s" title="%s" loading="lazy" ' ..
      'allow="accelerometer; clipboard-write; encrypted-media; gyroscope; picture-in-picture; web-share" ' ..
      'referrerpolicy="strict-origin-when-cross-origin" allowfullscreen></iframe></div>', class, esc(src), esc(title))
  end

  local function need(args, key, pos, ctx, what)
    local v = args[key] or (pos and args[pos])
    if v == nil or v == "" then
      errors.fail(ctx.file, ctx.line, "the " .. ctx.name .. " shortcode needs " .. what,
                  "for example {{< " .. ctx.name .. " " .. (pos and "VALUE" or key .. '="..."') .. " >}}")
    end
    return v
  end

  register("youtube", function(args, _, ctx)
    local id = need(args, "id", 1, ctx, "the video's id")
    if not id:match("^[%w_%-]+$") then errors.fail(ctx.file, ctx.line, "the youtube id " .. id .. " has characters an id never has", "give the id only, not the URL: the part after v=") end
    local src = "https://www.youtube-nocookie.com/embed/" .. id
    local q = {}
    if args.start and tostring(args.start):match("^%d+$") then q[#q + 1] = "start=" .. args.start end
    if truthy(args.autoplay) then q[#q + 1] = "autoplay=1" end
    if #q > 0 then src = src .. "?" .. table.concat(q, "&") end
    return video_frame(src, args.title or "YouTube video", "youtube")
  end, { inner = "none" })

  register("vimeo", function(args, _, ctx)
    local id = need(args, "id", 1, ctx, "the video's id")
    if not id:match("^%d+$") then errors.fail(ctx.file, ctx.line, "the vimeo id " .. id .. " is not a number", "give the number at the end of the video's URL") end
    return video_frame("https://player.vimeo.com/video/" .. id .. "?dnt=1", args.title or "Vimeo video", "vimeo")
  end, { inner = "none" })

  -- A link, not the script embed: the build reaches no network, and the page stays script-free.
  register("gist", function(args, _, ctx)
    local user = need(args, "user", 1, ctx, "the user and the gist id")
    local id = need(args, "id", 2, ctx, "the gist id after the user")
    local file = args.file or args[3]
    local url = "https://gist.github.com/" .. user .. "/" .. id
    if file then url = url .. "#file-" .. file:lower():gsub("[^%w]", "-") end
    local label = args.title or ("Gist " .. (file or id) .. " by " .. user)
    return string.format('<a class="gist" href="%s">%s</a>', esc(url), esc(label))
  end, { inner = "none" })

  register("figure", function(args, _, ctx)
    local src = need(args, "src", 1, ctx, "src, the image")
    local alt = args.alt
    if not alt and args.caption then alt = folio.html_text(folio.markdown.to_html(args.caption, folio.config.markdown)):gsub("^%s+", ""):gsub("%s+$", "") end
    alt = alt or ""
    local img
    if image.is_local(src) then
      local file, original = image.find_source(src:gsub("[?#].*$", ""))
      if file then
        local info, err = image.source_info(file)
        if not info then errors.fail(ctx.file, ctx.line, err, "replace or remove the image " .. file) end
        local w, h = info.width, info.height
        local url = original
        local want = tonumber(args.width)
        if want and want < w then
          local r, rerr = image.run { path = file, url = original, mode = "fit", width = math.floor(want), height = 0 }
          if not r then errors.fail(ctx.file, ctx.line, rerr, "replace or remove the image " .. file) end
          url, w, h = r.url, r.width, r.height
        end
        img = string.format('<img src="%s" alt="%s" width="%d" height="%d" loading="lazy" decoding="async">', esc(url), esc(alt), w, h)
      else
        errors.warn(ctx.file, ctx.line, "the figure's image " .. src .. " was not found under static/", "check the path; it is linked as written")
      end
    end
    img = img or string.format('<img src="%s" alt="%s"%s%s loading="lazy" decoding="async">', esc(site_url(src)), esc(alt),
                               attr("width", args.width), attr("height", args.height))
    if args.link then img = '<a href="' .. esc(site_url(args.link)) .. '">' .. img .. "</a>" end
    local caption = ""
    if args.caption or args.title then
      caption = "<figcaption>"
      if args.title then caption = caption .. "<strong>" .. esc(args.title) .. "</strong> " end
      if args.caption then caption = caption .. folio.markdown.to_html(args.caption, folio.config.markdown):gsub("^<p>", ""):gsub("</p>\n?$", "") end
      caption = caption .. "</figcaption>"
    end
    return "<figure" .. attr("class", args.class) .. ">" .. img .. caption .. "</figure>"
  end, { inner = "none" })

  register("details", function(args, inner)
    local summary = args.summary or args[1] or "Details"
    return "<details" .. (truthy(args.open) and " open" or "") .. attr("class", args.class) .. "><summary>" ..
           esc(summary) .. "</summary>\n" .. (inner or "") .. "</details>"
  end, { inner = "required" })

  local TITLES = { note = "Note", tip = "Tip", important = "Important", warning = "Warning", caution = "Caution" }
  local function callout(kind, title, inner)
    return string.format('<div class="alert alert-%s" role="note"><p class="alert-title">%s</p>\n%s</div>',
                         esc(kind), esc(title or TITLES[kind] or kind), inner or "")
  end

  register("callout", function(args, inner)
    local kind = (args.type or args[1] or "note"):lower()
    return callout(kind, args.title, inner)
  end, { inner = "required" })
  for kind in pairs(TITLES) do
    register(kind, function(args, inner) return callout(kind, args.title or args[1], inner) end, { inner = "required" })
  end

  ----------------------------------------------------------------------------------------------
  -- The hooks

  -- Whether `text` holds "{{<" or "{{%" (plain searches for "{{": a pattern would be tried at
  -- every position of every page).
  local function has_shortcode_tag(text)
    local at = text:find("{{", 1, true)
    while at do
      local next_byte = text:byte(at + 2)
      if next_byte == 60 or next_byte == 37 then return true end -- "<" or "%"
      at = text:find("{{", at + 1, true)
    end
    return false
  end

  local resolvers = setmetatable({}, { __mode = "k" }) -- page -> resolve function
  local warned = {}

  folio.hook("frontmatter", function(page)
    if type(page.source) ~= "string" or not has_shortcode_tag(page.source) then return end
    local body_line = page.body_line or 1
    local function file_line(line) return line and body_line + line - 1 end
    local function fail(line, message, hint) errors.fail(page.path, file_line(line), message, hint) end
    local text, resolve = shortcodes.expand(page.source, {
      fail = fail,
      show_line = file_line,
      needs_inner = needs_inner,
      markdown = function(md) return folio.markdown.to_html(md, folio.config.markdown) end,
      render = function(name, args, inner, ctx)
        ctx.page, ctx.file, ctx.line = page, page.path, file_line(ctx.line)
        local t = find_template(name)
        if t then
          local env = templates():new_env { args = args, inner = inner, page = page, shortcode = ctx, site = folio.config }
          return t.tpl.fn(env)
        end
        local r = shortcodes.registered(name)
        if r then
          if inner and r.inner == "none" then
            errors.fail(page.path, ctx.line, "the shortcode " .. name .. " takes no inner content, yet it has a closing tag",
                        "remove {{< /" .. name .. " >}}, or end the opening tag with />}}")
          end
          local html = r.fn(args, inner, ctx)
          if type(html) ~= "string" then
            errors.fail(page.path, ctx.line, "the shortcode " .. name .. " returned " .. type(html) .. ", not a string of HTML")
          end
          return html
        end
        if opts.warn_unknown ~= false then
          local key = tostring(page.path) .. ":" .. tostring(ctx.line) .. ":" .. name
          if not warned[key] then
            warned[key] = true
            errors.warn(page.path, ctx.line, "unknown shortcode " .. name .. "; it is left as written",
                        "add layouts/shortcodes/" .. name .. ".html, register it with folio.shortcode, or write {{</* " .. name .. " */>}} to show the tag")
          end
        end
        return nil
      end,
    })
    page.source = text
    if resolve then resolvers[page] = resolve end
  end, { order = 20 })

  folio.hook("html", function(page)
    local resolve = resolvers[page]
    if resolve then
      page.content = resolve(page.content or "")
      resolvers[page] = nil
    end
  end, { order = 10 })
end

return M

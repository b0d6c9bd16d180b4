-- folio.pipeline: the build, stage by stage. C (src/core/build.c) calls these functions; each
-- worker thread has its own Lua state running this same module.
--
--   load()        every state: site.lua, theme, plugins, scripts, templates
--   begin()       main state: find the sources; returns how many
--   process(id)   any state: read -> source -> front matter -> frontmatter -> tree -> ast ->
--                 render hooks -> HTML -> html        (one page; result kept in this state)
--   merge(pages)  main state: the pages other states processed
--   assemble()    main state: site hooks, generated pages, URL checks; returns output count
--   render(i)     any state: layouts -> output file  (after import_site in workers)
local errors = require "folio.errors"
local sitemod = require "folio.site"
local pagemod = require "folio.page"
local template = require "folio.template"
local sandbox = require "folio.sandbox"
local buildcache = require "folio.buildcache"
local i18n = require "folio.i18n"
local languages = require "folio.languages"
local assets = require "folio.assets"
require "folio.shortcodes" -- defines folio.shortcode for plugins and scripts
local site_hooks = require "folio.site_hooks"
local preview = require "folio.preview" -- what only folio serve keeps between updates
local warm = require "folio.warm" -- which outputs a build with the cache takes from the last one

local P = {}

local config, renderer, renderers, opts
local sources = {}     -- id -> { path=, mtime=, size= }
local pages = {}       -- id -> page processed in this state
-- During the process phase of a build, the pages just processed (id -> page, `count` of them)
-- wait here and go to `pages` in batches (settle_pages). Each minor collection walks every old
-- table that got a new value since the last one, whole: with each page stored in `pages` at once,
-- the collector's steps of the process phase (every 16 pages, src/core/build.c) walked all the
-- pages done so far each time, which grew as the square of the pages (at 100k posts a step took
-- 2-3 times as long at the end of the phase as at its start). A batch goes once it holds a 32nd
-- of the pages stored (16 at least), so `pages` is walked a few hundred times in a phase, not
-- once every 16 pages. nil outside the process phase (the preview's updates store at once).
local recent = nil
local stored = 0 -- how many pages `pages` got from the batches

-- Moves the batch of pages waiting into `pages`.
local function flush_recent()
  for id, page in pairs(recent.pages) do pages[id] = page end
  stored = stored + recent.count
  recent = { pages = {}, count = 0 }
end

local function keep_page(id, page)
  if not recent then pages[id] = page; return end
  recent.pages[id] = page
  recent.count = recent.count + 1
  if recent.count >= 16 and recent.count * 32 >= stored then flush_recent() end
end

-- The end of the process phase: every page in `pages`, and pages stored at once from now on.
local function settle_pages()
  if recent then flush_recent(); recent = nil end
end

local function batch_pages() recent = { pages = {}, count = 0 }; stored = 0 end
local site             -- the assembled site (main state; copied into workers)
local render_list = {} -- outputs, in a stable order shared by all states
local missing_layouts = {} -- layout name -> true: the pages naming it get their kind's layout
local changed_urls = {} -- outputs this state wrote with new bytes (preview updates)
local caching = false  -- this build reads and writes the build cache (folio.buildcache)
local refresh_assets    -- a static CSS, JS or Sass file changed (preview updates; below)

-- `subject`: the page the problem was met on, when it may lie in another file (a template, a
-- hook): the report merges the same problem met on many pages into one message.
local function report(err, default_file, context, subject)
  local e = errors.normalize(err, default_file, context)
  folio.build.report(e.severity or "error", e.file, e.line, e.message, e.hint,
                     subject ~= e.file and subject or nil)
end

----------------------------------------------------------------------------------------------
-- Page and site objects

-- Fields computed when a template or hook first reads them (folio.page_field): name -> fn.
local lazy_fields = {}

local PageMeta = {
  __index = function(page, key)
    if key == "content" then return folio.build.content(rawget(page, "id") or rawget(page, "content_id")) end
    local fn = lazy_fields[key]
    if fn then return fn(page, site) end
  end,
}

preview.page_fields(PageMeta, lazy_fields) -- (its passes read other fields with rawget)

-- Of those, the ones that name what their values are made from (`inputs`, see below): name -> fn.
local lazy_inputs = {}

-- folio.page_field(name, fn [, { inputs = fn(site) }]): page.<name>, when the page has no such
-- field of its own, is fn(page, site), computed when read (in the state that reads it: a render
-- worker, say). fn keeps what it computed where it likes (not on the page: pages outlive a
-- preview update's site). `inputs(site)` returns a value that holds everything the field's
-- values depend on but the page itself (related's index): while it is the same, a warm build
-- takes the pages a field listed from its last record instead of computing it (folio.warm).
function folio.page_field(name, fn, how)
  if type(name) ~= "string" or type(fn) ~= "function" then
    error("folio.page_field needs a name and a function", 2)
  end
  if how ~= nil and (type(how) ~= "table" or (how.inputs ~= nil and type(how.inputs) ~= "function")) then
    error("folio.page_field's third argument is a table { inputs = function(site) ... end }", 2)
  end
  lazy_inputs[name] = how and how.inputs or nil
  lazy_fields[name] = fn
end

-- folio.layout_engine{ has_layout = fn(name [, page]) -> bool, render = fn(page, site, name) -> html,
-- looked = fn(name) -> text }: layouts of another template language (compat/jekyll/layouts.lua).
-- A layout it has is rendered by it; any other by folio's templates. One engine per site.
local layout_engine
function folio.layout_engine(engine)
  if type(engine) ~= "table" or type(engine.has_layout) ~= "function" or type(engine.render) ~= "function" then
    error("folio.layout_engine needs a table with has_layout and render functions", 2)
  end
  layout_engine = engine
end

local Site = {}
Site.__index = Site
local url_indexes = setmetatable({}, { __mode = "k" }) -- site -> { url -> page }

-- page -> the URL add_page gave it (normal): a page a hook adds again in a later run (folio
-- serve) with that URL is appended as it is, its defaults set then (site:add_pages)
local added_at = setmetatable({}, { __mode = "k" })

-- site:add_page{ url = "/tags/", layout = "terms", ... } -> the page
function Site:add_page(t)
  if type(t) ~= "table" or type(t.url) ~= "string" then
    error("site:add_page needs a table with a url", 2)
  end
  t.url = pagemod.normalize_url(t.url)
  if t.output == nil then t.output = pagemod.output_for(t.url) end
  t.kind = t.kind or "list"
  t.title = t.title or ""
  t.generated = true
  if t.layout == nil then t.layout = "list" end
  -- A file written as is (a feed, the search index) in a build no other run follows: its bytes
  -- wait in the C content store for the render, out of the Lua heap (folio.build.store).
  if t.layout == false and type(t.content) == "string" and #t.content >= 4096 and getmetatable(t) == nil
     and not site_hooks.runs_follow() then
    t.content_id = folio.build.store(t.content)
    t.content = nil
    setmetatable(t, PageMeta)
  elseif site_hooks.runs_follow() then
    added_at[t] = t.url
  end
  self.generated[#self.generated + 1] = t
  local index = url_indexes[self]
  if index and index[t.url] == nil then index[t.url] = t end
  return t
end

-- site:add_pages(list): site:add_page for each page of `list`, in order. The pages a hook adds
-- again as they were (an incremental hook's pages of the last run: paginate's 6,000 on a 10k
-- site) are appended without their fields checked again.
function Site:add_pages(list)
  if type(list) ~= "table" then error("site:add_pages needs a list of pages", 2) end
  local generated, index = self.generated, url_indexes[self]
  for i = 1, #list do
    local t = list[i]
    local url = added_at[t]
    if url and rawget(t, "url") == url then
      generated[#generated + 1] = t
      if index and index[url] == nil then index[url] = t end
    else
      self:add_page(t)
    end
  end
end

-- site:touch(page): a hook changed `page`'s fields; incremental site hooks that run later
-- compute their parts for it again (folio.site_hook, docs/hooks.md).
function Site:touch(page) site_hooks.touch(page) end

-- site:find(url): the page at a URL. The index is built on the first call and kept up to date
-- by add_page; it lives beside the site (weak keys), so it never travels to worker threads.
function Site:find(url)
  local index = url_indexes[self]
  if not index then
    index = {}
    for _, list in ipairs { self.pages, self.generated } do
      for _, p in ipairs(list) do
        if p.url and index[p.url] == nil then index[p.url] = p end
      end
    end
    url_indexes[self] = index
  end
  return index[pagemod.normalize_url(url)]
end

----------------------------------------------------------------------------------------------
-- Loading

local function combine(list)
  if #list == 0 then return nil end
  return function(info, page)
    for _, h in ipairs(list) do
      local html = h.fn(info, page)
      if html ~= nil then return html end
    end
    return nil
  end
end

local function base_path(base_url)
  local path = base_url:match("^%a[%w+.-]*://[^/]+(/.*)$") or "/"
  return (path:gsub("/$", ""))
end

local function template_globals()
  local prefix = base_path(config.base_url)
  local absolute_base = config.base_url:gsub("/$", "")
  local g = {}
  g.escape = folio.escape
  g.slugify = pagemod.slugify
  -- Site paths ("/x/") are by far the most common: they skip the pattern tests.
  local byte, SLASH = string.byte, 47
  local function site_url(path)
    if type(path) ~= "string" then path = tostring(path or "/") end
    if byte(path, 1) == SLASH then
      if byte(path, 2) == SLASH then return path end -- "//host/x": already absolute
      return prefix .. path
    end
    if path:find("^%a[%w+.-]*:") then return path end
    return prefix .. "/" .. path
  end
  -- The same paths come back on every page (menus, tags, related posts): remembered per renderer.
  local urls = {}
  g.url = function(path)
    local u = path ~= nil and urls[path]
    if u then return u end
    u = site_url(path)
    if type(path) == "string" then urls[path] = u end
    return u
  end
  g.absurl = function(path)
    if type(path) ~= "string" then path = tostring(path or "/") end
    if byte(path, 1) == SLASH then return absolute_base .. path end
    if path:find("^%a[%w+.-]*:") then return path end
    return absolute_base .. "/" .. path
  end
  -- date(t [, fmt]): month and day names in the page's language; fmt nil: its date_format
  g.date = function(t, fmt) return i18n.format_date(t, fmt) end
  g.t = i18n.t
  g.plural_forms = i18n.forms
  g.direction = i18n.direction
  -- lang_url(path): a site path in the language of the page being rendered ("/" -> "/ja/")
  g.lang_url = function(path)
    return g.url(languages.prefix(config, i18n.current()) .. (path or "/"))
  end
  g.asset = assets.helper(g.url) -- fingerprinted CSS and JS with their integrity (folio/assets.lua)
  local isos = {}
  g.iso_date = function(t)
    if not t then return "" end
    local iso = isos[t]
    if iso then return iso end
    iso = folio.date.iso(t) or ""
    if type(t) == "number" and t == t then isos[t] = iso end
    return iso
  end
  g.image = function(path) return require("folio.image").open(path) end -- docs/plugins/images.md
  return g
end

-- A template renderer for this site (its cache of compiled templates starts empty).
-- In safe mode its templates see the sandbox's copies of the libraries, and each render of a
-- template runs within the budget.
local function new_renderer()
  local globals, guard = template_globals(), nil
  if sitemod.safe then
    for k, v in pairs(sandbox.template_globals(sitemod.env)) do globals[k] = v end
    guard = function(fn, name, line) return sandbox.guard(fn, "the render of " .. name, name .. ":" .. line) end
  end
  return template.new {
    find = function(relpath) return sitemod.find_template(config, relpath) end,
    globals = globals,
    guard = guard,
  }
end

function P.load()
  opts = folio.build.options()
  local ok, result = pcall(sitemod.load)
  if not ok then
    report(result, "site.lua")
    return false
  end
  config = result
  if opts.base_url then config.base_url = opts.base_url end
  i18n.setup(config)
  if config.timezone then
    local set, err = folio.date.set_timezone(config.timezone)
    if not set then
      local file = sitemod.config_file or "site.lua" -- or a Jekyll site's _config.yml
      report({ file = file, line = pagemod.key_line(folio.fs.read(file) or "", "timezone"),
               message = "unknown time zone '" .. tostring(config.timezone) .. "': " .. tostring(err),
               hint = "use an IANA name such as \"Europe/Paris\" or \"UTC\"" }, file)
      return false
    end
  end
  local hooks = sitemod.hooks
  renderers = {
    link = combine(hooks.render_link), image = combine(hooks.render_image),
    heading = combine(hooks.render_heading), codeblock = combine(hooks.render_codeblock),
  }
  assets.setup(config, opts, report)
  renderer = new_renderer()
  folio.register_metatable("folio.page", PageMeta)
  folio.register_metatable("folio.site", Site)
  return true
end

----------------------------------------------------------------------------------------------
-- Phase 1: one page

local function is_markdown(path)
  return path:find("%.md$") or path:find("%.markdown$")
end

-- The site's git history, read once per build in the main state when `date_order` has "git"
-- (path -> { first =, last = }); the dates travel to the workers with the sources. No
-- repository: no git dates, silently; a repository libgit2 cannot read: one warning.
local git_dates = {}

local function read_git_dates()
  git_dates = {}
  if not pagemod.uses_source(config, "git") then return end
  local t0 = os.clock()
  local dates, err = folio.git.dates()
  if dates then
    git_dates = dates
  elseif err then
    errors.warn(nil, nil, "cannot read the site's git history (" .. err .. "); dates come from the next source in date_order",
                "check the repository with `git status`, or remove \"git\" from date_order in site.lua")
  end
  if os.getenv("FOLIO_TIMINGS") then
    io.stderr:write(string.format("git dates %.1f ms (CPU)\n", (os.clock() - t0) * 1000))
  end
end

-- Adds the file's git dates to a source entry; returns it.
local function with_git_dates(src)
  local g = git_dates[src.path]
  if g then src.git_first, src.git_last = g.first, g.last end
  return src
end

-- The sources: the Markdown files under content/, or the list `config.sources()` gives (an
-- extension point: compat/jekyll/site.lua fills it in; non-Markdown sources are HTML).
function P.begin()
  read_git_dates()
  sources = {}
  if type(config.sources) == "function" then
    for _, f in ipairs(config.sources()) do sources[#sources + 1] = with_git_dates(f) end
  else
    local files, problems = folio.fs.scan("content")
    for _, e in ipairs(problems) do report(e, e.file) end
    for _, f in ipairs(files) do
      if is_markdown(f.path) then sources[#sources + 1] = with_git_dates(f) end
    end
  end
  local paths = {}
  for i, src in ipairs(sources) do paths[i] = src.path end
  languages.set(languages.detect(config, paths))
  pages = {}
  batch_pages()
  folio.build.reserve(#sources)
  buildcache.open(config, opts)
  caching = buildcache.active()
  return #sources
end

-- The sources travel to the workers with the site's languages (folio.languages).
function P.export_sources() return { sources = sources, languages = languages.get() } end
function P.import_sources(t)
  sources = t.sources; languages.set(t.languages); pages = {}; caching = buildcache.active()
  batch_pages()
end
-- The same as bytes (folio.cache.pack), for a worker state made on its own thread while this
-- one already processes pages.
function P.export_sources_packed() return folio.cache.pack(P.export_sources()) end
function P.import_sources_packed(bytes) P.import_sources(folio.cache.unpack(bytes)) end

-- Main state, after the process phase of a build: the build cache keeps what it made.
function P.store_cache() buildcache.commit(sources) end

local stage = "read"
local current_file -- the page being processed or rendered, for folio.warn

-- folio.warn(message): a warning in the build report, naming the current page's file.
function folio.warn(message)
  folio.build.report("warning", current_file, nil, tostring(message))
end

-- A filter's mistakes (returning a number, say) are raised by the walk, inside folio; blame
-- the line that registered the filter instead.
local function walk_filter(doc, h, page)
  local ok, err = pcall(doc.walk, doc, h.fn, page)
  if ok then return end
  if type(err) == "table" and err.file then error(err, 0) end -- a budget that ran out (safe mode)
  if type(err) == "table" and err.raw then err = err.raw end -- raised in a guarded filter
  if type(err) == "string" and not err:find("^[^\n]*src/lua/folio/") and err:find("^[^:\n]+:%d+:") then
    error(err, 0) -- already names the user's file (an error inside the filter function)
  end
  local file, line = h.source:match("^(.*):(%d+)$")
  errors.fail(file, tonumber(line), "in this ast filter: " .. tostring(type(err) == "table" and err.message or err):gsub("^[^\n]-:%d+: ", ""))
end

local function run_ast_hooks(doc, page)
  for _, h in ipairs(sitemod.hooks.ast) do
    if h.when and not h.when(page) then -- (a hook that wants only some pages)
    elseif type(h.fn) == "function" then h.fn(doc, page) else walk_filter(doc, h, page) end
  end
end

local function wants_tree(page)
  for _, h in ipairs(sitemod.hooks.ast) do
    if not h.when or h.when(page) then return true end
  end
  return false
end

local function needs_tree(page)
  return page.title == nil or next(renderers) ~= nil or wants_tree(page)
end

local finish_page

local function process_page(id, src)
  current_file = src.path
  local page = setmetatable({ id = id, path = src.path, mtime = src.mtime }, PageMeta)
  stage = "read"
  local text, err = folio.fs.read_source(src.path)
  if not text then errors.fail(src.path, err.line, err.message, err.hint) end
  if caching then
    local reused = buildcache.reuse(id, src, text)
    if reused then return reused, true end
  end
  if err then errors.warn(src.path, err.line, err.message, err.hint) end -- not UTF-8: read as Windows-1252
  page.source = text
  stage = "source"
  for _, h in ipairs(sitemod.hooks.source) do h.fn(page) end
  stage = "front matter"
  local meta, body, body_line, notice = folio.frontmatter.parse(page.source)
  if not meta then
    errors.fail(src.path, body.line, tostring(body.message),
                body.hint or "front matter is YAML between two lines of ---")
  end
  if notice then errors.warn(src.path, notice.line, notice.message, notice.hint) end
  if config.front_matter_defaults then meta = config.front_matter_defaults(src.path, meta) end
  page.full_source = page.source
  page.source = body
  page.body_line = body_line
  page.lang_folder = languages.folder_of(src.path)
  pagemod.from_front_matter(page, meta, src, config)
  languages.assign(page, config)
  page.full_source = nil
  stage = "frontmatter"
  for _, h in ipairs(sitemod.hooks.frontmatter) do h.fn(page) end
  if page.draft and not (opts.drafts or config.drafts) then return nil end
  if page.date and page.date > folio.date.now() then
    page.future = true
    if not (opts.future or config.future) then return nil end
  end
  if page.defer then -- finished in assemble, with the site at hand (finish_deferred)
    pagemod.assign_url(page, config)
    return page
  end
  return finish_page(page, src.path)
end

-- The stages after frontmatter: Markdown, ast, render hooks, HTML, html; the page's body goes to
-- the content store.
function finish_page(page, path)
  local id = page.id
  stage = "Markdown"
  if not is_markdown(path) then
    page.content = page.source -- an HTML (or other text) source: its body as it is
    if page.title == nil then page.title = pagemod.title_from_name(page.basename) end
  elseif needs_tree(page) then
    local doc = folio.markdown.parse(page.source, config.markdown)
    stage = "ast"
    run_ast_hooks(doc, page)
    local heading = pagemod.title_from_tree(page, doc)
    if heading and config.title_from_heading then heading:remove() end
    stage = "render"
    page.content = folio.markdown.render(doc, renderers, page, config.markdown)
  else
    page.content = folio.markdown.to_html(page.source, config.markdown)
  end
  pagemod.assign_url(page, config)
  page.words = pagemod.count_words(page.source)
  page.reading_time = math.max(1, math.ceil(page.words / (config.words_per_minute or 220)))
  stage = "html"
  for _, h in ipairs(sitemod.hooks.html) do h.fn(page) end
  folio.build.set_content(id, rawget(page, "content") or "")
  rawset(page, "content", nil)
  page.source = nil
  return page
end

function P.process(id)
  local src = sources[id]
  if caching then folio.build.record(true); buildcache.begin_page() end
  local ok, result, reused = xpcall(process_page, errors.handler, id, src)
  if caching then
    local reports = folio.build.record(false)
    if ok and result and not reused then buildcache.store(id, src, result, reports) end
    folio.cache.count(reused and true or false)
  end
  if ok then
    keep_page(id, result)
  else
    report(result, src.path, "while processing " .. src.path .. " (" .. stage .. " stage)", src.path)
  end
  return ok
end

function P.take_pages() settle_pages(); local t = pages; pages = {}; return t end

function P.merge(more)
  settle_pages()
  for id, page in pairs(more) do pages[id] = page end
end

----------------------------------------------------------------------------------------------
-- Phase 2: the whole site

-- Pages newest first; dated pages of the same date by path (config.same_date_order =
-- "path_descending": the later path first, as Jekyll orders site.posts), the rest by path;
-- on the two pages' dates (nil or false for none) and paths, so that both sorts below share it.
local function newer_or_first(da, na, db, nb)
  if da ~= db then return (da or 0) > (db or 0) end
  if da and config.same_date_order == "path_descending" then return na > nb end
  return na < nb
end

local function newest_first(a, b)
  return newer_or_first(a.date, a.path or a.url, b.date, b.path or b.url)
end

-- Sorts `list` (pages) as table.sort(list, newest_first) does, through flat arrays of the pages'
-- dates and paths: a comparison then reads two arrays that fit the processor's caches, not two
-- page tables anywhere in a heap that holds the site (100k posts: 1.7 M comparisons, each of
-- which missed the caches a few times: 0.63 s, now 0.39 s of CPU).
-- folio.sort_newest_first does the same in C (lx_order.c: 100k pages in 80-90 ms, 190-210 ms
-- here); this one sorts what it cannot read (a date that is no number, say).
local function sort_newest_first(list)
  if folio.sort_newest_first(list, config.same_date_order == "path_descending") then return end
  local n = #list
  local dates, names, order = {}, {}, {}
  for i = 1, n do
    local p = list[i]
    dates[i], names[i], order[i] = p.date or false, p.path or p.url, i
  end
  table.sort(order, function(a, b) return newer_or_first(dates[a], names[a], dates[b], names[b]) end)
  local pages_in_order = {}
  for i = 1, n do pages_in_order[i] = list[order[i]] end
  for i = 1, n do list[i] = pages_in_order[i] end
end

local function link_neighbours(list)
  -- list is newest first: prev = older, next = newer (as Jekyll's page.previous / page.next)
  for i, p in ipairs(list) do
    p.prev = list[i + 1]
    p.next = list[i - 1]
  end
end

-- The navigation menu when site.lua sets none: top-level pages (content/about.md), by
-- `weight` then title. Computed once here so templates need not scan every page.
local function default_menu(all)
  local menu = {}
  for _, p in ipairs(all) do
    if p.section == "" and p.url ~= "/" and p.output ~= false and p.menu ~= false and not p.draft then
      menu[#menu + 1] = { name = p.menu_title or p.title, url = p.url, weight = tonumber(p.weight) or 0 }
    end
  end
  table.sort(menu, function(a, b)
    if a.weight ~= b.weight then return a.weight < b.weight end
    return tostring(a.name) < tostring(b.name)
  end)
  return menu
end

-- The pages of each section, in the order of `all`, and the section names in the order they
-- first appear.
local function group_sections(all)
  local sections, names = {}, {}
  for _, p in ipairs(all) do
    local section = sections[p.section]
    if not section then
      section = {}
      sections[p.section] = section
      names[#names + 1] = p.section
    end
    section[#section + 1] = p
  end
  return sections, names
end

-- `menu()` gives the default menu, asked for only when site.lua sets none.
local function new_site(all, sections, menu)
  local s = setmetatable({}, Site)
  for k, v in pairs(config) do
    local t = type(v)
    if t ~= "function" and t ~= "userdata" then s[k] = v end
  end
  s.pages, s.posts, s.sections, s.generated = all, {}, sections, {}
  -- SOURCE_DATE_EPOCH (reproducible-builds.org) pins it, so templates that print it still
  -- give the same bytes
  s.build_time = math.tointeger(tonumber(os.getenv("SOURCE_DATE_EPOCH") or "")) or folio.date.now()
  s.preview = opts.preview or false
  s.posts = s.sections.posts or {}
  if s.menu == nil then s.menu = menu(all) end
  return s
end

local function add_builtin_pages(s, find_output)
  if not find_output["index.html"] then
    local listed = #s.posts > 0 and s.posts or s.pages
    s:add_page { url = "/", kind = "home", layout = "home", title = s.title, pages = listed }
  end
  if config.not_found_page ~= false and not find_output["404.html"] and sitemod.find_template(config, "layouts/404.html") then
    s:add_page { url = "/404.html", kind = "404", layout = "404",
                 title = i18n.lookup("page_not_found", config.language) or "Page not found" }
  end
end

local function check_outputs(list)
  local owner = {}
  local ok = true
  for _, p in ipairs(list) do
    local first = owner[p.output]
    if first then
      ok = false
      local a, b = first.path or ("generated page " .. first.url), p.path or ("generated page " .. p.url)
      report({ file = p.path or first.path, message = "two pages claim the URL " .. p.url .. ": " .. a .. " and " .. b,
               hint = "give one of them another slug, permalink or url in its front matter" })
      if first.path and p.path then
        report({ file = first.path, message = "two pages claim the URL " .. p.url .. ": " .. a .. " and " .. b,
                 hint = "give one of them another slug, permalink or url in its front matter" })
      end
    else
      owner[p.output] = p
    end
  end
  return ok
end

-- FOLIO_COUNTERS=1: each site hook's own work, in hundreds of Lua VM instructions (its calls
-- into C count as one each): "counter site hook <source> <n>" on stderr. A measure of the steps
-- taken that does not depend on the machine, for tests/growth.sh; never a timing. For a
-- folio.site_hook also "counter per_page <name> <n>": the pages its per_page ran for.
local counters = os.getenv("FOLIO_COUNTERS")

local function counted(fn, s)
  local n = 0
  debug.sethook(function() n = n + 1 end, "", 100)
  local ok, err = xpcall(fn, errors.handler, s)
  debug.sethook()
  return ok, err, n
end

-- The pages re-processed by the preview update being assembled (page -> true), for the
-- incremental site hooks; nil outside an update (every page counts as changed).
local site_dirty = nil

local function run_site_hooks(s)
  current_file = nil
  site_hooks.begin_run(site_dirty)
  local timings = os.getenv("FOLIO_TIMINGS")
  for _, h in ipairs(sitemod.hooks.site) do
    local t0 = timings and os.clock()
    local ok, err, steps
    if counters then ok, err, steps = counted(h.fn, s) else ok, err = xpcall(h.fn, errors.handler, s) end
    if not ok then report(err, nil, "in a site hook (" .. h.source .. ")") end
    if timings then io.stderr:write(string.format("site hook %-40s %8.1f ms\n", h.source, (os.clock() - t0) * 1e3)) end
    if counters then
      io.stderr:write(string.format("counter site hook %s %d\n", h.source, steps))
      if h.stats then io.stderr:write(string.format("counter per_page %s %d\n", h.name or h.source, h.stats.calls)) end
    end
  end
end

-- The outputs to render: the pages' first (`pages_part`: those already known), then the
-- generated ones. Returns the list and how many of it are pages.
local function collect_outputs(s, pages_part)
  local list = {}
  if pages_part then
    table.move(pages_part, 1, #pages_part, 1, list)
  else
    for _, p in ipairs(s.pages) do if p.output then list[#list + 1] = p end end
  end
  local npages = #list
  for _, p in ipairs(s.generated) do if p.output then list[#list + 1] = p end end
  return list, npages
end

----------------------------------------------------------------------------------------------
-- The frame of the site (folio serve only; folio.preview): kept between preview updates.

local frame           -- preview.frame; nil until the first assemble in preview
-- preview: which pages hold a value in a list field (tags...), for an edit's related candidates;
-- told of every page whose fields may have changed (re-processed, touched by a site hook,
-- rendered), forgotten when every page is rendered
local values_index = preview.values_index()
local PRIMED_FIELDS = { "tags", "categories" } -- (the fields most edits' pages list values in)
local pages_part = 0  -- how many entries of render_list are pages (the rest is generated)
local pages_part_kept -- the last assemble left the pages' part of the render list as it was

-- A site from the frame (with copies of its lists). Returns it and whether its URL index is
-- primed with the frame's pages.
local function frame_site()
  local all, sections, menu, builtin = frame:site_parts()
  local s = new_site(all, sections, menu)
  local by_url = frame:url_index()
  if by_url then url_indexes[s] = setmetatable({}, { __index = by_url }) end
  add_builtin_pages(s, builtin)
  languages.assemble(s, config, default_menu, function(out) return frame:has_output(out) end, link_neighbours)
  return s, by_url ~= nil
end


-- Pages a frontmatter hook deferred (page.defer = true): the `defer` hooks run on each with the
-- assembled site (site.pages, site.posts), then the stages after frontmatter. The body is kept
-- (page.deferred_source), so every assemble (a preview update too) finishes them again.
-- `fresh` (id -> page, P.assemble's frame path: no page added or removed) limits the look to
-- those pages and the ones the last pass found deferred, instead of reading every page.
local deferred_pages = {} -- the pages the last pass found deferred, in site order

local function deferred_candidates(fresh)
  local set, list = {}, {}
  for _, p in ipairs(deferred_pages) do set[p] = true end
  for _, p in pairs(fresh) do set[p] = true end
  local order = frame:order()
  for p in pairs(set) do
    local k = frame:index_of(p.id)
    if k and order[k] == p then list[#list + 1] = p end -- (a page still in the frame)
  end
  table.sort(list, function(a, b) return frame:index_of(a.id) < frame:index_of(b.id) end)
  return list
end

local function finish_deferred(s, fresh)
  local found = {}
  for _, p in ipairs(fresh and deferred_candidates(fresh) or s.pages) do
    if rawget(p, "defer") then
      found[#found + 1] = p
      if p.output ~= false then
        current_file = p.path
        p.deferred_source = p.deferred_source or p.source
        p.source = p.deferred_source
        local ok, err = xpcall(function()
          stage = "defer"
          for _, h in ipairs(sitemod.hooks.defer) do h.fn(p, s) end
          finish_page(p, p.path)
        end, errors.handler)
        if not ok then
          report(err, p.path, "while processing " .. p.path .. " (" .. stage .. " stage)", p.path)
          p.output = false
        end
      end
    end
  end
  deferred_pages = found
  current_file = nil
end

-- Whether layout `name` exists (the theme's templates or the site model's layout engine);
-- else also the file it would be and where it was looked for.
local function layout_exists(name)
  local exists, relpath, looked = renderer:has_layout(name)
  if not exists and layout_engine then
    exists = layout_engine.has_layout(name) and true or false
    if not exists and layout_engine.looked then looked = layout_engine.looked(name) .. ", " .. looked end
  end
  return exists, relpath, looked
end

-- Whether every layout the pages of `fresh` (id -> page) ask for exists.
local function layouts_exist(fresh)
  for _, p in pairs(fresh) do
    local name = p.layout
    if p.path and type(name) == "string" and name ~= "none" and name ~= "" and not layout_exists(name) then
      return false
    end
  end
  return true
end

-- Layouts that pages ask for and that do not exist: one warning per layout, naming the pages
-- that ask for it; those pages are rendered with the layout of their kind (see render_one).
local function check_layouts(list)
  local asked, names = {}, {}
  for _, p in ipairs(list) do
    local name = p.layout
    if p.path and type(name) == "string" and name ~= "none" and name ~= "" then
      local pages_of = asked[name]
      if not pages_of then
        pages_of = {}
        asked[name] = pages_of
        names[#names + 1] = name
      end
      pages_of[#pages_of + 1] = p.path
    end
  end
  missing_layouts = {}
  for _, name in ipairs(names) do
    local exists, relpath, looked = layout_exists(name)
    if not exists then
      missing_layouts[name] = true
      local paths = asked[name]
      table.sort(paths)
      local first = paths[1]
      local text = folio.fs.read_source(first)
      local shown = table.concat(paths, ", ", 1, math.min(#paths, 5)) .. (#paths > 5 and (" and " .. (#paths - 5) .. " more") or "")
      errors.warn(first, text and pagemod.key_line(text, "layout"),
                  string.format("layout '%s' not found (looked in %s); %d page%s ask%s for it (%s) and %s rendered with the layout of %s kind (post or page)",
                                name, looked, #paths, #paths == 1 and "" or "s", #paths == 1 and "s" or "",
                                shown, #paths == 1 and "is" or "are", #paths == 1 and "its" or "their"),
                  string.format("create %s, or set `layout` to an existing layout", relpath))
    end
  end
end

----------------------------------------------------------------------------------------------

-- Assembles the site from the processed pages: order, sections, neighbours, built-in pages, the
-- site hooks, the render list. Returns how many outputs there are.
-- For preview updates: `keep_order` (no page added, removed or re-dated) reuses the last order
-- instead of sorting again; `fresh` (id -> page, re-processed pages that kept their place, see
-- same_place) reuses the whole frame; `redated` (id -> true: pages whose date changed, none
-- added or removed) puts only those in their new places in the last order (preview.reorder).
-- One warning for every page whose only date was its file's modification time and whose
-- permalink therefore left out its date parts (page.assign_url).
local function warn_dateless_urls(all)
  local paths, pattern = {}, nil
  for _, p in ipairs(all) do
    if p.dateless_url then paths[#paths + 1] = p.path; pattern = pattern or p.dateless_url end
  end
  if #paths == 0 then return end
  table.sort(paths)
  local shown = table.concat(paths, ", ", 1, math.min(#paths, 10))
  if #paths > 10 then shown = shown .. string.format(" and %d more", #paths - 10) end
  errors.warn(nil, nil, string.format(
    "%d %s no date in front matter or file name and %s not committed to git: %s. Their date is the file's "
    .. "modification time, which changes with every clone, copy or touch, so their URLs leave out the date parts "
    .. "of the permalink (%s gives %s)",
    #paths, #paths == 1 and "page has" or "pages have", #paths == 1 and "is" or "are", shown,
    pattern, pagemod.without_date_parts(pattern)),
    "give each a `date:` in its front matter or a YYYY-MM-DD- file name, or commit it to git")
end

function P.assemble(keep_order, fresh, redated)
  settle_pages()
  if fresh and frame then
    local spots = frame:replace(fresh, link_neighbours, redated, newest_first)
    if not spots then return P.assemble(keep_order, nil, redated) end -- (a URL or order it cannot take)
    local primed
    site, primed = frame_site()
    finish_deferred(site, fresh)
    local given = site.pages
    run_site_hooks(site)
    if primed and not frame:index_held(site, given, spots, url_indexes[site]) then
      -- Assemble again the usual way (the hooks run a second time, this once); never prime again.
      preview.stop_priming()
      return P.assemble(true)
    end
    frame:check_links(spots)
    local part = frame:kept_pages_part(fresh)
    if part and next(missing_layouts) == nil and layouts_exist(fresh) then
      -- the pages' part as the frame has it (the hooks are taken to have left the outputs and
      -- layouts of the pages they were not given as they were: docs/serve.md), the generated
      -- outputs after it; no layout was missing and none is now
      render_list, pages_part = collect_outputs(site, part)
      pages_part_kept = true
    else
      render_list, pages_part = collect_outputs(site)
      check_layouts(render_list)
      pages_part_kept = frame:same_pages_part(render_list, pages_part)
    end
    if pages_part_kept then
      frame:check_generated(render_list, pages_part, check_outputs)
    else
      local ok = check_outputs(render_list)
      frame:complete(render_list, pages_part, ok)
    end
    return #render_list
  end
  local all = {}
  if keep_order and frame then
    for i, p in ipairs(frame:order()) do all[i] = pages[p.id] end
  elseif redated and frame then
    all = preview.reorder(frame:order(), pages, redated, newest_first)
  end
  if #all == 0 then
    for _, p in pairs(pages) do all[#all + 1] = p end
    sort_newest_first(all)
  end
  warn_dateless_urls(all)
  local sections, names = group_sections(all)
  local outputs = {}
  for _, p in ipairs(all) do outputs[p.output] = p end
  if opts.preview then
    -- the frame keeps these lists; the site gets copies
    frame = preview.frame(all, sections, names, outputs)
    local all_copy, sections_copy = frame:site_parts()
    site = new_site(all_copy, sections_copy, function(list) return frame:keep_menu(default_menu(list)) end)
  else
    site = new_site(all, sections, default_menu)
  end
  for _, list in pairs(site.sections) do link_neighbours(list) end
  finish_deferred(site)
  add_builtin_pages(site, outputs)
  languages.assemble(site, config, default_menu, function(out) return outputs[out] ~= nil end, link_neighbours)
  run_site_hooks(site)
  render_list, pages_part = collect_outputs(site)
  check_layouts(render_list)
  local ok = check_outputs(render_list)
  pages_part_kept = false
  if frame then
    frame:complete(render_list, pages_part, ok)
    -- (the terms' indexes made now, not by the first edit that asks: ~19 ms at 10k posts)
    values_index:prime(pages, PRIMED_FIELDS)
  end
  return #render_list
end


----------------------------------------------------------------------------------------------
-- Phase 3: outputs

-- Main state, once the asset manifest is known: which outputs this build takes from the last
-- one's folder (folio.warm) instead of rendering them. Only in a build with the cache, and not
-- for sites whose layouts may show any page (preview_render_all).
local warm_keep -- output -> its entry in the last build's record (folio.build.link_kept), or nil
local warm_planned = false
local problems_before_render -- diagnostics reported before the render (folio.build.problems)
local function plan_warm(manifest)
  if warm_planned or opts.preview or not buildcache.active() or config.preview_render_all then return end
  warm_planned = true
  problems_before_render = folio.build.problems()
  local previous, c0 = buildcache.previous_outputs(), os.clock()
  warm_keep = warm.plan(render_list, site, languages.views(site), manifest, previous, folio.build.output_path(),
                        lazy_inputs, config)
  if os.getenv("FOLIO_TIMINGS") then io.stderr:write(string.format("warm plan %.1f ms (CPU)\n", (os.clock() - c0) * 1e3)) end
  if counters then
    local n = 0
    for _ in pairs(warm_keep) do n = n + 1 end
    io.stderr:write(string.format("counter outputs kept %d of %d\n", n, #render_list))
  end
end

-- The folder static links may not leave (nil: follow_symlinks = true, they may).
local function link_root()
  if config.follow_symlinks then return nil end
  return folio.fs.realpath(".")
end

-- The static files of the theme and the site (the site's replace the theme's): output -> source
-- { path = file } or { embedded = path }. Links leaving the site are warned about, once each.
local function static_files()
  local found, root = {}, link_root()
  local function scan(dir)
    local files, problems, outside = folio.fs.scan(dir, root)
    for _, e in ipairs(problems) do report(e, e.file) end
    for _, l in ipairs(outside or {}) do
      report({ severity = "warning", file = l.file,
               message = "symbolic link to " .. l.target .. ", outside the site: not followed, not copied",
               hint = "copy the file into the site, or set follow_symlinks = true in site.lua to follow such links" }, l.file)
    end
    for _, f in ipairs(files) do found[f.path:sub(#dir + 2)] = { path = f.path } end
  end
  -- each theme of the chain, the furthest ancestor first: a theme's file replaces its parent's;
  -- none when the site model brings its own layouts (a Jekyll site's: theme_static = false)
  local chain = config.theme_static == false and {} or sitemod.chain_of(config)
  for i = #chain, 1, -1 do
    local theme_static = "themes/" .. chain[i] .. "/static"
    if folio.fs.stat(theme_static) then
      scan(theme_static)
    else
      for _, path in ipairs(folio.embedded.list(theme_static .. "/")) do
        found[path:sub(#theme_static + 2)] = { embedded = path }
      end
    end
  end
  if type(config.static_sources) == "function" then -- an extension point (compat/jekyll/site.lua)
    for rel, path in pairs(config.static_sources()) do found[rel] = { path = path } end
  elseif folio.fs.stat("static") then
    scan("static")
  end
  return assets.outputs(found) -- output rel -> source (Sass files under their .css names)
end

local function describe_output(p)
  if p.path then return p.path .. " (page " .. tostring(p.url) .. ")" end
  if p.kind == "404" then return "the not-found page (" .. tostring(p.url) .. ", from layout 404)" end
  if p.kind == "home" then return "the generated home page (/)" end
  return "the generated page " .. tostring(p.url)
end

-- A static file and a page that write the same output: an error naming both.
local function check_static_clashes(found)
  local ok = true
  for _, p in ipairs(render_list) do
    local f = p.output and found[p.output]
    if f then
      ok = false
      local src = f.path or ("(folio)/" .. f.embedded)
      if f.rel ~= p.output then src = src .. " (compiled to " .. p.output .. ")" end
      report({ file = p.path or f.path, message = "two sources claim the output " .. p.output .. ": "
               .. describe_output(p) .. " and the static file " .. src,
               hint = "rename or remove one of them (a page's slug, permalink or url, or the static file)" })
    end
  end
  return ok
end

-- The static files, in two steps: prepare_static before the render (checked against the pages'
-- outputs; the assets' manifest, which asset() in the layouts reads), copy_static to write them
-- (a `folio build` does it in the render process while the other one renders pages).
local static_plan -- { found = static_files(), rels = their outputs, sorted }, until copied
function P.prepare_static()
  static_plan = nil
  local found = static_files()
  if not check_static_clashes(found) then return end
  local rels = {}
  for rel in pairs(found) do rels[#rels + 1] = rel end
  table.sort(rels)
  plan_warm(assets.prepare(found))
  static_plan = { found = found, rels = rels }
end

function P.copy_static()
  local plan = static_plan
  static_plan = nil
  if not plan then return end
  for _, rel in ipairs(plan.rels) do assets.write(rel, plan.found[rel]) end
end

-- The assembled site for the render workers, with the asset manifest (computed once here).
function P.export_site()
  local manifest = assets.export() or assets.prepare(static_files())
  plan_warm(manifest)
  return { site = site, render_list = render_list, missing_layouts = missing_layouts,
           assets = manifest, warm_keep = warm_keep }
end
function P.import_site(t)
  site, render_list, missing_layouts, changed_urls = t.site, t.render_list, t.missing_layouts, {}
  assets.import(t.assets)
  warm_keep = t.warm_keep
end

-- What a page's layout says it shows of other pages (its front matter `shows: [title, date]`,
-- docs/templates.md): field name -> true, or nil when it says nothing or is another engine's.
-- Per layout name, for as long as the renderer (the templates as read) is the same.
local shows_by_layout, shows_renderer = {}, nil
local function layout_shows(p)
  local name = p.layout
  if type(name) ~= "string" or (layout_engine and layout_engine.has_layout(name, p)) then return nil end
  if shows_renderer ~= renderer then shows_by_layout, shows_renderer = {}, renderer end
  local known = shows_by_layout[name]
  if known == nil then
    local ok, meta = pcall(renderer.layout_meta, renderer, name)
    local list = ok and type(meta) == "table" and meta.shows
    known = false
    if type(list) == "table" then
      known = {}
      for _, k in ipairs(list) do
        if type(k) == "string" then known[k] = true end
      end
    end
    shows_by_layout[name] = known
  end
  return known or nil
end

local function render_one(page)
  local html
  if page.layout == false or page.layout == "none" then
    html = page.content or ""
  else
    local layout = page.layout
    if page.path and missing_layouts[layout] then layout = pagemod.default_layout(page) end
    i18n.set_current(page.lang)
    local engine = layout_engine and layout_engine.has_layout(layout, page) and layout_engine
    if engine then
      html = engine.render(page, site, layout)
    else
      if page.lang and not page.path then languages.translations_of(site, page) end
      html = renderer:render_page(page, languages.view(site, page.lang), layout)
    end
  end
  if assets.write_output(page.output, html, page.path, page.minified) then changed_urls[#changed_urls + 1] = page.url end
end

-- A page's body waits in the C content store (page.content reads it: a new copy each time). The
-- templates read it several times a render (the layout, head.html, seo.html): it is fetched
-- once and held on the page while its own render runs.
local function hold_content(page)
  if getmetatable(page) ~= PageMeta or rawget(page, "content") ~= nil then return false end
  rawset(page, "content", page.content)
  return true
end

function P.render(i)
  local page = render_list[i]
  local kept = warm_keep and warm_keep[page.output]
  if kept and pcall(folio.build.link_kept, page.output, kept) then return end
  current_file = page.path
  local held = hold_content(page)
  local ok, err = xpcall(render_one, errors.handler, page)
  if held then rawset(page, "content", nil) end
  if not ok then
    local what = page.path or ("the generated page " .. page.url)
    report(err, page.path, "while rendering " .. what, page.path or page.url)
  end
end

----------------------------------------------------------------------------------------------
-- Preview updates (folio serve): re-process what changed, re-assemble, re-render what may show
-- it. Only the main state runs these, except `render` for a full re-render.

-- Fields that show only on the page itself and on lists of it; any other field may show on
-- every page (navigation, neighbours, archives), so a change there re-renders everything.
local LOCAL_FIELDS = { content = true, summary = true, summary_html = true, words = true,
  reading_time = true, toc = true, mtime = true, source = true, id = true, prev = true,
  next = true, related = true, pages = true, meta = true, search_text = true, summarized = true,
  more = true }

-- A value as text for signatures: tables in key order (to a small depth), pages by their URL
-- (pages point at each other), functions and userdata by type only (new closures each build).
local function sig_value(v, depth)
  local t = type(v)
  if t == "table" then
    if rawget(v, "id") ~= nil and rawget(v, "url") ~= nil and depth > 0 then return "@" .. tostring(v.url) end
    if depth >= 4 then return "{...}" end
    local keys = {}
    for k in pairs(v) do if type(k) == "string" or type(k) == "number" then keys[#keys + 1] = k end end
    table.sort(keys, function(a, b)
      if type(a) ~= type(b) then return type(a) == "number" end
      return a < b
    end)
    local parts = {}
    for i, k in ipairs(keys) do parts[i] = tostring(k) .. "=" .. sig_value(v[k], depth + 1) end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif t == "function" or t == "userdata" or t == "thread" then
    return t
  end
  return tostring(v)
end

-- What other pages may show of a page: its fields other than LOCAL_FIELDS, as they are after
-- the site stage (plugins add fields there, e.g. taxonomies).
local function signature(page)
  local keys = {}
  for k in pairs(page) do
    if type(k) == "string" and not LOCAL_FIELDS[k] then keys[#keys + 1] = k end
  end
  table.sort(keys)
  local parts = {}
  for i, k in ipairs(keys) do parts[i] = k .. "=" .. sig_value(page[k], 1) end
  return table.concat(parts, "\0")
end

-- Whether re-processed pages (`touched`, id -> true; `olds`: id -> last version) changed a field
-- other pages may show (one outside LOCAL_FIELDS), each having a last and a new version.
-- Returns the names of those fields (name -> true), or nil. Second, for the layouts that say
-- what they show of other pages (folio.preview's choose): every field whose value changed,
-- LOCAL_FIELDS' too; every field of the last version the new one lacks (the site hooks set
-- theirs later: a summary may have changed); and `content` (a body is not compared); nil when
-- that is not known (a page re-processed into its last table).
local function shown_fields_changed(touched, olds)
  local changed, any = nil, { content = true }
  for id in pairs(touched) do
    local old, now = olds[id], pages[id]
    if not old or not now then return nil end
    if now == old then
      any = false -- (the same table: what changed in it is not known)
    else
      for k, v in pairs(now) do
        if type(k) == "string" and sig_value(v, 1) ~= sig_value(old[k], 1) then
          if any then any[k] = true end
          if not LOCAL_FIELDS[k] then
            changed = changed or {}
            changed[k] = true
          end
        end
      end
      for k in pairs(old) do
        if any and type(k) == "string" and rawget(now, k) == nil then any[k] = true end
      end
    end
  end
  return changed, any or nil
end

-- What a set of changed paths needs: "reload" (site.lua, a script, theme.lua, any file of a
-- site whose config lists its sources: reload all the Lua and build again) or "update".
function P.classify(paths)
  -- a site model that lists its own sources (a Jekyll site) is read again on any change
  if config and type(config.sources) == "function" then return "reload" end
  for _, path in ipairs(paths) do
    if path == "site.lua" or path:find("^scripts/") or path:find("^themes/[^/]+/theme%.lua$")
       or path:find("^i18n/") or path:find("^themes/[^/]+/i18n/") then
      return "reload"
    end
  end
  return "update"
end

-- What the last render list wrote, per part (see collect_outputs): output -> URL, and output ->
-- content for outputs written as is (layout false or "none").
local written = { pages = { urls = {}, as_is = {} }, generated = { urls = {}, as_is = {} } }

local function written_as_is(p) return p.layout == false or p.layout == "none" end

local function remember_part(part, first, last)
  local urls, as_is = {}, {}
  for k = first, last do
    local p = render_list[k]
    urls[p.output] = p.url
    if written_as_is(p) then as_is[p.output] = p.content or "" end
  end
  written[part] = { urls = urls, as_is = as_is }
end

local function remember_outputs()
  remember_part("pages", 1, pages_part)
  remember_part("generated", pages_part + 1, #render_list)
end
-- After a build: with FOLIO_COUNTERS, how many images libvips processed (all threads and the
-- render process; 0 when every result came from the image cache).
function P.remember_outputs()
  if opts.preview then remember_outputs() end -- what later updates compare with: a build has none
  -- A render that reported a problem records nothing: the next build renders every output again,
  -- and so reports it again (kept outputs would hide it).
  if warm_planned then
    buildcache.save_outputs(folio.build.problems() == problems_before_render and warm.record() or {})
  end
  if counters then io.stderr:write(string.format("counter images processed %d\n", folio.image.processed())) end
end

-- After an update that kept the pages' part of the render list: the generated part, and the
-- re-processed pages (id -> true) among the pages written as is.
local function remember_update(touched)
  remember_part("generated", pages_part + 1, #render_list)
  local urls = written.pages.urls
  for _, m in ipairs(frame:moved()) do urls[m.output] = nil end
  for _, m in ipairs(frame:moved()) do
    local p = render_list[frame:output_of(m.id)]
    urls[p.output] = p.url
  end
  for id in pairs(touched) do
    local k = frame:output_of(id)
    local p = k and render_list[k]
    if p and p.id == id and written_as_is(p) then written.pages.as_is[p.output] = p.content or "" end
  end
end

-- (the generated outputs first: an update asks it of each of them, of few content pages)
local function previous_url(output)
  return written.generated.urls[output] or written.pages.urls[output]
end

local function previous_content(output)
  local c = written.pages.as_is[output]
  if c == nil then c = written.generated.as_is[output] end
  return c
end

local function is_under(path, dir) return path:sub(1, #dir + 1) == dir .. "/" end

-- path -> id of every source, and the folders above them (path -> true; a source removed may
-- leave its folders listed), rebuilt when P.begin starts a new list.
local by_path, source_folders, by_path_of = {}, {}, nil
local function note_source(path, id)
  by_path[path] = id
  local at = path:find("/", 1, true)
  while at do
    source_folders[path:sub(1, at - 1)] = true
    at = path:find("/", at + 1, true)
  end
end
local function source_id(path)
  if by_path_of ~= sources then
    by_path, source_folders, by_path_of = {}, {}, sources
    for id, src in pairs(sources) do note_source(src.path, id) end
  end
  return by_path[path]
end

local timings = os.getenv("FOLIO_TIMINGS")
local function lap(what, t0)
  if timings then io.stderr:write(string.format("update: %-22s %8.1f ms\n", what, (os.clock() - t0) * 1e3)) end
  return os.clock()
end

-- Deletes the outputs of `parts` of the last render list that render_list[first..] no longer
-- has. Returns whether render_list[first..] has an output that was not written last time, the
-- outputs of render_list[first..] (output -> its index), their URLs (url -> index) and whether
-- two of them have one output or one URL (then the two maps do not tell every entry).
local function compare_outputs(first, parts)
  local new, still, at_url, twice = false, {}, {}, false
  for k = first, #render_list do
    local p = render_list[k]
    local out, url = p.output, p.url
    if still[out] then twice = true end
    still[out] = k
    if url ~= nil then
      if at_url[url] then twice = true end
      at_url[url] = k
    end
    if not new and previous_url(out) == nil then new = true end
  end
  for _, part in ipairs(parts) do
    for output, url in pairs(written[part].urls) do
      if not still[output] then
        folio.build.remove(output)
        changed_urls[#changed_urls + 1] = url
      end
    end
  end
  return new, still, at_url, twice
end

-- The indexes in render_list of what a partial update renders: the re-processed pages, the
-- generated lists that show one of them, the outputs written as is whose content changed. When
-- the pages' part of the list is as it was, only re-processed pages are looked up in it.
local function choose_outputs(touched)
  local todo, first, objects = {}, 1, {}
  for id in pairs(touched) do
    if pages[id] then objects[pages[id]] = true end
  end
  -- whether a list page shows one of them: a page of the frame told by identity (`objects`),
  -- anything else (a copy of a page, say) by its id (preview.shows_changed)
  local known = frame and frame:known_pages() or {}
  local function touched_copy(q) return touched[q.id] ~= nil end
  local function lists_touched(p)
    local list = p.pages
    return type(list) == "table" and preview.shows_changed(list, objects, known, touched_copy)
  end
  if pages_part_kept then
    for id in pairs(touched) do
      local k = frame:output_of(id)
      if k and render_list[k].id == id then todo[#todo + 1] = k end
    end
    first = pages_part + 1
  end
  for i = first, #render_list do
    local p = render_list[i]
    local as_is = written_as_is(p)
    if touched[p.id] or (p.generated and not as_is and lists_touched(p))
       or (as_is and previous_content(p.output) ~= (p.content or "")) then
      todo[#todo + 1] = i
    end
  end
  table.sort(todo)
  return todo
end


-- `todo` (indexes in render_list, sorted) with the outputs of the deferred pages added, each once.
local function with_deferred(todo)
  if #deferred_pages == 0 then return todo end
  local have = {}
  for _, i in ipairs(todo) do have[i] = true end
  for _, p in ipairs(deferred_pages) do
    local k = p.id and frame and frame:output_of(p.id)
    if k and render_list[k] == p and not have[k] then todo[#todo + 1] = k; have[k] = true end
  end
  table.sort(todo)
  return todo
end

local last_touched = {} -- the pages the last update re-processed (id -> true)

-- A re-processed page keeps the table of its last version: its fields are replaced by the new
-- version's, so what other pages, lists and the site hooks' caches hold of it stays valid (the
-- hooks are told which pages changed: folio.site_hooks). Returns the page.
local function keep_identity(old, now)
  for k in pairs(old) do rawset(old, k, nil) end
  for k, v in pairs(now) do rawset(old, k, v) end
  return old
end

-- Applies changed paths; returns "full" or "partial", the number of outputs (full) or of outputs
-- to render (partial), and whether only stylesheets changed.
-- A page's signature before and after decides: if what other pages may show of it changed (or
-- it is new, or gone), everything is rendered again; else only it and the lists that show it.
function P.update(paths)
  changed_urls = {}
  local t = os.clock()
  local touched, before, olds, structural, templates, css_only = {}, {}, {}, false, false, true
  local keep_order = true -- no page added, removed or re-dated: the last sort still holds
  local redated = {}      -- id -> true: pages re-dated; false once a page is added or removed
  local function drop(id)
    if sources[id].deleted then return end
    pages[id] = nil
    sources[id] = { path = sources[id].path, mtime = 0, size = 0, deleted = true }
    folio.build.set_content(id, "")
    structural = true
    keep_order = false
    redated = false
  end
  local assets_changed = false
  for _, path in ipairs(paths) do
    if not (path:find("%.css$") or path:find("%.scss$") or path:find("%.sass$")) then css_only = false end
    local st = folio.fs.stat(path)
    if path:find("^content/") then
      local id = source_id(path)
      if st and st.type == "file" then
        if is_markdown(path) then
          if not id then
            keep_order = false
            redated = false
            id = #sources + 1
            sources[id] = { path = path, mtime = st.mtime, size = st.size }
            note_source(path, id)
            folio.build.reserve(id)
          end
          sources[id] = with_git_dates({ path = path, mtime = st.mtime, size = st.size })
          local old = pages[id]
          if old and before[id] == nil then before[id] = signature(old); olds[id] = old end
          if not P.process(id) then
            pages[id] = old -- keep the last good version on screen; the error goes to the overlay
          end
          local now = pages[id]
          if not old or not now then
            keep_order, redated = false, false
          elseif old.date ~= now.date then
            keep_order = false
            if redated then redated[id] = true end
          end
          touched[id] = true
        end
      elseif not st then
        -- gone: a file, or a folder deleted or moved away with everything in it
        if id then
          drop(id)
        elseif not is_markdown(path) and source_folders[path] then -- (an editor's temporary
          for other, src in pairs(sources) do                        -- file is no folder of them)
            if is_under(src.path, path) then drop(other) end
          end
        end
      end
    elseif path:find("^layouts/") or path:find("^themes/[^/]+/layouts/") then
      templates = true
    elseif path:find("^static/") or path:find("^themes/[^/]+/static/") then
      if assets.is_asset_source(path) then assets_changed = true end
      if not (st and assets.is_asset_source(path)) then P.copy_static_file(path, st) end
    end
  end
  if assets_changed and refresh_assets() then templates = true end -- new fingerprints: every page
  if templates then P.reset_templates() end
  -- an edit of what other pages show of a page (its title, tags, date): what the outputs show
  -- now, so that only those that show the change are rendered (folio.preview)
  t = lap("process", t)
  local track = nil
  -- (a site whose layouts may show other pages beyond folio.preview's rule, as Jekyll's Liquid
  -- layouts do with site.posts, sets config.preview_render_all: such edits render every page)
  local shown, any_changed = nil, nil
  if not templates and not structural and not config.preview_render_all then
    shown, any_changed = shown_fields_changed(touched, olds)
  end
  if shown then
    local kept = frame and frame:same_pages_part(render_list, pages_part)
      and { npages = pages_part, special = frame:special_pages() } or nil
    track = preview.track_before(olds, pages, render_list, site, pages, shown, frame and frame:known_pages() or {}, kept,
                                 values_index)
    if track then track.any_changed = any_changed end
  end
  t = lap("track", t)
  -- re-processed pages that kept their place take it in the last assemble's frame
  local fresh = (keep_order or redated) and {} or nil
  local dirty = {}
  for id in pairs(touched) do
    local old, now = olds[id], pages[id]
    if fresh and old and now and old ~= now then
      if preview.same_place(old, now, redated and redated[id]) then fresh[id] = now else fresh = nil end
    end
    if old and now and old ~= now then
      now = keep_identity(old, now)
      pages[id] = now
      if fresh and fresh[id] then fresh[id] = now end
    end
    if now then dirty[now] = true end
  end
  -- deferred pages are finished again by every assemble: their parts too are computed again
  for _, p in ipairs(deferred_pages) do dirty[p] = true end
  last_touched = touched
  t = lap("process", t)
  site_dirty = dirty
  local ok, count = pcall(P.assemble, keep_order, fresh, redated or nil)
  site_dirty = nil
  for id in pairs(touched) do values_index:mark(id) end
  for p in pairs(dirty) do -- (with the pages site hooks touched)
    local id = type(p) == "table" and rawget(p, "id")
    if id then values_index:mark(id) end
  end
  if not ok then error(count, 0) end
  t = lap("assemble", t)
  for id in pairs(touched) do
    local now = pages[id]
    if (now == nil) ~= (before[id] == nil) or (now and signature(now) ~= before[id]) then
      structural = true
    end
  end
  -- the deferred pages were finished again (their Liquid may show what changed): rendered as
  -- re-processed pages are, with the lists that show them
  for _, p in ipairs(deferred_pages) do
    if p.id and pages[p.id] == p then touched[p.id] = true end
  end
  local generated_seen = nil -- the generated part's indexes by output and URL, when all outputs
  if pages_part_kept then     -- were written last time and none is there twice
    local new, generated, at_url, twice = compare_outputs(pages_part + 1, { "generated" })
    if not new and not twice then generated_seen = { at_output = generated, at_url = at_url } end
    if new then structural = true end
    -- pages whose URL moved in the frame (preview: Frame:replace): their old outputs go, unless
    -- a generated page writes one now (rare: then every output is rendered)
    for _, m in ipairs(frame:moved()) do
      structural = true
      if generated[m.output] then
        templates = true
      elseif written.pages.urls[m.output] then
        folio.build.remove(m.output)
        changed_urls[#changed_urls + 1] = m.url
      end
    end
  elseif compare_outputs(1, { "pages", "generated" }) then
    structural = true
  end
  t = lap("compare outputs", t)
  if structural and track and not templates then
    local kept = pages_part_kept and { npages = pages_part, special = frame:special_pages(),
                                       output_of = function(id) return frame:output_of(id) end,
                                       generated = generated_seen } or nil
    track.shows_of = layout_shows
    local todo = preview.choose(track, render_list, site, pages,
      function(out) return previous_url(out) == nil end,
      function(p) return previous_content(p.output) ~= (p.content or "") end, kept)
    lap("choose (tracked)", t)
    if todo then
      P.partial_todo = with_deferred(todo)
      return "partial", #todo, css_only
    end
  end
  if structural or templates then
    values_index:reset()
    return "full", count, css_only
  end
  P.partial_todo = choose_outputs(touched)
  lap("choose pages", t)
  return "partial", #P.partial_todo, css_only
end

function P.render_partial()
  for _, i in ipairs(P.partial_todo or {}) do
    local t = os.clock()
    local id = rawget(render_list[i], "id")
    if id then values_index:mark(id) end -- (a template may set its fields)
    P.render(i)
    lap("render " .. render_list[i].url, t)
  end
  P.partial_todo = nil
end

function P.reset_templates()
  renderer = new_renderer()
end

-- The file that provides static output `rel`: the site's static/ first, then the theme's.
local function static_source(rel)
  local root = link_root()
  local bases = { "static/" }
  for _, name in ipairs(sitemod.chain_of(config)) do bases[#bases + 1] = "themes/" .. name .. "/static/" end
  for _, base in ipairs(bases) do
    local st = folio.fs.stat(base .. rel)
    if st and st.type == "file" then
      local real = root and folio.fs.realpath(base .. rel)
      if not real or real:sub(1, #root + 1) == root .. "/" then return base .. rel end
    end
  end
  return nil
end

-- A static file or folder changed: copy what provides it now, or remove outputs that nothing
-- provides any more (a folder deleted or moved away reports only its own path).
function P.copy_static_file(path, st)
  local rel
  if path:find("^static/") then rel = path:sub(#"static/" + 1) end
  for _, name in ipairs(sitemod.chain_of(config)) do
    local theme_prefix = "themes/" .. name .. "/static/"
    if not rel and path:sub(1, #theme_prefix) == theme_prefix then rel = path:sub(#theme_prefix + 1) end
  end
  if not rel then return end -- another theme's file
  if st and st.type == "dir" then return end -- its files are reported one by one
  local function refresh(r)
    local src = static_source(r)
    if src then
      if folio.build.copy(r, src) then changed_urls[#changed_urls + 1] = "/" .. r end
    elseif not previous_url(r) then
      local embedded
      for _, name in ipairs(sitemod.chain_of(config)) do
        embedded = embedded or folio.embedded.read("themes/" .. name .. "/static/" .. r)
      end
      if embedded then
        if folio.build.write(r, embedded) then changed_urls[#changed_urls + 1] = "/" .. r end
      else
        folio.build.remove(r)
        changed_urls[#changed_urls + 1] = "/" .. r
      end
    end
  end
  if st then return refresh(rel) end
  local out = opts.output
  local ost = out and folio.fs.stat(out .. "/" .. rel, true)
  if ost and ost.type == "dir" then
    for _, f in ipairs((folio.fs.scan(out .. "/" .. rel))) do refresh(f.path:sub(#out + 2)) end
  else
    refresh(rel)
  end
end

-- A CSS, JS or Sass file changed (a Sass partial may change any Sass file): every asset made
-- again. Returns true when a fingerprinted URL changed (the pages that link it must be rendered).
function refresh_assets()
  local before = assets.export()
  assets.invalidate()
  local found = static_files()
  local now = assets.prepare(found)
  for out, f in pairs(found) do
    if assets.is_asset_source(f.rel) then
      for _, u in ipairs(assets.write(out, f)) do changed_urls[#changed_urls + 1] = u end
    end
  end
  for key, e in pairs(now) do
    if not (before and before[key]) or before[key].url ~= e.url or before[key].integrity ~= e.integrity then return true end
  end
  local gone = false
  for key, e in pairs(before or {}) do
    if not now[key] then -- a deleted CSS, JS or Sass file: its outputs go too
      gone = true
      if e.file and not found[e.output] then
        folio.build.remove(e.output)
        folio.build.remove(e.file)
        changed_urls[#changed_urls + 1] = "/" .. e.output
      end
    end
  end
  return gone
end

function P.take_changed() local t = changed_urls; changed_urls = {}; return t end
function P.merge_changed(t) for _, u in ipairs(t) do changed_urls[#changed_urls + 1] = u end end

-- Site paths ("/css/x.css") as the templates' url() writes them: with the base URL's path.
local function renderer_url()
  local prefix = base_path(config.base_url)
  return function(path) return prefix .. path end
end

-- The reload event for browsers: {"paths": [...], "css_only": bool, "assets": {...}}
function P.finish_update(css_only)
  local t = os.clock()
  if pages_part_kept then remember_update(last_touched) else remember_outputs() end
  lap("remember outputs", t)
  local urls, seen = {}, {}
  for _, u in ipairs(P.take_changed()) do
    if not seen[u] then seen[u] = true; urls[#urls + 1] = u end
  end
  table.sort(urls)
  local quoted = {}
  for i, u in ipairs(urls) do quoted[i] = '"' .. u:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"' end
  local css = css_only and #urls > 0
  -- with fingerprinted style sheets, the page's <link> names the old file: the new names
  local moved = css and (',"assets":' .. folio.json.encode(assets.reload_map(renderer_url()))) or ""
  return string.format('{"paths":[%s],"css_only":%s%s}', table.concat(quoted, ","), css and "true" or "false", moved), #urls
end

-- The serve hook stage: returns a reply table or nil.
function P.serve(request)
  for _, h in ipairs(sitemod.hooks.serve) do
    local ok, reply = xpcall(h.fn, errors.handler, request, site)
    if not ok then
      local e = errors.normalize(reply, nil, "in a serve hook (" .. h.source .. ")")
      return { status = 500, content_type = "text/plain; charset=utf-8",
               body = (e.file or "") .. ":" .. (e.line or 0) .. ": " .. e.message }
    end
    if reply ~= nil then return reply end
  end
  return nil
end

return P

-- compat/jekyll/site.lua: Jekyll's site model for a folder with _config.yml (or Jekyll's _posts/ or
-- _layouts/ without one) and no site.lua.
-- Owns: reading _config.yml into folio's configuration table; which files are posts, drafts,
-- pages and static files (Jekyll's folder rules and exclude/include); front matter `defaults`;
-- categories from folders above `_posts`; Jekyll's permalink styles and placeholders; `_data/`
-- (YAML, JSON, CSV) as `site.data`; Jekyll plugins mapped to folio's. The core only sees the
-- general extension points this fills in: `sources`, `static_sources`, `front_matter_defaults`
-- (docs/migrating-from-jekyll.md).
local errors = require "folio.errors"

local M = {}

local CONFIG = "_config.yml"

local function stat_type(path)
  local st = folio.fs.stat(path)
  return st and st.type
end

----------------------------------------------------------------------------------------------
-- Data files

-- YAML text -> value, or raises an error naming `file` and the line.
local function parse_yaml(text, file)
  text = text:gsub("^\239\187\191", ""):gsub("^%-%-%-[^\n]*\n", "", 1)
  if text:find("^%s*$") then return {} end
  local ok, doc, err = pcall(folio.frontmatter.parse, "---\nroot:\n" .. text:gsub("[^\n]+", "  %0") .. "\n---\n")
  if not ok then errors.fail(file, nil, tostring(doc), "check the YAML syntax") end
  if not doc then
    local line = type(err) == "table" and tonumber(err.line) and math.max(1, err.line - 2) or nil
    local message = tostring(type(err) == "table" and err.message or err)
    -- the text was read two lines down ("---", "root:"): give the file's own line numbers
    message = message:gsub("line (%d+)", function(n) return "line " .. math.max(1, tonumber(n) - 2) end)
    if not message:find("^invalid YAML") then message = "invalid YAML: " .. message end
    errors.fail(file, line, message,
                "fix the YAML (indentation, quotes around values with ': ')")
  end
  return doc.root
end

-- CSV (RFC 4180: quoted fields, "" inside quotes) -> list of rows keyed by the header row.
function M.parse_csv(text)
  local rows, row, field, i, n = {}, {}, {}, 1, #text
  local quoted = false
  local function end_field() row[#row + 1] = table.concat(field); field = {} end
  local function end_row()
    end_field()
    if not (#row == 1 and row[1] == "") then rows[#rows + 1] = row end
    row = {}
  end
  while i <= n do
    local c = text:sub(i, i)
    if quoted then
      if c == '"' and text:sub(i + 1, i + 1) == '"' then field[#field + 1] = '"'; i = i + 1
      elseif c == '"' then quoted = false
      else field[#field + 1] = c end
    elseif c == '"' then quoted = true
    elseif c == "," then end_field()
    elseif c == "\n" then end_row()
    elseif c ~= "\r" then field[#field + 1] = c end
    i = i + 1
  end
  if #field > 0 or #row > 0 then end_row() end
  local header, out = rows[1] or {}, {}
  for r = 2, #rows do
    local t = {}
    for k, name in ipairs(header) do t[name] = rows[r][k] or "" end
    out[#out + 1] = t
  end
  return out
end

-- _data/a/b.yml -> data.a.b; YAML, JSON (read as YAML, of which it is a subset) and CSV.
function M.read_data(dir)
  local data = {}
  if stat_type(dir) ~= "dir" then return data end
  for _, f in ipairs(folio.fs.scan(dir)) do
    local rel = f.path:sub(#dir + 2)
    local stem, ext = rel:match("^(.-)%.(%w+)$")
    ext = ext and ext:lower()
    local value
    if ext == "yml" or ext == "yaml" or ext == "json" then
      value = parse_yaml(folio.fs.read(f.path), f.path)
    elseif ext == "csv" then
      value = M.parse_csv(folio.fs.read(f.path))
    end
    if value ~= nil then
      local node, parts = data, {}
      for part in stem:gmatch("[^/]+") do parts[#parts + 1] = part end
      for k = 1, #parts - 1 do
        node[parts[k]] = type(node[parts[k]]) == "table" and node[parts[k]] or {}
        node = node[parts[k]]
      end
      node[parts[#parts]] = value
    end
  end
  return data
end

----------------------------------------------------------------------------------------------
-- Which files are what (Jekyll's EntryFilter)

local DEFAULT_EXCLUDE = { "Gemfile", "Gemfile.lock", "gemfiles", "node_modules", "vendor",
                          ".sass-cache", ".jekyll-cache", ".jekyll-metadata" }

-- A glob of exclude/include (`*`, `?`) as a Lua pattern anchored at both ends.
local function glob_pattern(glob)
  local p = glob:gsub("^/", ""):gsub("/$", ""):gsub("[%^%$%(%)%%%.%[%]%+%-]", "%%%0")
  p = p:gsub("%*", "[^/]*"):gsub("%?", "[^/]")
  return "^" .. p .. "$"
end

-- Does `rel` (or one of its parent folders) match one of the globs? Each folder's answer is
-- kept in patterns.seen (a site's files share few folders: each is matched once).
local function matches_any(rel, patterns)
  if #patterns == 0 then return false end
  local seen = patterns.seen or {}
  local prefix = ""
  for part in rel:gmatch("[^/]+") do
    prefix = prefix == "" and part or prefix .. "/" .. part
    local hit = seen[prefix]
    if hit == nil then
      hit = false
      for _, pat in ipairs(patterns) do
        if prefix:find(pat) then hit = true; break end
      end
      seen[prefix] = hit
    end
    if hit then return true end
  end
  return false
end

local function patterns_of(list)
  local out = { seen = {} }
  for _, g in ipairs(list or {}) do out[#out + 1] = glob_pattern(tostring(g)) end
  return out
end

-- Jekyll's post file name: DATE-slug.ext
local function is_post_name(name)
  return name:find("^%d%d%d?%d?%-%d%d?%-%d%d?%-.+%.[^.]+$") ~= nil
end

local MARKDOWN = { md = true, markdown = true, mkd = true, mkdn = true, mdown = true }
local HTML = { html = true, htm = true }

-- Reads only the first bytes: images and archives are not read whole.
local function has_front_matter(path)
  local text = folio.fs.read(path, 8)
  return text ~= nil and (text:find("^%-%-%-[ \t]*\r?\n") or text:find("^\239\187\191%-%-%-[ \t]*\r?\n")) ~= nil
end

-- The part of `rel` before its `_posts/` (or `_drafts/`) folder, without the slash: "" for
-- "_posts/x.md", "en/news" for "en/news/_posts/x.md"; nil when it has none. (What
-- rel:match("^(.-)/?_posts/") gives, with a plain find: this runs for every file of the site.)
local function before_folder(rel, folder)
  local at = rel:find(folder, 1, true)
  if not at then return nil end
  local stop = at - 1
  if stop > 0 and rel:byte(stop) == 47 then stop = stop - 1 end -- "/"
  return rel:sub(1, stop)
end

-- The Jekyll kind of a file that classify made a source, from its path alone: "doc" and the
-- collection's name (a file under an output collection's _name/ folder), "post" (under a
-- _posts/ folder), "draft" (under _drafts/) or "page". The states that only process pages need
-- no scan of the site to know it.
function M.kind_of(rel, rules)
  local coll_name = rel:byte(1) == 95 and rel:match("^_([^/]+)/") -- "_"
  if coll_name and rules.collections[coll_name] then return "doc", coll_name end
  if before_folder(rel, "_posts/") then return "post" end
  if before_folder(rel, "_drafts/") then return "draft" end
  return "page"
end

-- Classifies every file of the site: { sources = {files}, static = { rel = path }, sass = { paths } };
-- a source's kind is M.kind_of's. Sass files with front matter (which Jekyll converts to CSS) are
-- static files that folio.assets compiles, listed in `sass` too. `rules` holds exclude, include
-- patterns, the collections and the output folder.
function M.classify(rules)
  local files = folio.fs.scan(".")
  local sources, static, skipped = {}, {}, {}
  local output = rules.output
  local output_dir = output .. "/"
  for _, f in ipairs(files) do
    local rel = f.path
    if rel:sub(1, 2) == "./" then rel = rel:sub(3) end
    local included = matches_any(rel, rules.include)
    -- every folder above the file (and the file) must pass the filter; for a post or draft,
    -- the folders above its _posts or _drafts folder
    local in_posts, in_drafts = before_folder(rel, "_posts/"), before_folder(rel, "_drafts/")
    local checked = in_posts or in_drafts or rel
    local outside = false
    local coll_name = rel:byte(1) == 95 and rel:match("^_([^/]+)/") -- "_"
    local coll = coll_name and rules.collections[coll_name]
    if coll then -- a collection's document: read only when the collection is output
      checked = ""
      if not coll.output then outside = true end
    end
    if checked ~= "" and not included then
      for part in checked:gmatch("[^/]+") do
        local c = part:byte(1)
        if c == 95 or c == 46 or c == 35 or part:byte(-1) == 126 then outside = true; break end -- [_.#] ... ~
      end
      if not outside and matches_any(checked, rules.exclude) then outside = true end
    end
    if rel == output or rel:sub(1, #output_dir) == output_dir then outside = true end
    if not outside then
      local name = rel:match("^.*/(.*)$") or rel -- (anchored: "([^/]+)$" is tried at every byte)
      local ext = (name:match("^.*%.([^.]+)$") or ""):lower()
      local what
      if coll then
        if (MARKDOWN[ext] or HTML[ext]) and has_front_matter(f.path) then what = "doc" end
      elseif in_posts then
        if is_post_name(name) and (MARKDOWN[ext] or HTML[ext]) then what = "post" end
      elseif in_drafts then
        if MARKDOWN[ext] or HTML[ext] then what = "draft" end
      elseif has_front_matter(f.path) then
        what = (ext == "scss" or ext == "sass") and "sass" or "page"
      end
      if what == "sass" then -- compiled to CSS by folio.assets (its front matter dropped)
        skipped[#skipped + 1] = rel
        what = nil
      end
      if what == nil and (in_posts or in_drafts) then
        outside = true -- not a post: left out, as Jekyll 3 does
      end
      if outside then -- Sass, or a file beside the posts: neither a page nor a static file
      elseif what then
        f.path = rel
        sources[#sources + 1] = f
      else
        static[rel] = rel
      end
    end
  end
  if os.getenv("FOLIO_COUNTERS") then -- once per build (tests/jekyll_site.sh)
    io.stderr:write(string.format("counter jekyll files classified %d\n", #files))
  end
  return { sources = sources, static = static, sass = skipped }
end

----------------------------------------------------------------------------------------------
-- Front matter defaults

-- `kind`: the file's Jekyll type: "posts", "drafts", "pages" or a collection's name.
local function scope_matches(scope, rel, kind)
  local path = tostring(scope.path or ""):gsub("^%./", ""):gsub("^/", ""):gsub("/$", "")
  if path ~= "" then
    if path:find("[*?]") then
      if not matches_any(rel, { glob_pattern(path) }) and not rel:find(glob_pattern(path):gsub("%$$", "/")) then return false end
    elseif rel ~= path and rel:sub(1, #path + 1) ~= path .. "/" then
      return false
    end
  end
  if scope.type then
    local t = tostring(scope.type)
    if t ~= kind and not (kind == "drafts" and t == "posts") then return false end
  end
  return true
end

local function specificity(scope)
  local path = tostring(scope.path or ""):gsub("^/", ""):gsub("/$", "")
  local depth = 0
  for _ in path:gmatch("[^/]+") do depth = depth + 1 end
  return depth * 2 + (scope.type and 1 or 0)
end

-- A function(path, meta) -> meta with the matching `defaults` under the front matter.
function M.defaults_function(defaults, kind_of)
  local list = {}
  for i, d in ipairs(type(defaults) == "table" and defaults or {}) do
    if type(d) == "table" and type(d.values) == "table" then
      list[#list + 1] = { scope = type(d.scope) == "table" and d.scope or {}, values = d.values, i = i }
    end
  end
  table.sort(list, function(a, b)
    local sa, sb = specificity(a.scope), specificity(b.scope)
    if sa ~= sb then return sa < sb end
    return a.i < b.i
  end)
  if #list == 0 then return nil end
  return function(path, meta)
    local merged
    for _, d in ipairs(list) do
      if scope_matches(d.scope, path, kind_of(path)) then
        merged = merged or {}
        for k, v in pairs(d.values) do merged[k] = v end
      end
    end
    if not merged then return meta end
    for k, v in pairs(meta) do merged[k] = v end
    return merged
  end
end

----------------------------------------------------------------------------------------------
-- URLs (Jekyll's URL and UrlDrop)

local STYLES = {
  date = "/:categories/:year/:month/:day/:title:output_ext",
  pretty = "/:categories/:year/:month/:day/:title/",
  ordinal = "/:categories/:year/:y_day/:title:output_ext",
  weekdate = "/:categories/:year/W:week/:short_day/:title:output_ext",
  none = "/:categories/:title:output_ext",
}

function M.post_pattern(permalink)
  permalink = permalink == nil and "date" or tostring(permalink)
  return STYLES[permalink] or permalink
end

-- Jekyll's slugify: "pretty" keeps . _ ~ ! $ & ' ( ) + , ; = @; "default" keeps letters and
-- digits only. `cased` keeps upper-case letters.
function M.slugify(s, mode, cased)
  s = tostring(s or "")
  local keep = mode == "pretty" and "[^%w%._~!%$&'%(%)%+,;=@\128-\255]+" or "[^%w\128-\255]+"
  s = s:gsub(keep, "-"):gsub("^%-+", ""):gsub("%-+$", "")
  if not cased then s = s:lower() end
  return s
end

local DATE_FORMATS = {
  year = "%Y", month = "%m", day = "%d", hour = "%H", minute = "%M", second = "%S",
  short_year = "%y", y_day = "%j", short_month = "%b", long_month = "%B", week = "%V",
  w_year = "%G", short_day = "%a", long_day = "%A",
}

-- Expands a Jekyll permalink for `fields` (placeholder -> value; dates from fields.date).
function M.expand(pattern, fields)
  local url = pattern:gsub(":([%a_]+)", function(name)
    local v = fields[name]
    if v == nil and DATE_FORMATS[name] and fields.date then
      v = folio.date.format(fields.date, DATE_FORMATS[name])
    elseif v == nil and (name == "i_month" or name == "i_day") and fields.date then
      v = tostring(tonumber(folio.date.format(fields.date, name == "i_month" and "%m" or "%d")))
    end
    if v == nil then return nil end
    return tostring(v)
  end)
  url = ("/" .. url):gsub("//+", "/"):gsub("%.+/", "/")
  return url
end

-- Categories as Jekyll reads them: front matter `categories` (a string split at spaces, a
-- list's items whole) then `category` (whole), then the folders above _posts; each once.
function M.categories(meta, rel)
  local out, seen = {}, {}
  local function add(v, whole)
    if v == nil then return end
    if whole and type(v) ~= "table" then v = { v } end
    if type(v) == "table" then -- a list's items stay whole (`[web development]`: one category)
      for _, x in ipairs(v) do
        local word = tostring(x)
        if not seen[word] then seen[word] = true; out[#out + 1] = word end
      end
      return
    end
    for word in tostring(v):gmatch("%S+") do
      if not seen[word] then seen[word] = true; out[#out + 1] = word end
    end
  end
  add(meta.categories)
  add(meta.category, true)
  local above = rel:match("^(.-)/?_posts/") or rel:match("^(.-)/?_drafts/") or ""
  for part in above:gmatch("[^/]+") do add(part) end
  return out
end

local function output_ext(rel)
  local ext = (rel:match("%.([^./]+)$") or ""):lower()
  if MARKDOWN[ext] or HTML[ext] then return ".html" end
  return "." .. ext
end

-- A post's (or draft's) URL.
function M.post_url(page, rel, site_permalink)
  local name = rel:match("([^/]+)$"):gsub("%.[^.]+$", "")
  local slug_part = name:match("^%d+%-%d+%-%d+%-(.+)$") or name
  local meta = page.meta or {}
  local slug = meta.slug and tostring(meta.slug) or slug_part
  local lower = {}
  for _, c in ipairs(page.categories or {}) do lower[#lower + 1] = c:lower() end
  local fields = {
    date = page.date, title = M.slugify(slug, "pretty", true), slug = M.slugify(slug),
    name = M.slugify(name), categories = table.concat(lower, "/"), output_ext = output_ext(rel),
    collection = "posts", path = rel:gsub("%.[^./]+$", ""),
  }
  local pattern = meta.permalink and tostring(meta.permalink) or M.post_pattern(site_permalink)
  return M.expand(pattern, fields)
end

-- A collection document's URL: its front matter permalink, the collection's, else
-- "/:collection/:path" with the suffix of the site's permalink style.
function M.doc_url(page, rel, name, coll_permalink, site_permalink)
  local inner = rel:sub(#name + 3):gsub("%.[^./]+$", "")
  local basename = inner:match("([^/]+)$")
  local meta = page.meta or {}
  local slug = meta.slug and tostring(meta.slug) or basename
  local fields = { collection = name, path = inner, name = M.slugify(basename), basename = basename,
                   title = M.slugify(slug, "pretty", true), slug = M.slugify(slug),
                   output_ext = output_ext(rel), categories = "", date = page.date }
  local pattern = meta.permalink and tostring(meta.permalink) or coll_permalink and tostring(coll_permalink)
  if not pattern then
    local style = site_permalink == nil and "date" or tostring(site_permalink)
    pattern = "/:collection/:path" .. ((style == "pretty" or (not STYLES[style] and style:find("/$"))) and "/" or ":output_ext")
  end
  return M.expand(pattern, fields)
end

-- A page's URL: Jekyll's "/:path/:basename" plus the suffix its permalink style asks for.
function M.page_url(page, rel, site_permalink)
  local dir = rel:match("^(.*)/[^/]+$") or ""
  local basename = rel:match("([^/]+)$"):gsub("%.[^.]+$", "")
  local ext = output_ext(rel)
  local fields = { path = dir, basename = basename, output_ext = ext, name = basename,
                   title = basename, slug = M.slugify(basename), categories = "" }
  local pattern
  local meta = page.meta or {}
  if meta.permalink then
    pattern = tostring(meta.permalink)
  elseif ext ~= ".html" then
    pattern = "/:path/:basename:output_ext"
  elseif basename == "index" then
    pattern = "/:path/"
  else
    local style = site_permalink == nil and "date" or tostring(site_permalink)
    local suffix
    if style == "pretty" then suffix = "/"
    elseif STYLES[style] then suffix = ":output_ext"
    elseif style:find("/$") then suffix = "/"
    else suffix = ":output_ext" end
    pattern = "/:path/:basename" .. suffix
  end
  return M.expand(pattern, fields)
end

-- "/a/" -> a/index.html; "/a" -> a.html (as Jekyll writes it); "/a.xml" -> a.xml
function M.output_for(url)
  local rel = url:sub(2)
  if rel == "" or rel:sub(-1) == "/" then return rel .. "index.html" end
  if not rel:match("[^/]%.[%w]+$") then return rel .. ".html" end
  return rel
end

----------------------------------------------------------------------------------------------
-- Plugins

-- jekyll-paginate's paginate_path ("/page:num" by default) as the paginate plugin's `path`
-- under the home page: "page:num/".
local function paginate_path(jc)
  local path = jc.paginate_path and tostring(jc.paginate_path) or "/page:num"
  path = path:gsub("^/+", "")
  if not path:find("/$") then path = path .. "/" end
  return path
end

-- Jekyll plugin -> folio plugin spec (false: nothing to load, folio covers it).
-- jekyll-feed and jekyll-sitemap write nothing where the site has its own file of that name.
local function plugin_map(jc)
  local paginate = math.tointeger(tonumber(jc.paginate or "")) or nil
  local feed_path = type(jc.feed) == "table" and jc.feed.path and tostring(jc.feed.path):gsub("^/+", "") or "feed.xml"
  local own_feed = stat_type(feed_path) ~= nil
  return {
    ["jekyll-feed"] = not own_feed and { "feeds", formats = { "atom" }, atom_name = feed_path, terms = false },
    -- jekyll-sitemap writes robots.txt only when the site has none
    ["jekyll-sitemap"] = stat_type("sitemap.xml") == nil and
                         { "sitemap", robots = stat_type("robots.txt") == nil and stat_type("robots.html") == nil },
    ["jekyll-archives"] = false, -- compat/jekyll/archives.lua, loaded by M.config
    ["jekyll-redirect-from"] = { "redirects" },
    ["jemoji"] = { "emoji" },
    ["jekyll-paginate"] = { "paginate", per_page = paginate, kinds = { "home" }, path = paginate_path(jc) },
    ["jekyll-seo-tag"] = false, -- the default theme's <head> writes title, description, canonical
    ["jekyll-relative-links"] = false,
    ["jekyll-optional-front-matter"] = false,
    ["jekyll-titles-from-headings"] = false,
    ["jekyll-gist"] = false, -- {% gist %}: in the liquid plugin
  }
end

local function uses_plugin(jc, name)
  for _, key in ipairs { "plugins", "gems" } do
    if type(jc[key]) == "table" then for _, n in ipairs(jc[key]) do if tostring(n) == name then return true end end end
  end
  return false
end

local function embedded_plugin(name)
  return folio.embedded.read("scripts/" .. name .. ".lua") ~= nil
end

-- Rouge, Jekyll's default highlighter, unless `highlighter:` or kramdown's
-- `syntax_highlighter:` is none or false.
local function rouge_on(jc)
  local off = { none = true, ["false"] = true, [false] = true }
  local k = type(jc.kramdown) == "table" and jc.kramdown or {}
  return not off[jc.highlighter] and not off[k.syntax_highlighter]
end

local function plugins_of(jc)
  local list, map, unknown = { "liquid" }, plugin_map(jc), {}
  local rouge = rouge_on(jc)
  -- with Rouge, folio's highlight plugin gives the tokens and the kramdown plugin writes
  -- kramdown's markup around them
  if embedded_plugin("kramdown") then list[#list + 1] = { "kramdown", rouge = rouge } end
  if rouge then list[#list + 1] = "highlight" end
  local names = {}
  for _, key in ipairs { "plugins", "gems" } do
    if type(jc[key]) == "table" then for _, n in ipairs(jc[key]) do names[#names + 1] = tostring(n) end end
  end
  local seen = {}
  for _, name in ipairs(names) do
    local spec = map[name]
    if spec and not seen[spec[1]] then
      seen[spec[1]] = true
      list[#list + 1] = spec
    elseif spec == nil and not seen[name] then
      seen[name] = true
      unknown[#unknown + 1] = name
    end
  end
  if (jc.paginate ~= nil) and not seen.paginate then
    list[#list + 1] = map["jekyll-paginate"]
  end
  return list, unknown
end

----------------------------------------------------------------------------------------------
-- The configuration

local function base_url(jc)
  local url = jc.url and tostring(jc.url):gsub("/+$", "") or "http://localhost:4000"
  local baseurl = jc.baseurl and tostring(jc.baseurl):gsub("^/*", "/"):gsub("/+$", "") or ""
  if baseurl == "/" then baseurl = "" end
  return url .. baseurl .. "/"
end

local function string_list(v)
  if type(v) == "table" then return v end
  if v == nil then return {} end
  return { v }
end

-- Whether the site has Jekyll layouts (its _layouts/, or its theme's gem): set by M.config.
local jekyll_layouts = false

-- folio's layout for a Jekyll `layout`: none (also null, false) writes the body as it is. With
-- Jekyll layouts (compat/jekyll/layouts.lua), the name is the layout, and no `layout` is none,
-- as in Jekyll; without them, any name gets folio's theme's layout of the page's kind.
local function layout_for(meta, kind_layout)
  local l = meta.layout
  if l == false or l == "none" or l == "null" then return "none" end
  if jekyll_layouts then
    if l == nil then return "none" end
    return (tostring(l):gsub("%.html$", ""))
  end
  return kind_layout
end

-- Gives a source page its Jekyll kind, section, categories, layout and URL. `permalinks`:
-- { site = _config.yml's permalink, posts = the posts' one, collections = { name = {...} } }.
local function apply_model(page, rules, permalinks)
  local rel = page.path
  local kind, name = M.kind_of(rel, rules)
  local meta = page.meta or {}
  page.jekyll_layout = meta.layout
  page.jekyll_type = kind
  if kind == "doc" then
    page.section = name
    page.layout = layout_for(meta, "page")
    page.url = M.doc_url(page, rel, name, permalinks.collections[name].permalink, permalinks.site)
  elseif kind == "post" or kind == "draft" then
    page.section = "posts"
    page.kind = "post"
    page.categories = M.categories(meta, rel)
    if kind == "draft" then page.draft = true end
    if meta.title == nil then
      local slug = rel:match("([^/]+)$"):gsub("%.[^.]+$", ""):gsub("^%d+%-%d+%-%d+%-", "")
      page.title = (slug:gsub("[-_]+", " "):gsub("(%w)(%w*)", function(a, b) return a:upper() .. b end))
    end
    page.url = M.post_url(page, rel, permalinks.posts)
    page.layout = layout_for(meta, "post")
  else
    page.section = ""
    page.url = M.page_url(page, rel, permalinks.site)
    local ext = (rel:match("%.([^.]+)$") or ""):lower()
    local top_index = rel == "index.md" or rel == "index.html" or rel == "index.markdown"
    if top_index and jekyll_layouts and rel == "index.html" and permalinks.paginate then
      page.kind = "home" -- jekyll-paginate splits the site's index.html, whatever its layout
      page.layout = layout_for(meta, "home")
    elseif top_index and meta.layout == "home" then
      page.kind = "home" -- the list of posts (the paginate plugin splits it)
      page.layout = jekyll_layouts and layout_for(meta, "home") or "home"
    elseif MARKDOWN[ext] or HTML[ext] then
      page.layout = layout_for(meta, "page")
    else
      -- feed.xml, robots.txt with front matter: written as Liquid makes them, in the layout they
      -- name if they name one (a tag's feed/index.xml in _layouts/tagfeed.xml), as Jekyll does
      page.layout = jekyll_layouts and layout_for(meta, "none") or "none"
      if page.menu == nil then page.menu = false end
    end
  end
  page.jekyll_url = page.url
  page.output = M.output_for(page.url)
end

-- The URL of a source file, for Liquid's post_url and link tags (scripts/liquid.lua).
local function source_url(f, config, rules, permalinks)
  local pagemod = require "folio.page"
  local meta = folio.frontmatter.parse(folio.fs.read(f.path) or "") or {}
  if config.front_matter_defaults then meta = config.front_matter_defaults(f.path, meta) end
  local page = { path = f.path, mtime = f.mtime }
  pagemod.from_front_matter(page, meta, f, config)
  apply_model(page, rules, permalinks)
  return page.url
end

-- compat/jekyll/layouts.lua, loaded once (the front matter hook and the layout engine share it).
local layouts_module
local function require_layouts()
  layouts_module = layouts_module or assert(folio.embedded.load("compat/jekyll/layouts.lua", _G))()
  return layouts_module
end

-- Registers the hooks that give each source its Jekyll fields.
local function register_hooks(rules, permalinks)
  local layouts = require_layouts()
  folio.hook("frontmatter", function(page)
    apply_model(page, rules, permalinks)
    if (page.body_line or 1) > 1 and type(page.source) == "string" then -- it had front matter
      page.source, page.body_line = layouts.after_front_matter(page.source, page.body_line)
    end
  end, { order = 1 })
  -- the home page lists the posts (the paginate plugin splits that list); they are in Jekyll's
  -- order already (config.same_date_order), page.previous and page.next too
  folio.hook("site", function(site)
    -- jekyll-paginate leaves out posts with `hidden: true` (they stay in site.posts)
    local listed = {}
    for _, p in ipairs(site.posts or {}) do
      if not (p.meta and p.meta.hidden == true) then listed[#listed + 1] = p end
    end
    for _, p in ipairs(site.pages) do
      if p.kind == "home" and p.path and p.pages == nil then p.pages = listed end
    end
  end, { order = 50 })
  -- folio's URL rule adds a slash to "/about"; Jekyll keeps it (and writes about.html)
  folio.hook("html", function(page)
    if page.jekyll_url then page.url = page.jekyll_url end
  end, { order = 1 })
end

-- Warnings about the whole site, given once: every build thread loads the configuration, only
-- the main one runs the site hooks.
local pending = {}
local function warn_once(...)
  pending[#pending + 1] = table.pack(...)
end

-- The folders Sass imports are searched in, as jekyll-sass-converter has them: `sass.sass_dir`
-- (default _sass), `sass.load_paths`, then the theme's _sass folder (`theme: minima`) in
-- _themes/<name>/ or themes/<name>/ (a copy of the theme gem's folder; for a gem installed
-- elsewhere, name its _sass folder in sass.load_paths).
local THEME_PLACES = { "_themes/%s", "themes/%s" }
function M.sass_include_paths(jc)
  local sass = type(jc.sass) == "table" and jc.sass or {}
  local paths = { sass.sass_dir and tostring(sass.sass_dir) or "_sass" }
  for _, p in ipairs(string_list(sass.load_paths)) do paths[#paths + 1] = p end
  local theme = type(jc.theme) == "string" and jc.theme or nil
  if theme and theme:find("^[%w_.-]+$") then
    for _, place in ipairs(THEME_PLACES) do
      local dir = string.format(place, theme) .. "/_sass"
      if stat_type(dir) == "dir" then paths[#paths + 1] = dir; break end
    end
  end
  return paths
end

-- Reads _config.yml; returns folio's configuration table.
function M.config()
  folio.hook("site", function()
    for _, w in ipairs(pending) do errors.warn(table.unpack(w, 1, w.n)) end
    pending = {}
  end, { order = 1 })
  local text = folio.fs.read(CONFIG) -- (none: Jekyll's defaults, as Jekyll builds such a folder)
  local jc = text and parse_yaml(text, CONFIG) or {}
  if jc == nil or (type(jc) == "table" and next(jc) == nil) then jc = {} end -- empty, or only comments
  if type(jc) ~= "table" or jc[1] ~= nil then
    errors.fail(CONFIG, 1, "_config.yml must be a mapping of settings (title: ..., url: ...), not a "
                .. (type(jc) == "table" and "list" or type(jc)),
                "write one `key: value` per line, as in Jekyll's documentation")
  end
  local config = {}
  config.jekyll = jc
  config.title = jc.title and tostring(jc.title) or nil
  config.description = jc.description and tostring(jc.description) or nil
  if type(jc.author) == "table" then config.author = jc.author.name and tostring(jc.author.name) or nil
  elseif jc.author ~= nil then config.author = tostring(jc.author) end
  config.base_url = base_url(jc)
  config.url = jc.url and tostring(jc.url):gsub("/+$", "") or ""
  config.baseurl = jc.baseurl and tostring(jc.baseurl):gsub("/+$", "") or ""
  config.timezone = jc.timezone
  config.lang = jc.lang and tostring(jc.lang) or nil
  config.output = jc.destination and tostring(jc.destination):gsub("^%./", ""):gsub("/$", "") or "_site"
  config.title_from_heading = false
  config.date_order = { "front_matter", "filename", "mtime" } -- Jekyll never reads git history
  config.same_date_order = "path_descending" -- site.posts: by date, then the later path first
  config.front_matter_unchecked = { author = true } -- a list of authors is Jekyll's (jekyll-seo-tag, minima)
  config.not_found_page = false -- Jekyll writes a 404.html only from the site's own
  config.preview_render_all = true -- Liquid layouts read site.posts freely (docs/serve.md)
  config.future = jc.future == true
  config.drafts = jc.show_drafts == true
  config.paginate = math.tointeger(tonumber(jc.paginate or "")) or nil
  local data_dir = jc.data_dir and tostring(jc.data_dir) or "_data"
  config.data = M.read_data(data_dir)
  local exclude = patterns_of(DEFAULT_EXCLUDE)
  for _, p in ipairs(patterns_of(string_list(jc.exclude))) do exclude[#exclude + 1] = p end
  local collections, posts_permalink = {}, nil
  for name, c in pairs(type(jc.collections) == "table" and jc.collections or {}) do
    local meta = type(c) == "table" and c or {}
    if type(name) == "number" then name, meta = tostring(c), {} end -- collections: [a, b]
    if name == "posts" then posts_permalink = meta.permalink
    else collections[name] = { output = meta.output == true, permalink = meta.permalink } end
  end
  local rules = { exclude = exclude, include = patterns_of(string_list(jc.include)), output = config.output,
                  collections = collections }
  -- the site's files are scanned when the sources or static files are first asked for: in the
  -- state that finds the sources, not in the ones that only process pages (M.kind_of)
  local classified
  local function classification()
    classified = classified or M.classify(rules)
    return classified
  end
  config.sources = function() return classification().sources end
  config.static_sources = function() return classification().static end
  config.front_matter_defaults = M.defaults_function(jc.defaults, function(rel)
    local k, name = M.kind_of(rel, rules)
    return k == "post" and "posts" or k == "draft" and "drafts" or k == "doc" and name or "pages"
  end)
  local layouts = require_layouts()
  local theme = jc.theme ~= nil and tostring(jc.theme) or nil
  local theme_dir = theme and layouts.theme_dir(theme)
  if theme and not theme_dir then
    warn_once(CONFIG, nil, "theme '" .. theme .. "' is not installed (looked for its gem in " ..
              table.concat(layouts.GEM_ROOTS, ", ") .. "): layouts the site does not have come from folio's default theme",
              "install the theme's gem (Debian: apt-cache search jekyll-theme), or copy its _layouts and _includes into the site")
  end
  local layout_dirs, include_dirs = {}, { jc.includes_dir and tostring(jc.includes_dir) or "_includes" }
  local own_layouts = jc.layouts_dir and tostring(jc.layouts_dir) or "_layouts"
  if stat_type(own_layouts) == "dir" then layout_dirs[#layout_dirs + 1] = own_layouts end
  if theme_dir then
    layout_dirs[#layout_dirs + 1] = theme_dir .. "/_layouts"
    include_dirs[#include_dirs + 1] = theme_dir .. "/_includes"
  end
  jekyll_layouts = #layout_dirs > 0
  if jekyll_layouts then
    folio.layout_engine(layouts.engine(layout_dirs))
    folio.layout_engine_active = true
    config.theme_static = false -- the site's layouts link their own style sheets, not folio's theme's
  end
  local plugins, unknown = plugins_of(jc)
  plugins[1] = { "liquid", includes = include_dirs }
  config.plugins = plugins
  for _, p in ipairs(plugins) do -- the kramdown plugin curls quotes as kramdown does (its rules differ)
    if type(p) == "table" and p[1] == "kramdown" then config.markdown = { smart = false } end
  end
  for _, name in ipairs(unknown) do
    warn_once(CONFIG, nil, "Jekyll plugin '" .. name .. "' has no folio counterpart: ignored",
                "see docs/migrating-from-jekyll.md for the plugins folio maps")
  end
  config.sass_include_paths = M.sass_include_paths(jc)
  -- only Sass files with front matter are compiled, as Jekyll does; others are copied
  local sass_sources
  config.sass_sources = function()
    if not sass_sources then
      sass_sources = {}
      for _, rel in ipairs(classification().sass) do sass_sources[rel] = true end
    end
    return sass_sources
  end
  local sass = type(jc.sass) == "table" and jc.sass or {}
  local STYLES = { expanded = true, compressed = true, nested = true, compact = true }
  config.sass = { style = STYLES[tostring(sass.style)] and tostring(sass.style) or nil,
                  source_maps = sass.sourcemap == "always" or nil }
  local permalinks = { site = jc.permalink, posts = posts_permalink or jc.permalink, collections = collections,
                       paginate = config.paginate ~= nil }
  config.source_url = function(f) return source_url(f, config, rules, permalinks) end
  register_hooks(rules, permalinks)
  if uses_plugin(jc, "jekyll-archives") then
    local archives = assert(folio.embedded.load("compat/jekyll/archives.lua", _G))(jc["jekyll-archives"], M)
    folio.hook("site", archives, { order = 55 }) -- after the posts are in Jekyll's order (50)
  end
  return config
end

return M

-- test_feeds.lua: scripts/feeds.lua: Atom and JSON Feed content, absolute URLs, dates, limits,
-- term feeds; validated with jing and validate_jsonfeed.py when $SHARED/schemas is there.
local T = dofile("testlib.lua")
local H = dofile("plugin_harness.lua")

local function build(opts, config)
  H.reset()
  H.load("taxonomies")
  H.load("feeds", opts)
  local pages = {
    H.post({ title = "Fish & <Chips>", date = 1389139200, lastmod = 1389225600, tags = { "C++", "Food" },
             author = "Ann", summary = "Short & sweet", summary_html = "<p>Short &amp; sweet</p>",
             content = '<p>See <a href="/other/">this</a>, <img src="/i.png" alt=""> and <a href="//cdn.x/y">cdn</a>.</p>' }),
    H.post({ title = "Second", date = 1389312000, tags = { "food" } }),
    H.post({ title = "About", section = "pages", url = "/about/" }),
  }
  config = config or {}
  config.author = config.author or { name = "Site Owner", email = "o@example.org" }
  config.description = config.description or "A blog"
  return H.run_site(H.site(pages, config))
end

T.test("Atom: self link, ids, dates with offset, escaped title, absolute links", function()
  local site = build({})
  local atom = site:find("/atom.xml").content
  T.has(atom, '<feed xmlns="http://www.w3.org/2005/Atom">')
  T.has(atom, '<link rel="self" type="application/atom+xml" href="https://example.org/atom.xml"/>')
  T.has(atom, "<id>https://example.org/atom.xml</id>")
  T.has(atom, "<author><name>Site Owner</name></author>")
  T.has(atom, "<title>Fish &amp; &lt;Chips&gt;</title>")
  T.has(atom, "<id>https://example.org/posts/")
  T.has(atom, "<published>" .. folio.date.iso(1389139200) .. "</published>")
  T.has(atom, "<updated>" .. folio.date.iso(1389225600) .. "</updated>")
  T.ok(folio.date.iso(1389139200):match("T%d%d:%d%d:%d%d[+-]%d%d:%d%d$") or folio.date.iso(1389139200):match("Z$"), "RFC 3339")
  T.has(atom, "<author><name>Ann</name></author>")
  T.has(atom, '<category term="c-plus-plus" label="C++"/>')
  T.has(atom, "href=&quot;https://example.org/other/&quot;", "relative link made absolute")
  T.has(atom, "src=&quot;https://example.org/i.png&quot;")
  T.has(atom, "href=&quot;//cdn.x/y&quot;", "protocol-relative link left alone")
  T.lacks(atom, "About", "pages outside posts are not in the feed")
  T.eq(site:find("/atom.xml").layout, false)
end)

T.test("site.feed_links and term feeds", function()
  local site = build({})
  T.eq(site.feed_links[1], { href = "https://example.org/atom.xml", url = "/atom.xml", type = "application/atom+xml", title = "Test site" })
  T.eq(site.feed_links[2].type, "application/feed+json")
  local term_atom = site:find("/tags/food/atom.xml").content
  T.has(term_atom, "<title>Posts tagged Food · Test site</title>")
  T.has(term_atom, "<title>Second</title>")
  T.has(term_atom, '<link rel="self" type="application/atom+xml" href="https://example.org/tags/food/atom.xml"/>')
  T.ok(site:find("/tags/c-plus-plus/feed.json"), "JSON feed per term")
  T.eq(site:find("/tags/food/").feed_links[1].url, "/tags/food/atom.xml")
end)

T.test("term feeds carry summaries unless told otherwise; the site feed the whole body", function()
  local body = "See &lt;a href=&quot;https://example.org/other/&quot;&gt;this&lt;/a&gt;"
  local site = build({})
  T.has(site:find("/atom.xml").content, body, "site feed: the whole body")
  local term = site:find("/tags/c-plus-plus/atom.xml").content
  T.has(term, '<content type="html">&lt;p&gt;Short &amp;amp; sweet&lt;/p&gt;</content>', "term feed: the summary")
  T.lacks(term, body)
  T.has(site:find("/tags/c-plus-plus/feed.json").content, '"content_html":"<p>Short &amp; sweet</p>"')
  -- term_content = "full", or a `content` of the site's own choosing, gives term feeds the body
  T.has(build({ term_content = "full" }):find("/tags/c-plus-plus/atom.xml").content, body)
  T.has(build({ content = "full" }):find("/tags/c-plus-plus/atom.xml").content, body)
  local summaries = build({ content = "summary" })
  T.lacks(summaries:find("/atom.xml").content, body)
  T.lacks(summaries:find("/tags/c-plus-plus/atom.xml").content, body)
  T.has(build({ term_content = "full", content = "summary" }):find("/tags/c-plus-plus/atom.xml").content, body)
end)

T.test("JSON Feed 1.1 fields", function()
  local json = build({}):find("/feed.json").content
  T.has(json, '"version":"https://jsonfeed.org/version/1.1"')
  T.has(json, '"feed_url":"https://example.org/feed.json"')
  T.has(json, '"home_page_url":"https://example.org/"')
  T.has(json, '"title":"Fish & <Chips>"')
  T.has(json, '"date_published":"' .. folio.date.iso(1389139200) .. '"')
  T.has(json, '"tags":["C++","Food"]')
  T.has(json, '"authors":[{"name":"Ann"}]')
  T.has(json, '"content_html":"<p>See <a href=\\"https://example.org/other/\\">')
end)

T.test("content = summary, limit, no terms", function()
  local site = build({ content = "summary", terms = false })
  local atom = site:find("/atom.xml").content
  T.has(atom, '<content type="html">&lt;p&gt;Short &amp;amp; sweet&lt;/p&gt;</content>')
  T.lacks(atom, "See &lt;a", "not the full body")
  T.has(atom, '<content type="html">&lt;p&gt;Body of Second.&lt;/p&gt;</content>', "no summary: body")
  T.eq(site:find("/tags/food/atom.xml"), nil)
  atom = build({ limit = 1 }):find("/atom.xml").content
  T.lacks(atom, "Fish", "limit 1 keeps the newest only")
  T.has(atom, "<title>Second</title>")
end)

T.test("validators accept the feeds", function()
  local shared = os.getenv("SHARED")
  local schemas = shared and shared .. "/schemas"
  if not schemas or not io.open(schemas .. "/atom.rnc") then print("note: no $SHARED/schemas, validators not run") return end
  local site = build({}, { author = "Plain Name" })
  local function check(cmd, content, suffix)
    local file = H.tmpfile(content, suffix)
    local ok = os.execute(string.format(cmd, file) .. " >/tmp/folio-feed-check.log 2>&1")
    local f = io.open("/tmp/folio-feed-check.log"); local log = f and f:read("a") or ""; if f then f:close() end
    os.remove(file)
    T.ok(ok, cmd .. ": " .. log)
  end
  if os.execute("command -v jing >/dev/null") then
    check("jing -c " .. schemas .. "/atom.rnc %s", site:find("/atom.xml").content, ".xml")
    check("jing -c " .. schemas .. "/atom.rnc %s", site:find("/tags/c-plus-plus/atom.xml").content, ".xml")
  else print("note: jing not installed") end
  check("python3 " .. schemas .. "/validate_jsonfeed.py %s", site:find("/feed.json").content, ".json")
  check("python3 " .. schemas .. "/validate_jsonfeed.py %s", site:find("/tags/food/feed.json").content, ".json")
end)

T.done()

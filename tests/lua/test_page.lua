-- Page rules (src/lua/folio/page.lua): slugs, dated file names, sections, permalinks, outputs.
local T = dofile("testlib.lua")
local page = require "folio.page"
folio.date.set_timezone("UTC")

T.test("slugify", function()
  T.eq(page.slugify("Why You Should Go to Meetups"), "why-you-should-go-to-meetups")
  T.eq(page.slugify("Janet's Meetup Writeup"), "janets-meetup-writeup")
  T.eq(page.slugify("  Café Crème — à la carte!  "), "cafe-creme-a-la-carte")
  T.eq(page.slugify("C++ & Node.js"), "c-node-js")
  T.eq(page.slugify("日本語 title"), "日本語-title")
  T.eq(page.slugify(""), "")
  T.eq(page.slugify(nil), "")
  T.eq(page.slugify(2014), "2014")
  T.eq(page.slugify("œuvre, Straße & Ægir’s «best» — ÀÉ…"), "oeuvre-strasse-Ægirs-best-ae")
  T.eq(page.slugify("--Already-slugged--"), "already-slugged")
  T.eq(page.slugify("Ãb"), "Ãb") -- accented capitals without a transliteration are kept as they are
end)

-- The rules as first written in Lua (string patterns, one pass per rule); the C version
-- (core/slug.c) must give the same slug for any bytes.
local ACCENTS = {
  ["à"] = "a", ["á"] = "a", ["â"] = "a", ["ã"] = "a", ["ä"] = "a", ["å"] = "a", ["æ"] = "ae",
  ["ç"] = "c", ["è"] = "e", ["é"] = "e", ["ê"] = "e", ["ë"] = "e", ["ì"] = "i", ["í"] = "i",
  ["î"] = "i", ["ï"] = "i", ["ñ"] = "n", ["ò"] = "o", ["ó"] = "o", ["ô"] = "o", ["õ"] = "o",
  ["ö"] = "o", ["ø"] = "o", ["œ"] = "oe", ["ù"] = "u", ["ú"] = "u", ["û"] = "u", ["ü"] = "u",
  ["ý"] = "y", ["ÿ"] = "y", ["ß"] = "ss", ["À"] = "a", ["Á"] = "a", ["Â"] = "a", ["Ä"] = "a",
  ["Ç"] = "c", ["È"] = "e", ["É"] = "e", ["Ê"] = "e", ["Ö"] = "o", ["Ü"] = "u", ["Ñ"] = "n",
}

-- Lower-case, Latin accents transliterated, apostrophes dropped, other non-letters -> "-";
-- letters outside Latin-1 are kept as they are (URLs may hold UTF-8).
local function reference_slugify(s)
  s = tostring(s or "")
  s = s:gsub("[\195\197][\128-\191]", ACCENTS)
  s = s:lower():gsub("'", ""):gsub("\226\128\153", "")
  s = s:gsub("\194[\128-\191]", "-"):gsub("\226[\128\129][\128-\191]", "-") -- Latin-1 symbols, general punctuation
  s = s:gsub("[^%w\128-\255]+", "-"):gsub("%-+", "-"):gsub("^%-", ""):gsub("%-$", "")
  return s
end

T.test("slugify agrees with the pattern-based reference on random text", function()
  local pieces = { "a", "Z", "9", " ", "-", "'", "_", ".", "!", "é", "É", "ß", "œ", "Ã", "ñ", "ø",
                   "—", "’", "…", "«", "©", "\194", "\195", "\197", "\226\128", "\128", "\255",
                   "日", "€", "\0", "\t", "Ö", "ÿ", "\226\129\130" }
  for s in T.random_texts(pieces, 12, 3000, 12345) do
    local want, got = reference_slugify(s), page.slugify(s)
    if want ~= got then error(string.format("slugify(%q): %q, reference %q", s, got, want)) end
  end
end)

T.test("dated file names", function()
  T.eq({ page.split_dated_name("2014-01-08-why-go") }, { "2014-01-08", "why-go" })
  T.eq({ page.split_dated_name("2014-1-8-x") }, { "2014-01-08", "x" })
  T.eq({ page.split_dated_name("notes") }, { nil, "notes" })
end)

T.test("sections", function()
  T.eq(page.section("content/posts/a.md"), "posts")
  T.eq(page.section("content/_posts/2014-01-01-a.md"), "posts")
  T.eq(page.section("content/about.md"), "")
  T.eq(page.section("content/docs/deep/x.md"), "docs")
end)

T.test("permalinks and outputs", function()
  local p = { path = "content/posts/x.md", date = 1389217667, slug = "why-go", title = "Why Go",
              section = "posts", basename = "x", categories = { "Meet Ups" } }
  T.eq(page.expand_permalink("/:year/:month/:day/:slug/", p), "/2014/01/08/why-go/")
  T.eq(page.expand_permalink("/:categories/:title.html", p), "/meet-ups/why-go.html")
  T.eq(page.expand_permalink(":section/:slug", p), "/posts/why-go/")
  local about = { path = "content/docs/intro.md", slug = "x", section = "docs", basename = "intro", meta = {} }
  T.eq(page.expand_permalink("/:path/", about), "/docs/intro/")
  local index = { path = "content/docs/index.md", section = "docs", basename = "index", meta = {} }
  T.eq(page.expand_permalink("/:path/", index), "/docs/")
  T.eq(page.output_for("/a/b/"), "a/b/index.html")
  T.eq(page.output_for("/"), "index.html")
  T.eq(page.output_for("/feed.xml"), "feed.xml")
  T.eq(page.normalize_url("a//b"), "/a/b/")
  T.eq(page.normalize_url("/old/post.html"), "/old/post.html")
end)

T.test("slug: front matter, Jekyll name, else title", function()
  local config = { permalinks = { posts = "/:year/:slug/", default = "/:path/" } }
  local function url_of(p) page.assign_url(p, config); return p.url end
  T.eq(url_of({ path = "content/posts/2014-01-08-from-name.md", basename = "2014-01-08-from-name",
                title = "Other", section = "posts", date = 1389217667, meta = {} }), "/2014/from-name/")
  T.eq(url_of({ path = "content/posts/000_abc.md", basename = "000_abc", title = "Nice Title",
                section = "posts", date = 1389217667, meta = {} }), "/2014/nice-title/")
  T.eq(url_of({ path = "content/posts/x.md", basename = "x", title = "T", section = "posts",
                date = 1389217667, meta = { slug = "Chosen One" } }), "/2014/chosen-one/")
  T.eq(url_of({ path = "content/x.md", basename = "x", title = "T", section = "", meta = { permalink = "/custom/" } }), "/custom/")
end)

T.test("date order", function()
  local config = { date_order = { "front_matter", "filename", "mtime" } }
  local function date_of(meta, base, mtime)
    local p = { path = "content/posts/" .. base .. ".md", basename = base }
    page.assign_date(p, meta, { mtime = mtime }, config)
    return p.date
  end
  T.eq(date_of({ date = "2014-01-08 21:47:47" }, "2020-01-01-x", 5), 1389217667)
  T.eq(date_of({}, "2020-01-01-x", 5), 1577836800)
  T.eq(date_of({}, "plain", 5), 5)
  -- an unreadable date is a warning, and the next source gives the date
  local errors = require "folio.errors"
  local warned = {}
  errors.on_warning = function(file, line, message) warned[#warned + 1] = { file, message } end
  T.eq(date_of({ date = "2014-13-01" }, "x", 5), 5)
  T.eq(date_of({ date = "next tuesday" }, "2020-01-01-x", 5), 1577836800)
  T.eq(date_of({ date = "2023-01-29 18:30:22 2023 -0800" }, "2020-01-01-x", 5), 1577836800)
  T.eq(date_of({ date = 9223372036854775807 }, "2020-01-01-x", 5), 1577836800)
  errors.on_warning = nil
  T.eq(#warned, 4)
  T.has(warned[1][2], "cannot read the date '2014-13-01'")
  T.has(warned[1][2], "using the file's modification time")
  T.has(warned[2][2], "using the file name (2020-01-01")
  T.has(warned[4][2], "outside the years 1 to 9999")
  T.eq(warned[2][1], "content/posts/2020-01-01-x.md")
  config.date_order = { "filename", "mtime" }
  T.eq(date_of({ date = "2014-01-08" }, "2020-01-01-x", 5), 1577836800)
end)

T.test("git date source: first commit as date, last commit as lastmod", function()
  local config = { date_order = { "front_matter", "filename", "git", "mtime" }, permalinks = { posts = "/:year/:month/:day/:slug/", default = "/:path/" } }
  local function page_of(meta, base, info)
    local p = { path = "content/posts/" .. base .. ".md", basename = base, section = "posts", title = "T" }
    page.from_front_matter(p, meta, info, config)
    return p
  end
  local p = page_of({}, "plain", { mtime = 5, git_first = 1000, git_last = 2000 })
  T.eq(p.date, 1000); T.eq(p.lastmod, 2000); T.eq(p.date_source, "git")
  p = page_of({}, "2020-01-01-x", { mtime = 5, git_first = 1000, git_last = 2000 })
  T.eq(p.date, 1577836800); T.eq(p.lastmod, 1577836800) -- the last commit is older than the date
  p = page_of({ lastmod = 3000 }, "plain", { mtime = 5, git_first = 1000, git_last = 2000 })
  T.eq(p.lastmod, 3000)
  p = page_of({}, "plain", { mtime = 5 }) -- not committed
  T.eq(p.date, 5); T.eq(p.lastmod, 5); T.eq(p.date_source, "mtime")
  config.date_order = { "front_matter", "filename", "mtime" }
  p = page_of({}, "plain", { mtime = 5, git_first = 1000, git_last = 2000 })
  T.eq(p.date, 5); T.eq(p.lastmod, 5)
end)

T.test("pages dated by mtime get URLs without date parts", function()
  T.eq(page.without_date_parts("/:year/:month/:day/:slug/"), "/:slug/")
  T.eq(page.without_date_parts("/blog/:year-:month-:day-:slug/"), "/blog/:slug/")
  T.eq(page.without_date_parts("/:section/:year/:title.html"), "/:section/:title.html")
  T.eq(page.without_date_parts("/:path/"), "/:path/")
  local config = { permalinks = { posts = "/:year/:month/:day/:slug/", default = "/:path/" } }
  local function url_of(p) page.assign_url(p, config); return p.url, p.dateless_url end
  local url, flagged = url_of({ path = "content/posts/x.md", basename = "x", title = "Hello", section = "posts",
                                date = 5, date_source = "mtime", meta = {} })
  T.eq(url, "/hello/"); T.eq(flagged, "/:year/:month/:day/:slug/")
  url, flagged = url_of({ path = "content/posts/x.md", basename = "x", title = "Hello", section = "posts",
                          date = 1389217667, date_source = "git", meta = {} })
  T.eq(url, "/2014/01/08/hello/"); T.eq(flagged, nil)
  url, flagged = url_of({ path = "content/about.md", basename = "about", title = "About", section = "",
                          date = 5, date_source = "mtime", meta = {} })
  T.eq(url, "/about/"); T.eq(flagged, nil)
  url = url_of({ path = "content/posts/x.md", basename = "x", title = "Hello", section = "posts", date = 5,
                 date_source = "mtime", meta = { permalink = "/:year/:slug/" } })
  T.eq(url, "/1970/hello/") -- the page's own permalink is kept as written
end)

T.test("key_line: the key's last line in the front matter, not the body", function()
  local src = "---\ntitle: a\ndate: x\ntitle: b\n---\ndate: in the body\n"
  T.eq(page.key_line(src, "title"), 4)
  T.eq(page.key_line(src, "date"), 3)
  T.eq(page.key_line(src, "layout"), nil)
  T.eq(page.key_line("title: x\n---\nbody\n", "title"), 1) -- no opening ---
end)

T.test("word count", function()
  T.eq(page.count_words("Hello, world! It's a café-day."), 5)
  T.eq(page.count_words(""), 0)
  T.eq(page.count_words("  -- ' "), 0)
  T.eq(page.count_words("a--b a- b -a 'b' x"), 6)
end)

-- Words as first defined: a byte-by-byte state machine.
local function reference_count_words(s)
  local words, in_word = 0, false
  for i = 1, #s do
    local c = s:sub(i, i)
    if c:find("[%w\128-\255]") then
      if not in_word then words = words + 1 end
      in_word = true
    elseif not (in_word and (c == "'" or c == "-")) then
      in_word = false
    end
  end
  return words
end

T.test("word count agrees with the byte-by-byte definition on random text", function()
  local pieces = { "a", "Z", "9", " ", "-", "'", "\n", ".", "é", "日", "--", "' ", "\0" }
  for s in T.random_texts(pieces, 16, 3000, 777) do
    T.eq(page.count_words(s), reference_count_words(s), string.format("%q", s))
  end
end)

T.done()

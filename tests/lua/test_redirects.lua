-- test_redirects.lua: scripts/redirects.lua: aliases and redirect_from become redirect pages.
local T = dofile("testlib.lua")
local H = dofile("plugin_harness.lua")
H.load("redirects")

local post = H.post({ url = "/2014/01/08/why-go/",
  aliases = { "/2014/01/08/old-post.html", "old/path/", "/no-slash" }, redirect_from = "/wp/?p=12.php" })
local single = H.post({ url = "/b/", aliases = "/b-old/" })
local clash = H.post({ url = "/c/", aliases = { "/b/" } })
local warnings, saved_warn = {}, folio.warn
folio.warn = function(msg) warnings[#warnings + 1] = msg end
local site = H.run_site(H.site({ post, single, clash }, { base_url = "https://example.org/blog/" }))
folio.warn = saved_warn

T.test("an alias with an extension is that exact file", function()
  local r = site:find("/2014/01/08/old-post.html")
  T.ok(r, "alias page exists")
  T.eq(r.output, "2014/01/08/old-post.html")
  T.eq(r.kind, "alias")
  T.eq(r.layout, false)
  T.eq(r.target, "/2014/01/08/why-go/")
end)

T.test("HTML: refresh, canonical and a link, absolute target", function()
  local html = site:find("/2014/01/08/old-post.html").content
  local target = "https://example.org/blog/2014/01/08/why-go/"
  T.has(html, '<meta http-equiv="refresh" content="0; url=' .. target .. '">')
  T.has(html, '<link rel="canonical" href="' .. target .. '">')
  T.has(html, '<a href="' .. target .. '">')
  T.has(html, '<meta name="robots" content="noindex">')
  T.has(html, "<!DOCTYPE html>")
end)

T.test("folders, a leading slash added, a string alias, redirect_from", function()
  T.eq(site:find("/old/path/").output, "old/path/index.html")
  T.eq(site:find("/no-slash/").output, "no-slash/index.html")
  T.ok(site:find("/b-old/"), "string alias")
  T.ok(site:find("/wp/?p=12.php"), "redirect_from")
end)

T.test("an alias on an existing page is skipped with a warning", function()
  T.eq(site:find("/b/"), single, "the real page stays")
  T.eq(#warnings, 1)
  T.has(warnings[1], "/b/")
end)

T.done()

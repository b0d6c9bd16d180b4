-- site.lua: the example site.  Build it with `folio build -s example`, preview it with
-- `folio serve -s example`.
return {
  title = "Meetup Notes",
  description = "Write-ups from user groups, workshops and lightning-talk nights.",
  author = "Robin Okafor",
  base_url = "http://localhost:1313/",
  lang = "en",
  theme = "default",
  timezone = "America/Chicago",

  -- Shipped plugins.  Remove a name to switch it off:
  --   "emoji"             :sparkles: and other GitHub shortcodes become emoji (not in code)
  --   "lenient_headings"  "#Heading" without a space is a heading, as in kramdown/Jekyll
  -- e.g. plugins = { "emoji" } keeps the emoji and parses "#Heading" strictly (CommonMark).
  plugins = { "emoji", "lenient_headings" },

  -- URLs of posts (content/posts/ and content/_posts/); other pages keep their path.
  permalink = "/:year/:month/:day/:slug/",

  -- The header links.  Leave it out and the theme lists the pages at the top of content/.
  menu = {
    { name = "About", url = "/about/" },
  },
}

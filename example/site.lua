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

  -- Shipped plugins (docs/plugins/).  Remove a name to switch it off, e.g. without
  -- "lenient_headings" a "#Heading" with no space is a paragraph, as CommonMark says.
  plugins = {
    "emoji",             -- :sparkles: and other GitHub shortcodes become emoji (not in code)
    "lenient_headings",  -- "#Heading" without a space is a heading, as in kramdown/Jekyll
    "alerts",            -- "> [!NOTE]" ... "> [!CAUTION]" blockquotes become callouts
    "summary",           -- page.summary from <!--more-->, description, or the first paragraph
    "anchors",           -- heading ids, # links and a table of contents on long posts
    "taxonomies",        -- /tags/<tag>/ and /categories/<name>/ pages
    "archives",          -- /2024/, /2024/02/ and /archives/
    { "paginate", per_page = 4 },
    "feeds",             -- /atom.xml and /feed.json
    "sitemap",           -- /sitemap.xml and /robots.txt
    "related",           -- related posts by shared tags
    "search",            -- /search.json and the search box
    "redirects",         -- aliases: in front matter
    "highlight",         -- syntax colours in code blocks
  },

  -- URLs of posts (content/posts/ and content/_posts/); other pages keep their path.
  permalink = "/:year/:month/:day/:slug/",

  -- The header links.  Leave it out and the theme lists the pages at the top of content/.
  menu = {
    { name = "About", url = "/about/" },
  },
}

-- theme.lua for folio's default theme.  Nothing to hook: the theme is only templates and CSS.
-- Values a site.lua may set to change it (all optional):
--   lang         the <html lang>, default "en"
--   menu         the header links: { { name = "About", url = "/about/" }, ... }; by default the
--                Markdown pages at the top of content/ (content/about.md), by title
--   date_format  strftime format for dates; by default "January 8, 2014"
--   favicon      path of the icon, default "/favicon.svg" (the theme ships one)
folio.defaults {}

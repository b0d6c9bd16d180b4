-- theme.lua for folio's default theme.  Nothing to hook: the theme is only templates, CSS and
-- its strings per language (i18n/<lang>.lua, docs/multilingual.md).
-- Values a site.lua may set to change it (all optional):
--   language     the <html lang>, the strings' and dates' language, default "en"
--   menu         the header links: { { name = "About", url = "/about/" }, ... }; by default the
--                Markdown pages at the top of content/ (content/about.md), by title
--   date_format  strftime format for dates; by default the language's (English: "January 8, 2014")
--   favicon      path of the icon, default "/favicon.svg" (the theme ships one)
folio.defaults {}

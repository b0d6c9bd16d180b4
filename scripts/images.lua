-- images.lua: responsive local images: width/height, lazy loading, WebP/AVIF srcsets, cached
-- (docs/plugins/images.md). The plugin is src/lua/folio/images_plugin.lua.
require("folio.images_plugin").install(...)

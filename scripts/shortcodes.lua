-- shortcodes.lua: Hugo's shortcodes in content, {{< youtube id >}}, {{% note %}}...{{% /note %}}
-- (docs/plugins/shortcodes.md). The plugin is src/lua/folio/shortcodes_plugin.lua.
require("folio.shortcodes_plugin").install(...)

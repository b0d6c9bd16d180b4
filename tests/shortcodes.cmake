# Issue 11: shortcodes in content (folio.shortcodes, the shortcodes plugin).
folio_shell_test(shortcodes_e2e shortcodes_e2e.sh)
folio_lua_test(shortcodes_parser test_shortcodes.lua)

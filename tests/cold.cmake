# The cold-build work (docs/development.md, "Cold build at 10k"): template output buffers, merged
# text runs, folio.utf8_valid and the minifier's tag tables (Lua), then the theme and plugin
# changes on a small site.
folio_lua_test(cold_unit test_cold.lua)
folio_shell_test(cold_site cold.sh)

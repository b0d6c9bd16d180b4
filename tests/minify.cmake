# Minifying output (src/core/minify.c, src/lua/folio/assets.lua): the minifiers one by one, then
# a site built with --minify byte-compared with tests/minify/expected/.
folio_lua_test(minify_unit test_minify.lua)
folio_shell_test(minify_site minify_site.sh)

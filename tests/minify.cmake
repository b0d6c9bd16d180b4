# Minifying output (src/core/minify.c, src/lua/folio/assets.lua): the minifiers one by one, then
# a site built with --minify byte-compared with tests/minify/expected/.
folio_lua_test(minify_unit test_minify.lua)
folio_shell_test(minify_site minify_site.sh)
# The HTML minifier's fast paths against its byte-at-a-time version, on random documents.
add_executable(minify_html_diff ${CMAKE_CURRENT_LIST_DIR}/minify_html_diff.c)
target_link_libraries(minify_html_diff PRIVATE folio_core)
add_test(NAME minify_html_diff COMMAND minify_html_diff)
set_tests_properties(minify_html_diff PROPERTIES ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1" TIMEOUT 300)

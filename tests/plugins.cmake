# Issue 4's plugins (scripts/<name>.lua), tested on hand-made pages through plugin_harness.lua,
# and end to end on a small site built with every plugin on.
foreach(plugin taxonomies paginate archives feeds sitemap summary anchors related search redirects highlight
               alerts)
  folio_lua_test(plugin_${plugin} test_${plugin}.lua)
endforeach()
folio_shell_test(plugin_e2e plugins_e2e.sh)
folio_shell_test(plugin_alerts_e2e alerts_e2e.sh)
# Output bytes and each site hook's work at 1k and 4k posts, three tag distributions.
folio_shell_test(growth growth.sh)
folio_lua_test(plugin_kramdown test_kramdown.lua)
# folio.typography_run (C) against the Lua typography it replaces, on random runs and pages.
folio_lua_test(plugin_kramdown_typography test_typography_run.lua)
folio_lua_test(plugin_kramdown_scan test_kramdown_scan.lua)
folio_shell_test(plugin_kramdown_e2e kramdown_e2e.sh)
# The default theme's search box in node with a stand-in DOM (tests/search_js_test.js).
find_program(FOLIO_NODE NAMES node nodejs)
if(FOLIO_NODE)
  add_test(NAME search_js COMMAND ${FOLIO_NODE} ${CMAKE_CURRENT_SOURCE_DIR}/search_js_test.js
                                  ${CMAKE_SOURCE_DIR}/themes/default/static/search.js)
endif()
# Six builds of up to 4,000 posts: alone, for the same reason as outdir_concurrent.
set_tests_properties(growth PROPERTIES RUN_SERIAL TRUE)

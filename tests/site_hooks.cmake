# Incremental site hooks (folio.site_hook: src/lua/folio/site_hooks.lua, the shipped plugins):
# the runner's contract, and `folio serve` with every plugin of `folio new site` on: per_page runs
# only for the edited page, and the preview is byte for byte a full build after body, title, tag
# and date edits and a page added and deleted (tests/serve_test.py, group newsite).
folio_lua_test(site_hook test_site_hook.lua)
folio_lua_test(list_helpers test_list_helpers.lua)
folio_lua_test(frame_redate test_frame_redate.lua)
folio_lua_test(values_index test_values_index.lua)
add_test(NAME serve_newsite
         COMMAND ${FOLIO_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/serve_test.py $<TARGET_FILE:folio>
                 ${CMAKE_SOURCE_DIR}/example newsite
         WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(serve_newsite PROPERTIES ENVIRONMENT "${FOLIO_TEST_ENV}" TIMEOUT 300)
# The same on a two-language site (content/en/, content/ja/): an edit changes its language's
# search index, feeds and tag pages only (tests/serve_test.py, group newsite_multilingual).
add_test(NAME serve_newsite_multilingual
         COMMAND ${FOLIO_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/serve_test.py $<TARGET_FILE:folio>
                 ${CMAKE_SOURCE_DIR}/example newsite_multilingual
         WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(serve_newsite_multilingual PROPERTIES ENVIRONMENT "${FOLIO_TEST_ENV}" TIMEOUT 300)

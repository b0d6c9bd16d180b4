# Preview updates that render only what shows an edit (src/lua/folio/preview.lua): title, tag and
# date edits of a post render a few outputs, an edit of a top-level page every output, and the
# preview stays byte for byte a full build (tests/serve_test.py, group tracked).
add_test(NAME serve_tracked
         COMMAND ${FOLIO_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/serve_test.py $<TARGET_FILE:folio>
                 ${CMAKE_SOURCE_DIR}/example tracked
         WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(serve_tracked PROPERTIES ENVIRONMENT "${FOLIO_TEST_ENV}" TIMEOUT 300)

# A tag edit keeps the lists by date where they are and renders only what shows the post; the
# preview stays byte for byte a full build (group tracked_lists).
add_test(NAME serve_tracked_lists
         COMMAND ${FOLIO_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/serve_test.py $<TARGET_FILE:folio>
                 ${CMAKE_SOURCE_DIR}/example tracked_lists
         WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(serve_tracked_lists PROPERTIES ENVIRONMENT "${FOLIO_TEST_ENV}" TIMEOUT 300)

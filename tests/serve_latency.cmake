# folio serve's update latency work (docs/serve.md): the sitemap patches its last run's sorted URL
# list when a few posts change (scripts/sitemap.lua); after title and tag edits with nothing
# added or deleted later, the preview is byte for byte a full build (tests/serve_test.py, group
# sitemap_patch).
add_test(NAME serve_sitemap_patch
         COMMAND ${FOLIO_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/serve_test.py $<TARGET_FILE:folio>
                 ${CMAKE_SOURCE_DIR}/example sitemap_patch
         WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(serve_sitemap_patch PROPERTIES ENVIRONMENT "${FOLIO_TEST_ENV}" TIMEOUT 300)

# Re-dated posts put in their new places in the last order (preview.reorder, pipeline's
# assemble): after each such edit on its own, the preview is byte for byte a full build (group
# redated).
add_test(NAME serve_redated
         COMMAND ${FOLIO_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/serve_test.py $<TARGET_FILE:folio>
                 ${CMAKE_SOURCE_DIR}/example redated
         WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(serve_redated PROPERTIES ENVIRONMENT "${FOLIO_TEST_ENV}" TIMEOUT 300)

# A title edit that moves a post's URL keeps the frame of the last assemble (preview:
# Frame:replace): the preview is byte for byte a full build after such edits, and a URL taken by
# another post is reported (group moved_urls).
add_test(NAME serve_moved_urls
         COMMAND ${FOLIO_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/serve_test.py $<TARGET_FILE:folio>
                 ${CMAKE_SOURCE_DIR}/example moved_urls
         WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(serve_moved_urls PROPERTIES ENVIRONMENT "${FOLIO_TEST_ENV}" TIMEOUT 300)

# Pages whose Liquid reads the site (deferred to the assemble) follow edits of other pages on an
# update's fast path, and a page that becomes deferred or stops being so (group deferred).
add_test(NAME serve_deferred
         COMMAND ${FOLIO_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/serve_test.py $<TARGET_FILE:folio>
                 ${CMAKE_SOURCE_DIR}/example deferred
         WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(serve_deferred PROPERTIES ENVIRONMENT "${FOLIO_TEST_ENV}" TIMEOUT 300)

# A layout that says which fields of other pages it shows (front matter `shows`, the default
# archive.html) is left as it was by edits of other fields: a tag edit does not render
# /archives/, a title edit does, and the preview stays a full build (group layout_shows).
add_test(NAME serve_layout_shows
         COMMAND ${FOLIO_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/serve_test.py $<TARGET_FILE:folio>
                 ${CMAKE_SOURCE_DIR}/example layout_shows
         WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(serve_layout_shows PROPERTIES ENVIRONMENT "${FOLIO_TEST_ENV}" TIMEOUT 300)

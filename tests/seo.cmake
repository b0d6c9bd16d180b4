# The default theme's social and search metadata (themes/default/layouts/partials/seo.html):
# tests/seo_test.py builds a small site and parses the <head> of its pages.
find_program(FOLIO_PYTHON3 NAMES python3 REQUIRED)
add_test(NAME seo_head COMMAND ${FOLIO_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/seo_test.py $<TARGET_FILE:folio>
         WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(seo_head PROPERTIES ENVIRONMENT "${FOLIO_TEST_ENV}" TIMEOUT 120)

# The default theme in headless Chromium (tests/theme_browser.py): axe-core on every page kind,
# light and dark, desktop and phone, and what a reader sees. Needs Debian's chromium,
# chromium-driver and python3-selenium, and axe-core from npm (tests/a11y/package-lock.json);
# skipped when one is missing. Screenshots: tests/artifacts/theme-browser/<page>-<scheme>-<width>.png.
find_program(FOLIO_SYSTEM_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT FOLIO_SYSTEM_PYTHON3)
  find_program(FOLIO_SYSTEM_PYTHON3 NAMES python3 REQUIRED)
endif()
add_test(NAME theme_browser
         COMMAND ${FOLIO_SYSTEM_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/theme_browser.py $<TARGET_FILE:folio>
                 ${CMAKE_SOURCE_DIR} ${CMAKE_SOURCE_DIR}/../shared/seeds ${CMAKE_CURRENT_BINARY_DIR}/artifacts/theme-browser
         WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(theme_browser PROPERTIES ENVIRONMENT "${FOLIO_TEST_ENV}" TIMEOUT 300 SKIP_RETURN_CODE 77)

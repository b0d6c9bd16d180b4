# Issue 10's remaining language work: search.js's messages from the theme's i18n files (each
# language's search box reading its own index) and a not-found page per language.
folio_shell_test(i18n_search_404 i18n_search_404.sh)
# The default theme right to left in headless Chromium (tests/theme_rtl_browser.py, reusing
# theme_browser.py): axe-core and screenshots of an Arabic site's pages, and its mirrored layout.
# Screenshots: tests/artifacts/theme-browser-rtl/rtl-<page>-<scheme>-<width>.png.
find_program(FOLIO_SYSTEM_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH) # selenium is Debian's
if(NOT FOLIO_SYSTEM_PYTHON3)
  find_program(FOLIO_SYSTEM_PYTHON3 NAMES python3 REQUIRED)
endif()
add_test(NAME theme_rtl_browser
         COMMAND ${FOLIO_SYSTEM_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/theme_rtl_browser.py $<TARGET_FILE:folio>
                 ${CMAKE_SOURCE_DIR} ${CMAKE_SOURCE_DIR}/../shared/seeds ${CMAKE_CURRENT_BINARY_DIR}/artifacts/theme-browser-rtl
         WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(theme_rtl_browser PROPERTIES ENVIRONMENT "${FOLIO_TEST_ENV}" TIMEOUT 300 SKIP_RETURN_CODE 77)

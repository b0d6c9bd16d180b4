# `folio serve` end to end (src/cli/cmd_serve.c, folio_build_update, the preview part of
# pipeline.lua): tests/serve_test.py starts the real command on temporary copies of example/
# and talks to it over loopback, one ctest per group so a failure says which area broke.
find_program(FOLIO_PYTHON3 NAMES python3 REQUIRED)
foreach(group edits full burst http limits ports lifecycle drafts hook incremental)
  add_test(NAME serve_${group}
           COMMAND ${FOLIO_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/serve_test.py $<TARGET_FILE:folio>
                   ${CMAKE_SOURCE_DIR}/example ${group}
           WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  set_tests_properties(serve_${group} PROPERTIES ENVIRONMENT "${FOLIO_TEST_ENV}" TIMEOUT 180)
endforeach()
# serve_ports binds the default port 1313: keep it away from other tests that might use it.
set_tests_properties(serve_ports PROPERTIES RUN_SERIAL TRUE)

# Live reload in headless Chromium (tests/serve_browser.js; needs tests/browser/setup.sh, else it
# is skipped). The overlay screenshot is kept in the build folder: tests/artifacts/overlay.png.
find_program(FOLIO_NODE NAMES node nodejs)
if(FOLIO_NODE)
  add_test(NAME serve_browser
           COMMAND ${FOLIO_NODE} ${CMAKE_CURRENT_SOURCE_DIR}/serve_browser.js $<TARGET_FILE:folio>
                   ${CMAKE_SOURCE_DIR}/example ${CMAKE_CURRENT_BINARY_DIR}/artifacts
           WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  set_tests_properties(serve_browser PROPERTIES ENVIRONMENT "${FOLIO_TEST_ENV}" TIMEOUT 180
                       SKIP_RETURN_CODE 77)
endif()

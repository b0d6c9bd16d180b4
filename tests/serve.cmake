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

# Live reload in headless Chromium (tests/serve_browser.py: Debian's chromium, chromium-driver and
# python3-selenium, from tools/deps.sh --test; skipped when one is missing, a failure under CI=true).
# Debian's python3-selenium belongs to /usr/bin/python3, so that one is preferred. Screenshots
# are kept in the build folder: tests/artifacts/{overlay,overlay-event,after-edit,after-restart}.png.
find_program(FOLIO_SYSTEM_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT FOLIO_SYSTEM_PYTHON3)
  set(FOLIO_SYSTEM_PYTHON3 ${FOLIO_PYTHON3})
endif()
add_test(NAME serve_browser
         COMMAND ${FOLIO_SYSTEM_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/serve_browser.py $<TARGET_FILE:folio>
                 ${CMAKE_SOURCE_DIR}/example ${CMAKE_CURRENT_BINARY_DIR}/artifacts
         WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(serve_browser PROPERTIES ENVIRONMENT "${FOLIO_TEST_ENV}" TIMEOUT 180
                     SKIP_RETURN_CODE 77)

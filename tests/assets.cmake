# Fingerprinted asset URLs with Subresource Integrity (src/lua/folio/assets.lua, asset() in
# templates), at build and in `folio serve` (the CSS swap finds the new fingerprinted name).
folio_shell_test(assets_fingerprint assets_fingerprint.sh)
find_program(FOLIO_PYTHON3 NAMES python3 REQUIRED)
add_test(NAME serve_assets
         COMMAND ${FOLIO_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/serve_assets_test.py $<TARGET_FILE:folio>
                 ${CMAKE_SOURCE_DIR}/example
         WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(serve_assets PROPERTIES ENVIRONMENT "${FOLIO_TEST_ENV}" TIMEOUT 180)

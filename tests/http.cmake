# Preview server (src/http/): a C driver plus a Python client over loopback.
add_executable(http_server_test ${CMAKE_CURRENT_SOURCE_DIR}/http_server_test.c)
target_link_libraries(http_server_test PRIVATE folio_core)

find_program(FOLIO_PYTHON3 NAMES python3 REQUIRED)
add_test(NAME http_unit COMMAND http_server_test --unit)
# The same client suite twice: path resolution through openat2 (when the kernel has it) and
# through the portable realpath check.
add_test(NAME http_server COMMAND ${FOLIO_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/http_test.py
         $<TARGET_FILE:http_server_test>)
add_test(NAME http_server_portable COMMAND ${FOLIO_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/http_test.py
         $<TARGET_FILE:http_server_test> --resolve portable)
# Many idle and slow clients, limits, Host checks, redirects, traversal (tests/http_limits_test.py).
add_test(NAME http_limits COMMAND ${FOLIO_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/http_limits_test.py
         $<TARGET_FILE:http_server_test>)
set_tests_properties(http_unit http_server http_server_portable http_limits PROPERTIES
                     ENVIRONMENT "${FOLIO_TEST_ENV}" TIMEOUT 300)

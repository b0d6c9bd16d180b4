# The file watcher of `folio serve` (src/core/watch.c): a C driver on its own libuv loop.
add_executable(watch_test ${CMAKE_CURRENT_LIST_DIR}/watch_test.c)
target_link_libraries(watch_test PRIVATE folio_core)
add_test(NAME watch COMMAND watch_test)
set_tests_properties(watch PROPERTIES ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1" TIMEOUT 120)
# Its polling scenarios count callbacks within debounce windows: run it alone, not beside the
# heavy builds of other tests (on 2 cores they delayed a scan past its window).
set_tests_properties(watch PROPERTIES RUN_SERIAL TRUE)

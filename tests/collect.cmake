# The build's full collections between phases (src/core/collect.c folio_collect_fully).
add_executable(collect_test ${CMAKE_CURRENT_LIST_DIR}/collect_test.c)
target_link_libraries(collect_test PRIVATE folio_core)
add_test(NAME collect COMMAND collect_test)

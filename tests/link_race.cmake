# Hard links to an image-cache result while another thread renames a new version over it
# (src/core/fsutil.c folio_link_file_at: linkat's transient ENOENT is tried again).
add_executable(link_race_test ${CMAKE_CURRENT_LIST_DIR}/link_race_test.c)
target_link_libraries(link_race_test PRIVATE folio_core Threads::Threads)
add_test(NAME link_race COMMAND link_race_test)
set_tests_properties(link_race PROPERTIES TIMEOUT 120)

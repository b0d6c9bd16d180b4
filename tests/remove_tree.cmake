# Removing a tree (src/core/fsutil.c folio_remove_tree: the old output after a build's swap).
add_executable(remove_tree_test ${CMAKE_CURRENT_LIST_DIR}/remove_tree_test.c)
target_link_libraries(remove_tree_test PRIVATE folio_core Threads::Threads)
add_test(NAME remove_tree COMMAND remove_tree_test)

# Fuzz harnesses (tests/fuzz/, see docs/development.md, "Fuzzing"). Every harness is built twice:
#   fuzz_replay_<name>  with replay_main.c, any compiler: the ctest test fuzz_<name> runs its seed
#                       corpus and its regressions (inputs that once broke a property) through it
#   fuzz_<name>         with libFuzzer, only when configured with -DFOLIO_FUZZ=ON (clang);
#                       tools/fuzz.sh runs these
set(FOLIO_FUZZ_HARNESSES frontmatter template date http_path http_request markdown_tree)
set(FOLIO_FUZZ_DIR ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)

add_library(fuzz_common STATIC ${FOLIO_FUZZ_DIR}/fuzz_common.c)
target_link_libraries(fuzz_common PUBLIC folio_core)
target_compile_definitions(fuzz_common PUBLIC FUZZ_SOURCE_DIR="${FOLIO_FUZZ_DIR}") # Lua drivers

foreach(name IN LISTS FOLIO_FUZZ_HARNESSES)
  add_executable(fuzz_replay_${name} ${FOLIO_FUZZ_DIR}/${name}.c ${FOLIO_FUZZ_DIR}/replay_main.c)
  target_link_libraries(fuzz_replay_${name} PRIVATE fuzz_common)
  add_test(NAME fuzz_${name}
           COMMAND fuzz_replay_${name} ${FOLIO_FUZZ_DIR}/corpus/${name} ${FOLIO_FUZZ_DIR}/regressions/${name})
  set_tests_properties(fuzz_${name} PROPERTIES ENVIRONMENT "${FOLIO_TEST_ENV}" TIMEOUT 300 LABELS fuzz)
  if(FOLIO_FUZZ)
    add_executable(fuzz_${name} ${FOLIO_FUZZ_DIR}/${name}.c)
    target_link_libraries(fuzz_${name} PRIVATE fuzz_common)
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
  endif()
endforeach()

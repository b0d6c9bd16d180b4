/* markdown_tree.c: fuzzes the Markdown tree API (src/lua/lx_ast.c, on src/md/markdown.c):
 * parsing, walking and editing the tree from Lua, rendering. The properties are checked by
 * markdown_tree_driver.lua (see its header) in one Lua state with a memory cap; this file runs
 * it and turns a "property: ..." error into a finding. Use-after-free and double frees in the
 * node ownership are ASan's to find. */
#include "fuzz.h"

enum { S_MEMORY_CAP = 256u << 20, S_BUDGET = 20000000 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  fuzz_driver_load(FUZZ_SOURCE_DIR "/markdown_tree_driver.lua", S_MEMORY_CAP);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > 65536)
    return 0;
  fuzz_driver_run(data, size, S_BUDGET);
  return 0;
}

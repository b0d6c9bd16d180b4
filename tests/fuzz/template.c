/* template.c: fuzzes folio's template language (src/lua/folio/template.lua): compiling and
 * rendering templates, in one Lua state with a memory cap of S_MEMORY_CAP and a budget of
 * S_BUDGET VM instructions per input. The properties are checked by template_driver.lua (see
 * its header); this file runs it and turns a "property: ..." error into a finding. */
#include "fuzz.h"

enum { S_MEMORY_CAP = 64u << 20, S_BUDGET = 2000000 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  fuzz_driver_load(FUZZ_SOURCE_DIR "/template_driver.lua", S_MEMORY_CAP);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > 16384)
    return 0;
  fuzz_driver_run(data, size, S_BUDGET);
  return 0;
}

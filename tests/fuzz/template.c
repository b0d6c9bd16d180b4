/* template.c: fuzzes folio's template language (src/lua/folio/template.lua): compiling and
 * rendering templates, in one Lua state with a memory cap of S_MEMORY_CAP and a budget of
 * S_BUDGET VM instructions per input. The properties are checked by template_driver.lua (see
 * its header); this file runs it and turns a "property: ..." error into a finding. */
#include "fuzz.h"

#include <string.h>

#include <lauxlib.h>

enum { S_MEMORY_CAP = 64u << 20, S_BUDGET = 2000000 };

static lua_State *S_L;
static int S_check_ref;

static void S_close(void)
{
  fuzz_lua_close(S_L);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  S_L = fuzz_lua_state(S_MEMORY_CAP);
  FUZZ_CHECK(S_L != NULL, "cannot make a Lua state");
  atexit(S_close);
  const char *driver = FUZZ_SOURCE_DIR "/template_driver.lua";
  FUZZ_CHECK(luaL_loadfile(S_L, driver) == LUA_OK, "%s", lua_tostring(S_L, -1));
  fuzz_push_budget_pcall(S_L);
  FUZZ_CHECK(lua_pcall(S_L, 1, 1, 0) == LUA_OK, "%s", lua_tostring(S_L, -1));
  S_check_ref = luaL_ref(S_L, LUA_REGISTRYINDEX);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > 16384)
    return 0;
  lua_State *L = S_L;
  lua_settop(L, 0);
  lua_rawgeti(L, LUA_REGISTRYINDEX, S_check_ref);
  lua_pushlstring(L, (const char *)data, size);
  int status = fuzz_lua_run(L, 1, 0, S_BUDGET);
  if (status != LUA_OK && status != LUA_ERRMEM && !fuzz_is_budget_error(L, -1)) {
    const char *message = lua_tostring(L, -1);
    FUZZ_CHECK(0, "%s", message ? message : "(an error that is not a string)");
  }
  lua_settop(L, 0);
  /* Collected now: garbage of earlier inputs must not count against this one's cap, and
     libFuzzer runs a (slow) leak check after every input that freed less than it allocated. */
  lua_gc(L, LUA_GCCOLLECT, 0);
  return 0;
}

/* markdown_tree.c: fuzzes the Markdown tree API (src/lua/lx_ast.c, on src/md/markdown.c):
 * parsing, walking and editing the tree from Lua, rendering. The properties are checked by
 * markdown_tree_driver.lua (see its header) in one Lua state with a memory cap; this file runs
 * it and turns a "property: ..." error into a finding. Use-after-free and double frees in the
 * node ownership are ASan's to find. */
#include "fuzz.h"

#include <string.h>

#include <lauxlib.h>

enum { S_MEMORY_CAP = 256u << 20, S_BUDGET = 20000000 };

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
  const char *driver = FUZZ_SOURCE_DIR "/markdown_tree_driver.lua";
  FUZZ_CHECK(luaL_loadfile(S_L, driver) == LUA_OK, "%s", lua_tostring(S_L, -1));
  fuzz_push_budget_pcall(S_L);
  FUZZ_CHECK(lua_pcall(S_L, 1, 1, 0) == LUA_OK, "%s", lua_tostring(S_L, -1));
  S_check_ref = luaL_ref(S_L, LUA_REGISTRYINDEX);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > 65536)
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
  lua_gc(L, LUA_GCCOLLECT, 0); /* frees the trees now, so ASan sees a bad free in this input */
  return 0;
}

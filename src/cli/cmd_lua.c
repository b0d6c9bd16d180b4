/* cmd_lua.c: `folio lua FILE`: runs a script in a folio Lua state (tests, tools). */
#include "cli/cli.h"
#include "lua/lx.h"
#include <stdio.h>

int folio_cmd_lua(int argc, char **argv)
{
  if (argc < 1) {
    fprintf(stderr, "usage: folio lua FILE [ARGS...]\n");
    return 2;
  }
  lua_State *L = lx_new_state(NULL);
  if (L == NULL)
    return 1;
  lua_createtable(L, argc, 1);
  for (int i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i);
  }
  lua_setglobal(L, "arg");
  int status = luaL_loadfile(L, argv[0]);
  if (status == LUA_OK) {
    for (int i = 1; i < argc; i++)
      lua_pushstring(L, argv[i]);
    status = lx_pcall(L, argc - 1, 0);
  }
  if (status != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "folio lua: %s\n", msg ? msg : "(error object is not a string)");
  }
  lua_close(L);
  return status == LUA_OK ? 0 : 1;
}

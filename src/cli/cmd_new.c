/* cmd_new.c: `folio new site DIR` and `folio new post "Title"` (the work is in
 * src/lua/folio/scaffold.lua). */
#include "cli/cli.h"
#include "lua/lx.h"
#include <stdio.h>
#include <string.h>

int folio_cmd_new(int argc, char **argv)
{
  if (argc < 2 || (strcmp(argv[0], "site") != 0 && strcmp(argv[0], "post") != 0)) {
    fprintf(stderr, "usage: folio new site DIR | folio new post \"Title\" [--section NAME]\n");
    return 2;
  }
  const char *section = NULL;
  if (argc == 4 && strcmp(argv[2], "--section") == 0)
    section = argv[3];
  else if (argc != 2) {
    fprintf(stderr, "usage: folio new site DIR | folio new post \"Title\" [--section NAME]\n");
    return 2;
  }
  lua_State *L = lx_new_state(NULL);
  if (L == NULL)
    return 1;
  int status = lx_require(L, "folio.scaffold");
  if (status == LUA_OK) {
    lua_getfield(L, -1, strcmp(argv[0], "site") == 0 ? "new_site" : "new_post");
    lua_pushstring(L, argv[1]);
    if (section) lua_pushstring(L, section); else lua_pushnil(L);
    status = lx_pcall(L, 2, 0);
  }
  if (status != LUA_OK)
    fprintf(stderr, "folio new: %s\n", lua_tostring(L, -1));
  lua_close(L);
  return status == LUA_OK ? 0 : 1;
}

/* lx_git.c: folio.git, what the site's git history says (src/core/gitdates.c reads it).
 *   folio.git.dates([dir]) -> { [path] = { first = t, last = t } }, commits walked
 *                             | nil (no repository) | nil, message (libgit2 failed)
 * Paths are relative to `dir` (default: the site folder, the current one); times are the author
 * times of the first and last commits that touched the file. */
#include "lua/lx.h"
#include "core/gitdates.h"

#define GITDATES_META "folio.gitdates"

/* The C result lives in a userdata until the table is built, so a memory error raised while
 * building it does not leak the paths. */
static int l_gitdates_gc(lua_State *L)
{
  folio_gitdates *d = luaL_checkudata(L, 1, GITDATES_META);
  folio_gitdates_free(d);
  return 0;
}

static int l_dates(lua_State *L)
{
  const char *dir = luaL_optstring(L, 1, ".");
  folio_gitdates *d = lua_newuserdatauv(L, sizeof *d, 0); /* [ud] */
  *d = (folio_gitdates){0};
  luaL_setmetatable(L, GITDATES_META);
  char err[512] = "";
  int rc = folio_gitdates_read(dir, d, err, sizeof err);
  if (rc == 1) {
    lua_pushnil(L);
    return 1;
  }
  if (rc != 0) {
    lua_pushnil(L);
    lua_pushstring(L, err);
    return 2;
  }
  lua_createtable(L, 0, (int)(d->count < 1000000 ? d->count : 1000000)); /* [ud, dates] */
  for (size_t i = 0; i < d->count; i++) {
    lua_createtable(L, 0, 2);
    lua_pushinteger(L, (lua_Integer)d->items[i].first);
    lua_setfield(L, -2, "first");
    lua_pushinteger(L, (lua_Integer)d->items[i].last);
    lua_setfield(L, -2, "last");
    lua_setfield(L, -2, d->items[i].path);
  }
  lua_pushinteger(L, (lua_Integer)d->commits); /* [ud, dates, commits] */
  folio_gitdates_free(d);
  return 2;
}

void lx_open_git(lua_State *L, int folio)
{
  static const luaL_Reg fns[] = {
    { "dates", l_dates },
    { NULL, NULL },
  };
  if (luaL_newmetatable(L, GITDATES_META)) {
    lua_pushcfunction(L, l_gitdates_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_pop(L, 1);
  luaL_newlib(L, fns);
  lua_setfield(L, folio, "git");
}

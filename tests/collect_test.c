/* collect_test.c: folio_collect_fully (src/core/collect.c). A generational heap that only grew
 * (its major collections were "bad", as the site stage's are) is collected in full; then short-
 * lived garbage is made, as a render makes it. The collector must run on its own from there:
 * the heap stays well under twice its size after the collection (with a plain LUA_GCCOLLECT,
 * Lua 5.4.4 waits until it has doubled). */
#include "core/collect.h"
#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>

static int S_run(lua_State *L, const char *code)
{
  if (luaL_dostring(L, code) != LUA_OK) {
    fprintf(stderr, "FAIL: %s\n", lua_tostring(L, -1));
    return 1;
  }
  return 0;
}

int main(void)
{
  lua_State *L = luaL_newstate();
  if (L == NULL) {
    fprintf(stderr, "FAIL: no Lua state\n");
    return 1;
  }
  luaL_openlibs(L);
  lua_gc(L, LUA_GCGEN, 0, 0);
  if (S_run(L, "keep = {} for i = 1, 400000 do keep[i] = { i, tostring(i) } end"))
    return 1;
  folio_collect_fully(L);
  int base = lua_gc(L, LUA_GCCOUNT), peak = base;
  for (int round = 0; round < 200; round++) {
    if (S_run(L, "local t = {} for i = 1, 5000 do t[i] = { i } end"))
      return 1;
    int now = lua_gc(L, LUA_GCCOUNT);
    if (now > peak)
      peak = now;
  }
  lua_close(L);
  /* (minor collections at 20% growth: the peak is about 1.2 times the base) */
  if (peak > base + base / 2) {
    fprintf(stderr, "FAIL: the heap grew from %d to %d KiB with only garbage made: no collection ran\n", base,
            peak);
    return 1;
  }
  printf("ok: heap %d KiB after the full collection, at most %d KiB while making garbage\n", base, peak);
  return 0;
}

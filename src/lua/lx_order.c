/* lx_order.c: folio.sort_newest_first, the site's page order (src/lua/folio/pipeline.lua's
 * sort_newest_first) in C: each page's date and path are read once into an array of keys, which
 * qsort orders; in Lua, each of the ~1.7 M comparisons of a 100k-post site called a Lua function
 * (100k shuffled pages of 30-odd fields: 190-210 ms in Lua, 80-90 ms here). */
#include "lua/lx.h"
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  double date;      /* the page's date, 0 when it has none (as `(date or 0)` reads it) */
  int dated;        /* whether it has one */
  const char *name; /* its path, else its URL */
  size_t name_len;
  lua_Integer at;   /* its index in the list before the sort */
} S_key;

/* same_date_order = "path_descending" (per thread, set around qsort: its comparator takes no
 * context) */
static _Thread_local int S_path_descending;

/* Newest first; at one date, dated pages before dateless ones, then by name (descending for
 * dated pages when same_date_order is "path_descending"), then by place: a total order that
 * agrees with pipeline.lua's newer_or_first wherever that one orders two pages. */
static int S_compare(const void *pa, const void *pb)
{
  const S_key *a = pa, *b = pb;
  if (a->date != b->date)
    return a->date > b->date ? -1 : 1;
  if (a->dated != b->dated)
    return a->dated ? -1 : 1;
  int order = lx_lua_strcmp(a->name, a->name_len, b->name, b->name_len);
  if (order != 0)
    return (a->dated && S_path_descending) ? -order : order;
  return a->at < b->at ? -1 : a->at > b->at;
}

/* The field `name` of the table at `page`, pushed, when it is raw, or nil through the metatable
 * too (a page's __index computes only some fields); 0, nothing pushed, when only a metatable
 * gives it (a value not held by the page: then the Lua sort decides). */
static int S_field(lua_State *L, int page, const char *name)
{
  lua_pushstring(L, name);
  if (lua_rawget(L, page) != LUA_TNIL)
    return 1;
  lua_pop(L, 1);
  if (!lua_getmetatable(L, page)) {
    lua_pushnil(L);
    return 1;
  }
  lua_pop(L, 1);
  if (lua_getfield(L, page, name) == LUA_TNIL)
    return 1;
  lua_pop(L, 1);
  return 0;
}

/* Reads page k of the list at 1 into key; 0 when it is not one this sort can order as the Lua
 * one does (not a table, a date that is no number or is NaN, no string path or URL, a field a
 * metatable may give). The names stay alive: the pages hold them while the list is sorted. */
static int S_read_key(lua_State *L, lua_Integer k, S_key *key)
{
  if (lua_rawgeti(L, 1, k) != LUA_TTABLE) {
    lua_pop(L, 1);
    return 0;
  }
  int page = lua_gettop(L), ok = 0;
  if (S_field(L, page, "date")) {
    int type = lua_type(L, -1);
    key->dated = type == LUA_TNUMBER;
    key->date = key->dated ? (double)lua_tonumber(L, -1) : 0;
    ok = (type == LUA_TNUMBER && !isnan(key->date)) || type == LUA_TNIL ||
         (type == LUA_TBOOLEAN && !lua_toboolean(L, -1));
    lua_pop(L, 1);
  }
  if (ok && S_field(L, page, "path")) {
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      ok = S_field(L, page, "url");
    }
    if (ok) {
      ok = lua_type(L, -1) == LUA_TSTRING;
      if (ok)
        key->name = lua_tolstring(L, -1, &key->name_len);
      lua_pop(L, 1);
    }
  } else {
    ok = 0;
  }
  key->at = k;
  lua_pop(L, 1);
  return ok;
}

/* folio.sort_newest_first(list, path_descending) -> true: sorts the array of pages `list` in
 * place newest first, as pipeline.lua's newer_or_first orders them (same_date_order
 * "path_descending" when the second argument is true); false, the list untouched, when a page is
 * not one it can read (the caller then sorts in Lua). */
static int l_sort_newest_first(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  int descending = lua_toboolean(L, 2);
  lua_settop(L, 1);
  luaL_checkstack(L, 8, NULL);
  lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
  if (n < 2) {
    lua_pushboolean(L, 1);
    return 1;
  }
  if ((lua_Unsigned)n > SIZE_MAX / sizeof(S_key))
    return luaL_error(L, "sort_newest_first: too many pages");
  /* (a userdata, not malloc's: a page's __index may raise, and the collector then frees it) */
  S_key *keys = lua_newuserdatauv(L, (size_t)n * sizeof *keys, 0); /* at 2 */
  for (lua_Integer k = 1; k <= n; k++) {
    if (!S_read_key(L, k, &keys[k - 1])) {
      lua_pushboolean(L, 0);
      return 1;
    }
  }
  S_path_descending = descending;
  qsort(keys, (size_t)n, sizeof *keys, S_compare);
  /* the pages in their new order in a table at 3, then back into the list */
  lua_createtable(L, (int)(n < INT_MAX ? n : INT_MAX), 0);
  for (lua_Integer k = 1; k <= n; k++) {
    lua_rawgeti(L, 1, keys[k - 1].at);
    lua_rawseti(L, 3, k);
  }
  for (lua_Integer k = 1; k <= n; k++) {
    lua_rawgeti(L, 3, k);
    lua_rawseti(L, 1, k);
  }
  lua_pushboolean(L, 1);
  return 1;
}

void lx_open_order(lua_State *L, int folio)
{
  lua_pushcfunction(L, l_sort_newest_first);
  lua_setfield(L, folio, "sort_newest_first");
}

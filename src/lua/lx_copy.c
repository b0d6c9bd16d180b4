/* lx_copy.c: moving data between Lua states. Build workers each own a lua_State; pages made in
 * one are copied into another with lx_copy_value (see lx.h for what travels). Shared tables are
 * copied once: a memo maps each source table (by address, in a C hash table) to a number, and
 * the copies sit at those numbers in a table of the destination state. */
#include "lua/lx.h"
#include <stdint.h>
#include <stdlib.h>

static const char METANAMES_KEY = 'm'; /* registry: metatable -> name, and name -> metatable */

void lx_register_metatable(lua_State *L, const char *name)
{
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &METANAMES_KEY) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &METANAMES_KEY);
  }
  lua_pushvalue(L, -2);
  lua_pushstring(L, name);
  lua_rawset(L, -3); /* names[mt] = name */
  lua_pushstring(L, name);
  lua_pushvalue(L, -3);
  lua_rawset(L, -3); /* names[name] = mt */
  lua_pop(L, 2);
}

/* Source table address -> id, open addressing; the slots are malloc'd and freed by
 * lx_copy_value. */
typedef struct {
  const void **keys;
  lua_Integer *ids;
  size_t cap, count; /* cap: a power of two */
} S_memo;

static size_t S_slot(const S_memo *m, const void *key)
{
  uint64_t h = (uint64_t)(uintptr_t)key * UINT64_C(0x9E3779B97F4A7C15);
  size_t i = (size_t)(h >> 32) & (m->cap - 1);
  while (m->keys[i] != NULL && m->keys[i] != key)
    i = (i + 1) & (m->cap - 1);
  return i;
}

static lua_Integer S_memo_get(const S_memo *m, const void *key)
{
  size_t i = S_slot(m, key);
  return m->keys[i] != NULL ? m->ids[i] : 0;
}

/* Returns 0, or -1 when out of memory. */
static int S_memo_put(S_memo *m, const void *key, lua_Integer id)
{
  if ((m->count + 1) * 2 > m->cap) {
    S_memo bigger = { calloc(m->cap * 2, sizeof *bigger.keys), malloc(m->cap * 2 * sizeof *bigger.ids), m->cap * 2, 0 };
    if (bigger.keys == NULL || bigger.ids == NULL) {
      free(bigger.keys);
      free(bigger.ids);
      return -1;
    }
    for (size_t i = 0; i < m->cap; i++)
      if (m->keys[i] != NULL) {
        size_t j = S_slot(&bigger, m->keys[i]);
        bigger.keys[j] = m->keys[i];
        bigger.ids[j] = m->ids[i];
      }
    bigger.count = m->count;
    free(m->keys);
    free(m->ids);
    *m = bigger;
  }
  size_t i = S_slot(m, key);
  m->keys[i] = key;
  m->ids[i] = id;
  m->count++;
  return 0;
}

typedef struct {
  lua_State *from, *to;
  S_memo seen;   /* source table -> id */
  int seen_to;   /* table in `to`: id -> copied table */
  int names_from, names_to; /* metatable name registries (0 when absent) */
  lua_Integer next_id;
} copy_state;

static void S_copy(copy_state *c, int index);

static void S_copy_metatable(copy_state *c, int src_table)
{
  if (!c->names_from || !c->names_to || !lua_getmetatable(c->from, src_table))
    return;
  lua_rawget(c->from, c->names_from); /* name or nil */
  if (lua_type(c->from, -1) == LUA_TSTRING) {
    lua_pushstring(c->to, lua_tostring(c->from, -1));
    if (lua_rawget(c->to, c->names_to) == LUA_TTABLE)
      lua_setmetatable(c->to, -2);
    else
      lua_pop(c->to, 1);
  }
  lua_pop(c->from, 1);
}

/* The number of entries of the table at `index` in L (for sizing its copy). */
static int S_entry_count(lua_State *L, int index)
{
  int n = 0;
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    n++;
    lua_pop(L, 1);
  }
  return n;
}

static void S_copy_table(copy_state *c, int index)
{
  lua_State *from = c->from, *to = c->to;
  const void *address = lua_topointer(from, index);
  lua_Integer seen = S_memo_get(&c->seen, address);
  if (seen != 0) {
    lua_rawgeti(to, c->seen_to, seen);
    return;
  }
  luaL_checkstack(from, 4, "copying a deeply nested table");
  luaL_checkstack(to, 4, "copying a deeply nested table");
  lua_Integer id = ++c->next_id;
  if (S_memo_put(&c->seen, address, id) != 0)
    luaL_error(to, "not enough memory to copy the site between workers");
  int array = (int)lua_rawlen(from, index), entries = S_entry_count(from, index);
  lua_createtable(to, array, entries > array ? entries - array : 0);
  lua_pushvalue(to, -1);
  lua_rawseti(to, c->seen_to, id);
  lua_pushnil(from);
  while (lua_next(from, index) != 0) {
    int vt = lua_type(from, -1), kt = lua_type(from, -2);
    if (vt != LUA_TFUNCTION && vt != LUA_TUSERDATA && vt != LUA_TTHREAD && vt != LUA_TLIGHTUSERDATA &&
        kt != LUA_TFUNCTION && kt != LUA_TUSERDATA && kt != LUA_TTHREAD && kt != LUA_TLIGHTUSERDATA) {
      S_copy(c, lua_gettop(from) - 1);
      S_copy(c, lua_gettop(from));
      lua_rawset(to, -3);
    }
    lua_pop(from, 1);
  }
  S_copy_metatable(c, index);
}

static void S_copy(copy_state *c, int index)
{
  lua_State *from = c->from, *to = c->to;
  switch (lua_type(from, index)) {
  case LUA_TBOOLEAN: lua_pushboolean(to, lua_toboolean(from, index)); break;
  case LUA_TNUMBER:
    if (lua_isinteger(from, index))
      lua_pushinteger(to, lua_tointeger(from, index));
    else
      lua_pushnumber(to, lua_tonumber(from, index));
    break;
  case LUA_TSTRING: {
    size_t len;
    const char *s = lua_tolstring(from, index, &len);
    lua_pushlstring(to, s, len);
    break;
  }
  case LUA_TTABLE: S_copy_table(c, index); break;
  default: lua_pushnil(to);
  }
}

void lx_copy_value(lua_State *from, int index, lua_State *to)
{
  index = lua_absindex(from, index);
  copy_state c = { .from = from, .to = to };
  c.seen.cap = 1024;
  c.seen.keys = calloc(c.seen.cap, sizeof *c.seen.keys);
  c.seen.ids = malloc(c.seen.cap * sizeof *c.seen.ids);
  if (c.seen.keys == NULL || c.seen.ids == NULL) {
    free(c.seen.keys);
    free(c.seen.ids);
    luaL_error(to, "not enough memory to copy the site between workers");
  }
  int from_top = lua_gettop(from);
  lua_newtable(to);
  c.seen_to = lua_gettop(to);
  if (lua_rawgetp(from, LUA_REGISTRYINDEX, &METANAMES_KEY) == LUA_TTABLE)
    c.names_from = lua_gettop(from);
  if (lua_rawgetp(to, LUA_REGISTRYINDEX, &METANAMES_KEY) == LUA_TTABLE)
    c.names_to = lua_gettop(to);
  S_copy(&c, index);
  free(c.seen.keys);
  free(c.seen.ids);
  /* stack of `to`: seen_to, names_to?, copy -> keep only the copy */
  lua_replace(to, c.seen_to);
  lua_settop(to, c.seen_to);
  lua_settop(from, from_top);
}

const char *lx_metatable_name(lua_State *L, int index)
{
  index = lua_absindex(L, index);
  if (!lua_getmetatable(L, index))
    return NULL;
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &METANAMES_KEY) != LUA_TTABLE) {
    lua_pop(L, 2);
    return NULL;
  }
  lua_insert(L, -2);
  lua_rawget(L, -2); /* names[mt] */
  const char *name = lua_tostring(L, -1); /* kept alive by the registry's table */
  lua_pop(L, 2);
  return name;
}

int lx_set_metatable_by_name(lua_State *L, const char *name)
{
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &METANAMES_KEY) != LUA_TTABLE) {
    lua_pop(L, 1);
    return 0;
  }
  if (lua_getfield(L, -1, name) != LUA_TTABLE) {
    lua_pop(L, 2);
    return 0;
  }
  lua_remove(L, -2);
  lua_setmetatable(L, -2);
  return 1;
}

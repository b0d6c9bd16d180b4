/* lx_copy.c: moving data between Lua states. Build workers each own a lua_State; pages made in
 * one are copied into another with lx_copy_value (see lx.h for what travels). Shared tables are
 * copied once: a memo in each state maps a source table to its copy. */
#include "lua/lx.h"

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

typedef struct {
  lua_State *from, *to;
  int seen_from; /* table in `from`: source table -> integer id */
  int seen_to;   /* table in `to`: integer id -> copied table */
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

static void S_copy_table(copy_state *c, int index)
{
  lua_State *from = c->from, *to = c->to;
  lua_pushvalue(from, index);
  if (lua_rawget(from, c->seen_from) == LUA_TNUMBER) {
    lua_rawgeti(to, c->seen_to, lua_tointeger(from, -1));
    lua_pop(from, 1);
    return;
  }
  lua_pop(from, 1);
  luaL_checkstack(from, 4, "copying a deeply nested table");
  luaL_checkstack(to, 4, "copying a deeply nested table");
  lua_Integer id = ++c->next_id;
  lua_pushvalue(from, index);
  lua_pushinteger(from, id);
  lua_rawset(from, c->seen_from);
  lua_createtable(to, (int)lua_rawlen(from, index), 0);
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
  copy_state c = {from, to, 0, 0, 0, 0, 0};
  lua_newtable(from);
  c.seen_from = lua_gettop(from);
  lua_newtable(to);
  c.seen_to = lua_gettop(to);
  if (lua_rawgetp(from, LUA_REGISTRYINDEX, &METANAMES_KEY) == LUA_TTABLE)
    c.names_from = lua_gettop(from);
  if (lua_rawgetp(to, LUA_REGISTRYINDEX, &METANAMES_KEY) == LUA_TTABLE)
    c.names_to = lua_gettop(to);
  S_copy(&c, index);
  /* stack of `to`: seen_to, names_to?, copy -> keep only the copy */
  lua_replace(to, c.seen_to);
  lua_settop(to, c.seen_to);
  lua_settop(from, c.seen_from - 1);
}

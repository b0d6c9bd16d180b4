/* lx.c: creating folio's Lua states, loading its embedded modules, and protected calls with
 * tracebacks. Every call from C into Lua goes through lx_pcall. */
#include "lua/lx.h"
#include "core/embedded.h"
#include <stdio.h>
#include <string.h>
#include <lua-lpeg.h>

static const char CONTEXT_KEY = 'c';

static int S_message_handler(lua_State *L)
{
  if (lua_type(L, 1) == LUA_TTABLE) /* structured error from folio.fail: keep as is */
    return 1;
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
      return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

int lx_pcall(lua_State *L, int nargs, int nresults)
{
  int base = lua_gettop(L) - nargs;
  lua_pushcfunction(L, S_message_handler);
  lua_insert(L, base);
  int status = lua_pcall(L, nargs, nresults, base);
  lua_remove(L, base);
  return status;
}

int lx_load_embedded(lua_State *L, const char *path)
{
  const folio_embedded_file *file = folio_embedded_find(path);
  if (file == NULL) {
    lua_pushfstring(L, "no embedded file '%s'", path);
    return LUA_ERRFILE;
  }
  /* Bytecode made by tools/embed.c with the same liblua; its source as a fallback should this
   * liblua refuse it (the header names another version). */
  if (file->code && luaL_loadbufferx(L, (const char *)file->code, file->code_size, file->chunkname, "b") == LUA_OK)
    return LUA_OK;
  if (file->code)
    lua_pop(L, 1);
  return luaL_loadbufferx(L, (const char *)file->data, file->size, file->chunkname, "t");
}

/* folio.embedded.load(path, env) -> function | nil, message: one of folio's own files as a
 * chunk whose globals are `env`. The table is required: a chunk never gets the real globals by
 * default, so safe mode (which copies folio.embedded into its environment) stays closed; what
 * loads is folio's own code only, never bytes from the caller. */
static int l_embedded_load(lua_State *L)
{
  const char *path = luaL_checkstring(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  if (lx_load_embedded(L, path) != LUA_OK) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  lua_pushvalue(L, 2);
  if (lua_setupvalue(L, -2, 1) == NULL) /* a main chunk's first upvalue is _ENV */
    lua_pop(L, 1);
  return 1;
}

/* Module name "folio.template" -> embedded "src/lua/folio/template.lua". */
static int S_embedded_searcher(lua_State *L)
{
  const char *name = luaL_checkstring(L, 1);
  luaL_Buffer path;
  luaL_buffinit(L, &path);
  luaL_addstring(&path, "src/lua/");
  for (const char *p = name; *p; p++)
    luaL_addchar(&path, *p == '.' ? '/' : *p);
  luaL_addstring(&path, ".lua");
  luaL_pushresult(&path);
  const char *key = lua_tostring(L, -1);
  int status = lx_load_embedded(L, key);
  if (status == LUA_ERRFILE)
    return 1; /* the message: not ours, the next searcher looks */
  if (status != LUA_OK)
    return lua_error(L);
  lua_pushstring(L, key);
  return 2;
}

static void S_install_searcher(lua_State *L)
{
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "searchers");
  lua_Integer n = luaL_len(L, -1);
  /* Put ours second, after package.preload, so folio's own modules win over files on disk. */
  for (lua_Integer i = n; i >= 2; i--) {
    lua_rawgeti(L, -1, i);
    lua_rawseti(L, -2, i + 1);
  }
  lua_pushcfunction(L, S_embedded_searcher);
  lua_rawseti(L, -2, 2);
  lua_pop(L, 2);
}

static int S_setup(lua_State *L)
{
  luaL_openlibs(L);
  S_install_searcher(L);
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE); /* require "lpeg" works anywhere */
  lua_pushcfunction(L, luaopen_lpeg);
  lua_setfield(L, -2, "lpeg");
  lua_pop(L, 1);
  lua_newtable(L);
  int folio = lua_gettop(L);
  lx_open_util(L, folio);
  lua_getfield(L, folio, "embedded"); /* folio.embedded.load, beside lx_util's read and list */
  lua_pushcfunction(L, l_embedded_load);
  lua_setfield(L, -2, "load");
  lua_pop(L, 1);
  lx_open_fs(L, folio);
  lx_open_build(L, folio);
  lx_open_cache(L, folio);
  lx_open_sandbox(L, folio);
  lx_open_date(L, folio);
  lx_open_frontmatter(L, folio);
  lx_open_markdown(L, folio);
  lx_open_git(L, folio);
  lx_open_sass(L, folio);
  lx_open_digest(L, folio);
  lx_open_minify(L, folio);
  lx_open_image(L, folio);
  lx_open_text(L, folio);
  lx_open_order(L, folio);
  lua_pushliteral(L, FOLIO_VERSION);
  lua_setfield(L, folio, "version");
  lua_setglobal(L, "folio");
  /* Helpers written in Lua that every hook may use: folio.json, folio.slugify. */
  lua_getglobal(L, "require");
  lua_pushliteral(L, "folio.json");
  lua_call(L, 1, 1);
  lua_getglobal(L, "folio");
  lua_insert(L, -2);
  lua_setfield(L, -2, "json");
  lua_getglobal(L, "require");
  lua_pushliteral(L, "folio.page"); /* sets folio.slugify */
  lua_call(L, 1, 0);
  return 0;
}

lua_State *lx_new_state(void *context)
{
  lua_State *L = lx_sandbox_new_state();
  if (L == NULL)
    return NULL;
  /* A build keeps every page's data alive while rendering makes short-lived strings and
   * tables: the generational collector stops re-marking the pages on every cycle. */
  lua_gc(L, LUA_GCGEN, 0, 0);
  lx_profile_attach(L);
  lua_pushlightuserdata(L, context);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &CONTEXT_KEY);
  lua_pushcfunction(L, S_setup);
  if (lx_pcall(L, 0, 0) != LUA_OK) {
    fprintf(stderr, "folio: cannot set up Lua: %s\n", lua_tostring(L, -1));
    lua_close(L);
    return NULL;
  }
  return L;
}

void *lx_context(lua_State *L)
{
  lua_rawgetp(L, LUA_REGISTRYINDEX, &CONTEXT_KEY);
  void *context = lua_touserdata(L, -1);
  lua_pop(L, 1);
  return context;
}

int lx_require(lua_State *L, const char *module)
{
  lua_getglobal(L, "require");
  lua_pushstring(L, module);
  return lx_pcall(L, 1, 1);
}

/* lx_sass.c: folio.sass, Sass and SCSS compiled to CSS by libsass (Debian's libsass-dev).
 *   folio.sass.compile(text, opts) -> css [, map]
 *                                   | nil, { file =, line =, column =, message = }
 *   folio.sass.version() -> libsass's version
 * opts: path (the file's name, for errors, relative imports and the source map), include_paths
 * (a list of folders searched by @import), style ("expanded" default, "compressed", "nested",
 * "compact"), indented (true: the indented .sass syntax), source_map (true: an inline source map,
 * sources embedded, at the end of the CSS; "file": a separate map, returned second, for the output
 * `output` ("css/site.css"): the CSS ends with sourceMappingURL=site.css.map, relative to it, and
 * the map embeds its sources, so a browser needs no other file). src/lua/folio/assets.lua decides which files go
 * through it. libsass itself lives in the module folio-sass.so (src/modules/sass.c), loaded on
 * the first compile: a site without Sass never maps it nor the C++ runtime. */
#include "lua/lx.h"
#include "core/module.h"
#include "modules/sass.h"
#include <stdlib.h>
#include <string.h>

#define SASS_RESULT_META "folio.sass.result"

static void S_result_free(folio_sass_result *r)
{
  free(r->css);
  free(r->map);
  free(r->file);
  free(r->message);
  memset(r, 0, sizeof *r);
}

static int l_result_gc(lua_State *L)
{
  S_result_free(luaL_checkudata(L, 1, SASS_RESULT_META));
  return 0;
}

/* The module, or raises naming it and where it was looked for. */
static const folio_sass_module *S_module(lua_State *L)
{
  char err[1024];
  const folio_sass_module *m = folio_module_load(FOLIO_SASS_MODULE, err, sizeof err);
  if (m == NULL)
    luaL_error(L, "%s", err);
  return m;
}

static int S_style(lua_State *L, const char *name)
{
  static const char *const names[] = { "expanded", "compressed", "nested", "compact" };
  for (int i = 0; i < 4; i++)
    if (strcmp(name, names[i]) == 0) return i;
  return luaL_error(L, "folio.sass.compile: unknown style '%s' (expanded, compressed, nested or compact)", name);
}

static const char *S_opt_string(lua_State *L, int opts, const char *key, const char *fallback)
{
  lua_getfield(L, opts, key);
  const char *s = lua_isnil(L, -1) ? fallback : luaL_checkstring(L, -1);
  lua_pop(L, 1); /* the string stays alive: it is a field of opts */
  return s;
}

static int S_opt_bool(lua_State *L, int opts, const char *key)
{
  lua_getfield(L, opts, key);
  int b = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return b;
}

/* Reads opts into `in`; raises on bad values. The include paths' array is a userdata left on
 * the stack (its strings stay alive as fields of opts). */
static void S_read_input(lua_State *L, int opts, folio_sass_input *in)
{
  in->path = S_opt_string(L, opts, "path", "stdin");
  in->style = S_style(L, S_opt_string(L, opts, "style", "expanded"));
  in->indented = S_opt_bool(L, opts, "indented");
  lua_getfield(L, opts, "source_map");
  int as_file = lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "file") == 0;
  lua_pop(L, 1);
  in->source_map = as_file ? 2 : S_opt_bool(L, opts, "source_map");
  in->output = S_opt_string(L, opts, "output", NULL);
  if (as_file && (in->output == NULL || *in->output == '\0'))
    luaL_error(L, "folio.sass.compile: source_map = \"file\" needs the output path (output =)");
  lua_getfield(L, opts, "include_paths");
  size_t n = 0;
  if (!lua_isnil(L, -1)) {
    luaL_checktype(L, -1, LUA_TTABLE);
    n = (size_t)luaL_len(L, -1);
  }
  const char **paths = lua_newuserdatauv(L, (n ? n : 1) * sizeof *paths, 0);
  for (size_t i = 0; i < n; i++) {
    lua_rawgeti(L, -2, (lua_Integer)i + 1);
    if (lua_type(L, -1) != LUA_TSTRING)
      luaL_error(L, "folio.sass.compile: include_paths[%d] is not a string", (int)i + 1);
    paths[i] = lua_tostring(L, -1);
    lua_pop(L, 1);
  }
  lua_remove(L, -2); /* the list: opts keeps it */
  in->include_paths = paths;
  in->include_count = n;
}

/* Pushes the error table of a failed compile. [-0, +1, m] */
static void S_push_error(lua_State *L, const folio_sass_result *r, const char *path)
{
  lua_createtable(L, 0, 4);
  lua_pushstring(L, r->file && *r->file && strcmp(r->file, "stdin") != 0 ? r->file : path);
  lua_setfield(L, -2, "file");
  lua_pushinteger(L, (lua_Integer)r->line);
  lua_setfield(L, -2, "line");
  lua_pushinteger(L, (lua_Integer)r->column);
  lua_setfield(L, -2, "column");
  lua_pushstring(L, r->message && *r->message ? r->message : "Sass could not compile this file");
  lua_setfield(L, -2, "message");
}

static int l_compile(lua_State *L)
{
  folio_sass_input in = { .text = luaL_checkstring(L, 1) };
  if (lua_isnoneornil(L, 2)) lua_newtable(L);
  if (lua_gettop(L) > 2) lua_settop(L, 2);
  luaL_checktype(L, 2, LUA_TTABLE);
  S_read_input(L, 2, &in);
  const folio_sass_module *sass = S_module(L);
  /* The result lives in a userdata, so an error raised below (out of memory) still frees it. */
  folio_sass_result *r = lua_newuserdatauv(L, sizeof *r, 0);
  memset(r, 0, sizeof *r);
  luaL_setmetatable(L, SASS_RESULT_META);
  if (sass->compile(&in, r) != 0)
    return luaL_error(L, "out of memory");
  int nresults;
  if (r->css == NULL) {
    lua_pushnil(L);
    S_push_error(L, r, in.path);
    nresults = 2;
  } else {
    lua_pushstring(L, r->css);
    nresults = 1;
    if (r->map) {
      lua_pushstring(L, r->map);
      nresults = 2;
    }
  }
  S_result_free(r); /* now, not at the next collection: outputs may be large */
  return nresults;
}

static int l_version(lua_State *L)
{
  lua_pushstring(L, S_module(L)->version());
  return 1;
}

void lx_open_sass(lua_State *L, int folio)
{
  static const luaL_Reg fns[] = {
    { "compile", l_compile },
    { "version", l_version },
    { NULL, NULL },
  };
  if (luaL_newmetatable(L, SASS_RESULT_META)) {
    lua_pushcfunction(L, l_result_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_pop(L, 1);
  luaL_newlib(L, fns);
  lua_setfield(L, folio, "sass");
}

/* lx_sass.c: folio.sass, Sass and SCSS compiled to CSS by libsass (Debian's libsass-dev).
 *   folio.sass.compile(text, opts) -> css [, map]
 *                                   | nil, { file =, line =, column =, message = }
 * opts: path (the file's name, for errors, relative imports and the source map), include_paths
 * (a list of folders searched by @import), style ("expanded" default, "compressed", "nested",
 * "compact"), indented (true: the indented .sass syntax), source_map (true: an inline source map,
 * sources embedded, at the end of the CSS; "file": a separate map, returned second, for the output
 * `output` ("css/site.css"): the CSS ends with sourceMappingURL=site.css.map, relative to it, and
 * the map embeds its sources, so a browser needs no other file). src/lua/folio/assets.lua decides which files go
 * through it. */
#include "lua/lx.h"
#include <sass/context.h>
#include <string.h>

#define SASS_META "folio.sass.context"

static int l_context_gc(lua_State *L)
{
  struct Sass_Data_Context **holder = luaL_checkudata(L, 1, SASS_META);
  if (*holder) sass_delete_data_context(*holder);
  *holder = NULL;
  return 0;
}

static enum Sass_Output_Style S_style(lua_State *L, const char *name)
{
  if (strcmp(name, "expanded") == 0) return SASS_STYLE_EXPANDED;
  if (strcmp(name, "compressed") == 0) return SASS_STYLE_COMPRESSED;
  if (strcmp(name, "nested") == 0) return SASS_STYLE_NESTED;
  if (strcmp(name, "compact") == 0) return SASS_STYLE_COMPACT;
  return (enum Sass_Output_Style)luaL_error(L, "folio.sass.compile: unknown style '%s' "
                                               "(expanded, compressed, nested or compact)", name);
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

/* Reads opts into the libsass options; raises on bad values (nothing to free yet: the caller
 * makes the context after this). */
typedef struct {
  const char *path;
  const char *output; /* source_map "file": the CSS's output path */
  enum Sass_Output_Style style;
  int indented, source_map; /* source_map: 0 none, 1 inline, 2 a separate file */
} sass_settings;

static void S_read_settings(lua_State *L, int opts, sass_settings *s)
{
  s->path = S_opt_string(L, opts, "path", "stdin");
  s->style = S_style(L, S_opt_string(L, opts, "style", "expanded"));
  s->indented = S_opt_bool(L, opts, "indented");
  lua_getfield(L, opts, "source_map");
  int as_file = lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "file") == 0;
  lua_pop(L, 1);
  s->source_map = as_file ? 2 : S_opt_bool(L, opts, "source_map");
  s->output = S_opt_string(L, opts, "output", NULL);
  if (as_file && (s->output == NULL || *s->output == '\0'))
    luaL_error(L, "folio.sass.compile: source_map = \"file\" needs the output path (output =)");
  lua_getfield(L, opts, "include_paths");
  if (!lua_isnil(L, -1)) {
    luaL_checktype(L, -1, LUA_TTABLE);
    lua_Integer n = luaL_len(L, -1);
    for (lua_Integer i = 1; i <= n; i++) {
      lua_rawgeti(L, -1, i);
      if (lua_type(L, -1) != LUA_TSTRING)
        luaL_error(L, "folio.sass.compile: include_paths[%d] is not a string", (int)i);
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
}

/* Pushes the error table of a failed compile. [-0, +1, m] */
static void S_push_error(lua_State *L, struct Sass_Context *ctx, const char *path)
{
  lua_createtable(L, 0, 4);
  const char *file = sass_context_get_error_file(ctx);
  lua_pushstring(L, file && *file && strcmp(file, "stdin") != 0 ? file : path);
  lua_setfield(L, -2, "file");
  lua_pushinteger(L, (lua_Integer)sass_context_get_error_line(ctx));
  lua_setfield(L, -2, "line");
  lua_pushinteger(L, (lua_Integer)sass_context_get_error_column(ctx));
  lua_setfield(L, -2, "column");
  const char *text = sass_context_get_error_text(ctx);
  lua_pushstring(L, text && *text ? text : "Sass could not compile this file");
  lua_setfield(L, -2, "message");
}

static int l_compile(lua_State *L)
{
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  if (lua_isnoneornil(L, 2)) lua_newtable(L);
  if (lua_gettop(L) > 2) lua_settop(L, 2);
  luaL_checktype(L, 2, LUA_TTABLE);
  sass_settings s;
  S_read_settings(L, 2, &s);
  lua_getfield(L, 2, "include_paths"); /* index 3: validated above */
  int includes = lua_gettop(L);
  /* The context lives in a userdata, so an error raised below (out of memory) still frees it. */
  struct Sass_Data_Context **holder = lua_newuserdatauv(L, sizeof *holder, 0);
  *holder = NULL;
  luaL_setmetatable(L, SASS_META);
  char *source = sass_copy_c_string(text); /* libsass owns (and frees) the copy */
  if (source == NULL)
    return luaL_error(L, "out of memory");
  struct Sass_Data_Context *data = sass_make_data_context(source);
  if (data == NULL) {
    sass_free_memory(source);
    return luaL_error(L, "out of memory");
  }
  *holder = data;
  struct Sass_Context *ctx = sass_data_context_get_context(data);
  struct Sass_Options *o = sass_context_get_options(ctx);
  sass_option_set_output_style(o, s.style);
  sass_option_set_precision(o, 10); /* as dart-sass and Jekyll's converter */
  sass_option_set_is_indented_syntax_src(o, s.indented != 0);
  sass_option_set_input_path(o, s.path);
  if (lua_istable(L, includes)) {
    lua_Integer n = luaL_len(L, includes);
    for (lua_Integer i = 1; i <= n; i++) {
      lua_rawgeti(L, includes, i);
      sass_option_push_include_path(o, lua_tostring(L, -1));
      lua_pop(L, 1);
    }
  }
  if (s.source_map == 2) {
    /* libsass makes the CSS's sourceMappingURL and the map's paths relative to these two */
    sass_option_set_output_path(o, s.output);
    lua_pushfstring(L, "%s.map", s.output);
    sass_option_set_source_map_file(o, lua_tostring(L, -1));
    lua_pop(L, 1); /* the option is copied */
    sass_option_set_source_map_contents(o, true);
  } else if (s.source_map) {
    lua_pushfstring(L, "%s.map", s.path); /* libsass writes a map only when it has a name */
    sass_option_set_source_map_file(o, lua_tostring(L, -1));
    lua_pop(L, 1); /* the option is copied */
    sass_option_set_source_map_embed(o, true);
    sass_option_set_source_map_contents(o, true);
  } else {
    sass_option_set_omit_source_map_url(o, true);
  }
  sass_compile_data_context(data);
  int nresults;
  if (sass_context_get_error_status(ctx) != 0) {
    lua_pushnil(L);
    S_push_error(L, ctx, s.path);
    nresults = 2;
  } else {
    const char *css = sass_context_get_output_string(ctx);
    lua_pushstring(L, css ? css : "");
    nresults = 1;
    const char *map = s.source_map == 2 ? sass_context_get_source_map_string(ctx) : NULL;
    if (map) {
      lua_pushstring(L, map);
      nresults = 2;
    }
  }
  sass_delete_data_context(data); /* now, not at the next collection: outputs may be large */
  *holder = NULL;
  return nresults;
}

void lx_open_sass(lua_State *L, int folio)
{
  static const luaL_Reg fns[] = {
    { "compile", l_compile },
    { NULL, NULL },
  };
  if (luaL_newmetatable(L, SASS_META)) {
    lua_pushcfunction(L, l_context_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_pop(L, 1);
  luaL_newlib(L, fns);
  lua_pushstring(L, libsass_version());
  lua_setfield(L, -2, "version");
  lua_setfield(L, folio, "sass");
}

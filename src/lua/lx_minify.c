/* lx_minify.c: folio.minify, the minifiers of src/core/minify.c.
 *   folio.minify.html(text) / .css(text) / .js(text) / .json(text)
 *     -> smaller text | nil, byte offset (1-based) where the text stopped making sense */
#include "lua/lx.h"
#include "core/minify.h"

static int S_run(lua_State *L, folio_minifier fn)
{
  size_t len, bad_at = 0;
  const char *text = luaL_checklstring(L, 1, &len);
  luaL_Buffer b;
  char *out = luaL_buffinitsize(L, &b, len + 1); /* the result is never longer than the text */
  size_t n = fn(text, len, out, &bad_at);
  if (n == FOLIO_MINIFY_FAILED) {
    lua_pushnil(L);
    lua_pushinteger(L, (lua_Integer)bad_at + 1);
    return 2;
  }
  luaL_pushresultsize(&b, n);
  return 1;
}

static int l_html(lua_State *L) { return S_run(L, folio_minify_html); }
static int l_css(lua_State *L) { return S_run(L, folio_minify_css); }
static int l_js(lua_State *L) { return S_run(L, folio_minify_js); }
static int l_json(lua_State *L) { return S_run(L, folio_minify_json); }

void lx_open_minify(lua_State *L, int folio)
{
  static const luaL_Reg fns[] = {
    { "html", l_html }, { "css", l_css }, { "js", l_js }, { "json", l_json }, { NULL, NULL },
  };
  luaL_newlib(L, fns);
  lua_setfield(L, folio, "minify");
}

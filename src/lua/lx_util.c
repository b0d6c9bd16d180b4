/* lx_util.c: small helpers every template and hook uses, written in C because they run for
 * every page or every value a template prints: folio.escape (HTML escaping), folio.slugify,
 * folio.count_words and folio.embedded (read files built into the binary). */
#include "lua/lx.h"
#include "core/embedded.h"
#include "core/slug.h"
#include <string.h>

/* folio.escape(v) -> string. nil gives "", other non-strings go through tostring. */
static int l_escape(lua_State *L)
{
  if (lua_isnoneornil(L, 1)) {
    lua_pushliteral(L, "");
    return 1;
  }
  size_t len;
  const char *s = luaL_tolstring(L, 1, &len);
  size_t first = strcspn(s, "&<>\"'");
  if (first == len) /* nothing to escape: return the string itself */
    return 1;
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  luaL_addlstring(&b, s, first);
  for (size_t i = first; i < len; i++) {
    switch (s[i]) {
    case '&': luaL_addstring(&b, "&amp;"); break;
    case '<': luaL_addstring(&b, "&lt;"); break;
    case '>': luaL_addstring(&b, "&gt;"); break;
    case '"': luaL_addstring(&b, "&quot;"); break;
    case '\'': luaL_addstring(&b, "&#39;"); break;
    default: luaL_addchar(&b, s[i]);
    }
  }
  luaL_pushresult(&b);
  return 1;
}

/* folio.slugify(v) -> string (core/slug.h). nil gives "", other non-strings go through tostring.
 * [-1, +1, m] */
static int l_slugify(lua_State *L)
{
  if (lua_isnoneornil(L, 1)) {
    lua_pushliteral(L, "");
    return 1;
  }
  size_t len;
  const char *s = luaL_tolstring(L, 1, &len);
  luaL_Buffer b;
  char *out = luaL_buffinitsize(L, &b, len + 1);
  luaL_pushresultsize(&b, folio_slugify(s, len, out));
  return 1;
}

/* folio.embedded.read(path) -> string | nil */
static int l_embedded_read(lua_State *L)
{
  const folio_embedded_file *f = folio_embedded_find(luaL_checkstring(L, 1));
  if (f == NULL)
    return 0;
  lua_pushlstring(L, (const char *)f->data, f->size);
  return 1;
}

/* folio.embedded.list(prefix) -> sorted list of paths starting with prefix */
static int l_embedded_list(lua_State *L)
{
  size_t plen;
  const char *prefix = luaL_optlstring(L, 1, "", &plen);
  lua_newtable(L);
  lua_Integer n = 0;
  for (size_t i = 0; i < folio_embedded_count; i++)
    if (strncmp(folio_embedded_files[i].path, prefix, plen) == 0) {
      lua_pushstring(L, folio_embedded_files[i].path);
      lua_rawseti(L, -2, ++n);
    }
  lua_getglobal(L, "table");
  lua_getfield(L, -1, "sort");
  lua_pushvalue(L, -3);
  lua_call(L, 1, 0);
  lua_pop(L, 1);
  return 1;
}

/* folio.register_metatable(name, mt): lets tables with this metatable keep it when they are
 * copied to another worker's state (see lx_copy_value). [-2, +0, -] */
static int l_register_metatable(lua_State *L)
{
  const char *name = luaL_checkstring(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  lx_register_metatable(L, name);
  return 0;
}

/* folio.count_words(text) -> n: runs of letters, digits and non-ASCII bytes, with ' and -
 * allowed inside a word ("it's", "café-day" are one word each). [-1, +1, -] */
static int l_count_words(lua_State *L)
{
  size_t len;
  const unsigned char *s = (const unsigned char *)luaL_checklstring(L, 1, &len);
  lua_Integer words = 0;
  int in_word = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = s[i];
    int wordy = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
    if (wordy) {
      words += !in_word;
      in_word = 1;
    } else if (!(in_word && (c == '\'' || c == '-'))) {
      in_word = 0;
    }
  }
  lua_pushinteger(L, words);
  return 1;
}

void lx_open_util(lua_State *L, int folio)
{
  lua_pushcfunction(L, l_count_words);
  lua_setfield(L, folio, "count_words");
  lua_pushcfunction(L, l_register_metatable);
  lua_setfield(L, folio, "register_metatable");
  lua_pushcfunction(L, l_escape);
  lua_setfield(L, folio, "escape");
  lua_pushcfunction(L, l_slugify);
  lua_setfield(L, folio, "slugify");
  static const luaL_Reg embedded[] = {{"read", l_embedded_read}, {"list", l_embedded_list}, {NULL, NULL}};
  luaL_newlib(L, embedded);
  lua_setfield(L, folio, "embedded");
}

/* lx_date.c: folio.date, the Lua face of src/core/date.c. Times are integers (seconds since the
 * epoch); printing uses the site's time zone (the process's local zone, see set_timezone).
 * Expected failures (a bad date in front matter, an unknown zone) return nil, message; misuse
 * (a time that is not a number) raises. */
#include "lua/lx.h"
#include "core/date.h"
#include <math.h>
#include <time.h>

/* Argument `arg` as epoch seconds: an integer, or a float rounded down. Raises otherwise. */
static int64_t S_check_time(lua_State *L, int arg)
{
  if (lua_type(L, arg) != LUA_TNUMBER)
    return luaL_typeerror(L, arg, "number (seconds since the epoch)");
  if (lua_isinteger(L, arg))
    return (int64_t)lua_tointeger(L, arg);
  lua_Number n = floor(lua_tonumber(L, arg));
  lua_Integer i = 0;
  if (!lua_numbertointeger(n, &i))
    return luaL_argerror(L, arg, "time out of range");
  return (int64_t)i;
}

/* folio.date.parse(v) -> seconds | nil, message. A string is parsed (see folio_date_parse); a
 * number is taken as seconds already (a float is rounded down). Any other value (it often comes
 * straight from front matter: `date: true`) gives nil, message rather than an error.
 * [-0, +1|2, m] */
static int l_parse(lua_State *L)
{
  int type = lua_type(L, 1);
  if (type == LUA_TNUMBER) {
    lua_Number n = lua_tonumber(L, 1);
    lua_Integer i = 0;
    if (lua_isinteger(L, 1))
      lua_pushinteger(L, lua_tointeger(L, 1));
    else if (isfinite(n) && lua_numbertointeger(floor(n), &i))
      lua_pushinteger(L, i);
    else {
      lua_pushnil(L);
      lua_pushliteral(L, "the number is not a valid time");
      return 2;
    }
    return 1;
  }
  if (type != LUA_TSTRING) {
    lua_pushnil(L);
    lua_pushfstring(L, "expected a date (text or seconds), got %s", luaL_typename(L, 1));
    return 2;
  }
  size_t len;
  const char *s = lua_tolstring(L, 1, &len);
  int64_t t;
  char err[FOLIO_DATE_ERR_MAX];
  if (folio_date_parse(s, len, &t, err) != 0) {
    lua_pushnil(L);
    lua_pushstring(L, err);
    return 2;
  }
  lua_pushinteger(L, (lua_Integer)t);
  return 1;
}

/* folio.date.set_timezone(name) -> true | nil, message. Call before worker threads start.
 * [-0, +1|2, m] */
static int l_set_timezone(lua_State *L)
{
  const char *name = luaL_checkstring(L, 1);
  char err[FOLIO_DATE_ERR_MAX];
  if (folio_date_set_timezone(name, err) != 0) {
    lua_pushnil(L);
    lua_pushstring(L, err);
    return 2;
  }
  lua_pushboolean(L, 1);
  return 1;
}

/* folio.date.format(t, fmt) -> string: strftime in the site's zone. [-0, +1, m] */
static int l_format(lua_State *L)
{
  int64_t t = S_check_time(L, 1);
  const char *fmt = luaL_checkstring(L, 2);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (size_t cap = 256; cap <= ((size_t)1 << 20); cap *= 2) {
    char *room = luaL_prepbuffsize(&b, cap);
    long n = folio_date_format(t, fmt, room, cap);
    if (n == -2)
      return luaL_argerror(L, 1, "time out of range");
    if (n >= 0) {
      luaL_addsize(&b, (size_t)n);
      luaL_pushresult(&b);
      return 1;
    }
  }
  return luaL_error(L, "date format result too long");
}

/* folio.date.iso(t) -> "2014-01-08T21:47:47-06:00" (UTC as "+00:00"). [-0, +1, m] */
static int l_iso(lua_State *L)
{
  char out[FOLIO_DATE_TEXT_MAX];
  if (folio_date_iso(S_check_time(L, 1), out) != 0)
    return luaL_argerror(L, 1, "time out of range");
  lua_pushstring(L, out);
  return 1;
}

/* folio.date.rfc822(t) -> "Wed, 08 Jan 2014 21:47:47 -0600". [-0, +1, m] */
static int l_rfc822(lua_State *L)
{
  char out[FOLIO_DATE_TEXT_MAX];
  if (folio_date_rfc822(S_check_time(L, 1), out) != 0)
    return luaL_argerror(L, 1, "time out of range");
  lua_pushstring(L, out);
  return 1;
}

/* folio.date.now() -> seconds. [-0, +1, -] */
static int l_now(lua_State *L)
{
  lua_pushinteger(L, (lua_Integer)time(NULL));
  return 1;
}

/* Sets folio.date. [-0, +0, m] */
void lx_open_date(lua_State *L, int folio)
{
  static const luaL_Reg fns[] = {
    { "parse", l_parse },   { "set_timezone", l_set_timezone },
    { "format", l_format }, { "iso", l_iso },
    { "rfc822", l_rfc822 }, { "now", l_now },
    { NULL, NULL },
  };
  luaL_newlib(L, fns);
  lua_setfield(L, folio, "date");
}

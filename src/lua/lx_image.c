/* lx_image.c: folio.image, the C side of image processing (src/core/image.c does the libvips
 * work; src/lua/folio/image.lua builds the image() helper and the cache on it).
 *   folio.image.info(path)            -> { width =, height =, format = } | nil, message
 *   folio.image.process(src, dst, op) -> { width =, height =, format = } | nil, message
 *       op = { mode = "fit"|"fill"|"crop"|"resize", width =, height =, format =, quality =,
 *              max_pixels = }
 *   folio.image.can_write(format)     -> boolean ("jpeg", "png", "webp", "avif")
 *   folio.image.hash(path)            -> 16 hex digits of the file's content hash | nil, message
 *   folio.image.processed()           -> images processed so far by this build (all threads)
 *   folio.image.mkdirs_for(path)      -> true | nil, message: creates the folders above path */
#include "lua/lx.h"
#include "core/image.h"
#include "core/fsutil.h"
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void S_push_info(lua_State *L, const folio_image_info *info)
{
  lua_createtable(L, 0, 3);
  lua_pushinteger(L, info->width);
  lua_setfield(L, -2, "width");
  lua_pushinteger(L, info->height);
  lua_setfield(L, -2, "height");
  lua_pushstring(L, info->format);
  lua_setfield(L, -2, "format");
}

static int S_fail(lua_State *L, const char *err)
{
  lua_pushnil(L);
  lua_pushstring(L, err);
  return 2;
}

static int l_info(lua_State *L)
{
  const char *path = luaL_checkstring(L, 1);
  folio_image_info info;
  char err[512];
  if (folio_image_probe(path, &info, err, sizeof err) != 0)
    return S_fail(L, err);
  S_push_info(L, &info);
  return 1;
}

static int S_int_field(lua_State *L, int t, const char *name, int dflt, int lo, int hi)
{
  lua_getfield(L, t, name);
  int isnum = 0;
  lua_Integer v = lua_tointegerx(L, -1, &isnum);
  int none = lua_isnil(L, -1);
  lua_pop(L, 1);
  if (none)
    return dflt;
  if (!isnum || v < lo || v > hi)
    return luaL_error(L, "image operation: %s must be a whole number from %d to %d", name, lo, hi);
  return (int)v;
}

static int l_process(lua_State *L)
{
  const char *src = luaL_checkstring(L, 1);
  const char *dst = luaL_checkstring(L, 2);
  luaL_checktype(L, 3, LUA_TTABLE);
  static const char *const modes[] = { "fit", "fill", "crop", "resize", NULL };
  static const char *const formats[] = { "jpeg", "png", "webp", "avif", NULL };
  lua_getfield(L, 3, "mode");
  int mode = luaL_checkoption(L, -1, "fit", modes);
  lua_getfield(L, 3, "format");
  int format = luaL_checkoption(L, -1, "jpeg", formats);
  lua_getfield(L, 3, "max_pixels");
  double max_pixels = luaL_optnumber(L, -1, 0);
  lua_pop(L, 3);
  folio_image_op op = {
    .mode = (folio_image_mode)mode,
    .width = S_int_field(L, 3, "width", 0, 0, 100000),
    .height = S_int_field(L, 3, "height", 0, 0, 100000),
    .format = formats[format],
    .quality = S_int_field(L, 3, "quality", 80, 1, 100),
  };
  folio_image_info out;
  char err[1024];
  if (folio_image_process(src, dst, &op, max_pixels, &out, err, sizeof err) != 0)
    return S_fail(L, err);
  S_push_info(L, &out);
  return 1;
}

static int l_can_write(lua_State *L)
{
  lua_pushboolean(L, folio_image_can_write(luaL_checkstring(L, 1)));
  return 1;
}

static int l_hash(lua_State *L)
{
  uint64_t h = 0;
  char err[512];
  if (folio_image_hash_file(luaL_checkstring(L, 1), &h, err, sizeof err) != 0)
    return S_fail(L, err);
  char hex[17];
  snprintf(hex, sizeof hex, "%016" PRIx64, h);
  lua_pushstring(L, hex);
  return 1;
}

static int l_processed(lua_State *L)
{
  lua_pushinteger(L, (lua_Integer)folio_image_processed());
  return 1;
}

static int l_mkdirs_for(lua_State *L)
{
  const char *path = luaL_checkstring(L, 1);
  int rc = folio_mkdirs_for(AT_FDCWD, path);
  if (rc != 0) {
    lua_pushnil(L);
    lua_pushfstring(L, "cannot create the folders of %s: %s", path, strerror(-rc));
    return 2;
  }
  lua_pushboolean(L, 1);
  return 1;
}

void lx_open_image(lua_State *L, int folio)
{
  static const luaL_Reg fns[] = {
    { "info", l_info }, { "process", l_process }, { "can_write", l_can_write },
    { "hash", l_hash }, { "processed", l_processed },
    { "mkdirs_for", l_mkdirs_for }, { NULL, NULL },
  };
  (void)folio_image_processed(); /* the shared counter exists before `folio build` forks */
  luaL_newlib(L, fns);
  lua_setfield(L, folio, "image");
}

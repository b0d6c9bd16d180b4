/* lx_image.c: folio.image, the C side of image processing (src/core/image.c does the libvips
 * work; src/lua/folio/image.lua builds the image() helper and the cache on it).
 *   folio.image.info(path)            -> { width =, height =, format = } | nil, message
 *   folio.image.process(src, dst, op) -> { width =, height =, format = } | nil, message
 *       op = { mode = "fit"|"fill"|"crop"|"resize", width =, height =, format =, quality =,
 *              max_pixels = }
 *   folio.image.can_write(format)     -> boolean ("jpeg", "png", "webp", "avif")
 *   folio.image.hash(path [, memo])   -> 16 hex digits of the file's content hash | nil, message
 *       memo: a folder where the hash is kept under the file's identity (device, inode, size,
 *       modification and change times): while those stay, the file is not read again
 *   folio.image.unique()              -> a name part no other call, thread or process gets
 *   folio.image.processed()           -> images processed so far by this build (all threads)
 *   folio.image.mkdirs_for(path)      -> true | nil, message: creates the folders above path */
#include "lua/lx.h"
#include "core/image.h"
#include "core/fsutil.h"
#include "core/build.h"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* The identity a memo entry must match: what any change to the file's bytes changes (a write
 * moves the change time, which no tool sets back). */
static int S_identity(const struct stat *st, char *out, size_t cap)
{
  int n = snprintf(out, cap, "%ju %ju %jd %jd.%09ld %jd.%09ld", (uintmax_t)st->st_dev, (uintmax_t)st->st_ino,
                   (intmax_t)st->st_size, (intmax_t)st->st_mtim.tv_sec, (long)st->st_mtim.tv_nsec,
                   (intmax_t)st->st_ctim.tv_sec, (long)st->st_ctim.tv_nsec);
  return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* memo/<hash of the path>.stat: "<identity> <content hash>" */
static int S_memo_path(const char *memo, const char *path, char *out, size_t cap)
{
  uint64_t h = 1469598103934665603ull;
  for (const char *p = path; *p; p++)
    h = (h ^ (unsigned char)*p) * 1099511628211ull;
  int n = snprintf(out, cap, "%s/%016" PRIx64 ".stat", memo, h);
  return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* The hash the memo holds for this identity, or -1. */
static int S_memo_read(const char *file, const char *identity, uint64_t *hash)
{
  FILE *f = fopen(file, "re");
  if (!f)
    return -1;
  char line[512];
  int rc = -1;
  size_t n = strlen(identity);
  if (fgets(line, sizeof line, f) && !strncmp(line, identity, n) && line[n] == ' ') {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(line + n + 1, &end, 16);
    if (errno == 0 && end == line + n + 17 && (*end == '\n' || *end == '\0')) {
      *hash = (uint64_t)v;
      rc = 0;
    }
  }
  fclose(f);
  return rc;
}

/* Written beside and renamed into place (other threads and processes read it); failures only
 * mean the file is hashed again next time. */
static void S_memo_write(const char *file, const char *identity, uint64_t hash)
{
  static atomic_uint counter;
  char tmp[PATH_MAX];
  int n = snprintf(tmp, sizeof tmp, "%s.%ld-%u.tmp", file, (long)getpid(), atomic_fetch_add(&counter, 1));
  if (n < 0 || (size_t)n >= sizeof tmp || folio_mkdirs_for(AT_FDCWD, file) != 0)
    return;
  FILE *f = fopen(tmp, "we");
  if (!f)
    return;
  int ok = fprintf(f, "%s %016" PRIx64 "\n", identity, hash) > 0;
  if (fclose(f) != 0 || !ok || rename(tmp, file) != 0)
    unlink(tmp);
}

static int l_hash(lua_State *L)
{
  const char *path = luaL_checkstring(L, 1);
  const char *memo = luaL_optstring(L, 2, NULL);
  uint64_t h = 0;
  char err[512], identity[256], file[PATH_MAX];
  struct stat st;
  int memo_ok = memo && stat(path, &st) == 0 && S_identity(&st, identity, sizeof identity) == 0 &&
                S_memo_path(memo, path, file, sizeof file) == 0;
  if (!memo_ok || S_memo_read(file, identity, &h) != 0) {
    if (folio_image_hash_file(path, &h, err, sizeof err) != 0)
      return S_fail(L, err);
    if (memo_ok)
      S_memo_write(file, identity, h);
  }
  char hex[17];
  snprintf(hex, sizeof hex, "%016" PRIx64, h);
  lua_pushstring(L, hex);
  return 1;
}

static int l_unique(lua_State *L)
{
  static atomic_uint counter;
  lua_pushfstring(L, "%d-%d", (int)getpid(), (int)atomic_fetch_add(&counter, 1));
  return 1;
}

static int l_processed(lua_State *L)
{
  lua_pushinteger(L, (lua_Integer)folio_image_processed());
  return 1;
}

/* folio.image.loaded() -> whether this process loaded libvips (its module) */
static int l_loaded(lua_State *L)
{
  lua_pushboolean(L, folio_image_loaded());
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
    { "hash", l_hash }, { "processed", l_processed }, { "loaded", l_loaded },
    { "mkdirs_for", l_mkdirs_for }, 
    { "unique", l_unique }, { NULL, NULL },
  };
  (void)folio_image_processed(); /* the shared counter exists before `folio build` forks */
  luaL_newlib(L, fns);
  lua_setfield(L, folio, "image");
}

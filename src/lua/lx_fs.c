/* lx_fs.c: folio.fs, the file-system view Lua code gets: reading sources (UTF-8 checked, BOM and
 * CRLF normalised), stat, and scanning folders (following symlinks, refusing loops). */
#include "lua/lx.h"
#include "core/fsutil.h"
#include "core/utf8.h"
#include <dirent.h>
#include <limits.h>
#include <fcntl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Pushes an error table {message=, line=, hint=}. [-0, +1, m] */
static void S_push_error(lua_State *L, const char *message, int line, const char *hint)
{
  lua_createtable(L, 0, 3);
  lua_pushstring(L, message);
  lua_setfield(L, -2, "message");
  if (line > 0) {
    lua_pushinteger(L, line);
    lua_setfield(L, -2, "line");
  }
  if (hint) {
    lua_pushstring(L, hint);
    lua_setfield(L, -2, "hint");
  }
}

/* Removes '\r' before '\n' in place; returns the new length. */
static size_t S_strip_cr(char *s, size_t len)
{
  char *cr = memchr(s, '\r', len);
  if (cr == NULL)
    return len;
  size_t out = (size_t)(cr - s);
  for (size_t i = out; i < len; i++)
    if (!(s[i] == '\r' && i + 1 < len && s[i + 1] == '\n'))
      s[out++] = s[i];
  return out;
}

/* folio.fs.read_source(path) -> text [, warning] | nil, err  [-1, +1|2, m]
 * The text is valid UTF-8, without a BOM, with LF line ends. A file that is not UTF-8 is read as
 * Windows-1252 where it is not (core/utf8.h), and `warning` ({ message, line, hint }) says so. */
static int l_read_source(lua_State *L)
{
  const char *path = luaL_checkstring(L, 1);
  char *data;
  size_t len;
  int rc = folio_read_file(path, &data, &len);
  if (rc != 0) {
    lua_pushnil(L);
    S_push_error(L, strerror(-rc), 0,
                 rc == -EACCES ? "check the file's permissions" : "check that the file exists and is readable");
    return 2;
  }
  char *text = data;
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
    text += 3;
    len -= 3;
  }
  size_t bad = folio_utf8_invalid_at(text, len);
  if (bad == len) {
    len = S_strip_cr(text, len);
    lua_pushlstring(L, text, len);
    free(data);
    return 1;
  }
  size_t fixed_len, replaced;
  char *fixed = folio_utf8_from_cp1252(text, len, &fixed_len, &replaced);
  if (fixed == NULL) {
    free(data);
    return luaL_error(L, "out of memory reading %s", path);
  }
  char msg[192];
  snprintf(msg, sizeof msg,
           "the file is not valid UTF-8 (byte 0x%02X, %zu byte%s in all): read as Windows-1252 where it is not",
           (unsigned)(unsigned char)text[bad], replaced, replaced == 1 ? "" : "s");
  int line = folio_line_of(text, bad);
  free(data);
  fixed_len = S_strip_cr(fixed, fixed_len);
  lua_pushlstring(L, fixed, fixed_len);
  free(fixed);
  S_push_error(L, msg, line, "save the file as UTF-8 (e.g. iconv -f windows-1252 -t utf-8)");
  return 2;
}

/* folio.fs.read(path [, limit]) -> bytes | nil, message  [-1|2, +1|2, m]
 * With `limit` (up to 4096), at most the first `limit` bytes, the rest never read (a file's head). */
static int l_read(lua_State *L)
{
  const char *path = luaL_checkstring(L, 1);
  char *data = NULL;
  size_t len = 0;
  char head[4096];
  int limited = !lua_isnoneornil(L, 2);
  int rc;
  if (limited) {
    lua_Integer limit = luaL_checkinteger(L, 2);
    luaL_argcheck(L, limit >= 0 && limit <= (lua_Integer)sizeof head, 2, "limit out of range (0 to 4096)");
    rc = folio_read_head(path, head, (size_t)limit, &len);
  } else {
    rc = folio_read_file(path, &data, &len);
  }
  if (rc != 0) {
    lua_pushnil(L);
    lua_pushfstring(L, "%s: %s", path, strerror(-rc));
    return 2;
  }
  lua_pushlstring(L, limited ? head : data, len);
  free(data);
  return 1;
}

void lx_push_stat(lua_State *L, const struct stat *st, int is_link)
{
  lua_createtable(L, 0, 6);
  lua_pushstring(L, is_link ? "link" : S_ISDIR(st->st_mode) ? "dir" : S_ISREG(st->st_mode) ? "file" : "other");
  lua_setfield(L, -2, "type");
  lua_pushinteger(L, (lua_Integer)st->st_mtim.tv_sec);
  lua_setfield(L, -2, "mtime");
  lua_pushinteger(L, (lua_Integer)st->st_mtim.tv_nsec);
  lua_setfield(L, -2, "mtime_ns");
  lua_pushinteger(L, (lua_Integer)st->st_size);
  lua_setfield(L, -2, "size");
  lua_pushinteger(L, (lua_Integer)st->st_ino);
  lua_setfield(L, -2, "ino");
}

/* folio.fs.stat(path [, nofollow]) -> {type=, mtime=, mtime_ns=, size=} | nil  [-1|2, +1, m] */
static int l_stat(lua_State *L)
{
  const char *path = luaL_checkstring(L, 1);
  int nofollow = lua_toboolean(L, 2);
  struct stat st;
  if ((nofollow ? lstat(path, &st) : stat(path, &st)) != 0)
    return 0;
  lx_push_stat(L, &st, nofollow && S_ISLNK(st.st_mode));
  return 1;
}

typedef struct {
  lua_State *L;
  int files;   /* result table index */
  int errors;  /* error table index */
  lua_Integer nfiles, nerrors;
  struct { dev_t dev; ino_t ino; } stack[64]; /* folders on the current path, to spot loops */
  int depth;
  const char *within; /* resolved folder links may not leave, or NULL */
  int outside;        /* table of links not followed (they leave `within`) */
  lua_Integer noutside;
} S_scan;

/* With `within`: whether entry `name` of folder `fd` is a symbolic link to something outside it;
 * then it is listed in s->outside as {file=, target=}. */
static int S_link_leaves(S_scan *s, int fd, const char *name, const char *path)
{
  struct stat lst;
  if (s->within == NULL || fstatat(fd, name, &lst, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISLNK(lst.st_mode))
    return 0;
  char real[PATH_MAX];
  if (realpath(path, real) == NULL)
    return 0; /* broken: reported as such by the caller */
  size_t n = strlen(s->within);
  if (strncmp(real, s->within, n) == 0 && (real[n] == '/' || real[n] == '\0'))
    return 0;
  lua_State *L = s->L;
  lua_createtable(L, 0, 2);
  lua_pushstring(L, path);
  lua_setfield(L, -2, "file");
  lua_pushstring(L, real);
  lua_setfield(L, -2, "target");
  lua_rawseti(L, s->outside, ++s->noutside);
  return 1;
}

static void S_scan_error(S_scan *s, const char *path, const char *message, const char *hint)
{
  lua_State *L = s->L;
  lua_createtable(L, 0, 3);
  lua_pushstring(L, path);
  lua_setfield(L, -2, "file");
  lua_pushstring(L, message);
  lua_setfield(L, -2, "message");
  lua_pushstring(L, hint);
  lua_setfield(L, -2, "hint");
  lua_rawseti(L, s->errors, ++s->nerrors);
}

static int S_skip_name(const char *name)
{
  size_t n = strlen(name);
  return name[0] == '.' || (n > 0 && name[n - 1] == '~') || (name[0] == '#' && name[n - 1] == '#') ||
         strcmp(name, "4913") == 0;
}

static int S_compare_names(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void S_scan_dir(S_scan *s, const char *dir)
{
  struct stat st;
  luaL_checkstack(s->L, 8, "scanning folders");
  if (stat(dir, &st) != 0)
    return;
  for (int i = 0; i < s->depth; i++)
    if (s->stack[i].dev == st.st_dev && s->stack[i].ino == st.st_ino) {
      S_scan_error(s, dir, "symbolic link loop: this folder contains itself",
                   "remove or fix the symbolic link that points back to a parent folder");
      return;
    }
  if (s->depth == (int)(sizeof s->stack / sizeof s->stack[0])) {
    S_scan_error(s, dir, "folders nested too deeply (more than 64 levels)", "flatten the folder structure");
    return;
  }
  DIR *d = opendir(dir);
  if (d == NULL) {
    S_scan_error(s, dir, strerror(errno), "check the folder's permissions");
    return;
  }
  s->stack[s->depth].dev = st.st_dev;
  s->stack[s->depth].ino = st.st_ino;
  s->depth++;
  /* Collect and sort names so the scan order (and so the build) is deterministic. */
  char **names = NULL;
  size_t count = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (S_skip_name(e->d_name))
      continue;
    if (count == cap) {
      cap = cap ? cap * 2 : 32;
      char **bigger = realloc(names, cap * sizeof *names);
      if (!bigger) break;
      names = bigger;
    }
    if ((names[count] = strdup(e->d_name)) == NULL) break;
    count++;
  }
  if (count > 1)
    qsort(names, count, sizeof *names, S_compare_names);
  /* entries are looked up relative to the open folder: one path step each, not the whole path */
  int fd = dirfd(d);
  size_t dir_len = strlen(dir);
  for (size_t i = 0; i < count; i++) {
    lua_State *L = s->L;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addlstring(&b, dir, dir_len);
    luaL_addchar(&b, '/');
    luaL_addstring(&b, names[i]);
    luaL_pushresult(&b);
    const char *path = lua_tostring(L, -1);
    struct stat est;
    if (S_link_leaves(s, fd, names[i], path)) {
      /* not followed */
    } else if (fstatat(fd, names[i], &est, 0) != 0) {
      struct stat lst;
      if (fstatat(fd, names[i], &lst, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(lst.st_mode))
        S_scan_error(s, path, errno == ELOOP ? "symbolic link loop" : "broken symbolic link",
                     "remove the link or point it at an existing file");
    } else if (S_ISDIR(est.st_mode)) {
      S_scan_dir(s, path);
    } else if (S_ISREG(est.st_mode)) {
      lua_createtable(L, 0, 3);
      lua_pushvalue(L, -2);
      lua_setfield(L, -2, "path");
      lua_pushinteger(L, (lua_Integer)est.st_mtim.tv_sec);
      lua_setfield(L, -2, "mtime");
      lua_pushinteger(L, (lua_Integer)est.st_size);
      lua_setfield(L, -2, "size");
      lua_rawseti(L, s->files, ++s->nfiles);
    }
    lua_pop(L, 1);
    free(names[i]);
  }
  free(names);
  closedir(d);
  s->depth--;
}

/* folio.fs.scan(dir [, within]) -> files, errors, outside  [-1|2, +3, m]
 * files: sorted list of {path=, mtime=, size=} for every regular file below dir (symlinks
 * followed; dotfiles and editor backups skipped); errors: list of {file=, message=, hint=}.
 * With `within` (a folder), a symbolic link to something outside it is not followed but listed
 * in `outside` as {file=, target=}. */
static int l_scan(lua_State *L)
{
  const char *dir = luaL_checkstring(L, 1);
  const char *within = luaL_optstring(L, 2, NULL);
  char real[PATH_MAX];
  S_scan s = {0};
  s.L = L;
  if (within && realpath(within, real) != NULL)
    s.within = real;
  lua_newtable(L);
  s.files = lua_gettop(L);
  lua_newtable(L);
  s.errors = lua_gettop(L);
  lua_newtable(L);
  s.outside = lua_gettop(L);
  S_scan_dir(&s, dir);
  return 3;
}

/* folio.fs.realpath(path) -> absolute path without links | nil  [-1, +1, m] */
static int l_realpath(lua_State *L)
{
  char real[PATH_MAX];
  if (realpath(luaL_checkstring(L, 1), real) == NULL)
    return 0;
  lua_pushstring(L, real);
  return 1;
}

void lx_open_fs(lua_State *L, int folio)
{
  static const luaL_Reg fs[] = {
    {"read_source", l_read_source}, {"read", l_read}, {"stat", l_stat}, {"scan", l_scan}, {"realpath", l_realpath},
    {NULL, NULL}};
  luaL_newlib(L, fs);
  lua_setfield(L, folio, "fs");
}

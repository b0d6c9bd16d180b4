/* lx_build.c: folio.build, what the Lua pipeline (src/lua/folio/pipeline.lua) needs from the C
 * build it runs in: the build options, writing output files into the staging folder, the
 * content store (pages' bodies, generated files' bytes), and reporting diagnostics; and the
 * runtime the C build runs its Lua states with (lx_build_runtime: core does not call src/lua). Outside a build (folio lua), the functions
 * that need one raise an error. */
#include "lua/lx.h"
#include "core/build.h"
#include "core/fsutil.h"
#include "core/minify.h"
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

folio_build *folio_build_of(lua_State *L)
{
  return lx_context(L);
}

/* What src/core/build.c runs its states with (folio_build_set_runtime). */
const folio_build_runtime *lx_build_runtime(void)
{
  static const folio_build_runtime runtime = {lx_new_state, lx_require, lx_pcall, lx_copy_value};
  return &runtime;
}

static folio_build *S_build(lua_State *L)
{
  folio_build *b = folio_build_of(L);
  if (b == NULL)
    luaL_error(L, "this function needs a running build");
  return b;
}

/* Output paths are relative and may not climb out of the output folder. */
static const char *S_check_output_path(lua_State *L, int arg)
{
  const char *rel = luaL_checkstring(L, arg);
  if (rel[0] == '/' || rel[0] == '\0')
    luaL_argerror(L, arg, "output path must be relative and not empty");
  for (const char *p = rel; *p; ) {
    const char *end = strchr(p, '/');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    if ((n == 2 && p[0] == '.' && p[1] == '.') || n == 0)
      luaL_argerror(L, arg, lua_pushfstring(L, "output path '%s' leaves the output folder", rel));
    p += n + (end ? 1 : 0);
  }
  return rel;
}

/* 1 when `rel` below dirfd already holds exactly these bytes, 0 when it holds others, -1 when
 * there is no such file. */
static int S_same_content(int dirfd, const char *rel, const char *data, size_t len)
{
  int fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return -1;
  struct stat st;
  int same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len;
  char buf[16384];
  for (size_t off = 0; same && off < len;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0 || memcmp(buf, data + off, (size_t)n) != 0 || off + (size_t)n > len)
      same = 0;
    else
      off += (size_t)n;
  }
  close(fd);
  return same;
}

/* The minifier `folio.build.write` names by its third argument, or NULL for none. */
static folio_minifier S_minifier(lua_State *L, int arg)
{
  static const char *const names[] = {"html", "css", "js", "json", NULL};
  static const folio_minifier fns[] = {folio_minify_html, folio_minify_css, folio_minify_js, folio_minify_json};
  if (lua_isnoneornil(L, arg))
    return NULL;
  return fns[luaL_checkoption(L, arg, NULL, names)];
}

/* folio.build.write(relpath, data [, minifier]) -> changed | nil, bad_at  [-3, +1|2, e]
 * In a preview update, a file that already holds these bytes is left alone (changed = false),
 * and one that holds others is replaced whole (a browser may be reading it). On a full disk it
 * raises nothing: the build reports the full disk once (folio_build_note_write).
 * `minifier` ("html", "css", "js", "json"): the bytes written are data minified (as
 * folio.minify[minifier] gives them, without making them a Lua string); when the minifier cannot
 * read data, nothing is written and it returns nil and the 1-based offset where it stopped. */
static int l_write(lua_State *L)
{
  folio_build *b = S_build(L);
  const char *rel = S_check_output_path(L, 1);
  size_t len;
  const char *data = luaL_checklstring(L, 2, &len);
  folio_minifier minify = S_minifier(L, 3);
  char *small = NULL;
  if (minify) {
    size_t bad_at = 0;
    small = len < SIZE_MAX ? malloc(len + 1) : NULL; /* the result is never longer than the text */
    if (small == NULL)
      return luaL_error(L, "cannot write %s: out of memory", rel);
    size_t n = minify(data, len, small, &bad_at);
    if (n == FOLIO_MINIFY_FAILED) {
      free(small);
      lua_pushnil(L);
      lua_pushinteger(L, (lua_Integer)bad_at + 1);
      return 2;
    }
    data = small;
    len = n;
  }
  int same = b->compare_writes ? S_same_content(b->out_dirfd, rel, data, len) : -1;
  if (same == 1) {
    free(small);
    lua_pushboolean(L, 0);
    return 1;
  }
  int full = folio_build_disk_full(b);
  int rc = full ? -full : folio_write_at(b->out_dirfd, rel, data, len, same == 0);
  free(small);
  if (rc != 0 && !folio_build_note_write(b, len, rc))
    return luaL_error(L, "cannot write %s: %s", rel, strerror(-rc));
  if (rc == 0)
    folio_build_note_write(b, len, 0);
  lua_pushboolean(L, 1);
  return 1;
}

/* folio.build.remove(relpath): deletes an output file that no page produces any more, and the
 * folders it leaves empty. [-1, +0, e] */
static int l_remove(lua_State *L)
{
  folio_build *b = S_build(L);
  const char *rel = S_check_output_path(L, 1);
  if (unlinkat(b->out_dirfd, rel, 0) != 0 && errno != ENOENT)
    return luaL_error(L, "cannot remove %s: %s", rel, strerror(errno));
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", rel);
  for (char *slash = strrchr(dir, '/'); slash; slash = strrchr(dir, '/')) {
    *slash = '\0';
    if (unlinkat(b->out_dirfd, dir, AT_REMOVEDIR) != 0)
      break; /* not empty, or gone: stop climbing */
  }
  return 0;
}

/* Puts src (below the folder src_dirfd, AT_FDCWD: a path) at the output path rel, as a hard link
 * when `link` and the file system allows, else as a copy; a full disk is noted, not raised.
 * `known_size`: the source's size, or -1 (then a link, or a disk already full, asks stat). Pushes
 * true. */
static int S_put_file(lua_State *L, folio_build *b, const char *rel, int src_dirfd, const char *src, int link,
                      lua_Integer known_size)
{
  size_t size = known_size >= 0 ? (size_t)known_size : 0; /* (a copy tells it) */
  int full = folio_build_disk_full(b);
  if (known_size < 0 && (full || link)) {
    struct stat st;
    size = fstatat(src_dirfd, src, &st, 0) == 0 ? (size_t)st.st_size : 0;
  }
  int rc = full ? -full : link ? folio_link_file_from(b->out_dirfd, rel, src_dirfd, src, b->options.preview) : -EXDEV;
  if (!full && rc != 0 && (rc == -EXDEV || rc == -EPERM || rc == -EMLINK || rc == -ENOTSUP || rc == -EACCES))
    rc = folio_copy_file_from(b->out_dirfd, rel, src_dirfd, src, b->options.preview, &size); /* no link (wanted, or possible) */
  if (rc != 0 && !folio_build_note_write(b, size, rc))
    return luaL_error(L, "cannot copy %s to %s: %s", src, rel, strerror(-rc));
  if (rc == 0)
    folio_build_note_write(b, size, 0);
  lua_pushboolean(L, 1);
  return 1;
}

/* folio.build.copy(relpath, source_file) -> true  [-2, +1, e]
 * In the preview, the copy replaces the old file whole (a browser may be reading it). */
static int l_copy(lua_State *L)
{
  folio_build *b = S_build(L);
  const char *rel = S_check_output_path(L, 1);
  const char *src = luaL_checkstring(L, 2);
  return S_put_file(L, b, rel, AT_FDCWD, src, 0, -1);
}

/* folio.build.link(relpath, source_file) -> true  [-2, +1, e]
 * As copy, as a hard link where the output's file system allows one: for files that are never
 * written again in place (the image cache's results, folio/image.lua). */
static int l_link(lua_State *L)
{
  folio_build *b = S_build(L);
  const char *rel = S_check_output_path(L, 1);
  const char *src = luaL_checkstring(L, 2);
  return S_put_file(L, b, rel, AT_FDCWD, src, 1, -1);
}

/* ---- a warm build's kept outputs (src/lua/folio/warm.lua) ------------------------------
 * A file's identity, as the record keeps it: its inode, size and modification time (seconds,
 * nanoseconds), four int64s in the machine's byte order (32 bytes; a record's entry ends with
 * one). The last build's output folder is opened once, by the plan in the main state (before
 * the render processes or threads start), and closed after the render (src/core/build.c). */

typedef struct {
  int64_t ino, size, mtime, mtime_ns;
} S_identity;

static void S_push_identity(lua_State *L, const struct stat *st)
{
  S_identity id = {(int64_t)st->st_ino, (int64_t)st->st_size, (int64_t)st->st_mtim.tv_sec,
                   (int64_t)st->st_mtim.tv_nsec};
  lua_pushlstring(L, (const char *)&id, sizeof id);
}

/* The identity at the end of string argument `arg`; 0 when it is too short to hold one. */
static int S_identity_arg(lua_State *L, int arg, S_identity *id)
{
  size_t len;
  const char *s = luaL_checklstring(L, arg, &len);
  if (len < sizeof *id)
    return 0;
  memcpy(id, s + len - sizeof *id, sizeof *id);
  return 1;
}

/* folio.build.staged_identity(relpath) -> 32 bytes | nil: the identity of the file this build
 * wrote at relpath into the staging folder (it stays when the folder is published). [-1, +1, m] */
static int l_staged_identity(lua_State *L)
{
  folio_build *b = S_build(L);
  const char *rel = S_check_output_path(L, 1);
  struct stat st;
  if (b->out_dirfd < 0 || fstatat(b->out_dirfd, rel, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
    return 0;
  S_push_identity(L, &st);
  return 1;
}

/* folio.build.kept(relpath, identity) -> boolean: whether the last output folder (output_path)
 * holds relpath as this very file: a regular file (not followed through a link) of that identity
 * (the last 32 bytes of the string). [-2, +1, -] */
static int l_kept(lua_State *L)
{
  folio_build *b = S_build(L);
  const char *rel = S_check_output_path(L, 1);
  S_identity want;
  if (!S_identity_arg(L, 2, &want)) {
    lua_pushboolean(L, 0);
    return 1;
  }
  if (b->last_dirfd < 0 && b->output_path != NULL)
    b->last_dirfd = open(b->output_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct stat st;
  int same = b->last_dirfd >= 0 && fstatat(b->last_dirfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
             S_ISREG(st.st_mode) && (int64_t)st.st_ino == want.ino && (int64_t)st.st_size == want.size &&
             (int64_t)st.st_mtim.tv_sec == want.mtime && (int64_t)st.st_mtim.tv_nsec == want.mtime_ns;
  lua_pushboolean(L, same);
  return 1;
}

/* folio.build.link_kept(relpath, identity) -> true: puts the last output folder's relpath (which
 * folio.build.kept found to have this identity) at relpath, as folio.build.link does. [-2, +1, e] */
static int l_link_kept(lua_State *L)
{
  folio_build *b = S_build(L);
  const char *rel = S_check_output_path(L, 1);
  S_identity id;
  if (!S_identity_arg(L, 2, &id))
    return luaL_argerror(L, 2, "not a file's identity");
  if (b->last_dirfd < 0) /* (only the plan opens it: render threads may be running) */
    return luaL_error(L, "no last output folder to take %s from", rel);
  return S_put_file(L, b, rel, b->last_dirfd, rel, 1, id.size < 0 ? 0 : (lua_Integer)id.size);
}

/* folio.build.reserve(n): size the content store for page ids 1..n (main thread, between
 * phases only). [-1, +0, e] */
static int l_reserve(lua_State *L)
{
  folio_build *b = S_build(L);
  lua_Integer n = luaL_checkinteger(L, 1);
  if (n > 0 && folio_content_reserve(&b->content, (size_t)n) != 0)
    return luaL_error(L, "out of memory");
  return 0;
}

/* folio.build.set_content(id, html)  [-2, +0, e] */
static int l_set_content(lua_State *L)
{
  folio_build *b = S_build(L);
  lua_Integer id = luaL_checkinteger(L, 1);
  size_t len;
  const char *html = luaL_checklstring(L, 2, &len);
  luaL_argcheck(L, id >= 1 && (size_t)id <= b->content.count, 1, "page id out of range");
  int rc = folio_content_set(&b->content, (size_t)id - 1, html, len);
  if (rc != 0)
    return luaL_error(L, "cannot keep the HTML of page %d: %s", (int)id, strerror(-rc));
  return 0;
}

/* folio.build.store(data) -> id | nil: keeps `data` in the content store under a new id after
 * the pages': a generated file's bytes wait there for the render, out of the Lua heap, and so do
 * partial_cached's results in the render (each render process has a spill file of its own).
 * folio.build.content(id) gives them back. nil (nothing kept) while several threads of this
 * process render. [-1, +1, e] */
static int l_store(lua_State *L)
{
  folio_build *b = S_build(L);
  luaL_checkstring(L, 1);
  if (b->shared_render) /* (another thread may be reading the slots this would move) */
    return 0;
  lua_pushinteger(L, (lua_Integer)b->content.count + 1);
  lua_pushcfunction(L, l_reserve);
  lua_pushinteger(L, (lua_Integer)b->content.count + 1);
  lua_call(L, 1, 0);
  lua_pushcfunction(L, l_set_content);
  lua_pushvalue(L, -2);
  lua_pushvalue(L, 1);
  lua_call(L, 2, 0);
  return 1;
}

/* folio.build.content_hash(id) -> hex | nil: the hash of page id's body (or stored bytes), as
 * folio.cache.hash would give it, without reading it back. [-1, +1, m] */
static int l_content_hash(lua_State *L)
{
  folio_build *b = folio_build_of(L);
  lua_Integer id = luaL_checkinteger(L, 1);
  folio_hash128 h;
  if (b == NULL || id < 1 || !folio_content_hash(&b->content, (size_t)id - 1, &h))
    return 0;
  lx_push_hash(L, h);
  return 1;
}

/* folio.build.problems() -> how many diagnostics the build holds so far  [-0, +1, -] */
static int l_problems(lua_State *L)
{
  folio_build *b = S_build(L);
  lua_pushinteger(L, (lua_Integer)folio_diag_size(b->diag));
  return 1;
}

/* folio.build.output_path() -> the output folder as named (the last build's), or nil  [-0, +1, m] */
static int l_output_path(lua_State *L)
{
  folio_build *b = S_build(L);
  if (b->output_path == NULL)
    return 0;
  lua_pushstring(L, b->output_path);
  return 1;
}

/* folio.build.content(id) -> html | nil  [-1, +1, m] */
static int l_content(lua_State *L)
{
  folio_build *b = folio_build_of(L);
  lua_Integer id = luaL_checkinteger(L, 1);
  size_t len;
  if (b == NULL || id < 1 || !folio_content_has(&b->content, (size_t)id - 1, &len))
    return 0;
  const char *mem = folio_content_in_memory(&b->content, (size_t)id - 1);
  if (mem) {
    lua_pushlstring(L, mem, len);
    return 1;
  }
  luaL_Buffer buf;
  char *into = luaL_buffinitsize(L, &buf, len);
  int rc = folio_content_read(&b->content, (size_t)id - 1, into);
  if (rc != 0)
    return luaL_error(L, "cannot read back the HTML of page %d: %s", (int)id, strerror(-rc));
  luaL_pushresultsize(&buf, len);
  return 1;
}

static const char RECORDING_KEY = 'r'; /* registry: the list folio.build.record is filling, if any */

/* Appends the report's six arguments (as a table with n = 6) to the recording list, if any. */
static void S_record(lua_State *L)
{
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &RECORDING_KEY) != LUA_TTABLE) {
    lua_pop(L, 1);
    return;
  }
  lua_createtable(L, 6, 1);
  for (int i = 1; i <= 6; i++) {
    lua_pushvalue(L, i);
    lua_rawseti(L, -2, i);
  }
  lua_pushinteger(L, 6);
  lua_setfield(L, -2, "n");
  lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
  lua_pop(L, 1);
}

/* folio.build.record(true): from now on, this state's reports are also kept in a list;
 * folio.build.record(false) -> the list (each entry: the arguments of one report, n = 6), and
 * stops. The build cache keeps a page's warnings with it, to report them again when the page is
 * reused.  [-1, +0|1, m] */
static int l_record(lua_State *L)
{
  if (lua_toboolean(L, 1)) {
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &RECORDING_KEY);
    return 0;
  }
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &RECORDING_KEY) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
  }
  lua_pushnil(L);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &RECORDING_KEY);
  return 1;
}

/* folio.build.report(severity, file, line, message [, hint [, subject]])  [-6, +0, e]
 * severity is "error" or "warning"; subject is the page the problem was met on, when it is not
 * `file` (see folio_diagnostic). */
static int l_report(lua_State *L)
{
  folio_build *b = S_build(L);
  const char *severity = luaL_checkstring(L, 1);
  const char *file = luaL_optstring(L, 2, NULL);
  lua_Integer line = luaL_optinteger(L, 3, 0);
  const char *message = luaL_checkstring(L, 4);
  const char *hint = luaL_optstring(L, 5, NULL);
  const char *subject = luaL_optstring(L, 6, NULL);
  if (folio_diag_add_about(b->diag, strcmp(severity, "warning") == 0 ? FOLIO_WARNING : FOLIO_ERROR, file,
                           (int)line, message, hint, subject) != 0)
    return luaL_error(L, "out of memory");
  lua_settop(L, 6);
  S_record(L);
  return 0;
}

/* folio.build.options() -> {drafts=, future=, preview=, output=, no_cache=, cache_dir=, ...}  [-0, +1, m] */
static int l_options(lua_State *L)
{
  folio_build *b = folio_build_of(L);
  lua_createtable(L, 0, 5);
  if (b == NULL)
    return 1;
  lua_pushboolean(L, b->options.drafts);
  lua_setfield(L, -2, "drafts");
  lua_pushboolean(L, b->options.future);
  lua_setfield(L, -2, "future");
  lua_pushboolean(L, b->options.preview);
  lua_setfield(L, -2, "preview");
  lua_pushboolean(L, b->options.safe);
  lua_setfield(L, -2, "safe");
  lua_pushboolean(L, b->options.quiet);
  lua_setfield(L, -2, "quiet");
  lua_pushboolean(L, b->options.strict);
  lua_setfield(L, -2, "strict");
  if (b->options.minify != 0) {
    lua_pushboolean(L, b->options.minify > 0);
    lua_setfield(L, -2, "minify");
  }
  if (b->options.base_url) {
    lua_pushstring(L, b->options.base_url);
    lua_setfield(L, -2, "base_url");
  }
  if (b->options.output_dir) {
    lua_pushstring(L, b->options.output_dir);
    lua_setfield(L, -2, "output");
  }
  lua_pushboolean(L, b->options.no_cache);
  lua_setfield(L, -2, "no_cache");
  if (b->options.cache_dir) {
    lua_pushstring(L, b->options.cache_dir);
    lua_setfield(L, -2, "cache_dir");
  }
  return 1;
}

void lx_open_build(lua_State *L, int folio)
{
  static const luaL_Reg fns[] = {
    {"write", l_write}, {"copy", l_copy}, {"link", l_link}, {"remove", l_remove}, {"reserve", l_reserve}, {"set_content", l_set_content},
    {"store", l_store},
    {"content", l_content}, {"content_hash", l_content_hash}, {"output_path", l_output_path},
    {"staged_identity", l_staged_identity}, {"kept", l_kept}, {"link_kept", l_link_kept}, {"problems", l_problems}, {"report", l_report}, {"record", l_record}, {"options", l_options}, {NULL, NULL}};
  luaL_newlib(L, fns);
  lua_setfield(L, folio, "build");
}

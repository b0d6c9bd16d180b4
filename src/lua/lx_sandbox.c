/* lx_sandbox.c: the C side of safe mode (docs/security.md): the counting allocator every folio
 * state runs on, and budget windows. A window is opened by a guard, a C closure that src/lua/
 * folio/sandbox.lua wraps around each untrusted function folio calls (hooks, templates, the
 * chunks of themes, plugins and scripts). While a window is open, a count hook adds up the Lua
 * instructions run and the allocator refuses to grow the state past the window's memory budget.
 * Outside windows no hook is installed, so folio's own Lua runs at full speed.
 *
 * A budget that ran out cannot be caught: the hook then fires on every instruction and raises
 * again, so a pcall in the untrusted code only gets as far as its next instruction, and the
 * guard replaces whatever error reaches it with the budget's own message. */
#include "lua/lx.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Instructions between two calls of the count hook. */
#define S_STEP 1000

enum { S_WITHIN = 0, S_OUT_OF_INSTRUCTIONS, S_OUT_OF_MEMORY };

/* Blocks up to S_POOL_MAX bytes (Lua's short strings, tables, closures, upvalues: most of what
 * a render allocates) come from free lists of the state, one per S_POOL_GRAIN of size, carved
 * from chunks of S_POOL_CHUNK bytes; a freed one waits on its list for the next of its class.
 * The allocator's own paths (jemalloc's realloc and free) cost ~95 and ~70 instructions a block
 * here, a free list ~10, and the collector frees blocks by the thousand. Chunks go back to malloc
 * with the state. Larger blocks are malloc's: with classes up to 256 bytes the lists kept more
 * memory the other sizes could not use (10k posts: peak RSS ~10 MiB higher; 128: as malloc's). Under AddressSanitizer every block is malloc's (so
 * that it still sees each one). */
#if defined(__SANITIZE_ADDRESS__)
#define S_POOL_MAX 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define S_POOL_MAX 0
#endif
#endif
#ifndef S_POOL_MAX
#define S_POOL_MAX 128
#endif
#define S_POOL_GRAIN 16
#define S_POOL_CLASSES (128 / S_POOL_GRAIN)
#define S_POOL_CHUNK (64 * 1024)

struct lx_budget {
  size_t used;                /* bytes the state holds now */
  size_t max_bytes;           /* memory budget of a window: growth above its start */
  long long max_instructions; /* instruction budget of a window */
  /* the open window (active = 0: none) */
  int active;
  int exceeded;               /* S_WITHIN, S_OUT_OF_* */
  size_t limit;               /* `used` may not grow past this */
  lua_State *thread;          /* the thread that opened the window */
  int noted_refusal;          /* the position after a refused allocation is noted */
  long long executed;
  char file[LUA_IDSIZE];      /* where untrusted code last ran (""), for the messages */
  int line;
  /* small blocks (below): free lists by size class, the chunk being carved, all chunks */
  void *free_blocks[S_POOL_CLASSES];
  char *carve, *carve_end;
  void *chunks;
};

static const char HANDLER_KEY = 'h'; /* registry: the message handler of guarded calls */

/* ---- allocator -------------------------------------------------------------------------- */

static void S_count_hook(lua_State *L, lua_Debug *ar);

/* lua_Alloc. The budget is freed with the state: lua_close returns the state's main block last
 * (close_state in lstate.c), and nothing of the state is left after it. */
/* The size class of a pooled block of n (1 to S_POOL_MAX) bytes. */
static size_t S_class(size_t n) { return (n - 1) / S_POOL_GRAIN; }

/* A pooled block for n (1 to S_POOL_MAX) bytes, or NULL. A chunk starts with the link to the
 * chunk before it (one grain, so blocks stay aligned as malloc's are). */
static void *S_pool_take(lx_budget *b, size_t n)
{
  size_t k = S_class(n);
  void *p = b->free_blocks[k];
  if (p != NULL) {
    memcpy(&b->free_blocks[k], p, sizeof p);
    return p;
  }
  size_t size = (k + 1) * S_POOL_GRAIN;
  if ((size_t)(b->carve_end - b->carve) < size) {
    char *chunk = malloc(S_POOL_CHUNK);
    if (chunk == NULL)
      return NULL;
    memcpy(chunk, &b->chunks, sizeof b->chunks);
    b->chunks = chunk;
    b->carve = chunk + S_POOL_GRAIN;
    b->carve_end = chunk + S_POOL_CHUNK;
  }
  p = b->carve;
  b->carve += size;
  return p;
}

static void S_pool_give(lx_budget *b, void *p, size_t n)
{
  size_t k = S_class(n);
  memcpy(p, &b->free_blocks[k], sizeof p);
  b->free_blocks[k] = p;
}

static void S_free_chunks(lx_budget *b)
{
  while (b->chunks != NULL) {
    void *next;
    memcpy(&next, b->chunks, sizeof next);
    free(b->chunks);
    b->chunks = next;
  }
}

/* The block of `old` bytes at ptr (NULL: none) as one of n > 0 bytes: pooled when small, its
 * bytes kept; NULL (ptr untouched) when there is no memory. */
static void *S_resize(lx_budget *b, void *ptr, size_t old, size_t n)
{
  int was_small = ptr != NULL && old > 0 && old <= S_POOL_MAX, small = n <= S_POOL_MAX;
  if (was_small && small && S_class(old) == S_class(n))
    return ptr;
  if (ptr != NULL && !was_small && !small)
    return realloc(ptr, n);
  void *p = small ? S_pool_take(b, n) : malloc(n);
  if (p == NULL || ptr == NULL)
    return p;
  memcpy(p, ptr, old < n ? old : n);
  if (was_small)
    S_pool_give(b, ptr, old);
  else
    free(ptr);
  return p;
}

/* lua_Alloc. The budget is freed with the state: lua_close returns the state's main block last
 * (close_state in lstate.c), and nothing of the state is left after it. */
static void *S_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
  lx_budget *b = ud;
  size_t old = ptr ? osize : 0;
  if (nsize == 0) {
    if (ptr != NULL && old > 0 && old <= S_POOL_MAX)
      S_pool_give(b, ptr, old);
    else
      free(ptr);
    b->used -= old;
    if (b->used == 0) {
      S_free_chunks(b);
      free(b);
    }
    return NULL;
  }
  if (b->active && nsize > old && b->used - old + nsize > b->limit) {
    if (b->exceeded == S_WITHIN) {
      b->exceeded = S_OUT_OF_MEMORY;
      /* Have the hook note where this happened at the next instruction (if a pcall catches the
       * error). lua_sethook only sets fields, so it is safe in the middle of an allocation. */
      lua_sethook(b->thread, S_count_hook, LUA_MASKCOUNT, 1);
    }
    return NULL;
  }
  void *p = S_resize(b, ptr, old, nsize);
  if (p != NULL)
    b->used = b->used - old + nsize;
  return p;
}

static int S_panic(lua_State *L)
{
  const char *msg = lua_tostring(L, -1);
  fprintf(stderr, "folio: unprotected Lua error: %s\n", msg ? msg : "(not a string)");
  return 0; /* Lua aborts */
}

lua_State *lx_sandbox_new_state(void)
{
  lx_budget *b = calloc(1, sizeof *b);
  if (b == NULL)
    return NULL;
  b->max_bytes = (size_t)LX_DEFAULT_MEMORY_MB << 20;
  b->max_instructions = LX_DEFAULT_INSTRUCTIONS;
  lua_State *L = lua_newstate(S_alloc, b);
  if (L == NULL) { /* only the main block can have failed: nothing was freed */
    free(b);
    return NULL;
  }
  lua_atpanic(L, S_panic);
  return L;
}

static lx_budget *S_budget(lua_State *L)
{
  void *ud;
  lua_getallocf(L, &ud);
  return ud;
}

/* ---- where untrusted code runs ---------------------------------------------------------- */

static int S_is_trusted(const lua_Debug *ar)
{
  return ar->what[0] == 'C' || strncmp(ar->source, "@src/lua/folio/", 15) == 0;
}

/* Notes the innermost frame of L that is not folio's own Lua or a C function. */
static void S_note_position(lua_State *L, lx_budget *b)
{
  lua_Debug ar;
  for (int level = 0; lua_getstack(L, level, &ar); level++) {
    if (!lua_getinfo(L, "Sl", &ar) || S_is_trusted(&ar) || ar.currentline <= 0)
      continue;
    memcpy(b->file, ar.short_src, sizeof b->file);
    b->line = ar.currentline;
    return;
  }
}

static void S_count_hook(lua_State *L, lua_Debug *ar)
{
  (void)ar;
  lx_budget *b = S_budget(L);
  if (!b->active) { /* a coroutine that kept the hook of an earlier window */
    lua_sethook(L, NULL, 0, 0);
    return;
  }
  if (b->exceeded == S_WITHIN) {
    int count = lua_gethookcount(L);
    b->executed += count;
    S_note_position(L, b);
    if (b->executed < b->max_instructions) {
      if (count != S_STEP) /* a coroutine made in a window that ran out */
        lua_sethook(L, S_count_hook, LUA_MASKCOUNT, S_STEP);
      return;
    }
    b->exceeded = S_OUT_OF_INSTRUCTIONS;
  } else if (b->exceeded == S_OUT_OF_MEMORY && !b->noted_refusal) {
    b->noted_refusal = 1;
    S_note_position(L, b);
  }
  /* Out of budget (instructions, or memory refused by the allocator): fail this instruction
   * and every next one, until the error reaches the guard. */
  lua_sethook(L, S_count_hook, LUA_MASKCOUNT, 1);
  lua_pushliteral(L, "safe mode: out of budget");
  lua_error(L);
}

/* ---- guards ----------------------------------------------------------------------------- */

/* Raises the structured error {file, line, message, hint} of a budget that ran out.
 * `what` says what ran ("the site hook of scripts/x.lua:3"). */
static int S_raise_exceeded(lua_State *L, lx_budget *b, const char *what, const char *defined_at)
{
  lua_createtable(L, 0, 4);
  const char *file = b->file;
  int line = b->line;
  char fallback[LUA_IDSIZE];
  if (file[0] == '\0') { /* stopped before the hook first fired: blame where it was defined */
    snprintf(fallback, sizeof fallback, "%s", defined_at);
    char *colon = strrchr(fallback, ':');
    line = colon ? atoi(colon + 1) : 0;
    if (colon)
      *colon = '\0';
    file = fallback;
  }
  lua_pushstring(L, file);
  lua_setfield(L, -2, "file");
  if (line > 0) {
    lua_pushinteger(L, line);
    lua_setfield(L, -2, "line");
  }
  if (b->exceeded == S_OUT_OF_INSTRUCTIONS) {
    lua_pushfstring(L, "safe mode stopped %s here: it ran past its budget of %I instructions (an endless loop?)",
                    what, (lua_Integer)b->max_instructions);
    lua_setfield(L, -2, "message");
    lua_pushliteral(L, "if the work is real, raise the budget with safe = { instructions = N } in site.lua");
  } else {
    lua_pushfstring(L, "safe mode stopped %s here: it needed more than its memory budget of %I MB",
                    what, (lua_Integer)(b->max_bytes >> 20));
    lua_setfield(L, -2, "message");
    lua_pushliteral(L, "if the work is real, raise the budget with safe = { memory_mb = N } in site.lua");
  }
  lua_setfield(L, -2, "hint");
  return lua_error(L);
}

static int S_guard_continue(lua_State *L, int status, lua_KContext ctx)
{
  (void)status; (void)ctx;
  return lua_gettop(L);
}

/* The guarded function: upvalue 1 the untrusted function, 2 what it is (for messages), 3 where
 * it was defined ("file:line"). Inside a window it is a plain call (yields pass through). */
static int S_guard(lua_State *L)
{
  lx_budget *b = S_budget(L);
  int nargs = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  if (b->active) {
    lua_callk(L, nargs, LUA_MULTRET, 0, S_guard_continue);
    return lua_gettop(L);
  }
  lua_rawgetp(L, LUA_REGISTRYINDEX, &HANDLER_KEY);
  lua_insert(L, 1);
  b->active = 1;
  b->thread = L;
  b->noted_refusal = 0;
  b->exceeded = S_WITHIN;
  b->executed = 0;
  b->file[0] = '\0';
  b->line = 0;
  b->limit = b->used > SIZE_MAX - b->max_bytes ? SIZE_MAX : b->used + b->max_bytes;
  lua_sethook(L, S_count_hook, LUA_MASKCOUNT, S_STEP);
  int handler = lua_isnil(L, 1) ? 0 : 1;
  int status = lua_pcall(L, nargs, LUA_MULTRET, handler);
  lua_sethook(L, NULL, 0, 0);
  b->active = 0;
  if (b->exceeded != S_WITHIN)
    return S_raise_exceeded(L, b, lua_tostring(L, lua_upvalueindex(2)), lua_tostring(L, lua_upvalueindex(3)));
  if (status != LUA_OK)
    return lua_error(L);
  lua_remove(L, 1);
  return lua_gettop(L);
}

/* folio.sandbox.guard(fn, what, defined_at) -> guarded function  [-3, +1, m] */
static int l_guard(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TFUNCTION);
  luaL_checkstring(L, 2);
  luaL_checkstring(L, 3);
  lua_settop(L, 3);
  lua_pushcclosure(L, S_guard, 3);
  return 1;
}

/* folio.sandbox.is_guard(v) -> whether v is a guarded function  [-1, +1, -] */
static int l_is_guard(lua_State *L)
{
  lua_pushboolean(L, lua_tocfunction(L, 1) == S_guard);
  return 1;
}

/* folio.sandbox.configure{instructions = n, memory_mb = n, handler = fn}  [-1, +0, e] */
static int l_configure(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  lx_budget *b = S_budget(L);
  if (lua_getfield(L, 1, "instructions") != LUA_TNIL) {
    lua_Integer n = luaL_checkinteger(L, -1);
    b->max_instructions = n < S_STEP ? S_STEP : n;
  }
  if (lua_getfield(L, 1, "memory_mb") != LUA_TNIL) {
    lua_Integer mb = luaL_checkinteger(L, -1);
    if (mb < 1)
      mb = 1;
    b->max_bytes = (size_t)mb > (SIZE_MAX >> 20) ? SIZE_MAX : (size_t)mb << 20;
  }
  lua_getfield(L, 1, "handler");
  lua_rawsetp(L, LUA_REGISTRYINDEX, &HANDLER_KEY);
  lua_settop(L, 1);
  return 0;
}

/* Writes the absolute form of `path` (relative to the working folder) into out, with "." and
 * ".." taken away and symbolic links resolved as far as the path exists. Returns 0, or -1. */
static int S_resolve(const char *path, char *out, size_t size)
{
  char joined[PATH_MAX * 2];
  if (path[0] == '/') {
    snprintf(joined, sizeof joined, "%s", path);
  } else {
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd) == NULL)
      return -1;
    snprintf(joined, sizeof joined, "%s/%s", cwd, path);
  }
  /* Lexically first, then resolve the longest prefix that exists. */
  char clean[PATH_MAX * 2] = "";
  size_t n = 0;
  for (char *save = NULL, *part = strtok_r(joined, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
    if (strcmp(part, ".") == 0)
      continue;
    if (strcmp(part, "..") == 0) {
      char *slash = strrchr(clean, '/');
      n = slash ? (size_t)(slash - clean) : 0;
      clean[n] = '\0';
      continue;
    }
    int w = snprintf(clean + n, sizeof clean - n, "/%s", part);
    if (w < 0 || (size_t)w >= sizeof clean - n)
      return -1;
    n += (size_t)w;
  }
  if (n == 0)
    snprintf(clean, sizeof clean, "/");
  char prefix[PATH_MAX * 2];
  snprintf(prefix, sizeof prefix, "%s", clean);
  for (;;) {
    char real[PATH_MAX];
    if (realpath(prefix, real) != NULL) {
      int w = snprintf(out, size, "%s%s", real, clean + strlen(prefix));
      return w < 0 || (size_t)w >= size ? -1 : 0;
    }
    char *slash = strrchr(prefix, '/');
    if (slash == NULL || slash == prefix)
      return -1;
    *slash = '\0';
  }
}

/* folio.sandbox.inside_site(path) -> whether path (resolved, links followed) is in the site
 * folder, which is the working folder of a build.  [-1, +1, m] */
static int l_inside_site(lua_State *L)
{
  const char *path = luaL_checkstring(L, 1);
  char site[PATH_MAX], target[PATH_MAX * 2];
  if (getcwd(site, sizeof site) == NULL || S_resolve(".", site, sizeof site) != 0 ||
      S_resolve(path, target, sizeof target) != 0) {
    lua_pushboolean(L, 0);
    return 1;
  }
  size_t n = strlen(site);
  lua_pushboolean(L, strncmp(target, site, n) == 0 && (target[n] == '\0' || target[n] == '/' || n == 1));
  return 1;
}

void lx_open_sandbox(lua_State *L, int folio)
{
  static const luaL_Reg functions[] = {{"guard", l_guard},         {"is_guard", l_is_guard},
                                       {"configure", l_configure}, {"inside_site", l_inside_site},
                                       {NULL, NULL}};
  luaL_newlib(L, functions);
  lua_pushinteger(L, LX_DEFAULT_INSTRUCTIONS);
  lua_setfield(L, -2, "default_instructions");
  lua_pushinteger(L, LX_DEFAULT_MEMORY_MB);
  lua_setfield(L, -2, "default_memory_mb");
  lua_setfield(L, folio, "sandbox");
}

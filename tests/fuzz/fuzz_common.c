/* fuzz_common.c: the helpers of fuzz.h: UTF-8 checks, Lua states with a memory cap, running Lua
 * code under an instruction budget that pcall cannot swallow, and harnesses checked by a Lua
 * driver. */
#include "fuzz.h"

#include "core/utf8.h"
#include "lua/lx.h"

#include <stdint.h>
#include <string.h>

#include <lauxlib.h>

int fuzz_utf8_valid(const char *s, size_t len)
{
  return folio_utf8_invalid_at(s, len) == len;
}

/* ---- memory cap ----------------------------------------------------------------------------- */

typedef struct {
  lua_Alloc inner;
  void *inner_ud;
  size_t max, used; /* bytes of blocks allocated since the cap was put in place */
} S_cap;

static void *S_capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
  S_cap *cap = ud;
  size_t old = ptr != NULL ? osize : 0; /* without ptr, osize is a type tag */
  if (nsize > old && nsize - old > cap->max - (cap->used < cap->max ? cap->used : cap->max))
    return NULL; /* Lua raises "not enough memory" */
  void *p = cap->inner(cap->inner_ud, ptr, osize, nsize);
  if (p != NULL || nsize == 0) {
    /* Blocks from before the cap may be freed: never let the count wrap below zero. */
    cap->used = cap->used + nsize >= old ? cap->used + nsize - old : 0;
  }
  return p;
}

lua_State *fuzz_lua_state(size_t max_bytes)
{
  lua_State *L = lx_new_state(NULL);
  if (L == NULL)
    return NULL;
  S_cap *cap = malloc(sizeof *cap);
  if (cap == NULL) {
    lua_close(L);
    return NULL;
  }
  cap->inner = lua_getallocf(L, &cap->inner_ud);
  cap->max = max_bytes;
  cap->used = 0;
  lua_setallocf(L, S_capped_alloc, cap);
  return L;
}

void fuzz_lua_close(lua_State *L)
{
  void *ud;
  lua_getallocf(L, &ud);
  lua_close(L);
  free(ud);
}

/* ---- instruction budget, and coverage of Lua code ------------------------------------------ */

/* libFuzzer only sees the edges of instrumented C code, and liblua is not instrumented: without
 * help it would be blind to which lines of template.lua (or of a generated template) an input
 * reached. The line hook counts (chunk, line) pairs in this section, which libFuzzer reads as
 * extra coverage counters. */
#define S_LUA_COUNTERS 65536
__attribute__((section("__libfuzzer_extra_counters"), used)) static uint8_t S_lua_lines[S_LUA_COUNTERS];

enum { S_HOOK_EVERY = 1000 };
static const char S_BUDGET = 'b'; /* its address is the error value */
static long S_checks_left;

static void S_count_line(lua_State *L, lua_Debug *ar)
{
  if (!lua_getinfo(L, "S", ar) || ar->source == NULL)
    return;
  uint32_t h = 2166136261u;
  for (const char *p = ar->source; *p && p - ar->source < 64; p++)
    h = (h ^ (unsigned char)*p) * 16777619u;
  h = (h ^ (uint32_t)ar->currentline) * 16777619u;
  uint8_t *c = &S_lua_lines[h % S_LUA_COUNTERS];
  if (*c < 255)
    (*c)++;
}

static void S_hook(lua_State *L, lua_Debug *ar)
{
  if (ar->event == LUA_HOOKLINE) {
    S_count_line(L, ar);
    return;
  }
  if (S_checks_left > 0) {
    S_checks_left--;
    return;
  }
  lua_pushlightuserdata(L, (void *)&S_BUDGET);
  lua_error(L);
}

int fuzz_is_budget_error(lua_State *L, int idx)
{
  return lua_touserdata(L, idx) == &S_BUDGET;
}

int fuzz_lua_run(lua_State *L, int nargs, int nresults, long instructions)
{
  S_checks_left = instructions / S_HOOK_EVERY;
  lua_sethook(L, S_hook, LUA_MASKCOUNT | LUA_MASKLINE, S_HOOK_EVERY);
  int status = lua_pcall(L, nargs, nresults, 0);
  lua_sethook(L, NULL, 0, 0);
  return status;
}

static int S_budget_pcall(lua_State *L)
{
  luaL_checkany(L, 1);
  int status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
  if (status != LUA_OK) {
    if (fuzz_is_budget_error(L, -1))
      return lua_error(L);
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
  }
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  return lua_gettop(L);
}

void fuzz_push_budget_pcall(lua_State *L)
{
  lua_pushcfunction(L, S_budget_pcall);
}

/* ---- harnesses checked by a Lua driver ------------------------------------------------------ */

static lua_State *S_driver_L;
static int S_driver_ref;

static void S_driver_close(void)
{
  fuzz_lua_close(S_driver_L);
}

void fuzz_driver_load(const char *driver_path, size_t max_bytes)
{
  S_driver_L = fuzz_lua_state(max_bytes);
  FUZZ_CHECK(S_driver_L != NULL, "cannot make a Lua state");
  atexit(S_driver_close);
  FUZZ_CHECK(luaL_loadfile(S_driver_L, driver_path) == LUA_OK, "%s", lua_tostring(S_driver_L, -1));
  fuzz_push_budget_pcall(S_driver_L);
  FUZZ_CHECK(lua_pcall(S_driver_L, 1, 1, 0) == LUA_OK, "%s", lua_tostring(S_driver_L, -1));
  S_driver_ref = luaL_ref(S_driver_L, LUA_REGISTRYINDEX);
}

void fuzz_driver_run(const uint8_t *data, size_t size, long instructions)
{
  lua_State *L = S_driver_L;
  lua_settop(L, 0);
  lua_rawgeti(L, LUA_REGISTRYINDEX, S_driver_ref);
  lua_pushlstring(L, (const char *)data, size);
  int status = fuzz_lua_run(L, 1, 0, instructions);
  if (status != LUA_OK && status != LUA_ERRMEM && !fuzz_is_budget_error(L, -1)) {
    const char *message = lua_tostring(L, -1);
    FUZZ_CHECK(0, "%s", message ? message : "(an error that is not a string)");
  }
  lua_settop(L, 0);
  /* Collected now: garbage of earlier inputs must not count against this one's cap, libFuzzer
     runs a (slow) leak check after every input that freed less than it allocated, and ASan sees
     a bad free of a Markdown tree in the input that caused it. */
  lua_gc(L, LUA_GCCOLLECT, 0);
}

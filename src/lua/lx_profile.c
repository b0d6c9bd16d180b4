/* lx_profile.c: a sampling profiler for the Lua side of a build, for developers.
 *
 * FOLIO_LUA_PROFILE=FILE folio build ... installs a count hook on every Lua state folio creates:
 * every LX_PROFILE_PERIOD virtual-machine instructions it records the running line (self) and
 * every distinct function on the stack (inclusive). At exit the report goes to FILE, sorted by
 * samples. C functions called from Lua show as "[C] name" on the inclusive list; time spent in C
 * below a Lua call does not make samples (the hook counts Lua instructions), so read it together
 * with perf or callgrind. FOLIO_LUA_PROFILE_LINES=N lists N entries per table (default 60).
 * docs/development.md shows how to use it. */
#include "lua/lx.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LX_PROFILE_PERIOD = 1000, LX_PROFILE_DEPTH = 40, LX_PROFILE_SLOTS = 1 << 16 };

typedef struct {
  char *key; /* "source:line" (self) or "source:linedefined name" (inclusive); NULL: free */
  long samples;
} S_slot;

typedef struct {
  S_slot slots[LX_PROFILE_SLOTS];
  size_t used;
} S_table;

static pthread_mutex_t S_lock = PTHREAD_MUTEX_INITIALIZER;
static S_table *S_self, *S_inclusive;
static long S_total;
static const char *S_path;

static unsigned long S_hash(const char *s)
{
  unsigned long h = 5381;
  while (*s)
    h = h * 33 + (unsigned char)*s++;
  return h;
}

/* Adds one sample to key; a full table drops new keys (counts stay right for the old ones). */
static void S_add(S_table *t, const char *key)
{
  size_t i = S_hash(key) & (LX_PROFILE_SLOTS - 1);
  while (t->slots[i].key != NULL && strcmp(t->slots[i].key, key) != 0)
    i = (i + 1) & (LX_PROFILE_SLOTS - 1);
  if (t->slots[i].key == NULL) {
    if (t->used + 1 >= LX_PROFILE_SLOTS / 2)
      return;
    t->slots[i].key = strdup(key);
    if (t->slots[i].key == NULL)
      return;
    t->used++;
  }
  t->slots[i].samples++;
}

static void S_function_key(lua_State *L, lua_Debug *ar, char *buf, size_t size)
{
  lua_getinfo(L, "Sn", ar);
  if (ar->what[0] == 'C')
    snprintf(buf, size, "[C] %s", ar->name ? ar->name : "?");
  else
    snprintf(buf, size, "%s:%d %s", ar->short_src, ar->linedefined, ar->name ? ar->name : "");
}

static void S_hook(lua_State *L, lua_Debug *ar)
{
  (void)ar;
  lua_Debug frame;
  char key[320], seen[LX_PROFILE_DEPTH][320];
  int nseen = 0;
  pthread_mutex_lock(&S_lock);
  S_total++;
  if (lua_getstack(L, 0, &frame) && lua_getinfo(L, "Sl", &frame)) {
    snprintf(key, sizeof key, "%s:%d", frame.short_src, frame.currentline);
    S_add(S_self, key);
  }
  for (int level = 0; level < LX_PROFILE_DEPTH && lua_getstack(L, level, &frame); level++) {
    S_function_key(L, &frame, key, sizeof key);
    int again = 0;
    for (int i = 0; i < nseen && !again; i++)
      again = strcmp(seen[i], key) == 0;
    if (again)
      continue; /* recursion counts once per sample */
    memcpy(seen[nseen++], key, sizeof key);
    S_add(S_inclusive, key);
  }
  pthread_mutex_unlock(&S_lock);
}

static int S_by_samples(const void *a, const void *b)
{
  long x = ((const S_slot *)a)->samples, y = ((const S_slot *)b)->samples;
  return (x < y) - (x > y);
}

static void S_write_table(FILE *out, const char *title, S_table *t)
{
  qsort(t->slots, LX_PROFILE_SLOTS, sizeof t->slots[0], S_by_samples);
  const char *lines = getenv("FOLIO_LUA_PROFILE_LINES");
  long limit = lines ? strtol(lines, NULL, 10) : 60;
  if (limit <= 0 || limit > LX_PROFILE_SLOTS)
    limit = 60;
  fprintf(out, "\n%s\n", title);
  for (size_t i = 0; i < (size_t)limit && t->slots[i].key != NULL; i++)
    fprintf(out, "%6.2f%% %8ld  %s\n", S_total ? 100.0 * (double)t->slots[i].samples / (double)S_total : 0.0,
            t->slots[i].samples, t->slots[i].key);
}

static void S_report(void)
{
  FILE *out = fopen(S_path, "w");
  if (out == NULL) {
    perror(S_path);
    return;
  }
  fprintf(out, "folio Lua profile: %ld samples, one per %d VM instructions, all states\n", S_total,
          LX_PROFILE_PERIOD);
  S_write_table(out, "self (line running when sampled)", S_self);
  S_write_table(out, "inclusive (function anywhere on the stack)", S_inclusive);
  fclose(out);
}

void lx_profile_attach(lua_State *L)
{
  const char *path = getenv("FOLIO_LUA_PROFILE");
  if (path == NULL || *path == '\0')
    return;
  pthread_mutex_lock(&S_lock);
  if (S_self == NULL) {
    S_self = calloc(1, sizeof *S_self);
    S_inclusive = calloc(1, sizeof *S_inclusive);
    if (S_self == NULL || S_inclusive == NULL || atexit(S_report) != 0) {
      fprintf(stderr, "folio: FOLIO_LUA_PROFILE: out of memory, not profiling\n");
      free(S_self);
      free(S_inclusive);
      S_self = S_inclusive = NULL;
      pthread_mutex_unlock(&S_lock);
      return;
    }
    S_path = path;
  }
  pthread_mutex_unlock(&S_lock);
  lua_sethook(L, S_hook, LUA_MASKCOUNT, LX_PROFILE_PERIOD);
}

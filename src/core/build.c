/* build.c: runs the phases of a build (see build.h) over a pool of worker threads, each with
 * its own Lua state, and puts the result in place only when no error was reported. */
#include "core/build.h"
#include "core/collect.h"
#include "core/cache.h"
#include "core/image.h"
#include "core/fsutil.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int pipeline_ref_key; /* registry slot holding the folio.pipeline table */

static const folio_build_runtime *S_lua; /* the Lua side (folio_build_set_runtime) */

void folio_build_set_runtime(const folio_build_runtime *runtime)
{
  S_lua = runtime;
}

double folio_now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Reports an internal error (a bug in folio's own Lua, or out of memory) from the top of L.
 * A structured error {file, line, message, hint} is the site's, not folio's: safe mode raises
 * one when a metamethod set by a plugin runs out of its budget inside folio's own code. */
static void S_internal_error(folio_build *b, lua_State *L, const char *what)
{
  if (lua_istable(L, -1)) {
    int is_site_error = lua_getfield(L, -1, "message") == LUA_TSTRING;
    lua_getfield(L, -2, "file");
    lua_getfield(L, -3, "line");
    lua_getfield(L, -4, "hint");
    if (is_site_error)
      folio_diag_add(b->diag, FOLIO_ERROR, lua_tostring(L, -3), (int)lua_tointeger(L, -2), lua_tostring(L, -4),
                     lua_tostring(L, -1));
    lua_pop(L, 4);
    if (is_site_error) {
      lua_pop(L, 1);
      return;
    }
  }
  const char *msg = lua_tostring(L, -1);
  char text[512];
  snprintf(text, sizeof text, "internal error in %s: %s", what, msg ? msg : "(not a string)");
  folio_diag_add(b->diag, FOLIO_ERROR, NULL, 0, text, "please report this as a bug in folio");
  lua_pop(L, 1);
}

/* Pushes pipeline[fn]. [-0, +1, -] */
static void S_push_pipeline_fn(lua_State *L, const char *fn)
{
  lua_rawgetp(L, LUA_REGISTRYINDEX, &pipeline_ref_key);
  lua_getfield(L, -1, fn);
  lua_remove(L, -2);
}

/* Calls pipeline[fn] with the `nargs` values on the stack; leaves `nresults` results, or
 * reports an internal error and returns -1. */
static int S_call(folio_build *b, lua_State *L, const char *fn, int nargs, int nresults)
{
  S_push_pipeline_fn(L, fn);
  lua_insert(L, -(nargs + 1));
  if (S_lua->pcall(L, nargs, nresults) != LUA_OK) {
    S_internal_error(b, L, fn);
    return -1;
  }
  return 0;
}

int folio_build_call(folio_build *b, const char *fn, int nargs, int nresults)
{
  return S_call(b, b->states[0], fn, nargs, nresults);
}

lua_State *folio_build_main_state(folio_build *b)
{
  return b->states[0];
}

static lua_State *S_new_state(folio_build *b)
{
  lua_State *L = S_lua->new_state(b);
  if (L == NULL)
    return NULL;
  if (S_lua->require(L, "folio.pipeline") != LUA_OK) {
    S_internal_error(b, L, "loading folio.pipeline");
    lua_close(L);
    return NULL;
  }
  lua_rawsetp(L, LUA_REGISTRYINDEX, &pipeline_ref_key);
  if (S_call(b, L, "load", 0, 1) != 0 || !lua_toboolean(L, -1)) {
    lua_close(L);
    return NULL;
  }
  lua_pop(L, 1);
  return L;
}

static int S_add_states(folio_build *b, int upto);

folio_build *folio_build_new(const folio_build_options *options, folio_diag *diag)
{
  if (S_lua == NULL) {
    folio_diag_add(diag, FOLIO_ERROR, NULL, 0, "internal error: no Lua runtime was set for the build",
                   "please report this as a bug in folio");
    return NULL;
  }
  folio_build *b = calloc(1, sizeof *b);
  if (b == NULL)
    return NULL;
  b->options = *options;
  b->diag = diag;
  b->out_dirfd = -1;
  b->last_dirfd = -1;
  b->outdir.lock_fd = -1;
  folio_content_init(&b->content);
  b->writes = &b->own_writes;
  int jobs = options->jobs;
  if (jobs <= 0) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    jobs = n > 0 ? (int)n : 1;
  }
  if (jobs > 32)
    jobs = 32;
  b->states = calloc((size_t)jobs, sizeof *b->states);
  if (b->states == NULL) {
    free(b);
    return NULL;
  }
  b->jobs = jobs;
  double t0 = folio_now_ms();
  /* A batch build with the number of threads left to folio starts with one state and adds the
   * others once it knows the site is big enough to share (S_process); the preview and an
   * explicit -j get them all now. */
  int now = options->jobs <= 0 && !options->preview ? 1 : jobs;
  if (S_add_states(b, now) != 0) {
    folio_build_free(b);
    return NULL;
  }
  b->phase_ms[0] = folio_now_ms() - t0;
  return b;
}

/* Creates states until there are `upto`. They are created one after another on this thread:
 * loading a site may set the time zone, which is process-wide. A problem in site.lua is reported
 * once, by the first state. 0, or -1 when one could not be made. */
static int S_add_states(folio_build *b, int upto)
{
  while (b->nstates < upto) {
    lua_State *L = S_new_state(b);
    if (L == NULL)
      return -1;
    b->states[b->nstates++] = L;
  }
  return 0;
}

/* Fewer sources than this are processed by one state: making and filling another costs more
 * (its Lua modules, the site's scripts and templates compiled again) than it saves. */
enum { S_SOURCES_PER_EXTRA_STATE = 64 };

void folio_build_free(folio_build *b)
{
  if (b == NULL)
    return;
  for (int i = 0; i < b->nstates; i++)
    lua_close(b->states[i]);
  free(b->states);
  folio_cache_close(b->cache); /* after the states: their readers go with them */
  folio_content_free(&b->content);
  if (b->out_dirfd >= 0)
    close(b->out_dirfd);
  if (b->last_dirfd >= 0)
    close(b->last_dirfd);
  folio_outdir_close(&b->outdir);
  free(b->output_path);
  free(b);
}

/* ---- memory report (FOLIO_MEMORY=1) ----------------------------------------------------
 * After each phase of a batch build: every Lua state's heap after a full collection (what the
 * state holds, not garbage) and, in parentheses, before it; the content store's bytes; and the
 * process's resident and peak resident memory ("memory <phase> lua ... KiB, ..." on stderr).
 * The collections change when the collector runs later, so peaks differ a little from a build
 * without FOLIO_MEMORY. */

/* A field of /proc/self/status ("VmRSS:", "VmHWM:") in KiB, or 0. */
static long S_status_kib(const char *field)
{
  FILE *f = fopen("/proc/self/status", "r");
  if (f == NULL)
    return 0;
  char line[256];
  long kib = 0;
  size_t n = strlen(field);
  while (fgets(line, sizeof line, f))
    if (strncmp(line, field, n) == 0) {
      kib = strtol(line + n, NULL, 10);
      break;
    }
  fclose(f);
  return kib;
}

static void S_report_memory(folio_build *b, const char *phase)
{
  if (getenv("FOLIO_MEMORY") == NULL)
    return;
  fprintf(stderr, "memory %-9s lua", phase);
  for (int i = 0; i < b->nstates; i++) {
    int before = lua_gc(b->states[i], LUA_GCCOUNT);
    folio_collect_fully(b->states[i]);
    fprintf(stderr, " %d (%d)", lua_gc(b->states[i], LUA_GCCOUNT), before);
  }
  fprintf(stderr, " KiB, content store %zu KiB (%zu KiB in memory), rss %ld KiB, peak %ld KiB\n",
          folio_content_bytes(&b->content) / 1024, atomic_load(&b->content.in_memory) / 1024, S_status_kib("VmRSS:"),
          S_status_kib("VmHWM:"));
}

/* ---- parallel phases ------------------------------------------------------------------- */

typedef struct {
  folio_build *b;
  lua_State *L;
  const char *fn;
  atomic_size_t *next;
  size_t count;
  size_t step_every; /* a step of the collector after this many calls (0: never) */
  pthread_t thread;
} S_worker;

/* The process phase frees each page's Markdown tree (cmark's nodes, tens of KiB a page) only
 * when the collector reaches the tree's userdata, which is small: the collector does not see that
 * memory, and on a large site it waited for thousands of trees (hundreds of MiB at 100k posts).
 * A step (a minor collection) every few pages frees them; it costs little, the pages' young
 * objects being few (and the state's table of every page done getting new entries only in
 * batches: a minor collection walks each old table that got one, whole; see pipeline.lua). */
#define S_PROCESS_STEP_EVERY 16

static void *S_work(void *arg)
{
  S_worker *w = arg;
  size_t done = 0;
  for (;;) {
    size_t i = atomic_fetch_add(w->next, 1);
    if (i >= w->count)
      break;
    lua_pushinteger(w->L, (lua_Integer)i + 1);
    S_call(w->b, w->L, w->fn, 1, 0);
    if (w->step_every && ++done % w->step_every == 0)
      lua_gc(w->L, LUA_GCSTEP, 0);
  }
  lua_gc(w->L, LUA_GCSTEP, 0);
  return NULL;
}

/* ---- the process phase of a batch build -------------------------------------------------
 * A batch build starts with one state; once `count` sources are known it may add the others.
 * Each is made on its own thread (loading the site again: a tenth of a small site's build)
 * while state 0 already processes pages; the sources reach it packed (folio.cache.pack), since
 * state 0 is busy. The time zone a site sets is set once: the later states find it set. */

typedef struct {
  S_worker work;
  const char *sources; /* the packed sources (state 0's string, alive until the join) */
  size_t sources_len;
  int failed;
} S_new_worker;

static void *S_start_worker(void *arg)
{
  S_new_worker *nw = arg;
  lua_State *L = S_new_state(nw->work.b);
  if (L == NULL) {
    nw->failed = 1;
    return NULL;
  }
  nw->work.L = L;
  lua_pushlstring(L, nw->sources, nw->sources_len);
  if (S_call(nw->work.b, L, "import_sources_packed", 1, 0) != 0) {
    nw->failed = 1;
    return NULL;
  }
  return S_work(&nw->work);
}

static void S_parallel(folio_build *b, const char *fn, size_t count);
static int S_transfer(folio_build *b, lua_State *from, const char *from_fn, lua_State *to, const char *to_fn);

/* The process phase: every state there is, or state 0 and the ones made meanwhile. 0, or -1
 * when a state could not be made (its loader reported why). */
static int S_process(folio_build *b, size_t count)
{
  lua_State *L = b->states[0];
  int extra = b->nstates < b->jobs && count >= S_SOURCES_PER_EXTRA_STATE ? b->jobs - b->nstates : 0;
  if (extra == 0 || S_call(b, L, "export_sources_packed", 0, 1) != 0) {
    for (int i = 1; i < b->nstates; i++)
      S_transfer(b, L, "export_sources", b->states[i], "import_sources");
    S_parallel(b, "process", count);
    return 0;
  }
  size_t len;
  const char *packed = lua_tolstring(L, -1, &len); /* (stays on state 0's stack until the join) */
  int top = lua_gettop(L);
  atomic_size_t next = 0;
  S_new_worker news[32];
  int started = 0;
  for (int i = 0; i < extra; i++) {
    news[i] = (S_new_worker){{b, NULL, "process", &next, count, S_PROCESS_STEP_EVERY, 0}, packed, len, 0};
    if (pthread_create(&news[i].work.thread, NULL, S_start_worker, &news[i]) != 0)
      break; /* fewer states is still correct */
    started++;
  }
  S_worker own = {b, L, "process", &next, count, S_PROCESS_STEP_EVERY, 0};
  S_work(&own);
  int rc = 0;
  for (int i = 0; i < started; i++) {
    pthread_join(news[i].work.thread, NULL);
    if (news[i].work.L)
      b->states[b->nstates++] = news[i].work.L; /* (freed with the build, even when it failed) */
    if (news[i].failed)
      rc = -1;
  }
  lua_settop(L, top - 1);
  return rc;
}

/* Runs pipeline[fn](i) for i = 1..count, spread over every state (state 0 on this thread). */
static void S_parallel(folio_build *b, const char *fn, size_t count)
{
  atomic_size_t next = 0;
  S_worker workers[32];
  int started = 0;
  int n = b->nstates;
  if ((size_t)n > count)
    n = count > 0 ? (int)count : 1;
  for (int i = 0; i < n; i++)
    workers[i] = (S_worker){b, b->states[i], fn, &next, count,
                            strcmp(fn, "process") == 0 ? S_PROCESS_STEP_EVERY : 0, 0};
  for (int i = 1; i < n; i++) {
    if (pthread_create(&workers[i].thread, NULL, S_work, &workers[i]) != 0)
      break; /* fewer threads is still correct: the others take up the work */
    started = i;
  }
  S_work(&workers[0]);
  for (int i = 1; i <= started; i++)
    pthread_join(workers[i].thread, NULL);
}

/* ---- giving memory back between phases -------------------------------------------------
 * Once the workers' pages are copied into the main state, what the workers' states hold is
 * garbage (a page each, with its strings: 3 KiB a page). Their collectors would not run again in
 * a batch build (the render process forks from the main state), so a full collection of each
 * runs on a thread of its own while the main state assembles the site. What the allocator then
 * keeps of the freed memory goes back to the system before the render forks (jemalloc keeps
 * freed pages for seconds otherwise: as long as a 10k build takes). */

/* jemalloc's mallctl, when folio is linked with it (a weak reference: NULL otherwise). */
extern int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen) __attribute__((weak));

/* Gives the allocator's freed pages back to the system (jemalloc: every arena's). */
static void S_release_free_memory(void)
{
  if (mallctl != NULL)
    mallctl("arena.4096.purge", NULL, NULL, NULL, 0); /* 4096: MALLCTL_ARENAS_ALL */
}

typedef struct {
  pthread_t threads[32];
  int started[32];
  int count;
} S_collectors;

static void *S_collect_state(void *arg)
{
  folio_collect_fully((lua_State *)arg);
  S_release_free_memory();
  return NULL;
}

static void S_collect_begin(folio_build *b, S_collectors *c)
{
  c->count = b->options.preview ? 0 : b->nstates; /* the preview's workers render again */
  for (int i = 1; i < c->count; i++)
    c->started[i] = pthread_create(&c->threads[i], NULL, S_collect_state, b->states[i]) == 0;
}

static void S_collect_end(S_collectors *c)
{
  for (int i = 1; i < c->count; i++)
    if (c->started[i])
      pthread_join(c->threads[i], NULL);
}

/* Copies pipeline[from_fn]() of state `from` into pipeline[to_fn](copy) of state `to`. */
static int S_transfer(folio_build *b, lua_State *from, const char *from_fn, lua_State *to, const char *to_fn)
{
  if (S_call(b, from, from_fn, 0, 1) != 0)
    return -1;
  S_lua->copy_value(from, -1, to);
  lua_pop(from, 1);
  return S_call(b, to, to_fn, 1, 0);
}

/* ---- rendering in a forked process ------------------------------------------------------
 * Rendering needs the whole assembled site. Threads would need a copy of it in each worker's
 * Lua state; a forked child shares it copy-on-write instead. A batch build (no event loop, no
 * other thread alive at this point) renders in two processes, which share a count of the outputs
 * taken; the child copies the static files first, and sends its diagnostics back through a pipe
 * as NUL-separated records. */

static int S_use_fork(folio_build *b, size_t outputs)
{
  /* libvips' threads (images processed in this build) would leave the child with locks no one
   * releases: a warm image cache never starts libvips, so it is only cold builds that skip this */
  return !b->options.preview && b->nstates > 1 && outputs >= 64 && getenv("FOLIO_NO_FORK") == NULL &&
         !folio_image_started();
}

/* Renders outputs while the count taken by both processes (`taken`, in memory they share) stays
 * below `count`. One process works from the first output forwards, the other from the last one
 * backwards, so they never take the same output, write into different folders (outputs are
 * newest first, so the two do not wait on each other's folder locks) and finish together. The
 * backward one starts with the generated pages, which the site stage added at the end: the big
 * lists are not left for last. */
static void S_render_from_end(folio_build *b, lua_State *L, atomic_size_t *taken, size_t count, int backwards)
{
  for (size_t k = 0; atomic_fetch_add(taken, 1) < count; k++) {
    lua_pushinteger(L, (lua_Integer)(backwards ? count - k : k + 1));
    S_call(b, L, "render", 1, 0);
  }
}

static int S_write_all_fd(int fd, const char *data, size_t len)
{
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

static void S_send_diagnostics(folio_build *b, size_t from, int fd)
{
  for (size_t i = from; i < folio_diag_size(b->diag); i++) {
    const folio_diagnostic *d = folio_diag_get(b->diag, i);
    char head[64];
    int n = snprintf(head, sizeof head, "%d%c%d%c", (int)d->severity, 0, d->line, 0);
    const char *parts[4] = {d->file ? d->file : "", d->message, d->hint ? d->hint : "", d->subject ? d->subject : ""};
    if (S_write_all_fd(fd, head, (size_t)n) != 0)
      return;
    for (int k = 0; k < 4; k++)
      if (S_write_all_fd(fd, parts[k], strlen(parts[k]) + 1) != 0)
        return;
  }
}

static void S_receive_diagnostics(folio_build *b, int fd)
{
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  for (ssize_t n; buf;) {
    if (len == cap) {
      char *bigger = realloc(buf, cap * 2);
      if (!bigger) break;
      buf = bigger;
      cap *= 2;
    }
    n = read(fd, buf + len, cap - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    len += (size_t)n;
  }
  if (buf == NULL) {
    folio_diag_add(b->diag, FOLIO_ERROR, NULL, 0, "out of memory reading the render process's report", NULL);
    return;
  }
  /* records: severity \0 line \0 file \0 message \0 hint \0 subject \0 */
  const char *fields[6];
  size_t pos = 0;
  while (pos < len) {
    int k = 0;
    for (; k < 6 && pos < len; k++) {
      fields[k] = buf + pos;
      const char *nul = memchr(buf + pos, 0, len - pos);
      if (!nul) { pos = len; break; }
      pos = (size_t)(nul - buf) + 1;
    }
    if (k < 6)
      break;
    folio_diag_add_about(b->diag, atoi(fields[0]) == FOLIO_WARNING ? FOLIO_WARNING : FOLIO_ERROR,
                         fields[2][0] ? fields[2] : NULL, atoi(fields[1]), fields[3], fields[4][0] ? fields[4] : NULL,
                         fields[5][0] ? fields[5] : NULL);
  }
  free(buf);
}

/* What both render processes share: the count of outputs taken and what they wrote. */
typedef struct {
  atomic_size_t taken;
  folio_write_stats writes;
} S_shared;

static void S_copy_stats(folio_write_stats *to, folio_write_stats *from)
{
  atomic_store(&to->needed, atomic_load(&from->needed));
  atomic_store(&to->written, atomic_load(&from->written));
  atomic_store(&to->full_errno, atomic_load(&from->full_errno));
}

/* In the render process: it ends when the build process does (killed, say), so it never goes on
 * writing into a staging folder the next build removes; the check after prctl catches a parent
 * that died before it. */
static void S_die_with_parent(pid_t parent)
{
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
    _exit(1);
}

static void S_render_forked(folio_build *b, size_t outputs)
{
  lua_State *L = b->states[0];
  S_shared local = {0};
  /* the counter lives in memory both processes share; without it, this process does it all */
  S_shared *shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED)
    shared = &local;
  atomic_init(&shared->taken, 0);
  atomic_size_t *taken = &shared->taken;
  S_copy_stats(&shared->writes, b->writes);
  b->writes = &shared->writes;
  int fds[2] = { -1, -1 };
  pid_t pid = -1, parent = getpid();
  if (shared != &local && pipe2(fds, O_CLOEXEC) == 0) {
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
      close(fds[0]);
      close(fds[1]);
    }
  }
  if (pid == 0) {
    S_die_with_parent(parent);
    close(fds[0]);
    folio_content_own_spill(&b->content); /* (partial_cached keeps its results there) */
    size_t before = folio_diag_size(b->diag);
    /* the static files first: the other process renders pages meanwhile, and takes more of them */
    S_call(b, L, "copy_static", 0, 0);
    S_render_from_end(b, L, taken, outputs, 1);
    S_report_memory(b, "render (the forked process)");
    S_send_diagnostics(b, before, fds[1]);
    _exit(0);
  }
  if (pid > 0)
    close(fds[1]);
  else
    S_call(b, L, "copy_static", 0, 0); /* no render process: this one copies them */
  S_render_from_end(b, L, taken, outputs, 0);
  if (pid > 0) {
    S_receive_diagnostics(b, fds[0]);
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      folio_diag_add(b->diag, FOLIO_ERROR, NULL, 0, "the render process stopped abnormally",
                     "run again with FOLIO_NO_FORK=1 and report this as a bug in folio");
  }
  S_copy_stats(&b->own_writes, &shared->writes);
  b->writes = &b->own_writes;
  if (shared != &local)
    munmap(shared, sizeof *shared);
}

/* ---- output folder (its policy is src/core/outdir.c) ------------------------------------ */

int folio_build_note_write(folio_build *b, size_t bytes, int rc)
{
  atomic_fetch_add(&b->writes->needed, bytes);
  if (rc == 0) {
    atomic_fetch_add(&b->writes->written, bytes);
    return 0;
  }
  if (rc != -ENOSPC && rc != -EDQUOT)
    return 0;
  int none = 0;
  atomic_compare_exchange_strong(&b->writes->full_errno, &none, -rc);
  return 1;
}

int folio_build_disk_full(folio_build *b)
{
  return atomic_load(&b->writes->full_errno);
}

/* One error for a disk that filled up, however many writes failed. */
static void S_report_disk_full(folio_build *b, const char *folder)
{
  int e = folio_build_disk_full(b);
  if (e == 0)
    return;
  char free_text[64] = "";
  struct statvfs vfs;
  if (folder && statvfs(folder, &vfs) == 0)
    snprintf(free_text, sizeof free_text, "; %llu bytes are free there",
             (unsigned long long)vfs.f_bavail * (unsigned long long)vfs.f_frsize);
  char msg[PATH_MAX + 256];
  snprintf(msg, sizeof msg, "%s (%s) while writing %s: the build needed %llu bytes and wrote %llu of them%s",
           e == ENOSPC ? "the disk is full" : "the disk quota is used up", e == ENOSPC ? "ENOSPC" : "EDQUOT",
           b->output_path ? b->output_path : "the output", (unsigned long long)atomic_load(&b->writes->needed),
           (unsigned long long)atomic_load(&b->writes->written), free_text);
  folio_diag_add(b->diag, FOLIO_ERROR, NULL, 0, msg, "free some space on that disk, or build elsewhere with -o");
}

static void S_discard_staging(folio_build *b)
{
  if (b->out_dirfd >= 0) {
    close(b->out_dirfd);
    b->out_dirfd = -1;
  }
  folio_outdir_discard(&b->outdir);
}

/* Checks and locks the output folder and opens a fresh staging folder for it. */
static int S_prepare_staging(folio_build *b, const char *output)
{
  folio_outdir_options oo = {b->options.force, b->options.no_wait, b->options.output_dir ? NULL : "site.lua"};
  free(b->output_path);
  b->output_path = strdup(output);
  if (b->output_path == NULL)
    return folio_diag_add(b->diag, FOLIO_ERROR, NULL, 0, "out of memory", NULL), -1;
  folio_outdir_close(&b->outdir);
  if (folio_outdir_begin(&b->outdir, output, &oo, b->diag) != 0)
    return -1;
  b->out_dirfd = open(b->outdir.staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (b->out_dirfd < 0) {
    char msg[PATH_MAX + 64];
    snprintf(msg, sizeof msg, "cannot open the build folder %s: %s", b->outdir.staging, strerror(errno));
    folio_diag_add(b->diag, FOLIO_ERROR, NULL, 0, msg, "check that the output folder's parent is writable");
    return -1;
  }
  return 0;
}

/* Whether warnings fail this build: --strict, or `strict = true` in site.lua. */
static int S_strict(folio_build *b, lua_State *L)
{
  if (b->options.strict)
    return 1;
  lua_getglobal(L, "folio");
  lua_getfield(L, -1, "config");
  lua_getfield(L, -1, "strict");
  int strict = lua_toboolean(L, -1);
  lua_pop(L, 3);
  return strict;
}

/* The output folder named by the options, else by site.lua (`output`). */
static const char *S_output_dir(folio_build *b, lua_State *L, char *buf, size_t len)
{
  if (b->options.output_dir)
    return b->options.output_dir;
  lua_getglobal(L, "folio");
  lua_getfield(L, -1, "config");
  lua_getfield(L, -1, "output");
  const char *out = lua_tostring(L, -1);
  snprintf(buf, len, "%s", out ? out : "public");
  lua_pop(L, 3);
  return buf;
}

/* The bytes of page bodies a batch build keeps in memory; the others wait in a file. */
#define S_CONTENT_BUDGET ((size_t)4 << 20)

int folio_build_run(folio_build *b)
{
  lua_State *L = b->states[0];
  char outbuf[PATH_MAX];
  const char *output = S_output_dir(b, L, outbuf, sizeof outbuf);
  if (S_prepare_staging(b, output) != 0) {
    S_discard_staging(b);
    return 1;
  }
  if (!b->options.preview) /* (an update replaces bodies: its store stays in memory) */
    folio_content_spill_in(&b->content, b->out_dirfd, S_CONTENT_BUDGET);
  double t0 = folio_now_ms();
  S_report_memory(b, "load");
  size_t count = 0;
  if (S_call(b, L, "begin", 0, 1) == 0) {
    count = (size_t)lua_tointeger(L, -1);
    lua_pop(L, 1);
  }
  if (S_process(b, count) != 0) { /* (the state's loader reported why) */
    S_discard_staging(b);
    return 1;
  }
  double t1 = folio_now_ms();
  S_report_memory(b, "process");
  for (int i = 1; i < b->nstates; i++)
    S_transfer(b, b->states[i], "take_pages", L, "merge");
  S_report_memory(b, "gather"); /* before the collectors: it reads every state */
  S_collectors collectors;
  S_collect_begin(b, &collectors);
  S_call(b, L, "store_cache", 0, 0);
  if (getenv("FOLIO_COUNTERS") && b->cache)
    fprintf(stderr, "counter pages processed %zu reused %zu\n", atomic_load(&b->cache_processed),
            atomic_load(&b->cache_reused));
  double t_gathered = folio_now_ms();
  size_t outputs = 0;
  if (S_call(b, L, "assemble", 0, 1) == 0) {
    outputs = (size_t)lua_tointeger(L, -1);
    lua_pop(L, 1);
  }
  S_collect_end(&collectors);
  double t_assembled = folio_now_ms();
  S_report_memory(b, "assemble");
  int forked = S_use_fork(b, outputs);
  if (!forked)
    for (int i = 1; i < b->nstates; i++)
      S_transfer(b, L, "export_site", b->states[i], "import_site");
  double t2 = folio_now_ms();
  if (getenv("FOLIO_TIMINGS"))
    fprintf(stderr, "gather %.1f ms, site stage %.1f ms, copy to workers %.1f ms\n", t_gathered - t1,
            t_assembled - t_gathered, t2 - t_assembled);
  S_call(b, L, "prepare_static", 0, 0);
  if (!forked) /* (forked: the render process copies them, S_render_forked) */
    S_call(b, L, "copy_static", 0, 0);
  if (forked) {
    /* the site stage's garbage goes before the fork: else both processes keep (and mark) it */
    folio_collect_fully(L);
    S_release_free_memory();
  }
  if (forked) {
    S_render_forked(b, outputs);
  } else {
    b->shared_render = b->nstates > 1;
    S_parallel(b, "render", outputs);
    b->shared_render = 0;
  }
  if (b->last_dirfd >= 0) { /* (the render linked what it kept from there) */
    close(b->last_dirfd);
    b->last_dirfd = -1;
  }
  double t3 = folio_now_ms();
  S_report_memory(b, "render");
  if (getenv("FOLIO_TIMINGS"))
    fprintf(stderr, "process %.1f ms, render %.1f ms (%zu outputs)\n", t1 - t0, t3 - t2, outputs);
  S_call(b, L, "remember_outputs", 0, 0);
  b->phase_ms[1] = t1 - t0;
  b->phase_ms[2] = t2 - t1;
  b->phase_ms[3] = t3 - t2;
  b->pages_written = outputs;
  S_report_disk_full(b, b->outdir.staging);
  if (!b->options.preview && S_strict(b, L)) /* the preview shows warnings, never fails on them */
    folio_diag_make_strict(b->diag);
  if (folio_diag_count(b->diag, FOLIO_ERROR) > 0) {
    S_discard_staging(b);
    return 1;
  }
  close(b->out_dirfd);
  b->out_dirfd = -1;
  double t4 = folio_now_ms();
  int rc = folio_outdir_publish(&b->outdir, b->diag);
  b->phase_ms[4] = folio_now_ms() - t4;
  if (rc != 0) {
    S_discard_staging(b);
    return 1;
  }
  return 0;
}

/* ---- preview updates ------------------------------------------------------------------- */

int folio_build_update(folio_build *b, const char *const *paths, size_t count, folio_update_result *result)
{
  memset(result, 0, sizeof *result);
  lua_State *L = b->states[0];
  double t0 = folio_now_ms();
  lua_createtable(L, (int)count, 0);
  for (size_t i = 0; i < count; i++) {
    lua_pushstring(L, paths[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  int paths_index = lua_gettop(L);
  lua_pushvalue(L, paths_index);
  if (S_call(b, L, "classify", 1, 1) != 0) {
    lua_settop(L, paths_index - 1);
    return 1;
  }
  result->reload_needed = strcmp(lua_tostring(L, -1), "reload") == 0;
  lua_pop(L, 1);
  if (result->reload_needed) {
    lua_settop(L, paths_index - 1);
    return 0;
  }
  b->out_dirfd = open(b->output_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (b->out_dirfd < 0) {
    folio_diag_add(b->diag, FOLIO_ERROR, NULL, 0, "the preview folder disappeared", "restart folio serve");
    lua_settop(L, paths_index - 1);
    return 1;
  }
  b->compare_writes = 1;
  atomic_store(&b->writes->needed, 0);
  atomic_store(&b->writes->written, 0);
  /* A collection here would walk the whole site, which takes longer than the update itself on
   * a large site; it waits for folio_build_collect. */
  lua_gc(L, LUA_GCSTOP);
  double t1 = folio_now_ms();
  lua_pushvalue(L, paths_index);
  int ok = S_call(b, L, "update", 1, 3) == 0;
  double t2 = folio_now_ms(), t3 = t2;
  int css_only = 0;
  if (ok) {
    result->full = strcmp(lua_tostring(L, -3), "full") == 0;
    result->rendered = (size_t)lua_tointeger(L, -2);
    css_only = lua_toboolean(L, -1);
    lua_pop(L, 3);
    if (result->full) {
      lua_gc(L, LUA_GCRESTART); /* rendering every page makes too much garbage to keep */
      for (int i = 1; i < b->nstates; i++) {
        S_transfer(b, L, "export_site", b->states[i], "import_site");
        S_call(b, b->states[i], "reset_templates", 0, 0);
      }
      b->shared_render = b->nstates > 1;
      S_parallel(b, "render", result->rendered);
      b->shared_render = 0;
      for (int i = 1; i < b->nstates; i++)
        S_transfer(b, b->states[i], "take_changed", L, "merge_changed");
    } else {
      S_call(b, L, "render_partial", 0, 0);
    }
    t3 = folio_now_ms();
    lua_pushboolean(L, css_only);
    if (S_call(b, L, "finish_update", 1, 2) == 0) {
      const char *json = lua_tostring(L, -2);
      result->event_json = json ? strdup(json) : NULL;
      result->changed = (size_t)lua_tointeger(L, -1);
      lua_pop(L, 2);
    }
  }
  b->compare_writes = 0;
  close(b->out_dirfd);
  b->out_dirfd = -1;
  S_report_disk_full(b, b->output_path);
  atomic_store(&b->writes->full_errno, 0); /* the next update tries again */
  lua_settop(L, paths_index - 1);
  if (getenv("FOLIO_TIMINGS"))
    fprintf(stderr, "update %s: classify %.1f ms, update %.1f ms, render %.1f ms, finish %.1f ms\n",
            result->full ? "full" : "partial", t1 - t0, t2 - t1, t3 - t2, folio_now_ms() - t3);
  return folio_diag_count(b->diag, FOLIO_ERROR) > 0 ? 1 : 0;
}

void folio_build_collect(folio_build *b)
{
  lua_State *L = b->states[0];
  if (lua_gc(L, LUA_GCISRUNNING))
    return;
  lua_gc(L, LUA_GCRESTART);
  /* A step with a debt: the collector may then also do a major collection when it is due (a
   * step of 0 never does one, and old garbage would pile up). */
  lua_gc(L, LUA_GCSTEP, 1);
}

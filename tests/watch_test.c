/* watch_test.c: tests for core/watch (the file watcher of `folio serve`). Each scenario builds a
 * small site in a fresh temporary folder, starts a watcher on its own loop, performs file
 * operations from a helper thread (as an editor or git would, concurrently with the loop) and,
 * once the loop has been quiet for a while, closes the watcher and checks what was delivered:
 * the exact set of paths, the number of callbacks, the overflow flag and the mode. Most
 * scenarios run twice, with inotify and with the polling fallback forced. */
#include "core/watch.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEBOUNCE_MS 40
#define POLL_MS 100
#define SCENARIO_TIMEOUT_MS 8000

/* ---- the site under test ------------------------------------------------------------------ */

static char base_dir[256]; /* holds site/ and outside/ */
static char site_dir[300];
static atomic_int action_errors;

static void path_of(char *buf, size_t n, const char *rel)
{
  snprintf(buf, n, "%s/%s", site_dir, rel);
}

static void fail_op(const char *op, const char *rel)
{
  fprintf(stderr, "  ! %s %s: %s\n", op, rel, strerror(errno));
  atomic_fetch_add(&action_errors, 1);
}

static void put(const char *rel, const char *text)
{
  char p[1024];
  path_of(p, sizeof p, rel);
  int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    fail_op("open", rel);
    return;
  }
  size_t len = strlen(text);
  if (write(fd, text, len) != (ssize_t)len)
    fail_op("write", rel);
  if (close(fd) != 0)
    fail_op("close", rel);
}

static void mkdirs(const char *rel)
{
  char p[1024];
  path_of(p, sizeof p, rel);
  for (char *s = p + strlen(site_dir) + 1;; s++) {
    if (*s == '/' || *s == '\0') {
      char c = *s;
      *s = '\0';
      if (mkdir(p, 0755) != 0 && errno != EEXIST)
        fail_op("mkdir", rel);
      *s = c;
      if (!c)
        break;
    }
  }
}

static void move(const char *from, const char *to)
{
  char a[1024], b[1024];
  path_of(a, sizeof a, from);
  path_of(b, sizeof b, to);
  if (rename(a, b) != 0)
    fail_op("rename", from);
}

static void rm(const char *rel)
{
  char p[1024];
  path_of(p, sizeof p, rel);
  if (unlink(p) != 0)
    fail_op("unlink", rel);
}

static void rmdir_rel(const char *rel)
{
  char p[1024];
  path_of(p, sizeof p, rel);
  if (rmdir(p) != 0)
    fail_op("rmdir", rel);
}

static void link_to(const char *target, const char *rel)
{
  char p[1024];
  path_of(p, sizeof p, rel);
  if (symlink(target, p) != 0)
    fail_op("symlink", rel);
}

static void nap(int ms)
{
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(p);
}

/* A fresh site: content/a.md, content/sub/s.md, static/x.css, site.lua; no layouts/ yet.
 * "../outside" is a sibling folder that is not watched. */
static int make_site(void)
{
  snprintf(base_dir, sizeof base_dir, "%s/folio-watch-XXXXXX",
           getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(base_dir)) {
    perror("mkdtemp");
    return -1;
  }
  snprintf(site_dir, sizeof site_dir, "%s/site", base_dir);
  if (mkdir(site_dir, 0755) != 0) {
    perror("mkdir site");
    return -1;
  }
  mkdirs("content/sub");
  mkdirs("static");
  mkdirs("../outside");
  put("content/a.md", "hello");
  put("content/sub/s.md", "sub");
  put("static/x.css", "body{}");
  put("site.lua", "return {}");
  return atomic_load(&action_errors) ? -1 : 0;
}

static void remove_site(void)
{
  if (base_dir[0] && nftw(base_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
    perror("cleanup");
}

/* ---- what the watcher delivered ------------------------------------------------------------ */

static struct {
  char **paths; /* union of all delivered paths, sorted, unique */
  size_t n, cap;
  int callbacks;
  int overflow;
  int unsorted; /* a batch that was not strictly increasing */
  size_t largest; /* most paths in one callback */
  uint64_t first_cb_ms, last_cb_ms;
  uint64_t first_cb_ns; /* uv_hrtime() at the first callback */
} got;

static void got_add(const char *p)
{
  size_t lo = 0, hi = got.n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = strcmp(got.paths[mid], p);
    if (c == 0)
      return;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (got.n == got.cap) {
    got.cap = got.cap ? got.cap * 2 : 64;
    got.paths = realloc(got.paths, got.cap * sizeof *got.paths);
    if (!got.paths) {
      perror("realloc");
      exit(2);
    }
  }
  memmove(got.paths + lo + 1, got.paths + lo, (got.n - lo) * sizeof *got.paths);
  got.paths[lo] = strdup(p);
  if (!got.paths[lo]) {
    perror("strdup");
    exit(2);
  }
  got.n++;
}

static void got_reset(void)
{
  for (size_t i = 0; i < got.n; i++)
    free(got.paths[i]);
  free(got.paths);
  memset(&got, 0, sizeof got);
}

static uv_loop_t loop;

static void on_change(void *ud, const char *const *paths, size_t count, int overflow)
{
  (void)ud;
  got.callbacks++;
  got.overflow |= overflow;
  if (count > got.largest)
    got.largest = count;
  if (!got.first_cb_ms) {
    got.first_cb_ms = uv_now(&loop);
    got.first_cb_ns = uv_hrtime();
  }
  got.last_cb_ms = uv_now(&loop);
  for (size_t i = 0; i < count; i++) {
    if (i > 0 && strcmp(paths[i - 1], paths[i]) >= 0)
      got.unsorted = 1;
    got_add(paths[i]);
  }
}

/* ---- running one scenario ------------------------------------------------------------------ */

typedef struct {
  const char *name;
  void (*setup)(void);   /* main thread, before the watcher starts (may be NULL) */
  void (*action)(void);  /* helper thread, while the loop runs */
  const char *const *expect; /* exact set of delivered paths (NULL-terminated) */
  int min_cb, max_cb;
  int overflow;     /* expected overflow flag */
  const char *mode; /* expected mode at the end (NULL: the one it started in) */
  long limit;       /* FOLIO_WATCH_LIMIT, or 0 for none */
  int (*check)(void); /* extra check, 0 = fine (may be NULL) */
  int on_loop; /* run the action on the loop thread instead, so the watcher reads its events
                  only when it is complete (e.g. a new folder is already full when walked) */
  int debounce_ms; /* 0: DEBOUNCE_MS. Longer for checks on when a batch comes, so that a loaded
                      machine's delays stay far below it */
} scenario;

static struct {
  folio_watch *w;
  uv_timer_t tick, act;
  atomic_int action_done;
  _Atomic uint64_t acted_ns; /* uv_hrtime() when the action returned */
  uint64_t start_ms, done_ms;
  int closed, timed_out, quiet_ms, debounce_ms;
  const char *mode_at_end;
} run;

static void on_closed(void *ud)
{
  (void)ud;
  run.closed = 1;
}

static void on_tick(uv_timer_t *t)
{
  uint64_t now = uv_now(&loop);
  if (atomic_load(&run.action_done) && !run.done_ms)
    run.done_ms = now;
  uint64_t quiet_since = run.done_ms > got.last_cb_ms ? run.done_ms : got.last_cb_ms;
  int finished = run.done_ms && now - quiet_since >= (uint64_t)run.quiet_ms;
  if (now - run.start_ms > SCENARIO_TIMEOUT_MS) {
    run.timed_out = 1;
    finished = 1;
  }
  if (finished) {
    run.mode_at_end = folio_watch_mode(run.w);
    folio_watch_close(run.w, on_closed, NULL);
    uv_close((uv_handle_t *)t, NULL);
  }
}

static void action_main(void *arg)
{
  const scenario *sc = arg;
  if (sc->on_loop)
    return;
  sc->action();
  atomic_store(&run.acted_ns, uv_hrtime());
  atomic_store(&run.action_done, 1);
}

static void on_loop_action(uv_timer_t *t)
{
  const scenario *sc = t->data;
  sc->action();
  atomic_store(&run.action_done, 1);
  uv_close((uv_handle_t *)t, NULL);
}

static int passed, failed;

static void check_that(int ok, const char *name, int poll, const char *what)
{
  if (!ok)
    printf("  %s [%s]: %s\n", name, poll ? "polling" : "inotify", what);
}

static void run_scenario(const scenario *sc, int poll)
{
  uint64_t t0 = uv_hrtime();
  atomic_store(&action_errors, 0);
  got_reset();
  memset(&run, 0, sizeof run);
  int ok = make_site() == 0;
  if (ok && sc->setup)
    sc->setup();
  ok = ok && atomic_load(&action_errors) == 0;
  if (poll) {
    setenv("FOLIO_WATCH_POLL", "1", 1);
  } else {
    unsetenv("FOLIO_WATCH_POLL");
  }
  char limit[32];
  snprintf(limit, sizeof limit, "%ld", sc->limit);
  if (sc->limit)
    setenv("FOLIO_WATCH_LIMIT", limit, 1);
  else
    unsetenv("FOLIO_WATCH_LIMIT");
  run.debounce_ms = sc->debounce_ms ? sc->debounce_ms : DEBOUNCE_MS;
  run.quiet_ms = poll ? 2 * POLL_MS + 2 * run.debounce_ms : 4 * run.debounce_ms + 40;

  char err[256] = "";
  const char *start_mode = "";
  if (ok) {
    int rc = folio_watch_start(&loop, site_dir, NULL, (unsigned)run.debounce_ms, on_change, NULL, &run.w, err,
                               sizeof err);
    if (rc != 0) {
      printf("  %s: folio_watch_start: %s (%s)\n", sc->name, err, uv_err_name(rc));
      ok = 0;
    }
  }
  uv_thread_t th;
  int have_thread = 0;
  if (ok) {
    start_mode = folio_watch_mode(run.w);
    run.start_ms = uv_now(&loop);
    if (uv_timer_init(&loop, &run.tick) != 0 || uv_timer_start(&run.tick, on_tick, 10, 10) != 0 ||
        uv_thread_create(&th, action_main, (void *)sc) != 0) {
      printf("  %s: cannot start the scenario\n", sc->name);
      ok = 0;
    } else {
      have_thread = 1;
      run.act.data = (void *)sc;
      if (sc->on_loop &&
          (uv_timer_init(&loop, &run.act) != 0 ||
           uv_timer_start(&run.act, on_loop_action, 5, 0) != 0)) {
        printf("  %s: cannot start the scenario\n", sc->name);
        ok = 0;
      }
    }
  }
  if (have_thread) {
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_thread_join(&th);
  }
  if (ok) {
    const char *name = sc->name;
    check_that(!run.timed_out, name, poll, "timed out");
    check_that(run.closed, name, poll, "close callback not called");
    check_that(atomic_load(&action_errors) == 0, name, poll, "file operations failed");
    check_that(!got.unsorted, name, poll, "a batch was not sorted and unique");
    ok = !run.timed_out && run.closed && atomic_load(&action_errors) == 0 && !got.unsorted;
    const char *want_mode = sc->mode ? sc->mode : poll ? "polling" : "inotify";
    if (strcmp(run.mode_at_end, want_mode) != 0 || (poll && strcmp(start_mode, "polling"))) {
      printf("  %s [%s]: mode %s at start, %s at the end, expected %s\n", name,
             poll ? "polling" : "inotify", start_mode, run.mode_at_end, want_mode);
      ok = 0;
    }
    /* A multi-step action may straddle two polls. */
    int max_cb = sc->max_cb + (poll && sc->max_cb > 0);
    if (got.callbacks < sc->min_cb || got.callbacks > max_cb) {
      printf("  %s [%s]: %d callbacks, expected %d..%d\n", name, poll ? "polling" : "inotify",
             got.callbacks, sc->min_cb, max_cb);
      ok = 0;
    }
    if (got.overflow != sc->overflow) {
      printf("  %s [%s]: overflow %d, expected %d\n", name, poll ? "polling" : "inotify",
             got.overflow, sc->overflow);
      ok = 0;
    }
    if (sc->expect) {
      size_t n = 0;
      while (sc->expect[n])
        n++;
      int same = n == got.n;
      for (size_t i = 0; same && i < n; i++) /* expectations are listed sorted */
        same = strcmp(sc->expect[i], got.paths[i]) == 0;
      if (!same) {
        printf("  %s [%s]: delivered {", name, poll ? "polling" : "inotify");
        for (size_t i = 0; i < got.n && i < 12; i++)
          printf("%s%s", i ? ", " : "", got.paths[i]);
        printf("%s} expected {", got.n > 12 ? ", ..." : "");
        for (size_t i = 0; i < n; i++)
          printf("%s%s", i ? ", " : "", sc->expect[i]);
        printf("}\n");
        ok = 0;
      }
    }
    if (ok && sc->check && sc->check() != 0)
      ok = 0;
  }
  remove_site();
  if (ok)
    passed++;
  else
    failed++;
  printf("%s %s [%s] (%llu ms)\n", ok ? "ok  " : "FAIL", sc->name, poll ? "polling" : "inotify",
         (unsigned long long)((uv_hrtime() - t0) / 1000000));
  fflush(stdout);
}

/* ---- scenarios ------------------------------------------------------------------------------ */

static void act_write_in_place(void)
{
  put("content/a.md", "hello, edited in place");
}

/* How long after the action the first callback came, in ms. */
static double first_delay_ms(void)
{
  uint64_t acted = atomic_load(&run.acted_ns);
  return got.first_cb_ns > acted ? (double)(got.first_cb_ns - acted) / 1e6 : 0;
}

/* A file written in place and closed is complete: delivered without waiting for quiet. */
static int check_settled(void)
{
  if (first_delay_ms() >= run.debounce_ms / 2) {
    printf("  settled write: delivered %.1f ms after it, expected well under the %d ms debounce\n",
           first_delay_ms(), run.debounce_ms);
    return -1;
  }
  return 0;
}

/* A creation (it may be half of a save by rename) waits for quiet. */
static int check_waited(void)
{
  if (first_delay_ms() < run.debounce_ms - 1) {
    printf("  create: delivered %.1f ms after it, expected the %d ms debounce\n", first_delay_ms(),
           run.debounce_ms);
    return -1;
  }
  return 0;
}

/* Vim with 'backupcopy' off: swap file, write probe 4913, rename to a backup, write the new
 * file, remove the backup. */
static void act_vim(void)
{
  put("content/.a.md.swp", "swap");
  put("content/4913", "");
  rm("content/4913");
  move("content/a.md", "content/a.md~");
  put("content/a.md", "hello, saved by vim");
  rm("content/a.md~");
  rm("content/.a.md.swp");
}

/* JetBrains "safe write": write a temp file, move the original aside, rename the temp over. */
static void act_jetbrains(void)
{
  put("content/a.md___jb_tmp___", "hello, saved by an IDE");
  move("content/a.md", "content/a.md___jb_old___");
  move("content/a.md___jb_tmp___", "content/a.md");
  rm("content/a.md___jb_old___");
}

static void act_create(void)
{
  put("content/new.md", "new page");
}

static void act_delete(void)
{
  rm("content/a.md");
}

static void act_delete_recreate(void)
{
  rm("content/a.md");
  put("content/a.md", "recreated, longer");
}

static void act_rename(void)
{
  move("content/a.md", "content/b.md");
}

/* `mkdir -p` and files right away, racing the watcher's walk of the new folder. */
static void act_mkdir_p(void)
{
  mkdirs("content/x/y/z");
  put("content/x/1.md", "1");
  put("content/x/y/2.md", "2");
  put("content/x/y/z/3.md", "3");
}

static void setup_populated(void)
{
  mkdirs("../outside/pop/sub");
  put("../outside/pop/1.md", "1");
  put("../outside/pop/sub/2.md", "2");
}

/* A populated folder moved in; later a file added inside it (its watch must exist). */
static void act_move_dir_in(void)
{
  move("../outside/pop", "content/pop");
  nap(150);
  put("content/pop/sub/3.md", "3");
}

/* Folders created one at a time with pauses: each must be watched when it appears. */
static void act_new_dir_later(void)
{
  mkdirs("content/n");
  nap(150);
  mkdirs("content/n/deep");
  nap(150);
  put("content/n/deep/f.md", "f");
}

#define BURST 200
static char burst_names[BURST][32];
static const char *burst_expect[BURST + 1];

static void act_burst(void)
{
  for (int i = 0; i < BURST; i++) {
    char rel[64];
    snprintf(rel, sizeof rel, "content/p%03d.md", i);
    put(rel, "burst");
  }
}

/* Only noise: none of it may produce a callback. */
static void act_ignored(void)
{
  put("content/.a.md.swp", "swap");
  put("content/.a.md.swo", "swap");
  put("content/.a.md.swx", "swap");
  put("content/a.md~", "backup");
  put("content/4913", "");
  put("content/5036", "");
  put("content/.#a.md", "lock");
  put("content/#a.md#", "autosave");
  put("content/a.md___jb_tmp___", "tmp");
  put("content/a.md___jb_old___", "old");
  put("content/.DS_Store", "finder");
  mkdirs(".git/objects");
  put(".git/HEAD", "ref: refs/heads/main");
  mkdirs("content/.hidden");
  put("content/.hidden/x.md", "hidden");
  put("README.md", "not a watched name");
  mkdirs("public");
  put("public/index.html", "output folder, not watched");
  rm("content/4913");
  rm("content/a.md~");
}

static void act_site_lua(void)
{
  put("site.lua", "return { title = 'changed' }");
}

/* layouts/ does not exist at start: the root's watch must notice its creation. */
static void act_missing_root(void)
{
  mkdirs("layouts/partials");
  put("layouts/base.html", "<html>");
  put("layouts/partials/nav.html", "<nav>");
}

static void act_rm_rf(void)
{
  rm("content/sub/s.md");
  rmdir_rel("content/sub");
}

static void act_rename_dir(void)
{
  move("content/sub", "content/sub2");
  nap(150);
  put("content/sub2/new.md", "new");
}

static void act_symlinks(void)
{
  link_to("../../outside", "content/link");
  link_to(".", "content/loop");
  nap(100);
  put("../outside/f.md", "outside the site");
}

/* A file rewritten every 10 ms for ~0.7 s, longer than the max wait (10 x debounce): some
 * callback must arrive while the writes are still going on. */
static void act_stream(void)
{
  for (int i = 0; i < 70; i++) {
    char text[32];
    snprintf(text, sizeof text, "version %d", i);
    put("content/a.md", text);
    nap(10);
  }
}

static int check_stream(void)
{
  if (!got.first_cb_ms || !run.done_ms || got.first_cb_ms >= run.done_ms) {
    printf("  stream: first callback at %llu ms, the stream ended at %llu ms\n",
           (unsigned long long)(got.first_cb_ms - run.start_ms),
           (unsigned long long)(run.done_ms - run.start_ms));
    return -1;
  }
  return 0;
}

/* The kernel "refuses" a later watch: switch to polling, overflow, then keep reporting. */
static void act_runtime_fallback(void)
{
  mkdirs("content/new");
  nap(300);
  put("content/a.md", "edited after the switch to polling");
}

#define MANY (FOLIO_WATCH_MAX_PATHS + 50)

static void setup_many(void)
{
  mkdirs("../outside/many");
  for (int i = 0; i < MANY; i++) {
    char rel[64];
    snprintf(rel, sizeof rel, "../outside/many/f%05d.md", i);
    put(rel, "x");
  }
}

static void act_many(void)
{
  move("../outside/many", "content/many");
}

static int check_many(void)
{
  if (got.largest != FOLIO_WATCH_MAX_PATHS || got.n < FOLIO_WATCH_MAX_PATHS) {
    printf("  overflow: largest batch %zu, %zu paths in all, expected a batch of %d\n",
           got.largest, got.n, FOLIO_WATCH_MAX_PATHS);
    return -1;
  }
  return 0;
}

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

static const scenario scenarios[] = {
  {"in-place write", NULL, act_write_in_place, L("content/a.md"), 1, 1},
  {"vim save (4913 probe, backup~, rename)", NULL, act_vim, L("content/a.md"), 1, 1},
  {"JetBrains safe write", NULL, act_jetbrains, L("content/a.md"), 1, 1},
  {"create", NULL, act_create, L("content/new.md"), 1, 1},
  {"delete", NULL, act_delete, L("content/a.md"), 1, 1},
  {"delete and recreate", NULL, act_delete_recreate, L("content/a.md"), 1, 1},
  {"rename a.md -> b.md", NULL, act_rename, L("content/a.md", "content/b.md"), 1, 1},
  {"mkdir -p with files", NULL, act_mkdir_p,
   L("content/x/1.md", "content/x/y/2.md", "content/x/y/z/3.md"), 1, 2},
  {"mkdir -p with files, read late", NULL, act_mkdir_p,
   L("content/x/1.md", "content/x/y/2.md", "content/x/y/z/3.md"), 1, 1, 0, NULL, 0, NULL, 1},
  {"populated folder moved in", setup_populated, act_move_dir_in,
   L("content/pop/1.md", "content/pop/sub/2.md", "content/pop/sub/3.md"), 1, 2},
  {"folders created over time", NULL, act_new_dir_later, L("content/n/deep/f.md"), 1, 1},
  {"burst of 200 files", NULL, act_burst, burst_expect, 1, 3},
  {"only noise: swap, backup, lock, dotfiles", NULL, act_ignored, L(NULL), 0, 0},
  {"site.lua", NULL, act_site_lua, L("site.lua"), 1, 1},
  {"missing root created", NULL, act_missing_root,
   L("layouts/base.html", "layouts/partials/nav.html"), 1, 2},
  {"folder deleted", NULL, act_rm_rf, L("content/sub", "content/sub/s.md"), 1, 2},
  {"symlinks are not followed", NULL, act_symlinks, L("content/link", "content/loop"), 1, 1},
  {"constant stream still delivers", NULL, act_stream, L("content/a.md"), 2, 35, 0, NULL, 0,
   check_stream},
};

static const scenario inotify_only[] = {
  {"in-place write, closed: delivered at once", NULL, act_write_in_place, L("content/a.md"), 1, 1,
   0, NULL, 0, check_settled, 0, 500},
  {"create: waits for quiet", NULL, act_create, L("content/new.md"), 1, 1, 0, NULL, 0,
   check_waited, 0, 500},
  {"folder renamed", NULL, act_rename_dir,
   L("content/sub", "content/sub2/new.md", "content/sub2/s.md"), 1, 2},
  /* root + content + content/sub = 3 watches; static/ is refused. */
  {"watch limit at start -> polling", NULL, act_write_in_place, L("content/a.md"), 1, 1, 0,
   "polling", 3},
  /* root, content, content/sub, static = 4 watches; content/new is refused. */
  {"watch limit later -> polling + overflow", NULL, act_runtime_fallback, L("content/a.md"), 2,
   3, 1, "polling", 4},
  {"more than FOLIO_WATCH_MAX_PATHS -> overflow", setup_many, act_many, NULL, 1, 2, 1, NULL, 0,
   check_many},
};

static const scenario polling_only[] = {
  {"folder renamed", NULL, act_rename_dir,
   L("content/sub", "content/sub/s.md", "content/sub2/new.md", "content/sub2/s.md"), 1, 2},
};

static void on_never(void *ud, const char *const *paths, size_t count, int overflow)
{
  (void)ud;
  (void)paths;
  (void)count;
  (void)overflow;
  got.callbacks++;
}

/* API misuse and bad roots fail cleanly, without a callback. */
static void test_errors(void)
{
  got_reset();
  folio_watch *w = (folio_watch *)&w;
  char err[256];
  int ok = 1;
  int rc = folio_watch_start(&loop, "/nonexistent/folio-site", NULL, 10, on_never, NULL, &w, err,
                             sizeof err);
  ok &= rc == UV_ENOENT && w == NULL && strstr(err, "/nonexistent/folio-site") != NULL;
  rc = folio_watch_start(&loop, "/dev/null", NULL, 10, on_never, NULL, &w, err, sizeof err);
  ok &= rc == UV_ENOTDIR && w == NULL;
  rc = folio_watch_start(&loop, "/tmp", L("content/posts"), 10, on_never, NULL, &w, err,
                         sizeof err);
  ok &= rc == UV_EINVAL && w == NULL;
  rc = folio_watch_start(&loop, "/tmp", NULL, 10, NULL, NULL, &w, err, sizeof err);
  ok &= rc == UV_EINVAL;
  folio_watch_close(NULL, NULL, NULL);
  uv_run(&loop, UV_RUN_DEFAULT);
  ok &= got.callbacks == 0;
  if (ok)
    passed++;
  else
    failed++;
  printf("%s start errors\n", ok ? "ok  " : "FAIL");
}

int main(void)
{
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (uv_loop_init(&loop) != 0) {
    fprintf(stderr, "uv_loop_init failed\n");
    return 1;
  }
  char poll_ms[16];
  snprintf(poll_ms, sizeof poll_ms, "%d", POLL_MS);
  setenv("FOLIO_WATCH_POLL_MS", poll_ms, 1);
  for (int i = 0; i < BURST; i++) {
    snprintf(burst_names[i], sizeof burst_names[i], "content/p%03d.md", i);
    burst_expect[i] = burst_names[i];
  }
  test_errors();
  for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
    run_scenario(&scenarios[i], 0);
  for (size_t i = 0; i < sizeof inotify_only / sizeof inotify_only[0]; i++)
    run_scenario(&inotify_only[i], 0);
  for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
    run_scenario(&scenarios[i], 1);
  for (size_t i = 0; i < sizeof polling_only / sizeof polling_only[0]; i++)
    run_scenario(&polling_only[i], 1);
  got_reset();
  int rc = uv_loop_close(&loop);
  if (rc != 0) {
    printf("FAIL the loop still has handles: %s\n", uv_err_name(rc));
    failed++;
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}

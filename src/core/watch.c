/* watch.c: see watch.h. Owns the file watcher of `folio serve`: a uv_fs_event_t per directory
 * kept in step with the tree as directories come and go, the site root watched on its own, the
 * editor-noise filter, the pending set and debounce timer that turn events into one callback,
 * and the polling fallback (a timer that scans the tree on the thread pool and diffs snapshots).
 *
 * Why events are handled the way they are: an inotify event only says "something happened to
 * name N in directory D", and by the time it is read the file may have been renamed, deleted or
 * replaced again. So each event lstat()s the path now and acts on what is there: a directory
 * not yet watched is walked and watched (reporting its files), a missing path is reported and
 * any watches at or below it are dropped, anything else is reported. Editors' save dances
 * (rename to backup, write temp, rename over) collapse into the real file's name because the
 * temporary names are filtered and the pending set deduplicates.
 *
 * Waiting for the burst to end costs every save `debounce_ms`. On Linux a second inotify
 * instance reports only IN_CLOSE_WRITE (libuv's events cannot tell a write that is finished from
 * one in progress): a batch made only of files written in place and closed since is settled and
 * goes out on the next loop iteration, without waiting. */
#include "core/watch.h"
#include "core/grow.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

#define S_CONTAINER(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))
#define S_MAX_WAIT_FACTOR 10
#define S_DEFAULT_POLL_MS 500

/* ---------------------------------------------------------------------------------------------
 * Small helpers: strings, the noise filter
 * ------------------------------------------------------------------------------------------- */

static char *S_strdup(const char *s)
{
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p)
    memcpy(p, s, n);
  return p;
}

/* "a" + "b" -> "a/b"; "" + "b" -> "b". Caller frees; NULL when out of memory. */
static char *S_join(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b);
  char *p = malloc(la + lb + 2);
  if (!p)
    return NULL;
  if (la) {
    memcpy(p, a, la);
    p[la++] = '/';
  }
  memcpy(p + la, b, lb + 1);
  return p;
}

static int S_ends_with(const char *s, size_t n, const char *suffix)
{
  size_t k = strlen(suffix);
  return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* Vim checks that it may create files in a folder by writing "4913", then 5036, 5159, ... while
 * the previous names exist (fileio.c in Vim: the number starts at 4913 and steps by 123). */
static int S_is_vim_probe(const char *name, size_t n)
{
  if (n < 4 || n > 7)
    return 0;
  long v = 0;
  for (size_t i = 0; i < n; i++) {
    if (name[i] < '0' || name[i] > '9')
      return 0;
    v = v * 10 + (name[i] - '0');
  }
  return v >= 4913 && (v - 4913) % 123 == 0;
}

/* Editor swap, backup, lock and temp files, and dotfiles in general (see watch.h). */
static int S_ignored(const char *name)
{
  size_t n = strlen(name);
  if (n == 0 || name[0] == '.')
    return 1;
  if (name[n - 1] == '~')
    return 1;
  if (n > 1 && name[0] == '#' && name[n - 1] == '#')
    return 1;
  static const char *const suffixes[] = {".swp", ".swo", ".swn", ".swx", "___jb_tmp___",
                                         "___jb_old___"};
  for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
    if (S_ends_with(name, n, suffixes[i]))
      return 1;
  return S_is_vim_probe(name, n);
}

/* ---------------------------------------------------------------------------------------------
 * A hash map with byte-string keys it does not own (open addressing, linear probing)
 * ------------------------------------------------------------------------------------------- */

typedef struct {
  const void *key; /* NULL: empty; S_TOMB: deleted */
  size_t klen;
  uint64_t hash;
  void *val;
} S_slot;

typedef struct {
  S_slot *slots;
  size_t cap; /* 0 or a power of two */
  size_t used; /* live + tombstones */
  size_t live;
} S_map;

static const char S_tomb_byte;
#define S_TOMB ((const void *)&S_tomb_byte)
static char S_closed_byte;
#define S_CLOSED ((void *)&S_closed_byte)

static uint64_t S_hash(const void *key, size_t len)
{
  const unsigned char *p = key;
  uint64_t h = 1469598103934665603ULL; /* FNV-1a */
  for (size_t i = 0; i < len; i++) {
    h ^= p[i];
    h *= 1099511628211ULL;
  }
  return h;
}

static S_slot *S_map_find(const S_map *m, const void *key, size_t klen)
{
  if (m->cap == 0)
    return NULL;
  uint64_t h = S_hash(key, klen);
  for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
    S_slot *s = &m->slots[i];
    if (s->key == NULL)
      return NULL;
    if (s->key != S_TOMB && s->hash == h && s->klen == klen && memcmp(s->key, key, klen) == 0)
      return s;
  }
}

static void S_map_insert_slot(S_slot *slots, size_t cap, const S_slot *src)
{
  size_t i = src->hash & (cap - 1);
  while (slots[i].key != NULL)
    i = (i + 1) & (cap - 1);
  slots[i] = *src;
}

/* Adds `key` (not already present; must outlive its entry). 0 or UV_ENOMEM. */
static int S_map_add(S_map *m, const void *key, size_t klen, void *val)
{
  if ((m->used + 1) * 2 > m->cap) {
    size_t cap = 16;
    while (cap < (m->live + 1) * 4)
      cap *= 2;
    S_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
      return UV_ENOMEM;
    for (size_t i = 0; i < m->cap; i++)
      if (m->slots[i].key != NULL && m->slots[i].key != S_TOMB)
        S_map_insert_slot(slots, cap, &m->slots[i]);
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    m->used = m->live;
  }
  S_slot s = {key, klen, S_hash(key, klen), val};
  S_map_insert_slot(m->slots, m->cap, &s);
  m->used++;
  m->live++;
  return 0;
}

static void S_map_del(S_map *m, const void *key, size_t klen)
{
  S_slot *s = S_map_find(m, key, klen);
  if (s) {
    s->key = S_TOMB;
    s->val = NULL;
    m->live--;
  }
}

static void S_map_free(S_map *m)
{
  free(m->slots);
  memset(m, 0, sizeof *m);
}

/* ---------------------------------------------------------------------------------------------
 * Watcher state
 * ------------------------------------------------------------------------------------------- */

typedef struct {
  dev_t dev;
  ino_t ino;
} S_id;

typedef struct S_dir {
  uv_fs_event_t ev;
  folio_watch *w;
  char *rel; /* relative to the site root; "" for the root itself */
  S_id id;
  int is_root; /* the site root: only its watched names count */
  int wd;      /* its watch in the closed-writes instance, or -1 */
  int live;    /* in the maps and the list (not yet closing) */
  struct S_dir *prev, *next;
} S_dir;

typedef struct {
  char *rel;
  int64_t mtime_sec;
  long mtime_nsec;
  off_t size;
  S_id id;
  mode_t type; /* st_mode & S_IFMT */
} S_ent;

typedef struct {
  S_ent *v;
  size_t n, cap;
} S_snap;

struct folio_watch {
  uv_loop_t *loop;
  char *root;
  char **names; /* top-level names to watch, NULL-terminated */
  size_t nnames;
  unsigned debounce_ms;
  folio_watch_cb cb;
  void *ud;

  /* inotify mode */
  S_dir *dirs; /* all live directory watches, including the root's */
  S_map by_path; /* rel -> S_dir (not the root) */
  S_map by_id; /* S_id -> S_dir (not the root) */
  size_t nwatches;
  long limit; /* FOLIO_WATCH_LIMIT, or -1 */

  /* coalescing */
  uv_timer_t debounce;
  int armed;
  uint64_t first_ms;
  S_map pending; /* keys are malloc'd strings owned here; val S_CLOSED once closed after writing */
  int overflow;
  int renamed;      /* the batch has a creation, deletion, rename or folder: wait for quiet */
  size_t unclosed;  /* pending paths not closed after writing since they were added */
  uint64_t last_cb_ms; /* when the last batch was delivered */

  /* closed writes (Linux): an inotify instance reporting only IN_CLOSE_WRITE, or -1 */
  int closed_fd;
  uv_poll_t closed_poll;
  int closed_poll_init;
  S_map by_wd; /* watch descriptor -> S_dir */

  /* polling mode */
  int polling;
  unsigned poll_ms;
  uv_timer_t poll;
  int poll_init;
  S_snap snap;
  uv_work_t work;
  int scanning;
  int scan_rc;
  S_snap scan;

  /* closing */
  int closing;
  unsigned closes; /* handles whose close callback has not run yet */
  void (*done)(void *);
  void *done_ud;
};

static void S_maybe_finish(folio_watch *w);
static int S_fallback(folio_watch *w, int why, int at_start);

/* ---------------------------------------------------------------------------------------------
 * Coalescing: the pending set and the debounce timer
 * ------------------------------------------------------------------------------------------- */

static void S_free_pending(folio_watch *w)
{
  for (size_t i = 0; i < w->pending.cap; i++) {
    const void *k = w->pending.slots[i].key;
    if (k != NULL && k != S_TOMB)
      free((void *)k);
  }
  S_map_free(&w->pending);
}

static int S_cmp_str(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void S_on_debounce(uv_timer_t *t)
{
  folio_watch *w = S_CONTAINER(t, folio_watch, debounce);
  w->armed = 0;
  if (w->closing || (w->pending.live == 0 && !w->overflow))
    return;
  /* Detach the pending set first: the callback may close the watcher or cause new events. */
  S_map taken = w->pending;
  int overflow = w->overflow;
  memset(&w->pending, 0, sizeof w->pending);
  w->overflow = 0;
  w->renamed = 0;
  w->unclosed = 0;
  w->last_cb_ms = uv_now(w->loop);
  size_t n = taken.live;
  const char **list = malloc((n ? n : 1) * sizeof *list);
  if (!list) {
    overflow = 1;
    n = 0;
  } else {
    size_t k = 0;
    for (size_t i = 0; i < taken.cap; i++)
      if (taken.slots[i].key != NULL && taken.slots[i].key != S_TOMB)
        list[k++] = taken.slots[i].key;
    qsort(list, n, sizeof *list, S_cmp_str);
  }
  w->cb(w->ud, list, n, overflow);
  free(list);
  for (size_t i = 0; i < taken.cap; i++)
    if (taken.slots[i].key != NULL && taken.slots[i].key != S_TOMB)
      free((void *)taken.slots[i].key);
  S_map_free(&taken);
}

/* A batch of files written in place and closed since, with nothing else in it. */
static int S_settled(const folio_watch *w)
{
  return w->pending.live > 0 && w->unclosed == 0 && !w->renamed && !w->overflow;
}

/* (Re)arms the debounce timer: `debounce_ms` from now, but no later than 10x that after the
 * first change of the batch. A settled batch goes out at once, or `debounce_ms` after the last
 * delivery if that is later (a file rewritten over and over is still coalesced). */
static void S_kick(folio_watch *w)
{
  if (w->closing)
    return;
  uint64_t now = uv_now(w->loop);
  if (!w->armed) {
    w->armed = 1;
    w->first_ms = now;
  }
  uint64_t deadline = w->first_ms + (uint64_t)w->debounce_ms * S_MAX_WAIT_FACTOR;
  uint64_t at = now + w->debounce_ms;
  if (S_settled(w)) {
    at = w->last_cb_ms + w->debounce_ms;
    if (at < now)
      at = now;
  }
  if (at > deadline)
    at = deadline;
  /* uv_timer_start only fails on a closing handle, which `closing` already rules out. */
  (void)uv_timer_start(&w->debounce, S_on_debounce, at > now ? at - now : 0, 0);
}

static void S_set_overflow(folio_watch *w)
{
  w->overflow = 1;
  S_kick(w);
}

/* Records a changed path (copied). Out of memory or past the cap, the batch overflows. */
static void S_add(folio_watch *w, const char *rel)
{
  if (w->closing)
    return;
  size_t len = strlen(rel);
  if (!S_map_find(&w->pending, rel, len)) {
    char *copy = NULL;
    if (w->pending.live >= FOLIO_WATCH_MAX_PATHS || !(copy = S_strdup(rel)) ||
        S_map_add(&w->pending, copy, len, NULL) != 0) {
      free(copy);
      w->overflow = 1;
    } else {
      w->unclosed++;
    }
  }
  S_kick(w);
}

/* `rel` was closed after writing: its change is complete. */
static void S_add_closed(folio_watch *w, const char *rel)
{
  if (w->closing)
    return;
  S_slot *s = S_map_find(&w->pending, rel, strlen(rel));
  if (!s) {
    S_add(w, rel);
    s = S_map_find(&w->pending, rel, strlen(rel));
  }
  if (s && s->val != S_CLOSED) {
    s->val = S_CLOSED;
    w->unclosed--;
  }
  S_kick(w);
}

/* ---------------------------------------------------------------------------------------------
 * inotify mode: one uv_fs_event_t per directory
 * ------------------------------------------------------------------------------------------- */

static int S_is_top(const char *rel)
{
  return strchr(rel, '/') == NULL;
}

/* The top-level names may be symbolic links to a folder elsewhere; nothing below is followed. */
static int S_stat_rel(const folio_watch *w, const char *rel, struct stat *st)
{
  char *abs = S_join(w->root, rel);
  if (!abs)
    return UV_ENOMEM;
  int r = S_is_top(rel) ? stat(abs, st) : lstat(abs, st);
  int e = errno;
  free(abs);
  return r == 0 ? 0 : -e;
}

static S_id S_id_of(const struct stat *st)
{
  S_id id;
  memset(&id, 0, sizeof id); /* the struct is hashed as bytes */
  id.dev = st->st_dev;
  id.ino = st->st_ino;
  return id;
}

static void S_dir_closed(uv_handle_t *h)
{
  S_dir *d = S_CONTAINER(h, S_dir, ev);
  folio_watch *w = d->w;
  free(d->rel);
  free(d);
  w->closes--;
  S_maybe_finish(w);
}

/* Adds d's watch to the closed-writes instance (none if the kernel refuses: its files then
 * wait for quiet like any change). Two directories may be one inode (moved, not yet seen):
 * the watch is then the newer one's. */
static void S_watch_closed(folio_watch *w, S_dir *d, const char *abs)
{
  d->wd = -1;
#ifdef __linux__
  if (w->closed_fd < 0)
    return;
  int wd = inotify_add_watch(w->closed_fd, abs, IN_CLOSE_WRITE | IN_ONLYDIR);
  if (wd < 0)
    return;
  d->wd = wd;
  S_slot *s = S_map_find(&w->by_wd, &wd, sizeof wd);
  if (s) {
    ((S_dir *)s->val)->wd = -1;
    s->key = &d->wd;
    s->val = d;
  } else if (S_map_add(&w->by_wd, &d->wd, sizeof d->wd, d) != 0) {
    inotify_rm_watch(w->closed_fd, wd);
    d->wd = -1;
  }
#else
  (void)w;
  (void)abs;
#endif
}

static void S_unwatch_closed(folio_watch *w, S_dir *d)
{
#ifdef __linux__
  if (d->wd >= 0) {
    S_map_del(&w->by_wd, &d->wd, sizeof d->wd);
    inotify_rm_watch(w->closed_fd, d->wd);
    d->wd = -1;
  }
#else
  (void)w;
  (void)d;
#endif
}

static void S_unwatch(folio_watch *w, S_dir *d)
{
  if (!d->live)
    return;
  d->live = 0;
  S_unwatch_closed(w, d);
  if (!d->is_root) {
    S_map_del(&w->by_path, d->rel, strlen(d->rel));
    S_map_del(&w->by_id, &d->id, sizeof d->id);
  }
  if (d->prev)
    d->prev->next = d->next;
  else
    w->dirs = d->next;
  if (d->next)
    d->next->prev = d->prev;
  w->nwatches--;
  w->closes++;
  uv_close((uv_handle_t *)&d->ev, S_dir_closed);
}

/* Drops the watches on `rel` and on every directory below it. */
static void S_unwatch_under(folio_watch *w, const char *rel)
{
  size_t len = strlen(rel);
  S_slot *s = S_map_find(&w->by_path, rel, len);
  if (!s)
    return; /* nothing below an unwatched directory is watched */
  S_unwatch(w, s->val);
  S_dir *next;
  for (S_dir *d = w->dirs; d; d = next) {
    next = d->next;
    if (!d->is_root && strncmp(d->rel, rel, len) == 0 && d->rel[len] == '/')
      S_unwatch(w, d);
  }
}

static void S_on_fs_event(uv_fs_event_t *h, const char *filename, int events, int status);

/* Watches one directory. 0; UV_ENOSPC/UV_EMFILE when the kernel refuses (caller falls back to
 * polling); UV_ENOMEM; or another error for this directory only (it vanished, no access). */
static int S_watch_one(folio_watch *w, const char *rel, const struct stat *st, int is_root)
{
  S_dir *d = calloc(1, sizeof *d);
  if (!d)
    return UV_ENOMEM;
  d->w = w;
  d->is_root = is_root;
  d->wd = -1;
  d->id = S_id_of(st);
  d->rel = S_strdup(rel);
  char *abs = S_join(w->root, rel);
  if (!d->rel || !abs) {
    free(abs);
    free(d->rel);
    free(d);
    return UV_ENOMEM;
  }
  int rc = uv_fs_event_init(w->loop, &d->ev);
  if (rc != 0) {
    free(abs);
    free(d->rel);
    free(d);
    return rc;
  }
  if (w->limit >= 0 && w->nwatches >= (size_t)w->limit)
    rc = UV_ENOSPC;
  else
    rc = uv_fs_event_start(&d->ev, S_on_fs_event, is_root ? w->root : abs, 0);
  if (rc == 0)
    S_watch_closed(w, d, is_root ? w->root : abs);
  free(abs);
  if (rc == 0 && !is_root) {
    rc = S_map_add(&w->by_path, d->rel, strlen(d->rel), d);
    if (rc == 0 && (rc = S_map_add(&w->by_id, &d->id, sizeof d->id, d)) != 0)
      S_map_del(&w->by_path, d->rel, strlen(d->rel));
  }
  if (rc != 0) {
    S_unwatch_closed(w, d);
    w->closes++;
    uv_close((uv_handle_t *)&d->ev, S_dir_closed);
    return rc;
  }
  d->live = 1;
  d->next = w->dirs;
  if (w->dirs)
    w->dirs->prev = d;
  w->dirs = d;
  w->nwatches++;
  return 0;
}

/* Is the watched directory still at its path (same device and inode)? */
static int S_still_there(const folio_watch *w, const S_dir *d)
{
  struct stat st;
  if (S_stat_rel(w, d->rel, &st) != 0 || !S_ISDIR(st.st_mode))
    return 0;
  S_id id = S_id_of(&st);
  return memcmp(&id, &d->id, sizeof id) == 0;
}

typedef struct {
  char **v;
  size_t n, cap;
} S_strvec;

static int S_strvec_push(S_strvec *sv, char *s)
{
  if (!s)
    return UV_ENOMEM;
  char **v = folio_grow(sv->v, &sv->cap, sv->n + 1, sizeof *v, 16);
  if (!v) {
    free(s);
    return UV_ENOMEM;
  }
  sv->v = v;
  sv->v[sv->n++] = s;
  return 0;
}

static void S_strvec_free(S_strvec *sv)
{
  for (size_t i = 0; i < sv->n; i++)
    free(sv->v[i]);
  free(sv->v);
  memset(sv, 0, sizeof *sv);
}

/* Pushes the subdirectories of `rel` onto `todo` and, with `report`, reports its files. */
static int S_list_dir(folio_watch *w, const char *rel, S_strvec *todo, int report)
{
  char *abs = S_join(w->root, rel);
  if (!abs)
    return UV_ENOMEM;
  DIR *dir = opendir(abs);
  free(abs);
  if (!dir) /* vanished or unreadable: see S_watch_tree */
    return 0;
  int rc = 0;
  struct dirent *de = NULL;
  while (rc == 0 && (errno = 0, de = readdir(dir)) != NULL) {
    if (S_ignored(de->d_name))
      continue;
    char *child = S_join(rel, de->d_name);
    if (!child) {
      rc = UV_ENOMEM;
      break;
    }
    int is_dir = de->d_type == DT_DIR;
    if (de->d_type == DT_UNKNOWN) {
      struct stat st;
      is_dir = S_stat_rel(w, child, &st) == 0 && S_ISDIR(st.st_mode);
    }
    if (is_dir) {
      rc = S_strvec_push(todo, child);
    } else {
      if (report)
        S_add(w, child);
      free(child);
    }
  }
  if (rc == 0 && de == NULL && errno != 0 && report)
    S_set_overflow(w); /* the listing is incomplete: files may have been missed */
  if (closedir(dir) != 0 && rc == 0 && report)
    S_set_overflow(w);
  return rc;
}

/* Watches directory `rel` and everything below it; with `report`, reports the files found
 * (a directory created or moved in after start). Each directory is watched before it is read,
 * so a file created meanwhile is either listed or announced by an event. Returns 0,
 * UV_ENOMEM, or UV_ENOSPC/UV_EMFILE (the caller falls back to polling). */
static int S_watch_tree(folio_watch *w, const char *rel, int report)
{
  S_strvec todo = {0};
  int rc = S_strvec_push(&todo, S_strdup(rel));
  while (rc == 0 && todo.n > 0) {
    char *cur = todo.v[--todo.n];
    struct stat st;
    int r = S_stat_rel(w, cur, &st);
    if (r == UV_ENOMEM) {
      rc = r;
    } else if (r == 0 && !S_ISDIR(st.st_mode)) {
      if (report)
        S_add(w, cur);
    } else if (r == 0) {
      S_id id = S_id_of(&st);
      S_slot *seen = S_map_find(&w->by_id, &id, sizeof id);
      if (seen && !S_still_there(w, seen->val)) {
        /* Moved here from a path whose event we have not read yet. */
        char *old = S_strdup(((S_dir *)seen->val)->rel);
        if (!old) {
          rc = UV_ENOMEM;
        } else {
          S_unwatch_under(w, old);
          free(old);
          seen = NULL;
        }
      }
      if (rc == 0 && !seen) { /* a directory seen twice is a bind-mount loop or a duplicate */
        r = S_watch_one(w, cur, &st, 0);
        if (r == UV_ENOMEM || r == UV_ENOSPC || r == UV_EMFILE)
          rc = r;
        else if (r == 0)
          rc = S_list_dir(w, cur, &todo, report);
        /* Any other error (the folder vanished, no access) skips it: its parent's watch
         * reports a removal, and an unreadable folder cannot be built either. */
      }
    }
    free(cur);
  }
  S_strvec_free(&todo);
  return rc;
}

/* Something happened to `rel`: look at what is there now. */
static void S_handle_path(folio_watch *w, const char *rel)
{
  struct stat st;
  int r = S_stat_rel(w, rel, &st);
  if (r == UV_ENOMEM) {
    S_set_overflow(w);
    return;
  }
  if (r != 0 || !S_ISDIR(st.st_mode)) {
    S_unwatch_under(w, rel); /* in case it was a directory */
    S_add(w, rel);
    return;
  }
  w->renamed = 1;
  S_slot *s = S_map_find(&w->by_path, rel, strlen(rel));
  if (s) {
    S_id id = S_id_of(&st);
    if (memcmp(&id, &((S_dir *)s->val)->id, sizeof id) == 0)
      return; /* an attribute change of a watched directory: its own watch reports its files */
    S_unwatch_under(w, rel); /* replaced by another directory */
  }
  r = S_watch_tree(w, rel, 1);
  if (r == UV_ENOSPC || r == UV_EMFILE)
    S_fallback(w, r, 0);
  else if (r != 0)
    S_set_overflow(w);
}

static int S_is_watched_name(const folio_watch *w, const char *name)
{
  for (size_t i = 0; i < w->nnames; i++)
    if (strcmp(w->names[i], name) == 0)
      return 1;
  return 0;
}

static const char *S_basename(const char *path, size_t *len)
{
  size_t n = strlen(path);
  while (n > 1 && path[n - 1] == '/')
    n--;
  size_t b = n;
  while (b > 0 && path[b - 1] != '/')
    b--;
  *len = n - b;
  return path + b;
}

static void S_on_fs_event(uv_fs_event_t *h, const char *filename, int events, int status)
{
  S_dir *d = S_CONTAINER(h, S_dir, ev);
  folio_watch *w = d->w;
  if (!d->live || w->closing || w->polling)
    return;
  if (status < 0 || filename == NULL) {
    S_set_overflow(w);
    return;
  }
  if (S_ignored(filename) || (d->is_root && !S_is_watched_name(w, filename)))
    return;
  char *rel = S_join(d->rel, filename);
  if (!rel) {
    S_set_overflow(w);
    return;
  }
  /* libuv names an event on the watched directory itself (deleted, moved, chmod) by the
   * directory's own base name, which looks like a child of that name. The parent's watch sees
   * the same change, so such self events are dropped: the child must be missing and, for a
   * rename-type event, the directory itself gone or replaced. */
  size_t blen;
  const char *base = S_basename(d->is_root ? w->root : d->rel, &blen);
  if (strlen(filename) == blen && memcmp(filename, base, blen) == 0) {
    struct stat st;
    if (S_stat_rel(w, rel, &st) == UV_ENOENT &&
        (!(events & UV_RENAME) || d->is_root || !S_still_there(w, d))) {
      free(rel);
      return;
    }
  }
  if (events & UV_RENAME)
    w->renamed = 1;
  S_handle_path(w, rel);
  free(rel);
}

#ifdef __linux__
/* The closed-writes instance is readable: mark each file closed after writing. */
static void S_on_closed(uv_poll_t *h, int status, int events)
{
  folio_watch *w = h->data;
  (void)events;
  if (status < 0 || w->closing)
    return;
  char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
  for (;;) {
    ssize_t n = read(w->closed_fd, buf, sizeof buf);
    if (n <= 0)
      return; /* EAGAIN: all read */
    for (char *p = buf; p < buf + n;) {
      const struct inotify_event *ev = (const struct inotify_event *)(void *)p;
      p += sizeof *ev + ev->len;
      S_slot *s = S_map_find(&w->by_wd, &ev->wd, sizeof ev->wd);
      S_dir *d = s ? s->val : NULL;
      if (!d || !(ev->mask & IN_CLOSE_WRITE) || ev->len == 0 || !d->live || w->polling)
        continue;
      if (S_ignored(ev->name) || (d->is_root && !S_is_watched_name(w, ev->name)))
        continue;
      char *rel = S_join(d->rel, ev->name);
      if (!rel) {
        S_set_overflow(w);
        return;
      }
      S_add_closed(w, rel);
      free(rel);
    }
  }
}
#endif

/* ---------------------------------------------------------------------------------------------
 * Polling mode: snapshots of the tree, taken on the thread pool and diffed on the loop
 * ------------------------------------------------------------------------------------------- */

static void S_snap_free(S_snap *s)
{
  for (size_t i = 0; i < s->n; i++)
    free(s->v[i].rel);
  free(s->v);
  memset(s, 0, sizeof *s);
}

static int S_snap_push(S_snap *s, char *rel, const struct stat *st)
{
  if (!rel)
    return UV_ENOMEM;
  S_ent *v = folio_grow(s->v, &s->cap, s->n + 1, sizeof *v, 64);
  if (!v) {
    free(rel);
    return UV_ENOMEM;
  }
  s->v = v;
  S_ent *e = &s->v[s->n++];
  e->rel = rel;
  e->mtime_sec = (int64_t)st->st_mtim.tv_sec;
  e->mtime_nsec = st->st_mtim.tv_nsec;
  e->size = st->st_size;
  e->id = S_id_of(st);
  e->type = st->st_mode & S_IFMT;
  return 0;
}

static int S_cmp_ent(const void *a, const void *b)
{
  return strcmp(((const S_ent *)a)->rel, ((const S_ent *)b)->rel);
}

/* Lists every watched name and everything below it into `out` (sorted by path). Runs on a
 * thread-pool thread: it reads only w->root and w->names, which never change. */
static int S_scan(const folio_watch *w, S_snap *out)
{
  memset(out, 0, sizeof *out);
  S_strvec todo = {0};
  S_map seen = {0}; /* directory ids, to stop at bind-mount loops; keys owned here */
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < w->nnames; i++)
    rc = S_strvec_push(&todo, S_strdup(w->names[i]));
  while (rc == 0 && todo.n > 0) {
    char *cur = todo.v[--todo.n];
    struct stat st;
    int r = S_stat_rel(w, cur, &st);
    if (r == UV_ENOMEM) {
      rc = r;
      free(cur);
      continue;
    }
    if (r != 0) { /* vanished meanwhile, or unreadable */
      free(cur);
      continue;
    }
    int is_dir = S_ISDIR(st.st_mode);
    if (is_dir) {
      S_id id = S_id_of(&st);
      if (S_map_find(&seen, &id, sizeof id)) {
        free(cur);
        continue;
      }
      S_id *key = malloc(sizeof *key);
      if (key)
        *key = id;
      if (!key || S_map_add(&seen, key, sizeof *key, NULL) != 0) {
        free(key);
        free(cur);
        rc = UV_ENOMEM;
        continue;
      }
    }
    char *abs = is_dir ? S_join(w->root, cur) : NULL;
    rc = S_snap_push(out, cur, &st); /* takes `cur` */
    if (rc != 0 || !is_dir) {
      free(abs);
      continue;
    }
    if (!abs) {
      rc = UV_ENOMEM;
      continue;
    }
    DIR *dir = opendir(abs);
    free(abs);
    if (!dir) /* vanished meanwhile, or unreadable: listed as an empty folder */
      continue;
    struct dirent *de;
    while (rc == 0 && (errno = 0, de = readdir(dir)) != NULL) {
      if (!S_ignored(de->d_name))
        rc = S_strvec_push(&todo, S_join(out->v[out->n - 1].rel, de->d_name));
    }
    if (rc == 0 && errno != 0)
      rc = -errno; /* an incomplete listing would look like deleted files */
    if (closedir(dir) != 0 && rc == 0)
      rc = -errno;
  }
  for (size_t i = 0; i < seen.cap; i++)
    if (seen.slots[i].key != NULL && seen.slots[i].key != S_TOMB)
      free((void *)seen.slots[i].key);
  S_map_free(&seen);
  S_strvec_free(&todo);
  if (rc != 0)
    S_snap_free(out);
  else
    qsort(out->v, out->n, sizeof *out->v, S_cmp_ent);
  return rc;
}

/* Reports what differs between two sorted snapshots. A new directory is not itself reported
 * (its files are); a vanished one is. */
static void S_diff(folio_watch *w, const S_snap *a, const S_snap *b)
{
  size_t i = 0, j = 0;
  while (i < a->n || j < b->n) {
    int c = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->v[i].rel, b->v[j].rel);
    if (c < 0) {
      S_add(w, a->v[i++].rel);
    } else if (c > 0) {
      if (b->v[j].type != S_IFDIR)
        S_add(w, b->v[j].rel);
      j++;
    } else {
      const S_ent *x = &a->v[i++], *y = &b->v[j++];
      if (x->type != y->type)
        S_add(w, y->rel);
      else if (y->type != S_IFDIR &&
               (x->mtime_sec != y->mtime_sec || x->mtime_nsec != y->mtime_nsec ||
                x->size != y->size || memcmp(&x->id, &y->id, sizeof x->id) != 0))
        S_add(w, y->rel);
    }
  }
}

static void S_scan_work(uv_work_t *req)
{
  folio_watch *w = S_CONTAINER(req, folio_watch, work);
  w->scan_rc = S_scan(w, &w->scan);
}

static void S_scan_done(uv_work_t *req, int status)
{
  folio_watch *w = S_CONTAINER(req, folio_watch, work);
  w->scanning = 0;
  if (w->closing || status != 0) {
    S_snap_free(&w->scan);
    S_maybe_finish(w);
    return;
  }
  if (w->scan_rc != 0) {
    S_set_overflow(w);
    return;
  }
  S_diff(w, &w->snap, &w->scan);
  S_snap_free(&w->snap);
  w->snap = w->scan;
  memset(&w->scan, 0, sizeof w->scan);
}

static void S_on_poll(uv_timer_t *t)
{
  folio_watch *w = S_CONTAINER(t, folio_watch, poll);
  if (w->closing || w->scanning)
    return;
  w->scanning = 1;
  if (uv_queue_work(w->loop, &w->work, S_scan_work, S_scan_done) != 0)
    w->scanning = 0;
}

/* Starts the poll timer, then takes the first snapshot. If that fails (out of memory) at run
 * time, the snapshot stays empty: the next scan then reports every file, which overflows. */
static int S_start_polling(folio_watch *w)
{
  int rc = 0;
  if (!w->poll_init) {
    if ((rc = uv_timer_init(w->loop, &w->poll)) != 0)
      return rc;
    w->poll_init = 1;
  }
  w->polling = 1;
  if ((rc = uv_timer_start(&w->poll, S_on_poll, w->poll_ms, w->poll_ms)) != 0)
    return rc;
  return S_scan(w, &w->snap);
}

/* The kernel refused a watch: say once per process how to raise the limit, drop every watch and
 * poll instead. Changes made while switching may be missed, so a running watcher overflows. */
static int S_fallback(folio_watch *w, int why, int at_start)
{
  static int told;
  if (!told) {
    told = 1;
    if (why == UV_EMFILE)
      fprintf(stderr,
              "folio: the system refused to open another file watcher (%s: too many inotify\n"
              "  instances or open files); watching by polling every %u ms instead.\n"
              "  To fix: sudo sysctl fs.inotify.max_user_instances=1024 (or raise `ulimit -n`);\n"
              "  to make it permanent: echo fs.inotify.max_user_instances=1024 |\n"
              "    sudo tee /etc/sysctl.d/90-folio-inotify.conf && sudo sysctl --system\n",
              uv_err_name(why), w->poll_ms);
    else
      fprintf(stderr,
              "folio: the system refused more file watches (%s: the inotify limit\n"
              "  fs.inotify.max_user_watches is reached); watching by polling every %u ms\n"
              "  instead.\n"
              "  To fix: sudo sysctl fs.inotify.max_user_watches=524288\n"
              "  to make it permanent: echo fs.inotify.max_user_watches=524288 |\n"
              "    sudo tee /etc/sysctl.d/90-folio-inotify.conf && sudo sysctl --system\n",
              uv_err_name(why), w->poll_ms);
  }
  while (w->dirs)
    S_unwatch(w, w->dirs);
  int rc = S_start_polling(w);
  if (!at_start) {
    if (rc != 0)
      fprintf(stderr, "folio: watching by polling failed to start: %s\n", uv_strerror(rc));
    S_set_overflow(w);
  }
  return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Public API
 * ------------------------------------------------------------------------------------------- */

static void S_free_all(folio_watch *w)
{
  S_free_pending(w);
  S_map_free(&w->by_path);
  S_map_free(&w->by_id);
  S_map_free(&w->by_wd);
  S_snap_free(&w->snap);
  S_snap_free(&w->scan);
  for (size_t i = 0; i < w->nnames; i++)
    free(w->names[i]);
  free(w->names);
  free(w->root);
  free(w);
}

static void S_maybe_finish(folio_watch *w)
{
  if (!w->closing || w->closes > 0 || w->scanning)
    return;
  void (*done)(void *) = w->done;
  void *done_ud = w->done_ud;
  S_free_all(w);
  if (done)
    done(done_ud);
}

static void S_timer_closed(uv_handle_t *h)
{
  folio_watch *w = h->data;
  w->closes--;
  S_maybe_finish(w);
}

static void S_closed_poll_closed(uv_handle_t *h)
{
  folio_watch *w = h->data;
  close(w->closed_fd);
  w->closed_fd = -1;
  w->closes--;
  S_maybe_finish(w);
}

void folio_watch_close(folio_watch *w, void (*done)(void *), void *done_ud)
{
  if (!w || w->closing)
    return;
  w->closing = 1;
  w->done = done;
  w->done_ud = done_ud;
  while (w->dirs)
    S_unwatch(w, w->dirs);
  w->closes++;
  uv_close((uv_handle_t *)&w->debounce, S_timer_closed);
  if (w->closed_poll_init) {
    w->closes++;
    uv_close((uv_handle_t *)&w->closed_poll, S_closed_poll_closed);
  }
  if (w->poll_init) {
    w->closes++;
    uv_close((uv_handle_t *)&w->poll, S_timer_closed);
  }
  if (w->scanning)
    (void)uv_cancel((uv_req_t *)&w->work); /* fails if already running: S_scan_done then frees */
}

const char *folio_watch_mode(const folio_watch *w)
{
  if (w->polling)
    return "polling";
#ifdef __linux__
  return "inotify";
#else
  return "events";
#endif
}

static long S_env_long(const char *name, long dflt)
{
  const char *s = getenv(name);
  if (!s || !*s)
    return dflt;
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  return errno == 0 && *end == '\0' && v >= 0 ? v : dflt;
}

static int S_set_names(folio_watch *w, const char *const *roots, char *err, size_t errlen)
{
  static const char *const defaults[] = {"content", "static", "layouts", "scripts",
                                         "themes", "site.lua", NULL};
  if (!roots)
    roots = defaults;
  size_t n = 0;
  while (roots[n])
    n++;
  w->names = calloc(n + 2, sizeof *w->names);
  if (!w->names)
    return UV_ENOMEM;
  int have_site = 0;
  for (size_t i = 0; i < n; i++) {
    const char *r = roots[i];
    if (!*r || strchr(r, '/') || strcmp(r, ".") == 0 || strcmp(r, "..") == 0) {
      snprintf(err, errlen, "folio watch: \"%s\" is not a single name under the site root", r);
      return UV_EINVAL;
    }
    if (S_is_watched_name(w, r))
      continue;
    if (!(w->names[w->nnames] = S_strdup(r)))
      return UV_ENOMEM;
    w->nnames++;
    have_site |= strcmp(r, "site.lua") == 0;
  }
  if (!have_site) {
    if (!(w->names[w->nnames] = S_strdup("site.lua")))
      return UV_ENOMEM;
    w->nnames++;
  }
  return 0;
}

/* The closed-writes instance; without it (not Linux, or refused) every batch waits for quiet. */
static void S_start_closed(folio_watch *w)
{
#ifdef __linux__
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0)
    return;
  if (uv_poll_init(w->loop, &w->closed_poll, fd) != 0) {
    close(fd);
    return;
  }
  w->closed_poll.data = w;
  w->closed_poll_init = 1;
  w->closed_fd = fd;
  if (uv_poll_start(&w->closed_poll, UV_READABLE, S_on_closed) != 0)
    w->closed_fd = fd; /* still closed with the handle; its watches are never read */
#else
  (void)w;
#endif
}

/* Watches the root and every top-level folder that exists. */
static int S_start_inotify(folio_watch *w)
{
  S_start_closed(w);
  struct stat st;
  if (stat(w->root, &st) != 0)
    return -errno;
  int rc = S_watch_one(w, "", &st, 1);
  for (size_t i = 0; rc == 0 && i < w->nnames; i++) {
    if (S_stat_rel(w, w->names[i], &st) == 0 && S_ISDIR(st.st_mode))
      rc = S_watch_tree(w, w->names[i], 0);
  }
  if (rc == UV_ENOSPC || rc == UV_EMFILE)
    rc = S_fallback(w, rc, 1);
  return rc;
}

int folio_watch_start(uv_loop_t *loop, const char *root, const char *const *roots_to_watch,
                      unsigned debounce_ms, folio_watch_cb cb, void *ud, folio_watch **out,
                      char *err, size_t errlen)
{
  char dummy[1];
  if (!err || errlen == 0) {
    err = dummy;
    errlen = sizeof dummy;
  }
  err[0] = '\0';
  if (out)
    *out = NULL;
  if (!loop || !root || !*root || !cb || !out) {
    snprintf(err, errlen, "folio watch: missing argument");
    return UV_EINVAL;
  }
  struct stat st;
  if (stat(root, &st) != 0) {
    int e = -errno;
    snprintf(err, errlen, "folio watch: %s: %s", root, uv_strerror(e));
    return e;
  }
  if (!S_ISDIR(st.st_mode)) {
    snprintf(err, errlen, "folio watch: %s: not a directory", root);
    return UV_ENOTDIR;
  }
  folio_watch *w = calloc(1, sizeof *w);
  if (!w) {
    snprintf(err, errlen, "folio watch: out of memory");
    return UV_ENOMEM;
  }
  w->loop = loop;
  w->closed_fd = -1;
  w->debounce_ms = debounce_ms;
  w->cb = cb;
  w->ud = ud;
  w->limit = S_env_long("FOLIO_WATCH_LIMIT", -1);
  w->poll_ms = (unsigned)S_env_long("FOLIO_WATCH_POLL_MS", S_DEFAULT_POLL_MS);
  if (w->poll_ms == 0)
    w->poll_ms = 1;
  int rc = (w->root = S_strdup(root)) ? S_set_names(w, roots_to_watch, err, errlen) : UV_ENOMEM;
  if (rc == 0)
    rc = uv_timer_init(loop, &w->debounce);
  if (rc != 0) {
    if (!err[0])
      snprintf(err, errlen, "folio watch: %s", uv_strerror(rc));
    S_free_all(w);
    return rc;
  }
  w->debounce.data = w;
  w->poll.data = w;
  const char *force = getenv("FOLIO_WATCH_POLL");
  if (force && *force && strcmp(force, "0") != 0)
    rc = S_start_polling(w);
  else
    rc = S_start_inotify(w);
  if (rc != 0) {
    snprintf(err, errlen, "folio watch: %s: %s", root, uv_strerror(rc));
    folio_watch_close(w, NULL, NULL);
    return rc;
  }
  *out = w;
  return 0;
}

/* cache.c: the build cache's store (see cache.h), on LMDB. Every value is stored behind the
 * 16-byte hash of its bytes, so a damaged entry reads as a miss instead of wrong output; the
 * record under FORMAT_KEY names the format, so another version's store is never read. */
#include "core/cache.h"
#include "core/hash.h"
#include <errno.h>
#include <lmdb.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Page paths never start with a NUL byte, so this key is the store's own. */
static const char FORMAT_KEY[] = "\0folio-cache-format";
#define FORMAT_KEY_LEN (sizeof FORMAT_KEY - 1)
#define CHECK_LEN 16 /* the folio_hash128 before each value */

typedef struct {
  void *key, *value;
  size_t key_len, len;
} S_entry;

struct folio_cache {
  MDB_env *env;
  MDB_dbi dbi;
  char *format;
  atomic_int foreign; /* the store holds another format's entries: not read, emptied at commit */
  pthread_mutex_t lock; /* guards the queue */
  S_entry *queue;
  size_t queued, queue_cap, queued_bytes;
  pthread_mutex_t write_lock; /* one commit at a time in this process */
  char early_error[256];      /* a commit made by folio_cache_put that failed, for the last commit */
};

/* A queue this large is written at once (by the worker that fills it), so a cold build does not
 * hold a copy of the whole cache in memory. */
#define S_QUEUE_LIMIT ((size_t)32 << 20)

struct folio_cache_reader {
  folio_cache *cache;
  MDB_txn *txn; /* reset between lookups: it holds no snapshot while idle */
};

/* mkdir -p; returns 0 or -1 with errno set. */
static int S_make_dirs(const char *dir)
{
  char path[PATH_MAX];
  if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
    errno = ENAMETOOLONG;
    return -1;
  }
  for (char *p = path + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
      return -1;
    *p = '/';
  }
  if (mkdir(path, 0755) != 0 && errno != EEXIST)
    return -1;
  return 0;
}

/* Whether the data file is at least as long as the pages its header says it has: a truncated
 * copy (a cache restore cut short) would otherwise fault when read. */
static int S_whole_file(MDB_env *env, const char *dir)
{
  MDB_envinfo info;
  MDB_stat st;
  char path[PATH_MAX];
  struct stat fst;
  if (mdb_env_info(env, &info) != 0 || mdb_env_stat(env, &st) != 0)
    return 0;
  snprintf(path, sizeof path, "%s/data.mdb", dir);
  if (stat(path, &fst) != 0)
    return 0;
  return (uint64_t)fst.st_size >= ((uint64_t)info.me_last_pgno + 1) * st.ms_psize;
}

/* Opens the environment with the largest map the process can reserve (address space, not disk:
 * the file grows as needed; valgrind, say, allows less); returns 0 or an LMDB / errno code. */
static int S_open_env(folio_cache *c, const char *dir)
{
  int rc = ENOMEM;
  for (int shift = sizeof(size_t) >= 8 ? 36 : 30; shift >= 28; shift -= 2) {
    if ((rc = mdb_env_create(&c->env)) != 0)
      return rc;
    if ((rc = mdb_env_set_mapsize(c->env, (size_t)1 << shift)) == 0 &&
        (rc = mdb_env_set_maxreaders(c->env, 512)) == 0 &&
        (rc = mdb_env_open(c->env, dir, MDB_NOTLS | MDB_NOMETASYNC, 0644)) == 0)
      break;
    mdb_env_close(c->env);
    c->env = NULL;
    if (rc != EINVAL && rc != ENOMEM)
      return rc;
  }
  if (c->env == NULL)
    return rc;
  if (!S_whole_file(c->env, dir)) {
    mdb_env_close(c->env);
    c->env = NULL;
    return MDB_CORRUPTED;
  }
  MDB_txn *txn = NULL;
  if ((rc = mdb_txn_begin(c->env, NULL, MDB_RDONLY, &txn)) != 0 || (rc = mdb_dbi_open(txn, NULL, 0, &c->dbi)) != 0) {
    if (txn) mdb_txn_abort(txn);
    mdb_env_close(c->env);
    c->env = NULL;
    return rc;
  }
  MDB_val key = {FORMAT_KEY_LEN, (void *)FORMAT_KEY}, val;
  int found = mdb_get(txn, c->dbi, &key, &val);
  if (found == 0)
    c->foreign = val.mv_size != strlen(c->format) || memcmp(val.mv_data, c->format, val.mv_size) != 0;
  else
    c->foreign = 1; /* a new store, or one that never finished its first commit */
  if (found == 0 && c->foreign)
    c->foreign = 2;
  mdb_txn_abort(txn);
  return 0;
}

static void S_remove_store(const char *dir)
{
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/data.mdb", dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/lock.mdb", dir);
  unlink(path);
}

folio_cache *folio_cache_open(const char *dir, const char *format, char *warning, size_t warning_len)
{
  warning[0] = '\0';
  if (S_make_dirs(dir) != 0) {
    snprintf(warning, warning_len, "cannot create the build cache folder %s (%s)", dir, strerror(errno));
    return NULL;
  }
  folio_cache *c = calloc(1, sizeof *c);
  if (c == NULL || (c->format = strdup(format)) == NULL) {
    free(c);
    snprintf(warning, warning_len, "out of memory opening the build cache");
    return NULL;
  }
  pthread_mutex_init(&c->lock, NULL);
  pthread_mutex_init(&c->write_lock, NULL);
  int rc = S_open_env(c, dir);
  if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH || rc == MDB_CORRUPTED || rc == MDB_PANIC) {
    snprintf(warning, warning_len, "the build cache in %s is damaged or not one folio made (%s); it was removed "
             "and this build is a cold one", dir, mdb_strerror(rc));
    S_remove_store(dir);
    rc = S_open_env(c, dir);
  }
  if (rc != 0) {
    snprintf(warning, warning_len, "cannot open the build cache in %s (%s); building without it", dir,
             mdb_strerror(rc));
    folio_cache_close(c);
    return NULL;
  }
  if (c->foreign == 2 && warning[0] == '\0')
    snprintf(warning, warning_len, "the build cache in %s was made by another version of folio; it is ignored "
             "and rebuilt by this build", dir);
  return c;
}

static void S_free_entries(S_entry *entries, size_t count)
{
  for (size_t i = 0; i < count; i++) {
    free(entries[i].key);
    free(entries[i].value);
  }
  free(entries);
}

static void S_clear_queue(folio_cache *c)
{
  S_free_entries(c->queue, c->queued);
  c->queue = NULL;
  c->queued = c->queue_cap = c->queued_bytes = 0;
}

void folio_cache_close(folio_cache *c)
{
  if (c == NULL)
    return;
  S_clear_queue(c);
  if (c->env)
    mdb_env_close(c->env);
  pthread_mutex_destroy(&c->lock);
  pthread_mutex_destroy(&c->write_lock);
  free(c->format);
  free(c);
}

folio_cache_reader *folio_cache_reader_new(folio_cache *c)
{
  folio_cache_reader *r = calloc(1, sizeof *r);
  if (r == NULL)
    return NULL;
  r->cache = c;
  if (mdb_txn_begin(c->env, NULL, MDB_RDONLY, &r->txn) != 0) {
    free(r);
    return NULL;
  }
  mdb_txn_reset(r->txn);
  return r;
}

void folio_cache_reader_free(folio_cache_reader *r)
{
  if (r == NULL)
    return;
  mdb_txn_abort(r->txn);
  free(r);
}

int folio_cache_get(folio_cache_reader *r, const void *key, size_t key_len, const void **value, size_t *len)
{
  folio_cache *c = r->cache;
  if (c->foreign || key_len == 0)
    return 0;
  /* the last lookup's value stays valid until now: the snapshot is dropped only here */
  mdb_txn_reset(r->txn);
  if (mdb_txn_renew(r->txn) != 0)
    return 0;
  MDB_val k = {key_len, (void *)key}, v;
  if (mdb_get(r->txn, c->dbi, &k, &v) != 0)
    return 0;
  if (v.mv_size < CHECK_LEN)
    return -1;
  const unsigned char *data = v.mv_data;
  folio_hash128 want, got = folio_hash(data + CHECK_LEN, v.mv_size - CHECK_LEN, (folio_hash128){0, 0});
  memcpy(&want, data, CHECK_LEN);
  if (want.lo != got.lo || want.hi != got.hi)
    return -1;
  *value = data + CHECK_LEN;
  *len = v.mv_size - CHECK_LEN;
  return 1;
}

int folio_cache_put(folio_cache *c, const void *key, size_t key_len, const void *value, size_t len)
{
  S_entry e = {malloc(key_len ? key_len : 1), malloc(len + CHECK_LEN), key_len, len + CHECK_LEN};
  if (e.key == NULL || e.value == NULL) {
    free(e.key);
    free(e.value);
    return -1;
  }
  memcpy(e.key, key, key_len);
  folio_hash128 check = folio_hash(value, len, (folio_hash128){0, 0});
  memcpy(e.value, &check, CHECK_LEN);
  memcpy((char *)e.value + CHECK_LEN, value, len);
  pthread_mutex_lock(&c->lock);
  int rc = 0;
  if (c->queued == c->queue_cap) {
    size_t cap = c->queue_cap ? c->queue_cap * 2 : 256;
    S_entry *bigger = realloc(c->queue, cap * sizeof *bigger);
    if (bigger) {
      c->queue = bigger;
      c->queue_cap = cap;
    } else {
      rc = -1;
    }
  }
  if (rc == 0) {
    c->queue[c->queued++] = e;
    c->queued_bytes += e.key_len + e.len;
  }
  int full = c->queued_bytes >= S_QUEUE_LIMIT;
  pthread_mutex_unlock(&c->lock);
  if (rc != 0) {
    free(e.key);
    free(e.value);
  }
  if (full) {
    char error[256];
    if (folio_cache_commit(c, NULL, NULL, error, sizeof error) != 0) {
      pthread_mutex_lock(&c->lock);
      if (c->early_error[0] == '\0')
        snprintf(c->early_error, sizeof c->early_error, "%s", error);
      pthread_mutex_unlock(&c->lock);
    }
  }
  return rc;
}

/* Deletes the entries `keep` does not accept (never the format record). */
static int S_prune(folio_cache *c, MDB_txn *txn, int (*keep)(const void *, size_t, void *), void *ctx)
{
  MDB_cursor *cur;
  int rc = mdb_cursor_open(txn, c->dbi, &cur);
  if (rc != 0)
    return rc;
  MDB_val k, v;
  for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    int own = k.mv_size == FORMAT_KEY_LEN && memcmp(k.mv_data, FORMAT_KEY, FORMAT_KEY_LEN) == 0;
    if (!own && !keep(k.mv_data, k.mv_size, ctx) && (rc = mdb_cursor_del(cur, 0)) != 0)
      break;
  }
  mdb_cursor_close(cur);
  return rc == MDB_NOTFOUND ? 0 : rc;
}

int folio_cache_commit(folio_cache *c, int (*keep)(const void *key, size_t key_len, void *ctx), void *ctx,
                       char *error, size_t error_len)
{
  pthread_mutex_lock(&c->lock); /* take the queue: workers go on filling a new one */
  S_entry *entries = c->queue;
  size_t count = c->queued;
  c->queue = NULL;
  c->queued = c->queue_cap = c->queued_bytes = 0;
  pthread_mutex_unlock(&c->lock);
  pthread_mutex_lock(&c->write_lock);
  MDB_txn *txn;
  int rc = mdb_txn_begin(c->env, NULL, 0, &txn);
  if (rc == 0 && c->foreign)
    rc = mdb_drop(txn, c->dbi, 0);
  if (rc == 0) {
    MDB_val k = {FORMAT_KEY_LEN, (void *)FORMAT_KEY}, v = {strlen(c->format), c->format};
    rc = mdb_put(txn, c->dbi, &k, &v, 0);
  }
  for (size_t i = 0; rc == 0 && i < count; i++) {
    MDB_val k = {entries[i].key_len, entries[i].key}, v = {entries[i].len, entries[i].value};
    rc = mdb_put(txn, c->dbi, &k, &v, 0);
  }
  if (rc == 0 && keep)
    rc = S_prune(c, txn, keep, ctx);
  if (rc == 0)
    rc = mdb_txn_commit(txn);
  else
    mdb_txn_abort(txn);
  if (rc == 0)
    c->foreign = 0;
  pthread_mutex_unlock(&c->write_lock);
  S_free_entries(entries, count);
  if (rc != 0) {
    snprintf(error, error_len, "cannot write the build cache (%s); the next build may be a cold one", mdb_strerror(rc));
    return -1;
  }
  pthread_mutex_lock(&c->lock);
  int early = c->early_error[0] != '\0';
  if (early) {
    snprintf(error, error_len, "%s", c->early_error);
    c->early_error[0] = '\0';
  }
  pthread_mutex_unlock(&c->lock);
  return early ? -1 : 0;
}

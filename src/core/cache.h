/* cache.h: the persistent build cache, an LMDB store in a folder (default .folio-cache in the
 * site; docs/configuration.md). It maps keys (page paths) to opaque values, each stored with a
 * checksum. The Lua side (src/lua/lx_cache.c, src/lua/folio/buildcache.lua) decides what goes in.
 *
 * Threads: folio_cache_get is called from any worker, each with its own reader; folio_cache_put
 * queues a copy (under a mutex), and writes the queue itself once it holds 32 MiB;
 * folio_cache_commit writes the queue in one transaction (one commit at a time per process). Processes: LMDB's lock file serialises writers and lets readers go on, so two
 * builds sharing the folder never corrupt it (the last one to commit wins for a key). */
#ifndef FOLIO_CACHE_H
#define FOLIO_CACHE_H
#include <stddef.h>

typedef struct folio_cache folio_cache;
typedef struct folio_cache_reader folio_cache_reader;

/* Opens the store in `dir`, creating the folder and the store when missing. `format` names the
 * store's layout and folio's version: a store another format wrote is not read, and is emptied
 * at the next commit. A store LMDB cannot open, or one shorter than its own header says, is
 * removed and made again. Either way one sentence for a warning goes to `warning` (else it is
 * set to ""). Returns NULL, with the reason in `warning`, when no store can be used. */
folio_cache *folio_cache_open(const char *dir, const char *format, char *warning, size_t warning_len);
void folio_cache_close(folio_cache *c);

/* A reader for one thread at a time. NULL when out of memory or LMDB cannot start one. */
folio_cache_reader *folio_cache_reader_new(folio_cache *c);
void folio_cache_reader_free(folio_cache_reader *r);

/* Looks `key` up. Returns 1 and sets *value and *len (valid until the reader's next call) on a hit,
 * 0 on a miss, -1 when the entry's checksum does not match (a damaged store: treat as a miss). */
int folio_cache_get(folio_cache_reader *r, const void *key, size_t key_len, const void **value, size_t *len);

/* Queues key = value (both copied) for the next commit; a full queue is committed at once (a
 * failure there is returned by the next folio_cache_commit). Returns 0, or -1 when out of memory. */
int folio_cache_put(folio_cache *c, const void *key, size_t key_len, const void *value, size_t len);

/* Writes the queued entries (and the format, emptying a foreign store first) in one
 * transaction; the queue is then empty. When `keep` is not NULL, entries whose key it does not
 * accept (keep(key, key_len, ctx) == 0) are deleted in the same transaction (pages that are
 * gone). Returns 0, or -1 with a sentence in `error`. */
int folio_cache_commit(folio_cache *c, int (*keep)(const void *key, size_t key_len, void *ctx), void *ctx,
                       char *error, size_t error_len);

#endif

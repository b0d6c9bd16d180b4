/* content.h: the content store: each page's HTML body (and generated files' bytes) between the
 * process and render phases, kept in C so it is neither copied between Lua states nor held in a
 * Lua heap. Bodies stay in memory up to a budget; past it a batch build writes them to an unlinked
 * file in the staging folder and reads each back when its page is rendered, so a 100,000-post
 * site does not hold every body in memory at once. */
#ifndef FOLIO_CONTENT_H
#define FOLIO_CONTENT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include "core/hash.h"

typedef struct {
  char *mem;      /* the bytes (NUL-terminated) in memory, or NULL */
  int64_t offset; /* else where they are in the spill file; -1: the slot is empty */
  size_t len;
  folio_hash128 hash; /* of the bytes (core/hash.h): tells a warm build whether a body changed */
} folio_content_slot;

typedef struct {
  folio_content_slot *slots;
  size_t count, cap;
  atomic_size_t in_memory;    /* bytes of the bodies held in memory */
  atomic_llong spill_end;     /* the spill file's next free offset */
  size_t budget;              /* bytes kept in memory before bodies go to the spill file */
  int spill_dir;              /* the folder of the spill file; -1: never spill */
  int spill_fd;               /* -1 until the first body is spilled */
  int inherited_fd;           /* folio_content_own_spill: the spill file the slots below */
  size_t inherited_upto;      /* inherited_upto are in (else -1 and 0) */
  pthread_mutex_t spill_lock; /* opening the spill file */
} folio_content_store;

/* An empty store that keeps everything in memory. */
void folio_content_init(folio_content_store *c);
/* Lets bodies past `budget` bytes in memory go to an unlinked file made in the folder `dirfd`
 * (which must stay open while the store is used); `budget` SIZE_MAX: never. The budget comes
 * from FOLIO_CONTENT_BUDGET_KIB when it is set (0 spills every body: for tests). */
void folio_content_spill_in(folio_content_store *c, int dirfd, size_t budget);
/* Slots 0..n-1 exist (new ones empty). 0, or -ENOMEM. Between phases only. */
int folio_content_reserve(folio_content_store *c, size_t n);
/* Slot i holds a copy of data[0..len). Safe from several threads for distinct slots. 0, or a
 * negative errno (-ENOMEM, or the spill file's write error). */
int folio_content_set(folio_content_store *c, size_t i, const char *data, size_t len);
/* Whether slot i holds something; its length in *len. */
int folio_content_has(const folio_content_store *c, size_t i, size_t *len);
/* Slot i's hash (folio_hash of its bytes) into *hash; 0 when the slot is empty. */
int folio_content_hash(const folio_content_store *c, size_t i, folio_hash128 *hash);
/* Slot i's bytes when they are in memory (valid until the slot is set again), else NULL. */
static inline const char *folio_content_in_memory(const folio_content_store *c, size_t i)
{
  return i < c->count ? c->slots[i].mem : NULL;
}
/* Copies slot i's bytes (folio_content_has's length) into `into`. 0, or a negative errno. */
int folio_content_read(const folio_content_store *c, size_t i, char *into);
/* In a process forked from the one that filled the store: the slots set from now on spill to a
 * file of this process's own, so that both processes may add to the store (the slots already
 * set stay readable where they are). */
void folio_content_own_spill(folio_content_store *c);
/* The bytes of every body held, in memory or spilled. */
size_t folio_content_bytes(const folio_content_store *c);
void folio_content_free(folio_content_store *c);

#endif

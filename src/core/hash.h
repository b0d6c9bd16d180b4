/* hash.h: a fast 128-bit hash of bytes, for the build cache's keys and checks (src/core/cache.c).
 * Not cryptographic: it tells apart the sources, configurations and cache entries of one site,
 * where nobody gains from making two of them collide. */
#ifndef FOLIO_HASH_H
#define FOLIO_HASH_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint64_t lo, hi;
} folio_hash128;

/* The hash of `len` bytes at `data`, chained from `seed` (the result of hashing earlier pieces,
 * or {0, 0}): hashing a then b from a's result differs from hashing b then a. */
folio_hash128 folio_hash(const void *data, size_t len, folio_hash128 seed);

/* Writes the hash as 32 lowercase hex digits and a NUL into `out` (33 bytes). */
void folio_hash_hex(folio_hash128 h, char out[33]);

#endif

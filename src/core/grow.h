/* grow.h: the one way folio's C grows an array: doubling, with the size checked for overflow. */
#ifndef FOLIO_GROW_H
#define FOLIO_GROW_H

#include <stdint.h>
#include <stdlib.h>

/* Returns `items` (an array of *cap elements of `size` bytes) with room for at least `need`
 * elements: itself when it has room, else reallocated to double the capacity (`first` elements
 * when empty), *cap updated. On failure (out of memory, or a size that would overflow) returns
 * NULL and leaves `items` and *cap as they were: the caller still owns and frees `items`. */
static inline void *folio_grow(void *items, size_t *cap, size_t need, size_t size, size_t first)
{
  if (need <= *cap)
    return items;
  size_t n = *cap ? *cap : (first ? first : 1);
  while (n < need) {
    if (n > SIZE_MAX / 2)
      return NULL;
    n *= 2;
  }
  if (size && n > SIZE_MAX / size)
    return NULL;
  void *bigger = realloc(items, n * size);
  if (bigger)
    *cap = n;
  return bigger;
}

#endif

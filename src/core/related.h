/* related.h: the posts that share the most terms with a page (scripts/related.lua's ranking),
 * from the inverted index of the terms: for each term, the ranks of the posts that have it. */
#ifndef FOLIO_RELATED_H
#define FOLIO_RELATED_H
#include <stddef.h>
#include <stdint.h>

/* The posts of one term: `len` ranks, ascending (rank 1 is the newest post), each once. The
 * ranks are read with memcpy, so `ranks` need not be aligned (it may be a Lua string). */
typedef struct {
  const unsigned char *ranks; /* len * sizeof(uint32_t) bytes, native byte order */
  size_t len;
} folio_related_list;

/* Writes to `out` the ranks of the (at most) `n` best posts among those in `lists` (`k` lists,
 * one per term of the page), best first, and returns how many. A post ranks above another when it
 * is in more of the lists, or in as many and has the smaller rank (is newer). `self` (0: none) is
 * never among them. Exact, in time linear in the lists' total length whatever their shape (a walk
 * in rank order that stops as soon as no post further down the lists can make the top `n`, given
 * up past a quarter of that length for one pass that counts every post: related.c), and much less
 * when the lists are long and share many posts. `*steps` (may be NULL) gets the number of posts
 * visited (at most 1.25 times the total length, plus 64). Returns -1 when out of memory. */
long folio_related_top(const folio_related_list *lists, size_t k, uint32_t self, size_t n,
                       uint32_t *out, size_t *steps);

#endif

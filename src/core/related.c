/* related.c: top-n posts by shared terms (see related.h). The short lists are scored in full,
 * each post's count completed by binary search in the other lists; the long ones are walked
 * merged in rank order, every post scored exactly when the walk reaches it (each list holds it at
 * most once and all lists are read at the same rank). The walk ends early when a post not yet
 * seen (in at most `live` of the long lists, and no newer than the next rank) cannot beat the
 * n-th best found. */
#include "core/related.h"
#include <stdlib.h>
#include <string.h>

static uint32_t S_rank_at(const folio_related_list *l, size_t i)
{
  uint32_t r;
  memcpy(&r, l->ranks + i * sizeof r, sizeof r);
  return r;
}

/* Whether (score s1, rank r1) ranks above (s2, r2). */
static int S_better(unsigned s1, uint32_t r1, unsigned s2, uint32_t r2)
{
  return s1 > s2 || (s1 == s2 && r1 < r2);
}

/* Puts (rank, score) into the sorted best list of `*count` entries (at most n). */
static void S_offer(uint32_t *best, unsigned *score, size_t *count, size_t n, uint32_t rank, unsigned s)
{
  size_t i = *count;
  if (i == n) {
    if (!S_better(s, rank, score[n - 1], best[n - 1]))
      return;
    i = n - 1;
  } else {
    (*count)++;
  }
  while (i > 0 && S_better(s, rank, score[i - 1], best[i - 1])) {
    best[i] = best[i - 1];
    score[i] = score[i - 1];
    i--;
  }
  best[i] = rank;
  score[i] = s;
}

/* Whether `rank` is in list `l` (binary search: the ranks ascend). */
static int S_has(const folio_related_list *l, uint32_t rank)
{
  size_t lo = 0, hi = l->len;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    uint32_t r = S_rank_at(l, mid);
    if (r == rank)
      return 1;
    if (r < rank)
      lo = mid + 1;
    else
      hi = mid;
  }
  return 0;
}

/* The lists at order[from..to) that hold `rank`. */
static unsigned S_count_in(const folio_related_list *lists, const size_t *order, size_t from, size_t to, uint32_t rank)
{
  unsigned s = 0;
  for (size_t j = from; j < to; j++)
    s += (unsigned)S_has(&lists[order[j]], rank);
  return s;
}

/* Terms with few posts (together at most SMALL) are scored in full first: their posts may sit
 * anywhere down the long lists, where the walk would reach them late. */
enum { SMALL = 256 };

long folio_related_top(const folio_related_list *lists, size_t k, uint32_t self, size_t n,
                       uint32_t *out, size_t *steps)
{
  size_t visited = 0;
  if (steps)
    *steps = 0;
  if (n == 0 || k == 0)
    return 0;
  size_t *order = malloc(k * sizeof *order), *pos = calloc(k, sizeof *pos);
  unsigned *score = malloc(n * sizeof *score);
  if (order == NULL || pos == NULL || score == NULL) {
    free(order);
    free(pos);
    free(score);
    return -1;
  }
  /* the lists, shortest first (insertion sort: a page has few terms) */
  for (size_t j = 0; j < k; j++) {
    size_t i = j;
    while (i > 0 && lists[order[i - 1]].len > lists[j].len) {
      order[i] = order[i - 1];
      i--;
    }
    order[i] = j;
  }
  size_t small = 0, total = 0, count = 0;
  while (small < k && total + lists[order[small]].len <= SMALL)
    total += lists[order[small++]].len;
  /* small lists in full: each post once (in the first small list that has it), scored over all */
  for (size_t j = 0; j < small; j++) {
    const folio_related_list *l = &lists[order[j]];
    for (size_t i = 0; i < l->len; i++) {
      uint32_t r = S_rank_at(l, i);
      visited++;
      if (r == self || S_count_in(lists, order, 0, j, r) > 0)
        continue;
      S_offer(out, score, &count, n, r, 1 + S_count_in(lists, order, j + 1, k, r));
    }
  }
  /* the long lists, merged in rank order, skipping the posts scored above */
  size_t live = 0;
  for (size_t j = small; j < k; j++)
    if (lists[order[j]].len > 0)
      live++;
  while (live > 0) {
    uint32_t next = UINT32_MAX;
    for (size_t j = small; j < k; j++) {
      const folio_related_list *l = &lists[order[j]];
      if (pos[j] < l->len) {
        uint32_t r = S_rank_at(l, pos[j]);
        if (r < next)
          next = r;
      }
    }
    /* every post from here on not scored above is in at most `live` lists and no newer than
     * `next` */
    if (count == n && !S_better((unsigned)live, next, score[n - 1], out[n - 1]))
      break;
    unsigned s = 0;
    for (size_t j = small; j < k; j++) {
      const folio_related_list *l = &lists[order[j]];
      if (pos[j] < l->len && S_rank_at(l, pos[j]) == next) {
        s++;
        if (++pos[j] == l->len)
          live--;
      }
    }
    visited++;
    if (next != self && S_count_in(lists, order, 0, small, next) == 0)
      S_offer(out, score, &count, n, next, s);
  }
  free(order);
  free(pos);
  free(score);
  if (steps)
    *steps = visited;
  return (long)count;
}

/* related.c: top-n posts by shared terms (see related.h). Two exact ways, the first tried first:
 * - the walk: the short lists are scored in full, each post's count completed by binary search
 *   in the other lists; the long ones are walked merged in rank order, every post scored exactly
 *   when the walk reaches it (each list holds it at most once and all lists are read at the same
 *   rank). The walk ends early when a post not yet seen (in at most `live` of the long lists, and
 *   no newer than the next rank) cannot beat the n-th best found: with one term on every post,
 *   a few steps. When the best posts share fewer terms than the page has (2 of 3 tags from a
 *   pool), it would read everything, k lists at a time: past a budget of a quarter of the lists'
 *   total length it gives up, and
 * - the count: one pass over every list, each post's count kept in a hash table, then the best
 *   of the table. Time linear in the lists' total length, whatever their shape. */
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

/* The walk. Returns how many posts it put in `out` (best first), -1 when out of memory, -2 when
 * it visited more than `budget` posts (then `out` holds nothing of use). */
static long S_walk(const folio_related_list *lists, size_t k, uint32_t self, size_t n, uint32_t *out,
                   size_t budget, size_t *steps)
{
  size_t visited = 0;
  long result = 0;
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
      if (visited++ == budget) {
        visited--;
        result = -2;
        goto done;
      }
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
    if (visited++ == budget) {
      visited--;
      result = -2;
      goto done;
    }
    if (next != self && S_count_in(lists, order, 0, small, next) == 0)
      S_offer(out, score, &count, n, next, s);
  }
  result = (long)count;
done:
  free(order);
  free(pos);
  free(score);
  *steps += visited;
  return result;
}

/* The count: a hash table of rank -> number of lists holding it (open addressing, rank 0 marks
 * an empty slot: ranks start at 1), filled in one pass, then its best n. */
static long S_count(const folio_related_list *lists, size_t k, uint32_t self, size_t n, uint32_t *out,
                    size_t total, size_t *steps)
{
  size_t cap = 16;
  while (cap < 2 * total)
    cap *= 2;
  uint32_t *key = calloc(cap, sizeof *key), *hits = calloc(cap, sizeof *hits);
  unsigned *score = malloc(n * sizeof *score);
  if (key == NULL || hits == NULL || score == NULL) {
    free(key);
    free(hits);
    free(score);
    return -1;
  }
  size_t mask = cap - 1;
  for (size_t j = 0; j < k; j++) {
    for (size_t i = 0; i < lists[j].len; i++) {
      uint32_t r = S_rank_at(&lists[j], i);
      size_t at = (size_t)(r * 2654435761u) & mask;
      while (key[at] != 0 && key[at] != r)
        at = (at + 1) & mask;
      key[at] = r;
      hits[at]++;
    }
  }
  *steps += total;
  size_t count = 0;
  for (size_t at = 0; at < cap; at++)
    if (key[at] != 0 && key[at] != self)
      S_offer(out, score, &count, n, key[at], hits[at]);
  free(key);
  free(hits);
  free(score);
  return (long)count;
}

long folio_related_top(const folio_related_list *lists, size_t k, uint32_t self, size_t n,
                       uint32_t *out, size_t *steps)
{
  size_t visited = 0;
  if (steps)
    *steps = 0;
  if (n == 0 || k == 0)
    return 0;
  size_t total = 0;
  for (size_t j = 0; j < k; j++) {
    if (lists[j].len > SIZE_MAX / 2 - total)
      return -1;
    total += lists[j].len;
  }
  long count = S_walk(lists, k, self, n, out, total / 4 + 64, &visited);
  if (count == -2)
    count = S_count(lists, k, self, n, out, total, &visited);
  if (steps)
    *steps = visited;
  return count;
}

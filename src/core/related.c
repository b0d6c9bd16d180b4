/* related.c: top-n posts by shared terms, by walking the terms' lists of posts merged in rank
 * order (see related.h). Every post is scored exactly when the walk reaches it, since each list
 * holds it at most once and all lists are read at the same rank; the walk ends early when a post
 * not yet seen (in at most `live` of the lists, and no newer than the next rank) cannot beat the
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

long folio_related_top(const folio_related_list *lists, size_t k, uint32_t self, size_t n,
                       uint32_t *out, size_t *steps)
{
  size_t visited = 0;
  if (steps)
    *steps = 0;
  if (n == 0 || k == 0)
    return 0;
  size_t *pos = calloc(k, sizeof *pos);
  unsigned *score = malloc(n * sizeof *score);
  if (pos == NULL || score == NULL) {
    free(pos);
    free(score);
    return -1;
  }
  size_t live = 0, count = 0;
  for (size_t j = 0; j < k; j++)
    if (lists[j].len > 0)
      live++;
  while (live > 0) {
    uint32_t next = UINT32_MAX;
    for (size_t j = 0; j < k; j++)
      if (pos[j] < lists[j].len) {
        uint32_t r = S_rank_at(&lists[j], pos[j]);
        if (r < next)
          next = r;
      }
    /* every post from here on is in at most `live` lists and no newer than `next` */
    if (count == n && !S_better((unsigned)live, next, score[n - 1], out[n - 1]))
      break;
    unsigned s = 0;
    for (size_t j = 0; j < k; j++)
      if (pos[j] < lists[j].len && S_rank_at(&lists[j], pos[j]) == next) {
        s++;
        if (++pos[j] == lists[j].len)
          live--;
      }
    visited++;
    if (next != self)
      S_offer(out, score, &count, n, next, s);
  }
  free(pos);
  free(score);
  if (steps)
    *steps = visited;
  return (long)count;
}

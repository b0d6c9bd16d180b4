/* content.c: the content store (see content.h): slots of bytes in memory, or in an unlinked
 * spill file once the memory budget is used. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_TMPFILE */
#endif
#include "core/content.h"
#include "core/grow.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void folio_content_init(folio_content_store *c)
{
  memset(c, 0, sizeof *c);
  atomic_init(&c->in_memory, 0);
  atomic_init(&c->spill_end, 0);
  c->budget = SIZE_MAX;
  c->spill_dir = -1;
  c->spill_fd = -1;
  c->inherited_fd = -1;
  pthread_mutex_init(&c->spill_lock, NULL);
}

void folio_content_own_spill(folio_content_store *c)
{
  pthread_mutex_lock(&c->spill_lock);
  if (c->inherited_fd < 0 && c->spill_fd >= 0) {
    c->inherited_fd = c->spill_fd;
    c->inherited_upto = c->count;
  }
  c->spill_fd = -1; /* (a failed open, -errno, is tried again: it was the other process's) */
  atomic_store(&c->spill_end, 0);
  pthread_mutex_unlock(&c->spill_lock);
}

void folio_content_spill_in(folio_content_store *c, int dirfd, size_t budget)
{
  const char *env = getenv("FOLIO_CONTENT_BUDGET_KIB");
  if (env && *env) {
    char *end;
    unsigned long long kib = strtoull(env, &end, 10);
    if (*end == '\0')
      budget = kib > SIZE_MAX / 1024 ? SIZE_MAX : (size_t)kib * 1024;
  }
  c->spill_dir = dirfd;
  c->budget = budget;
}

int folio_content_reserve(folio_content_store *c, size_t n)
{
  if (n <= c->count)
    return 0;
  folio_content_slot *slots = folio_grow(c->slots, &c->cap, n, sizeof *slots, n);
  if (slots == NULL)
    return -ENOMEM;
  for (size_t i = c->count; i < n; i++)
    slots[i] = (folio_content_slot){NULL, -1, 0, {0, 0}};
  c->slots = slots;
  c->count = n;
  return 0;
}

/* The spill file, made on first use: unlinked from the start (O_TMPFILE), or named and removed
 * at once where the file system has no O_TMPFILE. */
static int S_spill_fd(folio_content_store *c)
{
  pthread_mutex_lock(&c->spill_lock);
  if (c->spill_fd < 0) {
    int fd = openat(c->spill_dir, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
      char name[] = ".folio-content-XXXXXX";
      for (int tries = 0; fd < 0 && tries < 16; tries++) {
        for (char *p = name + sizeof name - 7; *p; p++)
          *p = "abcdefghijklmnopqrstuvwxyz0123456789"[(unsigned)rand() % 36];
        fd = openat(c->spill_dir, name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
      }
      if (fd >= 0)
        unlinkat(c->spill_dir, name, 0);
    }
    c->spill_fd = fd < 0 ? -errno : fd;
  }
  int fd = c->spill_fd;
  pthread_mutex_unlock(&c->spill_lock);
  return fd;
}

static int S_spill(folio_content_store *c, folio_content_slot *s, const char *data, size_t len)
{
  int fd = S_spill_fd(c);
  if (fd < 0)
    return fd;
  long long at = atomic_fetch_add(&c->spill_end, (long long)len);
  for (size_t done = 0; done < len;) {
    ssize_t n = pwrite(fd, data + done, len - done, (off_t)(at + (long long)done));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return n < 0 ? -errno : -EIO;
    done += (size_t)n;
  }
  s->offset = at;
  return 0;
}

int folio_content_set(folio_content_store *c, size_t i, const char *data, size_t len)
{
  folio_content_slot *s = &c->slots[i];
  if (s->mem) {
    atomic_fetch_sub(&c->in_memory, s->len);
    free(s->mem);
  }
  *s = (folio_content_slot){NULL, -1, len, folio_hash(data, len, (folio_hash128){0, 0})};
  int spill = c->spill_dir >= 0 && len > 0 && atomic_load(&c->in_memory) + len > c->budget &&
              i >= c->inherited_upto; /* (an older slot set again in a forked process: in memory) */
  if (spill && S_spill(c, s, data, len) == 0)
    return 0;
  /* (a spill that failed keeps the body in memory: a full disk shows when the outputs are written) */
  s->mem = malloc(len + 1);
  if (s->mem == NULL) {
    *s = (folio_content_slot){NULL, -1, 0, {0, 0}};
    return -ENOMEM;
  }
  memcpy(s->mem, data, len);
  s->mem[len] = '\0';
  atomic_fetch_add(&c->in_memory, len);
  return 0;
}

int folio_content_has(const folio_content_store *c, size_t i, size_t *len)
{
  if (i >= c->count)
    return 0;
  const folio_content_slot *s = &c->slots[i];
  *len = s->len;
  return s->mem != NULL || s->offset >= 0;
}

int folio_content_hash(const folio_content_store *c, size_t i, folio_hash128 *hash)
{
  size_t len;
  if (!folio_content_has(c, i, &len))
    return 0;
  *hash = c->slots[i].hash;
  return 1;
}

int folio_content_read(const folio_content_store *c, size_t i, char *into)
{
  const folio_content_slot *s = &c->slots[i];
  if (s->mem) {
    memcpy(into, s->mem, s->len);
    return 0;
  }
  int fd = i < c->inherited_upto ? c->inherited_fd : c->spill_fd;
  for (size_t done = 0; done < s->len;) {
    ssize_t n = pread(fd, into + done, s->len - done, (off_t)(s->offset + (int64_t)done));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return n < 0 ? -errno : -EIO;
    done += (size_t)n;
  }
  return 0;
}

size_t folio_content_bytes(const folio_content_store *c)
{
  size_t total = 0;
  for (size_t i = 0; i < c->count; i++)
    total += c->slots[i].len;
  return total;
}

void folio_content_free(folio_content_store *c)
{
  for (size_t i = 0; i < c->count; i++)
    free(c->slots[i].mem);
  free(c->slots);
  if (c->spill_fd >= 0)
    close(c->spill_fd);
  if (c->inherited_fd >= 0)
    close(c->inherited_fd);
  c->inherited_fd = -1;
  pthread_mutex_destroy(&c->spill_lock);
  c->slots = NULL;
  c->count = c->cap = 0;
  c->spill_fd = -1;
}

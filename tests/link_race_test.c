/* link_race_test.c: folio_link_file_at (src/core/fsutil.c) while another thread renames new
 * versions of the source over it, as two render threads do with one image-cache result
 * (folio/image.lua): linkat(2) of a name whose file a rename just replaced fails with ENOENT on
 * Linux (the old file has no links left), and the link must be made all the same. */
#include "core/fsutil.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char S_src[4200];
static char S_dir[4000];
static atomic_int S_stop;

/* Writes a new version of the source beside it and renames it over it, again and again, as
 * threads that made the same image-cache result at once do (each renames its own over it). */
static void *S_renamer(void *unused)
{
  (void)unused;
  char tmp[4300];
  for (unsigned n = 0; !atomic_load(&S_stop); n++) {
    snprintf(tmp, sizeof tmp, "%s.%u.tmp", S_src, n);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
      perror("open");
      exit(1);
    }
    if (write(fd, "x", 1) != 1 || close(fd) != 0) {
      perror("write");
      exit(1);
    }
    if (rename(tmp, S_src) != 0) {
      perror("rename");
      exit(1);
    }
    usleep(20); /* (a result is renamed over a few times, not without pause) */
  }
  return NULL;
}

int main(void)
{
  const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
  snprintf(S_dir, sizeof S_dir, "%s/folio-link-race-XXXXXX", base);
  if (!mkdtemp(S_dir)) {
    perror("mkdtemp");
    return 1;
  }
  snprintf(S_src, sizeof S_src, "%s/cached.webp", S_dir);
  int fd = open(S_src, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || close(fd) != 0)
    return 1;
  char out[4200];
  snprintf(out, sizeof out, "%s/out", S_dir);
  if (mkdir(out, 0755) != 0)
    return 1;
  int dirfd = open(out, O_RDONLY | O_DIRECTORY);
  if (dirfd < 0)
    return 1;
  pthread_t t;
  if (pthread_create(&t, NULL, S_renamer, NULL) != 0)
    return 1;
  int failures = 0, tries = 200000;
  char rel[64];
  for (int i = 0; i < tries && failures == 0; i++) {
    snprintf(rel, sizeof rel, "_img/photo-%d.webp", i % 64); /* new names and names already there */
    int rc = folio_link_file_at(dirfd, rel, S_src, i % 2);
    if (rc != 0) {
      fprintf(stderr, "FAIL: link %d of %s: %s\n", i, rel, strerror(-rc));
      failures++;
    }
  }
  atomic_store(&S_stop, 1);
  pthread_join(t, NULL);
  close(dirfd);
  char cmd[4300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", S_dir);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", S_dir);
  if (failures)
    return 1;
  printf("%d links made while the source was renamed over\n", tries);
  return 0;
}

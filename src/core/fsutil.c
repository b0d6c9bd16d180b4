/* fsutil.c: see fsutil.h. */
#include "core/fsutil.h"
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int folio_read_file(const char *path, char **out, size_t *len)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return -EISDIR;
  }
  size_t cap = (size_t)st.st_size + 1, used = 0;
  char *buf = malloc(cap);
  if (buf == NULL) {
    close(fd);
    return -ENOMEM;
  }
  for (;;) {
    if (used + 1 >= cap) { /* the file grew while we read it */
      char *bigger = realloc(buf, cap * 2);
      if (bigger == NULL) { free(buf); close(fd); return -ENOMEM; }
      buf = bigger;
      cap *= 2;
    }
    ssize_t n = read(fd, buf + used, cap - 1 - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      free(buf);
      close(fd);
      return -e;
    }
    if (n == 0) break;
    used += (size_t)n;
  }
  close(fd);
  buf[used] = '\0';
  *out = buf;
  *len = used;
  return 0;
}

int folio_mkdirs_for(int dirfd, const char *relpath)
{
  char path[PATH_MAX];
  size_t n = strlen(relpath);
  if (n >= sizeof path)
    return -ENAMETOOLONG;
  memcpy(path, relpath, n + 1);
  char *slash = strrchr(path, '/');
  if (slash == NULL)
    return 0;
  *slash = '\0';
  /* Fast path: the folder usually exists already. */
  struct stat st;
  if (fstatat(dirfd, path, &st, 0) == 0)
    return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
  for (char *p = path; ; p++) {
    if (*p == '/' || *p == '\0') {
      char saved = *p;
      *p = '\0';
      if (path[0] != '\0' && mkdirat(dirfd, path, 0755) != 0 && errno != EEXIST)
        return -errno;
      *p = saved;
      if (saved == '\0')
        break;
    }
  }
  return 0;
}

static int S_write_all(int fd, const char *data, size_t len)
{
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

int folio_write_at(int dirfd, const char *relpath, const char *data, size_t len)
{
  int rc = folio_mkdirs_for(dirfd, relpath);
  if (rc != 0)
    return rc;
  int fd = openat(dirfd, relpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0)
    return -errno;
  rc = S_write_all(fd, data, len);
  if (close(fd) != 0 && rc == 0)
    rc = -errno;
  return rc;
}

int folio_copy_file_at(int dirfd, const char *relpath, const char *src)
{
  int in = open(src, O_RDONLY | O_CLOEXEC);
  if (in < 0)
    return -errno;
  struct stat st;
  int rc = fstat(in, &st) == 0 ? 0 : -errno;
  if (rc == 0)
    rc = folio_mkdirs_for(dirfd, relpath);
  int out = -1;
  if (rc == 0) {
    out = openat(dirfd, relpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (out < 0)
      rc = -errno;
  }
  for (off_t left = st.st_size; rc == 0 && left > 0;) {
    ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)left, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      rc = -errno;
      break;
    }
    if (n == 0) break;
    left -= n;
  }
  if (rc != 0 && (rc == -EXDEV || rc == -ENOSYS || rc == -EINVAL)) { /* fall back to read/write */
    char buf[65536];
    rc = lseek(in, 0, SEEK_SET) == 0 && ftruncate(out, 0) == 0 ? 0 : -errno;
    for (ssize_t n; rc == 0 && (n = read(in, buf, sizeof buf)) != 0;)
      rc = n < 0 ? -errno : S_write_all(out, buf, (size_t)n);
  }
  close(in);
  if (out >= 0 && close(out) != 0 && rc == 0)
    rc = -errno;
  return rc;
}

static int S_remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void)st; (void)ftw;
  int rc = (flag == FTW_DP) ? rmdir(path) : unlink(path);
  return rc == 0 || errno == ENOENT ? 0 : -errno;
}

int folio_remove_tree(const char *path)
{
  struct stat st;
  if (lstat(path, &st) != 0)
    return errno == ENOENT ? 0 : -errno;
  if (!S_ISDIR(st.st_mode))
    return unlink(path) == 0 ? 0 : -errno;
  /* FTW_PHYS: never follow symlinks; FTW_DEPTH: children before their folder. */
  return nftw(path, S_remove_entry, 32, FTW_PHYS | FTW_DEPTH | FTW_MOUNT);
}

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

int folio_swap_into_place(const char *staging, const char *output)
{
  struct stat st;
  if (lstat(output, &st) != 0) {
    if (errno != ENOENT)
      return -errno;
    return rename(staging, output) == 0 ? 0 : -errno;
  }
  if (syscall(SYS_renameat2, AT_FDCWD, staging, AT_FDCWD, output, RENAME_EXCHANGE) == 0)
    return folio_remove_tree(staging); /* `staging` now names the previous output */
  if (errno != ENOSYS && errno != EINVAL)
    return -errno;
  /* No atomic exchange on this file system: move the old tree aside, then the new one in. */
  char aside[PATH_MAX];
  if (snprintf(aside, sizeof aside, "%s.folio-old", output) >= (int)sizeof aside)
    return -ENAMETOOLONG;
  folio_remove_tree(aside);
  if (rename(output, aside) != 0)
    return -errno;
  if (rename(staging, output) != 0) {
    int e = errno;
    if (rename(aside, output) != 0)
      fprintf(stderr, "folio: could not restore %s from %s\n", output, aside);
    return -e;
  }
  return folio_remove_tree(aside);
}

/* path.c: turning a request path into a file inside the served folder, and nothing outside
 * it. Two layers: folio_http_clean_path() refuses every spelling of "go up" or "escape a
 * slash" before the file system is touched, and folio_http_open_beneath() makes the kernel
 * (openat2 RESOLVE_BENEATH) or, on old kernels, a real-path check on the opened fd refuse
 * symlinks that lead out of the root. */
#include "http/http_util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__linux__) && defined(SYS_openat2)
#include <linux/openat2.h>
#define S_HAVE_OPENAT2_SYSCALL 1
#endif

static int S_hex(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Checks the segment that ends at out[len] (exclusive) and begins after the last '/'. */
static int S_segment_ok(const char *out, size_t start, size_t len) {
  size_t n = len - start;
  if (n == 1 && out[start] == '.') return 0;
  if (n == 2 && out[start] == '.' && out[start + 1] == '.') return 0;
  return 1;
}

int folio_http_clean_path(const char *raw, size_t rawlen, char *out, size_t outlen,
                          int *trailing_slash) {
  if (rawlen == 0 || raw[0] != '/' || outlen == 0) return -1;
  /* seg: where the segment being read starts in out. A '/' is written only once a character
     follows it, so a final one (dropped) never needs room. */
  size_t o = 0, seg = 0;
  int slash_due = 0;
  *trailing_slash = 1;
  for (size_t i = 1; i < rawlen; i++) {
    int c = (unsigned char)raw[i];
    if (c == '%') {
      if (i + 2 >= rawlen) return -1;
      int hi = S_hex((unsigned char)raw[i + 1]), lo = S_hex((unsigned char)raw[i + 2]);
      if (hi < 0 || lo < 0) return -1;
      c = hi * 16 + lo;
      i += 2;
      /* An escaped separator would let "a%2f..%2fb" pass the segment check. */
      if (c == '/' || c == '\\' || c == 0) return -1;
    } else if (c == '/') {
      *trailing_slash = 1;
      if (o == seg) continue; /* merge "//" (and drop the leading one) */
      if (!S_segment_ok(out, seg, o)) return -1;
      slash_due = 1;
      seg = o;
      continue;
    }
    if (c == '\\' || c == 0) return -1;
    if (o + 1 + (size_t)slash_due >= outlen) return -1;
    if (slash_due) {
      out[o++] = '/';
      seg = o;
      slash_due = 0;
    }
    out[o++] = (char)c;
    *trailing_slash = 0;
  }
  if (!S_segment_ok(out, seg, o)) return -1;
  out[o] = '\0';
  return 0;
}

#ifdef S_HAVE_OPENAT2_SYSCALL
static int S_openat2(int dirfd, const char *path, int flags) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = (unsigned long long)flags;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  long r;
  do r = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
  while (r < 0 && errno == EINTR);
  return r < 0 ? -errno : (int)r;
}
#endif

int folio_http_have_openat2(void) {
#ifdef S_HAVE_OPENAT2_SYSCALL
  static int known = -1; /* the loop thread is the only caller; a race would only recheck */
  if (known < 0) {
    int fd = S_openat2(AT_FDCWD, ".", O_PATH | O_CLOEXEC);
    if (fd >= 0) close(fd);
    known = !(fd == -ENOSYS || fd == -EPERM); /* EPERM: seccomp filters that refuse it */
  }
  return known;
#else
  return 0;
#endif
}

/* Is `path` equal to `dir` or inside it? Both are canonical absolute paths. */
static int S_is_beneath(const char *path, const char *dir) {
  size_t n = strlen(dir);
  if (n == 1 && dir[0] == '/') return 1;
  return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static int S_open_portable(const char *root, const char *rel) {
  char realroot[PATH_MAX], full[PATH_MAX], opened[PATH_MAX];
  if (!realpath(root, realroot)) return -errno;
  int n = snprintf(full, sizeof full, "%s/%s", realroot, rel);
  if (n < 0 || (size_t)n >= sizeof full) return -ENAMETOOLONG;
  int fd;
  do fd = open(full, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) return -errno;
  /* Check what was opened, not what the name means now: no window for a swapped symlink. */
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t len = readlink(link, opened, sizeof opened - 1);
  if (len < 0) {
    /* No /proc: fall back to resolving the name (racy, but still refuses plain escapes). */
    if (!realpath(full, opened)) {
      int e = errno;
      close(fd);
      return -e;
    }
  } else {
    opened[len] = '\0';
  }
  if (!S_is_beneath(opened, realroot)) {
    close(fd);
    return -EXDEV;
  }
  return fd;
}

int folio_http_open_beneath(const char *root, const char *rel, int mode) {
  if (!root || !rel) return -EINVAL;
#ifdef S_HAVE_OPENAT2_SYSCALL
  if (mode == FOLIO_RESOLVE_AUTO && folio_http_have_openat2()) {
    int dfd;
    do dfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    while (dfd < 0 && errno == EINTR);
    if (dfd < 0) return -errno;
    int fd = S_openat2(dfd, rel[0] ? rel : ".", O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    close(dfd);
    return fd;
  }
#endif
  (void)mode;
  return S_open_portable(root, rel);
}

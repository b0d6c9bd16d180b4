/* fsutil.c: see fsutil.h. */
#include "core/fsutil.h"
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/openat2.h>
#include <unistd.h>

int folio_read_head(const char *path, char *buf, size_t cap, size_t *len)
{
  *len = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return -errno;
  int rc = 0;
  while (*len < cap) {
    ssize_t n = read(fd, buf + *len, cap - *len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      rc = -errno;
    if (n <= 0)
      break;
    *len += (size_t)n;
  }
  close(fd);
  return rc;
}

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

/* Creates folder `path` (modified in place while working) and any missing parents. The folder
 * itself is tried first: in a build most folders are new but their parent was just made, so this
 * is one system call per folder instead of one per level. */
static int S_mkdir_p(int dirfd, char *path)
{
  if (mkdirat(dirfd, path, 0755) == 0 || errno == EEXIST)
    return 0;
  if (errno != ENOENT)
    return -errno;
  char *slash = strrchr(path, '/');
  if (slash == NULL)
    return -ENOENT;
  *slash = '\0';
  int rc = S_mkdir_p(dirfd, path);
  *slash = '/';
  if (rc != 0)
    return rc;
  return mkdirat(dirfd, path, 0755) == 0 || errno == EEXIST ? 0 : -errno;
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
  return path[0] == '\0' ? 0 : S_mkdir_p(dirfd, path);
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

/* Where a replacement of `relpath` is written before it is renamed over it: a hidden name in
 * the same folder, unique among the threads of this process. Returns 0 or -ENAMETOOLONG. */
static int S_temp_name(const char *relpath, char *out, size_t cap)
{
  static atomic_uint counter;
  const char *slash = strrchr(relpath, '/');
  int dir_len = slash ? (int)(slash - relpath + 1) : 0;
  int n = snprintf(out, cap, "%.*s.%s.folio-new-%u", dir_len, relpath, slash ? slash + 1 : relpath,
                   atomic_fetch_add(&counter, 1));
  return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/* The folder (under descriptor `dirfd`) of the last output this thread opened: the next output
 * in the same folder (a build writes the static files in sorted order) does without
 * folio_mkdirs_for's mkdirat. Only a hint: when the folder has gone since (removed, or another
 * tree behind a reused descriptor number), the open fails with ENOENT or ENOTDIR and the folders
 * are made, as without it. */
static _Thread_local struct {
  int dirfd;
  size_t len;
  char path[PATH_MAX];
} S_last_folder = {-1, 0, ""};

/* The length of relpath's folder part (before its last '/'), 0 for none. */
static size_t S_folder_len(const char *relpath)
{
  const char *slash = strrchr(relpath, '/');
  return slash ? (size_t)(slash - relpath) : 0;
}

static int S_folder_known(int dirfd, const char *relpath, size_t len)
{
  return len == 0 || (S_last_folder.dirfd == dirfd && S_last_folder.len == len &&
                      memcmp(S_last_folder.path, relpath, len) == 0);
}

static void S_note_folder(int dirfd, const char *relpath, size_t len)
{
  if (len >= sizeof S_last_folder.path)
    return;
  memcpy(S_last_folder.path, relpath, len);
  S_last_folder.len = len;
  S_last_folder.dirfd = dirfd;
}

/* Opens the file the output `relpath` is written to: itself, or with `replace`, a temporary
 * name in its folder (*tmp) that S_finish renames over it, so a reader that has the old file
 * open (the preview server sending it) keeps reading the old file whole. */
static int S_open_output(int dirfd, const char *relpath, int replace, char *tmp, size_t cap)
{
  size_t len = S_folder_len(relpath);
  int known = S_folder_known(dirfd, relpath, len);
  int rc = known ? 0 : folio_mkdirs_for(dirfd, relpath);
  if (rc == 0 && replace)
    rc = S_temp_name(relpath, tmp, cap);
  if (rc != 0)
    return rc;
  const char *name = replace ? tmp : relpath;
  int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW;
  int fd = openat(dirfd, name, flags, 0644);
  if (fd < 0 && known && len > 0 && (errno == ENOENT || errno == ENOTDIR)) { /* the folder has gone */
    S_last_folder.dirfd = -1;
    rc = folio_mkdirs_for(dirfd, relpath);
    if (rc != 0)
      return rc;
    fd = openat(dirfd, name, flags, 0644);
  }
  if (fd < 0)
    return -errno;
  S_note_folder(dirfd, relpath, len);
  return fd;
}

/* Closes `fd` and, for a replacement, renames it over `relpath` (or removes it after an error).
 * Returns rc, or the first error of these steps. */
static int S_finish(int dirfd, const char *relpath, int fd, int replace, const char *tmp, int rc)
{
  if (close(fd) != 0 && rc == 0)
    rc = -errno;
  if (replace && rc == 0 && renameat(dirfd, tmp, dirfd, relpath) != 0)
    rc = -errno;
  if (replace && rc != 0)
    unlinkat(dirfd, tmp, 0);
  return rc;
}

int folio_write_at(int dirfd, const char *relpath, const char *data, size_t len, int replace)
{
  char tmp[PATH_MAX];
  int fd = S_open_output(dirfd, relpath, replace, tmp, sizeof tmp);
  if (fd < 0)
    return fd;
  return S_finish(dirfd, relpath, fd, replace, tmp, S_write_all(fd, data, len));
}

int folio_copy_file_at(int dirfd, const char *relpath, const char *src, int replace, size_t *size)
{
  return folio_copy_file_from(dirfd, relpath, AT_FDCWD, src, replace, size);
}

int folio_copy_file_from(int dirfd, const char *relpath, int src_dirfd, const char *src, int replace, size_t *size)
{
  int in = openat(src_dirfd, src, O_RDONLY | O_CLOEXEC);
  if (in < 0)
    return -errno;
  struct stat st;
  int rc = fstat(in, &st) == 0 ? 0 : -errno;
  if (rc == 0 && size != NULL)
    *size = (size_t)st.st_size;
  int out = -1;
  char tmp[PATH_MAX];
  if (rc == 0) {
    out = S_open_output(dirfd, relpath, replace, tmp, sizeof tmp);
    if (out < 0)
      rc = out;
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
  return out >= 0 ? S_finish(dirfd, relpath, out, replace, tmp, rc) : rc;
}

/* ---- removing a tree ----------------------------------------------------------------------
 * By file descriptor, with the entry types getdents64 already gives: one unlinkat per file (no
 * stat), and symbolic links are removed, never followed. Anything mounted inside the tree (another
 * file system, or a bind mount of this one) is left alone, as with nftw's FTW_MOUNT. The top-level entries are
 * shared out among a few threads: removing a 10,000-page site is mostly system calls. */

static int S_remove_at(int parent, const char *name, unsigned char type, dev_t dev);

/* The entries getdents64(2) gives (glibc has no declaration of its own for the raw call). */
typedef struct {
  unsigned long long ino;
  long long off;
  unsigned short reclen;
  unsigned char type;
  char name[];
} S_dirent64;

#define S_DENTS_BYTES 4096

/* Removes everything inside the folder open as `fd`; closes `fd`. getdents64 straight into a
 * buffer: fdopendir would add an fstat and two fcntl calls a folder, and most folders of a site's
 * output hold one index.html. With `may_stop_short`, a read that left room for another entry of
 * the longest name is taken as the end of the folder (what tmpfs and ext4 do), which saves the
 * read that would return 0; *short_read tells the caller, whose rmdir finding the folder not
 * empty then empties it again in full. */
static int S_empty_dir(int fd, dev_t dev, int may_stop_short, int *short_read)
{
  *short_read = 0;
  char *buf = malloc(S_DENTS_BYTES);
  if (buf == NULL) {
    close(fd);
    return -ENOMEM;
  }
  int rc = 0;
  for (;;) {
    long n = syscall(SYS_getdents64, fd, buf, S_DENTS_BYTES);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      if (n < 0)
        rc = -errno;
      break;
    }
    for (long pos = 0; pos < n;) {
      S_dirent64 *e = (S_dirent64 *)(void *)(buf + pos);
      pos += e->reclen;
      if (strcmp(e->name, ".") == 0 || strcmp(e->name, "..") == 0)
        continue;
      int r = S_remove_at(fd, e->name, e->type, dev);
      if (r != 0)
        rc = r;
    }
    if (may_stop_short && (size_t)n + sizeof(S_dirent64) + NAME_MAX + 8 < S_DENTS_BYTES) {
      *short_read = 1;
      break;
    }
  }
  free(buf);
  close(fd);
  return rc;
}

/* Whether openat2(2) is known to be missing (old kernel, or a seccomp filter refusing it). */
static atomic_int S_no_openat2;

/* Opens folder `name` of `parent` to empty it: never through a symbolic link, and never into
 * something mounted there (-EXDEV). openat2's RESOLVE_NO_XDEV refuses any mount crossing, a bind
 * mount of the same file system too, in the open itself; without openat2, an fstat compares the
 * folder's device with the tree's. The fd, or a negative errno. */
static int S_open_subdir(int parent, const char *name, dev_t dev)
{
  const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  if (!atomic_load_explicit(&S_no_openat2, memory_order_relaxed)) {
    struct open_how how = {.flags = (unsigned long long)flags, .resolve = RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS};
    long fd = syscall(SYS_openat2, parent, name, &how, sizeof how);
    if (fd >= 0)
      return (int)fd;
    if (errno != ENOSYS && errno != EPERM && errno != E2BIG && errno != EINVAL)
      return -errno;
    atomic_store(&S_no_openat2, 1);
  }
  int fd = openat(parent, name, flags);
  if (fd < 0)
    return -errno;
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_dev != dev) {
    close(fd);
    return -EXDEV;
  }
  return fd;
}

/* Removes entry `name` of folder `parent`, and what is inside it if it is a folder. */
static int S_remove_at(int parent, const char *name, unsigned char type, dev_t dev)
{
  if (type == DT_UNKNOWN) {
    struct stat st;
    if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
      return errno == ENOENT ? 0 : -errno;
    type = S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
  }
  if (type != DT_DIR)
    return unlinkat(parent, name, 0) == 0 || errno == ENOENT ? 0 : -errno;
  int fd = S_open_subdir(parent, name, dev);
  if (fd < 0)
    return fd == -ENOENT ? 0 : fd;
  int short_read;
  int rc = S_empty_dir(fd, dev, 1, &short_read);
  if (unlinkat(parent, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
    return rc;
  if (errno != ENOTEMPTY && errno != EEXIST)
    return rc != 0 ? rc : -errno;
  if (rc != 0 || !short_read)
    return rc != 0 ? rc : -ENOTEMPTY;
  /* the short read missed something (or something new arrived): empty it in full */
  fd = S_open_subdir(parent, name, dev);
  if (fd < 0)
    return fd == -ENOENT ? 0 : fd;
  rc = S_empty_dir(fd, dev, 0, &short_read);
  if (unlinkat(parent, name, AT_REMOVEDIR) != 0 && errno != ENOENT && rc == 0)
    rc = -errno;
  return rc;
}

typedef struct {
  int root;
  dev_t dev;
  char **names;
  unsigned char *types;
  size_t count;
  atomic_size_t next;
  atomic_int rc;
} S_removal;

static void *S_removal_worker(void *arg)
{
  S_removal *r = arg;
  for (size_t i; (i = atomic_fetch_add(&r->next, 1)) < r->count;) {
    int rc = S_remove_at(r->root, r->names[i], r->types[i], r->dev);
    if (rc != 0)
      atomic_store(&r->rc, rc);
  }
  return NULL;
}

/* Lists the entries of the folder open as `fd` into r->names / r->types. */
static int S_list_entries(int fd, S_removal *r)
{
  int dup_fd = dup(fd);
  DIR *dir = dup_fd < 0 ? NULL : fdopendir(dup_fd);
  if (dir == NULL) {
    int rc = -errno;
    if (dup_fd >= 0)
      close(dup_fd);
    return rc;
  }
  size_t cap = 0;
  int rc = 0;
  for (struct dirent *e; rc == 0 && (e = readdir(dir)) != NULL;) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    if (r->count == cap) {
      cap = cap ? cap * 2 : 64;
      char **names = realloc(r->names, cap * sizeof *names);
      unsigned char *types = names ? realloc(r->types, cap) : NULL;
      if (names)
        r->names = names;
      if (types)
        r->types = types;
      if (!names || !types) {
        rc = -ENOMEM;
        break;
      }
    }
    r->names[r->count] = strdup(e->d_name);
    if (r->names[r->count] == NULL) {
      rc = -ENOMEM;
      break;
    }
    r->types[r->count++] = e->d_type;
  }
  closedir(dir);
  return rc;
}

int folio_remove_tree(const char *path)
{
  struct stat st;
  if (lstat(path, &st) != 0)
    return errno == ENOENT ? 0 : -errno;
  if (!S_ISDIR(st.st_mode))
    return unlink(path) == 0 ? 0 : -errno;
  S_removal r = { .dev = st.st_dev };
  atomic_init(&r.next, 0);
  atomic_init(&r.rc, 0);
  r.root = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (r.root < 0)
    return -errno;
  int rc = S_list_entries(r.root, &r);
  if (rc == 0) {
    pthread_t helper;
    int helped = r.count > 1 && pthread_create(&helper, NULL, S_removal_worker, &r) == 0;
    S_removal_worker(&r);
    if (helped)
      pthread_join(helper, NULL);
    rc = atomic_load(&r.rc);
  }
  for (size_t i = 0; i < r.count; i++)
    free(r.names[i]);
  free(r.names);
  free(r.types);
  close(r.root);
  if (rc == 0 && rmdir(path) != 0 && errno != ENOENT)
    rc = -errno;
  return rc;
}

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

int folio_swap_into_place(const char *staging, const char *output, const char *aside)
{
  struct stat st;
  if (lstat(output, &st) != 0) {
    if (errno != ENOENT)
      return -errno;
    return rename(staging, output) == 0 ? 0 : -errno;
  }
  const char *no_exchange = getenv("FOLIO_TEST_NO_EXCHANGE");
  if (!(no_exchange && strcmp(no_exchange, "1") == 0)) {
    if (syscall(SYS_renameat2, AT_FDCWD, staging, AT_FDCWD, output, RENAME_EXCHANGE) == 0)
      return folio_remove_tree(staging); /* `staging` now names the previous output */
    if (errno != ENOSYS && errno != EINVAL)
      return -errno;
  }
  /* No atomic exchange on this file system: the old tree goes to `aside`, then the new one in.
   * A crash between the two leaves the old one at `aside`, where the next build finds it. */
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

/* linkat(2) of src to rel below dirfd. A link to a file another thread is renaming a new
 * version over can fail with ENOENT: the name was looked up to the old file, whose last link the
 * rename then dropped (Linux does not link a file with no links left), and the name holds the
 * new file at once. So ENOENT is tried again (up to 100 times) while src exists. 0 or -errno. */
static int S_link_retrying(int src_dirfd, const char *src, int dirfd, const char *rel)
{
  for (int tries = 0;; tries++) {
    if (linkat(src_dirfd, src, dirfd, rel, 0) == 0)
      return 0;
    int e = errno;
    struct stat st;
    if (e != ENOENT || tries == 100 || fstatat(src_dirfd, src, &st, 0) != 0)
      return -e;
  }
}

/* Links src (below src_dirfd) at rel below dirfd (through a temporary name renamed over it with
 * `replace`, so a reader of the old file keeps it whole). 0 or a negative errno. */
int folio_link_file_from(int dirfd, const char *rel, int src_dirfd, const char *src, int replace)
{
  int rc = folio_mkdirs_for(dirfd, rel);
  if (rc != 0)
    return rc;
  if (replace) {
    static atomic_uint counter;
    char tmp[PATH_MAX];
    int n = snprintf(tmp, sizeof tmp, "%s.folio-link-%ld-%u", rel, (long)getpid(), atomic_fetch_add(&counter, 1));
    if (n < 0 || (size_t)n >= sizeof tmp)
      return -ENAMETOOLONG;
    rc = S_link_retrying(src_dirfd, src, dirfd, tmp);
    if (rc != 0)
      return rc;
    if (renameat(dirfd, tmp, dirfd, rel) != 0) {
      rc = -errno;
      unlinkat(dirfd, tmp, 0);
      return rc;
    }
    return 0;
  }
  rc = S_link_retrying(src_dirfd, src, dirfd, rel);
  if (rc != -EEXIST)
    return rc;
  /* there already: the same file (another thread linked it), else replaced, never written
   * through (it may be a link to another cache file) */
  struct stat a, b;
  if (fstatat(src_dirfd, src, &a, 0) == 0 && fstatat(dirfd, rel, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
      a.st_dev == b.st_dev && a.st_ino == b.st_ino)
    return 0;
  if (unlinkat(dirfd, rel, 0) != 0 && errno != ENOENT)
    return -errno;
  return S_link_retrying(src_dirfd, src, dirfd, rel);
}

int folio_link_file_at(int dirfd, const char *rel, const char *src, int replace)
{
  return folio_link_file_from(dirfd, rel, AT_FDCWD, src, replace);
}

/* remove_tree_test.c: folio_remove_tree (src/core/fsutil.c), which removes the old output after
 * a build's swap, reading each folder with getdents64 into its own buffer. The tree here has what
 * one buffer cannot hold (a folder of 600 long names: several reads), folders of one file (the
 * short read taken as the end), a name of NAME_MAX bytes, empty and deep folders, and a symbolic
 * link to a file outside, which must be removed and never followed.
 * Then, where mount(2) is allowed (root): a folder bind-mounted into the tree (the same file
 * system, so its device is the tree's) is left alone with what it holds, and so is a tmpfs.
 *   remove_tree_test           the checks
 *   remove_tree_test PATH      removes PATH only (to time it: tools, docs/development.md) */
#include "core/fsutil.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static int S_failures;

#define CHECK(cond, ...)                                                                   \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                 \
      fprintf(stderr, __VA_ARGS__);                                                        \
      fputc('\n', stderr);                                                                 \
      S_failures++;                                                                        \
    }                                                                                      \
  } while (0)

static void S_file(const char *path, const char *text)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
  if (fd < 0)
    return;
  CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text), "write %s", path);
  close(fd);
}

static void S_dir(const char *path)
{
  CHECK(mkdir(path, 0755) == 0, "mkdir %s: %s", path, strerror(errno));
}

/* Something mounted inside a tree being removed keeps what it holds; the removal reports it. */
static void S_mounts(const char *base)
{
  char tree[128], held[128], kept[160], spot[160], spot2[160], file2[192];
  snprintf(tree, sizeof tree, "%s/mounted", base);
  snprintf(held, sizeof held, "%s/held", base);
  snprintf(kept, sizeof kept, "%s/keep.txt", held);
  snprintf(spot, sizeof spot, "%s/bind", tree);
  snprintf(spot2, sizeof spot2, "%s/tmpfs", tree);
  S_dir(tree);
  S_dir(held);
  S_file(kept, "mine");
  S_dir(spot);
  S_dir(spot2);
  if (mount(held, spot, NULL, MS_BIND, NULL) != 0) {
    printf("remove_tree: mount(2) not allowed here (%s): mount checks skipped\n", strerror(errno));
  } else {
    int tmpfs = mount("none", spot2, "tmpfs", 0, "size=64k") == 0;
    snprintf(file2, sizeof file2, "%s/in-tmpfs.txt", spot2);
    if (tmpfs)
      S_file(file2, "tmpfs");
    int rc = folio_remove_tree(tree);
    struct stat st;
    CHECK(rc != 0, "removing a tree with mounts inside reported no error");
    CHECK(stat(kept, &st) == 0, "a file of a folder bind-mounted into the tree was removed");
    CHECK(!tmpfs || stat(file2, &st) == 0, "a file in a tmpfs mounted in the tree was removed");
    if (tmpfs)
      umount(spot2);
    umount(spot);
  }
  folio_remove_tree(tree);
  unlink(kept);
  rmdir(held);
}

int main(int argc, char **argv)
{
  if (argc == 2) {
    int rc = folio_remove_tree(argv[1]);
    if (rc != 0)
      fprintf(stderr, "folio_remove_tree %s: %s\n", argv[1], strerror(-rc));
    return rc != 0;
  }
  char base[] = "/tmp/folio-remove-tree-XXXXXX";
  if (mkdtemp(base) == NULL)
    return perror("mkdtemp"), 1;
  char tree[64], path[PATH_MAX], outside[64];
  snprintf(tree, sizeof tree, "%s/tree", base);
  snprintf(outside, sizeof outside, "%s/outside.txt", base);
  S_file(outside, "keep me");
  S_dir(tree);
  /* 600 names of 200 bytes: far more than one 4 KiB read */
  snprintf(path, sizeof path, "%s/many", tree);
  S_dir(path);
  char name[NAME_MAX + 1];
  for (int i = 0; i < 600; i++) {
    memset(name, 'a' + i % 26, 200);
    snprintf(name + 200, sizeof name - 200, "-%d.html", i);
    snprintf(path, sizeof path, "%s/many/%s", tree, name);
    S_file(path, "x");
  }
  /* a post's output: folders of one folder or one file each */
  for (int i = 0; i < 50; i++) {
    snprintf(path, sizeof path, "%s/2026/%02d", tree, i);
    if (i == 0) {
      snprintf(name, sizeof name, "%s/2026", tree);
      S_dir(name);
    }
    S_dir(path);
    snprintf(path, sizeof path, "%s/2026/%02d/post", tree, i);
    S_dir(path);
    snprintf(path, sizeof path, "%s/2026/%02d/post/index.html", tree, i);
    S_file(path, "<p>post</p>");
  }
  /* the longest name a folder can hold, an empty folder, a deep chain */
  memset(name, 'n', NAME_MAX);
  name[NAME_MAX] = '\0';
  snprintf(path, sizeof path, "%s/%s", tree, name);
  S_dir(path);
  snprintf(path + strlen(path), sizeof path - strlen(path), "/%s", name);
  S_file(path, "long");
  snprintf(path, sizeof path, "%s/empty", tree);
  S_dir(path);
  snprintf(path, sizeof path, "%s/deep", tree);
  S_dir(path);
  for (int i = 0; i < 100 && strlen(path) + 4 < sizeof path; i++) {
    strcat(path, "/d");
    S_dir(path);
  }
  strcat(path, "/leaf");
  S_file(path, "leaf");
  /* links: to a file outside and to a folder outside; removed, not followed */
  snprintf(path, sizeof path, "%s/2026/00/post/link", tree);
  CHECK(symlink(outside, path) == 0, "symlink: %s", strerror(errno));
  snprintf(path, sizeof path, "%s/dirlink", tree);
  CHECK(symlink(base, path) == 0, "symlink: %s", strerror(errno));

  int rc = folio_remove_tree(tree);
  CHECK(rc == 0, "folio_remove_tree: %s", strerror(-rc));
  struct stat st;
  CHECK(lstat(tree, &st) != 0 && errno == ENOENT, "the tree is still there");
  CHECK(stat(outside, &st) == 0 && st.st_size == 7, "the file a link named was removed or changed");
  CHECK(folio_remove_tree(tree) == 0, "removing what is gone is not an error");
  S_mounts(base);
  unlink(outside);
  CHECK(rmdir(base) == 0, "the temporary folder holds something else: %s", strerror(errno));
  if (S_failures == 0)
    printf("remove_tree: all checks passed\n");
  return S_failures ? 1 : 0;
}

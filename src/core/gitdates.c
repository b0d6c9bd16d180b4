/* gitdates.c: the dates git knows (gitdates.h), read by folio-git.so (src/modules/git.c), the
 * module that holds libgit2. A site that no repository holds (no `.git` in its folder or any
 * folder above) is answered here, without loading the module. */
#include "core/gitdates.h"
#include "core/module.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* 1 when `dir` or a folder above it has a `.git` entry (a folder, or the file a work tree of
 * `git worktree` or a submodule has), or when that cannot be told; 0 when none has. */
static int S_may_be_in_repository(const char *dir)
{
  char path[PATH_MAX + 8];
  if (realpath(dir, path) == NULL)
    return 1; /* libgit2 says what is wrong */
  size_t len = strlen(path);
  for (;;) {
    struct stat st;
    int n = snprintf(path + len, sizeof path - len, "%s.git", len > 0 && path[len - 1] == '/' ? "" : "/");
    if (n < 0 || (size_t)n >= sizeof path - len || lstat(path, &st) == 0)
      return 1;
    path[len] = '\0';
    char *slash = strrchr(path, '/');
    if (slash == NULL || len <= 1)
      return 0;
    len = slash == path ? 1 : (size_t)(slash - path);
    path[len] = '\0';
  }
}

int folio_gitdates_read(const char *site_dir, folio_gitdates *out, char *err, size_t errlen)
{
  memset(out, 0, sizeof *out);
  if (!S_may_be_in_repository(site_dir))
    return 1;
  const folio_git_module *git = folio_module_load(FOLIO_GIT_MODULE, err, errlen);
  if (git == NULL)
    return -1;
  return git->read(site_dir, out, err, errlen);
}

void folio_gitdates_free(folio_gitdates *d)
{
  for (size_t i = 0; i < d->count; i++)
    free(d->items[i].path);
  free(d->items);
  memset(d, 0, sizeof *d);
}

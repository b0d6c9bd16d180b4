/* gitdates.h: the dates git knows for a site's files. One pass over the history of the
 * repository that holds the site folder (libgit2: a time-ordered walk from HEAD, each commit's
 * tree compared with its first parent's) gives, for every path it touched, the author time of
 * the oldest and of the newest commit that changed it. libgit2 lives in the module folio-git.so
 * (src/modules/git.c), loaded when the site is in a repository. No Lua here: src/lua/lx_git.c
 * binds it. */
#ifndef FOLIO_GITDATES_H
#define FOLIO_GITDATES_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
  char *path;    /* relative to the site folder ("content/posts/a.md") */
  int64_t first; /* author time (seconds since 1970) of the first commit that touched it */
  int64_t last;  /* author time of the last one */
} folio_gitdate;

typedef struct {
  folio_gitdate *items; /* in no particular order */
  size_t count;
  size_t commits;       /* commits walked */
} folio_gitdates;

/* Reads the history of the repository holding `site_dir` into `out` (which the caller frees
 * with folio_gitdates_free, whatever is returned). Returns 1 when there is no repository (or it
 * has no work tree, or no commit yet): `out` is left empty; 0 on success; -1 on a failure of
 * libgit2, described in `err`. Only paths under site_dir are kept. */
int folio_gitdates_read(const char *site_dir, folio_gitdates *out, char *err, size_t errlen);
void folio_gitdates_free(folio_gitdates *d);

/* The function table of folio-git.so: `read` as folio_gitdates_read, `out` zeroed. */
#define FOLIO_GIT_MODULE "folio-git.so"
typedef struct {
  int (*read)(const char *site_dir, folio_gitdates *out, char *err, size_t errlen);
} folio_git_module;

#endif

/* git.c: folio-git.so, the module that holds libgit2 (core/module.h; libgit2 brings Kerberos,
 * TLS, SSH and PCRE with it, which every run of folio would otherwise map and relocate). One walk
 * over a repository's history for src/core/gitdates.c (see gitdates.h). The paths met are kept in
 * an array indexed by an open-addressing hash table, so each delta costs one lookup. */
#include "core/gitdates.h"
#include "core/module.h"
#include <git2.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  folio_gitdates *d;
  size_t *slots;      /* index + 1 into d->items; 0 is empty */
  size_t nslots;      /* a power of two, at least twice d->count */
  size_t capacity;    /* of d->items */
  const char *prefix; /* the site folder inside the work tree, "" or "site/" */
  size_t prefix_len;
} S_index;

static uint64_t S_hash(const char *s)
{
  uint64_t h = 14695981039346656037ULL; /* FNV-1a */
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

static int S_grow_slots(S_index *ix)
{
  size_t n = ix->nslots ? ix->nslots * 2 : 1024;
  size_t *slots = calloc(n, sizeof *slots);
  if (slots == NULL)
    return -1;
  for (size_t i = 0; i < ix->d->count; i++) {
    size_t s = (size_t)S_hash(ix->d->items[i].path) & (n - 1);
    while (slots[s])
      s = (s + 1) & (n - 1);
    slots[s] = i + 1;
  }
  free(ix->slots);
  ix->slots = slots;
  ix->nslots = n;
  return 0;
}

/* Notes that a commit of author time `t` touched `path` (relative to the site folder). */
static int S_note(S_index *ix, const char *path, int64_t t)
{
  if ((ix->d->count + 1) * 2 > ix->nslots && S_grow_slots(ix) != 0)
    return -1;
  size_t s = (size_t)S_hash(path) & (ix->nslots - 1);
  while (ix->slots[s]) {
    folio_gitdate *g = &ix->d->items[ix->slots[s] - 1];
    if (strcmp(g->path, path) == 0) {
      if (t < g->first)
        g->first = t;
      if (t > g->last)
        g->last = t;
      return 0;
    }
    s = (s + 1) & (ix->nslots - 1);
  }
  if (ix->d->count == ix->capacity) {
    size_t cap = ix->capacity ? ix->capacity * 2 : 512;
    folio_gitdate *items = realloc(ix->d->items, cap * sizeof *items);
    if (items == NULL)
      return -1;
    ix->d->items = items;
    ix->capacity = cap;
  }
  char *copy = strdup(path);
  if (copy == NULL)
    return -1;
  ix->d->items[ix->d->count] = (folio_gitdate){copy, t, t};
  ix->slots[s] = ++ix->d->count;
  return 0;
}

/* ---- comparing two trees ----------------------------------------------------------------
 * git_diff_tree_to_tree builds an iterator with the full path of every entry of both trees, so
 * a commit in a folder of 2,000 posts cost 2,000 path strings twice (about 0.5 ms a commit).
 * Comparing the sorted entries directly only looks at names and ids, and enters a subtree only
 * when its id changed: the same answer (what the commit added or modified) in a tenth of the time. */

typedef struct {
  git_repository *repo;
  S_index *ix;
  int64_t time;
  char path[PATH_MAX]; /* the folder being compared, relative to the work tree, with a slash */
} S_compare;

static int S_compare_trees(S_compare *c, size_t len, const git_tree *old, const git_tree *now);

/* Whether a path (a folder ending in '/', or a file) may hold or be under the site folder. */
static int S_on_site_path(const S_index *ix, const char *path, size_t len)
{
  size_t n = len < ix->prefix_len ? len : ix->prefix_len;
  return strncmp(path, ix->prefix, n) == 0;
}

/* An entry of `now` that is new, or whose id differs from `old_entry` (NULL: none). */
static int S_changed_entry(S_compare *c, size_t len, const git_tree_entry *old_entry, const git_tree_entry *entry)
{
  const char *name = git_tree_entry_name(entry);
  size_t nl = strlen(name);
  if (len + nl + 2 > sizeof c->path)
    return 0; /* a path longer than PATH_MAX cannot be a source */
  memcpy(c->path + len, name, nl + 1);
  git_object_t type = git_tree_entry_type(entry);
  if (type == GIT_OBJECT_BLOB) {
    if (!S_on_site_path(c->ix, c->path, len + nl) || len + nl < c->ix->prefix_len)
      return 0;
    return S_note(c->ix, c->path + c->ix->prefix_len, c->time) == 0 ? 0 : 1;
  }
  if (type != GIT_OBJECT_TREE)
    return 0; /* a submodule */
  c->path[len + nl] = '/';
  c->path[len + nl + 1] = '\0';
  if (!S_on_site_path(c->ix, c->path, len + nl + 1))
    return 0;
  git_tree *sub = NULL, *old_sub = NULL;
  int rc = git_tree_lookup(&sub, c->repo, git_tree_entry_id(entry));
  if (rc == 0 && old_entry && git_tree_entry_type(old_entry) == GIT_OBJECT_TREE)
    rc = git_tree_lookup(&old_sub, c->repo, git_tree_entry_id(old_entry));
  if (rc == 0)
    rc = S_compare_trees(c, len + nl + 1, old_sub, sub);
  git_tree_free(old_sub);
  git_tree_free(sub);
  return rc;
}

/* Notes every file of `now` (under the folder c->path[0..len)) that `old` (NULL: empty) does not
 * have with the same id. Both trees list their entries in git's order, so one merge pass does. */
static int S_compare_trees(S_compare *c, size_t len, const git_tree *old, const git_tree *now)
{
  size_t nold = old ? git_tree_entrycount(old) : 0, nnow = git_tree_entrycount(now);
  size_t i = 0, j = 0;
  int rc = 0;
  while (j < nnow && rc == 0) {
    const git_tree_entry *e = git_tree_entry_byindex(now, j);
    const git_tree_entry *o = i < nold ? git_tree_entry_byindex(old, i) : NULL;
    int cmp = o ? git_tree_entry_cmp(o, e) : 1;
    if (cmp < 0) { /* only in old: removed */
      i++;
      continue;
    }
    if (cmp == 0) {
      i++;
      j++;
      if (!git_oid_equal(git_tree_entry_id(o), git_tree_entry_id(e)) || git_tree_entry_type(o) != git_tree_entry_type(e))
        rc = S_changed_entry(c, len, o, e);
      continue;
    }
    j++;
    rc = S_changed_entry(c, len, NULL, e);
  }
  return rc;
}

/* Records the paths one commit added or changed against its first parent (everything, for a
 * root commit). Returns 0, 1 when out of memory, or a libgit2 error. `kept` holds the last
 * commit's parent tree, which is most often this commit's tree (the walk goes from child to
 * parent): it is used instead of reading the tree again, and replaced by this parent's tree. */
static int S_note_commit(git_repository *repo, git_commit *commit, S_index *ix, git_tree **kept)
{
  git_tree *tree = NULL, *parent_tree = NULL;
  git_commit *parent = NULL;
  int rc = 0;
  if (*kept && git_oid_equal(git_tree_id(*kept), git_commit_tree_id(commit))) {
    tree = *kept;
    *kept = NULL;
  } else {
    rc = git_commit_tree(&tree, commit);
  }
  if (rc == 0 && git_commit_parentcount(commit) > 0) {
    rc = git_commit_parent(&parent, commit, 0);
    if (rc == 0)
      rc = git_commit_tree(&parent_tree, parent);
  }
  if (rc == 0) {
    S_compare *c = malloc(sizeof *c);
    if (c == NULL) {
      rc = 1;
    } else {
      c->repo = repo;
      c->ix = ix;
      c->time = (int64_t)git_commit_author(commit)->when.time;
      c->path[0] = '\0';
      rc = S_compare_trees(c, 0, parent_tree, tree);
      free(c);
    }
  }
  git_tree_free(*kept);
  *kept = parent_tree;
  git_commit_free(parent);
  git_tree_free(tree);
  return rc;
}

/* The site folder's place in the work tree: "" or "a/b/" in `buf`; -1 if it is not inside. */
static int S_site_prefix(const char *site_dir, const char *workdir, char *buf, size_t len)
{
  char site_real[PATH_MAX], work_real[PATH_MAX];
  if (realpath(site_dir, site_real) == NULL || realpath(workdir, work_real) == NULL)
    return -1;
  size_t wl = strlen(work_real);
  if (strcmp(site_real, work_real) == 0) {
    buf[0] = '\0';
    return 0;
  }
  if (strncmp(site_real, work_real, wl) != 0 || (wl > 1 && site_real[wl] != '/'))
    return -1;
  const char *rest = site_real + wl + (wl > 1 ? 1 : 0);
  int n = snprintf(buf, len, "%s/", rest);
  return n < 0 || (size_t)n >= len ? -1 : 0;
}

static void S_git_error(char *err, size_t errlen, const char *what)
{
  const git_error *e = git_error_last();
  snprintf(err, errlen, "%s: %s", what, e && e->message ? e->message : "unknown libgit2 error");
}

/* The walk itself, with the repository open. */
static int S_walk(git_repository *repo, S_index *ix, char *err, size_t errlen)
{
  if (git_repository_head_unborn(repo) == 1)
    return 1; /* no commit yet */
  git_revwalk *walk = NULL;
  if (git_revwalk_new(&walk, repo) != 0)
    return S_git_error(err, errlen, "cannot walk the history"), -1;
  git_revwalk_sorting(walk, GIT_SORT_TIME);
  int rc = git_revwalk_push_head(walk);
  if (rc != 0) {
    git_revwalk_free(walk);
    if (rc == GIT_EUNBORNBRANCH)
      return 1;
    return S_git_error(err, errlen, "cannot read HEAD"), -1;
  }
  git_oid oid;
  git_tree *kept = NULL;
  while ((rc = git_revwalk_next(&oid, walk)) == 0) {
    git_commit *commit = NULL;
    if (git_commit_lookup(&commit, repo, &oid) != 0)
      break;
    int r = S_note_commit(repo, commit, ix, &kept);
    git_commit_free(commit);
    ix->d->commits++;
    if (r == 1) {
      git_tree_free(kept);
      git_revwalk_free(walk);
      return snprintf(err, errlen, "out of memory while reading the git history"), -1;
    }
    if (r != 0)
      break;
  }
  git_tree_free(kept);
  git_revwalk_free(walk);
  if (rc != GIT_ITEROVER)
    return S_git_error(err, errlen, "cannot read a commit"), -1;
  return 0;
}

static int S_read(const char *site_dir, folio_gitdates *out, char *err, size_t errlen)
{
  if (git_libgit2_init() < 0)
    return snprintf(err, errlen, "cannot start libgit2"), -1;
  /* Each tree is read twice, as a commit's and as its child's parent tree: keep the big ones (a
   * folder of 2,000 posts is an 80 KB tree; libgit2 caches trees up to 4 KB by default). */
  git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, (size_t)4 << 20);
  git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)8 << 20); /* the next tree is the one that counts */
  git_repository *repo = NULL;
  int rc = git_repository_open_ext(&repo, site_dir, 0, NULL);
  if (rc != 0) {
    int result = rc == GIT_ENOTFOUND ? 1 : -1;
    if (result < 0)
      S_git_error(err, errlen, "cannot open the git repository");
    git_libgit2_shutdown();
    return result;
  }
  char prefix[PATH_MAX];
  const char *workdir = git_repository_workdir(repo);
  if (workdir == NULL || S_site_prefix(site_dir, workdir, prefix, sizeof prefix) != 0) {
    git_repository_free(repo);
    git_libgit2_shutdown();
    return 1;
  }
  S_index ix = {out, NULL, 0, 0, prefix, strlen(prefix)};
  rc = S_grow_slots(&ix) == 0 ? S_walk(repo, &ix, err, errlen)
                              : (snprintf(err, errlen, "out of memory while reading the git history"), -1);
  free(ix.slots);
  git_repository_free(repo);
  git_libgit2_shutdown();
  return rc;
}

static const folio_git_module S_table = { S_read };

__attribute__((visibility("default"))) const void *folio_module_entry(int abi)
{
  return abi == FOLIO_MODULE_ABI ? &S_table : NULL;
}

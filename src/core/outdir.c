/* outdir.c: the output folder's policy (see outdir.h): which folders a build may replace, one
 * build at a time per folder, staging and recovery, publishing. */
#include "core/outdir.h"
#include "core/fsutil.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* What a site reads: an output folder may be none of these, inside one or contain one. */
static const char *const SOURCES[] = {"content", "layouts", "static", "scripts", "themes", "site.lua", NULL};

#define SOURCES_HINT "content/, layouts/, static/, scripts/, themes/ and site.lua"

/* ---- paths ------------------------------------------------------------------------------ */

/* Whether `path` is `dir` or below it (both absolute, resolved). */
static int S_inside(const char *path, const char *dir)
{
  size_t n = strlen(dir);
  if (n == 1 && dir[0] == '/')
    return 1;
  return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Resolves `path` to an absolute path without symbolic links into `out` (PATH_MAX bytes), also
 * when it does not exist yet: its missing part is appended to its longest existing parent, and a
 * dangling link is resolved to the path it names. */
static int S_resolve(const char *path, char *out, int depth)
{
  if (depth > 32)
    return -ELOOP;
  if (realpath(path, out) != NULL)
    return 0;
  if (errno != ENOENT)
    return -errno;
  char copy[PATH_MAX];
  size_t n = strlen(path);
  if (n == 0 || n >= sizeof copy)
    return n == 0 ? -ENOENT : -ENAMETOOLONG;
  memcpy(copy, path, n + 1);
  while (n > 1 && copy[n - 1] == '/')
    copy[--n] = '\0';
  char *slash = strrchr(copy, '/');
  const char *name = slash ? slash + 1 : copy;
  char parent[PATH_MAX];
  if (slash == NULL)
    snprintf(parent, sizeof parent, ".");
  else if (slash == copy)
    snprintf(parent, sizeof parent, "/");
  else
    snprintf(parent, sizeof parent, "%.*s", (int)(slash - copy), copy);
  struct stat st;
  if (lstat(copy, &st) == 0 && S_ISLNK(st.st_mode)) { /* dangling: resolve what it names */
    char link[PATH_MAX], next[PATH_MAX];
    ssize_t len = readlink(copy, link, sizeof link - 1);
    if (len < 0)
      return -errno;
    link[len] = '\0';
    int w = link[0] == '/' ? snprintf(next, sizeof next, "%s", link)
                           : snprintf(next, sizeof next, "%s/%s", parent, link);
    if (w < 0 || w >= (int)sizeof next)
      return -ENAMETOOLONG;
    return S_resolve(next, out, depth + 1);
  }
  if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
    return -ENOENT; /* "missing/.." names nothing we can tell */
  int rc = S_resolve(parent, out, depth + 1);
  if (rc != 0)
    return rc;
  size_t used = strlen(out);
  int w = snprintf(out + used, PATH_MAX - used, "%s%s", used == 1 && out[0] == '/' ? "" : "/", name);
  return w < 0 || w >= (int)(PATH_MAX - used) ? -ENAMETOOLONG : 0;
}

/* Splits resolved `target` into its folder and name, and builds PARENT/.NAME<suffix>. */
static char *S_beside(const char *target, const char *suffix)
{
  const char *slash = strrchr(target, '/');
  int dir_len = slash == target ? 1 : (int)(slash - target);
  size_t cap = strlen(target) + strlen(suffix) + 4;
  char *s = malloc(cap);
  if (s != NULL)
    snprintf(s, cap, "%.*s%s.%s.%s", dir_len, target, dir_len == 1 ? "" : "/", slash + 1, suffix);
  return s;
}

/* ---- the checks ------------------------------------------------------------------------- */

typedef struct {
  char message[PATH_MAX + 256];
  char hint[PATH_MAX + 256];
  int forceable; /* --force may override it */
} S_refusal;

/* How `target` relates to the (resolved) folder `dir`: 0 none, 1 is it, 2 inside it, 3 contains it. */
static int S_relation(const char *target, const char *dir)
{
  if (strcmp(target, dir) == 0)
    return 1;
  if (S_inside(target, dir))
    return 2;
  if (S_inside(dir, target))
    return 3;
  return 0;
}

static const char *const RELATION[] = {"", "is", "is inside", "contains"};

/* The source `target` is, is inside or contains: its name in `which`, the relation returned. */
static int S_source_relation(const char *site, const char *target, char *which, size_t len)
{
  for (int i = 0; SOURCES[i]; i++) {
    char lexical[PATH_MAX], real[PATH_MAX];
    if (snprintf(lexical, sizeof lexical, "%s/%s", site, SOURCES[i]) >= (int)sizeof lexical)
      continue;
    int rel = S_relation(target, lexical);
    if (rel == 0 && realpath(lexical, real) != NULL) /* a source that is a link to elsewhere */
      rel = S_relation(target, real);
    if (rel != 0) {
      snprintf(which, len, "%s%s", SOURCES[i], strcmp(SOURCES[i], "site.lua") ? "/" : "");
      return rel;
    }
  }
  return 0;
}

int folio_outdir_in_sources(const char *path, char *which, size_t len)
{
  char site[PATH_MAX], target[PATH_MAX];
  if (realpath(".", site) == NULL || S_resolve(path, target, 0) != 0)
    return 0;
  int rel = S_source_relation(site, target, which, len);
  return rel == 1 || rel == 2;
}

/* The refusals no option overrides: /, the home folder, the site, a source, a file. */
static int S_check_place(const char *target, S_refusal *r)
{
  char site[PATH_MAX], home[PATH_MAX], which[64];
  const char *home_env = getenv("HOME");
  r->forceable = 0;
  snprintf(r->hint, sizeof r->hint, "choose an output folder that holds no sources, e.g. public (the default)");
  if (strcmp(target, "/") == 0) {
    snprintf(r->message, sizeof r->message, "it is the root folder /");
    return -1;
  }
  int rel = home_env && *home_env && realpath(home_env, home) != NULL ? S_relation(target, home) : 0;
  if (rel == 1 || rel == 3) { /* inside the home folder is fine */
    snprintf(r->message, sizeof r->message, "it %s your home folder (%s)", RELATION[rel], home);
    return -1;
  }
  if (realpath(".", site) == NULL) {
    snprintf(r->message, sizeof r->message, "the site folder cannot be resolved: %s", strerror(errno));
    return -1;
  }
  rel = S_relation(target, site);
  if (rel == 1 || rel == 3) {
    snprintf(r->message, sizeof r->message, "it %s the site folder (%s)", RELATION[rel], site);
    return -1;
  }
  if ((rel = S_source_relation(site, target, which, sizeof which)) != 0) {
    snprintf(r->message, sizeof r->message, "it %s the site's %s, a source the build reads", RELATION[rel], which);
    snprintf(r->hint, sizeof r->hint, "choose an output folder outside " SOURCES_HINT ", e.g. public (the default)");
    return -1;
  }
  struct stat st;
  if (stat(target, &st) == 0 && !S_ISDIR(st.st_mode)) {
    snprintf(r->message, sizeof r->message, "it is a file, not a folder");
    snprintf(r->hint, sizeof r->hint, "choose a folder (a new one is created), or move the file away");
    return -1;
  }
  return 0;
}

/* Whether the existing folder `target` may be replaced: missing, empty, or marked. */
static int S_check_owner(const char *target, int force, S_refusal *r)
{
  DIR *d = opendir(target);
  if (d == NULL)
    return errno == ENOENT ? 0 : (snprintf(r->message, sizeof r->message, "it cannot be read: %s", strerror(errno)),
                                  snprintf(r->hint, sizeof r->hint, "check the folder's permissions"), -1);
  int empty = 1, marked = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    empty = 0;
    if (strcmp(e->d_name, FOLIO_OUTPUT_MARKER) == 0)
      marked = 1;
  }
  closedir(d);
  if (empty || marked || force)
    return 0;
  r->forceable = 1;
  snprintf(r->message, sizeof r->message,
           "it is a folder that is not empty and was not made by folio build (it has no " FOLIO_OUTPUT_MARKER " file)");
  snprintf(r->hint, sizeof r->hint,
           "choose another folder, or pass --force to replace everything in it with the site "
           "(what it holds now is deleted)");
  return -1;
}

static void S_report_refusal(const folio_outdir *o, const folio_outdir_options *opts, const S_refusal *r,
                             folio_diag *diag)
{
  char message[sizeof r->message + PATH_MAX + 128], hint[sizeof r->hint + 64];
  snprintf(message, sizeof message, "refusing to build into %s%s%s%s: %s; publishing there would replace it and delete what it holds",
           o->shown, opts->config_key ? " (" : "", opts->config_key ? "output in site.lua" : "",
           opts->config_key ? ")" : "", r->message);
  snprintf(hint, sizeof hint, "%s%s", r->hint, opts->config_key ? "; set output in site.lua, or pass -o" : "");
  folio_diag_add(diag, FOLIO_ERROR, opts->config_key, 0, message, hint);
}

/* ---- lock, recovery, staging ------------------------------------------------------------ */

static void S_report(folio_diag *diag, const char *what, const char *path, int err, const char *hint)
{
  char message[PATH_MAX + 128];
  snprintf(message, sizeof message, "%s %s: %s", what, path, strerror(err));
  folio_diag_add(diag, FOLIO_ERROR, NULL, 0, message, hint);
}

/* Creates the folders of `path` that are missing (the output's parents). */
static int S_mkdir_parents(const char *path)
{
  char buf[PATH_MAX];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1; (p = strchr(p, '/')) != NULL; p++) {
    *p = '\0';
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
      return -errno;
    *p = '/';
  }
  return 0;
}

/* The pid the lock holder wrote into the lock file, or 0. */
static long S_holder(int fd)
{
  char buf[32];
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  return strtol(buf, NULL, 10);
}

static int S_lock(folio_outdir *o, const folio_outdir_options *opts, folio_diag *diag)
{
  char *lock_path = S_beside(o->target, "folio-lock");
  if (lock_path == NULL)
    return folio_diag_add(diag, FOLIO_ERROR, NULL, 0, "out of memory", NULL), -1;
  int rc = S_mkdir_parents(lock_path);
  o->lock_fd = rc == 0 ? open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644) : -1;
  if (o->lock_fd < 0) {
    S_report(diag, "cannot create the lock file", lock_path, rc ? -rc : errno,
             "check that the output folder's parent is writable");
    free(lock_path);
    return -1;
  }
  while ((rc = flock(o->lock_fd, LOCK_EX | LOCK_NB)) != 0 && errno == EINTR) {}
  if (rc != 0 && errno == EWOULDBLOCK) {
    long pid = S_holder(o->lock_fd);
    char who[48] = "";
    if (pid > 0)
      snprintf(who, sizeof who, " (pid %ld)", pid);
    if (opts->no_wait) {
      char message[PATH_MAX + 128];
      snprintf(message, sizeof message, "another folio build%s is writing to %s; --no-wait: not waiting for it", who, o->shown);
      folio_diag_add(diag, FOLIO_ERROR, NULL, 0, message, "run again when it has finished, or without --no-wait to wait for it");
      free(lock_path);
      return -1;
    }
    fprintf(stderr, "folio: another build%s is writing to %s; waiting for it to finish...\n", who, o->shown);
    while ((rc = flock(o->lock_fd, LOCK_EX)) != 0 && errno == EINTR) {}
  }
  if (rc != 0) {
    S_report(diag, "cannot lock", lock_path, errno, NULL);
    free(lock_path);
    return -1;
  }
  free(lock_path);
  char pid[32];
  int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
  if (ftruncate(o->lock_fd, 0) != 0 || pwrite(o->lock_fd, pid, (size_t)n, 0) != n) {
    /* only the waiting message of another build would miss the pid */
  }
  return 0;
}

/* Under the lock: puts back an output the fallback had moved aside when a build was killed
 * between its two renames, and removes staging folders killed builds left. */
static void S_recover(folio_outdir *o)
{
  struct stat st;
  if (lstat(o->aside, &st) == 0) {
    if (lstat(o->target, &st) != 0 && errno == ENOENT) {
      if (rename(o->aside, o->target) == 0)
        fprintf(stderr, "folio: restored %s from %s (a build was stopped while publishing)\n", o->shown, o->aside);
    } else {
      folio_remove_tree(o->aside);
    }
  }
  char *prefix_path = S_beside(o->target, "folio-build");
  if (prefix_path == NULL)
    return;
  char *slash = strrchr(prefix_path, '/');
  const char *prefix = slash + 1;
  size_t plen = strlen(prefix);
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%.*s", slash == prefix_path ? 1 : (int)(slash - prefix_path), prefix_path);
  DIR *d = opendir(dir);
  for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
    if (strncmp(e->d_name, prefix, plen) != 0 || (e->d_name[plen] != '\0' && e->d_name[plen] != '-'))
      continue;
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", strcmp(dir, "/") ? dir : "", e->d_name) < (int)sizeof path)
      folio_remove_tree(path);
  }
  if (d)
    closedir(d);
  free(prefix_path);
}

static int S_make_staging(folio_outdir *o, folio_diag *diag)
{
  char suffix[48];
  snprintf(suffix, sizeof suffix, "folio-build-%ld", (long)getpid());
  o->staging = S_beside(o->target, suffix);
  if (o->staging == NULL)
    return folio_diag_add(diag, FOLIO_ERROR, NULL, 0, "out of memory", NULL), -1;
  if (mkdir(o->staging, 0755) != 0) {
    S_report(diag, "cannot create the build folder", o->staging, errno, "check that the output folder's parent is writable");
    free(o->staging);
    o->staging = NULL;
    return -1;
  }
  static const char text[] = "This folder was made by folio build, which replaces it whole at each build.\n";
  int dirfd = open(o->staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int rc = dirfd < 0 ? -errno : folio_write_at(dirfd, FOLIO_OUTPUT_MARKER, text, sizeof text - 1, 0);
  if (dirfd >= 0)
    close(dirfd);
  if (rc != 0) {
    S_report(diag, "cannot write the marker file in", o->staging, -rc, "check the free space and permissions there");
    return -1;
  }
  return 0;
}

/* ---- the public steps ------------------------------------------------------------------- */

int folio_outdir_begin(folio_outdir *o, const char *output, const folio_outdir_options *opts, folio_diag *diag)
{
  memset(o, 0, sizeof *o);
  o->lock_fd = -1;
  char target[PATH_MAX];
  o->shown = strdup(output);
  if (o->shown == NULL)
    return folio_diag_add(diag, FOLIO_ERROR, NULL, 0, "out of memory", NULL), -1;
  int rc = output[0] ? S_resolve(output, target, 0) : -ENOENT;
  if (rc != 0) {
    S_report(diag, "cannot use the output folder", output[0] ? output : "\"\"", -rc,
             "name a folder whose parent exists or can be created");
    return -1;
  }
  S_refusal r;
  if (S_check_place(target, &r) != 0 || S_check_owner(target, opts->force, &r) != 0) {
    S_report_refusal(o, opts, &r, diag);
    return -1;
  }
  o->target = strdup(target);
  o->aside = S_beside(target, "folio-old");
  if (o->target == NULL || o->aside == NULL)
    return folio_diag_add(diag, FOLIO_ERROR, NULL, 0, "out of memory", NULL), -1;
  if (S_lock(o, opts, diag) != 0)
    return -1;
  S_recover(o);
  /* what the folder is may have changed while we waited (or by the recovery) */
  if (S_check_owner(target, opts->force, &r) != 0) {
    S_report_refusal(o, opts, &r, diag);
    return -1;
  }
  return S_make_staging(o, diag);
}

int folio_outdir_publish(folio_outdir *o, folio_diag *diag)
{
  int rc = folio_swap_into_place(o->staging, o->target, o->aside);
  if (rc != 0) {
    S_report(diag, "cannot move the new build into", o->shown, -rc, "check the output folder's permissions");
    return -1;
  }
  free(o->staging);
  o->staging = NULL;
  return 0;
}

void folio_outdir_discard(folio_outdir *o)
{
  if (o->staging)
    folio_remove_tree(o->staging);
  free(o->staging);
  o->staging = NULL;
}

void folio_outdir_close(folio_outdir *o)
{
  if (o->lock_fd >= 0)
    close(o->lock_fd);
  free(o->shown);
  free(o->target);
  free(o->staging);
  free(o->aside);
  memset(o, 0, sizeof *o);
  o->lock_fd = -1;
}

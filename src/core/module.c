/* module.c: finding and opening folio's loadable modules (see module.h). Each module is opened
 * once and never closed (libvips and libcurl keep threads and global state). */
#include "core/module.h"
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S_MAX_MODULES 8

typedef struct {
  char file[64];
  const void *table;
} S_module;

static pthread_mutex_t S_lock = PTHREAD_MUTEX_INITIALIZER;
static S_module S_modules[S_MAX_MODULES];
static int S_count;

/* The folder of the running binary, without its trailing slash; "" when unknown. */
static void S_exe_dir(char *out, size_t outlen)
{
  out[0] = '\0';
  char path[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0)
    return;
  path[n] = '\0';
  char *slash = strrchr(path, '/');
  if (slash == NULL)
    return;
  *slash = '\0';
  snprintf(out, outlen, "%s", path);
}

/* dlopen()s dir/file; NULL (and dlerror's message in `why`) when absent or broken. */
static void *S_try(const char *dir, const char *file, char *why, size_t whylen)
{
  char path[PATH_MAX];
  int n = snprintf(path, sizeof path, "%s/%s", dir, file);
  if (n < 0 || (size_t)n >= sizeof path)
    return NULL;
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL && access(path, F_OK) == 0) { /* present but unloadable: say why */
    const char *e = dlerror();
    snprintf(why, whylen, "; %.400s", e ? e : path);
  }
  return handle;
}

static void *S_open(const char *file, char *err, size_t errlen)
{
  char exe_dir[PATH_MAX], installed[PATH_MAX + 16], why[512] = "";
  S_exe_dir(exe_dir, sizeof exe_dir);
  snprintf(installed, sizeof installed, "%s/../lib/folio", exe_dir);
  const char *env = getenv("FOLIO_MODULE_DIR");
  const char *dirs[] = { env && *env ? env : NULL, exe_dir[0] ? exe_dir : NULL, exe_dir[0] ? installed : NULL };
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
    if (dirs[i] == NULL)
      continue;
    void *handle = S_try(dirs[i], file, why, sizeof why);
    if (handle)
      return handle;
  }
  snprintf(err, errlen, "cannot load folio's module %s (looked in %s%s%s and %s)%s: reinstall folio, or set "
           "FOLIO_MODULE_DIR to the folder that has it", file, env && *env ? env : "", env && *env ? ", " : "",
           exe_dir[0] ? exe_dir : "the binary's folder", exe_dir[0] ? installed : "../lib/folio", why);
  return NULL;
}

static const void *S_table(void *handle, const char *file, char *err, size_t errlen)
{
  folio_module_entry_fn entry;
  void *sym = dlsym(handle, FOLIO_MODULE_ENTRY);
  memcpy(&entry, &sym, sizeof entry); /* object pointer to function pointer, as POSIX allows */
  const void *table = sym ? entry(FOLIO_MODULE_ABI) : NULL;
  if (table == NULL)
    snprintf(err, errlen, "folio's module %s does not belong to this folio binary (%s): reinstall folio", file,
             sym ? "another interface version" : "no entry point");
  return table;
}

static S_module *S_find(const char *file)
{
  for (int i = 0; i < S_count; i++)
    if (strcmp(S_modules[i].file, file) == 0)
      return &S_modules[i];
  return NULL;
}

const void *folio_module_load(const char *file, char *err, size_t errlen)
{
  pthread_mutex_lock(&S_lock);
  S_module *m = S_find(file);
  const void *table = m ? m->table : NULL;
  if (table == NULL && S_count < S_MAX_MODULES && strlen(file) < sizeof S_modules[0].file) {
    void *handle = S_open(file, err, errlen);
    table = handle ? S_table(handle, file, err, errlen) : NULL;
    if (handle && table == NULL)
      dlclose(handle);
    if (table) {
      m = &S_modules[S_count++];
      snprintf(m->file, sizeof m->file, "%s", file);
      m->table = table;
    }
  } else if (table == NULL) {
    snprintf(err, errlen, "cannot load folio's module %s", file);
  }
  pthread_mutex_unlock(&S_lock);
  return table;
}

int folio_module_loaded(const char *file)
{
  pthread_mutex_lock(&S_lock);
  int loaded = S_find(file) != NULL;
  pthread_mutex_unlock(&S_lock);
  return loaded;
}

/* build.h: one build of a site, batch or preview. A build owns one Lua state per worker thread;
 * every state loads the same site (config, theme, plugins, hooks). The phases, each in
 * src/lua/folio/pipeline.lua, are:
 *   1. process  (parallel): read -> source hooks -> front matter -> frontmatter hooks ->
 *                           Markdown tree -> ast hooks -> render hooks -> HTML -> html hooks
 *   2. assemble (main state): all pages together -> site hooks -> the list of outputs
 *   3. render   (parallel): layouts/templates -> files in a staging folder
 * then the staging folder replaces the output folder, only if no error was reported. */
#ifndef FOLIO_BUILD_H
#define FOLIO_BUILD_H
#include "core/content.h"
#include "core/diag.h"
#include "core/outdir.h"
#include <lua.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

typedef struct {
  const char *output_dir; /* NULL: site.lua's `output`, else "public" */
  int drafts;             /* include draft: true pages */
  int future;             /* include pages dated in the future */
  int jobs;               /* worker threads; 0 = number of CPUs */
  int quiet;
  int strict;             /* every warning is an error (--strict; also site.lua's `strict`) */
  int preview;            /* building for `folio serve` */
  const char *base_url;   /* NULL: site.lua's base_url (serve points it at itself) */
  int safe;               /* --safe: site.lua, themes, plugins and scripts run sandboxed (docs/security.md) */
  int force;              /* adopt an output folder that has no .folio-output marker */
  int no_wait;            /* fail at once when another build writes to the same output */
  int no_cache;           /* --no-cache: a cold build that neither reads nor writes the build cache */
  const char *cache_dir;  /* NULL: site.lua's `cache_dir`, else ".folio-cache" (docs/configuration.md) */
  int minify;             /* 1: --minify, -1: --no-minify, 0: site.lua's `minify` (docs/assets.md) */
} folio_build_options;

typedef struct folio_build folio_build;
struct folio_cache;

/* What the build wrote, to report a full disk once (all threads and the render process add to
 * it, so the fields are atomic). */
typedef struct {
  atomic_ullong needed;  /* bytes of every output the build wrote or tried to */
  atomic_ullong written; /* of which written */
  atomic_int full_errno; /* ENOSPC or EDQUOT once the disk filled up, else 0 */
} folio_write_stats;

struct folio_build {
  folio_build_options options;
  folio_diag *diag;
  lua_State **states; /* states[0] is the main state */
  int nstates;
  int jobs;               /* the states a big enough site gets (nstates may start lower) */
  folio_content_store content; /* page bodies; slot i is written only by the worker processing page i */
  int out_dirfd;       /* the staging folder during a build, else -1 */
  int last_dirfd;      /* the last build's output folder, from the warm plan to the end of the render
                        * (folio.build.kept, link_kept), else -1 */
  folio_outdir outdir; /* the output folder's lock and staging (src/core/outdir.h) */
  char *output_path;   /* the output folder as named (option or site.lua) */
  folio_write_stats own_writes;
  folio_write_stats *writes; /* own_writes, or memory shared with the render process */
  int compare_writes;  /* preview updates: leave files whose bytes did not change alone */
  int shared_render;   /* several states of this process render at once: folio.build.store,
                        * whose slots they all read, takes nothing new then */
  double phase_ms[5];  /* timings of load, process, assemble, render, publish (swap + removal of the old output) */
  size_t pages_written;
  struct folio_cache *cache; /* the persistent build cache (core/cache.h), opened by the pipeline; NULL: none */
  char cache_stamp[64];      /* the hash of what shapes every page (src/lua/folio/buildcache.lua) */
  atomic_size_t cache_reused, cache_processed; /* pages of the process phase taken from the cache, or not */
};

/* What a build needs of the Lua side, which provides it (src/lua/lx_build.c: lx_build_runtime())
 * and the program hands it over once (folio_build_set_runtime) before any build: core never
 * calls into src/lua itself. */
typedef struct folio_build_runtime {
  lua_State *(*new_state)(void *context);  /* a state with folio's modules; `context`: its build */
  int (*require)(lua_State *L, const char *module);          /* require; [-0, +1, -] */
  int (*pcall)(lua_State *L, int nargs, int nresults);       /* lua_pcall with a traceback */
  void (*copy_value)(lua_State *from, int index, lua_State *to); /* a value into another state */
} folio_build_runtime;

void folio_build_set_runtime(const folio_build_runtime *runtime);

/* Creates the states and loads the site in the current folder. Problems with site.lua, the
 * theme or a plugin are recorded in `diag` and make it return NULL. */
folio_build *folio_build_new(const folio_build_options *options, folio_diag *diag);
/* Runs a full build into the output folder; returns 0, or 1 when errors were reported. */
int folio_build_run(folio_build *b);
void folio_build_free(folio_build *b);

/* What a preview update did. */
typedef struct {
  int reload_needed;   /* site.lua, a script or theme.lua changed: make a new build instead */
  int full;            /* every output was rendered again (a change other pages may show) */
  size_t rendered;     /* outputs rendered */
  size_t changed;      /* outputs whose bytes changed (written, or removed) */
  char *event_json;    /* {"paths": [...], "css_only": bool} for browsers; caller frees */
} folio_update_result;

/* Applies changed paths (relative to the site folder) to the last build's output in place:
 * re-processes changed pages, runs the site stage again and renders what may show the change.
 * Returns 0, or 1 when errors were reported (good pages are still written).
 * An update that renders only some pages leaves the main state's garbage collector stopped, so
 * the reload goes out sooner: call folio_build_collect once it has. */
int folio_build_update(folio_build *b, const char *const *paths, size_t count, folio_update_result *result);

/* Collects the garbage an update left and starts the collector again (a no-op if it runs). */
void folio_build_collect(folio_build *b);

/* Calls folio.pipeline[fn] in the main state with the `nargs` values pushed on
 * folio_build_main_state(b); leaves `nresults` results. Returns 0, or -1 after reporting an
 * internal error (nothing left on the stack). */
int folio_build_call(folio_build *b, const char *fn, int nargs, int nresults);
lua_State *folio_build_main_state(folio_build *b);

/* Counts an output of `bytes` that was written with result `rc` (0 or a negative errno).
 * Returns 1 when rc says the disk is full: the caller goes on without raising an error, and the
 * build reports the full disk once, with the bytes it needed. */
int folio_build_note_write(folio_build *b, size_t bytes, int rc);
/* The errno (ENOSPC, EDQUOT) of a disk that filled up during this build, else 0: later writes
 * are not tried (they are counted with folio_build_note_write). */
int folio_build_disk_full(folio_build *b);

/* Milliseconds on the monotonic clock, for timing phases and rebuilds. */
double folio_now_ms(void);

#endif

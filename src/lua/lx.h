/* lx.h: the C <-> Lua boundary. One lua_State per build worker; lx_new_state() opens the standard
 * libraries, the `folio` table with every C binding, and a searcher that loads folio's own Lua
 * modules from the binary ("folio.template" -> src/lua/folio/template.lua). Binding files are
 * lx_<subsystem>.c, each with one lx_open_<subsystem>() that fills fields of the `folio` table. */
#ifndef FOLIO_LX_H
#define FOLIO_LX_H
#include "core/hash.h"
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include <sys/stat.h>

/* A fresh state with the folio table installed as a global, or NULL when out of memory. Every
 * state runs on the counting allocator of lx_sandbox.c (safe mode's memory budget).
 * `context` is stored for bindings to fetch with lx_context(). */
lua_State *lx_new_state(void *context);
void *lx_context(lua_State *L);

/* The build that owns a Lua state (lx_build.c; NULL outside a build), and the runtime a build
 * (src/core/build.h) runs its states with. */
struct folio_build;
struct folio_build_runtime;
struct folio_build *folio_build_of(lua_State *L);
const struct folio_build_runtime *lx_build_runtime(void);

/* lua_pcall with a message handler that appends a traceback to string errors (tables raised as
 * structured errors pass through untouched). [-(nargs+1), +(nresults|1), -] */
int lx_pcall(lua_State *L, int nargs, int nresults);

/* Loads and runs a folio module by name (require); returns LUA_OK or an error status with the
 * message on the stack. [-0, +1, -] */
int lx_require(lua_State *L, const char *module);

/* Loads the embedded file at `path` (core/embedded.h) as a Lua chunk: its bytecode when the
 * build made one, else its source. Pushes the function, or an error message; LUA_OK, or the
 * status of the failed load (LUA_ERRFILE when there is no such file). [-0, +1, m] */
int lx_load_embedded(lua_State *L, const char *path);

/* Bindings, each filling fields of the table at stack index `folio`. */
void lx_open_markdown(lua_State *L, int folio); /* folio.markdown, folio.ast   (lx_ast.c) */
void lx_open_frontmatter(lua_State *L, int folio); /* folio.frontmatter       (lx_frontmatter.c) */
void lx_open_date(lua_State *L, int folio);     /* folio.date                  (lx_date.c) */
void lx_open_fs(lua_State *L, int folio);       /* folio.fs                    (lx_fs.c) */
void lx_open_util(lua_State *L, int folio);     /* folio.escape, folio.embedded (lx_util.c) */
void lx_open_build(lua_State *L, int folio);
void lx_open_cache(lua_State *L, int folio);      /* folio.cache: the persistent build cache (lx_cache.c) */
void lx_open_git(lua_State *L, int folio);        /* folio.git: dates from the git history (lx_git.c) */
void lx_open_sass(lua_State *L, int folio);       /* folio.sass: Sass/SCSS to CSS by libsass (lx_sass.c) */
void lx_open_digest(lua_State *L, int folio);     /* folio.digest: SHA-2 for fingerprints and SRI (lx_digest.c) */
void lx_open_minify(lua_State *L, int folio);     /* folio.minify: HTML, CSS, JS, JSON (lx_minify.c) */
void lx_open_text(lua_State *L, int folio);       /* folio.text_runs, folio.typography_run/_html: kramdown typography (lx_text.c) */
void lx_open_order(lua_State *L, int folio);      /* folio.sort_newest_first: the site's page order (lx_order.c) */
void lx_open_image(lua_State *L, int folio);      /* folio.image: resize, crop, convert (lx_image.c) */
void lx_open_sandbox(lua_State *L, int folio);    /* folio.sandbox: budget windows, path checks (lx_sandbox.c) */

/* Safe mode (lx_sandbox.c, src/lua/folio/sandbox.lua). The budget of one guarded call: a hook
 * call, a template render or the loading of a script, unless site.lua's `safe` table says. */
#define LX_DEFAULT_INSTRUCTIONS 250000000LL
#define LX_DEFAULT_MEMORY_MB 1024
typedef struct lx_budget lx_budget;
/* luaL_newstate on the counting allocator; NULL when out of memory. Close it with lua_close. */
lua_State *lx_sandbox_new_state(void);    /* folio.build: output, content store, diagnostics (lx_build.c) */

/* Copies the value at `index` of `from` onto the top of `to`: nil, booleans, numbers, strings and
 * tables (shared and cyclic references keep their shape; metatables registered with
 * lx_register_metatable travel by name). Functions and userdata become nil. [-0, +1, m] on `to`. */
void lx_copy_value(lua_State *from, int index, lua_State *to);
/* Names the metatable on top of the stack so lx_copy_value can re-attach it in another state.
 * [-1, +0, -] */
void lx_register_metatable(lua_State *L, const char *name);
/* The registered name of the metatable of the value at `index`, or NULL. [-0, +0, -] */
const char *lx_metatable_name(lua_State *L, int index);
/* Sets the metatable registered as `name` on the table on top; returns 0 when there is none.
 * [-0, +0, -] */
int lx_set_metatable_by_name(lua_State *L, const char *name);

/* Lua's order of two strings, as `<` compares them: < 0, 0, > 0 (lx_util.c). */
int lx_lua_strcmp(const char *l, size_t ll, const char *r, size_t lr);

/* Pushes a hash (core/hash.h) as folio.cache.hash gives it: 32 hex digits (lx_cache.c).
 * [-0, +1, m] */
/* Pushes the id folio.heading_id gives the heading text s[0..len) (lx_util.c); with `used` (a
 * stack index, 0: none) of a table of ids taken, the first of id, id-1, id-2... not in it, which
 * is then added to it. [-0, +1, m] */
void lx_push_heading_id(lua_State *L, const char *text, size_t len, int used);
void lx_push_hash(lua_State *L, folio_hash128 h);
/* Pushes a file's facts as folio.fs.stat gives them: { type =, mtime =, mtime_ns =, size =, ino = }
 * (lx_fs.c). [-0, +1, m] */
void lx_push_stat(lua_State *L, const struct stat *st, int is_link);

/* FOLIO_LUA_PROFILE=FILE: sample this state's Lua lines and functions, report at exit
 * (lx_profile.c). Does nothing when the variable is unset. */
void lx_profile_attach(lua_State *L);

#endif

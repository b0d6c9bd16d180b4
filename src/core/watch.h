/* watch.h: watches a site's folders for `folio serve` and reports coalesced changes on a libuv
 * loop. One uv_fs_event_t per directory (inotify is not recursive), the site root watched on its
 * own for site.lua and for the creation of missing folders, editor noise filtered out, bursts
 * coalesced into one callback, and a polling fallback when the kernel refuses more watches.
 *
 * What is reported
 *   Paths relative to the site root ("content/post.md", "site.lua"), never absolute. A written,
 *   created or deleted file reports its path; a rename reports both the old and the new path; a
 *   directory created or moved in reports every file already inside it (not the directory
 *   itself); a directory deleted or moved out reports its own path (and, in polling mode, the
 *   files that were inside). The consumer stats each path to learn what happened: a path that no
 *   longer exists may have been a directory, so drop everything below it too.
 *   Ignored entirely (in any folder, never walked into): names starting with '.' (dotfiles,
 *   ".git", ".DS_Store", vim's ".x.swp", emacs's ".#x"), names ending in '~', ".swp", ".swo",
 *   ".swn", ".swx", "___jb_tmp___" or "___jb_old___", "#x#", and vim's write probes "4913",
 *   "5036", ... (4913 + 123k). Editors' save-by-rename therefore reports just the real file.
 *   Symbolic links inside the watched folders are reported as files and never followed; the
 *   top-level folders themselves ("content" etc.) may be links to a directory elsewhere.
 *
 * Environment (read by folio_watch_start)
 *   FOLIO_WATCH_POLL=1     force polling mode (tests, network file systems).
 *   FOLIO_WATCH_POLL_MS=N  polling interval in ms (default 500).
 *   FOLIO_WATCH_LIMIT=N    test hook: act as if the kernel refused the (N+1)th watch (ENOSPC). */
#ifndef FOLIO_WATCH_H
#define FOLIO_WATCH_H
#include <stddef.h>
#include <uv.h>

/* At most this many paths are delivered in one callback; past it `overflow` is set. */
#define FOLIO_WATCH_MAX_PATHS 10000

typedef struct folio_watch folio_watch;

/* Called on the loop thread with `count` paths, deduplicated and sorted by strcmp. `paths` and
 * the strings are owned by the watcher and valid only during the call. `overflow` = 1 means
 * changes were lost (too many paths, out of memory, or a switch to polling): rebuild
 * everything; `paths` then holds whatever was collected, possibly nothing. The callback may
 * call folio_watch_close. */
typedef void (*folio_watch_cb)(void *ud, const char *const *paths, size_t count, int overflow);

/* Starts watching the site at `root` (a directory; absolute, or relative to the current
 * directory, which must then not change). `roots_to_watch` is a NULL-terminated list of single
 * names directly under `root`, folders or files, e.g. {"content", "static", "layouts",
 * "scripts", "themes", "site.lua", NULL}; NULL means exactly that list. "site.lua" is always
 * watched. Names that don't exist yet are fine: they are reported when created.
 * Changes are delivered `debounce_ms` after the last one of a burst, or at most 10 *
 * `debounce_ms` after the first one, so a constant stream still delivers. A batch made only of
 * files written in place and closed since (no creation, deletion, rename or folder: not part of
 * a save by rename) is complete and delivered at once instead (Linux: IN_CLOSE_WRITE), but no
 * sooner than `debounce_ms` after the previous delivery.
 * The tree is walked synchronously here (and again for each directory created later).
 * Returns 0 and sets *out, or a negative libuv error code (UV_ENOTDIR, UV_ENOENT, UV_EINVAL,
 * UV_ENOMEM...) with a message in `err` (if errlen > 0) and *out = NULL; `cb` is then never
 * called. Either way, run the loop before uv_loop_close: a failed start may leave handles whose
 * memory is released in their close callbacks. A refused watch (ENOSPC/EMFILE) is not an error:
 * it prints, once per process, how to raise the limit and switches to polling. */
int folio_watch_start(uv_loop_t *loop, const char *root, const char *const *roots_to_watch,
                      unsigned debounce_ms, folio_watch_cb cb, void *ud, folio_watch **out,
                      char *err, size_t errlen);

/* Stops watching. No callback is delivered after this call (pending changes are dropped). The
 * watcher's memory is released once all its handles are closed, on a later loop iteration;
 * then `done(done_ud)` is called if `done` is not NULL. `w` must not be used after this call.
 * NULL is accepted and does nothing (done is not called). */
void folio_watch_close(folio_watch *w, void (*done)(void *done_ud), void *done_ud);

/* "inotify" (per-directory kernel events; "events" on non-Linux systems) or "polling". Can
 * change from the first to the second while running. */
const char *folio_watch_mode(const folio_watch *w);

#endif

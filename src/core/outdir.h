/* outdir.h: the output folder's policy. Owns everything that decides whether and how a build may
 * replace a folder: the checks made before anything is written (never a source folder, the site,
 * the home folder or /, never a foreign folder without --force), the `.folio-output` marker, the
 * lock that lets one build at a time publish into a folder, the per-build staging folder, the
 * recovery of what an interrupted build left, and the publishing swap.
 *
 * Beside an output folder NAME in folder PARENT (symbolic links resolved: a link is followed and
 * kept, the build is published into its target):
 *   PARENT/.NAME.folio-lock         flock()ed by the build that is writing NAME (never removed)
 *   PARENT/.NAME.folio-build-PID    the staging folder of build PID (removed at the next start
 *                                   when its build was killed)
 *   PARENT/.NAME.folio-old          the previous output while the two-rename fallback publishes
 *                                   (restored at the next start when NAME is missing) */
#ifndef FOLIO_OUTDIR_H
#define FOLIO_OUTDIR_H
#include "core/diag.h"

/* The file that marks a folder as a folio output; written into every build. */
#define FOLIO_OUTPUT_MARKER ".folio-output"

typedef struct {
  int force;              /* adopt an existing folder without the marker */
  int no_wait;            /* fail at once when another build holds the lock */
  const char *config_key; /* "site.lua" when the path came from site.lua's `output`, else NULL */
} folio_outdir_options;

typedef struct {
  char *shown;   /* the path as given, for messages */
  char *target;  /* absolute, symbolic links resolved: the folder that is replaced */
  char *staging; /* this build's staging folder (exists between begin and publish/discard) */
  char *aside;   /* where the fallback keeps the previous output */
  int lock_fd;   /* -1 when not locked */
} folio_outdir;

/* Checks `output` (relative to the current folder, the site) and, if it may be used, takes its
 * lock (waiting for another build unless no_wait), recovers what an interrupted build left and
 * creates an empty staging folder holding the marker. Returns 0, or -1 after reporting to `diag`
 * why nothing was written. `o` must be released with folio_outdir_close either way. */
int folio_outdir_begin(folio_outdir *o, const char *output, const folio_outdir_options *opts, folio_diag *diag);

/* Puts the staging folder in place of the output (atomic exchange where the file system has it,
 * else the two-rename fallback; FOLIO_TEST_NO_EXCHANGE=1 forces the fallback) and removes the
 * previous output. Returns 0, or -1 after reporting to `diag` (the old output is kept). */
int folio_outdir_publish(folio_outdir *o, folio_diag *diag);

/* Removes the staging folder (a failed build). */
void folio_outdir_discard(folio_outdir *o);

/* Releases the lock and frees `o` (safe on a zeroed or failed one). */
void folio_outdir_close(folio_outdir *o);

/* Whether `path` (which need not exist yet) is, or is inside, one of the site's source folders
 * (the current folder's content/, layouts/, static/, scripts/, themes/, site.lua): then nothing
 * may be written there. Fills `which` with the source's name. For folio serve's preview folder. */
int folio_outdir_in_sources(const char *path, char *which, size_t len);

#endif

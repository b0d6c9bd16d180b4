/* diag.h: the build's diagnostics. Every problem found while building (bad front matter, a
 * missing layout, a hook error...) is recorded here with its file, line and a hint, so the build
 * can report all of them at the end instead of stopping at the first. Thread-safe.
 * One cause, one message: the same problem met on many pages (a broken template every post
 * uses, a hook failing on each page) is recorded once per page and merged by folio_diag_sort
 * into one diagnostic that counts the pages and names the first few. */
#ifndef FOLIO_DIAG_H
#define FOLIO_DIAG_H
#include <stdio.h>
#include <stddef.h>

typedef enum { FOLIO_WARNING, FOLIO_ERROR } folio_severity;

typedef struct {
  folio_severity severity;
  char *file;    /* relative to the site folder; may be NULL */
  int line;      /* 1-based; 0 when unknown */
  char *message; /* may span lines (a Lua traceback) */
  char *hint;    /* what to do about it; may be NULL */
  char *subject; /* the page it was met on, when not `file` itself (a template error while
                    rendering a post); may be NULL */
  size_t count;  /* how many pages reported it (after folio_diag_sort); 1 at least */
  char *others;  /* the subjects merged into this one: "a.md, b.md, c.md"; may be NULL */
  int strict;    /* a warning made an error by folio_diag_make_strict */
} folio_diagnostic;

typedef struct folio_diag folio_diag;

folio_diag *folio_diag_new(void);
void folio_diag_free(folio_diag *d);
/* Records a diagnostic; strings are copied. Returns 0, or -1 when out of memory. */
int folio_diag_add(folio_diag *d, folio_severity severity, const char *file, int line,
                   const char *message, const char *hint);
/* The same, naming the page the problem was met on (see `subject`; may be NULL). */
int folio_diag_add_about(folio_diag *d, folio_severity severity, const char *file, int line,
                         const char *message, const char *hint, const char *subject);
/* Turns every warning into an error (--strict, `strict = true`); returns how many it turned. */
size_t folio_diag_make_strict(folio_diag *d);
size_t folio_diag_count(const folio_diag *d, folio_severity severity);
/* The i-th diagnostic (in the order they were sorted by folio_diag_sort). */
const folio_diagnostic *folio_diag_get(const folio_diag *d, size_t i);
size_t folio_diag_size(const folio_diag *d);
/* Sorts by file, then line, so reports are stable whatever thread found them, and merges the
 * diagnostics that differ only in their subject (and hint) into one with a count. */
void folio_diag_sort(folio_diag *d);
/* Prints every diagnostic as `file:line: error: message` plus an indented hint, and for a merged
 * one a line naming how many pages it concerns. */
void folio_diag_print(const folio_diag *d, FILE *out, int color);
void folio_diag_clear(folio_diag *d);
/* A JSON array of {file, line, severity, message, hint}; malloc'd, caller frees; NULL on OOM. */
char *folio_diag_to_json(const folio_diag *d);

#endif

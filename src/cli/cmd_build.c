/* cmd_build.c: `folio build`: one full build of a site into its output folder. */
#include "cli/cli.h"
#include "core/build.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Parses the options `build` and `serve` share; returns 0, or 2 on bad usage. */
static int S_parse(int argc, char **argv, folio_build_options *o, const char **source)
{
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    const char *next = i + 1 < argc ? argv[i + 1] : NULL;
    if ((!strcmp(a, "-s") || !strcmp(a, "--source")) && next) { *source = next; i++; }
    else if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && next) { o->output_dir = next; i++; }
    else if (!strcmp(a, "-D") || !strcmp(a, "--drafts")) o->drafts = 1;
    else if (!strcmp(a, "-F") || !strcmp(a, "--future")) o->future = 1;
    else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) o->quiet = 1;
    else if (!strcmp(a, "--safe")) o->safe = 1;
    else if (!strcmp(a, "--strict")) o->strict = 1;
    else if (!strcmp(a, "--force")) o->force = 1;
    else if (!strcmp(a, "--no-wait")) o->no_wait = 1;
    else if (!strcmp(a, "--minify")) o->minify = 1;
    else if (!strcmp(a, "--no-minify")) o->minify = -1;
    else if (!strcmp(a, "-j") || !strcmp(a, "--jobs") || !strncmp(a, "-j", 2) || !strncmp(a, "--jobs=", 7)) {
      /* -j N, --jobs N, -jN, --jobs=N */
      const char *value = a[1] == 'j' && a[2] ? a + 2 : a[1] == '-' && a[6] == '=' ? a + 7 : next;
      if (value == next)
        i++;
      char *end;
      long n = value ? strtol(value, &end, 10) : 0;
      if (!value || *end || n < 1 || n > 32) {
        fprintf(stderr, "folio build: --jobs takes a number from 1 to 32\n");
        return 2;
      }
      o->jobs = (int)n;
    } else {
      fprintf(stderr, "folio build: unknown option '%s' (see folio build --help)\n", a);
      return 2;
    }
  }
  return 0;
}

int folio_cmd_build(int argc, char **argv)
{
  folio_build_options options = {0};
  const char *source = ".";
  int rc = S_parse(argc, argv, &options, &source);
  if (rc != 0)
    return rc;
  if (chdir(source) != 0) {
    fprintf(stderr, "folio build: cannot enter the site folder %s: %s\n", source, strerror(errno));
    return 1;
  }
  double t0 = folio_now_ms();
  folio_diag *diag = folio_diag_new();
  if (diag == NULL) {
    fprintf(stderr, "folio build: out of memory\n");
    return 1;
  }
  folio_build *b = folio_build_new(&options, diag);
  int status = b ? folio_build_run(b) : 1;
  folio_diag_sort(diag);
  int color = isatty(STDERR_FILENO) && getenv("NO_COLOR") == NULL;
  folio_diag_print(diag, stderr, color);
  size_t errors = folio_diag_count(diag, FOLIO_ERROR), warnings = folio_diag_count(diag, FOLIO_WARNING);
  if (status != 0) {
    fprintf(stderr, "folio build: failed with %zu error%s; the previous output was left as it was\n", errors,
            errors == 1 ? "" : "s");
  } else if (!options.quiet) {
    printf("Built %zu pages into %s in %.0f ms (load %.0f, process %.0f, assemble %.0f, render %.0f; %d threads)",
           b->pages_written, b->output_path, folio_now_ms() - t0, b->phase_ms[0], b->phase_ms[1], b->phase_ms[2],
           b->phase_ms[3], b->nstates);
    if (warnings > 0)
      printf(" with %zu warning%s", warnings, warnings == 1 ? "" : "s");
    putchar('\n');
  }
  double t_free = folio_now_ms(), publish_ms = b ? b->phase_ms[4] : 0;
#ifdef FOLIO_FREE_AT_EXIT
  folio_build_free(b);
  folio_diag_free(diag);
#else
  /* The process ends here and the system takes its memory back at once; closing the Lua states
   * object by object would add ~40 ms to a 10,000-page build. Sanitizer builds do free all of it,
   * so their leak checks still see every allocation. */
  (void)b;
  (void)diag;
#endif
  if (getenv("FOLIO_TIMINGS"))
    fprintf(stderr, "publish %.1f ms, teardown %.1f ms, total %.1f ms\n", publish_ms, folio_now_ms() - t_free,
            folio_now_ms() - t0);
  return status;
}

/* cmd_build.c: `folio build`: one full build of a site into its output folder. */
#include "cli/cli.h"
#include "core/build.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int folio_cli_base_url(const char *command, const char *value, char *buf, size_t size)
{
  const char *rest = value ? strstr(value, "://") : NULL;
  size_t len = value ? strlen(value) : 0;
  if (!rest || rest == value || rest[3] == '\0' || rest[3] == '/' || len + 2 > size) {
    fprintf(stderr, "folio %s: --base-url takes an absolute URL such as https://example.org/blog/ (got '%s')\n",
            command, value ? value : "");
    return 2;
  }
  memcpy(buf, value, len + 1);
  if (buf[len - 1] != '/') {
    buf[len] = '/';
    buf[len + 1] = '\0';
  }
  return 0;
}

/* Whether `dir` holds an earlier build (every build writes a .folio-output marker). */
static int S_has_output(const char *dir)
{
  char marker[4096];
  snprintf(marker, sizeof marker, "%s/.folio-output", dir);
  return access(marker, F_OK) == 0;
}

/* Parses the options of `build`; returns 0, or 2 on bad usage. */
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
    else if (!strcmp(a, "--base-url") || !strncmp(a, "--base-url=", 11)) {
      static char url[2048];
      if (a[10] == '\0')
        i++;
      if (folio_cli_base_url("build", a[10] == '=' ? a + 11 : next, url, sizeof url) != 0)
        return 2;
      o->base_url = url;
    }
    else if (!strcmp(a, "--no-cache")) o->no_cache = 1;
    else if (!strcmp(a, "--cache-dir") && next) { o->cache_dir = next; i++; }
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
      return folio_unknown_option("build", a);
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
  /* Said in the summary of a failed build (which never publishes): was there an output to leave? */
  const char *out = b && b->output_path ? b->output_path : options.output_dir ? options.output_dir : "public";
  int had_output = S_has_output(out);
  folio_diag_sort(diag);
  int color = isatty(STDERR_FILENO) && getenv("NO_COLOR") == NULL;
  folio_diag_print(diag, stderr, color);
  size_t errors = folio_diag_count(diag, FOLIO_ERROR), warnings = folio_diag_count(diag, FOLIO_WARNING);
  if (status != 0) {
    if (had_output)
      fprintf(stderr, "folio build: failed with %zu error%s; the previous output in %s was left as it was\n", errors,
              errors == 1 ? "" : "s", out);
    else
      fprintf(stderr, "folio build: failed with %zu error%s; nothing was written to %s\n", errors,
              errors == 1 ? "" : "s", out);
  } else if (!options.quiet) {
    printf("Built %zu pages into %s in %.0f ms (load %.0f, process %.0f, assemble %.0f, render %.0f; %d thread%s)",
           b->pages_written, b->output_path, folio_now_ms() - t0, b->phase_ms[0], b->phase_ms[1], b->phase_ms[2],
           b->phase_ms[3], b->nstates, b->nstates == 1 ? "" : "s");
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

/* sass.h: the function table of folio-sass.so (src/modules/sass.c), the module that holds
 * libsass (and the C++ runtime it needs); src/lua/lx_sass.c loads it on the first Sass file
 * (core/module.h). Plain C values both ways: no Lua inside the module. */
#ifndef FOLIO_MODULES_SASS_H
#define FOLIO_MODULES_SASS_H
#include <stddef.h>

#define FOLIO_SASS_MODULE "folio-sass.so"

enum { FOLIO_SASS_EXPANDED, FOLIO_SASS_COMPRESSED, FOLIO_SASS_NESTED, FOLIO_SASS_COMPACT };

typedef struct {
  const char *text;                 /* the Sass or SCSS source */
  const char *path;                 /* its name: errors, relative imports, the source map */
  const char *output;               /* source_map 2: the CSS's output path, else NULL */
  const char *const *include_paths; /* folders searched by @import */
  size_t include_count;
  int style;      /* FOLIO_SASS_* */
  int indented;   /* 1: the indented .sass syntax */
  int source_map; /* 0 none, 1 inline (sources embedded), 2 a separate map for `output` */
} folio_sass_input;

typedef struct {
  char *css;     /* the CSS (malloc'd), NULL when the compile failed */
  char *map;     /* source_map 2: the map (malloc'd), else NULL */
  char *file;    /* a failed compile: the file that has the error (malloc'd, may be NULL) */
  char *message; /* and what libsass says (malloc'd, may be NULL) */
  long line, column;
} folio_sass_result;

typedef struct {
  /* Compiles `in` into `out` (zeroed by the caller; free each string with free()). 0, or -1
   * when out of memory. A Sass error is 0 with out->css NULL. */
  int (*compile)(const folio_sass_input *in, folio_sass_result *out);
  const char *(*version)(void);
} folio_sass_module;

#endif

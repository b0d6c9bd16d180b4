/* module.h: folio's loadable modules. The libraries that only some commands or sites need
 * (libvips for images, libcurl for `folio check --external`, libgit2 for dates from git, libsass
 * for Sass) bring over a hundred shared libraries with them; linking them into the binary made
 * every run pay for mapping and relocating those. They live in small modules instead
 * (folio-vips.so, folio-curl.so, folio-git.so, folio-sass.so, built from src/modules/), opened on
 * first use. A module is looked for in $FOLIO_MODULE_DIR, next to the folio binary (a build
 * tree) and in ../lib/folio/ beside it (an installed folio: PREFIX/bin/folio and
 * PREFIX/lib/folio/). */
#ifndef FOLIO_MODULE_H
#define FOLIO_MODULE_H
#include <stddef.h>

/* The entry point every module exports, under the name FOLIO_MODULE_ENTRY: it returns the
 * module's function table when `abi` is the one it was built for, else NULL. */
#define FOLIO_MODULE_ENTRY "folio_module_entry"
#define FOLIO_MODULE_ABI 1
typedef const void *(*folio_module_entry_fn)(int abi);

/* Opens `file` (e.g. "folio-vips.so") once per process and returns its function table, or NULL
 * with a message naming the module and where it was looked for. Thread-safe. */
const void *folio_module_load(const char *file, char *err, size_t errlen);

/* 1 when `file` was loaded by this process. */
int folio_module_loaded(const char *file);

#endif

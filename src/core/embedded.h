/* embedded.h: files compiled into the folio binary (its Lua modules, the shipped plugins in
 * scripts/ and the default theme), keyed by their path in the source tree, e.g.
 * "src/lua/folio/template.lua" or "themes/default/layouts/post.html". */
#ifndef FOLIO_EMBEDDED_H
#define FOLIO_EMBEDDED_H
#include <stddef.h>

typedef struct {
  const char *path;
  const unsigned char *data; /* NUL-terminated; size excludes the NUL */
  size_t size;
  /* folio's own Lua modules (src/lua/, scripts/, compat/) compiled at build time by
   * tools/embed.c, with debug information; NULL for other files. Load it in mode "b". */
  const unsigned char *code;
  size_t code_size;
  const char *chunkname; /* the chunk's name in errors: "@src/lua/folio/x.lua", "@(folio)/scripts/x.lua" */
} folio_embedded_file;

extern const folio_embedded_file *folio_embedded_files; /* sorted as given at build time */
extern const size_t folio_embedded_count;

/* The file at `path`, or NULL. */
const folio_embedded_file *folio_embedded_find(const char *path);

#endif

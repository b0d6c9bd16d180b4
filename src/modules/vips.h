/* vips.h: the function table of folio-vips.so (src/modules/vips.c), the module that holds
 * libvips; src/core/image.c loads it on the first image operation (core/module.h). */
#ifndef FOLIO_MODULES_VIPS_H
#define FOLIO_MODULES_VIPS_H
#include "core/image.h"
#include <stddef.h>

#define FOLIO_VIPS_MODULE "folio-vips.so"

typedef struct {
  /* As folio_image_probe. */
  int (*probe)(const char *path, folio_image_info *info, char *err, size_t errlen);
  /* Reads `src`, applies `op` and writes the result to `tmp`; sets `out`. 0, or -1 with a
   * message naming `src` (the caller removes `tmp`). */
  int (*process)(const char *src, const char *tmp, const folio_image_op *op, folio_image_info *out, char *err,
                 size_t errlen);
  /* As folio_image_can_write. */
  int (*can_write)(const char *format);
} folio_vips_module;

#endif

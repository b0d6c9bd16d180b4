/* image.h: image processing for the images plugin and the image() template helper, over libvips
 * (in the module folio-vips.so, loaded on the first call).
 * Loading is limited to libvips' trusted loaders (JPEG, PNG, WebP, GIF, TIFF, HEIF/AVIF, SVG...),
 * fails on any decoding error, and refuses images larger than a pixel limit before decoding. The
 * functions are safe to call from any thread; libvips is initialised once, on first use. */
#ifndef FOLIO_IMAGE_H
#define FOLIO_IMAGE_H
#include <stddef.h>
#include <stdint.h>

typedef enum {
  FOLIO_IMAGE_FIT,    /* within width x height, aspect kept, never larger than the source */
  FOLIO_IMAGE_FILL,   /* covers width x height then cropped to it (centre), never upscaled */
  FOLIO_IMAGE_CROP,   /* the centre width x height of the source, no scaling */
  FOLIO_IMAGE_RESIZE, /* scaled to width (and height; 0 keeps the aspect), may upscale */
} folio_image_mode;

typedef struct {
  folio_image_mode mode;
  int width, height;  /* 0: unbounded (fit) or from the aspect ratio (resize) */
  const char *format; /* "jpeg", "png", "webp" or "avif" */
  int quality;        /* 1-100 for lossy formats */
} folio_image_op;

typedef struct {
  int width, height;
  char format[16]; /* the loader's name without "load": "jpeg", "png", "webp", "heif"... */
} folio_image_info;

/* Width, height and format from the file's header (no decoding). 0, or -1 with a message. */
int folio_image_probe(const char *path, folio_image_info *info, char *err, size_t errlen);

/* Reads `src`, applies `op` and writes `dst` (through a temporary file renamed into place, so a
 * reader never sees half a file). `max_pixels` bounds the source (0: no bound). Sets the size
 * written. 0, or -1 with a message naming what went wrong. */
int folio_image_process(const char *src, const char *dst, const folio_image_op *op, double max_pixels,
                        folio_image_info *out, char *err, size_t errlen);

/* 1 when this libvips can write the format ("avif" needs libheif with an AV1 encoder). */
int folio_image_can_write(const char *format);

/* A 64-bit hash of the file's bytes. 0, or -1 with a message. */
int folio_image_hash_file(const char *path, uint64_t *hash, char *err, size_t errlen);

/* 1 once libvips was started in this process. Its threads and locks do not survive a fork():
 * `folio build` renders without forking then (src/core/build.c). */
int folio_image_started(void);

/* 1 once this process loaded the libvips module (folio-vips.so, core/module.h). */
int folio_image_loaded(void);

/* How many images this process and its forked children processed (not taken from the cache). */
uint64_t folio_image_processed(void);

#endif

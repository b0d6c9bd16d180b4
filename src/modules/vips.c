/* vips.c: folio-vips.so, the module that holds libvips (see src/modules/vips.h and
 * core/module.h): reading, transforming and writing images for src/core/image.c. libvips starts
 * on first use (pthread_once), with its operation cache off (each image is read once per build,
 * and the cache would keep decoded images alive) and its own threads at one per operation, since
 * folio's build workers already run one image each. Untrusted loaders (ImageMagick, PDF,
 * OpenSlide...) are blocked: a site's images are JPEG, PNG, WebP, GIF, TIFF, HEIF/AVIF or SVG. */
#include "modules/vips.h"
#include "core/module.h"
#include <vips/vips.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_once_t S_vips_once = PTHREAD_ONCE_INIT;
static int S_vips_ok;

/* libvips' warnings (one per bad tile) would flood the terminal; its errors reach the user
 * through the error buffer instead, as one message naming the file. */
static void S_drop_log(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
  (void)domain;
  (void)level;
  (void)message;
  (void)data;
}

static void S_vips_start(void)
{
  if (VIPS_INIT("folio") != 0)
    return;
  g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO, S_drop_log, NULL);
  vips_cache_set_max(0);
  vips_concurrency_set(1);
  vips_block_untrusted_set(TRUE);
  S_vips_ok = 1;
}

/* Copies libvips' error buffer (this thread's last failure) after a prefix, one line. */
static void S_vips_error(char *err, size_t errlen, const char *what, const char *path)
{
  char msg[400];
  snprintf(msg, sizeof msg, "%s", vips_error_buffer());
  vips_error_clear();
  size_t n = strlen(msg);
  while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
    msg[--n] = '\0';
  for (char *c = msg; *c; c++)
    if (*c == '\n')
      *c = ';';
  snprintf(err, errlen, "%s %s: %s", what, path, n ? msg : "unknown libvips error");
}

static int S_ready(char *err, size_t errlen)
{
  pthread_once(&S_vips_once, S_vips_start);
  if (!S_vips_ok) {
    snprintf(err, errlen, "libvips could not start: %s", vips_error_buffer());
    return -1;
  }
  return 0;
}

/* "VipsForeignLoadJpegFile" -> "jpeg" */
static void S_format_name(VipsImage *img, char *out, size_t outlen)
{
  const char *loader = NULL;
  out[0] = '\0';
  if (vips_image_get_typeof(img, VIPS_META_LOADER) && vips_image_get_string(img, VIPS_META_LOADER, &loader) == 0 && loader) {
    size_t n = strlen(loader);
    if (n > 4 && strcmp(loader + n - 4, "load") == 0)
      n -= 4;
    snprintf(out, outlen, "%.*s", (int)n, loader);
  }
}

static int S_probe(const char *path, folio_image_info *info, char *err, size_t errlen)
{
  if (S_ready(err, errlen) != 0)
    return -1;
  VipsImage *img = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
  if (img == NULL) {
    S_vips_error(err, errlen, "cannot read the image", path);
    return -1;
  }
  info->width = vips_image_get_width(img);
  info->height = vips_image_get_height(img);
  S_format_name(img, info->format, sizeof info->format);
  g_object_unref(img);
  return 0;
}

/* heifsave exists with libheif; whether it has an AV1 encoder shows only when used: a 2x2
 * image is written once, in memory, and the answer remembered. */
static pthread_once_t S_avif_once = PTHREAD_ONCE_INIT;
static int S_avif_ok;

static void S_probe_avif(void)
{
  if (vips_type_find("VipsOperation", "heifsave") == 0)
    return;
  VipsImage *img = NULL;
  if (vips_black(&img, 2, 2, "bands", 3, NULL) != 0) {
    vips_error_clear();
    return;
  }
  void *buf = NULL;
  size_t len = 0;
  if (vips_heifsave_buffer(img, &buf, &len, "compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1, NULL) == 0 && len > 0)
    S_avif_ok = 1;
  else
    vips_error_clear();
  g_free(buf);
  g_object_unref(img);
}

static int S_can_write(const char *format)
{
  char err[64];
  if (S_ready(err, sizeof err) != 0)
    return 0;
  if (strcmp(format, "jpeg") == 0) return vips_type_find("VipsOperation", "jpegsave") != 0;
  if (strcmp(format, "png") == 0) return vips_type_find("VipsOperation", "pngsave") != 0;
  if (strcmp(format, "webp") == 0) return vips_type_find("VipsOperation", "webpsave") != 0;
  if (strcmp(format, "avif") == 0) {
    pthread_once(&S_avif_once, S_probe_avif);
    return S_avif_ok;
  }
  return 0;
}

static int S_save(VipsImage *img, const char *path, const folio_image_op *op)
{
  int q = op->quality > 0 && op->quality <= 100 ? op->quality : 80;
  if (strcmp(op->format, "jpeg") == 0)
    return vips_jpegsave(img, path, "Q", q, "strip", TRUE, "optimize_coding", TRUE, NULL);
  if (strcmp(op->format, "png") == 0)
    return vips_pngsave(img, path, "strip", TRUE, NULL);
  if (strcmp(op->format, "webp") == 0)
    return vips_webpsave(img, path, "Q", q, "strip", TRUE, NULL);
  if (strcmp(op->format, "avif") == 0)
    return vips_heifsave(img, path, "Q", q, "compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1, "strip", TRUE,
                         "effort", 2, NULL);
  vips_error("folio", "unknown image format '%s' (use jpeg, png, webp or avif)", op->format);
  return -1;
}

/* JPEG has no alpha: flatten onto white first. */
static int S_prepare_for(VipsImage **img, const char *format)
{
  if (strcmp(format, "jpeg") != 0 || !vips_image_hasalpha(*img))
    return 0;
  VipsImage *flat = NULL;
  VipsArrayDouble *white = vips_array_double_newv(3, 255.0, 255.0, 255.0);
  int rc = vips_flatten(*img, &flat, "background", white, NULL);
  vips_area_unref(VIPS_AREA(white));
  if (rc != 0)
    return -1;
  g_object_unref(*img);
  *img = flat;
  return 0;
}

static int S_transform(const char *src, const folio_image_op *op, VipsImage **out)
{
  int w = op->width > 0 ? op->width : 0, h = op->height > 0 ? op->height : 0;
  if (op->mode == FOLIO_IMAGE_FIT || op->mode == FOLIO_IMAGE_FILL) {
    int tw = w ? w : VIPS_MAX_COORD, th = h ? h : VIPS_MAX_COORD;
    if (op->mode == FOLIO_IMAGE_FILL)
      return vips_thumbnail(src, out, tw, "height", th, "size", VIPS_SIZE_DOWN, "crop", VIPS_INTERESTING_CENTRE,
                            "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    return vips_thumbnail(src, out, tw, "height", th, "size", VIPS_SIZE_DOWN, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
  }
  VipsImage *loaded = vips_image_new_from_file(src, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
  if (loaded == NULL)
    return -1;
  VipsImage *rotated = NULL;
  int rc = vips_autorot(loaded, &rotated, NULL);
  g_object_unref(loaded);
  if (rc != 0)
    return -1;
  int iw = vips_image_get_width(rotated), ih = vips_image_get_height(rotated);
  if (op->mode == FOLIO_IMAGE_CROP) {
    int cw = w && w < iw ? w : iw, ch = h && h < ih ? h : ih;
    rc = vips_extract_area(rotated, out, (iw - cw) / 2, (ih - ch) / 2, cw, ch, NULL);
  } else {
    double sx = w ? (double)w / iw : (h ? (double)h / ih : 1.0);
    double sy = h ? (double)h / ih : sx;
    rc = vips_resize(rotated, out, sx, "vscale", sy, NULL);
  }
  g_object_unref(rotated);
  return rc;
}

static int S_process(const char *src, const char *tmp, const folio_image_op *op, folio_image_info *out, char *err,
                     size_t errlen)
{
  if (S_ready(err, errlen) != 0)
    return -1;
  VipsImage *img = NULL;
  if (S_transform(src, op, &img) != 0 || S_prepare_for(&img, op->format) != 0) {
    if (img)
      g_object_unref(img);
    S_vips_error(err, errlen, "cannot process the image", src);
    return -1;
  }
  if (S_save(img, tmp, op) != 0) {
    g_object_unref(img);
    /* libvips decodes lazily: a broken source shows only now, so name the source */
    S_vips_error(err, errlen, "cannot process the image", src);
    return -1;
  }
  out->width = vips_image_get_width(img);
  out->height = vips_image_get_height(img);
  snprintf(out->format, sizeof out->format, "%s", op->format);
  g_object_unref(img);
  return 0;
}

static const folio_vips_module S_table = { S_probe, S_process, S_can_write };

__attribute__((visibility("default"))) const void *folio_module_entry(int abi)
{
  return abi == FOLIO_MODULE_ABI ? &S_table : NULL;
}

/* image.c: folio's image operations (image.h). The work is done by libvips, which lives in the
 * module folio-vips.so (src/modules/vips.c), loaded on the first operation: a build without
 * images never maps libvips and the hundred libraries it brings. Here: loading it, the
 * processed counter, writing results into place and the content hash. */
#include "core/image.h"
#include "core/module.h"
#include "modules/vips.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static atomic_int S_vips_started;

int folio_image_started(void) { return atomic_load(&S_vips_started); }

/* The processed counter lives in a shared anonymous mapping, so the render process that
 * `folio build` forks adds to the same number. Made when the first Lua state opens
 * folio.image (before any fork); a plain static if the mapping fails. */
static pthread_once_t S_counter_once = PTHREAD_ONCE_INIT;
static atomic_uint_fast64_t S_counter_local;
static atomic_uint_fast64_t *S_counter = &S_counter_local;

static void S_counter_start(void)
{
  void *p = mmap(NULL, sizeof *S_counter, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return;
  S_counter = p;
  atomic_init(S_counter, 0);
}

uint64_t folio_image_processed(void)
{
  pthread_once(&S_counter_once, S_counter_start);
  return (uint64_t)atomic_load(S_counter);
}

/* The module's table, loaded (and libvips started by it) on first use; NULL with a message when
 * the module cannot be loaded. */
static const folio_vips_module *S_vips(char *err, size_t errlen)
{
  pthread_once(&S_counter_once, S_counter_start);
  atomic_store(&S_vips_started, 1);
  return folio_module_load(FOLIO_VIPS_MODULE, err, errlen);
}

int folio_image_probe(const char *path, folio_image_info *info, char *err, size_t errlen)
{
  const folio_vips_module *vips = S_vips(err, errlen);
  return vips ? vips->probe(path, info, err, errlen) : -1;
}

int folio_image_can_write(const char *format)
{
  char err[256];
  const folio_vips_module *vips = S_vips(err, sizeof err);
  return vips ? vips->can_write(format) : 0;
}

int folio_image_process(const char *src, const char *dst, const folio_image_op *op, double max_pixels,
                        folio_image_info *out, char *err, size_t errlen)
{
  const folio_vips_module *vips = S_vips(err, errlen);
  folio_image_info in;
  if (vips == NULL || vips->probe(src, &in, err, errlen) != 0)
    return -1;
  if (max_pixels > 0 && (double)in.width * (double)in.height > max_pixels) {
    snprintf(err, errlen, "the image %s is %d x %d pixels, more than the limit of %.0f megapixels", src, in.width,
             in.height, max_pixels / 1e6);
    return -1;
  }
  char tmp[4096];
  int n = snprintf(tmp, sizeof tmp, "%s.%ld.%lx.tmp", dst, (long)getpid(), (unsigned long)pthread_self());
  if (n < 0 || (size_t)n >= sizeof tmp) {
    snprintf(err, errlen, "the cache path %s is too long", dst);
    return -1;
  }
  if (vips->process(src, tmp, op, out, err, errlen) != 0) {
    unlink(tmp);
    return -1;
  }
  if (rename(tmp, dst) != 0) {
    snprintf(err, errlen, "cannot write %s: %s", dst, strerror(errno));
    unlink(tmp);
    return -1;
  }
  atomic_fetch_add(S_counter, 1);
  return 0;
}

int folio_image_loaded(void) { return folio_module_loaded(FOLIO_VIPS_MODULE); }

/* ---- content hash ------------------------------------------------------------------------ */

static uint64_t S_rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static uint64_t S_mix(uint64_t h)
{
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

int folio_image_hash_file(const char *path, uint64_t *hash, char *err, size_t errlen)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
    return -1;
  }
  static const uint64_t K1 = 0x9e3779b97f4a7c15ULL, K2 = 0xbf58476d1ce4e5b9ULL;
  uint64_t a = 0x243f6a8885a308d3ULL, b = 0x13198a2e03707344ULL, total = 0;
  unsigned char buf[65536];
  for (;;) {
    size_t len = 0; /* a full buffer unless at the end, so the hash never depends on read sizes */
    while (len < sizeof buf) {
      ssize_t n = read(fd, buf + len, sizeof buf - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        close(fd);
        return -1;
      }
      if (n == 0)
        break;
      len += (size_t)n;
    }
    if (len == 0)
      break;
    size_t i = 0;
    for (; i + 16 <= len; i += 16) { /* two lanes, so the multiplies overlap */
      uint64_t w1, w2;
      memcpy(&w1, buf + i, 8);
      memcpy(&w2, buf + i + 8, 8);
      a = S_rotl(a ^ (w1 * K1), 31) * K2;
      b = S_rotl(b ^ (w2 * K1), 29) * K2;
    }
    if (i < len) { /* the tail: only the last buffer can end short of 16 bytes */
      uint64_t w[2] = { 0, 0 };
      memcpy(w, buf + i, len - i);
      a = S_rotl(a ^ (w[0] * K1), 31) * K2;
      b = S_rotl(b ^ (w[1] * K1), 29) * K2;
    }
    total += len;
    if (len < sizeof buf)
      break;
  }
  close(fd);
  *hash = S_mix(a ^ S_rotl(b, 17) ^ S_mix(total));
  return 0;
}

/* hash.c: folio_hash (see hash.h). Two 64-bit lanes take the input 8 bytes at a time, each with
 * its own odd multiplier and rotation, and the length; a final mix of both lanes spreads every
 * input bit over the whole result. */
#include "core/hash.h"
#include <string.h>

static const uint64_t S_K1 = UINT64_C(0x9E3779B97F4A7C15);
static const uint64_t S_K2 = UINT64_C(0xC2B2AE3D27D4EB4F);
static const uint64_t S_K3 = UINT64_C(0x165667B19E3779F9);

static uint64_t S_rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

/* A 64-bit finaliser: every input bit changes each output bit with probability near 1/2. */
static uint64_t S_mix(uint64_t x)
{
  x ^= x >> 31;
  x *= UINT64_C(0x7FB5D329728EA185);
  x ^= x >> 27;
  x *= UINT64_C(0x81DADEF4BC2DD44D);
  x ^= x >> 33;
  return x;
}

folio_hash128 folio_hash(const void *data, size_t len, folio_hash128 seed)
{
  const unsigned char *p = data;
  uint64_t a = seed.lo ^ S_K1, b = seed.hi ^ S_K2;
  size_t n = len;
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    a = S_rotl(a ^ (w * S_K2), 29) * S_K1;
    b = S_rotl(b + (w * S_K3), 37) * S_K2;
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  memcpy(&tail, p, n); /* the last 0..7 bytes, zero-padded */
  tail ^= (uint64_t)len << 56 ^ (uint64_t)len;
  a = S_rotl(a ^ (tail * S_K2), 29) * S_K1;
  b = S_rotl(b + (tail * S_K3), 37) * S_K2;
  folio_hash128 h;
  h.lo = S_mix(a ^ S_rotl(b, 17));
  h.hi = S_mix(b + S_rotl(h.lo, 43) + S_K3);
  return h;
}

void folio_hash_hex(folio_hash128 h, char out[33])
{
  static const char digits[] = "0123456789abcdef";
  for (int i = 0; i < 16; i++) { /* hi then lo, most significant digit first (as %016llx%016llx) */
    out[i] = digits[(h.hi >> (60 - 4 * i)) & 15];
    out[16 + i] = digits[(h.lo >> (60 - 4 * i)) & 15];
  }
  out[32] = '\0';
}

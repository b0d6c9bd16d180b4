/* heading_id.c: GitHub-style heading ids (see heading_id.h for the rules). */
#include "core/heading_id.h"
#include <stdint.h>

/* Decodes the UTF-8 sequence at s[0..len) into *cp; returns its length, or 0 when it is not
 * valid (truncated, overlong, a surrogate, above U+10FFFF). */
static size_t S_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
  unsigned char c = s[0];
  size_t n;
  uint32_t v, min;
  if (c >= 0xF0 && c <= 0xF4) { n = 4; v = c & 0x07; min = 0x10000; }
  else if (c >= 0xE0 && c <= 0xEF) { n = 3; v = c & 0x0F; min = 0x800; }
  else if (c >= 0xC2 && c <= 0xDF) { n = 2; v = c & 0x1F; min = 0x80; }
  else return 0;
  if (n > len) return 0;
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    v = (v << 6) | (s[i] & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return n;
}

/* Encodes cp (at least U+0080) as UTF-8 at out; returns the bytes written. */
static size_t S_encode(uint32_t cp, char *out)
{
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* Non-ASCII punctuation that is dropped, like ASCII's. */
static int S_is_punct(uint32_t n)
{
  return (n >= 0xA0 && n <= 0xBF) || n == 0xD7 || n == 0xF7 || (n >= 0x2000 && n <= 0x206F) ||
         (n >= 0x3000 && n <= 0x303F) || (n >= 0xFF01 && n <= 0xFF0F);
}

/* The lower case of the capitals of Latin-1, Latin Extended-A (even code points), Greek and
 * Cyrillic; other code points unchanged. Never changes the length of the UTF-8 form. */
static uint32_t S_lower(uint32_t n)
{
  if ((n >= 0xC0 && n <= 0xDE && n != 0xD7) || (n >= 0x391 && n <= 0x3AB && n != 0x3A2) ||
      (n >= 0x410 && n <= 0x42F))
    return n + 32;
  if (n >= 0x400 && n <= 0x40F)
    return n + 80;
  if (n >= 0x100 && n <= 0x17F && n % 2 == 0 && n != 0x138)
    return n + 1;
  return n;
}

size_t folio_heading_id(const char *s, size_t len, char *out)
{
  const unsigned char *u = (const unsigned char *)s;
  size_t o = 0;
  for (size_t i = 0; i < len;) {
    unsigned char c = u[i];
    if (c < 0x80) {
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')
        out[o++] = (char)c;
      else if (c >= 'A' && c <= 'Z')
        out[o++] = (char)(c + 32);
      else if (c == ' ')
        out[o++] = '-';
      i++;
      continue;
    }
    uint32_t cp;
    size_t n = S_decode(u + i, len - i, &cp);
    if (n == 0) { /* not UTF-8: the byte is dropped */
      i++;
      continue;
    }
    if (!S_is_punct(cp))
      o += S_encode(S_lower(cp), out + o);
    i += n;
  }
  return o;
}

/* utf8.c: see utf8.h. Follows the well-formed byte sequences table of Unicode 15, section 3.9. */
#include "core/utf8.h"
#include <stdint.h>
#include <string.h>

/* Whether the 8 bytes at `s` are all ASCII. */
static int S_ascii8(const unsigned char *s)
{
  uint64_t w;
  memcpy(&w, s, sizeof w);
  return (w & UINT64_C(0x8080808080808080)) == 0;
}

size_t folio_utf8_invalid_at(const char *str, size_t len)
{
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  while (i < len) {
    unsigned char c = s[i];
    if (c < 0x80) {
      i++;
      while (i + 8 <= len && S_ascii8(s + i)) /* most text is ASCII: skip it 8 bytes at a time */
        i += 8;
      continue;
    }
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) need = 1;
    else if (c == 0xE0) { need = 2; lo = 0xA0; }
    else if (c >= 0xE1 && c <= 0xEC) need = 2;
    else if (c == 0xED) { need = 2; hi = 0x9F; }
    else if (c >= 0xEE && c <= 0xEF) need = 2;
    else if (c == 0xF0) { need = 3; lo = 0x90; }
    else if (c >= 0xF1 && c <= 0xF3) need = 3;
    else if (c == 0xF4) { need = 3; hi = 0x8F; }
    else return i;
    if (len - i <= need)
      return i;
    if (s[i + 1] < lo || s[i + 1] > hi)
      return i;
    for (size_t k = 2; k <= need; k++)
      if (s[i + k] < 0x80 || s[i + k] > 0xBF)
        return i;
    i += need + 1;
  }
  return len;
}

int folio_line_of(const char *s, size_t offset)
{
  int line = 1;
  for (size_t i = 0; i < offset; i++)
    if (s[i] == '\n')
      line++;
  return line;
}

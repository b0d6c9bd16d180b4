/* utf8.c: see utf8.h. Follows the well-formed byte sequences table of Unicode 15, section 3.9. */
#include "core/utf8.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Whether the 8 bytes at `s` are all ASCII. */
static int S_ascii8(const unsigned char *s)
{
  uint64_t w;
  memcpy(&w, s, sizeof w);
  return (w & UINT64_C(0x8080808080808080)) == 0;
}

/* The length of the valid UTF-8 sequence at s[i] (1 for ASCII), or 0 when it is not one. */
static size_t S_sequence_at(const unsigned char *s, size_t len, size_t i)
{
  unsigned char c = s[i];
  if (c < 0x80)
    return 1;
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
  else return 0;
  if (len - i <= need || s[i + 1] < lo || s[i + 1] > hi)
    return 0;
  for (size_t k = 2; k <= need; k++)
    if (s[i + k] < 0x80 || s[i + k] > 0xBF)
      return 0;
  return need + 1;
}

size_t folio_utf8_invalid_at(const char *str, size_t len)
{
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  while (i < len) {
    if (s[i] < 0x80) {
      i++;
      while (i + 8 <= len && S_ascii8(s + i)) /* most text is ASCII: skip it 8 bytes at a time */
        i += 8;
      continue;
    }
    size_t seq = S_sequence_at(s, len, i);
    if (seq == 0)
      return i;
    i += seq;
  }
  return len;
}

/* Windows-1252's 0x80-0x9F; the undefined ones (0x81, 0x8D, 0x8F, 0x90, 0x9D) map to themselves. */
static const unsigned short S_cp1252_high[32] = {
  0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
  0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
  0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

char *folio_utf8_from_cp1252(const char *str, size_t len, size_t *out_len, size_t *replaced)
{
  const unsigned char *s = (const unsigned char *)str;
  if (len > (SIZE_MAX - 1) / 3)
    return NULL;
  unsigned char *out = malloc(len * 3 + 1); /* a 1252 byte takes at most 3 bytes of UTF-8 */
  if (out == NULL)
    return NULL;
  size_t o = 0, n = 0;
  for (size_t i = 0; i < len;) {
    size_t seq = S_sequence_at(s, len, i);
    if (seq > 0) {
      memcpy(out + o, s + i, seq);
      o += seq;
      i += seq;
      continue;
    }
    unsigned cp = s[i] >= 0xA0 ? s[i] : S_cp1252_high[s[i] - 0x80];
    if (cp < 0x800) {
      out[o++] = (unsigned char)(0xC0 | (cp >> 6));
      out[o++] = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
      out[o++] = (unsigned char)(0xE0 | (cp >> 12));
      out[o++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
      out[o++] = (unsigned char)(0x80 | (cp & 0x3F));
    }
    n++;
    i++;
  }
  out[o] = '\0';
  *out_len = o;
  *replaced = n;
  return (char *)out;
}

int folio_line_of(const char *s, size_t offset)
{
  int line = 1;
  for (size_t i = 0; i < offset; i++)
    if (s[i] == '\n')
      line++;
  return line;
}

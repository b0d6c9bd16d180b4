/* slug.c: URL slugs (see slug.h). One pass over the bytes; a run of separators is remembered
 * and written as one "-" only when a word character follows, so no "-" ends up at either end. */
#include "core/slug.h"
#include <string.h>

/* Transliterations of two-byte sequences: lead byte 0xC3 (U+00C0..U+00FF) by second byte. */
static const char *const S_latin1[64] = {
  [0x00] = "a", [0x01] = "a", [0x02] = "a", [0x04] = "a", [0x07] = "c", [0x08] = "e",
  [0x09] = "e", [0x0A] = "e", [0x11] = "n", [0x16] = "o", [0x1C] = "u", [0x1F] = "ss",
  [0x20] = "a", [0x21] = "a", [0x22] = "a", [0x23] = "a", [0x24] = "a", [0x25] = "a",
  [0x26] = "ae", [0x27] = "c", [0x28] = "e", [0x29] = "e", [0x2A] = "e", [0x2B] = "e",
  [0x2C] = "i", [0x2D] = "i", [0x2E] = "i", [0x2F] = "i", [0x31] = "n", [0x32] = "o",
  [0x33] = "o", [0x34] = "o", [0x35] = "o", [0x36] = "o", [0x38] = "o", [0x39] = "u",
  [0x3A] = "u", [0x3B] = "u", [0x3C] = "u", [0x3D] = "y", [0x3F] = "y",
};

static int S_is_continuation(unsigned char c)
{
  return c >= 0x80 && c <= 0xBF;
}

typedef struct {
  char *out;
  size_t len;
  int pending_dash; /* separators seen since the last word character */
} S_slug;

static void S_word(S_slug *sl, const char *bytes, size_t n)
{
  if (sl->pending_dash && sl->len > 0)
    sl->out[sl->len++] = '-';
  sl->pending_dash = 0;
  memcpy(sl->out + sl->len, bytes, n);
  sl->len += n;
}

size_t folio_slugify(const char *s, size_t len, char *out)
{
  const unsigned char *u = (const unsigned char *)s;
  S_slug sl = { out, 0, 0 };
  size_t i = 0;
  while (i < len) {
    unsigned char c = u[i];
    unsigned char c1 = i + 1 < len ? u[i + 1] : 0, c2 = i + 2 < len ? u[i + 2] : 0;
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      S_word(&sl, s + i, 1);
      i++;
    } else if (c >= 'A' && c <= 'Z') {
      char lower = (char)(c - 'A' + 'a');
      S_word(&sl, &lower, 1);
      i++;
    } else if (c == '\'') {
      i++; /* dropped: "Janet's" -> "janets" */
    } else if (c < 0x80) {
      sl.pending_dash = 1;
      i++;
    } else if ((c == 0xC3 || c == 0xC5) && S_is_continuation(c1)) {
      const char *ascii = c == 0xC3 ? S_latin1[c1 - 0x80] : (c1 == 0x93 ? "oe" : NULL);
      if (ascii)
        S_word(&sl, ascii, strlen(ascii));
      else
        S_word(&sl, s + i, 2);
      i += 2;
    } else if (c == 0xC2 && S_is_continuation(c1)) {
      sl.pending_dash = 1; /* Latin-1 symbols: « » © ° ... */
      i += 2;
    } else if (c == 0xE2 && (c1 == 0x80 || c1 == 0x81) && S_is_continuation(c2)) {
      if (!(c1 == 0x80 && c2 == 0x99)) /* ’ is dropped like ' ; other punctuation separates */
        sl.pending_dash = 1;
      i += 3;
    } else {
      S_word(&sl, s + i, 1); /* any other byte of UTF-8 text is kept */
      i++;
    }
  }
  return sl.len;
}

/* utf8.h: UTF-8 validation for source files, with the position of the first bad byte so the
 * warning can name a line, and the Windows-1252 reading of text that is not UTF-8. */
#ifndef FOLIO_UTF8_H
#define FOLIO_UTF8_H
#include <stddef.h>

/* Returns the offset of the first byte that is not valid UTF-8, or `len` when all is valid.
 * Overlong forms, surrogates and code points above U+10FFFF are invalid. */
size_t folio_utf8_invalid_at(const char *s, size_t len);

/* A copy of `s` in which every byte that is not part of a valid UTF-8 sequence is read as
 * Windows-1252 (what browsers do with such text; the five bytes 1252 leaves undefined become the
 * C1 controls of the same value, as the WHATWG encoding standard says) and written as UTF-8.
 * Valid sequences are kept. Sets *out_len and *replaced (bytes decoded that way). The caller
 * frees the result; NULL when out of memory. */
char *folio_utf8_from_cp1252(const char *s, size_t len, size_t *out_len, size_t *replaced);

/* 1-based line number of byte `offset` in `s`. */
int folio_line_of(const char *s, size_t offset);

#endif

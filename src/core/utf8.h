/* utf8.h: UTF-8 validation for source files, with the position of the first bad byte so the
 * error can name a line. */
#ifndef FOLIO_UTF8_H
#define FOLIO_UTF8_H
#include <stddef.h>

/* Returns the offset of the first byte that is not valid UTF-8, or `len` when all is valid.
 * Overlong forms, surrogates and code points above U+10FFFF are invalid. */
size_t folio_utf8_invalid_at(const char *s, size_t len);

/* 1-based line number of byte `offset` in `s`. */
int folio_line_of(const char *s, size_t offset);

#endif

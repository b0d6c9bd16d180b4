/* slug.h: URL slugs from titles and names ("Café Crème — à la carte!" -> "cafe-creme-a-la-carte").
 * Written in C because every page's URL is made from one. */
#ifndef FOLIO_SLUG_H
#define FOLIO_SLUG_H
#include <stddef.h>

/* Writes the slug of s[0..len) to `out` (room for `len` bytes is enough: a slug is never longer
 * than its text) and returns its length. The rules: ASCII letters lower-cased; the Latin accented
 * letters transliterated (é -> e, ß -> ss, œ -> oe); apostrophes (' and ’) dropped; any run of
 * other ASCII characters, Latin-1 symbols (U+0080..U+00BF) and general punctuation
 * (U+2000..U+207F) becomes one "-"; other non-ASCII bytes are kept (URLs may hold UTF-8); no "-"
 * at either end. */
size_t folio_slugify(const char *s, size_t len, char *out);

#endif

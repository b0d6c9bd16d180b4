/* heading_id.h: the id GitHub gives a heading ("Çà et là!" -> "çà-et-là"), for the anchors
 * plugin. Written in C because it runs for every heading of every page. */
#ifndef FOLIO_HEADING_ID_H
#define FOLIO_HEADING_ID_H
#include <stddef.h>

/* Writes the id of the heading text s[0..len) to `out` (room for `len` bytes is enough: an id is
 * never longer than its text) and returns its length. The rules: ASCII letters and digits kept,
 * lower-cased; `-` and `_` kept; each space becomes `-`; other ASCII characters dropped; Latin-1
 * signs (U+00A0..U+00BF, × and ÷), general punctuation (U+2000..U+206F), CJK marks
 * (U+3000..U+303F) and full-width punctuation (U+FF01..U+FF0F) dropped; the capitals of
 * Latin-1, Latin Extended-A, Greek and Cyrillic lower-cased; other characters kept as they are.
 * Bytes that are not valid UTF-8 are dropped. An empty result is the caller's to replace. */
size_t folio_heading_id(const char *s, size_t len, char *out);

#endif

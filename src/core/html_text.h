/* html_text.h: the plain text of an HTML fragment, for summaries, search excerpts and word
 * counts. Not an HTML parser: it reads what cmark-gfm and hooks write. */
#ifndef FOLIO_HTML_TEXT_H
#define FOLIO_HTML_TEXT_H
#include <stddef.h>

/* Writes the text of html[0..len) to `out` (room for `len` bytes is enough: the text is never
 * longer) and returns its length. Pass by pass, each on the result of the one before:
 *   1. <script ...</script> and 2. <style ...</style> become a space;
 *   3. the anchors plugin's links (<a class="anchor" ...>#</a>) go;
 *   4. tags go: block tags (p, li, h1, td, br, ...) become a space, inline tags nothing;
 *   5. <!-- comments --> go;
 *   6. entities are decoded: &#65; &#x41; and the names amp lt gt quot apos nbsp hellip mdash
 *      ndash lsquo rsquo ldquo rdquo laquo raquo copy eacute egrave agrave ccedil; other
 *      names, and numbers past U+10FFFF, stay as written.
 * White space is left as it is. `scratch` is room for `len` more bytes. */
size_t folio_html_text(const char *html, size_t len, char *out, char *scratch);

/* The number of runs of characters other than ASCII white space (" \t\n\v\f\r") in text. */
size_t folio_count_runs(const char *text, size_t len);

#endif

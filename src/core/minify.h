/* minify.h: smaller HTML, CSS, JavaScript and JSON with the same meaning (docs/assets.md).
 Each function writes the minified text to `out`, which has room for len + 1 bytes (the output
 * is never longer than the input; a NUL is added), and returns its length, or
 * FOLIO_MINIFY_FAILED with *bad_at set to the byte offset where the input stopped making sense
 * (an unterminated string or comment, invalid JSON).
 *   html: comments dropped (not conditional ones), white space runs made one space, and dropped
 *         next to block-level tags; inside tags, white space between attributes made one space.
 *         <pre>, <textarea>, <script> and <style> contents and attribute values are copied as they
 *         are. Never fails on input.
 *   css:  comments dropped (not licence (slash-star-bang) ones), white space dropped where no token needs it; strings
 *         and url(...) copied as they are.
 *   js:   comments dropped (not licence (slash-star-bang) ones), white space made one space or one line break where a
 *         token or automatic semicolon insertion needs it; strings, template literals and regular
 *         expressions copied as they are. Anything it cannot read surely (an unterminated string
 *         or regular expression) makes it give up.
 *   json: white space between tokens dropped after the text was checked to be JSON. */
#ifndef FOLIO_MINIFY_H
#define FOLIO_MINIFY_H
#include <stddef.h>

#define FOLIO_MINIFY_FAILED ((size_t)-1)

typedef size_t (*folio_minifier)(const char *in, size_t len, char *out, size_t *bad_at);

size_t folio_minify_html(const char *in, size_t len, char *out, size_t *bad_at);
size_t folio_minify_css(const char *in, size_t len, char *out, size_t *bad_at);
size_t folio_minify_js(const char *in, size_t len, char *out, size_t *bad_at);
size_t folio_minify_json(const char *in, size_t len, char *out, size_t *bad_at);

#endif

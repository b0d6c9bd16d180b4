/* http_util.h: helpers of the preview server that need no socket: content types (mime.c),
 * request-path checks and opening files beneath the served folder (path.c), the live-reload
 * script and its injection into HTML (livereload.c), the Host check and the folder redirect's
 * Location (host.c). Internal to src/http/ and its tests;
 * embedders use server.h. */
#ifndef FOLIO_HTTP_UTIL_H
#define FOLIO_HTTP_UTIL_H
#include <stddef.h>

/* ---- mime.c ---- */

/* Content-Type for a file name, by its extension (case-insensitive). Text types carry
 * "; charset=utf-8". Unknown extensions give "application/octet-stream". The result is a
 * static string. */
const char *folio_http_mime_type(const char *name);

/* 1 when `content_type` is text/html (parameters ignored), else 0. */
int folio_http_is_html(const char *content_type);

/* ---- path.c ---- */

/* Turns the path part of a request target (no query) into a clean relative path.
 * `raw` must begin with '/'. Percent-escapes are decoded exactly once. Fails (returns -1) on:
 * a malformed escape, an escaped '/' or '\' (%2f, %5c), a decoded NUL, a backslash, a "." or
 * ".." segment (before or after decoding), or a result that does not fit in `outlen`.
 * Repeated slashes are merged. On success writes the decoded path without its leading '/'
 * (so "" is the root) to `out` and returns 0; `*trailing_slash` is set when the request path
 * ended with '/' (or was "/"). */
int folio_http_clean_path(const char *raw, size_t rawlen, char *out, size_t outlen,
                          int *trailing_slash);

/* How folio_http_open_beneath() keeps a lookup inside the root. */
enum {
  FOLIO_RESOLVE_AUTO = 0,  /* openat2(RESOLVE_BENEATH) when the kernel has it, else PORTABLE */
  FOLIO_RESOLVE_PORTABLE,  /* open, then compare the opened file's real path with root's */
};

/* Opens `rel` (a path from folio_http_clean_path, "" for the root itself) read-only beneath
 * the folder `root`. Symlinks are followed only while they stay inside root; "/proc" magic
 * links are refused. Never blocks on FIFOs (O_NONBLOCK). Returns an fd the caller closes, or
 * a negative errno (-ENOENT for anything that must look absent, -EXDEV for an escape). */
int folio_http_open_beneath(const char *root, const char *rel, int mode);

/* 1 when openat2() works on this kernel (checked once), else 0. */
int folio_http_have_openat2(void);

/* ---- host.c ---- */

/* Canonical form of a host name or IP literal (`len` bytes of `name`, no port): names in
 * lower case (letters, digits, '-', '.', '_' only), IPv4 dotted quads and IPv6 addresses (with
 * or without [brackets]) as inet_ntop writes them, IPv6 without brackets. Returns 0, or -1
 * for anything else or a result longer than `outlen`. */
int folio_http_host_canonical(const char *name, size_t len, char *out, size_t outlen);

/* 1 when the Host header value `host` ("name", "name:port", "[v6]:port"; any port) names one
 * of `allowed` (canonical forms, as from folio_http_host_canonical), else 0 (also when it is
 * malformed). */
int folio_http_host_allowed(const char *host, const char *const *allowed, size_t nallowed);

/* The Location of the redirect from a folder without its final slash: "/" + `rel` + "/" +
 * ("?" query), with bytes that are not plain URL characters percent-encoded (control bytes,
 * spaces, '?', '#', '%' in rel, non-ASCII), so it is always a path on this server, never
 * "//host" or "/\host". `rel` is a path from folio_http_clean_path (not empty); `query` is
 * the raw query ("" or NULL for none). Writes a malloc'd string to *out (caller frees) and
 * returns its length, or (size_t)-1 on allocation failure or a `rel` that is not relative. */
size_t folio_http_folder_location(const char *rel, const char *query, char **out);

/* ---- livereload.c ---- */

/* The browser script served at /_folio/live.js (a NUL-terminated static string). */
extern const char folio_http_live_js[];

/* The tag injected into HTML pages. */
#define FOLIO_HTTP_LIVE_TAG "<script src=\"/_folio/live.js\"></script>"

/* Where to insert the tag in an HTML body: the offset of the last "</body" (ASCII
 * case-insensitive, followed by '>', '/' or whitespace), or `len` when there is none. */
size_t folio_http_inject_offset(const char *html, size_t len);

/* Formats one Server-Sent Event "event: NAME\ndata: LINE\n...\n\n" into `out` (malloc'd,
 * caller frees) and returns its length; `data` lines are split on CR, LF and CRLF. Returns
 * (size_t)-1 on allocation failure or when `event` is empty or holds a control character
 * (an event name must stay on its line). */
size_t folio_http_sse_format(const char *event, const char *data, char **out);

#endif

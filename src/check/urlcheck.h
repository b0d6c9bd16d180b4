/* urlcheck.h: `folio check --external`: asks web servers whether external links still answer,
 * many at a time, with libcurl's multi interface. */
#ifndef FOLIO_CHECK_URLCHECK_H
#define FOLIO_CHECK_URLCHECK_H
#include <stddef.h>

typedef struct {
  const char *url;  /* in: the URL, without its #fragment */
  long status;      /* out: the final HTTP status after redirects, 0 when none came */
  char error[160];  /* out: why no status came (curl's message), else "" */
} folio_url_result;

/* Checks every URL: a HEAD request, then a GET when the server refuses HEAD (400, 403, 405,
 * 501); redirects are followed (up to 8). At most `concurrency` requests are open at once; each
 * URL gets `timeout_ms` in all. A URL is good when its status is below 400.
 * Returns 0, or -1 when libcurl cannot be set up or its module loaded (said on stderr). */
int folio_urlcheck_run(folio_url_result *urls, size_t count, int concurrency, long timeout_ms);

/* The function table of folio-curl.so (src/modules/curl.c), which holds libcurl. */
#define FOLIO_CURL_MODULE "folio-curl.so"
typedef struct {
  int (*run)(folio_url_result *urls, size_t count, int concurrency, long timeout_ms); /* count > 0 */
} folio_curl_module;

#endif

/* urlcheck.c: `folio check --external` (urlcheck.h) through folio-curl.so, the module that holds
 * libcurl (src/modules/curl.c), loaded only when there are external links to check. */
#include "check/urlcheck.h"
#include "core/module.h"
#include <stdio.h>

int folio_urlcheck_run(folio_url_result *urls, size_t count, int concurrency, long timeout_ms)
{
  if (count == 0)
    return 0;
  char err[1024];
  const folio_curl_module *curl = folio_module_load(FOLIO_CURL_MODULE, err, sizeof err);
  if (curl == NULL) {
    fprintf(stderr, "folio check: %s\n", err);
    return -1;
  }
  return curl->run(urls, count, concurrency, timeout_ms);
}

/* curl.c: folio-curl.so, the module that holds libcurl (core/module.h): checks external URLs
 * with libcurl's multi interface for src/check/urlcheck.c (see urlcheck.h). Each URL is one
 * easy handle; a refused HEAD is retried once as a GET whose body is dropped after the first
 * bytes (the status is known by then). */
#include "check/urlcheck.h"
#include "core/module.h"
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  folio_url_result *result;
  int is_get;
  char error[CURL_ERROR_SIZE];
} S_job;

/* A GET's body is not needed: stop at the first bytes (curl then reports a write error, which
 * is not the server's fault and is ignored). */
static size_t S_discard(char *data, size_t size, size_t n, void *ud)
{
  (void)data; (void)size; (void)n; (void)ud;
  return 0;
}

static CURL *S_easy(S_job *job, long timeout_ms)
{
  CURL *e = curl_easy_init();
  if (!e)
    return NULL;
  job->error[0] = '\0';
  curl_easy_setopt(e, CURLOPT_URL, job->result->url);
  curl_easy_setopt(e, CURLOPT_PRIVATE, job);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, job->error);
  curl_easy_setopt(e, CURLOPT_NOBODY, job->is_get ? 0L : 1L);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, S_discard);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, 8L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_USERAGENT, "folio-check/" FOLIO_VERSION);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  return e;
}

static int S_run(folio_url_result *urls, size_t count, int concurrency, long timeout_ms)
{
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    fprintf(stderr, "folio check: cannot set up libcurl\n");
    return -1;
  }
  S_job *jobs = calloc(count, sizeof *jobs);
  CURLM *m = curl_multi_init();
  if (!jobs || !m) {
    fprintf(stderr, "folio check: out of memory\n");
    free(jobs);
    if (m) curl_multi_cleanup(m);
    curl_global_cleanup();
    return -1;
  }
  curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)concurrency);
  size_t next = 0, running = 0;
  int failed = 0;
  while (!failed && (next < count || running > 0)) {
    while (next < count && running < (size_t)concurrency) {
      jobs[next].result = &urls[next];
      urls[next].status = 0;
      urls[next].error[0] = '\0';
      CURL *e = S_easy(&jobs[next], timeout_ms);
      if (!e || curl_multi_add_handle(m, e) != CURLM_OK) {
        snprintf(urls[next].error, sizeof urls[next].error, "cannot start the request (out of memory)");
        if (e) curl_easy_cleanup(e);
      } else {
        running++;
      }
      next++;
    }
    int still = 0;
    if (curl_multi_perform(m, &still) != CURLM_OK || curl_multi_poll(m, NULL, 0, 200, NULL) != CURLM_OK) {
      fprintf(stderr, "folio check: libcurl failed while checking external links\n");
      failed = 1;
      break;
    }
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(m, &left)) != NULL) {
      if (msg->msg != CURLMSG_DONE)
        continue;
      CURL *e = msg->easy_handle;
      S_job *job = NULL;
      curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&job);
      long status = 0;
      curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
      CURLcode code = msg->data.result;
      curl_multi_remove_handle(m, e);
      curl_easy_cleanup(e);
      running--;
      int refused_head = !job->is_get && (status == 400 || status == 403 || status == 405 || status == 501);
      if (refused_head) {
        job->is_get = 1;
        CURL *again = S_easy(job, timeout_ms);
        if (again && curl_multi_add_handle(m, again) == CURLM_OK) {
          running++;
          continue;
        }
        if (again) curl_easy_cleanup(again);
      }
      job->result->status = status;
      if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && status > 0))
        snprintf(job->result->error, sizeof job->result->error, "%.150s",
                 job->error[0] ? job->error : curl_easy_strerror(code));
    }
  }
  curl_multi_cleanup(m);
  free(jobs);
  curl_global_cleanup();
  return failed ? -1 : 0;
}

static const folio_curl_module S_table = { S_run };

__attribute__((visibility("default"))) const void *folio_module_entry(int abi)
{
  return abi == FOLIO_MODULE_ABI ? &S_table : NULL;
}

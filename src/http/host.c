/* host.c: the Host header check that keeps DNS rebinding away from the preview server, and
 * the Location of the folder redirect (which must never point at another site).
 *
 * Why a Host check: a page on evil.example can make its own name resolve to 127.0.0.1 after
 * the browser loaded it; its scripts then talk to the preview "same-origin" and could read
 * drafts. The browser still sends "Host: evil.example", so answering only to names we know
 * (loopback, the bound address, names the user allowed) closes that hole. IP literals are
 * compared in canonical form, so "[0:0::1]" is "[::1]". */
#include "http/http_util.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static int S_lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

int folio_http_host_canonical(const char *name, size_t len, char *out, size_t outlen) {
  char tmp[256];
  if (len == 0 || len >= sizeof tmp || outlen < 2) return -1;
  memcpy(tmp, name, len);
  tmp[len] = '\0';
  unsigned char bin[16];
  if (tmp[0] == '[') { /* an IPv6 literal, as in a URL */
    if (len < 3 || tmp[len - 1] != ']') return -1;
    tmp[len - 1] = '\0';
    if (inet_pton(AF_INET6, tmp + 1, bin) != 1 || !inet_ntop(AF_INET6, bin, tmp, sizeof tmp))
      return -1;
  } else if (strchr(tmp, ':')) { /* a bare IPv6 address (from --bind or --allow-host) */
    if (inet_pton(AF_INET6, tmp, bin) != 1 || !inet_ntop(AF_INET6, bin, tmp, sizeof tmp))
      return -1;
  } else if (inet_pton(AF_INET, tmp, bin) == 1) {
    if (!inet_ntop(AF_INET, bin, tmp, sizeof tmp)) return -1;
  } else {
    for (char *p = tmp; *p; p++) {
      int c = (unsigned char)*p;
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_'))
        return -1;
      *p = (char)S_lower(c);
    }
  }
  size_t n = strlen(tmp);
  if (n + 1 > outlen) return -1;
  memcpy(out, tmp, n + 1);
  return 0;
}

int folio_http_host_allowed(const char *host, const char *const *allowed, size_t nallowed) {
  if (!host) return 0;
  size_t len = strlen(host), name_len = len;
  /* Split off ":port" (digits only, may be empty): after "]" for IPv6, else the only colon. */
  const char *colon = host[0] == '[' ? strstr(host, "]:") : strchr(host, ':');
  if (colon) {
    if (host[0] == '[') colon++;
    name_len = (size_t)(colon - host);
    const char *port = colon + 1;
    if (strlen(port) > 5) return 0;
    for (const char *p = port; *p; p++)
      if (*p < '0' || *p > '9') return 0;
    if (*port && atol(port) > 65535) return 0;
  }
  char canon[256];
  if (folio_http_host_canonical(host, name_len, canon, sizeof canon) < 0) return 0;
  for (size_t i = 0; i < nallowed; i++)
    if (allowed[i] && strcmp(canon, allowed[i]) == 0) return 1;
  return 0;
}

/* Bytes a path segment may carry as they are (RFC 3986 pchar minus '%'), and what a query may. */
static int S_path_keep(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c && strchr("-._~!$&'()*+,;=:@/", c));
}
static int S_query_keep(int c) { return c > 0x20 && c < 0x7f && !strchr("\"<>\\^`{|}#", c); }

static char *S_encode(char *o, const char *s, int (*keep)(int)) {
  static const char hex[] = "0123456789ABCDEF";
  for (; *s; s++) {
    int c = (unsigned char)*s;
    if (keep(c)) {
      *o++ = (char)c;
    } else {
      *o++ = '%';
      *o++ = hex[c >> 4];
      *o++ = hex[c & 15];
    }
  }
  return o;
}

size_t folio_http_folder_location(const char *rel, const char *query, char **out) {
  *out = NULL;
  if (!rel || !*rel || rel[0] == '/' || rel[0] == '\\') return (size_t)-1;
  if (!query) query = "";
  size_t cap = 3 * strlen(rel) + 3 * strlen(query) + 4;
  char *buf = malloc(cap);
  if (!buf) return (size_t)-1;
  char *o = buf;
  *o++ = '/';
  o = S_encode(o, rel, S_path_keep);
  *o++ = '/';
  if (*query) {
    *o++ = '?';
    o = S_encode(o, query, S_query_keep);
  }
  *o = '\0';
  /* "//x" or "/\x" would be another site to a browser; rel cannot start with either. */
  if (buf[1] == '/' || buf[1] == '\\') {
    free(buf);
    return (size_t)-1;
  }
  *out = buf;
  return (size_t)(o - buf);
}

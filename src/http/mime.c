/* mime.c: the Content-Type table of the preview server, keyed by file extension. It covers
 * what a static site ships; anything else is served as application/octet-stream (and with
 * X-Content-Type-Options: nosniff the browser will not guess). */
#include "http/http_util.h"

#include <string.h>
#include <strings.h>

typedef struct {
  const char *ext;
  const char *type;
} S_mime;

/* Text types say charset=utf-8: folio writes UTF-8 and browsers otherwise guess. */
static const S_mime S_table[] = {
  {"html", "text/html; charset=utf-8"},
  {"htm", "text/html; charset=utf-8"},
  {"css", "text/css; charset=utf-8"},
  {"js", "text/javascript; charset=utf-8"},
  {"mjs", "text/javascript; charset=utf-8"},
  {"json", "application/json"},
  {"map", "application/json"},
  {"webmanifest", "application/manifest+json"},
  {"xml", "application/xml; charset=utf-8"},
  {"xsl", "application/xml; charset=utf-8"},
  {"atom", "application/atom+xml; charset=utf-8"},
  {"rss", "application/rss+xml; charset=utf-8"},
  {"svg", "image/svg+xml"},
  {"png", "image/png"},
  {"jpg", "image/jpeg"},
  {"jpeg", "image/jpeg"},
  {"gif", "image/gif"},
  {"webp", "image/webp"},
  {"avif", "image/avif"},
  {"ico", "image/x-icon"},
  {"bmp", "image/bmp"},
  {"woff", "font/woff"},
  {"woff2", "font/woff2"},
  {"ttf", "font/ttf"},
  {"otf", "font/otf"},
  {"txt", "text/plain; charset=utf-8"},
  {"md", "text/markdown; charset=utf-8"},
  {"csv", "text/csv; charset=utf-8"},
  {"pdf", "application/pdf"},
  {"mp4", "video/mp4"},
  {"webm", "video/webm"},
  {"mp3", "audio/mpeg"},
  {"ogg", "audio/ogg"},
  {"wasm", "application/wasm"},
  {"zip", "application/zip"},
};

const char *folio_http_mime_type(const char *name) {
  const char *slash = strrchr(name, '/');
  const char *base = slash ? slash + 1 : name;
  const char *dot = strrchr(base, '.');
  if (!dot || dot == base) return "application/octet-stream";
  for (size_t i = 0; i < sizeof S_table / sizeof S_table[0]; i++)
    if (strcasecmp(dot + 1, S_table[i].ext) == 0) return S_table[i].type;
  return "application/octet-stream";
}

int folio_http_is_html(const char *content_type) {
  if (!content_type) return 0;
  while (*content_type == ' ') content_type++;
  if (strncasecmp(content_type, "text/html", 9) != 0) return 0;
  char c = content_type[9];
  return c == '\0' || c == ';' || c == ' ';
}

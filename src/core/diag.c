/* diag.c: see diag.h. */
#include "core/diag.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct folio_diag {
  pthread_mutex_t lock;
  folio_diagnostic *items;
  size_t count, cap;
};

folio_diag *folio_diag_new(void)
{
  folio_diag *d = calloc(1, sizeof *d);
  if (d && pthread_mutex_init(&d->lock, NULL) != 0) {
    free(d);
    return NULL;
  }
  return d;
}

static char *S_dup(const char *s)
{
  return s ? strdup(s) : NULL;
}

int folio_diag_add(folio_diag *d, folio_severity severity, const char *file, int line,
                   const char *message, const char *hint)
{
  folio_diagnostic item = {severity, S_dup(file), line, S_dup(message ? message : "unknown error"), S_dup(hint)};
  if ((file && !item.file) || !item.message || (hint && !item.hint)) {
    free(item.file); free(item.message); free(item.hint);
    return -1;
  }
  pthread_mutex_lock(&d->lock);
  if (d->count == d->cap) {
    size_t cap = d->cap ? d->cap * 2 : 16;
    folio_diagnostic *items = realloc(d->items, cap * sizeof *items);
    if (items == NULL) {
      pthread_mutex_unlock(&d->lock);
      free(item.file); free(item.message); free(item.hint);
      return -1;
    }
    d->items = items;
    d->cap = cap;
  }
  d->items[d->count++] = item;
  pthread_mutex_unlock(&d->lock);
  return 0;
}

size_t folio_diag_count(const folio_diag *d, folio_severity severity)
{
  size_t n = 0;
  for (size_t i = 0; i < d->count; i++)
    n += d->items[i].severity == severity;
  return n;
}

size_t folio_diag_size(const folio_diag *d) { return d->count; }
const folio_diagnostic *folio_diag_get(const folio_diag *d, size_t i) { return i < d->count ? &d->items[i] : NULL; }

static int S_compare(const void *a, const void *b)
{
  const folio_diagnostic *x = a, *y = b;
  int c = strcmp(x->file ? x->file : "", y->file ? y->file : "");
  if (c != 0) return c;
  if (x->line != y->line) return x->line < y->line ? -1 : 1;
  return strcmp(x->message, y->message);
}

void folio_diag_sort(folio_diag *d)
{
  if (d->count > 1)
    qsort(d->items, d->count, sizeof *d->items, S_compare);
}

void folio_diag_print(const folio_diag *d, FILE *out, int color)
{
  const char *bold = color ? "\033[1m" : "", *red = color ? "\033[1;31m" : "",
             *yellow = color ? "\033[1;33m" : "", *cyan = color ? "\033[36m" : "", *reset = color ? "\033[0m" : "";
  for (size_t i = 0; i < d->count; i++) {
    const folio_diagnostic *it = &d->items[i];
    if (it->file && it->line > 0)
      fprintf(out, "%s%s:%d:%s ", bold, it->file, it->line, reset);
    else if (it->file)
      fprintf(out, "%s%s:%s ", bold, it->file, reset);
    if (it->severity == FOLIO_ERROR)
      fprintf(out, "%serror:%s %s\n", red, reset, it->message);
    else
      fprintf(out, "%swarning:%s %s\n", yellow, reset, it->message);
    if (it->hint)
      fprintf(out, "  %shint:%s %s\n", cyan, reset, it->hint);
  }
}

static void S_free_items(folio_diag *d)
{
  for (size_t i = 0; i < d->count; i++) {
    free(d->items[i].file);
    free(d->items[i].message);
    free(d->items[i].hint);
  }
  d->count = 0;
}

void folio_diag_clear(folio_diag *d)
{
  pthread_mutex_lock(&d->lock);
  S_free_items(d);
  pthread_mutex_unlock(&d->lock);
}

void folio_diag_free(folio_diag *d)
{
  if (d == NULL) return;
  S_free_items(d);
  free(d->items);
  pthread_mutex_destroy(&d->lock);
  free(d);
}

/* Appends `s` as a JSON string to the growing buffer; returns 0 or -1 on OOM. */
typedef struct { char *data; size_t len, cap; int failed; } S_buf;

static void S_put(S_buf *b, const char *s, size_t n)
{
  if (b->failed) return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = (b->cap + n + 1) * 2;
    char *data = realloc(b->data, cap);
    if (!data) { b->failed = 1; return; }
    b->data = data;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

static void S_put_json_string(S_buf *b, const char *s)
{
  if (s == NULL) { S_put(b, "null", 4); return; }
  S_put(b, "\"", 1);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    char esc[8];
    if (c == '"' || c == '\\') { esc[0] = '\\'; esc[1] = (char)c; S_put(b, esc, 2); }
    else if (c == '\n') S_put(b, "\\n", 2);
    else if (c == '\t') S_put(b, "\\t", 2);
    else if (c < 0x20) { snprintf(esc, sizeof esc, "\\u%04x", c); S_put(b, esc, 6); }
    else S_put(b, (const char *)&c, 1);
  }
  S_put(b, "\"", 1);
}

char *folio_diag_to_json(const folio_diag *d)
{
  S_buf b = {0};
  S_put(&b, "[", 1);
  for (size_t i = 0; i < d->count; i++) {
    const folio_diagnostic *it = &d->items[i];
    char num[32];
    S_put(&b, i ? ",{\"file\":" : "{\"file\":", i ? 9 : 8);
    S_put_json_string(&b, it->file);
    int n = snprintf(num, sizeof num, ",\"line\":%d", it->line);
    S_put(&b, num, (size_t)n);
    S_put(&b, ",\"severity\":", 12);
    S_put_json_string(&b, it->severity == FOLIO_ERROR ? "error" : "warning");
    S_put(&b, ",\"message\":", 11);
    S_put_json_string(&b, it->message);
    S_put(&b, ",\"hint\":", 8);
    S_put_json_string(&b, it->hint);
    S_put(&b, "}", 1);
  }
  S_put(&b, "]", 1);
  if (b.failed) { free(b.data); return NULL; }
  return b.data;
}

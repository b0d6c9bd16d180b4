/* diag.c: see diag.h. */
#include "core/diag.h"
#include "core/grow.h"
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

static void S_free_item(folio_diagnostic *it)
{
  free(it->file);
  free(it->message);
  free(it->hint);
  free(it->subject);
  free(it->others);
}

int folio_diag_add_about(folio_diag *d, folio_severity severity, const char *file, int line,
                         const char *message, const char *hint, const char *subject)
{
  folio_diagnostic item = {severity, S_dup(file), line, S_dup(message ? message : "unknown error"), S_dup(hint),
                           S_dup(subject), 1, NULL, 0};
  if ((file && !item.file) || !item.message || (hint && !item.hint) || (subject && !item.subject)) {
    S_free_item(&item);
    return -1;
  }
  pthread_mutex_lock(&d->lock);
  folio_diagnostic *items = folio_grow(d->items, &d->cap, d->count + 1, sizeof *items, 16);
  if (items == NULL) {
    pthread_mutex_unlock(&d->lock);
    S_free_item(&item);
    return -1;
  }
  d->items = items;
  d->items[d->count++] = item;
  pthread_mutex_unlock(&d->lock);
  return 0;
}

int folio_diag_add(folio_diag *d, folio_severity severity, const char *file, int line,
                   const char *message, const char *hint)
{
  return folio_diag_add_about(d, severity, file, line, message, hint, NULL);
}

size_t folio_diag_make_strict(folio_diag *d)
{
  size_t n = 0;
  pthread_mutex_lock(&d->lock);
  for (size_t i = 0; i < d->count; i++) {
    if (d->items[i].severity == FOLIO_WARNING) {
      d->items[i].severity = FOLIO_ERROR;
      d->items[i].strict = 1;
      n++;
    }
  }
  pthread_mutex_unlock(&d->lock);
  return n;
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

static int S_strcmp0(const char *a, const char *b)
{
  return strcmp(a ? a : "", b ? b : "");
}

/* Same cause: everything but the subject and the hint (which names the subject) is equal. */
static int S_same_cause(const folio_diagnostic *x, const folio_diagnostic *y)
{
  return x->severity == y->severity && x->line == y->line && S_strcmp0(x->file, y->file) == 0 &&
         strcmp(x->message, y->message) == 0;
}

static int S_compare(const void *a, const void *b)
{
  const folio_diagnostic *x = a, *y = b;
  int c = S_strcmp0(x->file, y->file);
  if (c != 0) return c;
  if (x->line != y->line) return x->line < y->line ? -1 : 1;
  c = strcmp(x->message, y->message);
  if (c != 0) return c;
  if (x->severity != y->severity) return x->severity < y->severity ? -1 : 1;
  return S_strcmp0(x->subject, y->subject);
}

#define S_NAMED_OTHERS 5 /* subjects a merged diagnostic names; the rest are counted */

/* Merges `from` into `into` (same cause): counts it and names its subject among the first few. */
static void S_merge(folio_diagnostic *into, folio_diagnostic *from)
{
  into->count += from->count;
  if (from->subject && into->count <= S_NAMED_OTHERS + 1) {
    size_t old = into->others ? strlen(into->others) : 0;
    char *joined = realloc(into->others, old + strlen(from->subject) + 3);
    if (joined) {
      if (old == 0) joined[0] = '\0';
      else strcat(joined, ", ");
      strcat(joined, from->subject);
      into->others = joined;
    }
  }
  S_free_item(from);
}

void folio_diag_sort(folio_diag *d)
{
  pthread_mutex_lock(&d->lock);
  if (d->count > 1)
    qsort(d->items, d->count, sizeof *d->items, S_compare);
  size_t kept = 0;
  for (size_t i = 0; i < d->count; i++) {
    if (kept > 0 && S_same_cause(&d->items[kept - 1], &d->items[i]))
      S_merge(&d->items[kept - 1], &d->items[i]);
    else
      d->items[kept++] = d->items[i];
  }
  d->count = kept;
  pthread_mutex_unlock(&d->lock);
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
    if (it->count > 1) {
      size_t named = it->count - 1 < S_NAMED_OTHERS ? it->count - 1 : S_NAMED_OTHERS;
      fprintf(out, "  %snote:%s the same for %zu pages", cyan, reset, it->count);
      if (it->others && it->count - 1 > named)
        fprintf(out, " (also %s and %zu more)", it->others, it->count - 1 - named);
      else if (it->others)
        fprintf(out, " (also %s)", it->others);
      fputc('\n', out);
    }
    if (it->strict)
      fprintf(out, "  %snote:%s a warning, made an error by --strict (or strict = true in site.lua)\n", cyan, reset);
  }
}

static void S_free_items(folio_diag *d)
{
  for (size_t i = 0; i < d->count; i++)
    S_free_item(&d->items[i]);
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
    n = snprintf(num, sizeof num, ",\"count\":%zu", it->count);
    S_put(&b, num, (size_t)n);
    S_put(&b, "}", 1);
  }
  S_put(&b, "]", 1);
  if (b.failed) { free(b.data); return NULL; }
  return b.data;
}

/* frontmatter.c: finding the front matter block of a source file and typing plain YAML scalars
 * (YAML 1.2 core schema, https://yaml.org/spec/1.2.2/#1032-tag-resolution). No Lua here. */
#include "md/frontmatter.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* End of the line starting at `p` (the '\n' or `len`). */
static size_t S_line_end(const char *text, size_t len, size_t p)
{
  const char *nl = memchr(text + p, '\n', len - p);
  return nl ? (size_t)(nl - text) : len;
}

/* Is text[start, end) the 3-character `mark` followed only by blanks (and a '\r')? */
static int S_is_delimiter(const char *text, size_t start, size_t end, const char *mark)
{
  if (end - start < 3 || memcmp(text + start, mark, 3) != 0)
    return 0;
  for (size_t i = start + 3; i < end; i++)
    if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r')
      return 0;
  return 1;
}

/* Keys of which one must open a headless block (a paragraph "Note: x" over a `---` line is a
 * setext heading, and stays one). */
static const char *const S_usual_keys[] = {
  "title", "date", "layout", "tags", "categories", "category", "permalink", "slug", "draft",
  "published", "author", "description", "excerpt", "subject", "lastmod", "url", NULL,
};

/* If text[start, end) is a `key:` line (key: a letter or _, then letters, digits, _ or -; the
 * colon followed by a blank or the line end), returns the key's length, else 0. */
static size_t S_key_line(const char *text, size_t start, size_t end)
{
  size_t i = start;
  char c = i < end ? text[i] : 0;
  if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'))
    return 0;
  while (i < end && ((text[i] >= 'a' && text[i] <= 'z') || (text[i] >= 'A' && text[i] <= 'Z') ||
                     (text[i] >= '0' && text[i] <= '9') || text[i] == '_' || text[i] == '-'))
    i++;
  if (i >= end || text[i] != ':')
    return 0;
  if (i + 1 < end && text[i + 1] != ' ' && text[i + 1] != '\t' && text[i + 1] != '\r')
    return 0;
  return i - start;
}

static int S_is_usual_key(const char *key, size_t len)
{
  for (const char *const *k = S_usual_keys; *k; k++)
    if (strlen(*k) == len && memcmp(*k, key, len) == 0)
      return 1;
  return 0;
}

#define S_MAX_HEADLESS_LINES 60

/* The NO_OPENING shape from `start`: key lines (and the indented or `- ` lines that continue a
 * value), no blank line, then a `---` line. Fills `r` and returns 1 when found. */
static int S_headless(const char *text, size_t len, size_t start, folio_fm_split *r)
{
  int usual = 0, line = 1;
  for (size_t p = start; p < len && line <= S_MAX_HEADLESS_LINES; line++) {
    size_t e = S_line_end(text, len, p);
    if (line > 1 && S_is_delimiter(text, p, e, "---")) {
      if (!usual)
        return 0;
      r->status = FOLIO_FM_NO_OPENING;
      r->yaml_offset = start;
      r->yaml_len = p - start;
      r->yaml_line = 1;
      r->body_offset = e < len ? e + 1 : len;
      r->body_line = line + 1;
      return 1;
    }
    size_t key = S_key_line(text, p, e);
    if (key > 0)
      usual |= S_is_usual_key(text + p, key);
    else if (line == 1 || !(e > p && (text[p] == ' ' || text[p] == '\t' || text[p] == '-')))
      return 0; /* not a key, nor a continued value (blank lines end it too) */
    p = e + 1;
  }
  return 0;
}

folio_fm_split folio_frontmatter_split(const char *text, size_t len)
{
  folio_fm_split r = { .status = FOLIO_FM_NONE, .yaml_line = 2, .body_line = 1 };
  size_t start = 0;
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
    start = 3;
  size_t end = S_line_end(text, len, start);
  if (!S_is_delimiter(text, start, end, "---")) {
    S_headless(text, len, start, &r);
    return r;
  }
  r.status = FOLIO_FM_UNCLOSED;
  if (end == len) /* "---" alone, no newline */
    return r;
  size_t yaml = end + 1;
  int line = 2;
  for (size_t p = yaml; p < len; line++) {
    size_t e = S_line_end(text, len, p);
    if (S_is_delimiter(text, p, e, "---") || S_is_delimiter(text, p, e, "...")) {
      r.status = FOLIO_FM_FOUND;
      r.yaml_offset = yaml;
      r.yaml_len = p - yaml;
      r.body_offset = e < len ? e + 1 : len;
      r.body_line = line + 1;
      return r;
    }
    p = e + 1;
  }
  return r;
}

static int S_eq(const char *s, size_t len, const char *lit)
{
  return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

static int S_eq_any(const char *s, size_t len, const char *const *lits)
{
  for (; *lits; lits++)
    if (S_eq(s, len, *lits))
      return 1;
  return 0;
}

int folio_scalar_is_null(const char *s, size_t len)
{
  static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
  return S_eq_any(s, len, nulls);
}

int folio_scalar_as_bool(const char *s, size_t len, folio_scalar *out)
{
  static const char *const trues[] = { "true", "True", "TRUE", NULL };
  static const char *const falses[] = { "false", "False", "FALSE", NULL };
  int t = S_eq_any(s, len, trues);
  if (!t && !S_eq_any(s, len, falses))
    return -1;
  out->kind = FOLIO_SCALAR_BOOL;
  out->boolean = t;
  return 0;
}

static int S_all_in(const char *s, size_t len, const char *set)
{
  if (len == 0)
    return 0;
  for (size_t i = 0; i < len; i++)
    if (s[i] == '\0' || strchr(set, s[i]) == NULL)
      return 0;
  return 1;
}

/* Unsigned magnitude of digits in `base`, -1 on overflow past INT64_MAX (+1 for a negative). */
static int S_magnitude(const char *s, size_t len, int base, uint64_t limit, uint64_t *out)
{
  uint64_t v = 0;
  for (size_t i = 0; i < len; i++) {
    int c = s[i];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c - 'A' + 10;
    if (v > (limit - (uint64_t)d) / (uint64_t)base)
      return -1;
    v = v * (uint64_t)base + (uint64_t)d;
  }
  *out = v;
  return 0;
}

int folio_scalar_as_int(const char *s, size_t len, folio_scalar *out)
{
  int neg = 0;
  size_t i = 0;
  if (len > 0 && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    i = 1;
  }
  int base = 10;
  if (len - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'o')) {
    base = s[i + 1] == 'x' ? 16 : 8;
    i += 2;
  }
  const char *digits = base == 16 ? "0123456789abcdefABCDEF" : base == 8 ? "01234567" : "0123456789";
  if (!S_all_in(s + i, len - i, digits))
    return -1;
  uint64_t limit = (uint64_t)INT64_MAX + (neg ? 1u : 0u);
  uint64_t mag;
  if (S_magnitude(s + i, len - i, base, limit, &mag) != 0) {
    if (base != 10) /* 0x/0o past 64 bits: not representable, keep it a string */
      return -1;
    char buf[64];
    if (len >= sizeof buf)
      return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    out->kind = FOLIO_SCALAR_FLOAT;
    out->number = strtod(buf, NULL); /* decimal too large for int64: the nearest double */
    return 0;
  }
  out->kind = FOLIO_SCALAR_INT;
  if (neg)
    out->integer = mag == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)mag;
  else
    out->integer = (int64_t)mag;
  return 0;
}

/* [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?  or the .inf/.nan forms. */
int folio_scalar_as_float(const char *s, size_t len, folio_scalar *out)
{
  static const char *const infs[] = { ".inf", ".Inf", ".INF", NULL };
  static const char *const nans[] = { ".nan", ".NaN", ".NAN", NULL };
  if (S_eq_any(s, len, nans)) {
    out->kind = FOLIO_SCALAR_FLOAT;
    out->number = NAN;
    return 0;
  }
  size_t i = 0;
  if (len > 0 && (s[0] == '-' || s[0] == '+'))
    i = 1;
  if (S_eq_any(s + i, len - i, infs)) {
    out->kind = FOLIO_SCALAR_FLOAT;
    out->number = s[0] == '-' ? -INFINITY : INFINITY;
    return 0;
  }
  size_t int_digits = 0, frac_digits = 0;
  while (i < len && s[i] >= '0' && s[i] <= '9')
    i++, int_digits++;
  if (i < len && s[i] == '.') {
    i++;
    while (i < len && s[i] >= '0' && s[i] <= '9')
      i++, frac_digits++;
  }
  if (int_digits == 0 && frac_digits == 0)
    return -1;
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < len && (s[i] == '-' || s[i] == '+'))
      i++;
    size_t exp_digits = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9')
      i++, exp_digits++;
    if (exp_digits == 0)
      return -1;
  }
  if (i != len)
    return -1;
  char buf[128];
  if (len >= sizeof buf) { /* absurdly long number: go through the heap */
    char *heap = malloc(len + 1);
    if (heap == NULL)
      return -1;
    memcpy(heap, s, len);
    heap[len] = '\0';
    out->number = strtod(heap, NULL);
    free(heap);
  } else {
    memcpy(buf, s, len);
    buf[len] = '\0';
    out->number = strtod(buf, NULL);
  }
  out->kind = FOLIO_SCALAR_FLOAT;
  return 0;
}

folio_scalar folio_scalar_resolve(const char *s, size_t len)
{
  folio_scalar r = { .kind = FOLIO_SCALAR_STRING };
  if (folio_scalar_is_null(s, len)) {
    r.kind = FOLIO_SCALAR_NULL;
    return r;
  }
  /* Cheap first-character filter: most scalars are words and never need the parsers below. */
  char c = s[0];
  if (c == 't' || c == 'T' || c == 'f' || c == 'F') {
    if (folio_scalar_as_bool(s, len, &r) == 0)
      return r;
    r.kind = FOLIO_SCALAR_STRING;
    return r;
  }
  if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
    if (folio_scalar_as_int(s, len, &r) == 0 || folio_scalar_as_float(s, len, &r) == 0)
      return r;
    r.kind = FOLIO_SCALAR_STRING;
  }
  return r;
}

/* linkcheck.c: scans a built site's HTML for links and resolves the internal ones (see
 * linkcheck.h). One pass lists the output's files into a hash set, a second reads each HTML
 * file once, recording ids into a second set ("page#id") and links into an array; then every
 * link is resolved against the two sets. The scanner knows just enough HTML for this: tags,
 * quoted and bare attribute values, comments, and raw text in <script>, <style>, <textarea>. */
#include "check/linkcheck.h"
#include "core/grow.h"
#include "core/fsutil.h"
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- a set of strings --------------------------------------------------------------------- */

typedef struct {
  uint64_t hash; /* of the key: most probes end without a string compare */
  char *key;     /* NULL: an empty slot */
} S_slot;

typedef struct {
  S_slot *slots; /* the hash beside its key: one cache line per probe */
  size_t cap, count; /* cap is a power of two */
} S_set;

/* Eight bytes at a time (a multiply-xorshift mix per word): the keys are URLs and ids, hashed
 * once per link, so this is the hottest loop of a check after the scan itself. */
static uint64_t S_hash(const char *s, size_t n)
{
  uint64_t h = 0x9e3779b97f4a7c15ull ^ (n * 0xff51afd7ed558ccdull);
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, s, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
    s += 8;
    n -= 8;
  }
  uint64_t w = 0;
  memcpy(&w, s, n);
  h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 29);
}

static int S_set_grow(S_set *s)
{
  size_t cap = s->cap ? s->cap * 2 : 1024;
  S_slot *slots = calloc(cap, sizeof *slots);
  if (!slots)
    return -1;
  for (size_t i = 0; i < s->cap; i++) {
    if (!s->slots[i].key)
      continue;
    size_t j = s->slots[i].hash & (cap - 1);
    while (slots[j].key)
      j = (j + 1) & (cap - 1);
    slots[j] = s->slots[i];
  }
  free(s->slots);
  s->slots = slots;
  s->cap = cap;
  return 0;
}

/* Whether the n bytes at key are in the set. */
static int S_set_find(const S_set *s, const char *key, size_t n, uint64_t h)
{
  if (s->cap == 0)
    return 0;
  for (size_t j = h & (s->cap - 1); s->slots[j].key; j = (j + 1) & (s->cap - 1))
    if (s->slots[j].hash == h && memcmp(s->slots[j].key, key, n) == 0 && s->slots[j].key[n] == '\0')
      return 1;
  return 0;
}

static int S_set_has(const S_set *s, const char *key, size_t n) { return S_set_find(s, key, n, S_hash(key, n)); }

/* Adds a copy of the n bytes at key; 0, or -1 when out of memory. */
static int S_set_add(S_set *s, const char *key, size_t n)
{
  uint64_t h = S_hash(key, n);
  if (S_set_find(s, key, n, h))
    return 0;
  if ((s->count + 1) * 2 > s->cap && S_set_grow(s) != 0)
    return -1;
  char *copy = malloc(n + 1);
  if (!copy)
    return -1;
  memcpy(copy, key, n);
  copy[n] = '\0';
  size_t j = h & (s->cap - 1);
  while (s->slots[j].key)
    j = (j + 1) & (s->cap - 1);
  s->slots[j] = (S_slot){h, copy};
  s->count++;
  return 0;
}

static void S_set_free(S_set *s)
{
  for (size_t i = 0; i < s->cap; i++)
    free(s->slots[i].key);
  free(s->slots);
}

/* ---- a growing byte buffer ----------------------------------------------------------------- */

typedef struct {
  char *data;
  size_t len, cap;
} S_buf;

static int S_buf_put(S_buf *b, const char *s, size_t n)
{
  char *d = folio_grow(b->data, &b->cap, b->len + n + 1, 1, 256);
  if (!d)
    return -1;
  b->data = d;
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
  return 0;
}

/* ---- the state of one run ------------------------------------------------------------------ */

typedef struct {
  folio_linkcheck *c;
  S_set files, ids;
  size_t links_cap, pages_cap;
  const char *origin;   /* "https://example.org" of base_url, or NULL */
  size_t origin_len;
  const char *authority; /* "//example.org": the origin without its scheme */
  size_t authority_len;
  const char *base_path; /* "/blog/" */
  size_t base_path_len;
  size_t page_len; /* strlen of the page being scanned */
  int oom;
} S_run;

/* Lists every file below root/rel into the file set, and the HTML ones into c->pages. */
static int S_list(S_run *r, int dirfd, S_buf *rel)
{
  int fd = openat(dirfd, rel->len ? rel->data : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  DIR *d = fdopendir(fd);
  if (!d) {
    close(fd);
    return -errno;
  }
  size_t base = rel->len;
  struct dirent *e;
  int rc = 0;
  while (rc == 0 && (e = readdir(d)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    rel->len = base;
    if ((base && S_buf_put(rel, "/", 1)) || S_buf_put(rel, e->d_name, strlen(e->d_name))) {
      rc = -ENOMEM;
      break;
    }
    int is_dir = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN || e->d_type == DT_LNK) { /* the type is known only by a stat */
      struct stat st;
      if (fstatat(fd, e->d_name, &st, 0) != 0)
        continue; /* a dangling link: not a file */
      is_dir = S_ISDIR(st.st_mode);
    }
    if (is_dir) {
      rc = S_list(r, dirfd, rel);
      continue;
    }
    if (S_set_add(&r->files, rel->data, rel->len) != 0) {
      rc = -ENOMEM;
      break;
    }
    r->c->nfiles++;
    size_t n = rel->len;
    if ((n > 5 && !strcmp(rel->data + n - 5, ".html")) || (n > 4 && !strcmp(rel->data + n - 4, ".htm"))) {
      char **pages = folio_grow(r->c->pages, &r->pages_cap, r->c->npages + 1, sizeof *pages, 256);
      if (!pages) {
        rc = -ENOMEM;
        break;
      }
      r->c->pages = pages;
      char *copy = strdup(rel->data);
      if (!copy) {
        rc = -ENOMEM;
        break;
      }
      r->c->pages[r->c->npages++] = copy;
    }
  }
  rel->len = base;
  if (rel->data)
    rel->data[base] = '\0';
  closedir(d);
  return rc;
}

/* ---- the HTML scanner ---------------------------------------------------------------------- */

/* Byte classes for the scanner's inner loops (a table look-up instead of ctype calls). */
enum { C_SPACE = 1, C_NAME_END = 2, C_TAG_NAME = 4, C_ALPHA = 8 };
static unsigned char S_class[256];

static void S_init_classes(void)
{
  if (S_class[' '])
    return;
  for (int ch = 0; ch < 256; ch++) {
    unsigned char c = 0;
    if (ch == ' ' || (ch >= '\t' && ch <= '\r'))
      c |= C_SPACE | C_NAME_END;
    if (ch == '=' || ch == '>' || ch == '/')
      c |= C_NAME_END;
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))
      c |= C_ALPHA | C_TAG_NAME;
    if ((ch >= '0' && ch <= '9') || ch == '-')
      c |= C_TAG_NAME;
    S_class[ch] = c;
  }
}

#define S_IS(ch, cls) (S_class[(unsigned char)(ch)] & (cls))

/* Decodes the few character references that appear in URLs and ids (&amp; &quot; &#39; &#NN;
 * &#xNN; &lt; &gt;) from s[0..n) into out. */
static int S_decode(const char *s, size_t n, S_buf *out)
{
  out->len = 0;
  if (memchr(s, '&', n) == NULL) /* most values: copied at once */
    return S_buf_put(out, s, n);
  if (S_buf_put(out, "", 0))
    return -1;
  for (size_t i = 0; i < n; i++) {
    char ch = s[i];
    if (ch == '&') {
      static const struct { const char *name; char ch; } named[] = {
        {"amp;", '&'}, {"quot;", '"'}, {"apos;", '\''}, {"lt;", '<'}, {"gt;", '>'}};
      size_t k;
      for (k = 0; k < sizeof named / sizeof named[0]; k++) {
        size_t len = strlen(named[k].name);
        if (i + 1 + len <= n && !strncmp(s + i + 1, named[k].name, len)) {
          ch = named[k].ch;
          i += len;
          break;
        }
      }
      if (k == sizeof named / sizeof named[0] && i + 2 < n && s[i + 1] == '#') {
        int hex = s[i + 2] == 'x' || s[i + 2] == 'X';
        size_t j = i + 2 + hex;
        unsigned long v = 0;
        while (j < n && j < i + 10 && (hex ? isxdigit((unsigned char)s[j]) : isdigit((unsigned char)s[j])))
          v = v * (hex ? 16 : 10) + (unsigned long)(isdigit((unsigned char)s[j]) ? s[j] - '0' : (tolower((unsigned char)s[j]) - 'a' + 10)), j++;
        if (j < n && s[j] == ';' && v > 0 && v < 128) {
          ch = (char)v;
          i = j;
        }
      }
    }
    if (S_buf_put(out, &ch, 1))
      return -1;
  }
  return 0;
}

/* Whether the n bytes at s are `name` (a lower-case literal) in any case. */
#define S_name_is(s, n, name) ((n) == sizeof(name) - 1 && S_letters_are((s), (name), sizeof(name) - 1))

/* Whether s[0..n) is `name` (lower-case letters only) in any case: inline, no locale (s[i] | 0x20
 * is a lower-case letter only when s[i] is that letter in either case). */
static inline int S_letters_are(const char *s, const char *name, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if ((s[i] | 0x20) != name[i])
      return 0;
  return 1;
}

static const char *S_find_ci(const char *p, const char *end, const char *needle)
{
  size_t n = strlen(needle);
  for (; p + n <= end; p++) {
    p = memchr(p, '<', (size_t)(end - p));
    if (!p || p + n > end)
      return NULL;
    size_t i = 1;
    while (i < n && tolower((unsigned char)p[i]) == needle[i])
      i++;
    if (i == n)
      return p;
  }
  return NULL;
}

/* ---- the distinct URLs ---------------------------------------------------------------------
 * Most links repeat (a layout's on every page): each URL is stored once, and the resolution of
 * one that does not depend on its page (a site path, an external URL) is kept with it. */

typedef struct {
  char *text;
  size_t len;
  uint64_t hash;
  int resolved;             /* `status`, `target` hold the page-independent answer */
  folio_link_status status;
  char *target;
} S_url;

struct folio_linkcheck_urls {
  S_url *items;
  size_t count, cap;
  uint32_t *index;          /* open addressing: item number + 1, 0 empty */
  size_t index_cap;         /* a power of two */
};

static int S_urls_grow_index(struct folio_linkcheck_urls *u)
{
  size_t cap = u->index_cap ? u->index_cap * 2 : 4096;
  uint32_t *index = calloc(cap, sizeof *index);
  if (!index)
    return -1;
  for (size_t i = 0; i < u->count; i++) {
    size_t j = u->items[i].hash & (cap - 1);
    while (index[j])
      j = (j + 1) & (cap - 1);
    index[j] = (uint32_t)(i + 1);
  }
  free(u->index);
  u->index = index;
  u->index_cap = cap;
  return 0;
}

/* The number of the URL s[0..n), added when new; -1 when out of memory. */
static long S_intern(struct folio_linkcheck_urls *u, const char *s, size_t n)
{
  uint64_t h = S_hash(s, n);
  if (u->index_cap) {
    for (size_t j = h & (u->index_cap - 1); u->index[j]; j = (j + 1) & (u->index_cap - 1)) {
      const S_url *e = &u->items[u->index[j] - 1];
      if (e->hash == h && e->len == n && memcmp(e->text, s, n) == 0)
        return (long)(u->index[j] - 1);
    }
  }
  if (u->count >= UINT32_MAX - 1)
    return -1;
  if ((u->count + 1) * 2 > u->index_cap && S_urls_grow_index(u) != 0)
    return -1;
  S_url *items = folio_grow(u->items, &u->cap, u->count + 1, sizeof *items, 1024);
  if (!items)
    return -1;
  u->items = items;
  char *copy = malloc(n + 1);
  if (!copy)
    return -1;
  memcpy(copy, s, n);
  copy[n] = '\0';
  u->items[u->count] = (S_url){copy, n, h, 0, FOLIO_LINK_OK, NULL};
  size_t j = h & (u->index_cap - 1);
  while (u->index[j])
    j = (j + 1) & (u->index_cap - 1);
  u->index[j] = (uint32_t)(u->count + 1);
  return (long)u->count++;
}

static void S_urls_free(struct folio_linkcheck_urls *u)
{
  if (!u)
    return;
  for (size_t i = 0; i < u->count; i++) {
    free(u->items[i].text);
    free(u->items[i].target);
  }
  free(u->items);
  free(u->index);
  free(u);
}

static int S_add_link(S_run *r, size_t page, size_t offset, folio_link_kind kind, const char *url, size_t n)
{
  folio_linkcheck *c = r->c;
  folio_link *links = folio_grow(c->links, &r->links_cap, c->nlinks + 1, sizeof *links, 4096);
  if (!links)
    return -1;
  c->links = links;
  long id = S_intern(c->urls, url, n);
  if (id < 0)
    return -1;
  c->links[c->nlinks++] = (folio_link){page, offset, kind, FOLIO_LINK_OK, c->urls->items[id].text, NULL, (size_t)id};
  return 0;
}

/* srcset="a.jpg 1x, b.jpg 2x": each URL. */
static int S_add_srcset(S_run *r, size_t page, size_t offset, folio_link_kind kind, const char *v, size_t n)
{
  size_t i = 0;
  while (i < n) {
    while (i < n && (isspace((unsigned char)v[i]) || v[i] == ','))
      i++;
    size_t start = i;
    while (i < n && !isspace((unsigned char)v[i]))
      i++;
    size_t end = i;
    if (end > start && v[end - 1] == ',') /* "a.jpg," with no descriptor */
      end--;
    if (end > start && S_add_link(r, page, offset, kind, v + start, end - start) != 0)
      return -1;
    while (i < n && v[i] != ',')
      i++;
  }
  return 0;
}

typedef enum { T_OTHER, T_A, T_AREA, T_IMG, T_SOURCE, T_LINK, T_SCRIPT, T_IFRAME, T_MEDIA, T_RAW } S_tag;

static S_tag S_tag_of(const char *s, size_t n)
{
  if (n > 8)
    return T_OTHER;
  switch (s[0] | 0x20) { /* the first letter picks the few names to compare */
  case 'a':
    return S_name_is(s, n, "a") ? T_A : S_name_is(s, n, "area") ? T_AREA : S_name_is(s, n, "audio") ? T_MEDIA : T_OTHER;
  case 'i':
    return S_name_is(s, n, "img") ? T_IMG : S_name_is(s, n, "iframe") ? T_IFRAME : T_OTHER;
  case 'l':
    return S_name_is(s, n, "link") ? T_LINK : T_OTHER;
  case 's':
    return S_name_is(s, n, "script") ? T_SCRIPT : S_name_is(s, n, "source") ? T_SOURCE
           : S_name_is(s, n, "style") ? T_RAW : T_OTHER;
  case 'v':
    return S_name_is(s, n, "video") ? T_MEDIA : T_OTHER;
  case 't':
    return S_name_is(s, n, "track") ? T_MEDIA : S_name_is(s, n, "textarea") || S_name_is(s, n, "title") ? T_RAW
           : T_OTHER;
  case 'e':
    return S_name_is(s, n, "embed") ? T_MEDIA : T_OTHER;
  default:
    return T_OTHER;
  }
}

/* One tag's attributes, from just after its name; returns the position after '>'. */
static const char *S_scan_attributes(S_run *r, size_t page, size_t offset, S_tag tag, const char *p, const char *end,
                                     S_buf *val, S_buf *key)
{
  int skip_link = 0; /* <link rel="preconnect|dns-prefetch">: an origin, not a resource */
  const char *href = NULL;
  size_t href_len = 0;
  while (p < end && *p != '>') {
    if (S_IS(*p, C_SPACE) || *p == '/') {
      p++;
      continue;
    }
    const char *name = p;
    while (p < end && !S_IS(*p, C_NAME_END))
      p++;
    size_t name_len = (size_t)(p - name);
    while (p < end && S_IS(*p, C_SPACE))
      p++;
    const char *v = NULL;
    size_t vn = 0;
    if (p < end && *p == '=') {
      p++;
      while (p < end && S_IS(*p, C_SPACE))
        p++;
      if (p < end && (*p == '"' || *p == '\'')) {
        char q = *p++;
        v = p;
        const char *close = memchr(p, q, (size_t)(end - p));
        p = close ? close : end;
        vn = (size_t)(p - v);
        if (p < end)
          p++;
      } else {
        v = p;
        while (p < end && !S_IS(*p, C_SPACE) && *p != '>')
          p++;
        vn = (size_t)(p - v);
      }
    }
    if (!v)
      continue;
    if (S_name_is(name, name_len, "id") || (tag == T_A && S_name_is(name, name_len, "name"))) {
      if (S_decode(v, vn, val) || S_buf_put(key, "", 0))
        return r->oom = 1, end;
      key->len = 0;
      if (S_buf_put(key, r->c->pages[page], r->page_len) || S_buf_put(key, "#", 1) ||
          S_buf_put(key, val->data, val->len) || S_set_add(&r->ids, key->data, key->len))
        return r->oom = 1, end;
    } else if (tag == T_LINK && S_name_is(name, name_len, "rel")) {
      skip_link = (vn >= 10 && !strncmp(v, "preconnect", 10)) || (vn >= 12 && !strncmp(v, "dns-prefetch", 12));
    } else if (tag != T_OTHER && tag != T_RAW) {
      int is_href = S_name_is(name, name_len, "href"), is_src = S_name_is(name, name_len, "src");
      int is_srcset = S_name_is(name, name_len, "srcset"), is_poster = S_name_is(name, name_len, "poster");
      folio_link_kind kind = tag == T_A || tag == T_AREA ? FOLIO_LINK_PAGE
                             : tag == T_IMG || tag == T_SOURCE || is_poster ? FOLIO_LINK_IMAGE : FOLIO_LINK_ASSET;
      if ((is_href && (tag == T_A || tag == T_AREA || tag == T_LINK)) ||
          (is_src && tag != T_A && tag != T_AREA && tag != T_LINK) || (is_poster && tag == T_MEDIA)) {
        if (S_decode(v, vn, val))
          return r->oom = 1, end;
        if (tag == T_LINK) {
          href = v; /* decided once rel is known (it may come after href) */
          href_len = vn;
        } else if (S_add_link(r, page, offset, kind, val->data, val->len)) {
          return r->oom = 1, end;
        }
      } else if (is_srcset && (tag == T_IMG || tag == T_SOURCE)) {
        if (S_decode(v, vn, val) || S_add_srcset(r, page, offset, kind, val->data, val->len))
          return r->oom = 1, end;
      }
    }
  }
  if (href && !skip_link) {
    if (S_decode(href, href_len, val) || S_add_link(r, page, offset, FOLIO_LINK_ASSET, val->data, val->len))
      r->oom = 1;
  }
  return p < end ? p + 1 : end;
}

static int S_scan_page(S_run *r, size_t page, const char *html, size_t len, S_buf *val, S_buf *key)
{
  const char *p = html, *end = html + len;
  while (!r->oom && (p = memchr(p, '<', (size_t)(end - p))) != NULL) {
    if (end - p >= 4 && !memcmp(p, "<!--", 4)) {
      const char *close = p + 4;
      while ((close = memchr(close, '-', (size_t)(end - close))) != NULL && (end - close < 3 || memcmp(close, "-->", 3)))
        close++;
      p = close ? close + 3 : end;
      continue;
    }
    const char *name = p + 1;
    if (name >= end || !S_IS(*name, C_ALPHA)) {
      p++;
      continue;
    }
    const char *q = name;
    while (q < end && S_IS(*q, C_TAG_NAME))
      q++;
    S_tag tag = S_tag_of(name, (size_t)(q - name));
    size_t offset = (size_t)(p - html);
    p = S_scan_attributes(r, page, offset, tag, q, end, val, key);
    if (tag == T_SCRIPT || tag == T_RAW) { /* raw text up to the closing tag */
      char closing[16];
      snprintf(closing, sizeof closing, "</%.*s", (int)(q - name < 10 ? q - name : 10), name);
      for (char *c = closing; *c; c++)
        *c = (char)tolower((unsigned char)*c);
      const char *close = S_find_ci(p, end, closing);
      p = close ? close : end;
    }
  }
  return r->oom ? -1 : 0;
}

/* ---- resolving a link ---------------------------------------------------------------------- */

static int S_hexval(char c)
{
  return isdigit((unsigned char)c) ? c - '0' : isxdigit((unsigned char)c) ? tolower((unsigned char)c) - 'a' + 10 : -1;
}

/* Appends s[0..n) to out with %XX decoded. */
static int S_put_unescaped(S_buf *out, const char *s, size_t n)
{
  if (memchr(s, '%', n) == NULL)
    return S_buf_put(out, s, n);
  for (size_t i = 0; i < n; i++) {
    char ch = s[i];
    if (ch == '%' && i + 2 < n && S_hexval(s[i + 1]) >= 0 && S_hexval(s[i + 2]) >= 0) {
      ch = (char)(S_hexval(s[i + 1]) * 16 + S_hexval(s[i + 2]));
      i += 2;
    }
    if (S_buf_put(out, &ch, 1))
      return -1;
  }
  return 0;
}

/* "posts/a/../b/./c" -> "posts/b/c" in place; -1 when it climbs above the root. */
static int S_normalize(S_buf *path)
{
  char *out = path->data, *s = path->data, *end = path->data + path->len;
  size_t len = 0;
  while (s < end) {
    char *slash = memchr(s, '/', (size_t)(end - s));
    size_t n = slash ? (size_t)(slash - s) : (size_t)(end - s);
    int last = slash == NULL;
    if (n == 1 && s[0] == '.') {
      /* nothing */
    } else if (n == 2 && s[0] == '.' && s[1] == '.') {
      if (len == 0)
        return -1;
      len--; /* the '/' after the previous segment */
      while (len > 0 && out[len - 1] != '/')
        len--;
    } else if (n > 0 || last) {
      memmove(out + len, s, n);
      len += n;
      if (!last)
        out[len++] = '/';
    }
    s += n + (last ? 0 : 1);
  }
  path->len = len;
  path->data[len] = '\0';
  return 0;
}

static int S_has_scheme(const char *u)
{
  if (!isalpha((unsigned char)u[0]))
    return 0;
  const char *p = u + 1;
  while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
    p++;
  return *p == ':';
}

static void S_resolve_anew(S_run *r, folio_link *l, S_buf *path, S_buf *key);

/* Whether a URL's resolution is the same from every page: a site path, a URL with a scheme, a
 * protocol-relative one (not "#x", "", "../x", "x.html"). */
static int S_page_independent(const char *u)
{
  while (isspace((unsigned char)*u))
    u++;
  return u[0] == '/' || S_has_scheme(u);
}

static void S_resolve(S_run *r, folio_link *l, S_buf *path, S_buf *key)
{
  S_url *e = &r->c->urls->items[l->url_id];
  if (!e->resolved) {
    S_resolve_anew(r, l, path, key);
    if (r->oom || !S_page_independent(l->url))
      return;
    e->resolved = 1;
    e->status = l->status;
    if (l->target && !(e->target = strdup(l->target)))
      r->oom = 1;
    return;
  }
  l->status = e->status;
  if (e->status == FOLIO_LINK_EXTERNAL)
    r->c->nexternal++;
  else if (e->status != FOLIO_LINK_OK)
    r->c->nproblems++;
  if (e->target && !(l->target = strdup(e->target)))
    r->oom = 1;
}

static void S_resolve_anew(S_run *r, folio_link *l, S_buf *path, S_buf *key)
{
  const char *u = l->url, *page = r->c->pages[l->page];
  while (isspace((unsigned char)*u))
    u++;
  if (*u == '\0')
    return;
  /* An absolute URL to the site itself is a path on it. */
  if (r->origin && !strncmp(u, r->origin, r->origin_len) && (u[r->origin_len] == '/' || u[r->origin_len] == '\0'))
    u += r->origin_len;
  else if (r->authority && !strncmp(u, r->authority, r->authority_len) &&
           (u[r->authority_len] == '/' || u[r->authority_len] == '\0'))
    u += r->authority_len; /* //example.org/blog/ */
  if (!strncmp(u, "http://", 7) || !strncmp(u, "https://", 8) || (u[0] == '/' && u[1] == '/')) {
    l->status = FOLIO_LINK_EXTERNAL;
    r->c->nexternal++;
    return;
  }
  if (S_has_scheme(u)) /* mailto:, tel:, data:, javascript:... */
    return;
  size_t plen = strcspn(u, "?#");
  const char *frag = strchr(u, '#');
  if (frag && (size_t)(frag - u) < plen)
    frag = NULL;
  path->len = 0;
  if (S_buf_put(path, "", 0))
    goto oom;
  if (plen == 0) {
    if (S_buf_put(path, page, strlen(page)))
      goto oom;
  } else {
    if (u[0] == '/') {
      if (strncmp(u, r->base_path, r->base_path_len) != 0 &&
          !(plen + 1 == r->base_path_len && !strncmp(u, r->base_path, plen))) {
        l->status = FOLIO_LINK_OUTSIDE;
        r->c->nproblems++;
        return;
      }
      size_t skip = plen < r->base_path_len ? plen : r->base_path_len;
      if (S_put_unescaped(path, u + skip, plen - skip))
        goto oom;
    } else {
      const char *slash = strrchr(page, '/');
      if ((slash && S_buf_put(path, page, (size_t)(slash - page) + 1)) || S_put_unescaped(path, u, plen))
        goto oom;
    }
    if (S_normalize(path) != 0) {
      l->status = FOLIO_LINK_OUTSIDE;
      r->c->nproblems++;
      return;
    }
    if (path->len == 0 || path->data[path->len - 1] == '/') {
      if (S_buf_put(path, "index.html", 10))
        goto oom;
    } else if (!S_set_has(&r->files, path->data, path->len)) {
      size_t before = path->len;
      if (S_buf_put(path, "/index.html", 11))
        goto oom;
      if (!S_set_has(&r->files, path->data, path->len)) {
        path->len = before;
        path->data[before] = '\0';
      }
    }
    if (!S_set_has(&r->files, path->data, path->len)) {
      l->status = FOLIO_LINK_MISSING;
      r->c->nproblems++;
      l->target = strdup(path->data);
      if (!l->target)
        goto oom;
      return;
    }
  }
  if (!frag || frag[1] == '\0' || !strcmp(frag, "#top"))
    return;
  size_t n = path->len;
  int is_html = (n > 5 && !strcmp(path->data + n - 5, ".html")) || (n > 4 && !strcmp(path->data + n - 4, ".htm"));
  if (!is_html)
    return; /* a PDF's #page=2 and the like */
  key->len = 0;
  if (S_buf_put(key, path->data, path->len) || S_buf_put(key, "#", 1) || S_put_unescaped(key, frag + 1, strlen(frag + 1)))
    goto oom;
  if (!S_set_has(&r->ids, key->data, key->len)) {
    l->status = FOLIO_LINK_NO_FRAGMENT;
    r->c->nproblems++;
    l->target = strdup(path->data);
    if (!l->target)
      goto oom;
  }
  return;
oom:
  r->oom = 1;
}

/* ---- the run ------------------------------------------------------------------------------- */

static int S_compare_names(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void S_parse_base(S_run *r, const char *base_url)
{
  r->base_path = "/";
  r->base_path_len = 1;
  const char *sep = base_url ? strstr(base_url, "://") : NULL;
  if (!sep)
    return;
  const char *path = strchr(sep + 3, '/');
  r->origin = base_url;
  r->origin_len = path ? (size_t)(path - base_url) : strlen(base_url);
  r->authority = sep + 1;
  r->authority_len = r->origin_len - (size_t)(sep + 1 - base_url);
  if (path) {
    r->base_path = path;
    r->base_path_len = strlen(path);
  }
}

folio_linkcheck *folio_linkcheck_run(const char *root, const char *base_url)
{
  S_run r;
  memset(&r, 0, sizeof r);
  r.c = calloc(1, sizeof *r.c);
  if (r.c && !(r.c->urls = calloc(1, sizeof *r.c->urls))) {
    free(r.c);
    r.c = NULL;
  }
  S_buf rel = {0}, val = {0}, key = {0}, html = {0};
  if (!r.c)
    goto oom;
  S_parse_base(&r, base_url);
  S_init_classes();
  int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) {
    fprintf(stderr, "folio check: cannot open the output folder %s: %s\n", root, strerror(errno));
    goto fail;
  }
  int rc = S_buf_put(&rel, "", 0) ? -ENOMEM : S_list(&r, rootfd, &rel);
  if (rc != 0) {
    fprintf(stderr, "folio check: cannot read the output folder %s: %s\n", root, strerror(-rc));
    close(rootfd);
    goto fail;
  }
  if (r.c->npages > 0)
    qsort(r.c->pages, r.c->npages, sizeof *r.c->pages, S_compare_names);
  for (size_t i = 0; i < r.c->npages && !r.oom; i++) {
    int fd = openat(rootfd, r.c->pages[i], O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
      fprintf(stderr, "folio check: cannot read %s/%s: %s\n", root, r.c->pages[i], strerror(errno));
      if (fd >= 0)
        close(fd);
      continue;
    }
    size_t size = (size_t)st.st_size;
    if (size > html.cap) { /* one buffer for every page: pages are small, mapping each costs more */
      free(html.data);
      html.cap = size + size / 2;
      html.data = malloc(html.cap);
      if (!html.data) {
        close(fd);
        r.oom = 1;
        break;
      }
    }
    size_t got = 0;
    while (got < size) {
      ssize_t n = read(fd, html.data + got, size - got);
      if (n <= 0)
        break;
      got += (size_t)n;
    }
    close(fd);
    r.c->bytes += got;
    r.page_len = strlen(r.c->pages[i]);
    S_scan_page(&r, i, html.data, got, &val, &key);
  }
  free(html.data);
  close(rootfd);
  for (size_t i = 0; i < r.c->nlinks && !r.oom; i++)
    S_resolve(&r, &r.c->links[i], &val, &key);
  if (r.oom)
    goto oom;
  r.c->nurls = r.c->urls->count;
  S_set_free(&r.files);
  S_set_free(&r.ids);
  free(rel.data);
  free(val.data);
  free(key.data);
  return r.c;
oom:
  fprintf(stderr, "folio check: out of memory\n");
fail:
  S_set_free(&r.files);
  S_set_free(&r.ids);
  free(rel.data);
  free(val.data);
  free(key.data);
  folio_linkcheck_free(r.c);
  return NULL;
}

void folio_linkcheck_free(folio_linkcheck *c)
{
  if (!c)
    return;
  for (size_t i = 0; i < c->npages; i++)
    free(c->pages[i]);
  for (size_t i = 0; i < c->nlinks; i++) {
    free(c->links[i].target);
  }
  free(c->pages);
  free(c->links);
  S_urls_free(c->urls);
  free(c);
}

int folio_linkcheck_line(const char *root, const char *page, size_t offset)
{
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", root, page);
  char *text;
  size_t len;
  if (folio_read_file(path, &text, &len) != 0)
    return 0;
  int line = 1;
  for (size_t i = 0; i < offset && i < len; i++)
    line += text[i] == '\n';
  free(text);
  return line;
}

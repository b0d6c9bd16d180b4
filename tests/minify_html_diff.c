/* minify_html_diff.c: a differential test of folio_minify_html (src/core/minify.c). It holds the
 * byte-at-a-time HTML minifier as it was before the 16-byte scans and the verbatim-tag fast path
 * (copied unchanged below, as ref_minify_html) and compares both on many random documents made
 * of the bytes the scanner treats specially (tags, quotes, '=', "/>", white space, comments, raw
 * elements), at every length across the 16-byte block edges. */
#include "core/minify.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the reference: minify.c's HTML minifier before the fast paths ------------------------- */

/* The output buffer, the caller's: the input's length is enough, since nothing is ever added. */
typedef struct {
  char *buf;
  size_t len;
} out_buf;

static void S_out_init(out_buf *o, char *buf)
{
  o->buf = buf;
  o->len = 0;
}
static void S_put(out_buf *o, char c) { o->buf[o->len++] = c; }
static void S_put_n(out_buf *o, const char *s, size_t n)
{
  memcpy(o->buf + o->len, s, n);
  o->len += n;
}
static char S_last(const out_buf *o) { return o->len ? o->buf[o->len - 1] : '\0'; }

static size_t S_finish(out_buf *o)
{
  o->buf[o->len] = '\0';
  return o->len;
}


/* Byte classes for the HTML scanner's fast paths. */
enum { C_SPACE = 1, C_TEXT_END = 2, C_TAG_END = 4, C_NAME_END = 8 };
#define S_WHITE (C_SPACE | C_TEXT_END | C_TAG_END | C_NAME_END)
static const unsigned char CLASS[256] = {
  [' '] = S_WHITE, ['\t'] = S_WHITE, ['\n'] = S_WHITE, ['\r'] = S_WHITE, ['\f'] = S_WHITE, ['\v'] = S_WHITE,
  ['<'] = C_TEXT_END, ['>'] = C_TAG_END | C_NAME_END, ['/'] = C_TAG_END | C_NAME_END, ['='] = C_TAG_END,
  ['"'] = C_TAG_END, ['\''] = C_TAG_END,
};
static int S_space(char c) { return CLASS[(unsigned char)c] & C_SPACE; }
static int S_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* Does `in` at `i` start with `s`, ignoring ASCII case? */
static int S_starts_nocase(const char *in, size_t len, size_t i, const char *s)
{
  size_t n = strlen(s);
  return len - i >= n && strncasecmp(in + i, s, n) == 0;
}

/* Index of `needle` (ASCII, matched without case after its first byte, which must not be a
 * letter) at or after `from`, or `len`. */
static size_t S_find_nocase(const char *in, size_t len, size_t from, const char *needle)
{
  size_t n = strlen(needle);
  if (n == 0 || len < n) return len;
  const char *p = in + from, *last = in + len - n;
  while (p <= last) { /* the first byte is never a letter ('<', '-', '*'): memchr finds it */
    p = memchr(p, needle[0], (size_t)(last - p) + 1);
    if (p == NULL) return len;
    if (strncasecmp(p + 1, needle + 1, n - 1) == 0) return (size_t)(p - in);
    p++;
  }
  return len;
}

/* ---- HTML ---------------------------------------------------------------------------------- */

/* Whether name[0..n) is `word` (its length a constant: the compiler inlines the memcmp). */
#define S_IS(word) (n == sizeof word - 1 && memcmp(name, word, sizeof word - 1) == 0)

/* Elements around which white space never shows (block-level and metadata elements). `name` is
 * in lower case. By first letter, then the names of that letter: the scan runs for every tag of
 * every page. */
static int S_block_tag(const char *name, size_t n)
{
  switch (name[0]) {
  case 'a': return S_IS("address") || S_IS("article") || S_IS("aside");
  case 'b': return S_IS("br") || S_IS("base") || S_IS("body") || S_IS("blockquote");
  case 'c': return S_IS("col") || S_IS("caption") || S_IS("colgroup");
  case 'd': return S_IS("dd") || S_IS("dl") || S_IS("dt") || S_IS("div") || S_IS("dialog") || S_IS("details");
  case 'f': return S_IS("form") || S_IS("figure") || S_IS("footer") || S_IS("fieldset") || S_IS("figcaption");
  case 'h':
    if (n == 2) return (name[1] >= '1' && name[1] <= '6') || name[1] == 'r';
    return S_IS("head") || S_IS("html") || S_IS("header") || S_IS("hgroup");
  case 'l': return S_IS("li") || S_IS("link");
  case 'm': return S_IS("main") || S_IS("meta");
  case 'n': return S_IS("nav") || S_IS("noscript");
  case 'o': return S_IS("ol") || S_IS("option") || S_IS("optgroup");
  case 'p': return n == 1 || S_IS("pre");
  case 's': return S_IS("style") || S_IS("script") || S_IS("section") || S_IS("summary");
  case 't':
    if (n == 2) return name[1] == 'd' || name[1] == 'h' || name[1] == 'r';
    return S_IS("table") || S_IS("tbody") || S_IS("tfoot") || S_IS("thead") || S_IS("title") || S_IS("template");
  case 'u': return S_IS("ul");
  default: return 0;
  }
}

/* Elements whose content is copied as it is (`name` in lower case). */
static const char *S_raw_tag(const char *name, size_t n)
{
  if (S_IS("pre")) return "pre";
  if (S_IS("script")) return "script";
  if (S_IS("style")) return "style";
  if (S_IS("textarea")) return "textarea";
  return NULL;
}

/* Copies the tag at in[i] == '<' to its '>', white space between attributes made one space (none
 * before '>', "/>" or around '='); quoted values as they are. Returns the index after it. */
static size_t S_copy_tag(out_buf *o, const char *in, size_t len, size_t i)
{
  int pending = 0;
  while (i < len) {
    char c = in[i];
    if (S_space(c)) {
      pending = 1;
      i++;
      continue;
    }
    if (c == '>' || (c == '/' && i + 1 < len && in[i + 1] == '>') || c == '=') {
      if (c == '=') {
        S_put(o, c);
        i++;
        while (i < len && S_space(in[i])) i++;
        pending = 0;
        continue;
      }
      pending = 0;
      if (c == '>') {
        S_put(o, c);
        return i + 1;
      }
    }
    if (pending && S_last(o) != '=') S_put(o, ' ');
    pending = 0;
    if (c == '"' || c == '\'') {
      const char *q = memchr(in + i + 1, c, len - i - 1);
      size_t end = q ? (size_t)(q - in) + 1 : len;
      S_put_n(o, in + i, end - i);
      i = end;
      continue;
    }
    size_t run = i + 1; /* a name or an unquoted value, at once */
    while (run < len && !(CLASS[(unsigned char)in[run]] & C_TAG_END)) run++;
    S_put_n(o, in + i, run - i);
    i = run;
  }
  return i;
}

static size_t ref_minify_html(const char *in, size_t len, char *out, size_t *bad_at)
{
  out_buf o;
  S_out_init(&o, out);
  int pending = 0, after_block = 1; /* white space seen; the last thing was a block tag (or the start) */
  size_t i = 0;
  while (i < len) {
    char c = in[i];
    if (c == '<' && len - i >= 4 && in[i + 1] == '!' && in[i + 2] == '-' && in[i + 3] == '-') {
      size_t end = S_find_nocase(in, len, i + 4, "-->");
      end = end < len ? end + 3 : len;
      if (S_starts_nocase(in, len, i, "<!--[if") || S_starts_nocase(in, len, i, "<!--<![")) {
        if (pending && !after_block) S_put(&o, ' ');
        pending = 0;
        S_put_n(&o, in + i, end - i); /* conditional comments mean something to old browsers */
      }
      i = end;
      continue;
    }
    if (c == '<' && i + 1 < len && (in[i + 1] == '!' || in[i + 1] == '?')) { /* <!DOCTYPE ...>, <![CDATA[ */
      size_t end = i;
      while (end < len && in[end] != '>') end++;
      end = end < len ? end + 1 : len;
      S_put_n(&o, in + i, end - i);
      i = end;
      pending = 0;
      after_block = 1;
      continue;
    }
    int closing = c == '<' && i + 1 < len && in[i + 1] == '/';
    size_t name_at = i + 1 + (size_t)closing;
    if (c == '<' && name_at < len && S_alpha(in[name_at])) {
      size_t n = 0;
      char name[16]; /* the tag's name in lower case (longer names are no tag we know) */
      while (name_at + n < len && !(CLASS[(unsigned char)in[name_at + n]] & C_NAME_END)) {
        char ch = in[name_at + n];
        if (n < sizeof name) name[n] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
        n++;
      }
      if (n >= sizeof name) n = sizeof name; /* matches nothing: every name we know is shorter */
      int block = S_block_tag(name, n);
      if (pending && !block && !after_block) S_put(&o, ' ');
      pending = 0;
      after_block = block;
      i = S_copy_tag(&o, in, len, i);
      const char *raw = closing ? NULL : S_raw_tag(name, n);
      if (raw) { /* copy up to its end tag */
        char close[16];
        size_t k = 0;
        close[k++] = '<';
        close[k++] = '/';
        for (const char *p = raw; *p; p++) close[k++] = *p;
        close[k] = '\0';
        size_t end = S_find_nocase(in, len, i, close);
        S_put_n(&o, in + i, end - i);
        i = end;
        after_block = strcmp(raw, "textarea") != 0; /* </pre>, </script>: blocks; textarea is inline */
      }
      continue;
    }
    if (S_space(c)) {
      pending = 1;
      i++;
      continue;
    }
    if (pending && !after_block) S_put(&o, ' ');
    pending = 0;
    after_block = 0;
    /* the text up to the next tag or white space other than one ' ' between words, at once (a
     * lone ' ' before more text would be written as it is anyway) */
    size_t run = i + 1;
    while (run < len) {
      unsigned char k = CLASS[(unsigned char)in[run]];
      if (!(k & C_TEXT_END)) {
        run++;
      } else if (in[run] == ' ' && run + 1 < len && !(CLASS[(unsigned char)in[run + 1]] & C_TEXT_END)) {
        run += 2;
      } else {
        break;
      }
    }
    S_put_n(&o, in + i, run - i);
    i = run;
  }
  return S_finish(&o);
}


/* ---- random documents ------------------------------------------------------------------- */

static unsigned long long rng_state = 0x9e3779b97f4a7c15ull;
static unsigned S_rand(void)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (unsigned)(rng_state >> 32);
}

static const char *const PIECES[] = {
  "<", ">", "/", "=", "\"", "'", " ", "  ", "\n", "\t", "\r\n", "\f", "\v", "a", "b", "word", "Ab9",
  "<p>", "</p>", "<a href=\"x y\">", "</a>", "<div  class = 'c' >", "</div>", "<br />", "<img src=a.png alt=\"\"/>",
  "<em>", "</em>", "<span id=x>", "</span>", "<pre>", "</pre>", "<script>", "</SCRIPT>", "<textarea>",
  "</textarea>", "<style>", "</style>", "<!-- c -->", "<!--[if IE]>", "<![endif]-->", "<!DOCTYPE html>",
  "<?x?>", "<li>", "</li>", "<h1>", "<A HREF='q'>", "<input disabled >", "<a b= c>", "<a b =c>",
  "<x y=\"a>b\">", "<verylongtagnamehere>", "&amp;", "\xc3\xa9", "-->", "<!--", "</", "<1", "< a",
  "0123456789abcdef", "long run of plain text words here ",
};

static size_t S_document(char *buf, size_t cap)
{
  size_t n = 0, want = S_rand() % cap;
  while (n < want) {
    const char *p = PIECES[S_rand() % (sizeof PIECES / sizeof *PIECES)];
    size_t k = strlen(p);
    if (n + k > want) k = want - n;
    memcpy(buf + n, p, k);
    n += k;
  }
  return n;
}

/* Both minifiers on in[0..len): 0 when they agree. */
static int S_compare(const char *in, size_t len, char *a, char *b)
{
  size_t bad_a = 0, bad_b = 0;
  size_t na = folio_minify_html(in, len, a, &bad_a);
  size_t nb = ref_minify_html(in, len, b, &bad_b);
  if (na == nb && memcmp(a, b, na) == 0) return 0;
  fprintf(stderr, "minify_html_diff: outputs differ for %zu bytes of input:\n%.*s\n--- new (%zu):\n%.*s\n--- old (%zu):\n%.*s\n",
          len, (int)len, in, na, (int)na, a, nb, (int)nb, b);
  return 1;
}

int main(void)
{
  enum { CAP = 600, ROUNDS = 200000 };
  char *in = malloc(CAP), *a = malloc(CAP + 1), *b = malloc(CAP + 1);
  if (!in || !a || !b) {
    fprintf(stderr, "minify_html_diff: out of memory\n");
    return 1;
  }
  int failed = 0;
  for (int r = 0; r < ROUNDS && !failed; r++) {
    size_t len = S_document(in, CAP);
    /* exact-size copies, so that a read past the end shows under ASan */
    char *exact = malloc(len ? len : 1);
    if (!exact) {
      failed = 1;
      break;
    }
    memcpy(exact, in, len);
    failed = S_compare(exact, len, a, b);
    for (size_t cut = len; cut > 0 && cut + 40 > len && !failed; cut--) failed = S_compare(exact, cut, a, b);
    free(exact);
  }
  free(in);
  free(a);
  free(b);
  if (!failed) printf("minify_html_diff: %d random documents agree\n", (int)ROUNDS);
  return failed;
}

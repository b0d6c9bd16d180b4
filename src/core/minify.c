/* minify.c: folio's own minifiers for HTML, CSS, JavaScript and JSON (see minify.h for what each
 * changes). Debian packages no C library for this (only Go and Node programs), so these are
 * careful single passes that only drop comments and white space, never rewrite a token.
 * Sass output is minified by libsass's compressed style instead (src/lua/folio/assets.lua). */
#include "core/minify.h"
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

static size_t S_fail(size_t *bad_at, size_t at)
{
  *bad_at = at;
  return FOLIO_MINIFY_FAILED;
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
static int S_digit(char c) { return c >= '0' && c <= '9'; }

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

/* ---- 16-byte scans (SSE2, always there on x86-64; byte loops elsewhere) ------------------- */

#ifdef __SSE2__
/* Bit k set when byte k of `v` is white space (' ', or \t \n \v \f \r: 9 to 13). */
static unsigned S_space_bits(__m128i v)
{
  __m128i t = _mm_sub_epi8(v, _mm_set1_epi8(9));
  __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(t, _mm_set1_epi8(4)), t);
  return (unsigned)_mm_movemask_epi8(_mm_or_si128(ctl, _mm_cmpeq_epi8(v, _mm_set1_epi8(' '))));
}
static unsigned S_byte_bits(__m128i v, char c) { return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c))); }
#endif

/* The end of the text run at `i` (in[i] is text): the first '<' or white space at or after i + 1,
 * a single ' ' between two text bytes excepted (it is written as it is anyway). */
static size_t S_text_run(const char *in, size_t len, size_t i)
{
  size_t run = i + 1;
#ifdef __SSE2__
  while (run + 16 <= len) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(in + run));
    unsigned sp = S_byte_bits(v, ' ');
    unsigned stop = S_space_bits(v) | S_byte_bits(v, '<');
    unsigned lone = sp & ~(stop >> 1) & 0x7fffu; /* a ' ' before a text byte of this block */
    unsigned bad = stop & ~lone;
    if (bad == 0) {
      run += 16;
      continue;
    }
    unsigned k = (unsigned)__builtin_ctz(bad);
    if (k == 15 && in[run + 15] == ' ' && run + 16 < len && !(CLASS[(unsigned char)in[run + 16]] & C_TEXT_END)) {
      run += 17; /* the last ' ' of the block, before a text byte of the next */
      continue;
    }
    return run + k;
  }
#endif
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
  return run;
}

/* The first white space, '>' or quote at or after `j`, or `len`. */
static size_t S_tag_stop(const char *in, size_t len, size_t j)
{
#ifdef __SSE2__
  while (j + 16 <= len) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(in + j));
    unsigned stop = S_space_bits(v) | S_byte_bits(v, '>') | S_byte_bits(v, '"') | S_byte_bits(v, '\'');
    if (stop) return j + (unsigned)__builtin_ctz(stop);
    j += 16;
  }
#endif
  while (j < len && !(CLASS[(unsigned char)in[j]] & C_SPACE) && in[j] != '>' && in[j] != '"' && in[j] != '\'')
    j++;
  return j;
}

/* When the tag at in[i] == '<' is one S_copy_tag would copy unchanged (its white space outside
 * quotes single ' ' between two attributes, never before '>', "/>" or '=' nor after '='), the
 * index after its '>'; otherwise 0. */
static size_t S_tag_verbatim(const char *in, size_t len, size_t i)
{
  size_t j = i + 1;
  for (;;) {
    j = S_tag_stop(in, len, j);
    if (j >= len) return 0;
    char c = in[j];
    if (c == '>') return j + 1;
    if (c == '"' || c == '\'') {
      const char *q = memchr(in + j + 1, c, len - j - 1);
      if (q == NULL) return 0;
      j = (size_t)(q - in) + 1;
      continue;
    }
    if (c != ' ' || in[j - 1] == '=' || j + 1 >= len) return 0;
    char next = in[j + 1];
    if (S_space(next) || next == '>' || next == '=' || (next == '/' && j + 2 < len && in[j + 2] == '>')) return 0;
    j++;
  }
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

size_t folio_minify_html(const char *in, size_t len, char *out, size_t *bad_at)
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
      size_t tag_end = S_tag_verbatim(in, len, i); /* most tags: copied at once */
      if (tag_end) {
        S_put_n(&o, in + i, tag_end - i);
        i = tag_end;
      } else {
        i = S_copy_tag(&o, in, len, i);
      }
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
    size_t run = S_text_run(in, len, i);
    S_put_n(&o, in + i, run - i);
    i = run;
  }
  return S_finish(&o);
}

/* ---- CSS ----------------------------------------------------------------------------------- */

/* Copies a quoted string at in[i] (quote included, escapes kept). Returns the index after it, or
 * `len` + 1 when a line ends it first (invalid CSS: the caller gives up). */
static size_t S_copy_string(out_buf *o, const char *in, size_t len, size_t i, int newline_ok)
{
  char q = in[i];
  size_t j = i + 1;
  while (j < len && in[j] != q) {
    if (in[j] == '\\') j++;
    else if (in[j] == '\n' && !newline_ok) return len + 1;
    j++;
  }
  if (j >= len) return len + 1;
  S_put_n(o, in + i, j + 1 - i);
  return j + 1;
}

size_t folio_minify_css(const char *in, size_t len, char *out, size_t *bad_at)
{
  out_buf o;
  S_out_init(&o, out);
  int pending = 0;
  size_t i = 0;
  while (i < len) {
    char c = in[i];
    if (c == '/' && i + 1 < len && in[i + 1] == '*') {
      size_t end = S_find_nocase(in, len, i + 2, "*/");
      if (end == len) return S_fail(bad_at, i);
      if (i + 2 < len && in[i + 2] == '!') { /* a licence: kept */
        if (pending && o.len) S_put(&o, ' ');
        pending = 0;
        S_put_n(&o, in + i, end + 2 - i);
      } else {
        pending = 1; /* a comment separates tokens as white space does */
      }
      i = end + 2;
      continue;
    }
    if (S_space(c)) {
      pending = 1;
      i++;
      continue;
    }
    if (pending && o.len && !strchr("{};,>:(", S_last(&o)) && !strchr("{};,>)!", c)) S_put(&o, ' ');
    pending = 0;
    if (c == '"' || c == '\'') {
      size_t next = S_copy_string(&o, in, len, i, 0);
      if (next > len) return S_fail(bad_at, i);
      i = next;
      continue;
    }
    if ((c == 'u' || c == 'U') && S_starts_nocase(in, len, i, "url(")) {
      size_t j = i + 4;
      while (j < len && S_space(in[j])) j++;
      if (j < len && in[j] != '"' && in[j] != '\'') { /* unquoted: up to ')', as it is */
        while (j < len && in[j] != ')') j++;
        if (j == len) return S_fail(bad_at, i);
        S_put_n(&o, in + i, j + 1 - i);
        i = j + 1;
        continue;
      }
    }
    if (c == '}' && S_last(&o) == ';') o.len--; /* the last declaration needs no ';' */
    S_put(&o, c);
    i++;
  }
  return S_finish(&o);
}

/* ---- JavaScript ---------------------------------------------------------------------------- */

static int S_word_char(char c)
{
  return S_alpha(c) || S_digit(c) || c == '_' || c == '$' || c == '\\' || (unsigned char)c >= 0x80;
}

/* After these keywords a '/' starts a regular expression, not a division. */
static int S_regex_keyword(const char *w, size_t n)
{
  static const char *const KW[] = { "return", "typeof", "instanceof", "in", "of", "new", "delete",
                                     "void", "throw", "case", "do", "else", "yield", "await", NULL };
  for (int i = 0; KW[i]; i++)
    if (strlen(KW[i]) == n && memcmp(KW[i], w, n) == 0) return 1;
  return 0;
}

typedef struct {
  out_buf o;
  size_t word_at, word_len; /* the last identifier written, when it is the last token */
  int last_was_word;
  char last; /* the last significant character written (0 at the start) */
} js_state;

static int S_regex_allowed(const js_state *s)
{
  if (s->last == 0) return 1;
  if (s->last_was_word) return S_regex_keyword(s->o.buf + s->word_at, s->word_len);
  return strchr("(,=:[!&|?{};+-*%<>~^", s->last) != NULL;
}

/* White space before `next`: `pending` 1 (spaces) or 2 (a line break among them). */
static void S_js_space(js_state *s, int pending, char next)
{
  char prev = S_last(&s->o);
  if (!pending || s->o.len == 0) return;
  if (pending == 2) {
    if (strchr("{;,([", prev) || strchr(")]},;", next)) return;
    S_put(&s->o, '\n');
    return;
  }
  int both_words = S_word_char(prev) && S_word_char(next);
  int glue = (prev == next && (prev == '+' || prev == '-')) || (prev == '/' && (next == '/' || next == '*')) ||
             (prev == '<' && next == '!') || (prev == '-' && next == '>') || (S_digit(prev) && next == '.');
  if (both_words || glue) S_put(&s->o, ' ');
}

size_t folio_minify_js(const char *in, size_t len, char *out, size_t *bad_at)
{
  js_state s = {0};
  S_out_init(&s.o, out);
  enum { MAX_NEST = 64 };
  int braces[MAX_NEST]; /* open '{' inside each ${ } of the template literals we are in */
  int nest = 0, in_template = 0, pending = 0;
  size_t i = 0;
  if (len >= 2 && in[0] == '#' && in[1] == '!') { /* #!/usr/bin/env node */
    while (i < len && in[i] != '\n') S_put(&s.o, in[i++]);
  }
  while (i < len) {
    char c = in[i];
    if (in_template) { /* inside `...`: as it is, up to its end or the next ${ */
      if (c == '\\' && i + 1 < len) {
        S_put_n(&s.o, in + i, 2);
        i += 2;
      } else if (c == '`') {
        S_put(&s.o, c);
        i++;
        in_template = 0;
        s.last = '`';
        s.last_was_word = 0;
      } else if (c == '$' && i + 1 < len && in[i + 1] == '{') {
        if (nest == MAX_NEST) return S_fail(bad_at, i);
        S_put_n(&s.o, in + i, 2);
        i += 2;
        braces[nest++] = 0;
        in_template = 0;
        s.last = '{';
        s.last_was_word = 0;
      } else {
        S_put(&s.o, c);
        i++;
      }
      continue;
    }
    if (c == '/' && i + 1 < len && in[i + 1] == '/') {
      while (i < len && in[i] != '\n') i++;
      if (!pending) pending = 1;
      continue;
    }
    if (c == '/' && i + 1 < len && in[i + 1] == '*') {
      size_t end = S_find_nocase(in, len, i + 2, "*/");
      if (end == len) return S_fail(bad_at, i);
      if (i + 2 < len && in[i + 2] == '!') {
        S_js_space(&s, pending ? pending : 0, '/');
        pending = 0;
        S_put_n(&s.o, in + i, end + 2 - i);
        if (S_last(&s.o) != '\n') pending = 2; /* keep it on its own line */
      } else {
        int newline = memchr(in + i, '\n', end - i) != NULL;
        if (newline) pending = 2;
        else if (!pending) pending = 1;
      }
      i = end + 2;
      continue;
    }
    if (S_space(c)) {
      if (c == '\n' || c == '\r') pending = 2;
      else if (!pending) pending = 1;
      i++;
      continue;
    }
    S_js_space(&s, pending, c);
    pending = 0;
    if (c == '"' || c == '\'') {
      size_t j = i + 1;
      while (j < len && in[j] != c && in[j] != '\n') {
        if (in[j] == '\\') j++;
        j++;
      }
      if (j >= len || in[j] != c) return S_fail(bad_at, i);
      S_put_n(&s.o, in + i, j + 1 - i);
      i = j + 1;
      s.last = c;
      s.last_was_word = 0;
      continue;
    }
    if (c == '`') {
      S_put(&s.o, c);
      i++;
      in_template = 1;
      continue;
    }
    if (c == '/' && S_regex_allowed(&s)) {
      size_t j = i + 1;
      int in_class = 0;
      while (j < len && in[j] != '\n' && (in_class || in[j] != '/')) {
        if (in[j] == '\\') j++;
        else if (in[j] == '[') in_class = 1;
        else if (in[j] == ']') in_class = 0;
        j++;
      }
      if (j >= len || in[j] != '/') return S_fail(bad_at, i);
      S_put_n(&s.o, in + i, j + 1 - i);
      i = j + 1;
      s.last = '/';
      s.last_was_word = 1; /* its flags may follow; a '/' after it divides */
      s.word_at = s.o.len;
      s.word_len = 0;
      continue;
    }
    if (c == '{' && nest) braces[nest - 1]++;
    if (c == '}' && nest) {
      if (braces[nest - 1] == 0) { /* the end of a ${ }: back in the template literal */
        nest--;
        S_put(&s.o, c);
        i++;
        in_template = 1;
        continue;
      }
      braces[nest - 1]--;
    }
    if (S_word_char(c)) {
      if (!s.last_was_word || s.word_at + s.word_len != s.o.len) {
        s.word_at = s.o.len;
        s.word_len = 0;
      }
      s.word_len++;
      s.last_was_word = 1;
    } else {
      s.last_was_word = 0;
    }
    s.last = c;
    S_put(&s.o, c);
    i++;
  }
  if (in_template || nest) return S_fail(bad_at, len);
  return S_finish(&s.o);
}

/* ---- JSON ---------------------------------------------------------------------------------- */

typedef struct {
  const char *in;
  size_t len, i;
  out_buf o;
  int depth;
} json_state;

static void S_json_ws(json_state *j)
{
  while (j->i < j->len && (j->in[j->i] == ' ' || j->in[j->i] == '\t' || j->in[j->i] == '\n' || j->in[j->i] == '\r'))
    j->i++;
}

static int S_json_value(json_state *j);

/* The bytes a JSON string's scan stops at: its end, an escape, a control character (invalid). */
static const unsigned char JSON_STOP[256] = {
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  ['"'] = 1, ['\\'] = 1,
};

static int S_json_string(json_state *j)
{
  size_t start = j->i++;
  const unsigned char *in = (const unsigned char *)j->in;
  size_t i = j->i, len = j->len;
  while (i < len) {
    while (i < len && !JSON_STOP[in[i]]) i++; /* the plain run, at one lookup a byte */
    if (i >= len || in[i] == '"') break;
    if (in[i] < 0x20) return 0;
    i += 2; /* a backslash and the byte it escapes */
  }
  j->i = i;
  if (j->i >= j->len) return 0;
  j->i++;
  S_put_n(&j->o, j->in + start, j->i - start);
  return 1;
}

static int S_json_number(json_state *j)
{
  size_t start = j->i;
  if (j->in[j->i] == '-') j->i++;
  if (j->i >= j->len || !S_digit(j->in[j->i])) return 0;
  if (j->in[j->i] == '0') j->i++;
  else while (j->i < j->len && S_digit(j->in[j->i])) j->i++;
  if (j->i < j->len && j->in[j->i] == '.') {
    j->i++;
    if (j->i >= j->len || !S_digit(j->in[j->i])) return 0;
    while (j->i < j->len && S_digit(j->in[j->i])) j->i++;
  }
  if (j->i < j->len && (j->in[j->i] == 'e' || j->in[j->i] == 'E')) {
    j->i++;
    if (j->i < j->len && (j->in[j->i] == '+' || j->in[j->i] == '-')) j->i++;
    if (j->i >= j->len || !S_digit(j->in[j->i])) return 0;
    while (j->i < j->len && S_digit(j->in[j->i])) j->i++;
  }
  S_put_n(&j->o, j->in + start, j->i - start);
  return 1;
}

/* An object or array at j->i: '{' or '['. */
static int S_json_container(json_state *j)
{
  char open = j->in[j->i], close = open == '{' ? '}' : ']';
  if (++j->depth > 512) return 0;
  S_put(&j->o, open);
  j->i++;
  S_json_ws(j);
  if (j->i < j->len && j->in[j->i] == close) {
    S_put(&j->o, close);
    j->i++;
    j->depth--;
    return 1;
  }
  for (;;) {
    S_json_ws(j);
    if (open == '{') {
      if (j->i >= j->len || j->in[j->i] != '"' || !S_json_string(j)) return 0;
      S_json_ws(j);
      if (j->i >= j->len || j->in[j->i] != ':') return 0;
      S_put(&j->o, ':');
      j->i++;
      S_json_ws(j);
    }
    if (!S_json_value(j)) return 0;
    S_json_ws(j);
    if (j->i >= j->len) return 0;
    char c = j->in[j->i++];
    S_put(&j->o, c);
    if (c == close) break;
    if (c != ',') return 0;
  }
  j->depth--;
  return 1;
}

static int S_json_value(json_state *j)
{
  if (j->i >= j->len) return 0;
  char c = j->in[j->i];
  if (c == '{' || c == '[') return S_json_container(j);
  if (c == '"') return S_json_string(j);
  if (c == '-' || S_digit(c)) return S_json_number(j);
  static const char *const WORDS[] = { "true", "false", "null", NULL };
  for (int k = 0; WORDS[k]; k++) {
    size_t n = strlen(WORDS[k]);
    if (j->len - j->i >= n && memcmp(j->in + j->i, WORDS[k], n) == 0) {
      S_put_n(&j->o, WORDS[k], n);
      j->i += n;
      return 1;
    }
  }
  return 0;
}

size_t folio_minify_json(const char *in, size_t len, char *out, size_t *bad_at)
{
  json_state j = { .in = in, .len = len };
  S_out_init(&j.o, out);
  S_json_ws(&j);
  if (!S_json_value(&j)) return S_fail(bad_at, j.i);
  S_json_ws(&j);
  if (j.i != len) return S_fail(bad_at, j.i);
  return S_finish(&j.o);
}

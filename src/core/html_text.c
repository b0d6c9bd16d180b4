/* html_text.c: the plain text of HTML (see html_text.h). Each pass copies runs of text with
 * memchr/memcpy and looks closer only at '<' or '&'; a pass whose text does not occur is
 * skipped. */
#include "core/html_text.h"
#include <stdint.h>
#include <string.h>

static int S_starts(const char *s, size_t n, size_t i, const char *prefix)
{
  size_t k = strlen(prefix);
  return n - i >= k && memcmp(s + i, prefix, k) == 0;
}

/* The offset just past the first `needle` at or after `from`, or 0 when there is none. */
static size_t S_past(const char *s, size_t n, size_t from, const char *needle)
{
  size_t k = strlen(needle);
  if (from > n)
    return 0;
  const char *hit = k == 1 ? memchr(s + from, needle[0], n - from) : memmem(s + from, n - from, needle, k);
  return hit ? (size_t)(hit - s) + k : 0;
}

static int S_alnum(unsigned char c)
{
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Matches a construct starting at in[i] (which is the pass's trigger character): returns the
 * offset past it and writes its replacement at *o, or returns 0 to keep the character. */
typedef size_t S_match_fn(const char *in, size_t n, size_t i, char *out, size_t *o);

static size_t S_run(const char *in, size_t n, char *out, char trigger, S_match_fn *match)
{
  size_t i = 0, o = 0;
  while (i < n) {
    const char *hit = memchr(in + i, trigger, n - i);
    size_t at = hit ? (size_t)(hit - in) : n;
    memcpy(out + o, in + i, at - i);
    o += at - i;
    if (at == n)
      break;
    size_t end = match(in, n, at, out, &o);
    if (end == 0) {
      out[o++] = trigger;
      i = at + 1;
    } else {
      i = end;
    }
  }
  return o;
}

static size_t S_block_to_space(const char *in, size_t n, size_t i, char *out, size_t *o, const char *open,
                               const char *close)
{
  if (!S_starts(in, n, i, open))
    return 0;
  size_t end = S_past(in, n, i + strlen(open), close);
  if (end)
    out[(*o)++] = ' ';
  return end;
}

static size_t S_script(const char *in, size_t n, size_t i, char *out, size_t *o)
{
  return S_block_to_space(in, n, i, out, o, "<script", "</script>");
}

static size_t S_style(const char *in, size_t n, size_t i, char *out, size_t *o)
{
  return S_block_to_space(in, n, i, out, o, "<style", "</style>");
}

/* <a class="anchor" ...>...</a>: the heading links of the anchors plugin */
static size_t S_anchor(const char *in, size_t n, size_t i, char *out, size_t *o)
{
  (void)out;
  (void)o;
  static const char open[] = "<a class=\"anchor\"";
  if (!S_starts(in, n, i, open))
    return 0;
  size_t j = S_past(in, n, i + sizeof open - 1, ">");
  size_t k = j ? S_past(in, n, j, "<") : 0;
  return k && S_starts(in, n, k, "/a>") ? k + 3 : 0;
}

/* Whether the tag `name` (any case) is a block: p br li ul ol dt dd div pre blockquote table tr
 * td th hr h1-h6 section article figure figcaption. */
static int S_is_block(const char *name, size_t len)
{
  static const char *const blocks[] = {
    "p", "br", "li", "ul", "ol", "dt", "dd", "div", "pre", "blockquote", "table", "tr", "td", "th", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "figure", "figcaption",
  };
  char lower[16];
  if (len >= sizeof lower)
    return 0;
  for (size_t i = 0; i < len; i++)
    lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a' : name[i]);
  for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++)
    if (blocks[b][0] == lower[0] && strlen(blocks[b]) == len && memcmp(blocks[b], lower, len) == 0)
      return 1;
  return 0;
}

/* <name ...> or </name ...>: a space for block tags, nothing for the others */
static size_t S_tag(const char *in, size_t n, size_t i, char *out, size_t *o)
{
  size_t j = i + 1;
  if (j < n && in[j] == '/')
    j++;
  size_t name = j;
  while (j < n && S_alnum((unsigned char)in[j]))
    j++;
  if (j == name)
    return 0;
  size_t end = S_past(in, n, j, ">");
  if (end && S_is_block(in + name, j - name))
    out[(*o)++] = ' ';
  return end;
}

static size_t S_comment(const char *in, size_t n, size_t i, char *out, size_t *o)
{
  (void)out;
  (void)o;
  return S_starts(in, n, i, "<!--") ? S_past(in, n, i + 4, "-->") : 0;
}

static const char *S_named_entity(const char *name, size_t len)
{
  static const char *const table[][2] = {
    { "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" }, { "apos", "'" }, { "nbsp", " " },
    { "hellip", "\xE2\x80\xA6" }, { "mdash", "\xE2\x80\x94" }, { "ndash", "\xE2\x80\x93" },
    { "lsquo", "\xE2\x80\x98" }, { "rsquo", "\xE2\x80\x99" }, { "ldquo", "\xE2\x80\x9C" },
    { "rdquo", "\xE2\x80\x9D" }, { "laquo", "\xC2\xAB" }, { "raquo", "\xC2\xBB" }, { "copy", "\xC2\xA9" },
    { "eacute", "\xC3\xA9" }, { "egrave", "\xC3\xA8" }, { "agrave", "\xC3\xA0" }, { "ccedil", "\xC3\xA7" },
  };
  for (size_t k = 0; k < sizeof table / sizeof table[0]; k++)
    if (strlen(table[k][0]) == len && memcmp(table[k][0], name, len) == 0)
      return table[k][1];
  return NULL;
}

/* The number `digits` in `base`, as Lua's tonumber(s, base) reads it; -1 when it is not one. */
static int64_t S_number(const char *digits, size_t len, int base)
{
  uint64_t value = 0;
  for (size_t k = 0; k < len; k++) {
    unsigned char c = (unsigned char)digits[k];
    int d = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    if (d >= base)
      return -1;
    value = value * (uint64_t)base + (uint64_t)d;
  }
  return value > INT64_MAX ? -1 : (int64_t)value;
}

/* UTF-8 of `code` (< 0x110000; surrogates too, as Lua's utf8.char) at out; returns its length. */
static size_t S_utf8(uint32_t code, char *out)
{
  if (code < 0x80) {
    out[0] = (char)code;
    return 1;
  }
  if (code < 0x800) {
    out[0] = (char)(0xC0 | (code >> 6));
    out[1] = (char)(0x80 | (code & 0x3F));
    return 2;
  }
  if (code < 0x10000) {
    out[0] = (char)(0xE0 | (code >> 12));
    out[1] = (char)(0x80 | ((code >> 6) & 0x3F));
    out[2] = (char)(0x80 | (code & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (code >> 18));
  out[1] = (char)(0x80 | ((code >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((code >> 6) & 0x3F));
  out[3] = (char)(0x80 | (code & 0x3F));
  return 4;
}

/* &name; &#nn; &#xhh; — a name or number it does not know stays as written */
static size_t S_entity(const char *in, size_t n, size_t i, char *out, size_t *o)
{
  size_t j = i + 1;
  int hash = j < n && in[j] == '#';
  if (hash)
    j++;
  size_t name = 0, k = 0;
  int hex = 0;
  if (j < n && (in[j] == 'x' || in[j] == 'X')) { /* &#x41; (and, as written, &xname;) */
    k = j + 1;
    while (k < n && S_alnum((unsigned char)in[k]))
      k++;
    if (k > j + 1 && k < n && in[k] == ';') {
      name = j + 1;
      hex = 1;
    }
  }
  if (!hex) {
    k = j;
    while (k < n && S_alnum((unsigned char)in[k]))
      k++;
    if (k == j || k >= n || in[k] != ';')
      return 0;
    name = j;
  }
  size_t end = k + 1, len = k - name;
  if (!hash) {
    const char *text = S_named_entity(in + name, len);
    if (text != NULL) {
      memcpy(out + *o, text, strlen(text));
      *o += strlen(text);
      return end;
    }
  } else {
    int64_t code = S_number(in + name, len, hex ? 16 : 10);
    if (code >= 0 && code < 0x110000) {
      *o += S_utf8((uint32_t)code, out + *o);
      return end;
    }
  }
  memcpy(out + *o, in + i, end - i); /* not one it knows: as written */
  *o += end - i;
  return end;
}

/* Whether html holds "<script", "<style" or "<a class=\"anchor\"" (the first three passes'
 * needles below). */
static int S_has_special_tag(const char *html, size_t len)
{
  static const char anchor[] = "a class=\"anchor\"";
  for (const char *p = memchr(html, '<', len), *end = html + len; p != NULL;
       p = memchr(p + 1, '<', (size_t)(end - p - 1))) {
    size_t left = (size_t)(end - p - 1);
    if (left >= 5 && p[1] == 's' && (memcmp(p + 1, "style", 5) == 0 || (left >= 6 && memcmp(p + 1, "script", 6) == 0)))
      return 1;
    if (left >= sizeof anchor - 1 && p[1] == 'a' && memcmp(p + 1, anchor, sizeof anchor - 1) == 0)
      return 1;
    if (left == 0)
      break;
  }
  return 0;
}

size_t folio_html_text(const char *html, size_t len, char *out, char *scratch)
{
  static const struct { const char *needle; char trigger; S_match_fn *match; } passes[] = {
    { "<script", '<', S_script }, { "<style", '<', S_style }, { "<a class=\"anchor\"", '<', S_anchor },
    { "<", '<', S_tag }, { "<!--", '<', S_comment }, { "&", '&', S_entity },
  };
  const char *cur = html;
  char *buffers[2] = { out, scratch };
  int next = 0;
  /* Most pages have no script, style or anchor link: one look at each `<` tells, where three
   * memmem scans of the page took longer than the passes themselves. */
  size_t first = S_has_special_tag(html, len) ? 0 : 3;
  for (size_t p = first; p < sizeof passes / sizeof passes[0]; p++) {
    if (memmem(cur, len, passes[p].needle, strlen(passes[p].needle)) == NULL)
      continue;
    len = S_run(cur, len, buffers[next], passes[p].trigger, passes[p].match);
    cur = buffers[next];
    next ^= 1;
  }
  if (cur != out)
    memcpy(out, cur, len);
  return len;
}

/* The white space bytes of eight (a word read with memcpy): 0x80 in each byte that is " \t\n\v\f\r",
 * exactly (no carries between bytes: each byte is kept below 0x80 before adding). */
static uint64_t S_space_bytes(uint64_t x)
{
  const uint64_t ones = UINT64_C(0x0101010101010101), highs = ones * 0x80, lows = ones * 0x7F;
  uint64_t y = x & lows;
  uint64_t t = (x ^ (ones * ' ')) & lows;
  uint64_t blank = ~((t + lows) | t | lows) & ~x & highs; /* == ' ' */
  uint64_t ge9 = (y + ones * (0x80 - 9)) & highs, ge14 = (y + ones * (0x80 - 14)) & highs;
  return (blank | (ge9 & ~ge14)) & ~x & highs; /* ... or 9 to 13 */
}

size_t folio_count_runs(const char *text, size_t len)
{
  static const unsigned char space[256] = { [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1 };
  const unsigned char *u = (const unsigned char *)text;
  size_t runs = 0, i = 0;
  /* Eight bytes at a time: a run starts at a byte that is not space after one that is (the byte
   * before the text counts as space). */
  uint64_t before = 0x80; /* the space flag (0x80 or 0) of the byte before the next word */
  for (; i + 8 <= len; i += 8) {
    uint64_t x;
    memcpy(&x, u + i, 8);
    uint64_t sp = S_space_bytes(x);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    uint64_t prev = (sp >> 8) | (before << 56); /* byte k-1's flag moved onto byte k */
    before = sp & 0x80;
#else
    uint64_t prev = (sp << 8) | before;
    before = sp >> 56;
#endif
    uint64_t starts = ~sp & (UINT64_C(0x0101010101010101) * 0x80) & prev;
    runs += (size_t)(((starts >> 7) * UINT64_C(0x0101010101010101)) >> 56); /* the flags summed */
  }
  unsigned prev_space = before != 0;
  for (; i < len; i++) {
    unsigned sp = space[u[i]];
    runs += prev_space & (sp ^ 1); /* a run starts where a space is followed by a non-space */
    prev_space = sp;
  }
  return runs;
}

/* lx_text.c: the loops under the kramdown plugin (scripts/kramdown_tree.lua, kramdown_scan.lua):
 * folio.text_runs, which text runs of an HTML segment typography may change;
 * folio.typography_run, kramdown's typography (quotes, dashes, ellipses) on one such run, and
 * folio.typography_html, on a page's HTML, both the same bytes as kramdown_tree.lua's Lua (safe
 * mode's fallback, held to by tests/lua/test_typography_run.lua); folio.text_lines, a text's
 * lines; folio.text_line_start, whether a line of a text starts with a definition's `: `, an
 * HTML tag or a `1)` item (kramdown_scan.lua's tests, whose Lua stays for safe mode). In C because the same loops in Lua cost a few calls per run or line (typography, a few
 * per byte), and a page has a run between every two tags. */
#include "lua/lx.h"
#include <stdint.h>
#include <string.h>

/* Whether s[i..j] (0-based, inclusive) has a quote, `&`, `--`, `...`, or `>>` with a `-` or `.`
 * in it: what typography may change (a run is only looked at with one of `"'&-.`). */
/* The bytes typography looks at: TY_RUN, those S_candidate stops at; TY_RULE, those a rule
 * may start at (ty_candidate); other bytes are skipped with one lookup. */
enum { TY_RUN = 1, TY_RULE = 2 };
static const unsigned char TY_BYTES[256] = {
  ['\''] = TY_RUN | TY_RULE, ['"'] = TY_RUN | TY_RULE, ['&'] = TY_RUN, ['-'] = TY_RUN | TY_RULE,
  ['.'] = TY_RUN | TY_RULE, ['>'] = TY_RUN | TY_RULE, ['<'] = TY_RULE,
};

static int S_candidate(const char *s, size_t i, size_t j)
{
  int guillemets = 0, dash_or_dot = 0;
  for (size_t k = i; k <= j; k++) {
    char c = s[k];
    if (!(TY_BYTES[(unsigned char)c] & TY_RUN))
      continue;
    if (c == '\'' || c == '"' || c == '&')
      return 1;
    if (c == '-' || c == '.') {
      if (k < j && s[k + 1] == c && (c == '-' || (k + 1 < j && s[k + 2] == '.')))
        return 1;
      dash_or_dot = 1;
    }
    if (c == '>' && k < j && s[k + 1] == '>')
      guillemets = 1;
  }
  return guillemets && dash_or_dot;
}

/* folio.text_runs(s, limit) -> { i1, j1, i2, j2, ... }: the runs s[i..j] (1-based) that follow a
 * `>` at or before limit - 1 up to the next `<` (or the end), non-empty and with a candidate;
 * the next run is looked for from that `<`. [-2, +1, m] */
static int l_text_runs(lua_State *L)
{
  size_t n;
  const char *s = luaL_checklstring(L, 1, &n);
  lua_Integer limit = luaL_checkinteger(L, 2);
  lua_newtable(L);
  lua_Integer count = 0;
  const char *gt = memchr(s, '>', n);
  while (gt && (lua_Integer)(gt - s) + 2 <= limit) {
    size_t start = (size_t)(gt - s) + 1; /* 0-based first byte of the run */
    const char *lt = start < n ? memchr(s + start, '<', n - start) : NULL;
    size_t end = lt ? (size_t)(lt - s) : n; /* 0-based, one past the run */
    if (end > start && S_candidate(s, start, end - 1)) {
      lua_pushinteger(L, (lua_Integer)start + 1);
      lua_rawseti(L, -2, ++count);
      lua_pushinteger(L, (lua_Integer)end);
      lua_rawseti(L, -2, ++count);
    }
    if (end >= n)
      break;
    gt = memchr(s + end, '>', n - end);
  }
  return 1;
}

/* ---- folio.typography_run: the Lua typeset() of kramdown_tree.lua, byte for byte ---------- */

#define TY_LSQ "\xE2\x80\x98" /* ‘ */
#define TY_RSQ "\xE2\x80\x99" /* ’ */
#define TY_LDQ "\xE2\x80\x9C" /* “ */
#define TY_RDQ "\xE2\x80\x9D" /* ” */

/* The text a run is read from: s[0..ns) is the decoded run (its first n bytes) and then what
 * follows it in the source. Positions below are 1-based, as in the Lua they mirror. */
typedef struct {
  const unsigned char *s;
  size_t n, ns;
} ty_text;

/* The byte at 1-based i, or -1 past the end (Lua's nil). */
static int ty_at(const ty_text *t, size_t i)
{
  return i >= 1 && i <= t->ns ? t->s[i - 1] : -1;
}

static int ty_quote(int c) { return c == '\'' || c == '"'; }
static int ty_space(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static int ty_digit(int c) { return c >= '0' && c <= '9'; }
static int ty_alnum(int c) { return ty_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static int ty_word(int c) { return ty_alnum(c) || c == '_'; }
/* A letter, a digit or a byte of a UTF-8 character: before a quote, it closes it. */
static int ty_letter(int c) { return c >= 128 || ty_alnum(c); }
/* ASCII punctuation but `&` (the Lua's PUNCT_AT). */
static int ty_punct(int c)
{
  static const char set[] = "!\"#$%'()*+,-./:;<=>?@[\\]^_`{|}~";
  return c > 0 && c < 128 && memchr(set, c, sizeof set - 1) != NULL;
}
/* What a quote after it closes: anything but space, tab, CR, LF, `\`, `[`, `{`, `(`, `-`. */
static int ty_sq_close(int c)
{
  static const char set[] = " \\\t\r\n[{(-";
  return c >= 0 && (c == 0 || memchr(set, c, sizeof set - 1) == NULL);
}
static const char *ty_lq(int c) { return c == '\'' ? TY_LSQ : TY_LDQ; }
static const char *ty_rq(int c) { return c == '\'' ? TY_RSQ : TY_RDQ; }

/* A replacement: a kept byte (or none) and the typographic characters. */
typedef struct {
  char lead[1];
  size_t nlead;
  const char *rep;
} ty_rep;

static size_t ty_set(ty_rep *r, size_t len, int lead, const char *rep)
{
  r->nlead = 0;
  if (lead >= 0)
    r->lead[r->nlead++] = (char)lead;
  r->rep = rep;
  return len;
}

/* kramdown's quote rules at p (quote_rule of the Lua), whose bytes are c, c1, c2: the number
 * of characters matched (0: none) and the replacement in r. */
static size_t ty_quote_rule(const ty_text *t, size_t p, int c, int c1, int c2, ty_rep *r)
{
  int quote = ty_quote(c);
  if (quote) {
    if ((c1 == '_' || c1 == '*') && c2 >= 0 && !ty_space(c2)) /* "*em* */
      return ty_set(r, 1, -1, ty_lq(c));
    if (ty_punct(c1) && !(c1 == '.' && c2 == '.') && !ty_word(c2))
      return ty_set(r, 1, -1, ty_rq(c));
  }
  int sp = ty_space(c);
  if (sp || quote) { /* (\s?)"'(?=\w), (\s?)'"(?=\w), (\s?)'(?=\d\ds) */
    size_t off = sp ? 1 : 0;
    int q1 = ty_at(t, p + off), q2 = ty_at(t, p + off + 1);
    int w = ty_at(t, p + off + 2), w2 = ty_at(t, p + off + 3);
    int lead = sp ? c : -1;
    if (q1 == '"' && q2 == '\'' && ty_word(w))
      return ty_set(r, off + 2, lead, TY_LDQ TY_LSQ);
    if (q1 == '\'' && q2 == '"' && ty_word(w))
      return ty_set(r, off + 2, lead, TY_LSQ TY_LDQ);
    if (q1 == '\'' && ty_digit(q2) && ty_digit(w) && w2 == 's')
      return ty_set(r, off + 1, lead, TY_RSQ);
  }
  if (sp && ty_quote(c1) && ty_word(c2)) /* (\s)("|')(?=\w) */
    return ty_set(r, 2, c, ty_lq(c1));
  if (ty_sq_close(c) && ty_quote(c1)) /* (SQ_CLOSE)("|') */
    return ty_set(r, 2, c, ty_rq(c1));
  if (quote && (c1 < 0 || ty_space(c1) || (c1 == 's' && !ty_word(c2))))
    return ty_set(r, 1, -1, ty_rq(c));
  if (c1 == '\'')
    return ty_set(r, 2, c, TY_LSQ);
  if (c == '\'')
    return ty_set(r, 1, -1, TY_LSQ);
  if (c1 == '"')
    return ty_set(r, 2, c, TY_LDQ);
  if (c == '"')
    return ty_set(r, 1, -1, TY_LDQ);
  return 0;
}

/* A symbol (`---`, `--`, `...`, guillemets) or a quote rule at p <= n (typographic_at of the
 * Lua): the characters matched (0: none), the replacement in r. */
static size_t ty_typographic_at(const ty_text *t, size_t p, ty_rep *r)
{
  static const struct { const char *from, *to; } guillemets[] = {
    { "<< ", "\xC2\xAB\xC2\xA0" }, { " >>", "\xC2\xA0\xC2\xBB" }, { "<<", "\xC2\xAB" }, { ">>", "\xC2\xBB" },
  };
  size_t n = t->n;
  int b = ty_at(t, p), b1 = ty_at(t, p + 1), b2 = ty_at(t, p + 2);
  if (b == '-' && b1 == '-') {
    if (p + 2 <= n && b2 == '-')
      return ty_set(r, 3, -1, "\xE2\x80\x94"); /* — */
    if (p + 1 <= n)
      return ty_set(r, 2, -1, "\xE2\x80\x93"); /* – */
  } else if (b == '.' && b1 == '.' && p + 2 <= n && b2 == '.') {
    return ty_set(r, 3, -1, "\xE2\x80\xA6"); /* … */
  } else if (b == '<' || b == '>' || (b == ' ' && b1 == '>')) {
    for (size_t i = 0; i < sizeof guillemets / sizeof guillemets[0]; i++) {
      size_t len = strlen(guillemets[i].from);
      if (p + len - 1 <= n && memcmp(t->s + p - 1, guillemets[i].from, len) == 0)
        return ty_set(r, len, -1, guillemets[i].to);
    }
  }
  if (ty_quote(b1) && ty_letter(b)) /* a letter, a quote: only (SQ_CLOSE)("|') can match */
    return p + 1 <= n ? ty_set(r, 2, b, ty_rq(b1)) : 0;
  if (ty_quote(b) || ty_quote(b1)) {
    size_t len = ty_quote_rule(t, p, b, b1, b2, r);
    if (len && p + len - 1 <= n)
      return len;
  }
  return 0;
}

/* The first place at or after p where a rule may match: a quote, `--`, `...`, or two of `<>`,
 * all inside the run; n + 1 when there is none. */
static size_t ty_candidate(const ty_text *t, size_t p)
{
  const unsigned char *s = t->s;
  size_t n = t->n;
  for (size_t k = p; k <= n; k++) {
    int c = s[k - 1];
    if (!(TY_BYTES[c] & TY_RULE))
      continue;
    if (c == '\'' || c == '"')
      return k;
    if (c == '-' && k + 1 <= n && s[k] == '-')
      return k;
    if (c == '.' && k + 2 <= n && s[k] == '.' && s[k + 1] == '.')
      return k;
    if ((c == '<' || c == '>') && k + 1 <= n && (s[k] == '<' || s[k] == '>'))
      return k;
  }
  return n + 1;
}

/* Adds s[0..len) to b with `<`, `>` and `"` as entities (the run goes back into HTML). */
static void ty_add_escaped(luaL_Buffer *b, const char *s, size_t len)
{
  size_t from = 0;
  for (size_t i = 0; i < len; i++) {
    const char *ent = s[i] == '<' ? "&lt;" : s[i] == '>' ? "&gt;" : s[i] == '"' ? "&quot;" : NULL;
    if (ent) {
      luaL_addlstring(b, s + from, i - from);
      luaL_addstring(b, ent);
      from = i + 1;
    }
  }
  luaL_addlstring(b, s + from, len - from);
}

/* Where a run's typography goes: the buffer, and what must go before the first replacement
 * (the page's unchanged HTML before the run), added only once the run changes. */
typedef struct {
  luaL_Buffer *b;
  const char *prefix;
  size_t nprefix;
  int changed;
} ty_out;

/* Adds the run's bytes [copied, p) (1-based) and a replacement to o. */
static void ty_emit(ty_out *o, const ty_text *t, size_t copied, size_t p, const ty_rep *r)
{
  if (!o->changed) {
    luaL_addlstring(o->b, o->prefix, o->nprefix);
    o->changed = 1;
  }
  if (p > copied)
    ty_add_escaped(o->b, (const char *)t->s + copied - 1, p - copied);
  ty_add_escaped(o->b, r->lead, r->nlead);
  luaL_addstring(o->b, r->rep); /* (curly quotes, dashes, guillemets: nothing to escape) */
}

/* The typography of the run t (the rules of l_typography_run below) added to o, escaped, after
 * o's prefix; nothing added when no rule changes the run. Whether it changed. */
static int ty_typeset(ty_out *o, const ty_text *t)
{
  size_t n = t->n;
  size_t q = ty_candidate(t, 1);
  size_t copied = 1, p = 1; /* the run's bytes from `copied` are not in `o` yet */
  while (q <= n) {
    if (q > p + 1)
      p = q - 1;
    ty_rep r;
    int b = p < q && ty_quote(t->s[q - 1]) ? t->s[p - 1] : -1;
    if (b >= 0 && ty_letter(b)) { /* the usual case (`it's`), as ty_typographic_at answers it */
      ty_set(&r, 2, b, ty_rq(t->s[q - 1]));
      ty_emit(o, t, copied, p, &r);
      p = q + 1;
      copied = p;
    } else {
      for (; p <= q; p++) {
        size_t len = ty_typographic_at(t, p, &r);
        if (len) {
          ty_emit(o, t, copied, p, &r);
          p += len;
          copied = p;
          break;
        }
      }
    }
    if (p > n)
      break;
    q = ty_candidate(t, p);
  }
  if (o->changed && copied <= n)
    ty_add_escaped(o->b, (const char *)t->s + copied - 1, n + 1 - copied);
  return o->changed;
}

/* Copies html[i..j) to dst with `&quot;`, `&lt;` and `&gt;` decoded (the Lua's decoded()):
 * the bytes written, at most j - i. */
static size_t ty_decode(char *dst, const char *html, size_t i, size_t j)
{
  size_t w = 0;
  while (i < j) {
    const char *amp = memchr(html + i, '&', j - i);
    size_t k = amp ? (size_t)(amp - html) : j; /* html[i, k) is copied as it is */
    memcpy(dst + w, html + i, k - i);
    w += k - i;
    if (k == j)
      break;
    size_t left = j - k, len = 1;
    char c = '&';
    if (left >= 6 && memcmp(amp, "&quot;", 6) == 0) c = '"', len = 6;
    else if (left >= 4 && memcmp(amp, "&lt;", 4) == 0) c = '<', len = 4;
    else if (left >= 4 && memcmp(amp, "&gt;", 4) == 0) c = '>', len = 4;
    dst[w++] = c;
    i = k + len;
  }
  return w;
}

/* folio.typography_run(html, i, j, after) -> string or nil: kramdown's typography on the run
 * html[i..j] (1-based, inclusive), the same as kramdown_tree.lua's Lua path (its fallback and
 * reference): the run with `&quot;`, `&lt;`, `&gt;` decoded, read with `after` (the Markdown
 * after it) following, changed by these rules, and `<`, `>`, `"` made entities again; nil when
 * no rule changed it.
 *   The rules are tried at the place before each candidate (a quote, `--`, `...`, two of `<>`)
 * and at the candidate, leftmost first, and the text after a replacement is read on from its
 * end: `---` is an em dash, `--` an en dash, `...` an ellipsis (all inside the run); `<< `,
 * ` >>`, `<<`, `>>` guillemets (with a no-break space for the space). A letter, digit or
 * UTF-8 byte before a quote closes it. Otherwise kramdown's SQ_RULES, in this order: a quote
 * before `_`/`*` and a non-space opens; before punctuation (not `..`) and no word character
 * closes; `"'` and `'"` before a word character (after an optional space) open both; `'` before
 * two digits and `s` (`'80s`) is an apostrophe; a space, a quote and a word character: opens;
 * a byte other than a space, `\`, `[`, `{`, `(`, `-` and a quote: closes; a quote at the end,
 * before a space or before `s` and no word character: closes; any other quote opens. A rule
 * matches only when its characters are all inside the run (what follows is only looked at).
 * [-4, +1, m] */
static int l_typography_run(lua_State *L)
{
  size_t nh, na;
  const char *html = luaL_checklstring(L, 1, &nh);
  lua_Integer i = luaL_checkinteger(L, 2), j = luaL_checkinteger(L, 3);
  const char *after = luaL_checklstring(L, 4, &na);
  luaL_argcheck(L, i >= 1 && (lua_Unsigned)i <= (lua_Unsigned)nh + 1, 2, "out of range");
  luaL_argcheck(L, j >= i - 1 && (lua_Unsigned)j <= (lua_Unsigned)nh, 3, "out of range");
  size_t len = (size_t)(j - i + 1);
  if (na > SIZE_MAX - len)
    return luaL_error(L, "typography_run: text too long");
  char *s = lua_newuserdatauv(L, len + na + 1, 0); /* the decoded run, then `after` */
  size_t n = ty_decode(s, html, (size_t)i - 1, (size_t)j);
  memcpy(s + n, after, na);
  ty_text t = { (const unsigned char *)s, n, n + na };
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  ty_out o = { &b, NULL, 0, 0 };
  if (ty_typeset(&o, &t))
    luaL_pushresult(&b);
  else
    lua_pushnil(L);
  return 1;
}

/* ---- folio.typography_html: the Lua typography_html of kramdown_tree.lua, byte for byte ---- */

/* Each next text run of a page, as folio.text_runs finds them on ">" .. html: what follows a
 * `>` (or the page's start) up to the next `<`, non-empty and with a candidate. */
typedef struct {
  const char *s;
  size_t n;
  size_t from; /* where the next run may start (0-based), or n + 1 when there is none */
} ty_runs;

/* The next run, html[*i, *j) (0-based), or 0. */
static int ty_next_run(ty_runs *r, size_t *i, size_t *j)
{
  while (r->from < r->n) {
    size_t start = r->from;
    const char *lt = memchr(r->s + start, '<', r->n - start);
    size_t end = lt ? (size_t)(lt - r->s) : r->n;
    const char *gt = end < r->n ? memchr(r->s + end, '>', r->n - end) : NULL;
    r->from = gt ? (size_t)(gt - r->s) + 1 : r->n + 1;
    if (end > start && S_candidate(r->s, start, end - 1)) {
      *i = start, *j = end;
      return 1;
    }
  }
  return 0;
}

/* The raw regions' openers (the last a comment) and closers. */
typedef struct { const char *s; size_t len; } ty_lit;
#define TY_LIT(x) { x, sizeof x - 1 }
static const ty_lit TY_OPENERS[] = {
  TY_LIT("<code"), TY_LIT("<pre"), TY_LIT("<script"), TY_LIT("<style"), TY_LIT("<textarea"), TY_LIT("<!--"),
};
static const ty_lit TY_CLOSERS[] = {
  TY_LIT("</code"), TY_LIT("</pre"), TY_LIT("</script"), TY_LIT("</style"), TY_LIT("</textarea"),
};
#define TY_NOPENERS 6

/* The first of `what` (len bytes) in s[from, n), 0-based, or n when there is none. */
static size_t ty_find(const char *s, size_t n, size_t from, const char *what, size_t len)
{
  while (from < n) {
    const char *at = memchr(s + from, what[0], n - from);
    if (!at)
      return n;
    size_t k = (size_t)(at - s);
    if (n - k < len)
      return n;
    if (memcmp(at, what, len) == 0)
      return k;
    from = k + 1;
  }
  return n;
}

/* The first raw region's opener at or after from (0-based; n: none), its index in TY_OPENERS in
 * *which: a whole tag name (followed by a space, `>` or `/`), or a comment as it is. */
static size_t ty_next_raw(const char *s, size_t n, size_t from, int *which)
{
  for (const char *lt; from < n && (lt = memchr(s + from, '<', n - from)) != NULL;) {
    size_t at = (size_t)(lt - s), left = n - at;
    for (int i = 0; i < TY_NOPENERS; i++) {
      const char *op = TY_OPENERS[i].s;
      size_t len = TY_OPENERS[i].len;
      if (left < len || lt[1] != op[1] || memcmp(lt, op, len) != 0)
        continue;
      if (i == TY_NOPENERS - 1 || (left > len && (ty_space((unsigned char)lt[len]) || lt[len] == '>' || lt[len] == '/'))) {
        *which = i;
        return at;
      }
    }
    from = at + 1;
  }
  *which = -1;
  return n;
}

/* The end (0-based, one past) of the raw region opened by `which` at start; n when unclosed:
 * the comment's `-->`, or the first `</name` followed by spaces and `>`. */
static size_t ty_raw_end(const char *s, size_t n, size_t start, int which)
{
  if (which == TY_NOPENERS - 1) {
    size_t at = ty_find(s, n, start + 4, "-->", 3); /* (not `<!-->`) */
    return at < n ? at + 3 : n;
  }
  const char *cl = TY_CLOSERS[which].s;
  size_t len = TY_CLOSERS[which].len;
  for (size_t at = ty_find(s, n, start, cl, len); at < n; at = ty_find(s, n, at + 1, cl, len)) {
    size_t e = at + len;
    while (e < n && ty_space((unsigned char)s[e]))
      e++;
    if (e < n && s[e] == '>')
      return e + 1;
  }
  return n;
}

/* What follows a run that ends before the `<` at lt (0-based), read as Markdown, written to dst
 * (room for 2 + n - lt bytes): `*`, `**`, `[` and the decoded text after an opening em, strong
 * or link (up to the next `<`, and not past bound, 0-based one past); `` ` ``, `![`, a newline
 * or `~~` for code, img, br, del; for a closing tag, what closes it in Markdown (nothing for a
 * block's end); `<` for any other tag. The bytes written. (html_after of the Lua.) */
static size_t ty_after(char *dst, const char *s, size_t n, size_t lt, size_t bound)
{
  static const struct { const char *name, *md; } opens[] = {
    { "em", "*" }, { "i", "*" }, { "strong", "**" }, { "b", "**" }, { "a", "[" }, { "code", "`" },
    { "img", "![" }, { "br", "\n" }, { "del", "~~" },
  };
  static const struct { const char *name, *md; } closes[] = {
    { "em", "*" }, { "i", "*" }, { "strong", "**" }, { "b", "**" }, { "a", "]" }, { "del", "~~" },
    { "span", "<" }, { "sup", "<" }, { "sub", "<" }, { "kbd", "<" }, { "abbr", "<" }, { "cite", "<" },
    { "q", "<" }, { "small", "<" }, { "s", "<" }, { "u", "<" }, { "mark", "<" },
  };
  size_t k = lt + 1;
  int slash = k < n && s[k] == '/';
  k += (size_t)slash;
  size_t name = k;
  while (k < n && ty_alnum((unsigned char)s[k]))
    k++;
  size_t len = k - name;
  if (len == 0 || (len > 6 && !slash)) { /* (no name, or longer than "strong", the longest) */
    dst[0] = '<';
    return 1;
  }
  if (len > 6)
    return 0;
  char lower[7];
  for (size_t c = 0; c < len; c++) {
    char ch = s[name + c];
    lower[c] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
  }
  lower[len] = '\0';
  if (slash) {
    for (size_t c = 0; c < sizeof closes / sizeof closes[0]; c++) {
      if (strcmp(lower, closes[c].name) == 0) {
        size_t m = strlen(closes[c].md);
        memcpy(dst, closes[c].md, m);
        return m;
      }
    }
    return 0;
  }
  const char *md = NULL;
  for (size_t c = 0; c < sizeof opens / sizeof opens[0] && !md; c++)
    if (strcmp(lower, opens[c].name) == 0)
      md = opens[c].md;
  if (!md) {
    dst[0] = '<';
    return 1;
  }
  size_t m = strlen(md);
  memcpy(dst, md, m);
  if (md[0] != '*' && md[0] != '[')
    return m;
  const char *gt = memchr(s + lt, '>', n - lt); /* the tag's end, then its text up to a `<` */
  if (!gt || (size_t)(gt - s) >= bound)
    return m;
  size_t from = (size_t)(gt - s) + 1;
  const char *next = from < n ? memchr(s + from, '<', n - from) : NULL;
  size_t to = next ? (size_t)(next - s) : n;
  if (to > bound)
    to = bound;
  return m + (to > from ? ty_decode(dst + m, s, from, to) : 0);
}

/* folio.typography_html(html) -> string: kramdown's typography on a page's HTML, the same as
 * kramdown_tree.lua's typography_html (its Lua fallback and reference, whose comment tells the
 * rules): each text run outside code, pre, script, style, textarea and comments changed by the
 * rules of folio.typography_run, with what follows it read from the tag after it (no further
 * than 80 bytes past the raw region that ends its segment). html itself when nothing changed.
 * [-1, +1, m] */
static int l_typography_html(lua_State *L)
{
  size_t n;
  const char *html = luaL_checklstring(L, 1, &n);
  if (n == 0 || !S_candidate(html, 0, n - 1)) {
    lua_settop(L, 1);
    return 1;
  }
  if (n > (SIZE_MAX - 8) / 2)
    return luaL_error(L, "typography_html: page too long");
  char *text = lua_newuserdatauv(L, 2 * n + 8, 0); /* a run decoded, then what follows it */
  ty_runs runs = { html, n, 0 };
  size_t a, b; /* the current run, html[a, b) (0-based) */
  int more = ty_next_run(&runs, &a, &b);
  if (!more) {
    lua_settop(L, 1);
    return 1;
  }
  luaL_Buffer out;
  luaL_buffinit(L, &out);
  size_t copied = 0, pos = 0; /* html[copied..] is not in `out` yet; pos: the segment's start */
  while (more) {
    int which;
    size_t start = ty_next_raw(html, n, pos, &which), stop = start;
    size_t bound = which >= 0 && stop + 81 < n ? stop + 81 : n; /* (80 bytes past the opener's `<`) */
    for (; more && a < stop; more = ty_next_run(&runs, &a, &b)) {
      if (b <= pos || (a < pos && !S_candidate(html, pos, b - 1)))
        continue;
      size_t ra = a < pos ? pos : a;
      size_t len = ty_decode(text, html, ra, b);
      size_t na = b < n ? ty_after(text + len, html, n, b, bound) : 0;
      ty_text t = { (const unsigned char *)text, len, len + na };
      ty_out o = { &out, html + copied, ra - copied, 0 };
      if (ty_typeset(&o, &t))
        copied = b;
    }
    if (which < 0)
      break;
    pos = ty_raw_end(html, n, start, which);
  }
  if (copied == 0) {
    lua_settop(L, 1);
    return 1;
  }
  luaL_addlstring(&out, html + copied, n - copied);
  luaL_pushresult(&out);
  return 1;
}

/* folio.text_lines(s) -> { line, ... }: the lines of s without their "\n", as
 * (s .. "\n"):gmatch("(.-)\n") gives them (no "\n" added when s ends with one). [-1, +1, m] */
static int l_text_lines(lua_State *L)
{
  size_t n;
  const char *s = luaL_checklstring(L, 1, &n);
  lua_newtable(L);
  lua_Integer count = 0;
  size_t pos = 0;
  if (n == 0) { /* "" is one empty line, as "\n" is */
    lua_pushliteral(L, "");
    lua_rawseti(L, -2, ++count);
  }
  while (pos < n) {
    const char *nl = memchr(s + pos, '\n', n - pos);
    size_t end = nl ? (size_t)(nl - s) : n;
    lua_pushlstring(L, s + pos, end - pos);
    lua_rawseti(L, -2, ++count);
    pos = end + 1;
  }
  return 1;
}

/* Whether the bytes before s[at] on its line are at most `max` (SIZE_MAX: any number) of the
 * bytes `lead` allows: then s[at] starts the line as "^LEAD*" would. */
static int S_led_by(const char *s, size_t at, const char *lead, size_t max)
{
  size_t count = 0;
  while (at > 0 && s[at - 1] != '\n') {
    if (strchr(lead, s[at - 1]) == NULL || s[at - 1] == '\0' || ++count > max)
      return 0;
    at--;
  }
  return 1;
}

static int S_is_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); } /* %s */
static int S_is_alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; } /* %a */

/* The line tests at one occurrence s[at] of their byte: */
static int S_definition_at(const char *s, size_t n, size_t at) /* "[ \t>]*:%s..." */
{
  return at + 1 < n && S_is_space((unsigned char)s[at + 1]) && S_led_by(s, at, " \t>", SIZE_MAX);
}

static int S_html_block_at(const char *s, size_t n, size_t at) /* " ? ? ?<%a..." */
{
  return at + 1 < n && S_is_alpha((unsigned char)s[at + 1]) && S_led_by(s, at, " ", 3);
}

static int S_paren_item_at(const char *s, size_t n, size_t at) /* " ? ? ?%d+%)..." */
{
  (void)n;
  size_t j = at;
  while (j > 0 && s[j - 1] >= '0' && s[j - 1] <= '9')
    j--;
  return j < at && S_led_by(s, j, " ", 3);
}

/* Whether some occurrence of `c` in s[0..n) passes `fits`. */
static int S_any_at(const char *s, size_t n, char c, int (*fits)(const char *, size_t, size_t))
{
  for (const char *p = memchr(s, c, n); p; p = memchr(p + 1, c, n - (size_t)(p + 1 - s))) {
    if (fits(s, n, (size_t)(p - s)))
      return 1;
    if (p + 1 == s + n)
      break;
  }
  return 0;
}

/* "definition": a line "[ \t>]*:%s..." (a definition's `: `, also in block quotes);
 * "html_block": " ? ? ?<%a..." (a line that opens an HTML block);
 * "paren_item": " ? ? ?%d+%)..." (a numbered item with a parenthesis). -1: another kind. */
static int S_line_start(const char *s, size_t n, const char *kind)
{
  if (strcmp(kind, "definition") == 0)
    return S_any_at(s, n, ':', S_definition_at);
  if (strcmp(kind, "html_block") == 0)
    return S_any_at(s, n, '<', S_html_block_at);
  if (strcmp(kind, "paren_item") == 0)
    return S_any_at(s, n, ')', S_paren_item_at);
  return -1;
}

/* folio.text_line_start(s, kind) -> boolean (kinds above). [-2, +1, e] */
static int l_text_line_start(lua_State *L)
{
  size_t n;
  const char *s = luaL_checklstring(L, 1, &n);
  const char *kind = luaL_checkstring(L, 2);
  int found = S_line_start(s, n, kind);
  if (found < 0)
    return luaL_error(L, "folio.text_line_start: unknown kind '%s' (definition, html_block or paren_item)", kind);
  lua_pushboolean(L, found);
  return 1;
}

void lx_open_text(lua_State *L, int folio)
{
  lua_pushcfunction(L, l_text_line_start);
  lua_setfield(L, folio, "text_line_start");
  lua_pushcfunction(L, l_text_runs);
  lua_setfield(L, folio, "text_runs");
  lua_pushcfunction(L, l_typography_run);
  lua_setfield(L, folio, "typography_run");
  lua_pushcfunction(L, l_typography_html);
  lua_setfield(L, folio, "typography_html");
  lua_pushcfunction(L, l_text_lines);
  lua_setfield(L, folio, "text_lines");
}

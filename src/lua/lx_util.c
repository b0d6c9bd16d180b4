/* lx_util.c: small helpers every template and hook uses, written in C because they run for
 * every page or every value a template prints: folio.escape (HTML escaping), folio.slugify,
 * folio.count_words, folio.html_text, folio.json_string and folio.embedded (read files built into
 * the binary), folio.related / folio.related_pack (the ranking of scripts/related.lua) and
 * folio.heading_id (the anchors plugin's heading ids), folio.collapse_space (the summary
 * plugin's plain text), folio.same_items, folio.count_keys, folio.pages_holding and folio.lists_holding (questions
 * the incremental site hooks and the preview ask of lists of pages), folio.newest_time and
 * folio.ordered_by (the sitemap's lastmod of a list, its elements in URL order) and
 * folio.new_table (a table made at its size). */
#include "lua/lx.h"
#include "core/embedded.h"
#include "core/heading_id.h"
#include "core/html_text.h"
#include "core/related.h"
#include "core/slug.h"
#include "core/utf8.h"
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Eight bytes at a time (a word read with memcpy): whether any byte of x is below n (n <= 128)
 * or equals b. Exact as yes/no answers, which is all the scanner below asks. */
#define S_ONES UINT64_C(0x0101010101010101)
#define S_HIGHS UINT64_C(0x8080808080808080)
static inline uint64_t S_has_less(uint64_t x, unsigned n) { return (x - S_ONES * n) & ~x & S_HIGHS; }
static inline uint64_t S_has_byte(uint64_t x, unsigned char b) { return S_has_less(x ^ (S_ONES * b), 1); }

/* Whether optional argument `arg` was given: a table (nil or none: not given; anything else
 * raises the usual argument error). */
static int S_opt_table(lua_State *L, int arg)
{
  if (lua_isnoneornil(L, arg))
    return 0;
  luaL_checktype(L, arg, LUA_TTABLE);
  return 1;
}

/* The five characters folio.escape replaces, with their entities (NULL: kept as it is). */
static const char *const S_html_entity[256] = {
    ['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&#39;",
};
static const unsigned char S_html_entity_extra[256] = {
    ['&'] = 4, ['<'] = 3, ['>'] = 3, ['"'] = 5, ['\''] = 4,
};

/* folio.escape(v) -> string. nil gives "", other non-strings go through tostring. The size of
 * the result is counted first, so it is written in one buffer of the right size. (HTML has a
 * character to escape every few bytes: byte loops beat word-at-a-time scans here.) */
static int l_escape(lua_State *L)
{
  if (lua_isnoneornil(L, 1)) {
    lua_pushliteral(L, "");
    return 1;
  }
  lua_settop(L, 1);
  size_t len;
  /* strings (nearly every call) skip luaL_tolstring's look for a __tostring metamethod */
  const char *s = lua_type(L, 1) == LUA_TSTRING ? lua_tolstring(L, 1, &len) : luaL_tolstring(L, 1, &len);
  size_t first = strcspn(s, "&<>\"'");
  if (first == len) /* nothing to escape: return the string itself */
    return 1;
  size_t size = len;
  for (size_t i = first; i < len; i++)
    size += S_html_entity_extra[(unsigned char)s[i]];
  if (size == len) /* a NUL byte stopped strcspn, and nothing after it needs escaping */
    return 1;
  luaL_Buffer b;
  char *out = luaL_buffinitsize(L, &b, size);
  memcpy(out, s, first);
  char *o = out + first;
  for (size_t i = first; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    const char *entity = S_html_entity[c];
    if (entity == NULL) {
      *o++ = (char)c;
    } else {
      size_t n = S_html_entity_extra[c] + 1u;
      memcpy(o, entity, n);
      o += n;
    }
  }
  luaL_pushresultsize(&b, size);
  return 1;
}

/* folio.slugify(v) -> string (core/slug.h). nil gives "", other non-strings go through tostring.
 * [-1, +1, m] */
static int l_slugify(lua_State *L)
{
  if (lua_isnoneornil(L, 1)) {
    lua_pushliteral(L, "");
    return 1;
  }
  size_t len;
  const char *s = luaL_tolstring(L, 1, &len);
  luaL_Buffer b;
  char *out = luaL_buffinitsize(L, &b, len + 1);
  luaL_pushresultsize(&b, folio_slugify(s, len, out));
  return 1;
}

static const char HTML_TEXT_LAST_KEY = 'h'; /* registry: { html, text, words } of the last call */

/* Pushes the text and word count of the last call if it was for the same string. [-0, +0|2, -] */
static int S_html_text_remembered(lua_State *L)
{
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &HTML_TEXT_LAST_KEY) != LUA_TTABLE) {
    lua_pop(L, 1);
    return 0;
  }
  lua_rawgeti(L, -1, 1);
  int same = lua_rawequal(L, -1, 1); /* the same string object compares by address */
  lua_pop(L, 1);
  if (!same) {
    lua_pop(L, 1);
    return 0;
  }
  lua_rawgeti(L, -1, 2);
  lua_rawgeti(L, -2, 3);
  lua_remove(L, -3);
  return 1;
}

/* Remembers html (index 1) -> the text and count on top of the stack. [-0, +0, m] */
static void S_html_text_remember(lua_State *L)
{
  lua_createtable(L, 3, 0);
  lua_pushvalue(L, 1);
  lua_rawseti(L, -2, 1);
  lua_pushvalue(L, -3);
  lua_rawseti(L, -2, 2);
  lua_pushvalue(L, -2);
  lua_rawseti(L, -2, 3);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &HTML_TEXT_LAST_KEY);
}

/* folio.html_text(html) -> the plain text of an HTML fragment (core/html_text.h), and its number
 * of words: runs of characters other than white space. The last result is remembered: the summary
 * and search plugins, which both want the text of a page's final HTML, share one pass over it.
 * [-1, +2, m] */
static int l_html_text(lua_State *L)
{
  size_t len;
  const char *html = luaL_checklstring(L, 1, &len);
  lua_settop(L, 1);
  if (S_html_text_remembered(L))
    return 2;
  luaL_Buffer b;
  char *out = luaL_buffinitsize(L, &b, len + 1);
  char *scratch = malloc(len + 1);
  if (scratch == NULL)
    return luaL_error(L, "not enough memory for html_text");
  size_t n = folio_html_text(html, len, out, scratch);
  free(scratch);
  lua_Integer words = (lua_Integer)folio_count_runs(out, n);
  luaL_pushresultsize(&b, n);
  lua_pushinteger(L, words);
  if (len >= 256) /* short fragments (a summary) are cheaper to redo than to remember */
    S_html_text_remember(L);
  return 2;
}

/* How many bytes a JSON string literal spends on each byte: 1, 2 for \" \\ \n \t \r, 6 for the
 * other control characters and DEL (\u00XX). */
static const unsigned char S_json_width[256] = {
    6, 6, 6, 6, 6, 6, 6, 6, 6, 2, 2, 6, 6, 2, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
    1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 6,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* Where the next byte a JSON string literal escapes is, at or after i (len when none). */
static size_t S_json_plain_run(const char *s, size_t i, size_t len)
{
  for (; i + 8 <= len; i += 8) {
    uint64_t x;
    memcpy(&x, s + i, 8);
    if (S_has_less(x, 0x20) | S_has_byte(x, '"') | S_has_byte(x, '\\') | S_has_byte(x, 0x7F))
      break;
  }
  while (i < len && S_json_width[(unsigned char)s[i]] == 1)
    i++;
  return i;
}

/* folio.json_string(s) -> s as a JSON string literal: " \\ and control characters escaped
 * (\n \t \r, the others and DEL as \u00XX), everything else as it is. Sized first, then written
 * into one buffer. [-1, +1, m] */
static int l_json_string(lua_State *L)
{
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  size_t first = S_json_plain_run(s, 0, len);
  size_t size = len + 2;
  for (size_t i = first; i < len; i = S_json_plain_run(s, i + 1, len))
    size += S_json_width[(unsigned char)s[i]] - 1u;
  luaL_Buffer b;
  char *o = luaL_buffinitsize(L, &b, size);
  *o++ = '"';
  static const char hex[] = "0123456789abcdef";
  for (size_t start = 0, i = first; start < len; i = S_json_plain_run(s, start, len)) {
    memcpy(o, s + start, i - start);
    o += i - start;
    if (i == len)
      break;
    unsigned char c = (unsigned char)s[i];
    if (S_json_width[c] == 2) {
      *o++ = '\\';
      *o++ = c == '\n' ? 'n' : c == '\t' ? 't' : c == '\r' ? 'r' : (char)c;
    } else {
      memcpy(o, "\\u00", 4);
      o[4] = hex[c >> 4];
      o[5] = hex[c & 15];
      o += 6;
    }
    start = i + 1;
  }
  *o = '"';
  luaL_pushresultsize(&b, size);
  return 1;
}

/* folio.embedded.read(path) -> string | nil */
static int l_embedded_read(lua_State *L)
{
  const folio_embedded_file *f = folio_embedded_find(luaL_checkstring(L, 1));
  if (f == NULL)
    return 0;
  lua_pushlstring(L, (const char *)f->data, f->size);
  return 1;
}

/* folio.embedded.list(prefix) -> sorted list of paths starting with prefix */
static int l_embedded_list(lua_State *L)
{
  size_t plen;
  const char *prefix = luaL_optlstring(L, 1, "", &plen);
  lua_newtable(L);
  lua_Integer n = 0;
  for (size_t i = 0; i < folio_embedded_count; i++)
    if (strncmp(folio_embedded_files[i].path, prefix, plen) == 0) {
      lua_pushstring(L, folio_embedded_files[i].path);
      lua_rawseti(L, -2, ++n);
    }
  lua_getglobal(L, "table");
  lua_getfield(L, -1, "sort");
  lua_pushvalue(L, -3);
  lua_call(L, 1, 0);
  lua_pop(L, 1);
  return 1;
}

/* folio.register_metatable(name, mt): lets tables with this metatable keep it when they are
 * copied to another worker's state (see lx_copy_value). [-2, +0, -] */
static int l_register_metatable(lua_State *L)
{
  const char *name = luaL_checkstring(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  lx_register_metatable(L, name);
  return 0;
}

/* folio.count_words(text) -> n: runs of letters, digits and non-ASCII bytes, with ' and -
 * allowed inside a word ("it's", "café-day" are one word each). [-1, +1, -] */
static int l_count_words(lua_State *L)
{
  /* 1: a word byte (letter, digit, any non-ASCII byte); 2: ' or -, which may join two words. */
  static const unsigned char kind[256] = {
    ['\''] = 2, ['-'] = 2,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1,
    ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
    ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1,
    ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
    ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
    [0x80] = 1, [0x81] = 1, [0x82] = 1, [0x83] = 1, [0x84] = 1, [0x85] = 1, [0x86] = 1, [0x87] = 1,
    [0x88] = 1, [0x89] = 1, [0x8A] = 1, [0x8B] = 1, [0x8C] = 1, [0x8D] = 1, [0x8E] = 1, [0x8F] = 1,
    [0x90] = 1, [0x91] = 1, [0x92] = 1, [0x93] = 1, [0x94] = 1, [0x95] = 1, [0x96] = 1, [0x97] = 1,
    [0x98] = 1, [0x99] = 1, [0x9A] = 1, [0x9B] = 1, [0x9C] = 1, [0x9D] = 1, [0x9E] = 1, [0x9F] = 1,
    [0xA0] = 1, [0xA1] = 1, [0xA2] = 1, [0xA3] = 1, [0xA4] = 1, [0xA5] = 1, [0xA6] = 1, [0xA7] = 1,
    [0xA8] = 1, [0xA9] = 1, [0xAA] = 1, [0xAB] = 1, [0xAC] = 1, [0xAD] = 1, [0xAE] = 1, [0xAF] = 1,
    [0xB0] = 1, [0xB1] = 1, [0xB2] = 1, [0xB3] = 1, [0xB4] = 1, [0xB5] = 1, [0xB6] = 1, [0xB7] = 1,
    [0xB8] = 1, [0xB9] = 1, [0xBA] = 1, [0xBB] = 1, [0xBC] = 1, [0xBD] = 1, [0xBE] = 1, [0xBF] = 1,
    [0xC0] = 1, [0xC1] = 1, [0xC2] = 1, [0xC3] = 1, [0xC4] = 1, [0xC5] = 1, [0xC6] = 1, [0xC7] = 1,
    [0xC8] = 1, [0xC9] = 1, [0xCA] = 1, [0xCB] = 1, [0xCC] = 1, [0xCD] = 1, [0xCE] = 1, [0xCF] = 1,
    [0xD0] = 1, [0xD1] = 1, [0xD2] = 1, [0xD3] = 1, [0xD4] = 1, [0xD5] = 1, [0xD6] = 1, [0xD7] = 1,
    [0xD8] = 1, [0xD9] = 1, [0xDA] = 1, [0xDB] = 1, [0xDC] = 1, [0xDD] = 1, [0xDE] = 1, [0xDF] = 1,
    [0xE0] = 1, [0xE1] = 1, [0xE2] = 1, [0xE3] = 1, [0xE4] = 1, [0xE5] = 1, [0xE6] = 1, [0xE7] = 1,
    [0xE8] = 1, [0xE9] = 1, [0xEA] = 1, [0xEB] = 1, [0xEC] = 1, [0xED] = 1, [0xEE] = 1, [0xEF] = 1,
    [0xF0] = 1, [0xF1] = 1, [0xF2] = 1, [0xF3] = 1, [0xF4] = 1, [0xF5] = 1, [0xF6] = 1, [0xF7] = 1,
    [0xF8] = 1, [0xF9] = 1, [0xFA] = 1, [0xFB] = 1, [0xFC] = 1, [0xFD] = 1, [0xFE] = 1, [0xFF] = 1,
  };
  size_t len;
  const unsigned char *s = (const unsigned char *)luaL_checklstring(L, 1, &len);
  /* A word starts at a word byte whose last byte other than ' and - is not a word byte (or
   * that has none): ' and - join the bytes around them (a run of them joins it to the word
   * after it, and ends the word at a byte of neither kind). One pass without branches: `last`
   * is 1 after a word byte, 0 after any other byte but ' and -, which keep it. */
  lua_Integer words = 0;
  unsigned last = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned k = kind[s[i]];
    words += k & ~last & 1u;
    last = (last & (k >> 1)) | (k & 1u);
  }
  lua_pushinteger(L, words);
  return 1;
}

/* folio.related_pack(ranks) -> string: a list of post ranks (ascending integers from 1) packed
 * for folio.related. [-1, +1, m] */
static int l_related_pack(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_Integer len = luaL_len(L, 1);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (lua_Integer i = 1; i <= len; i++) {
    lua_rawgeti(L, 1, i);
    int ok;
    lua_Integer r = lua_tointegerx(L, -1, &ok);
    lua_pop(L, 1);
    if (!ok || r < 1 || r >= (lua_Integer)UINT32_MAX)
      return luaL_error(L, "folio.related_pack: entry %d is not a rank (an integer from 1)", (int)i);
    uint32_t v = (uint32_t)r;
    luaL_addlstring(&b, (const char *)&v, sizeof v);
  }
  luaL_pushresult(&b);
  return 1;
}

/* folio.related(lists, n, self) -> ranks, visited: the ranks of the n best posts over `lists` (an
 * array of folio.related_pack strings, one per term of the page; core/related.h has the ranking),
 * best first, never `self` (a rank, or nil); and how many posts the walk visited. [-3, +2, m] */
static int l_related(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_Integer n = luaL_checkinteger(L, 2);
  lua_Integer self = luaL_optinteger(L, 3, 0);
  size_t k = (size_t)luaL_len(L, 1);
  if (n < 0 || n > 100000)
    return luaL_argerror(L, 2, "count must be between 0 and 100000");
  luaL_checkstack(L, (int)(k < 1000000 ? k : 1000000) + 4, "folio.related: too many terms");
  folio_related_list *lists = lua_newuserdatauv(L, (k ? k : 1) * sizeof *lists, 0);
  uint32_t *out = lua_newuserdatauv(L, (n ? (size_t)n : 1) * sizeof *out, 0);
  for (size_t j = 0; j < k; j++) {
    lua_rawgeti(L, 1, (lua_Integer)j + 1); /* stays on the stack: the bytes stay valid */
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    if (s == NULL || len % sizeof(uint32_t) != 0)
      return luaL_error(L, "folio.related: list %d is not a folio.related_pack string", (int)j + 1);
    lists[j] = (folio_related_list){(const unsigned char *)s, len / sizeof(uint32_t)};
  }
  size_t steps;
  uint32_t me = self > 0 && self < (lua_Integer)UINT32_MAX ? (uint32_t)self : 0;
  long count = folio_related_top(lists, k, me, (size_t)n, out, &steps);
  if (count < 0)
    return luaL_error(L, "not enough memory for folio.related");
  lua_createtable(L, (int)count, 0);
  for (long i = 0; i < count; i++) {
    lua_pushinteger(L, (lua_Integer)out[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_pushinteger(L, (lua_Integer)steps);
  return 2;
}

void lx_push_heading_id(lua_State *L, const char *text, size_t len, int used)
{
  used = used != 0 ? lua_absindex(L, used) : 0;
  luaL_Buffer b;
  char *out = luaL_buffinitsize(L, &b, len + 1);
  size_t n = folio_heading_id(text, len, out);
  if (n == 0) {
    luaL_pushresultsize(&b, 0);
    lua_pop(L, 1);
    lua_pushliteral(L, "section");
  } else {
    luaL_pushresultsize(&b, n);
  }
  if (used == 0)
    return;
  int base = lua_gettop(L); /* the id without a suffix */
  lua_pushvalue(L, base);    /* base + 1: the candidate */
  for (lua_Integer k = 1;; k++) {
    lua_pushvalue(L, base + 1);
    int taken = lua_rawget(L, used) != LUA_TNIL;
    lua_pop(L, 1);
    if (!taken)
      break;
    lua_pushfstring(L, "%s-%I", lua_tostring(L, base), (LUAI_UACINT)k);
    lua_replace(L, base + 1);
  }
  lua_pushvalue(L, base + 1);
  lua_pushboolean(L, 1);
  lua_rawset(L, used);
  lua_replace(L, base);
}

/* folio.heading_id(text [, used]) -> id: the GitHub-style id of a heading's text (rules in
 * core/heading_id.h), "section" when nothing is left. With `used` (a table of the ids taken so
 * far), the first of id, id-1, id-2, ... not in it, which is then added to it. */
static int l_heading_id(lua_State *L)
{
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  int has_used = S_opt_table(L, 2);
  lx_push_heading_id(L, text, len, has_used ? 2 : 0);
  return 1;
}

static int S_is_space(unsigned char c)
{
  return c == ' ' || (c >= '\t' && c <= '\r'); /* Lua's %s: space, \t \n \v \f \r */
}

/* folio.collapse_space(s) -> s with each run of white space (as Lua's %s: ASCII space, \t, \n,
 * \v, \f, \r) made one space, and none at either end. [-1, +1, m] */
static int l_collapse_space(lua_State *L)
{
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  luaL_Buffer b;
  char *out = luaL_buffinitsize(L, &b, len + 1);
  size_t o = 0;
  int pending = 0; /* white space seen since the last other byte */
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (S_is_space(c)) {
      pending = 1;
      continue;
    }
    if (pending && o > 0)
      out[o++] = ' ';
    pending = 0;
    out[o++] = (char)c;
  }
  luaL_pushresultsize(&b, o);
  return 1;
}

/* folio.utf8_valid(s) -> whether s is well-formed UTF-8: what utf8.len(s) ~= nil says, without
 * counting (ASCII runs are skipped 8 bytes at a time). */
static int l_utf8_valid(lua_State *L)
{
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  lua_pushboolean(L, folio_utf8_invalid_at(s, len) == len);
  return 1;
}

/* folio.same_items(a, b) -> boolean: whether the arrays a and b hold the same values at
 * 1..#a (raw equality: tables by identity), with #a == #b. For the incremental site hooks,
 * which ask whether a list of pages is the one they split or indexed last time: a loop here
 * costs a few nanoseconds an entry, a Lua loop several times that. */
static int l_same_items(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_Unsigned n = lua_rawlen(L, 1);
  if (n != lua_rawlen(L, 2)) {
    lua_pushboolean(L, 0);
    return 1;
  }
  luaL_checkstack(L, 2, NULL);
  for (lua_Unsigned i = 1; i <= n; i++) {
    lua_rawgeti(L, 1, (lua_Integer)i);
    lua_rawgeti(L, 2, (lua_Integer)i);
    int same = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    if (!same) {
      lua_pushboolean(L, 0);
      return 1;
    }
  }
  lua_pushboolean(L, 1);
  return 1;
}

/* folio.count_keys(list, set) -> n: how many of list[1..#list] are keys of `set` (a value
 * other than nil and false). The preview asks it of every list page on an update (does it show
 * a page that changed?), without reading the pages themselves. */
static int l_count_keys(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_Unsigned n = lua_rawlen(L, 1);
  lua_Integer count = 0;
  luaL_checkstack(L, 1, NULL);
  for (lua_Unsigned i = 1; i <= n; i++) {
    if (lua_rawgeti(L, 1, (lua_Integer)i) != LUA_TNIL) {
      lua_rawget(L, 2);
      count += lua_toboolean(L, -1);
    }
    lua_pop(L, 1);
  }
  lua_pushinteger(L, count);
  return 1;
}

/* The value at the top of the stack as math.max sees it: a number, else an error naming what
 * it is (a lastmod or date field that holds no time). */
static void S_check_time(lua_State *L, lua_Integer i)
{
  if (lua_type(L, -1) != LUA_TNUMBER)
    luaL_error(L, "entry %I of the list has a lastmod or date that is no number (%s)", (LUAI_UACINT)i,
               luaL_typename(L, -1));
}

/* folio.newest_time(list, t, times) -> the largest of t (nil or false: 0) and, for each entry q
 * of list[1..#list], times[q] when the table `times` has it (a raw read), else q.lastmod or
 * q.date or 0 (read as Lua reads them, metamethods included): what
 * `for _, q in ipairs(list) do t = math.max(t or 0, q.lastmod or q.date or 0) end` gives, the
 * first of equal values kept as math.max keeps it. The sitemap asks it of every list page; with
 * the content pages' times in `times`, an entry is a lookup in one table, not a read of a page
 * table somewhere in the heap (and no __index call for the lastmod a page lacks). */
static int l_newest_time(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  int have_times = S_opt_table(L, 3);
  lua_settop(L, 3);
  luaL_checkstack(L, 4, NULL);
  if (!lua_toboolean(L, 2))
    lua_pushinteger(L, 0);
  else {
    lua_pushvalue(L, 2);
    S_check_time(L, 0);
  }
  /* stack: list, t, times, best */
  lua_Unsigned n = lua_rawlen(L, 1);
  for (lua_Unsigned i = 1; i <= n; i++) {
    int type = lua_rawgeti(L, 1, (lua_Integer)i);
    int found = 0;
    if (have_times && type != LUA_TNIL) {
      lua_pushvalue(L, -1);
      if (lua_rawget(L, 3) != LUA_TNIL) {
        lua_remove(L, -2); /* the entry */
        found = 1;
      } else
        lua_pop(L, 1);
    }
    if (!found) { /* entry */
      if (type == LUA_TNIL) {
        /* ipairs stops at the first nil, and so does the loop this mirrors */
        lua_pop(L, 1);
        break;
      }
      lua_getfield(L, -1, "lastmod");
      if (!lua_toboolean(L, -1)) {
        lua_pop(L, 1);
        lua_getfield(L, -1, "date");
      }
      lua_remove(L, -2);
    }
    if (!lua_toboolean(L, -1)) {
      lua_pop(L, 1);
      lua_pushinteger(L, 0);
    }
    S_check_time(L, (lua_Integer)i);
    if (lua_compare(L, -2, -1, LUA_OPLT))
      lua_replace(L, -2);
    else
      lua_pop(L, 1);
  }
  return 1;
}

/* One key of folio.ordered_by: its bytes and its place in the list. */
typedef struct {
  const char *s;
  size_t len;
  lua_Integer at;
} S_key;

/* Lua's order of two strings (lvm.c's l_strcmp: strcoll on each NUL-ended piece): < 0, 0 or
 * > 0 as l < r, l == r or l > r by Lua's `<` (lx.h). */
int lx_lua_strcmp(const char *l, size_t ll, const char *r, size_t lr)
{
  for (;;) {
    int c = strcoll(l, r);
    if (c != 0)
      return c;
    size_t len = strlen(l);
    if (len == lr)
      return len == ll ? 0 : 1; /* equal, or r is a prefix of l */
    if (len == ll)
      return -1; /* l is a prefix of r */
    len++;
    l += len, ll -= len, r += len, lr -= len;
  }
}

static int S_key_less(const S_key *a, const S_key *b) { return lx_lua_strcmp(a->s, a->len, b->s, b->len) < 0; }

/* Sorts keys[0..n) stably (merge sort, bottom up), with tmp as room for n keys. */
static void S_merge_sort(S_key *keys, S_key *tmp, size_t n)
{
  S_key *from = keys, *to = tmp;
  for (size_t width = 1; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t mid = lo + width < n ? lo + width : n;
      size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi)
        to[k++] = S_key_less(&from[j], &from[i]) ? from[j++] : from[i++];
      while (i < mid)
        to[k++] = from[i++];
      while (j < hi)
        to[k++] = from[j++];
    }
    S_key *swap = from;
    from = to, to = swap;
  }
  if (from != keys)
    memcpy(keys, from, n * sizeof *keys);
}

/* folio.ordered_by(keys, values) -> a new list of values[i], i = 1..#keys, in the order of the
 * strings keys[i] (ascending, as `<` compares strings), values of equal keys in their order in
 * the list (a stable sort). The sitemap's elements in URL order: one sort in C of the URLs
 * beside their elements, where table.sort compared through the Lua API and a table of URLs to
 * elements (hashing each URL) put the elements back in order. */
static int l_ordered_by(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  lua_Unsigned n = lua_rawlen(L, 1);
  if (n > (lua_Unsigned)INT_MAX || n > SIZE_MAX / (2 * sizeof(S_key)))
    return luaL_error(L, "folio.ordered_by: too many keys");
  S_key *keys = NULL;
  if (n > 0) {
    /* (a userdata, so that an error below frees it with the rest of the stack) */
    keys = lua_newuserdatauv(L, 2 * (size_t)n * sizeof *keys, 0);
    for (lua_Unsigned i = 1; i <= n; i++) {
      if (lua_rawgeti(L, 1, (lua_Integer)i) != LUA_TSTRING)
        return luaL_error(L, "folio.ordered_by: key %I is %s, not a string", (LUAI_UACINT)i,
                          luaL_typename(L, -1));
      /* (the string stays alive in `keys`, the table at 1, for as long as this call runs) */
      keys[i - 1].s = lua_tolstring(L, -1, &keys[i - 1].len);
      keys[i - 1].at = (lua_Integer)i;
      lua_pop(L, 1);
    }
    S_merge_sort(keys, keys + n, (size_t)n);
  }
  lua_createtable(L, (int)n, 0);
  for (lua_Unsigned i = 0; i < n; i++) {
    lua_rawgeti(L, 2, keys[i].at);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* folio.new_table(narray, nhash) -> an empty table with room for narray list entries and nhash
 * other keys (lua_createtable; each 0 .. 2^26). A table filled with a key per page (an
 * incremental site hook's parts) made at its size, not grown through a dozen rehashes. */
static int l_new_table(lua_State *L)
{
  lua_Integer narr = luaL_optinteger(L, 1, 0), nhash = luaL_optinteger(L, 2, 0);
  luaL_argcheck(L, narr >= 0 && narr <= ((lua_Integer)1 << 26), 1, "out of range (0 .. 2^26)");
  luaL_argcheck(L, nhash >= 0 && nhash <= ((lua_Integer)1 << 26), 2, "out of range (0 .. 2^26)");
  lua_createtable(L, (int)narr, (int)nhash);
  return 1;
}

/* Whether the value on top of the stack, as tostring(v):lower() gives it, is a key of the table
 * at `wanted` with a true value. Strings with no upper-case letter are looked up as they are;
 * other values go through luaL_tolstring (tostring's text) and tolower, as string.lower does.
 * Leaves the stack as it was. */
static int S_wanted_lower(lua_State *L, int wanted)
{
  size_t len;
  const char *s;
  int pushed = 0;
  if (lua_type(L, -1) == LUA_TSTRING) {
    s = lua_tolstring(L, -1, &len);
  } else {
    s = luaL_tolstring(L, -1, &len);
    pushed = 1;
  }
  size_t upper_at = 0;
  while (upper_at < len && !(s[upper_at] >= 'A' && s[upper_at] <= 'Z') && (unsigned char)s[upper_at] < 128)
    upper_at++;
  if (upper_at == len) {
    lua_pushvalue(L, -1);
  } else {
    luaL_Buffer b;
    char *out = luaL_buffinitsize(L, &b, len);
    for (size_t i = 0; i < len; i++)
      out[i] = (char)tolower((unsigned char)s[i]);
    luaL_pushresultsize(&b, len);
  }
  int hit = lua_rawget(L, wanted) != LUA_TNIL && lua_toboolean(L, -1);
  lua_pop(L, 1 + pushed);
  return hit;
}

/* folio.pages_holding(pages, field, wanted, skip, out) -> out: adds to `out` (key -> page) every
 * entry of `pages` (any table: key -> page) whose key is not in `skip` and whose raw `field` is
 * an array holding a value v with wanted[tostring(v):lower()] true. The preview asks it of every
 * page on a title, tag or date edit (which pages share a term with a changed one: their related
 * lists may show it), where a Lua loop read each page's terms one by one. */
static int l_pages_holding(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  luaL_checktype(L, 3, LUA_TTABLE);
  luaL_checktype(L, 4, LUA_TTABLE);
  luaL_checktype(L, 5, LUA_TTABLE);
  luaL_checkstack(L, 8, NULL);
  lua_settop(L, 5);
  lua_pushnil(L);
  while (lua_next(L, 1) != 0) { /* key at 6, page at 7 */
    lua_pushvalue(L, 6);
    int skipped = lua_rawget(L, 4) != LUA_TNIL && lua_toboolean(L, -1);
    lua_pop(L, 1);
    if (!skipped && lua_type(L, 7) == LUA_TTABLE) {
      lua_pushvalue(L, 2);
      if (lua_rawget(L, 7) == LUA_TTABLE) { /* the page's terms at 8 */
        lua_Unsigned n = lua_rawlen(L, 8);
        for (lua_Unsigned i = 1; i <= n; i++) {
          if (lua_rawgeti(L, 8, (lua_Integer)i) == LUA_TNIL) { /* (ipairs stops at a hole) */
            lua_pop(L, 1);
            break;
          }
          int hit = S_wanted_lower(L, 3);
          lua_pop(L, 1);
          if (hit) {
            lua_pushvalue(L, 6);
            lua_pushvalue(L, 7);
            lua_rawset(L, 5);
            break;
          }
        }
      }
      lua_pop(L, 1);
    }
    lua_pop(L, 1); /* the page; the key stays for lua_next */
  }
  lua_settop(L, 5);
  return 1;
}

/* Whether the array at `list` holds a true key of `objs`, or a value that is no true key of
 * `known` (1..#list; nil entries are skipped). */
static int S_holds_other(lua_State *L, int list, int objs, int known)
{
  lua_Unsigned n = lua_rawlen(L, list);
  for (lua_Unsigned i = 1; i <= n; i++) {
    if (lua_rawgeti(L, list, (lua_Integer)i) == LUA_TNIL) {
      lua_pop(L, 1);
      continue;
    }
    lua_pushvalue(L, -1);
    int changed = lua_rawget(L, objs) != LUA_TNIL && lua_toboolean(L, -1);
    lua_pop(L, 1);
    int other = !changed && !(lua_rawget(L, known) != LUA_TNIL && lua_toboolean(L, -1));
    lua_pop(L, 1);
    if (changed || other)
      return 1;
  }
  return 0;
}

/* Whether the entry at `page` is a plain generated list page: raw `generated` true, a `pages`
 * table (left at the top of the stack when so), no raw `id`, not written as is (`layout` false
 * or "none"). */
static int S_plain_list(lua_State *L, int page)
{
  lua_pushliteral(L, "generated");
  int generated = lua_rawget(L, page) != LUA_TNIL && lua_toboolean(L, -1);
  lua_pop(L, 1);
  if (!generated)
    return 0;
  lua_pushliteral(L, "id");
  int has_id = lua_rawget(L, page) != LUA_TNIL;
  lua_pop(L, 1);
  if (has_id)
    return 0;
  int type = lua_getfield(L, page, "layout");
  int as_is = (type == LUA_TBOOLEAN && !lua_toboolean(L, -1)) ||
              (type == LUA_TSTRING && strcmp(lua_tostring(L, -1), "none") == 0);
  lua_pop(L, 1);
  if (as_is)
    return 0;
  if (lua_getfield(L, page, "pages") != LUA_TTABLE) {
    lua_pop(L, 1);
    return 0;
  }
  return 1;
}

/* folio.lists_holding(list, first, objs, known [, skip_kinds [, others]]) -> { k, ... }: the
 * indexes k >= first of `list` (the render list) whose entry is a generated page (raw `generated`
 * true), whose `kind` is no true key of `skip_kinds`, and whose `pages` is an array holding a key
 * of `objs` (the changed pages) or a value that is not a key of `known` (the frame's pages) — the
 * list pages that may show a change, for the preview to look at in Lua. One pass over the
 * ~6,000 list pages of a 10k-post site, where the Lua loop cost ~0.3 M instructions an update.
 * With `others` (a table), the same pass appends to it, in order, the indexes k >= first whose
 * entry is no plain generated list page (S_plain_list): those the preview must look at whatever
 * they list. */
static int l_lists_holding(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_Integer first = luaL_checkinteger(L, 2);
  luaL_checktype(L, 3, LUA_TTABLE);
  luaL_checktype(L, 4, LUA_TTABLE);
  int skip = S_opt_table(L, 5);
  int others = S_opt_table(L, 6);
  lua_settop(L, 6);
  luaL_checkstack(L, 8, NULL);
  lua_newtable(L); /* the result at 7 */
  lua_Integer found = 0, other_count = others ? (lua_Integer)lua_rawlen(L, 6) : 0;
  lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
  for (lua_Integer k = first < 1 ? 1 : first; k <= n; k++) {
    if (lua_rawgeti(L, 1, k) != LUA_TTABLE) { /* the page at 8 */
      lua_pop(L, 1);
      if (others) {
        lua_pushinteger(L, k);
        lua_rawseti(L, 6, ++other_count);
      }
      continue;
    }
    int take = 0;
    if (!S_plain_list(L, 8)) {
      if (others) {
        lua_pushinteger(L, k);
        lua_rawseti(L, 6, ++other_count);
      }
      /* (not plain, but a generated page with a list all the same: as before) */
      lua_pushliteral(L, "generated");
      int generated = lua_rawget(L, 8) != LUA_TNIL && lua_toboolean(L, -1);
      lua_pop(L, 1);
      if (!generated || lua_getfield(L, 8, "pages") != LUA_TTABLE) {
        if (generated)
          lua_pop(L, 1);
        lua_pop(L, 1);
        continue;
      }
    } /* the page's `pages` at 9 */
    int skipped = 0;
    if (skip) {
      lua_getfield(L, 8, "kind");
      skipped = lua_rawget(L, 5) != LUA_TNIL && lua_toboolean(L, -1);
      lua_pop(L, 1);
    }
    if (!skipped)
      take = S_holds_other(L, 9, 3, 4);
    lua_pop(L, 2);
    if (take) {
      lua_pushinteger(L, k);
      lua_rawseti(L, 7, ++found);
    }
  }
  return 1;
}

/* folio.concat_strings(t, n) -> t[1] .. ... .. t[n] (raw reads), or nil when one of them is not
 * a string or a number (template.lua's render buffers: table.concat's text). The items go onto
 * the stack and lua_concat joins them: it writes a long result straight into the new string, where
 * a luaL_Buffer would be filled first and then copied (a page's text was copied twice). A buffer
 * with more items than the stack takes is joined through a luaL_Buffer instead. */
#define CONCAT_ON_STACK_MAX 100000

static int S_concat_buffered(lua_State *L, lua_Integer n)
{
  size_t total = 0;
  for (lua_Integer i = 1; i <= n; i++) {
    int type = lua_rawgeti(L, 1, i);
    if (type != LUA_TSTRING && type != LUA_TNUMBER) {
      lua_pushnil(L);
      return 1;
    }
    size_t len;
    lua_tolstring(L, -1, &len);
    lua_pop(L, 1);
    if (len > SIZE_MAX - total)
      return luaL_error(L, "concat_strings: the text is too long");
    total += len;
  }
  luaL_Buffer b;
  char *out = luaL_buffinitsize(L, &b, total);
  size_t at = 0;
  for (lua_Integer i = 1; i <= n; i++) { /* the stack is balanced around each item: the buffer's box stays below */
    lua_rawgeti(L, 1, i);
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    memcpy(out + at, s, len);
    at += len;
    lua_pop(L, 1);
  }
  luaL_pushresultsize(&b, at);
  return 1;
}

static int l_concat_strings(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_Integer n = luaL_checkinteger(L, 2);
  if (n <= 0) {
    lua_pushliteral(L, "");
    return 1;
  }
  if (n > CONCAT_ON_STACK_MAX || !lua_checkstack(L, (int)n + 1))
    return S_concat_buffered(L, n);
  lua_settop(L, 2);
  for (lua_Integer i = 1; i <= n; i++) {
    int type = lua_rawgeti(L, 1, i);
    if (type != LUA_TSTRING && type != LUA_TNUMBER) {
      lua_pushnil(L);
      return 1;
    }
  }
  lua_concat(L, (int)n); /* strings and numbers only: no __concat metamethod can run */
  return 1;
}

/* folio.fields_over(args, meta) -> a new table holding the fields of table `args` (raw reads; nil:
 * none) with metatable `meta`, made with room for one field more (template.lua's partial
 * environments: the arguments, then `partial`). */
static int l_fields_over(lua_State *L)
{
  int has_args = S_opt_table(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  int n = 0;
  if (has_args) {
    lua_pushnil(L);
    while (lua_next(L, 1)) {
      lua_pop(L, 1);
      if (n < INT_MAX - 1)
        n++;
    }
  }
  lua_createtable(L, 0, n + 1);
  if (has_args) {
    lua_pushnil(L);
    while (lua_next(L, 1)) { /* stack: ..., fields, key, value */
      lua_pushvalue(L, -2);
      lua_insert(L, -2);
      lua_rawset(L, -4);
    }
  }
  lua_pushvalue(L, 2);
  lua_setmetatable(L, -2);
  return 1;
}

void lx_open_util(lua_State *L, int folio)
{
  static const luaL_Reg helpers[] = {
    {"count_words", l_count_words}, {"register_metatable", l_register_metatable},
    {"escape", l_escape},           {"slugify", l_slugify},
    {"html_text", l_html_text},     {"json_string", l_json_string},
    {"related", l_related},         {"related_pack", l_related_pack},
    {"heading_id", l_heading_id},   {"collapse_space", l_collapse_space},
    {"utf8_valid", l_utf8_valid},   {"concat_strings", l_concat_strings},
    {"fields_over", l_fields_over},
    {"same_items", l_same_items},   {"count_keys", l_count_keys},
    {"pages_holding", l_pages_holding}, {"lists_holding", l_lists_holding},
    {"newest_time", l_newest_time}, {"ordered_by", l_ordered_by},
    {"new_table", l_new_table},
    {NULL, NULL},
  };
  folio = lua_absindex(L, folio);
  luaL_checkstack(L, 1, NULL);
  lua_pushvalue(L, folio);
  luaL_setfuncs(L, helpers, 0);
  lua_pop(L, 1);
  static const luaL_Reg embedded[] = {{"read", l_embedded_read}, {"list", l_embedded_list}, {NULL, NULL}};
  luaL_newlib(L, embedded);
  lua_setfield(L, folio, "embedded");
}

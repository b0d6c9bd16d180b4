/* lx_text.c: two scans under the kramdown plugin (scripts/kramdown_tree.lua, kramdown_scan.lua):
 * folio.text_runs, which text runs of an HTML segment typography may change, and
 * folio.text_lines, a text's lines. In C because the same loops in Lua cost a few calls per run
 * or line, and a page has a run between every two tags. */
#include "lua/lx.h"
#include <string.h>

/* Whether s[i..j] (0-based, inclusive) has a quote, `&`, `--`, `...`, or `>>` with a `-` or `.`
 * in it: what typography may change (a run is only looked at with one of `"'&-.`). */
static int S_candidate(const char *s, size_t i, size_t j)
{
  int guillemets = 0, dash_or_dot = 0;
  for (size_t k = i; k <= j; k++) {
    char c = s[k];
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

void lx_open_text(lua_State *L, int folio)
{
  lua_pushcfunction(L, l_text_runs);
  lua_setfield(L, folio, "text_runs");
  lua_pushcfunction(L, l_text_lines);
  lua_setfield(L, folio, "text_lines");
}

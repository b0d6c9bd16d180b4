/* frontmatter.c: fuzzes front matter (src/md/frontmatter.c, src/lua/lx_frontmatter.c): finding
 * the --- block, typing plain scalars, and YAML to Lua values through folio.frontmatter.parse.
 *
 * Input: a whole source file. Properties:
 * - the split's offsets and lines lie inside the text and agree with its line breaks;
 * - a scalar typed as an integer prints (%lld) to text that types back to the same integer;
 * - parse never raises (only running out of the harness's memory cap may): it gives a table,
 *   the body (the text after the block, byte for byte) and the body's line, or nil and an error
 *   { message, line, hint } whose line is a line of the file (a lone CR ends a line, as in YAML);
 * - the values are tables, strings, numbers and booleans; a table is a list (keys 1..n) or a
 *   mapping (string keys); every key and string value is valid UTF-8, and so are the error's
 *   message and hint when the file is;
 * - lx_copy_value carries the table into another state unchanged (shape and sharing). */
#include "fuzz.h"

#include "lua/lx.h"
#include "md/frontmatter.h"

#include <inttypes.h>
#include <string.h>

/* canon(v) -> text that is equal for equal values (shared tables as back references), raising
 * "property: ..." when a value breaks the rules above. */
static const char S_CANON[] =
  "local function fail(...) error('property: ' .. string.format(...), 0) end\n"
  "return function(v)\n"
  "  local seen, count, out = {}, 0, {}\n"
  "  local function str(s, what)\n"
  "    if utf8.len(s) == nil then fail('%s %q is not valid UTF-8', what, s) end\n"
  "    out[#out + 1] = string.format('%q', s)\n"
  "  end\n"
  "  local function walk(x)\n"
  "    local t = type(x)\n"
  "    if t == 'string' then str(x, 'string')\n"
  "    elseif t == 'number' then out[#out + 1] = math.type(x) .. string.format('%q', x)\n"
  "    elseif t == 'boolean' then out[#out + 1] = tostring(x)\n"
  "    elseif t == 'table' then\n"
  "      if seen[x] then out[#out + 1] = '@' .. seen[x] return end\n"
  "      count = count + 1 seen[x] = count\n"
  "      if getmetatable(x) ~= nil then fail('a table with a metatable') end\n"
  "      local keys, strings = {}, 0\n"
  "      for k in pairs(x) do\n"
  "        keys[#keys + 1] = k\n"
  "        if type(k) == 'string' then strings = strings + 1\n"
  "        elseif math.type(k) ~= 'integer' then fail('a key of type %s', type(k)) end\n"
  "      end\n"
  "      if strings == 0 then\n"
  "        for i = 1, #keys do if x[i] == nil then fail('a list with a hole at %d', i) end end\n"
  "        out[#out + 1] = '['\n"
  "        for i = 1, #keys do walk(x[i]) out[#out + 1] = ',' end\n"
  "        out[#out + 1] = ']'\n"
  "      else\n"
  "        if strings ~= #keys then fail('a table with both string and integer keys') end\n"
  "        table.sort(keys)\n"
  "        out[#out + 1] = '{'\n"
  "        for _, k in ipairs(keys) do str(k, 'key') out[#out + 1] = '=' walk(x[k]) out[#out + 1] = ',' end\n"
  "        out[#out + 1] = '}'\n"
  "      end\n"
  "    else fail('a value of type %s', t) end\n"
  "  end\n"
  "  walk(v)\n"
  "  return table.concat(out)\n"
  "end\n";

enum { S_MEMORY_CAP = 256u << 20, S_BUDGET = 50000000 };

static lua_State *S_L, *S_copy;

static void S_close_states(void)
{
  if (S_L)
    fuzz_lua_close(S_L);
  if (S_copy)
    fuzz_lua_close(S_copy);
}

static lua_State *S_new_state(void)
{
  lua_State *L = fuzz_lua_state(S_MEMORY_CAP);
  FUZZ_CHECK(L != NULL, "cannot make a Lua state");
  FUZZ_CHECK(luaL_loadstring(L, S_CANON) == LUA_OK && lua_pcall(L, 0, 1, 0) == LUA_OK, "canon: %s",
             lua_tostring(L, -1));
  lua_setglobal(L, "canon");
  return L;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  S_L = S_new_state();
  S_copy = S_new_state();
  atexit(S_close_states);
  return 0;
}

static int S_count_lines(const char *s, size_t len)
{
  int lines = 1;
  for (size_t i = 0; i < len; i++)
    lines += s[i] == '\n';
  return lines;
}

/* Lines as YAML counts them: CR LF, CR and LF each end one (libyaml's marks count these). */
static int S_count_yaml_lines(const char *s, size_t len)
{
  int lines = 1;
  for (size_t i = 0; i < len; i++)
    if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n')))
      lines++;
  return lines;
}

static void S_check_split(const char *text, size_t len, folio_fm_split *split)
{
  folio_fm_split s = folio_frontmatter_split(text, len);
  *split = s;
  switch (s.status) {
  case FOLIO_FM_NONE:
  case FOLIO_FM_UNCLOSED:
    FUZZ_CHECK(s.body_line == 1 && s.body_offset == 0, "no block, yet the body starts at %zu",
               s.body_offset);
    break;
  case FOLIO_FM_FOUND:
    FUZZ_CHECK(s.yaml_offset <= len && s.yaml_len <= len - s.yaml_offset &&
                 s.yaml_offset + s.yaml_len <= s.body_offset && s.body_offset <= len,
               "offsets yaml %zu+%zu, body %zu in %zu bytes", s.yaml_offset, s.yaml_len,
               s.body_offset, len);
    FUZZ_CHECK(s.yaml_offset > 0 && text[s.yaml_offset - 1] == '\n' && s.yaml_line == 2,
               "the YAML does not start on line 2");
    FUZZ_CHECK(s.body_line == S_count_lines(text, s.body_offset) +
                                (s.body_offset == len && (len == 0 || text[len - 1] != '\n')),
               "body line %d at offset %zu", s.body_line, s.body_offset);
    break;
  case FOLIO_FM_NO_OPENING: /* key lines from the start, then `---`: the YAML is line 1 on */
    FUZZ_CHECK(s.yaml_offset + s.yaml_len <= s.body_offset && s.body_offset <= len &&
                 s.yaml_len > 0 && s.yaml_line == 1,
               "headless: yaml %zu+%zu (line %d), body %zu in %zu bytes", s.yaml_offset, s.yaml_len,
               s.yaml_line, s.body_offset, len);
    FUZZ_CHECK(s.body_line == S_count_lines(text, s.body_offset) +
                                (s.body_offset == len && (len == 0 || text[len - 1] != '\n')),
               "headless: body line %d at offset %zu", s.body_line, s.body_offset);
    break;
  default: FUZZ_CHECK(0, "status %d", (int)s.status);
  }
}

static void S_check_scalar(const char *s, size_t len)
{
  if (len > 200)
    len = 200;
  folio_scalar v = folio_scalar_resolve(s, len);
  if (v.kind != FOLIO_SCALAR_INT)
    return;
  char again[32];
  int n = snprintf(again, sizeof again, "%" PRId64, v.integer);
  folio_scalar w = folio_scalar_resolve(again, (size_t)n);
  FUZZ_CHECK(w.kind == FOLIO_SCALAR_INT && w.integer == v.integer, "\"%.*s\" -> %s -> kind %d",
             (int)len, s, again, (int)w.kind);
}

/* canon(value at idx) in L; returns a malloc'd copy of the text. */
static char *S_canon(lua_State *L, int idx)
{
  idx = lua_absindex(L, idx);
  lua_getglobal(L, "canon");
  lua_pushvalue(L, idx);
  int status = fuzz_lua_run(L, 1, 1, S_BUDGET);
  if (status == LUA_ERRMEM || (status != LUA_OK && fuzz_is_budget_error(L, -1))) {
    lua_pop(L, 1);
    return NULL;
  }
  FUZZ_CHECK(status == LUA_OK, "%s", lua_tostring(L, -1));
  size_t n;
  const char *s = lua_tolstring(L, -1, &n);
  char *copy = malloc(n + 1);
  FUZZ_CHECK(copy != NULL, "out of memory");
  memcpy(copy, s, n + 1);
  lua_pop(L, 1);
  return copy;
}

static void S_check_error(lua_State *L, int err, const char *text, size_t len)
{
  FUZZ_CHECK(lua_istable(L, err), "parse gave nil and a %s", luaL_typename(L, err));
  lua_getfield(L, err, "message");
  lua_getfield(L, err, "line");
  lua_getfield(L, err, "hint");
  size_t mlen = 0, hlen = 0;
  const char *message = lua_tolstring(L, -3, &mlen);
  FUZZ_CHECK(lua_type(L, -3) == LUA_TSTRING && mlen > 0, "an error without a message");
  FUZZ_CHECK(lua_isinteger(L, -2), "error \"%s\" without a line", message);
  lua_Integer line = lua_tointeger(L, -2);
  FUZZ_CHECK(line >= 1 && line <= S_count_yaml_lines(text, len),
             "error \"%s\" on line %lld of a %d-line file", message, (long long)line,
             S_count_yaml_lines(text, len));
  FUZZ_CHECK(lua_isnil(L, -1) || lua_type(L, -1) == LUA_TSTRING, "hint is a %s", luaL_typename(L, -1));
  const char *hint = lua_tolstring(L, -1, &hlen);
  if (fuzz_utf8_valid(text, len)) {
    FUZZ_CHECK(fuzz_utf8_valid(message, mlen), "message \"%s\" is not UTF-8 (the file is)", message);
    FUZZ_CHECK(hint == NULL || fuzz_utf8_valid(hint, hlen), "hint \"%s\" is not UTF-8", hint);
  }
  lua_pop(L, 3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > 65536)
    return 0;
  const char *text = (const char *)data;
  folio_fm_split split;
  S_check_split(text, size, &split);
  S_check_scalar(text, size);
  if (split.status == FOLIO_FM_FOUND)
    S_check_scalar(text + split.yaml_offset, split.yaml_len);

  lua_State *L = S_L;
  lua_settop(L, 0);
  lua_getglobal(L, "folio");
  lua_getfield(L, -1, "frontmatter");
  lua_getfield(L, -1, "parse");
  lua_replace(L, 1);
  lua_settop(L, 1);
  lua_pushlstring(L, text, size);
  int status = fuzz_lua_run(L, 1, 3, S_BUDGET);
  if (status == LUA_ERRMEM) {
    lua_settop(L, 0);
    return 0;
  }
  FUZZ_CHECK(status == LUA_OK, "parse raised: %s", lua_tostring(L, -1));
  if (lua_isnil(L, 1)) {
    S_check_error(L, 2, text, size);
  } else {
    FUZZ_CHECK(lua_istable(L, 1), "parse gave a %s", luaL_typename(L, 1));
    size_t blen;
    const char *body = lua_tolstring(L, 2, &blen);
    size_t at = split.status == FOLIO_FM_FOUND ? split.body_offset : 0;
    int body_line = split.status == FOLIO_FM_FOUND ? split.body_line : 1;
    /* key lines without the opening `---` are front matter only when they parse as a mapping;
       else the whole text is the body */
    if (split.status == FOLIO_FM_NO_OPENING && body != NULL && blen == size - split.body_offset) {
      at = split.body_offset;
      body_line = split.body_line;
    }
    FUZZ_CHECK(body != NULL && blen == size - at && memcmp(body, text + at, blen) == 0,
               "the body is not the text after the block");
    FUZZ_CHECK(lua_isinteger(L, 3) && lua_tointeger(L, 3) == body_line, "body line %s, expected %d",
               lua_tostring(L, 3), body_line);
    char *here = S_canon(L, 1);
    if (here != NULL) {
      lua_settop(S_copy, 0);
      lx_copy_value(L, 1, S_copy);
      char *there = S_canon(S_copy, 1);
      FUZZ_CHECK(there == NULL || strcmp(here, there) == 0, "the copy differs:\n  %s\n  %s", here, there);
      free(there);
      free(here);
    }
    lua_settop(S_copy, 0);
  }
  lua_settop(L, 0);
  /* Collected now: garbage of earlier inputs must not count against this one's cap, and
     libFuzzer runs a (slow) leak check after every input that freed less than it allocated. */
  lua_gc(L, LUA_GCCOLLECT, 0);
  lua_gc(S_copy, LUA_GCCOLLECT, 0);
  return 0;
}

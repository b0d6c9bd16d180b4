/* lx_frontmatter.c: folio.frontmatter.parse, YAML front matter to Lua values. The block is found
 * by src/md/frontmatter.c; here libyaml's event parser drives a recursive converter.
 *
 * Typing (YAML 1.2 core schema): plain scalars become nil/boolean/integer/number/string by
 * folio_scalar_resolve; quoted and block scalars are always strings; the tags !!str, !!int,
 * !!float, !!bool, !!null are honoured. Dates stay strings (folio.date.parse reads them later).
 *
 * Null: there is no null value in Lua and no folio.null sentinel (a sentinel would not survive
 * lx_copy_value between worker states, and templates would print it). So a null map value leaves
 * the key absent (and a later `key: ~` removes an earlier value: last wins), and a null item of a
 * sequence is dropped so arrays stay dense: `[a, ~, b]` gives { "a", "b" }. A document that is
 * only `~` gives {}.
 *
 * Aliases share the anchored Lua value (same table, as Ruby's Psych does). Every node counts
 * towards a cap, and an alias counts as the whole node it repeats, so "billion laughs" documents
 * are rejected before they can blow up a template walking them. Merge keys (`<<`) copy the keys
 * of a mapping (or of each mapping of a list, earlier ones winning) that the mapping does not set
 * itself. Keys are always strings: the scalar's text as written (`1: x` gives key "1").
 *
 * libyaml state lives in a userdata with __gc, so a Lua error (out of memory) raised midway
 * cannot leak the parser or the event being processed. */
#include "lua/lx.h"
#include "md/frontmatter.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#define S_PARSER_META "folio.yaml_parser"
#define S_MAX_DEPTH 200
#define S_MAX_NODES 1000000L

typedef struct {
  yaml_parser_t parser;
  yaml_event_t event;
  int parser_ready, event_ready;
} S_yaml;

static void S_yaml_release(S_yaml *y)
{
  if (y->event_ready) {
    yaml_event_delete(&y->event);
    y->event_ready = 0;
  }
  if (y->parser_ready) {
    yaml_parser_delete(&y->parser);
    y->parser_ready = 0;
  }
}

static int S_yaml_gc(lua_State *L)
{
  S_yaml_release(luaL_checkudata(L, 1, S_PARSER_META));
  return 0;
}

/* What a converted node was; S_NODE_ERROR means c->message is set. */
enum { S_NODE_ERROR = -1, S_NODE_NULL, S_NODE_SCALAR, S_NODE_SEQ, S_NODE_MAP };

typedef struct {
  lua_State *L;
  S_yaml *y;
  const char *yaml; /* the YAML text (for hints), yaml_len bytes */
  size_t yaml_len;
  int first_line;   /* file line of the YAML's first line */
  int anchors;      /* stack index: anchor name -> value */
  int anchor_info;  /* stack index: anchor name -> node count * 4 + S_NODE_* kind */
  long nodes;       /* nodes converted so far, aliases counting as what they repeat */
  char message[320];
  const char *hint;
  int line;
} S_conv;

static int S_fail(S_conv *c, yaml_mark_t mark, const char *hint, const char *fmt, ...)
  __attribute__((format(printf, 4, 5)));

static int S_fail(S_conv *c, yaml_mark_t mark, const char *hint, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->message, sizeof c->message, fmt, ap);
  va_end(ap);
  c->line = (int)mark.line + c->first_line;
  c->hint = hint;
  return S_NODE_ERROR;
}

/* Does 0-based YAML line `line` have a tab in its indentation, or at `column`? */
static int S_tab_near(const S_conv *c, size_t line, size_t column)
{
  size_t p = 0;
  for (size_t l = 0; l < line && p < c->yaml_len; p++)
    if (c->yaml[p] == '\n')
      l++;
  int indent = 1;
  for (size_t i = p; i < c->yaml_len && c->yaml[i] != '\n'; i++) {
    if (c->yaml[i] == '\t' && (indent || i - p == column))
      return 1;
    if (c->yaml[i] != ' ' && c->yaml[i] != '\t')
      indent = 0;
  }
  return 0;
}

/* Turns libyaml's error into c->message/line/hint. */
static int S_yaml_error(S_conv *c)
{
  const yaml_parser_t *p = &c->y->parser;
  const char *problem = p->problem ? p->problem : "unknown error";
  if (p->error == YAML_MEMORY_ERROR)
    return luaL_error(c->L, "out of memory while parsing front matter");
  if (p->error == YAML_READER_ERROR) { /* bad encoding: only an offset is known */
    yaml_mark_t mark = { 0 };
    for (size_t i = 0; i < p->problem_offset && i < c->yaml_len; i++)
      if (c->yaml[i] == '\n')
        mark.line++;
    return S_fail(c, mark, "save the file as UTF-8", "invalid YAML: %s", problem);
  }
  yaml_mark_t mark = p->problem_mark;
  const char *hint = "check the YAML syntax on this line or the one before";
  /* Ran off the end (an unclosed quote or bracket): point at where it opened instead. */
  int at_end = p->context != NULL && mark.index >= c->yaml_len;
  if (at_end || (p->context && strstr(problem, "could not find expected ':'")))
    mark = p->context_mark;
  if (mark.index >= c->yaml_len) { /* still the end: name the last line that has text */
    size_t last = c->yaml_len;
    while (last > 0 && (c->yaml[last - 1] == '\n' || c->yaml[last - 1] == '\r' ||
                        c->yaml[last - 1] == ' ' || c->yaml[last - 1] == '\t'))
      last--;
    mark.line = 0;
    for (size_t i = 0; i + 1 < last; i++)
      if (c->yaml[i] == '\n')
        mark.line++;
  }
  if (at_end && strstr(p->context, "quoted scalar")) {
    hint = "a quoted value is not closed: add the closing quote";
  } else if (at_end && strstr(p->context, "flow")) {
    hint = "a [ or { is not closed: add the closing bracket";
  } else if (S_tab_near(c, mark.line, mark.column) || strstr(problem, "tab")) {
    hint = "YAML does not allow tabs for indentation: use spaces";
  } else if (strstr(problem, "did not find expected key") ||
             strstr(problem, "did not find expected '-'")) {
    hint = "check the indentation and quoting on this line or the one before";
  } else if (strstr(problem, "mapping values are not allowed")) {
    hint = "check this line's indentation, and quote a value that contains ': ' (title: \"Go: a tour\")";
  } else if (strstr(problem, "could not find expected ':'")) {
    hint = "write `key: value`, or indent a continued value under its key";
  } else if (strstr(problem, "cannot start any token")) {
    hint = "quote a value that starts with @ or `";
  }
  int context_line = (int)p->context_mark.line + c->first_line;
  if (p->context && context_line != (int)mark.line + c->first_line &&
      p->context_mark.index < c->yaml_len)
    return S_fail(c, mark, hint, "invalid YAML: %s (%s started on line %d)", problem, p->context,
                  context_line);
  if (p->context)
    return S_fail(c, mark, hint, "invalid YAML: %s (%s)", problem, p->context);
  return S_fail(c, mark, hint, "invalid YAML: %s", problem);
}

/* Replaces the current event with the next one. 0, or S_NODE_ERROR. */
static int S_next(S_conv *c)
{
  S_yaml *y = c->y;
  if (y->event_ready) {
    yaml_event_delete(&y->event);
    y->event_ready = 0;
  }
  if (!yaml_parser_parse(&y->parser, &y->event))
    return S_yaml_error(c);
  y->event_ready = 1;
  return 0;
}

static int S_count(S_conv *c, long n, yaml_mark_t mark)
{
  c->nodes += n;
  if (c->nodes > S_MAX_NODES)
    return S_fail(c, mark, "each alias (*name) repeats its anchor's whole value; nested aliases multiply",
                  "front matter expands to more than %ld values", S_MAX_NODES);
  return 0;
}

#define S_TAG(name) "tag:yaml.org,2002:" name

/* Current event is a scalar: pushes its value (nil for null). [-0, +1, m] */
static int S_scalar(S_conv *c)
{
  lua_State *L = c->L;
  const yaml_event_t *e = &c->y->event;
  const char *s = (const char *)e->data.scalar.value;
  size_t len = e->data.scalar.length;
  const char *tag = (const char *)e->data.scalar.tag;
  folio_scalar v = { .kind = FOLIO_SCALAR_STRING };
  if (tag != NULL && strcmp(tag, S_TAG("str")) != 0 && strcmp(tag, "!") != 0) {
    int bad = 0;
    if (strcmp(tag, S_TAG("int")) == 0)
      bad = folio_scalar_as_int(s, len, &v) != 0 || v.kind != FOLIO_SCALAR_INT;
    else if (strcmp(tag, S_TAG("float")) == 0) {
      if (folio_scalar_as_int(s, len, &v) == 0 && v.kind == FOLIO_SCALAR_INT) {
        v.kind = FOLIO_SCALAR_FLOAT;
        v.number = (double)v.integer;
      } else
        bad = folio_scalar_as_float(s, len, &v) != 0;
    } else if (strcmp(tag, S_TAG("bool")) == 0)
      bad = folio_scalar_as_bool(s, len, &v) != 0;
    else if (strcmp(tag, S_TAG("null")) == 0) {
      bad = !folio_scalar_is_null(s, len);
      v.kind = FOLIO_SCALAR_NULL;
    } else if (e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
      v = folio_scalar_resolve(s, len); /* unknown tag: type by the text */
    if (bad) {
      size_t shown = len > 60 ? 60 : len;
      while (shown < len && shown > 0 && ((unsigned char)s[shown] & 0xC0) == 0x80)
        shown--; /* never cut a UTF-8 sequence in two */
      return S_fail(c, e->start_mark, "remove the tag or fix the value", "\"%.*s\" is not a valid %s",
                    (int)shown, s, tag + strlen(S_TAG("")));
    }
  } else if (tag == NULL && e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
    v = folio_scalar_resolve(s, len);
  }
  switch (v.kind) {
  case FOLIO_SCALAR_NULL: lua_pushnil(L); return S_NODE_NULL;
  case FOLIO_SCALAR_BOOL: lua_pushboolean(L, v.boolean); break;
  case FOLIO_SCALAR_INT: lua_pushinteger(L, (lua_Integer)v.integer); break;
  case FOLIO_SCALAR_FLOAT: lua_pushnumber(L, (lua_Number)v.number); break;
  case FOLIO_SCALAR_STRING: lua_pushlstring(L, s, len); break;
  }
  return S_NODE_SCALAR;
}

/* Current event is an alias: pushes the anchored value. [-0, +1, m] */
static int S_alias(S_conv *c)
{
  lua_State *L = c->L;
  const yaml_event_t *e = &c->y->event;
  const char *name = (const char *)e->data.alias.anchor;
  if (lua_getfield(L, c->anchor_info, name) != LUA_TNUMBER) {
    lua_pop(L, 1);
    return S_fail(c, e->start_mark, "define the anchor (&name) before the alias (*name) that uses it",
                  "unknown alias *%.100s", name);
  }
  lua_Integer info = lua_tointeger(L, -1);
  lua_pop(L, 1);
  if (S_count(c, (long)(info / 4), e->start_mark) != 0)
    return S_NODE_ERROR;
  lua_getfield(L, c->anchors, name);
  return (int)(info % 4);
}

static int S_node(S_conv *c, int depth);

/* Current event is a sequence start: pushes the array. Null items are dropped (see top). */
static int S_sequence(S_conv *c, int depth)
{
  lua_State *L = c->L;
  lua_newtable(L);
  lua_Integer n = 0;
  for (;;) {
    if (S_next(c) != 0)
      return S_NODE_ERROR;
    if (c->y->event.type == YAML_SEQUENCE_END_EVENT)
      return S_NODE_SEQ;
    int kind = S_node(c, depth + 1);
    if (kind == S_NODE_ERROR)
      return S_NODE_ERROR;
    if (kind == S_NODE_NULL)
      lua_pop(L, 1);
    else
      lua_rawseti(L, -2, ++n);
  }
}

/* Value of a `<<` key (current event): appends each mapping it names to the list at `merges`. */
static int S_merge_value(S_conv *c, int depth, int merges)
{
  lua_State *L = c->L;
  static const char hint[] = "write `<<: *name` or `<<: [*a, *b]` with anchors of mappings";
  yaml_mark_t mark = c->y->event.start_mark;
  int in_list = c->y->event.type == YAML_SEQUENCE_START_EVENT;
  if (in_list && S_count(c, 1, mark) != 0)
    return S_NODE_ERROR;
  for (;;) {
    if (in_list) {
      if (S_next(c) != 0)
        return S_NODE_ERROR;
      if (c->y->event.type == YAML_SEQUENCE_END_EVENT)
        return 0;
      mark = c->y->event.start_mark;
    }
    int kind = S_node(c, depth + 1);
    if (kind == S_NODE_ERROR)
      return S_NODE_ERROR;
    if (kind != S_NODE_MAP)
      return S_fail(c, mark, hint, "the merge key << needs a mapping or a list of mappings");
    lua_rawseti(L, merges, (lua_Integer)lua_rawlen(L, merges) + 1);
    if (!in_list)
      return 0;
  }
}

/* Current event is a mapping start: pushes the table. */
static int S_mapping(S_conv *c, int depth)
{
  lua_State *L = c->L;
  lua_newtable(L);
  int map = lua_gettop(L);
  int merges = 0; /* stack index of the list of merged mappings, once there is one */
  for (;;) {
    if (S_next(c) != 0)
      return S_NODE_ERROR;
    const yaml_event_t *e = &c->y->event;
    if (e->type == YAML_MAPPING_END_EVENT)
      break;
    yaml_mark_t key_mark = e->start_mark;
    if (e->type == YAML_SCALAR_EVENT && e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
        e->data.scalar.tag == NULL && e->data.scalar.length == 2 &&
        memcmp(e->data.scalar.value, "<<", 2) == 0) {
      if (merges == 0) {
        lua_newtable(L);
        merges = lua_gettop(L);
      }
      if (S_count(c, 1, key_mark) != 0 || S_next(c) != 0 || S_merge_value(c, depth, merges) != 0)
        return S_NODE_ERROR;
      continue;
    }
    if (e->type == YAML_SCALAR_EVENT) {
      lua_pushlstring(L, (const char *)e->data.scalar.value, e->data.scalar.length);
    } else if (e->type == YAML_ALIAS_EVENT) {
      int kind = S_alias(c);
      if (kind == S_NODE_ERROR)
        return S_NODE_ERROR;
      if (kind != S_NODE_SCALAR)
        return S_fail(c, key_mark, "use a plain word as the key", "a key must be a single value");
      luaL_tolstring(L, -1, NULL);
      lua_remove(L, -2);
    } else {
      return S_fail(c, key_mark, "use a plain word as the key",
                    "a list or mapping cannot be used as a key");
    }
    if (S_count(c, 1, key_mark) != 0 || S_next(c) != 0)
      return S_NODE_ERROR;
    if (S_node(c, depth + 1) == S_NODE_ERROR)
      return S_NODE_ERROR;
    lua_rawset(L, map); /* a nil value removes the key: duplicate keys, last wins */
  }
  if (merges != 0) { /* merged keys never override the mapping's own */
    lua_Integer n = (lua_Integer)lua_rawlen(L, merges);
    for (lua_Integer i = 1; i <= n; i++) {
      lua_rawgeti(L, merges, i);
      lua_pushnil(L);
      while (lua_next(L, -2) != 0) { /* [source, key, value] */
        lua_pushvalue(L, -2);
        if (lua_rawget(L, map) == LUA_TNIL) {
          lua_pop(L, 1);
          lua_pushvalue(L, -2);
          lua_insert(L, -2);
          lua_rawset(L, map);
        } else {
          lua_pop(L, 2);
        }
      }
      lua_pop(L, 1);
    }
    lua_settop(L, map);
  }
  return S_NODE_MAP;
}

/* Current event starts a node (scalar, alias, sequence, mapping): pushes its value and returns
 * its kind, registering its anchor if it has one. [-0, +1, m] */
static int S_node(S_conv *c, int depth)
{
  lua_State *L = c->L;
  const yaml_event_t *e = &c->y->event;
  if (depth > S_MAX_DEPTH)
    return S_fail(c, e->start_mark, "flatten the data, or move it to a data file",
                  "front matter is nested too deeply (more than %d levels)", S_MAX_DEPTH);
  luaL_checkstack(L, 8, "front matter nesting");
  if (e->type == YAML_ALIAS_EVENT)
    return S_alias(c);
  const yaml_char_t *anchor = e->type == YAML_SCALAR_EVENT           ? e->data.scalar.anchor
                              : e->type == YAML_SEQUENCE_START_EVENT ? e->data.sequence_start.anchor
                              : e->type == YAML_MAPPING_START_EVENT  ? e->data.mapping_start.anchor
                                                                     : NULL;
  int anchored = anchor != NULL;
  if (anchored)
    lua_pushstring(L, (const char *)anchor); /* the event dies before the node ends: copy */
  long before = c->nodes;
  if (S_count(c, 1, e->start_mark) != 0)
    return S_NODE_ERROR;
  int kind;
  switch (e->type) {
  case YAML_SCALAR_EVENT: kind = S_scalar(c); break;
  case YAML_SEQUENCE_START_EVENT: kind = S_sequence(c, depth); break;
  case YAML_MAPPING_START_EVENT: kind = S_mapping(c, depth); break;
  default: return S_fail(c, e->start_mark, NULL, "invalid YAML: unexpected event %d", (int)e->type);
  }
  if (kind == S_NODE_ERROR || !anchored)
    return kind;
  /* [name, value] */
  lua_pushvalue(L, -2);
  lua_pushinteger(L, (lua_Integer)(c->nodes - before) * 4 + kind);
  lua_rawset(L, c->anchor_info);
  lua_pushvalue(L, -2);
  lua_pushvalue(L, -2);
  lua_rawset(L, c->anchors);
  lua_remove(L, -2);
  return kind;
}

static const char *S_kind_name(int kind, int type)
{
  if (kind == S_NODE_SEQ)
    return "a list";
  switch (type) {
  case LUA_TBOOLEAN: return "a boolean";
  case LUA_TNUMBER: return "a number";
  default: return "a string";
  }
}

/* Converts the whole stream: pushes the meta table. */
static int S_document(S_conv *c)
{
  lua_State *L = c->L;
  if (S_next(c) != 0 || S_next(c) != 0) /* stream start, then document start or stream end */
    return S_NODE_ERROR;
  if (c->y->event.type == YAML_STREAM_END_EVENT) { /* empty, or only comments */
    lua_newtable(L);
    return S_NODE_MAP;
  }
  if (S_next(c) != 0)
    return S_NODE_ERROR;
  yaml_mark_t mark = c->y->event.start_mark;
  int kind = S_node(c, 1);
  if (kind == S_NODE_ERROR)
    return S_NODE_ERROR;
  if (kind == S_NODE_NULL) {
    lua_pop(L, 1);
    lua_newtable(L);
  } else if (kind != S_NODE_MAP) {
    return S_fail(c, mark, "write one `key: value` per line",
                  "front matter must be a mapping of keys to values, not %s",
                  S_kind_name(kind, lua_type(L, -1)));
  }
  if (S_next(c) != 0 || S_next(c) != 0) /* document end, then stream end */
    return S_NODE_ERROR;
  if (c->y->event.type != YAML_STREAM_END_EVENT)
    return S_fail(c, c->y->event.start_mark, "keep a single YAML document between the --- lines",
                  "front matter holds more than one YAML document");
  return S_NODE_MAP;
}

/* Pushes nil and { message, line, hint }. [-0, +2, m] */
static int S_push_error(lua_State *L, const char *message, int line, const char *hint)
{
  lua_pushnil(L);
  lua_createtable(L, 0, 3);
  lua_pushstring(L, message);
  lua_setfield(L, -2, "message");
  lua_pushinteger(L, line);
  lua_setfield(L, -2, "line");
  if (hint != NULL) {
    lua_pushstring(L, hint);
    lua_setfield(L, -2, "hint");
  }
  return 2;
}

/* Pushes the text at 1 as a body without front matter: {}, text, 1. [-0, +3, m] */
static int S_push_no_front_matter(lua_State *L)
{
  lua_newtable(L);
  lua_pushvalue(L, 1);
  lua_pushinteger(L, 1);
  return 3;
}

/* folio.frontmatter.parse(text) -> meta, body, body_line [, notice] | nil, { message, line, hint }
 * `notice` ({ message, line, hint }) is set when the block had no opening `---` (see
 * FOLIO_FM_NO_OPENING): it was read as front matter all the same. [-0, +3|4|2, m] */
static int l_parse(lua_State *L)
{
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  folio_fm_split split = folio_frontmatter_split(text, len);
  if (split.status == FOLIO_FM_NONE)
    return S_push_no_front_matter(L);
  if (split.status == FOLIO_FM_UNCLOSED)
    return S_push_error(L, "front matter is not closed", 1, "close it with a line containing only ---");

  S_yaml *y = lua_newuserdatauv(L, sizeof *y, 0);
  memset(y, 0, sizeof *y);
  luaL_setmetatable(L, S_PARSER_META);
  int ud = lua_gettop(L);
  if (!yaml_parser_initialize(&y->parser))
    return luaL_error(L, "out of memory while parsing front matter");
  y->parser_ready = 1;
  yaml_parser_set_input_string(&y->parser, (const unsigned char *)text + split.yaml_offset,
                               split.yaml_len);
  yaml_parser_set_encoding(&y->parser, YAML_UTF8_ENCODING);
  lua_newtable(L);
  lua_newtable(L);
  S_conv c = { .L = L, .y = y, .yaml = text + split.yaml_offset, .yaml_len = split.yaml_len,
               .first_line = split.yaml_line, .anchors = ud + 1, .anchor_info = ud + 2 };
  int kind = S_document(&c);
  S_yaml_release(y);
  if (kind == S_NODE_ERROR) {
    lua_settop(L, ud - 1);
    if (split.status == FOLIO_FM_NO_OPENING) /* not YAML after all: Markdown, as it reads */
      return S_push_no_front_matter(L);
    return S_push_error(L, c.message, c.line, c.hint);
  }
  lua_replace(L, ud); /* [text, meta, anchors, info] */
  lua_settop(L, ud);
  lua_pushlstring(L, text + split.body_offset, len - split.body_offset);
  lua_pushinteger(L, split.body_line);
  if (split.status != FOLIO_FM_NO_OPENING)
    return 3;
  lua_createtable(L, 0, 3);
  lua_pushfstring(L, "front matter without its opening --- line (lines 1-%d): read as front matter",
                  split.body_line - 2);
  lua_setfield(L, -2, "message");
  lua_pushinteger(L, 1);
  lua_setfield(L, -2, "line");
  lua_pushstring(L, "add a line containing only --- above the first line");
  lua_setfield(L, -2, "hint");
  return 4;
}

/* Sets folio.frontmatter = { parse = ... }. [-0, +0, m] */
void lx_open_frontmatter(lua_State *L, int folio)
{
  if (luaL_newmetatable(L, S_PARSER_META)) {
    lua_pushcfunction(L, S_yaml_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_pop(L, 1);
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, l_parse);
  lua_setfield(L, -2, "parse");
  lua_setfield(L, folio, "frontmatter");
}

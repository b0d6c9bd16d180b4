/* lx_ast.c: the Markdown tree in Lua: folio.markdown.{parse, render, to_html}, folio.ast.{new,
 * parse} and the node userdata (fields, navigation, select, walk, editing, render hooks).
 *
 * Ownership (every cmark node is freed exactly once, and no userdata ever sees a freed node):
 * - A tree owner (S_Owner userdata, __gc) owns a document `root` (NULL for fragments made by
 *   folio.ast.new/parse) and a `limbo`: a hidden custom_block whose children are the detached
 *   subtrees (removed, replaced, new, parsed fragments). A cmark node is always in exactly one
 *   tree, rooted at some owner's root or limbo, so each owner freeing its root and limbo frees
 *   every node once. Limbo never shows: parent/next/prev stop there.
 * - A node userdata (S_Node) is {cmark_node *, S_Owner *} and pins its owner (user value 1).
 *   At most one userdata exists per node (weak cache keyed by address), so `==` works.
 * - When a subtree moves between trees of two different owners, the owners pin each other (user
 *   value tables) and from then on live and die together. Hence a node userdata's owner is always
 *   in the same group as the tree holding its node, and a group is freed only when nothing can
 *   reach any of it. Pointers cmark keeps across trees (a footnote reference's definition) stay
 *   valid the same way.
 * - Heading ids live in the heading's cmark user_data (cmark frees them with the node); a
 *   document's user_data holds its render flags.
 * - Lua errors longjmp: C allocations that must survive one (rendered HTML being pushed) sit in
 *   an S_Box userdata whose __gc frees them.
 * Walks, select and children take a snapshot of the nodes first (userdata only for the nodes the
 * caller asked for), then skip the ones that left the subtree meanwhile. Render hooks run in a C
 * post-order walk; render consumes the tree (hook results replace nodes), so a doc should not be
 * used after render (it stays valid and safe, just altered).
 *
 * API notes beyond docs/hooks.md: tasklist `checked` is writable; custom_block/custom_inline have
 * `on_enter`/`on_exit`; insert_before/insert_after/append/prepend return the inserted node,
 * remove and walk return their node; `line` is nil for nodes made by ast.new; header rows are
 * "table_row" too; table rows and cells can be removed but not moved; ast.new cannot make
 * document, table, table_row, table_cell or footnote nodes. render's opts honour raw_html,
 * hardbreaks and tagfilter (the rest are parse options). */
#include "lua/lx.h"
#include "md/markdown.h"
#include <cmark-gfm-core-extensions.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct S_Owner {
  cmark_node *root;  /* document, or NULL */
  cmark_node *limbo; /* custom_block holding detached subtrees, made on demand */
  int dead;          /* set by __gc */
} S_Owner;

typedef struct S_Node {
  cmark_node *node;
  S_Owner *owner; /* the owner userdata pinned as user value 1 */
} S_Node;

typedef struct S_Box {
  char *str; /* malloc'd, freed by __gc if a Lua error interrupted its owner */
} S_Box;

typedef struct S_State {
  int ids_used;           /* some heading got an id: renders must look for them */
  unsigned long serial;   /* for placeholder nonces */
} S_State;

/* Upvalues shared by every binding function. */
enum {
  U_META = 1,   /* node metatable */
  U_CACHE,      /* weak-valued: lightuserdata(cmark_node *) -> node userdata */
  U_NAMES,      /* kind + 1 -> type name */
  U_KINDS,      /* type name -> kind */
  U_MEMBERS,    /* member name -> field id (integer) or method (function) */
  U_OWNERMETA,  /* tree owner metatable */
  U_BOXMETA,    /* S_Box metatable */
  U_STATE,      /* S_State userdata */
  U_COUNT = U_STATE
};
#define UPV(i) lua_upvalueindex(i)

enum {
  F_TYPE, F_LITERAL, F_LEVEL, F_URL, F_TITLE, F_INFO, F_ID, F_CHECKED, F_LIST_TYPE, F_START,
  F_TIGHT, F_LINE, F_END_LINE, F_PARENT, F_NEXT, F_PREV, F_FIRST_CHILD, F_LAST_CHILD,
  F_ON_ENTER, F_ON_EXIT, F_COUNT
};
static const char *const S_field_names[F_COUNT] = {
  "type", "literal", "level", "url", "title", "info", "id", "checked", "list_type", "start",
  "tight", "line", "end_line", "parent", "next", "prev", "first_child", "last_child",
  "on_enter", "on_exit",
};

static const char S_LIMBO_TAG = 'L'; /* user_data of limbo nodes */
#define S_FLAGS_MARK ((uintptr_t)1 << 30) /* document user_data = flags | mark */

/* ---------------------------------------------------------------------------------------------
 * Helpers */

/* Raises "file:line: message" at the Lua code that called the running binding. [-0, +0, v] */
static int S_error(lua_State *L, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  luaL_where(L, 1);
  lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  lua_concat(L, 2);
  return lua_error(L);
}

static int S_is_limbo(cmark_node *n)
{
  return n != NULL && cmark_node_get_type(n) == CMARK_NODE_CUSTOM_BLOCK &&
         cmark_node_get_user_data(n) == &S_LIMBO_TAG;
}

/* The parent Lua sees: NULL for roots and detached nodes. */
static cmark_node *S_parent(cmark_node *n)
{
  cmark_node *p = cmark_node_parent(n);
  return S_is_limbo(p) ? NULL : p;
}

static int S_is_descendant(cmark_node *n, cmark_node *root)
{
  for (cmark_node *p = cmark_node_parent(n); p != NULL; p = cmark_node_parent(p))
    if (p == root)
      return 1;
  return 0;
}

static int S_within(cmark_node *n, cmark_node *root)
{
  return n == root || S_is_descendant(n, root);
}

static cmark_node *S_leftmost_leaf(cmark_node *n)
{
  cmark_node *c;
  while ((c = cmark_node_first_child(n)) != NULL)
    n = c;
  return n;
}

/* The next node after `n` in a pre-order walk of `root`'s subtree, or NULL. */
static cmark_node *S_preorder_next(cmark_node *n, cmark_node *root)
{
  cmark_node *c = cmark_node_first_child(n);
  if (c != NULL)
    return c;
  while (n != root && cmark_node_next(n) == NULL)
    n = cmark_node_parent(n);
  return n == root ? NULL : cmark_node_next(n);
}

static folio_md_kind S_kind(cmark_node *n)
{
  return folio_md_kind_of(n);
}

static const char *S_kind_name(cmark_node *n)
{
  return folio_md_kind_name(S_kind(n));
}

static S_State *S_state(lua_State *L)
{
  return (S_State *)lua_touserdata(L, UPV(U_STATE));
}

static void S_free_id(cmark_mem *mem, void *p)
{
  (void)mem;
  free(p);
}

static const char *S_heading_id(cmark_node *n)
{
  return cmark_node_get_type(n) == CMARK_NODE_HEADING ? (const char *)cmark_node_get_user_data(n)
                                                      : NULL;
}

/* Render flags a document was parsed with. */
static int S_doc_flags(cmark_node *doc)
{
  uintptr_t v = (uintptr_t)cmark_node_get_user_data(doc);
  if (v & S_FLAGS_MARK)
    return (int)(v & ~S_FLAGS_MARK);
  folio_md_options o = FOLIO_MD_OPTIONS_DEFAULT;
  return folio_md_flags(&o);
}

/* ---------------------------------------------------------------------------------------------
 * Boxes: C strings that must be freed even if pushing them raises */

/* [-0, +1, m] */
static S_Box *S_new_box(lua_State *L)
{
  S_Box *box = (S_Box *)lua_newuserdatauv(L, sizeof *box, 0);
  box->str = NULL;
  lua_pushvalue(L, UPV(U_BOXMETA));
  lua_setmetatable(L, -2);
  return box;
}

static int S_box_gc(lua_State *L)
{
  S_Box *box = (S_Box *)lua_touserdata(L, 1);
  if (box != NULL) {
    free(box->str);
    box->str = NULL;
  }
  return 0;
}

/* Pushes `s` (malloc'd) and frees it, even if the push raises. [-0, +1, m] */
static void S_box_push(lua_State *L, S_Box *box, char *s)
{
  box->str = s;
  lua_pushstring(L, s);
  box->str = NULL;
  free(s);
}

/* ---------------------------------------------------------------------------------------------
 * Owners and node userdata */

static int S_owner_gc(lua_State *L)
{
  S_Owner *o = (S_Owner *)lua_touserdata(L, 1);
  if (o == NULL || o->dead)
    return 0;
  o->dead = 1;
  if (o->root != NULL)
    cmark_node_free(o->root);
  if (o->limbo != NULL)
    cmark_node_free(o->limbo);
  o->root = o->limbo = NULL;
  return 0;
}

/* [-0, +1, m] */
static S_Owner *S_new_owner(lua_State *L)
{
  S_Owner *o = (S_Owner *)lua_newuserdatauv(L, sizeof *o, 1);
  o->root = o->limbo = NULL;
  o->dead = 0;
  lua_pushvalue(L, UPV(U_OWNERMETA));
  lua_setmetatable(L, -2);
  return o;
}

static cmark_node *S_limbo(lua_State *L, S_Owner *o)
{
  if (o->limbo == NULL) {
    cmark_node *limbo = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK);
    if (limbo == NULL || !cmark_node_set_user_data(limbo, (void *)&S_LIMBO_TAG)) {
      if (limbo != NULL)
        cmark_node_free(limbo);
      S_error(L, "out of memory");
    }
    o->limbo = limbo;
  }
  return o->limbo;
}

/* Moves `n` (not a document) out of its tree into `o`'s limbo. [-0, +0, e] */
static void S_detach(lua_State *L, S_Owner *o, cmark_node *n)
{
  cmark_node *limbo = S_limbo(L, o);
  if (cmark_node_parent(n) == limbo)
    return;
  if (!cmark_node_append_child(limbo, n))
    S_error(L, "cannot detach a %s node", S_kind_name(n));
}

/* Pushes the userdata of `n` (nil for NULL), made with the owner at `owner` if new. [-0, +1, m] */
static void S_push_node(lua_State *L, cmark_node *n, int owner)
{
  if (n == NULL) {
    lua_pushnil(L);
    return;
  }
  if (lua_rawgetp(L, UPV(U_CACHE), n) != LUA_TNIL)
    return;
  lua_pop(L, 1);
  owner = lua_absindex(L, owner);
  S_Node *w = (S_Node *)lua_newuserdatauv(L, sizeof *w, 1);
  w->node = n;
  w->owner = (S_Owner *)lua_touserdata(L, owner);
  lua_pushvalue(L, UPV(U_META));
  lua_setmetatable(L, -2);
  lua_pushvalue(L, owner);
  lua_setiuservalue(L, -2, 1);
  lua_pushvalue(L, -1);
  lua_rawsetp(L, UPV(U_CACHE), n);
}

/* Pushes the userdata of `n`, a node in the same group as the node userdata at `rel`.
 * [-0, +1, m] */
static void S_push_related(lua_State *L, cmark_node *n, int rel)
{
  if (n == NULL) {
    lua_pushnil(L);
    return;
  }
  lua_getiuservalue(L, rel, 1);
  S_push_node(L, n, -1);
  lua_remove(L, -2);
}

static S_Node *S_test(lua_State *L, int idx)
{
  S_Node *w = (S_Node *)lua_touserdata(L, idx);
  if (w == NULL || !lua_getmetatable(L, idx))
    return NULL;
  int ok = lua_rawequal(L, -1, UPV(U_META));
  lua_pop(L, 1);
  return ok ? w : NULL;
}

static void S_check_alive(lua_State *L, S_Node *w)
{
  if (w->owner == NULL || w->owner->dead)
    S_error(L, "node used after its document was freed");
}

/* [-0, +0, v] */
static S_Node *S_check(lua_State *L, int idx)
{
  S_Node *w = S_test(L, idx);
  if (w == NULL)
    luaL_typeerror(L, idx, "folio node");
  S_check_alive(L, w);
  return w;
}

/* Makes the owners at `a` and `b` pin each other: they now live and die together. [-0, +0, m] */
static void S_pin(lua_State *L, int a, int b)
{
  if (lua_getiuservalue(L, a, 1) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, a, 1);
  }
  lua_pushvalue(L, b);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

/* Joins the groups of the node userdata at `x` and `y` (a subtree moved between them). */
static void S_join(lua_State *L, int x, int y)
{
  x = lua_absindex(L, x);
  y = lua_absindex(L, y);
  lua_getiuservalue(L, x, 1);
  lua_getiuservalue(L, y, 1);
  int a = lua_absindex(L, -2), b = lua_absindex(L, -1);
  if (!lua_rawequal(L, a, b)) {
    S_pin(L, a, b);
    S_pin(L, b, a);
  }
  lua_pop(L, 2);
}

/* ---------------------------------------------------------------------------------------------
 * Plain text */

static int S_is_block(cmark_node *n)
{
  return (cmark_node_get_type(n) & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_BLOCK;
}

/* Adds the plain text of `root`'s subtree: text, code and code block literals; a break is a
 * space (soft) or a newline (hard); blocks are separated by newlines. [-?, +?, m] */
static void S_add_plain(luaL_Buffer *b, cmark_node *root)
{
  int sep = 0;
  for (cmark_node *n = root; n != NULL; n = S_preorder_next(n, root)) {
    const char *s = NULL;
    if (n != root && S_is_block(n) && luaL_bufflen(b) > 0)
      sep = 1;
    switch (S_kind(n)) {
    case FOLIO_MD_TEXT:
    case FOLIO_MD_CODE:
    case FOLIO_MD_CODE_BLOCK:
      s = cmark_node_get_literal(n);
      break;
    case FOLIO_MD_SOFTBREAK: s = " "; break;
    case FOLIO_MD_LINEBREAK: s = "\n"; break;
    default: break;
    }
    if (s != NULL && *s != '\0') {
      if (sep)
        luaL_addchar(b, '\n');
      sep = 0;
      luaL_addstring(b, s);
    }
  }
}

/* [-0, +1, m] */
static void S_push_plain(lua_State *L, cmark_node *root)
{
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  S_add_plain(&b, root);
  luaL_pushresult(&b);
}

/* ---------------------------------------------------------------------------------------------
 * Fields */

static int S_field_applies(int f, folio_md_kind k)
{
  switch (f) {
  case F_LITERAL:
    return k == FOLIO_MD_TEXT || k == FOLIO_MD_CODE || k == FOLIO_MD_CODE_BLOCK ||
           k == FOLIO_MD_HTML_BLOCK || k == FOLIO_MD_HTML_INLINE;
  case F_LEVEL: case F_ID: return k == FOLIO_MD_HEADING;
  case F_URL: case F_TITLE: return k == FOLIO_MD_LINK || k == FOLIO_MD_IMAGE;
  case F_INFO: return k == FOLIO_MD_CODE_BLOCK;
  case F_CHECKED: return k == FOLIO_MD_TASKLIST;
  case F_LIST_TYPE: case F_START: case F_TIGHT: return k == FOLIO_MD_LIST;
  case F_ON_ENTER: case F_ON_EXIT: return k == FOLIO_MD_CUSTOM_BLOCK || k == FOLIO_MD_CUSTOM_INLINE;
  default: return 1;
  }
}

static void S_push_cstr(lua_State *L, const char *s)
{
  lua_pushstring(L, s != NULL ? s : "");
}

static void S_push_line(lua_State *L, int line)
{
  if (line > 0)
    lua_pushinteger(L, line);
  else
    lua_pushnil(L);
}

/* Pushes field `f` of the node userdata at `idx`. [-0, +1, m] */
static void S_get_field(lua_State *L, int idx, S_Node *w, int f)
{
  cmark_node *n = w->node;
  folio_md_kind k = S_kind(n);
  if (!S_field_applies(f, k)) {
    lua_pushnil(L);
    return;
  }
  switch (f) {
  case F_TYPE: lua_rawgeti(L, UPV(U_NAMES), (lua_Integer)k + 1); break;
  case F_LITERAL: S_push_cstr(L, cmark_node_get_literal(n)); break;
  case F_LEVEL: lua_pushinteger(L, cmark_node_get_heading_level(n)); break;
  case F_URL: S_push_cstr(L, cmark_node_get_url(n)); break;
  case F_TITLE: S_push_cstr(L, cmark_node_get_title(n)); break;
  case F_INFO: S_push_cstr(L, cmark_node_get_fence_info(n)); break;
  case F_ID: {
    const char *id = S_heading_id(n);
    if (id != NULL)
      lua_pushstring(L, id);
    else
      lua_pushnil(L);
    break;
  }
  case F_CHECKED: lua_pushboolean(L, cmark_gfm_extensions_get_tasklist_item_checked(n)); break;
  case F_LIST_TYPE:
    lua_pushstring(L, cmark_node_get_list_type(n) == CMARK_ORDERED_LIST ? "ordered" : "bullet");
    break;
  case F_START: lua_pushinteger(L, cmark_node_get_list_start(n)); break;
  case F_TIGHT: lua_pushboolean(L, cmark_node_get_list_tight(n)); break;
  case F_LINE: S_push_line(L, cmark_node_get_start_line(n)); break;
  case F_END_LINE: S_push_line(L, cmark_node_get_end_line(n)); break;
  case F_PARENT: S_push_related(L, S_parent(n), idx); break;
  case F_NEXT: S_push_related(L, S_parent(n) ? cmark_node_next(n) : NULL, idx); break;
  case F_PREV: S_push_related(L, S_parent(n) ? cmark_node_previous(n) : NULL, idx); break;
  case F_FIRST_CHILD: S_push_related(L, cmark_node_first_child(n), idx); break;
  case F_LAST_CHILD: S_push_related(L, cmark_node_last_child(n), idx); break;
  case F_ON_ENTER: S_push_cstr(L, cmark_node_get_on_enter(n)); break;
  case F_ON_EXIT: S_push_cstr(L, cmark_node_get_on_exit(n)); break;
  default: lua_pushnil(L); break;
  }
}

static const char *S_value_string(lua_State *L, int v, const char *key)
{
  if (lua_type(L, v) != LUA_TSTRING)
    S_error(L, "field '%s' must be a string (got %s)", key, luaL_typename(L, v));
  return lua_tostring(L, v);
}

static int S_value_boolean(lua_State *L, int v, const char *key)
{
  if (lua_type(L, v) != LUA_TBOOLEAN)
    S_error(L, "field '%s' must be a boolean (got %s)", key, luaL_typename(L, v));
  return lua_toboolean(L, v);
}

static lua_Integer S_value_integer(lua_State *L, int v, const char *key)
{
  int isnum = 0;
  lua_Integer i = lua_tointegerx(L, v, &isnum);
  if (!isnum || lua_type(L, v) != LUA_TNUMBER)
    S_error(L, "field '%s' must be an integer (got %s)", key, luaL_typename(L, v));
  return i;
}

/* Sets heading `n`'s id to a copy of `id` (NULL: no id), as `h.id = ...` does. [-0, +0, e] */
static void S_set_heading_id(lua_State *L, cmark_node *n, const char *id)
{
  char *copy = NULL;
  if (id != NULL) {
    size_t len = strlen(id);
    copy = (char *)malloc(len + 1);
    if (copy == NULL)
      S_error(L, "out of memory");
    memcpy(copy, id, len + 1);
  }
  void *old = cmark_node_get_user_data(n);
  if (!cmark_node_set_user_data(n, copy) || !cmark_node_set_user_data_free_func(n, S_free_id)) {
    free(copy);
    S_error(L, "cannot set the id");
  }
  free(old);
  if (copy != NULL)
    S_state(L)->ids_used = 1;
}

/* Sets field `f` (named `key`) of node `w` to the value at `v`. [-0, +0, e] */
static void S_set_field(lua_State *L, S_Node *w, int f, const char *key, int v)
{
  cmark_node *n = w->node;
  folio_md_kind k = S_kind(n);
  switch (f) {
  case F_TYPE: case F_LINE: case F_END_LINE: case F_PARENT: case F_NEXT: case F_PREV:
  case F_FIRST_CHILD: case F_LAST_CHILD:
    S_error(L, "field '%s' is read-only", key);
    return;
  default: break;
  }
  if (!S_field_applies(f, k))
    S_error(L, "field '%s' does not apply to a %s node", key, folio_md_kind_name(k));
  int ok = 1;
  switch (f) {
  case F_LITERAL: ok = cmark_node_set_literal(n, S_value_string(L, v, key)); break;
  case F_LEVEL: {
    lua_Integer level = S_value_integer(L, v, key);
    if (level < 1 || level > 6)
      S_error(L, "heading level must be 1 to 6 (got %I)", level);
    ok = cmark_node_set_heading_level(n, (int)level);
    break;
  }
  case F_URL: ok = cmark_node_set_url(n, S_value_string(L, v, key)); break;
  case F_TITLE: ok = cmark_node_set_title(n, S_value_string(L, v, key)); break;
  case F_INFO: ok = cmark_node_set_fence_info(n, S_value_string(L, v, key)); break;
  case F_ID:
    S_set_heading_id(L, n, lua_isnil(L, v) ? NULL : S_value_string(L, v, key));
    break;
  case F_CHECKED:
    ok = cmark_gfm_extensions_set_tasklist_item_checked(n, S_value_boolean(L, v, key));
    break;
  case F_LIST_TYPE: {
    const char *s = S_value_string(L, v, key);
    if (strcmp(s, "bullet") == 0)
      ok = cmark_node_set_list_type(n, CMARK_BULLET_LIST);
    else if (strcmp(s, "ordered") == 0)
      ok = cmark_node_set_list_type(n, CMARK_ORDERED_LIST);
    else
      S_error(L, "list_type must be \"bullet\" or \"ordered\" (got \"%s\")", s);
    if (ok && cmark_node_get_list_type(n) == CMARK_ORDERED_LIST &&
        cmark_node_get_list_delim(n) == CMARK_NO_DELIM)
      cmark_node_set_list_delim(n, CMARK_PERIOD_DELIM);
    break;
  }
  case F_START: {
    lua_Integer start = S_value_integer(L, v, key);
    if (start < 0 || start > 999999999)
      S_error(L, "list start must be 0 to 999999999");
    ok = cmark_node_set_list_start(n, (int)start);
    break;
  }
  case F_TIGHT: ok = cmark_node_set_list_tight(n, S_value_boolean(L, v, key)); break;
  case F_ON_ENTER: ok = cmark_node_set_on_enter(n, S_value_string(L, v, key)); break;
  case F_ON_EXIT: ok = cmark_node_set_on_exit(n, S_value_string(L, v, key)); break;
  default: ok = 0; break;
  }
  if (!ok)
    S_error(L, "cannot set field '%s' of a %s node", key, folio_md_kind_name(k));
}

/* node.key [-0, +1, e] */
static int l_node_index(lua_State *L)
{
  S_Node *w = S_check(L, 1);
  lua_pushvalue(L, 2);
  int t = lua_rawget(L, UPV(U_MEMBERS));
  if (t == LUA_TNUMBER) {
    int f = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    S_get_field(L, 1, w, f);
  } else if (t != LUA_TFUNCTION) {
    lua_pushnil(L);
  }
  return 1;
}

/* node.key = value [-0, +0, e] */
static int l_node_newindex(lua_State *L)
{
  S_Node *w = S_check(L, 1);
  const char *key = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : NULL;
  if (key == NULL)
    return S_error(L, "node fields are named by strings (got %s)", luaL_typename(L, 2));
  lua_pushvalue(L, 2);
  int t = lua_rawget(L, UPV(U_MEMBERS));
  if (t == LUA_TFUNCTION)
    return S_error(L, "cannot assign to method '%s'", key);
  if (t != LUA_TNUMBER)
    return S_error(L, "node has no field '%s'", key);
  int f = (int)lua_tointeger(L, -1);
  lua_pop(L, 1);
  S_set_field(L, w, f, key, 3);
  return 0;
}

/* tostring(node) [-0, +1, m] */
static int l_node_tostring(lua_State *L)
{
  S_Node *w = S_test(L, 1);
  if (w == NULL || w->owner->dead)
    lua_pushliteral(L, "folio.node (freed)");
  else
    lua_pushfstring(L, "folio.node: %s (%p)", S_kind_name(w->node), (void *)w->node);
  return 1;
}

/* ---------------------------------------------------------------------------------------------
 * Iteration: children, select */

/* Iterator over a snapshot list (upvalue 1) from position upvalue 2, keeping nodes still in
 * `root` (upvalue 3): its children (upvalue 4 true) or descendants, that pass the predicate
 * (upvalue 5, may be nil). [-0, +1, e] */
static int S_iter_next(lua_State *L)
{
  lua_Integer i = lua_tointeger(L, UPV(2));
  S_Node *root = (S_Node *)lua_touserdata(L, UPV(3));
  int children = lua_toboolean(L, UPV(4));
  int has_pred = !lua_isnil(L, UPV(5));
  for (;;) {
    lua_settop(L, 0);
    if (lua_rawgeti(L, UPV(1), ++i) == LUA_TNIL) {
      lua_pushinteger(L, i - 1);
      lua_replace(L, UPV(2));
      return 0;
    }
    lua_pushinteger(L, i);
    lua_replace(L, UPV(2));
    S_Node *w = (S_Node *)lua_touserdata(L, 1);
    if (root->owner->dead || w->owner->dead)
      return S_error(L, "node used after its document was freed");
    if (children ? cmark_node_parent(w->node) != root->node : !S_is_descendant(w->node, root->node))
      continue;
    if (has_pred) {
      lua_pushvalue(L, UPV(5));
      lua_pushvalue(L, 1);
      lua_call(L, 1, 1);
      if (!lua_toboolean(L, -1))
        continue;
      lua_pop(L, 1);
    }
    return 1;
  }
}

/* Pushes an iterator over the list on top (popped), for the node userdata at 1. [-1, +1, m] */
static void S_push_iterator(lua_State *L, int children, int pred)
{
  lua_pushinteger(L, 0);
  lua_pushvalue(L, 1);
  lua_pushboolean(L, children);
  if (pred)
    lua_pushvalue(L, pred);
  else
    lua_pushnil(L);
  lua_pushcclosure(L, S_iter_next, 5);
}

/* node:children() -> iterator [-0, +1, e] */
static int l_node_children(lua_State *L)
{
  S_Node *w = S_check(L, 1);
  lua_settop(L, 1);
  lua_newtable(L);
  lua_getiuservalue(L, 1, 1); /* 3: owner */
  lua_Integer n = 0;
  for (cmark_node *c = cmark_node_first_child(w->node); c != NULL; c = cmark_node_next(c)) {
    S_push_node(L, c, 3);
    lua_rawseti(L, 2, ++n);
  }
  lua_pop(L, 1);
  S_push_iterator(L, 1, 0);
  return 1;
}

/* The kind named by the string at `idx`, or an error naming `what`. */
static folio_md_kind S_check_kind(lua_State *L, int idx, const char *what)
{
  lua_pushvalue(L, idx);
  int isnum = 0;
  lua_rawget(L, UPV(U_KINDS));
  lua_Integer k = lua_tointegerx(L, -1, &isnum);
  lua_pop(L, 1);
  if (!isnum)
    S_error(L, "%s: unknown node type '%s'", what, lua_tostring(L, idx));
  return (folio_md_kind)k;
}

/* node:select(type | predicate) -> iterator over descendants, document order [-0, +1, e] */
static int l_node_select(lua_State *L)
{
  S_Node *w = S_check(L, 1);
  lua_settop(L, 2);
  int pred = 0;
  folio_md_kind want = FOLIO_MD_UNKNOWN;
  if (lua_type(L, 2) == LUA_TSTRING)
    want = S_check_kind(L, 2, "select");
  else if (lua_isfunction(L, 2))
    pred = 2;
  else
    return S_error(L, "select: expected a node type name or a function (got %s)",
                   luaL_typename(L, 2));
  lua_newtable(L);            /* 3: snapshot */
  lua_getiuservalue(L, 1, 1); /* 4: owner */
  lua_Integer n = 0;
  cmark_node *root = w->node;
  for (cmark_node *c = S_preorder_next(root, root); c != NULL; c = S_preorder_next(c, root)) {
    if (pred || S_kind(c) == want) {
      S_push_node(L, c, 4);
      lua_rawseti(L, 3, ++n);
    }
  }
  lua_pop(L, 1);
  S_push_iterator(L, 0, pred);
  return 1;
}

/* node:heading_ids([lo, hi]) -> list: gives each heading of the subtree that has no id the id
 * folio.heading_id makes of its plain text, unique among the ids of the headings before it in
 * document order (an id a heading already has counts from where that heading stands), and
 * returns the headings whose level is in lo..hi (default 1..6), in document order, as
 * { level =, id =, text = } (text: the plain text). The anchors plugin's ids and table of
 * contents in one call, without a node userdata, a text() and an id per heading. [-0, +1, e] */
static int l_node_heading_ids(lua_State *L)
{
  S_Node *w = S_check(L, 1);
  lua_Integer lo = luaL_optinteger(L, 2, 1), hi = luaL_optinteger(L, 3, 6);
  lua_settop(L, 3);
  lua_newtable(L); /* 4: the ids used so far */
  lua_newtable(L); /* 5: the list */
  lua_Integer count = 0;
  cmark_node *root = w->node;
  for (cmark_node *c = root; c != NULL; c = S_preorder_next(c, root)) {
    if (S_kind(c) != FOLIO_MD_HEADING)
      continue;
    S_push_plain(L, c); /* 6: its text */
    const char *id = S_heading_id(c);
    if (id != NULL) {
      lua_pushstring(L, id); /* 7 */
      lua_pushvalue(L, 7);
      lua_pushboolean(L, 1);
      lua_rawset(L, 4);
    } else {
      size_t len;
      const char *text = lua_tolstring(L, 6, &len);
      lx_push_heading_id(L, text, len, 4); /* 7 */
      S_set_heading_id(L, c, lua_tostring(L, 7));
    }
    int level = cmark_node_get_heading_level(c);
    if (level >= lo && level <= hi) {
      lua_createtable(L, 0, 3);
      lua_pushinteger(L, level);
      lua_setfield(L, -2, "level");
      lua_pushvalue(L, 7);
      lua_setfield(L, -2, "id");
      lua_pushvalue(L, 6);
      lua_setfield(L, -2, "text");
      lua_rawseti(L, 5, ++count);
    }
    lua_settop(L, 5);
  }
  return 1;
}

/* node:text() -> plain text of the subtree [-0, +1, m] */
static int l_node_text(lua_State *L)
{
  S_Node *w = S_check(L, 1);
  S_push_plain(L, w->node);
  return 1;
}

/* The node after the run of adjacent text nodes that starts at `n`. */
static cmark_node *S_after_text_run(cmark_node *n)
{
  while (n != NULL && S_kind(n) == FOLIO_MD_TEXT)
    n = cmark_node_next(n);
  return n;
}

/* node:rewrite_text(fn [, needle]) -> node. For every run of adjacent text nodes in the subtree
 * (the parser splits text at some characters), as one string: fn(text, url), `url` being the
 * URL of the link the run is in (nil outside links); a string returned replaces the run (it
 * becomes the literal of its first node, the others are removed). With `needle`, only runs that
 * contain it are passed to fn. Unlike select, no node userdata are made: for plugins that change
 * words in the text of every page (emoji). [-0, +1, e] */
static int l_node_rewrite_text(lua_State *L)
{
  S_Node *w = S_check(L, 1);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  size_t needle_len = 0;
  const char *needle = luaL_optlstring(L, 3, NULL, &needle_len);
  lua_settop(L, 3);
  lua_getiuservalue(L, 1, 1); /* 4: owner */
  S_Owner *owner = (S_Owner *)lua_touserdata(L, 4);
  /* the first node of each run, found before anything changes (in a userdata: freed on error) */
  size_t count = 0;
  for (cmark_node *n = w->node; n != NULL; n = S_preorder_next(n, w->node))
    if (S_kind(n) == FOLIO_MD_TEXT && (cmark_node_previous(n) == NULL || S_kind(cmark_node_previous(n)) != FOLIO_MD_TEXT))
      count++;
  cmark_node **runs = (cmark_node **)lua_newuserdatauv(L, (count ? count : 1) * sizeof *runs, 0); /* 5 */
  size_t k = 0;
  for (cmark_node *n = w->node; n != NULL && k < count; n = S_preorder_next(n, w->node))
    if (S_kind(n) == FOLIO_MD_TEXT && (cmark_node_previous(n) == NULL || S_kind(cmark_node_previous(n)) != FOLIO_MD_TEXT))
      runs[k++] = n;
  for (size_t i = 0; i < count; i++) {
    cmark_node *first = runs[i], *end = S_after_text_run(first);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (cmark_node *n = first; n != end; n = cmark_node_next(n)) {
      const char *lit = cmark_node_get_literal(n);
      if (lit != NULL)
        luaL_addstring(&b, lit);
    }
    luaL_pushresult(&b); /* 6: text */
    size_t len;
    const char *text = lua_tolstring(L, -1, &len);
    if (needle != NULL && (needle_len > len || memmem(text, len, needle, needle_len) == NULL)) {
      lua_pop(L, 1);
      continue;
    }
    cmark_node *parent = cmark_node_parent(first);
    lua_pushvalue(L, 2);
    lua_pushvalue(L, -2);
    if (parent != NULL && S_kind(parent) == FOLIO_MD_LINK)
      lua_pushstring(L, cmark_node_get_url(parent));
    else
      lua_pushnil(L);
    lua_call(L, 2, 1);
    if (lua_type(L, -1) == LUA_TSTRING) {
      if (!cmark_node_set_literal(first, lua_tostring(L, -1)))
        return S_error(L, "rewrite_text: cannot set the text");
      for (cmark_node *n = cmark_node_next(first); n != end;) {
        cmark_node *next = cmark_node_next(n);
        S_detach(L, owner, n);
        n = next;
      }
    } else if (!lua_isnil(L, -1)) {
      return S_error(L, "rewrite_text: the function must return a string or nil (got %s)", luaL_typename(L, -1));
    }
    lua_pop(L, 2);
  }
  lua_settop(L, 1);
  return 1;
}

/* ---------------------------------------------------------------------------------------------
 * Editing */

static int S_movable(cmark_node *n)
{
  folio_md_kind k = S_kind(n);
  /* A table cell's alignment is looked up by its position in a row of its own table: moving rows
   * or cells could index past the table's alignments, so they only stay or go. */
  return k != FOLIO_MD_TABLE_ROW && k != FOLIO_MD_TABLE_CELL && k != FOLIO_MD_DOCUMENT;
}

/* Raises unless the node userdata at `item` may become a child of `parent`. */
static void S_check_insert(lua_State *L, cmark_node *parent, int item, const char *what)
{
  cmark_node *n = ((S_Node *)lua_touserdata(L, item))->node;
  if (!S_movable(n))
    S_error(L, "%s: a %s node cannot be moved", what, S_kind_name(n));
  if (S_within(parent, n))
    S_error(L, "%s: cannot put a node inside itself", what);
  if (!folio_md_can_contain(parent, cmark_node_get_type(n)))
    S_error(L, "%s: a %s node cannot go inside a %s node", what, S_kind_name(n),
            S_kind_name(parent));
}

/* Replaces the node userdata at `target` by the node userdata at stack positions first ..
 * first+count-1, in order; the target stays if it is among them, else it is detached.
 * Everything is checked before anything changes. [-0, +0, e] */
static void S_splice(lua_State *L, int target, int first, int count, const char *what)
{
  S_Node *t = (S_Node *)lua_touserdata(L, target);
  cmark_node *parent = S_parent(t->node);
  if (parent == NULL)
    S_error(L, "%s: the %s node has no parent", what, S_kind_name(t->node));
  for (int i = 0; i < count; i++) {
    S_Node *item = S_check(L, first + i);
    if (item->node != t->node)
      S_check_insert(L, parent, first + i, what);
  }
  int after = 0, kept = 0;
  cmark_node *cursor = t->node;
  for (int i = 0; i < count; i++) {
    cmark_node *n = ((S_Node *)lua_touserdata(L, first + i))->node;
    if (n == t->node) {
      kept = after = 1;
      cursor = n;
      continue;
    }
    if (after && n == cursor)
      continue;
    int ok = after ? cmark_node_insert_after(cursor, n) : cmark_node_insert_before(t->node, n);
    if (!ok)
      S_error(L, "%s: a %s node cannot go there", what, S_kind_name(n));
    if (after)
      cursor = n;
    S_join(L, target, first + i);
  }
  if (!kept)
    S_detach(L, t->owner, t->node);
}

/* node:insert_before(n), node:insert_after(n) -> n [-0, +1, e] */
static int S_insert_sibling(lua_State *L, int after, const char *what)
{
  S_check(L, 1);
  S_Node *n = S_check(L, 2);
  lua_settop(L, 2);
  if (n->node == ((S_Node *)lua_touserdata(L, 1))->node)
    return S_error(L, "%s: cannot insert a node next to itself", what);
  lua_pushvalue(L, after ? 1 : 2);
  lua_pushvalue(L, after ? 2 : 1);
  S_splice(L, 1, 3, 2, what);
  lua_settop(L, 2);
  return 1;
}

static int l_node_insert_before(lua_State *L)
{
  return S_insert_sibling(L, 0, "insert_before");
}

static int l_node_insert_after(lua_State *L)
{
  return S_insert_sibling(L, 1, "insert_after");
}

/* node:append(n), node:prepend(n) -> n [-0, +1, e] */
static int S_insert_child(lua_State *L, int append, const char *what)
{
  S_Node *p = S_check(L, 1);
  S_Node *n = S_check(L, 2);
  lua_settop(L, 2);
  S_check_insert(L, p->node, 2, what);
  int ok = append ? cmark_node_append_child(p->node, n->node)
                  : cmark_node_prepend_child(p->node, n->node);
  if (!ok)
    return S_error(L, "%s: a %s node cannot go inside a %s node", what, S_kind_name(n->node),
                   S_kind_name(p->node));
  S_join(L, 1, 2);
  return 1;
}

static int l_node_append(lua_State *L)
{
  return S_insert_child(L, 1, "append");
}

static int l_node_prepend(lua_State *L)
{
  return S_insert_child(L, 0, "prepend");
}

/* node:remove() -> node (detached; a no-op for roots and detached nodes) [-0, +1, e] */
static int l_node_remove(lua_State *L)
{
  S_Node *w = S_check(L, 1);
  lua_settop(L, 1);
  if (S_parent(w->node) != NULL)
    S_detach(L, w->owner, w->node);
  return 1;
}

/* ---------------------------------------------------------------------------------------------
 * walk */

/* node:walk(filter [, page]) -> node. Runs filter[type](n, page) on every node of the subtree
 * (children before parents) that was there when the walk began and still is. [-0, +1, e] */
static int l_node_walk(lua_State *L)
{
  S_Node *root = S_check(L, 1);
  if (!lua_istable(L, 2))
    return S_error(L, "walk: expected a filter table (got %s)", luaL_typename(L, 2));
  lua_settop(L, 3);
  char want[FOLIO_MD_KIND_COUNT] = { 0 };
  int any = 0;
  lua_pushnil(L);
  while (lua_next(L, 2) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING)
      return S_error(L, "walk: filter keys must be node type names (got %s)", luaL_typename(L, -2));
    folio_md_kind k = S_check_kind(L, lua_absindex(L, -2), "walk");
    if (!lua_isfunction(L, -1))
      return S_error(L, "walk: filter for '%s' must be a function (got %s)", lua_tostring(L, -2),
                     luaL_typename(L, -1));
    want[k] = 1;
    any = 1;
    lua_pop(L, 1);
  }
  if (!any) {
    lua_settop(L, 1);
    return 1;
  }
  lua_newtable(L);            /* 4: snapshot, post-order */
  lua_getiuservalue(L, 1, 1); /* 5: owner */
  lua_Integer count = 0;
  cmark_node *top = root->node;
  for (cmark_node *n = S_leftmost_leaf(top);;) {
    if (want[S_kind(n)]) {
      S_push_node(L, n, 5);
      lua_rawseti(L, 4, ++count);
    }
    if (n == top)
      break;
    cmark_node *next = cmark_node_next(n);
    n = next != NULL ? S_leftmost_leaf(next) : cmark_node_parent(n);
  }
  for (lua_Integer i = 1; i <= count; i++) {
    lua_settop(L, 5);
    lua_rawgeti(L, 4, i); /* 6: node */
    S_Node *w = (S_Node *)lua_touserdata(L, 6);
    S_check_alive(L, w);
    S_check_alive(L, root);
    if (!S_within(w->node, root->node))
      continue;
    const char *type = S_kind_name(w->node);
    if (lua_getfield(L, 2, type) != LUA_TFUNCTION) /* 7: the filter function */
      continue;
    lua_pushvalue(L, 6);
    lua_pushvalue(L, 3);
    lua_call(L, 2, 1); /* 7: result */
    S_check_alive(L, w);
    S_check_alive(L, root);
    switch (lua_type(L, 7)) {
    case LUA_TNIL:
      break;
    case LUA_TUSERDATA: {
      S_Node *r = S_test(L, 7);
      if (r == NULL)
        return S_error(L, "walk: the %s filter returned a userdata that is not a node", type);
      if (r->node != w->node)
        S_splice(L, 6, 7, 1, "walk");
      break;
    }
    case LUA_TTABLE: {
      lua_Integer len = (lua_Integer)lua_rawlen(L, 7);
      if (len == 0) {
        if (S_parent(w->node) != NULL)
          S_detach(L, w->owner, w->node);
        break;
      }
      if (len > 100000 || !lua_checkstack(L, (int)len + 8))
        return S_error(L, "walk: the %s filter returned too many nodes", type);
      for (lua_Integer j = 1; j <= len; j++) {
        lua_rawgeti(L, 7, j);
        if (S_test(L, -1) == NULL)
          return S_error(L, "walk: item %d of the list the %s filter returned is a %s, not a node",
                         (int)j, type, luaL_typename(L, -1));
      }
      S_splice(L, 6, 8, (int)len, "walk");
      break;
    }
    default:
      return S_error(L, "walk: the %s filter returned a %s (expected nil, a node or a list of "
                     "nodes)", type, luaL_typename(L, 7));
    }
  }
  lua_settop(L, 1);
  return 1;
}

/* ---------------------------------------------------------------------------------------------
 * Options and parsing */

static void S_opt_bool(lua_State *L, int idx, const char *key, bool *out)
{
  if (lua_getfield(L, idx, key) != LUA_TNIL)
    *out = lua_toboolean(L, -1);
  lua_pop(L, 1);
}

/* Reads an optional options table at `idx` (other keys are ignored). [-0, +0, e] */
static void S_read_options(lua_State *L, int idx, folio_md_options *o)
{
  folio_md_options d = FOLIO_MD_OPTIONS_DEFAULT;
  *o = d;
  if (lua_isnoneornil(L, idx))
    return;
  if (!lua_istable(L, idx))
    S_error(L, "markdown options must be a table (got %s)", luaL_typename(L, idx));
  S_opt_bool(L, idx, "smart", &o->smart);
  S_opt_bool(L, idx, "hardbreaks", &o->hardbreaks);
  S_opt_bool(L, idx, "raw_html", &o->raw_html);
  S_opt_bool(L, idx, "autolink", &o->autolink);
  S_opt_bool(L, idx, "footnotes", &o->footnotes);
  S_opt_bool(L, idx, "tagfilter", &o->tagfilter);
}

/* Parses the string at 1 with the options at 2 into a new owner. Pushes the owner.
 * [-0, +1, e] */
static S_Owner *S_parse_into_owner(lua_State *L, int *flags)
{
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  folio_md_options o;
  S_read_options(L, 2, &o);
  S_Owner *owner = S_new_owner(L);
  cmark_node *doc = folio_md_parse(text, len, &o);
  if (doc == NULL)
    S_error(L, "out of memory");
  owner->root = doc;
  *flags = folio_md_flags(&o);
  if (!cmark_node_set_user_data(doc, (void *)((uintptr_t)*flags | S_FLAGS_MARK)))
    S_error(L, "cannot set up the document");
  return owner;
}

/* folio.markdown.parse(text [, opts]) -> document node [-0, +1, e] */
static int l_markdown_parse(lua_State *L)
{
  int flags;
  lua_settop(L, 2);
  S_Owner *owner = S_parse_into_owner(L, &flags);
  S_push_node(L, owner->root, 3);
  return 1;
}

/* folio.ast.parse(text [, opts]) -> list of detached block nodes [-0, +1, e] */
static int l_ast_parse(lua_State *L)
{
  int flags;
  lua_settop(L, 2);
  S_Owner *owner = S_parse_into_owner(L, &flags); /* 3 */
  cmark_node *limbo = S_limbo(L, owner);
  cmark_node *c;
  while ((c = cmark_node_first_child(owner->root)) != NULL)
    if (!cmark_node_append_child(limbo, c))
      return S_error(L, "ast.parse: cannot detach a %s node", S_kind_name(c));
  lua_newtable(L);
  lua_Integer n = 0;
  for (c = cmark_node_first_child(limbo); c != NULL; c = cmark_node_next(c)) {
    S_push_node(L, c, 3);
    lua_rawseti(L, -2, ++n);
  }
  return 1;
}

/* folio.ast.new(type [, fields]) -> detached node [-0, +1, e] */
static int l_ast_new(lua_State *L)
{
  luaL_checkstring(L, 1);
  folio_md_kind kind = S_check_kind(L, 1, "ast.new");
  lua_settop(L, 2);
  if (!lua_isnil(L, 2) && !lua_istable(L, 2))
    return S_error(L, "ast.new: fields must be a table (got %s)", luaL_typename(L, 2));
  S_Owner *owner = S_new_owner(L); /* 3 */
  cmark_node *limbo = S_limbo(L, owner);
  cmark_node *n = folio_md_new_node(kind);
  if (n == NULL)
    return S_error(L, "ast.new: cannot create a %s node (use folio.ast.parse)",
                   folio_md_kind_name(kind));
  if (!cmark_node_append_child(limbo, n)) {
    cmark_node_free(n);
    return S_error(L, "ast.new: cannot create a %s node", folio_md_kind_name(kind));
  }
  S_push_node(L, n, 3); /* 4 */
  S_Node *w = (S_Node *)lua_touserdata(L, 4);
  if (lua_istable(L, 2)) {
    lua_pushnil(L);
    while (lua_next(L, 2) != 0) {
      if (lua_type(L, -2) != LUA_TSTRING)
        return S_error(L, "ast.new: field names must be strings (got %s)", luaL_typename(L, -2));
      const char *key = lua_tostring(L, -2);
      lua_pushvalue(L, -2);
      if (lua_rawget(L, UPV(U_MEMBERS)) != LUA_TNUMBER)
        return S_error(L, "ast.new: node has no field '%s'", key);
      int f = (int)lua_tointeger(L, -1);
      lua_pop(L, 1);
      S_set_field(L, w, f, key, lua_absindex(L, -1));
      lua_pop(L, 1);
    }
  }
  lua_settop(L, 4);
  return 1;
}

/* ---------------------------------------------------------------------------------------------
 * Rendering */

typedef struct S_Render {
  int flags;
  int hook[4];  /* stack slots of the link, image, heading, codeblock renderers (0: none) */
  int page;     /* stack slot of the page */
  int owner;    /* stack slot of the document's owner */
  int raw;      /* stack slot of the placeholder table: index -> HTML */
  S_Box *box;
  S_Owner *limbo_owner;
  char nonce[24];
  int nraw;
} S_Render;

enum { H_LINK, H_IMAGE, H_HEADING, H_CODEBLOCK };
static const char *const S_hook_names[4] = { "link", "image", "heading", "codeblock" };

/* Pushes the HTML of `n`'s children. [-0, +1, e] */
static void S_push_inner_html(lua_State *L, S_Render *r, cmark_node *n)
{
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (cmark_node *c = cmark_node_first_child(n); c != NULL; c = cmark_node_next(c)) {
    if (cmark_node_get_type(c) == CMARK_NODE_TEXT) { /* the common case, escaped as cmark does */
      const char *lit = cmark_node_get_literal(c);
      for (; lit != NULL && *lit; lit++) {
        switch (*lit) {
        case '&': luaL_addstring(&b, "&amp;"); break;
        case '<': luaL_addstring(&b, "&lt;"); break;
        case '>': luaL_addstring(&b, "&gt;"); break;
        case '"': luaL_addstring(&b, "&quot;"); break;
        default: luaL_addchar(&b, *lit);
        }
      }
      continue;
    }
    char *s = folio_md_render(c, r->flags);
    if (s == NULL)
      S_error(L, "out of memory");
    r->box->str = s;
    luaL_addstring(&b, s);
    r->box->str = NULL;
    free(s);
  }
  luaL_pushresult(&b);
}

static void S_setfield_str(lua_State *L, const char *key, const char *value)
{
  lua_pushstring(L, value != NULL ? value : "");
  lua_setfield(L, -2, key);
}

/* Pushes the table a render hook receives for `n`. [-0, +1, e] */
static void S_push_hook_arg(lua_State *L, S_Render *r, cmark_node *n, int h)
{
  lua_createtable(L, 0, 4);
  switch (h) {
  case H_LINK:
  case H_IMAGE:
    S_setfield_str(L, "url", cmark_node_get_url(n));
    S_setfield_str(L, "title", cmark_node_get_title(n));
    if (h == H_LINK) {
      S_push_inner_html(L, r, n);
      lua_setfield(L, -2, "text");
      S_push_plain(L, n);
      lua_setfield(L, -2, "plain");
    } else {
      S_push_plain(L, n);
      lua_setfield(L, -2, "alt");
    }
    break;
  case H_HEADING: {
    lua_pushinteger(L, cmark_node_get_heading_level(n));
    lua_setfield(L, -2, "level");
    S_push_inner_html(L, r, n);
    lua_setfield(L, -2, "text");
    S_push_plain(L, n);
    lua_setfield(L, -2, "plain");
    const char *id = S_heading_id(n);
    if (id != NULL)
      S_setfield_str(L, "id", id);
    break;
  }
  default: {
    const char *info = cmark_node_get_fence_info(n);
    if (info == NULL)
      info = "";
    size_t skip = strspn(info, " \t"), word = strcspn(info + skip, " \t");
    lua_pushlstring(L, info + skip, word);
    lua_setfield(L, -2, "lang");
    S_setfield_str(L, "info", info);
    S_setfield_str(L, "code", cmark_node_get_literal(n));
    break;
  }
  }
}

/* Puts `replacement` (already linked nowhere or in limbo) in `n`'s place and detaches `n`. */
static void S_swap(lua_State *L, S_Render *r, cmark_node *n, cmark_node *replacement)
{
  if (!cmark_node_insert_before(n, replacement)) {
    cmark_node_free(replacement);
    S_error(L, "render: cannot replace a %s node", S_kind_name(n));
  }
  S_detach(L, r->limbo_owner, n);
}

/* Replaces `n` by raw HTML `html`, emitted verbatim whatever the safe mode says. */
static void S_replace_raw(lua_State *L, S_Render *r, cmark_node *n, const char *html)
{
  S_limbo(L, r->limbo_owner); /* fail before anything changes */
  cmark_node *parent = cmark_node_parent(n);
  if (S_is_block(n)) {
    cmark_node *c = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK);
    if (c == NULL || !cmark_node_set_on_enter(c, html)) {
      if (c != NULL)
        cmark_node_free(c);
      S_error(L, "out of memory");
    }
    S_swap(L, r, n, c);
  } else if (parent != NULL && folio_md_can_contain(parent, CMARK_NODE_CUSTOM_INLINE)) {
    cmark_node *c = cmark_node_new(CMARK_NODE_CUSTOM_INLINE);
    if (c == NULL || !cmark_node_set_on_enter(c, html)) {
      if (c != NULL)
        cmark_node_free(c);
      S_error(L, "out of memory");
    }
    S_swap(L, r, n, c);
  } else {
    /* Table cells accept no custom inline: put a text placeholder that cannot come from the
     * document (control characters and a per-render nonce), swapped for the HTML after
     * rendering. */
    char mark[64];
    r->nraw++;
    snprintf(mark, sizeof mark, "\x02%s:%d\x03", r->nonce, r->nraw);
    lua_pushstring(L, html);
    lua_rawseti(L, r->raw, r->nraw);
    cmark_node *c = cmark_node_new(CMARK_NODE_TEXT);
    if (c == NULL || !cmark_node_set_literal(c, mark)) {
      if (c != NULL)
        cmark_node_free(c);
      S_error(L, "out of memory");
    }
    S_swap(L, r, n, c);
  }
}

static void S_add_escaped(luaL_Buffer *b, const char *s)
{
  for (; *s; s++) {
    switch (*s) {
    case '&': luaL_addstring(b, "&amp;"); break;
    case '<': luaL_addstring(b, "&lt;"); break;
    case '>': luaL_addstring(b, "&gt;"); break;
    case '"': luaL_addstring(b, "&quot;"); break;
    case '\'': luaL_addstring(b, "&#39;"); break;
    default: luaL_addchar(b, *s);
    }
  }
}

/* Default rendering of a heading with an id: <hN id="...">inner HTML</hN> as raw HTML. */
static void S_render_heading_id(lua_State *L, S_Render *r, cmark_node *n, const char *id)
{
  int level = cmark_node_get_heading_level(n);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  lua_pushfstring(L, "<h%d id=\"", level);
  luaL_addvalue(&b);
  S_add_escaped(&b, id);
  luaL_addstring(&b, "\">");
  S_push_inner_html(L, r, n);
  luaL_addvalue(&b);
  lua_pushfstring(L, "</h%d>", level);
  luaL_addvalue(&b);
  luaL_pushresult(&b);
  S_replace_raw(L, r, n, lua_tostring(L, -1));
  lua_pop(L, 1);
}

static void S_render_node(lua_State *L, S_Render *r, cmark_node *n)
{
  int h;
  switch (S_kind(n)) {
  case FOLIO_MD_LINK: h = H_LINK; break;
  case FOLIO_MD_IMAGE: h = H_IMAGE; break;
  case FOLIO_MD_HEADING: h = H_HEADING; break;
  case FOLIO_MD_CODE_BLOCK: h = H_CODEBLOCK; break;
  default: return;
  }
  if (r->hook[h] != 0) {
    lua_pushvalue(L, r->hook[h]);
    S_push_hook_arg(L, r, n, h);
    lua_pushvalue(L, r->page);
    lua_call(L, 2, 1);
    int t = lua_type(L, -1);
    if (t == LUA_TSTRING) {
      S_replace_raw(L, r, n, lua_tostring(L, -1));
      lua_pop(L, 1);
      return;
    }
    if (t != LUA_TNIL)
      S_error(L, "render_%s must return a string or nil (got %s)", S_hook_names[h],
              lua_typename(L, t));
    lua_pop(L, 1);
  }
  if (h == H_HEADING) {
    const char *id = S_heading_id(n);
    if (id != NULL)
      S_render_heading_id(L, r, n, id);
  }
}

/* Post-order walk of `root` running the hooks; each node's successor is taken before the node
 * may be replaced. Nodes never get freed while the document lives, so even a hook editing the
 * tree through kept nodes cannot make this walk touch freed memory. */
static void S_render_pass(lua_State *L, S_Render *r, cmark_node *root)
{
  cmark_node *cur = S_leftmost_leaf(root);
  while (cur != NULL) {
    cmark_node *succ;
    cmark_node *next = cur == root ? NULL : cmark_node_next(cur);
    if (cur == root)
      succ = NULL;
    else if (next != NULL)
      succ = S_leftmost_leaf(next);
    else
      succ = cmark_node_parent(cur);
    S_render_node(L, r, cur);
    cur = succ;
  }
}

/* Replaces the placeholders in the string on top by their HTML. [-1, +1, m] */
static void S_fill_placeholders(lua_State *L, S_Render *r)
{
  size_t len;
  const char *s = lua_tolstring(L, -1, &len);
  char prefix[40];
  int plen = snprintf(prefix, sizeof prefix, "\x02%s:", r->nonce);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  size_t i = 0;
  while (i < len) {
    const char *hit = memchr(s + i, '\x02', len - i);
    if (hit == NULL) {
      luaL_addlstring(&b, s + i, len - i);
      break;
    }
    size_t at = (size_t)(hit - s);
    luaL_addlstring(&b, s + i, at - i);
    int index = 0;
    size_t j = at + (size_t)plen;
    if (len - at >= (size_t)plen && memcmp(hit, prefix, (size_t)plen) == 0) {
      while (j < len && s[j] >= '0' && s[j] <= '9' && index < 100000000)
        index = index * 10 + (s[j++] - '0');
    }
    if (index > 0 && index <= r->nraw && j < len && s[j] == '\x03') {
      lua_rawgeti(L, r->raw, index);
      luaL_addvalue(&b);
      i = j + 1;
    } else {
      luaL_addchar(&b, '\x02');
      i = at + 1;
    }
  }
  luaL_pushresult(&b);
  lua_remove(L, -2);
}

/* folio.markdown.render(doc [, renderers [, page [, opts]]]) -> HTML. Consumes the tree: hook
 * results replace their nodes. [-0, +1, e] */
static int l_markdown_render(lua_State *L)
{
  S_Node *d = S_check(L, 1);
  if (S_kind(d->node) != FOLIO_MD_DOCUMENT)
    return S_error(L, "render: expected a document node (got a %s node)", S_kind_name(d->node));
  lua_settop(L, 4);
  S_Render r;
  memset(&r, 0, sizeof r);
  r.flags = S_doc_flags(d->node);
  if (lua_istable(L, 4)) {
    if (lua_getfield(L, 4, "raw_html") != LUA_TNIL)
      r.flags = lua_toboolean(L, -1) ? (r.flags | CMARK_OPT_UNSAFE) : (r.flags & ~CMARK_OPT_UNSAFE);
    if (lua_getfield(L, 4, "hardbreaks") != LUA_TNIL)
      r.flags = lua_toboolean(L, -1) ? (r.flags | CMARK_OPT_HARDBREAKS)
                                     : (r.flags & ~CMARK_OPT_HARDBREAKS);
    if (lua_getfield(L, 4, "tagfilter") != LUA_TNIL)
      r.flags = lua_toboolean(L, -1) ? (r.flags | FOLIO_MD_OPT_TAGFILTER)
                                     : (r.flags & ~FOLIO_MD_OPT_TAGFILTER);
    lua_pop(L, 3);
  } else if (!lua_isnil(L, 4)) {
    return S_error(L, "render: options must be a table (got %s)", luaL_typename(L, 4));
  }
  int hooks = 0;
  if (lua_istable(L, 2)) {
    for (int h = 0; h < 4; h++) {
      int t = lua_getfield(L, 2, S_hook_names[h]); /* 5 .. 8 */
      if (t == LUA_TFUNCTION) {
        r.hook[h] = lua_gettop(L);
        hooks = 1;
      } else if (t != LUA_TNIL) {
        return S_error(L, "render: renderers.%s must be a function (got %s)", S_hook_names[h],
                       lua_typename(L, t));
      }
    }
  } else if (!lua_isnil(L, 2)) {
    return S_error(L, "render: renderers must be a table (got %s)", luaL_typename(L, 2));
  }
  lua_settop(L, 8);
  r.page = 3;
  r.box = S_new_box(L);       /* 9 */
  lua_getiuservalue(L, 1, 1); /* 10: owner */
  r.owner = 10;
  r.limbo_owner = (S_Owner *)lua_touserdata(L, 10);
  lua_newtable(L); /* 11: placeholders */
  r.raw = 11;
  if (hooks || S_state(L)->ids_used) {
    S_State *st = S_state(L);
    st->serial++;
    snprintf(r.nonce, sizeof r.nonce, "f%lx%lx%lx", st->serial, (unsigned long)time(NULL) & 0xfffff,
             (unsigned long)((uintptr_t)d->node >> 4) & 0xfffff);
    S_render_pass(L, &r, d->node);
    S_check_alive(L, d);
  }
  lua_settop(L, 11);
  char *html = folio_md_render(d->node, r.flags);
  if (html == NULL)
    return S_error(L, "out of memory");
  S_box_push(L, r.box, html);
  if (r.nraw > 0)
    S_fill_placeholders(L, &r);
  return 1;
}

/* folio.markdown.to_html(text [, opts]) -> HTML, without building Lua nodes. [-0, +1, e] */
static int l_markdown_to_html(lua_State *L)
{
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  folio_md_options o;
  S_read_options(L, 2, &o);
  S_Box *box = S_new_box(L);
  char *html = folio_md_to_html(text, len, &o);
  if (html == NULL)
    return S_error(L, "out of memory");
  S_box_push(L, box, html);
  return 1;
}

/* ---------------------------------------------------------------------------------------------
 * Registration */

static const luaL_Reg S_methods[] = {
  { "children", l_node_children },
  { "select", l_node_select },
  { "text", l_node_text },
  { "heading_ids", l_node_heading_ids },
  { "rewrite_text", l_node_rewrite_text },
  { "walk", l_node_walk },
  { "insert_before", l_node_insert_before },
  { "insert_after", l_node_insert_after },
  { "append", l_node_append },
  { "prepend", l_node_prepend },
  { "remove", l_node_remove },
  { NULL, NULL },
};

static const luaL_Reg S_node_meta[] = {
  { "__index", l_node_index },
  { "__newindex", l_node_newindex },
  { "__tostring", l_node_tostring },
  { NULL, NULL },
};

static const luaL_Reg S_markdown_funcs[] = {
  { "parse", l_markdown_parse },
  { "render", l_markdown_render },
  { "to_html", l_markdown_to_html },
  { NULL, NULL },
};

static const luaL_Reg S_ast_funcs[] = {
  { "new", l_ast_new },
  { "parse", l_ast_parse },
  { NULL, NULL },
};

/* Pushes the U_COUNT shared upvalues, in order. */
static void S_push_upvalues(lua_State *L, int first)
{
  for (int i = 0; i < U_COUNT; i++)
    lua_pushvalue(L, first + i);
}

void lx_open_markdown(lua_State *L, int folio)
{
  folio = lua_absindex(L, folio);
  folio_md_init();
  int base = lua_gettop(L) + 1;
  lua_newtable(L); /* U_META */
  lua_newtable(L); /* U_CACHE */
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "v");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_createtable(L, FOLIO_MD_KIND_COUNT, 0); /* U_NAMES */
  lua_createtable(L, 0, FOLIO_MD_KIND_COUNT); /* U_KINDS */
  for (int k = 0; k < FOLIO_MD_KIND_COUNT; k++) {
    lua_pushstring(L, folio_md_kind_name((folio_md_kind)k));
    lua_rawseti(L, base + U_NAMES - 1, k + 1);
    if (k != FOLIO_MD_UNKNOWN) {
      lua_pushinteger(L, k);
      lua_setfield(L, base + U_KINDS - 1, folio_md_kind_name((folio_md_kind)k));
    }
  }
  lua_createtable(L, 0, F_COUNT + 10); /* U_MEMBERS */
  for (int f = 0; f < F_COUNT; f++) {
    lua_pushinteger(L, f);
    lua_setfield(L, -2, S_field_names[f]);
  }
  lua_createtable(L, 0, 2); /* U_OWNERMETA */
  lua_pushcfunction(L, S_owner_gc);
  lua_setfield(L, -2, "__gc");
  lua_pushliteral(L, "folio.tree");
  lua_setfield(L, -2, "__name");
  lua_createtable(L, 0, 2); /* U_BOXMETA */
  lua_pushcfunction(L, S_box_gc);
  lua_setfield(L, -2, "__gc");
  lua_pushliteral(L, "folio.buffer");
  lua_setfield(L, -2, "__name");
  S_State *st = (S_State *)lua_newuserdatauv(L, sizeof *st, 0); /* U_STATE */
  st->ids_used = 0;
  st->serial = 0;

  /* methods, looked up through U_MEMBERS */
  lua_pushvalue(L, base + U_MEMBERS - 1);
  S_push_upvalues(L, base);
  luaL_setfuncs(L, S_methods, U_COUNT);
  lua_pop(L, 1);
  /* node metatable */
  lua_pushvalue(L, base + U_META - 1);
  S_push_upvalues(L, base);
  luaL_setfuncs(L, S_node_meta, U_COUNT);
  lua_pushliteral(L, "folio.node");
  lua_setfield(L, -2, "__name");
  lua_pushliteral(L, "folio.node");
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 1);

  lua_createtable(L, 0, 3);
  S_push_upvalues(L, base);
  luaL_setfuncs(L, S_markdown_funcs, U_COUNT);
  lua_setfield(L, folio, "markdown");
  lua_createtable(L, 0, 2);
  S_push_upvalues(L, base);
  luaL_setfuncs(L, S_ast_funcs, U_COUNT);
  lua_setfield(L, folio, "ast");
  lua_settop(L, base - 1);
}

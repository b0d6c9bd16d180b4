/* lx_cache.c: folio.cache, the persistent build cache as the Lua pipeline sees it
 * (src/lua/folio/buildcache.lua decides what is cached): the store of the running build
 * (src/core/cache.c), a compact binary form of Lua values to keep in it, and the hash that keys
 * it. The binary form keeps what lx_copy_value keeps between states: nil, booleans, numbers,
 * strings, tables with their sharing and cycles, and metatables registered by name.
 *
 *   folio.cache.open(dir, format) -> true [, warning] | false, warning   (main state, before a phase)
 *   folio.cache.active() -> boolean
 *   folio.cache.get(key) -> bytes | nil [, "damaged"]
 *   folio.cache.put(key, bytes)
 *   folio.cache.commit([keep]) -> true | nil, message   (keep: key -> true; other keys are deleted)
 *   folio.cache.set_stamp(s) / folio.cache.stamp() -> s  (the site's configuration hash, shared by states)
 *   folio.cache.pack(value) -> bytes;  folio.cache.unpack(bytes) -> value | nil, "damaged"
 *   folio.cache.hash(s, ...) -> 32 hex digits
 *   folio.cache.folio_hash() -> 32 hex digits: this folio, its version, binary and embedded files
 *   folio.cache.fields_hash(t [, refs [, memo]]) -> 32 hex digits: t's fields in key order (below)
 *   folio.cache.own_digest(memo, page) -> 16 bytes; folio.cache.output_digest(memo, global, page [, extras])
 *     -> 16 bytes: a warm build's digests of what a page and an output show (below) */
#include "lua/lx.h"
#include "core/build.h"
#include "core/cache.h"
#include "core/embedded.h"
#include "core/grow.h"
#include "core/hash.h"
#include <limits.h>
#include <pthread.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static folio_build *S_build(lua_State *L)
{
  folio_build *b = folio_build_of(L);
  if (b == NULL)
    luaL_error(L, "this function needs a running build");
  return b;
}

/* ---- the binary form of values ----------------------------------------------------------
 * value := 'n' | 'f' | 't' | 'i' int64 | 'd' double | 's' varint bytes | 'r' varint (an earlier
 *          table, numbered from 1 in the order they start)
 *        | 'T' ['M' varint name] uint32 narray uint32 nhash (key value)* 'e'
 * A table's two counts size it when it is unpacked (no rehash while its fields go in): narray of
 * its pairs have integer keys 1..#t, nhash the others. Numbers are in the machine's byte order: a
 * store is only read where it was written. */

#define S_MAX_DEPTH 200

typedef struct {
  char *data;
  size_t len, cap;
  int failed; /* out of memory, or nested too deep */
  int seen;   /* stack index of a table: table -> its number */
  lua_Integer tables;
} S_writer;

static void S_put(S_writer *w, const void *p, size_t n)
{
  if (w->failed)
    return;
  if (w->len + n > w->cap) {
    size_t cap = w->cap ? w->cap : 256;
    while (cap < w->len + n)
      cap *= 2;
    char *bigger = realloc(w->data, cap);
    if (bigger == NULL) {
      w->failed = 1;
      return;
    }
    w->data = bigger;
    w->cap = cap;
  }
  memcpy(w->data + w->len, p, n);
  w->len += n;
}

static void S_put_byte(S_writer *w, char c) { S_put(w, &c, 1); }

static void S_put_varint(S_writer *w, uint64_t v)
{
  unsigned char buf[10];
  size_t n = 0;
  do {
    buf[n++] = (unsigned char)((v & 0x7F) | (v > 0x7F ? 0x80 : 0));
    v >>= 7;
  } while (v);
  S_put(w, buf, n);
}

static void S_put_string(S_writer *w, const char *s, size_t len)
{
  S_put_varint(w, len);
  S_put(w, s, len);
}

static int S_packable(int type)
{
  return type == LUA_TNIL || type == LUA_TBOOLEAN || type == LUA_TNUMBER || type == LUA_TSTRING || type == LUA_TTABLE;
}

static void S_pack(lua_State *L, S_writer *w, int index, int depth);

static void S_pack_table(lua_State *L, S_writer *w, int index, int depth)
{
  lua_pushvalue(L, index);
  if (lua_rawget(L, w->seen) == LUA_TNUMBER) {
    S_put_byte(w, 'r');
    S_put_varint(w, (uint64_t)lua_tointeger(L, -1));
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  if (depth > S_MAX_DEPTH || !lua_checkstack(L, 6)) {
    w->failed = 1;
    return;
  }
  lua_pushvalue(L, index);
  lua_pushinteger(L, ++w->tables);
  lua_rawset(L, w->seen);
  S_put_byte(w, 'T');
  const char *name = lx_metatable_name(L, index);
  if (name) {
    S_put_byte(w, 'M');
    S_put_string(w, name, strlen(name));
  }
  size_t counts_at = w->len; /* (filled in after the fields) */
  uint32_t counts[2] = {0, 0};
  S_put(w, counts, sizeof counts);
  lua_Integer border = (lua_Integer)lua_rawlen(L, index);
  lua_pushnil(L);
  while (!w->failed && lua_next(L, index) != 0) {
    if (S_packable(lua_type(L, -1)) && S_packable(lua_type(L, -2))) {
      int top = lua_gettop(L), is_int = 0;
      lua_Integer k = lua_isinteger(L, top - 1) ? lua_tointegerx(L, top - 1, &is_int) : 0;
      counts[is_int && k >= 1 && k <= border ? 0 : 1]++;
      S_pack(L, w, top - 1, depth + 1);
      S_pack(L, w, top, depth + 1);
    }
    lua_pop(L, 1);
  }
  if (w->failed)
    return; /* lua_next stopped early: the key is still on the stack, removed by the caller's settop */
  memcpy(w->data + counts_at, counts, sizeof counts);
  S_put_byte(w, 'e');
}

static void S_pack(lua_State *L, S_writer *w, int index, int depth)
{
  switch (lua_type(L, index)) {
  case LUA_TBOOLEAN: S_put_byte(w, lua_toboolean(L, index) ? 't' : 'f'); break;
  case LUA_TNUMBER:
    if (lua_isinteger(L, index)) {
      int64_t i = (int64_t)lua_tointeger(L, index);
      S_put_byte(w, 'i');
      S_put(w, &i, sizeof i);
    } else {
      double d = (double)lua_tonumber(L, index);
      S_put_byte(w, 'd');
      S_put(w, &d, sizeof d);
    }
    break;
  case LUA_TSTRING: {
    size_t len;
    const char *s = lua_tolstring(L, index, &len);
    S_put_byte(w, 's');
    S_put_string(w, s, len);
    break;
  }
  case LUA_TTABLE: S_pack_table(L, w, index, depth); break;
  default: S_put_byte(w, 'n');
  }
}

/* folio.cache.pack(value) -> bytes  [-1, +1, m] */
static int l_pack(lua_State *L)
{
  lua_settop(L, 1);
  lua_newtable(L);
  S_writer w = {.seen = 2};
  S_pack(L, &w, 1, 0);
  lua_settop(L, 2);
  if (w.failed) {
    free(w.data);
    return luaL_error(L, "cannot pack the value (out of memory, or tables nested more than %d deep)", S_MAX_DEPTH);
  }
  lua_pushlstring(L, w.data ? w.data : "", w.len);
  free(w.data);
  return 1;
}

typedef struct {
  const unsigned char *p, *end;
  int tables; /* stack index of a table: number -> table */
  lua_Integer count;
} S_reader;

static int S_get_varint(S_reader *r, uint64_t *v)
{
  *v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (r->p >= r->end)
      return -1;
    unsigned char c = *r->p++;
    *v |= (uint64_t)(c & 0x7F) << shift;
    if (!(c & 0x80))
      return 0;
  }
  return -1;
}

static int S_unpack(lua_State *L, S_reader *r, int depth);

static int S_unpack_table(lua_State *L, S_reader *r, int depth)
{
  if (depth > S_MAX_DEPTH || !lua_checkstack(L, 6))
    return -1;
  char name[201];
  name[0] = '\0';
  if (r->p < r->end && *r->p == 'M') {
    r->p++;
    uint64_t len;
    if (S_get_varint(r, &len) != 0 || len > (uint64_t)(r->end - r->p) || len > 200 || len == 0)
      return -1;
    memcpy(name, r->p, (size_t)len);
    name[len] = '\0';
    r->p += len;
  }
  uint32_t counts[2];
  if (r->end - r->p < (ptrdiff_t)sizeof counts)
    return -1;
  memcpy(counts, r->p, sizeof counts);
  r->p += sizeof counts;
  /* (each pair takes two bytes at least: counts past that are damage, not a size to allocate) */
  if ((uint64_t)counts[0] + counts[1] > (uint64_t)(r->end - r->p) / 2 || counts[0] > INT_MAX || counts[1] > INT_MAX)
    return -1;
  lua_createtable(L, (int)counts[0], (int)counts[1]);
  lua_pushvalue(L, -1);
  lua_rawseti(L, r->tables, ++r->count);
  if (name[0])
    lx_set_metatable_by_name(L, name); /* a name this state does not know: a plain table */
  for (;;) {
    if (r->p >= r->end)
      return -1;
    if (*r->p == 'e') {
      r->p++;
      return 0;
    }
    if (S_unpack(L, r, depth + 1) != 0 || S_unpack(L, r, depth + 1) != 0)
      return -1;
    int kt = lua_type(L, -2);
    if (kt == LUA_TNIL || (kt == LUA_TNUMBER && !lua_isinteger(L, -2) && isnan(lua_tonumber(L, -2))))
      return -1;
    lua_rawset(L, -3);
  }
}

/* Pushes one value; returns 0, or -1 on bytes that are not a value (then the stack holds junk
 * above the reader's tables: the caller resets it). */
static int S_unpack(lua_State *L, S_reader *r, int depth)
{
  if (r->p >= r->end || !lua_checkstack(L, 2))
    return -1;
  unsigned char tag = *r->p++;
  switch (tag) {
  case 'n': lua_pushnil(L); return 0;
  case 'f': lua_pushboolean(L, 0); return 0;
  case 't': lua_pushboolean(L, 1); return 0;
  case 'i': {
    int64_t i;
    if (r->end - r->p < (ptrdiff_t)sizeof i) return -1;
    memcpy(&i, r->p, sizeof i);
    r->p += sizeof i;
    lua_pushinteger(L, (lua_Integer)i);
    return 0;
  }
  case 'd': {
    double d;
    if (r->end - r->p < (ptrdiff_t)sizeof d) return -1;
    memcpy(&d, r->p, sizeof d);
    r->p += sizeof d;
    lua_pushnumber(L, (lua_Number)d);
    return 0;
  }
  case 's': {
    uint64_t len;
    if (S_get_varint(r, &len) != 0 || len > (uint64_t)(r->end - r->p)) return -1;
    lua_pushlstring(L, (const char *)r->p, (size_t)len);
    r->p += len;
    return 0;
  }
  case 'r': {
    uint64_t id;
    if (S_get_varint(r, &id) != 0 || id < 1 || id > (uint64_t)r->count) return -1;
    lua_rawgeti(L, r->tables, (lua_Integer)id);
    return 0;
  }
  case 'T': return S_unpack_table(L, r, depth);
  default: return -1;
  }
}

/* Unpacks bytes into a value on top of L; returns 0, or -1 (nothing pushed) on damaged bytes. */
static int S_unpack_bytes(lua_State *L, const char *data, size_t len)
{
  int base = lua_gettop(L);
  lua_newtable(L);
  S_reader r = {(const unsigned char *)data, (const unsigned char *)data + len, base + 1, 0};
  if (S_unpack(L, &r, 0) != 0 || r.p != r.end) {
    lua_settop(L, base);
    return -1;
  }
  lua_remove(L, base + 1);
  return 0;
}

/* folio.cache.unpack(bytes) -> value | nil, "damaged"  [-1, +1|2, m] */
static int l_unpack(lua_State *L)
{
  size_t len;
  const char *data = luaL_checklstring(L, 1, &len);
  if (S_unpack_bytes(L, data, len) != 0) {
    lua_pushnil(L);
    lua_pushliteral(L, "damaged");
    return 2;
  }
  return 1;
}

/* ---- the store ------------------------------------------------------------------------- */

void lx_push_hash(lua_State *L, folio_hash128 h)
{
  char hex[33];
  folio_hash_hex(h, hex);
  lua_pushlstring(L, hex, 32);
}

/* folio.cache.hash(s, ...) -> hex  [-n, +1, m] */
static int l_hash(lua_State *L)
{
  folio_hash128 h = {0, 0};
  int n = lua_gettop(L);
  for (int i = 1; i <= n; i++) {
    size_t len;
    const char *s = luaL_checklstring(L, i, &len);
    h = folio_hash(s, len, h);
  }
  lx_push_hash(L, h);
  return 1;
}

/* The hash of the running binary (its C code and the Lua, plugins and theme embedded in it), or
 * of the version and the embedded files when /proc/self/exe cannot be read. */
static void S_hash_self(folio_hash128 *out)
{
  folio_hash128 h = folio_hash(FOLIO_VERSION, strlen(FOLIO_VERSION), (folio_hash128){0, 0});
  FILE *f = fopen("/proc/self/exe", "rb");
  int whole = 0;
  if (f) {
    static char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
      h = folio_hash(buf, n, h);
    whole = !ferror(f);
    fclose(f);
  }
  if (!whole)
    for (size_t i = 0; i < folio_embedded_count; i++) {
      const folio_embedded_file *e = &folio_embedded_files[i];
      h = folio_hash(e->path, strlen(e->path) + 1, h);
      h = folio_hash(e->data, e->size, h);
    }
  *out = h;
}

static pthread_once_t S_self_once = PTHREAD_ONCE_INIT;
static folio_hash128 S_self;
static void S_init_self(void) { S_hash_self(&S_self); }

static int l_folio_hash(lua_State *L)
{
  pthread_once(&S_self_once, S_init_self);
  lx_push_hash(L, S_self);
  return 1;
}

static int l_open(lua_State *L)
{
  folio_build *b = S_build(L);
  const char *dir = luaL_checkstring(L, 1);
  const char *format = luaL_checkstring(L, 2);
  char warning[1024];
  folio_cache_close(b->cache);
  b->cache = folio_cache_open(dir, format, warning, sizeof warning);
  lua_pushboolean(L, b->cache != NULL);
  if (warning[0] == '\0')
    return 1;
  lua_pushstring(L, warning);
  return 2;
}

static int l_active(lua_State *L)
{
  folio_build *b = folio_build_of(L);
  lua_pushboolean(L, b != NULL && b->cache != NULL);
  return 1;
}

static const char READER_KEY = 'r'; /* registry: this state's reader (a userdata) */

static int S_reader_gc(lua_State *L)
{
  folio_cache_reader **r = lua_touserdata(L, 1);
  folio_cache_reader_free(*r);
  *r = NULL;
  return 0;
}

/* This state's reader of the build's store, made on first use. */
static folio_cache_reader *S_state_reader(lua_State *L, folio_build *b)
{
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &READER_KEY) == LUA_TUSERDATA) {
    folio_cache_reader **r = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return *r;
  }
  lua_pop(L, 1);
  folio_cache_reader **r = lua_newuserdatauv(L, sizeof *r, 0);
  *r = folio_cache_reader_new(b->cache);
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, S_reader_gc);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &READER_KEY);
  return *r;
}

static int l_get(lua_State *L)
{
  folio_build *b = S_build(L);
  size_t key_len;
  const char *key = luaL_checklstring(L, 1, &key_len);
  folio_cache_reader *r = b->cache ? S_state_reader(L, b) : NULL;
  const void *value;
  size_t len;
  int found = r ? folio_cache_get(r, key, key_len, &value, &len) : 0;
  if (found == 1) {
    lua_pushlstring(L, value, len);
    return 1;
  }
  lua_pushnil(L);
  if (found == 0)
    return 1;
  lua_pushliteral(L, "damaged");
  return 2;
}

static int l_put(lua_State *L)
{
  folio_build *b = S_build(L);
  size_t key_len, len;
  const char *key = luaL_checklstring(L, 1, &key_len);
  const char *value = luaL_checklstring(L, 2, &len);
  if (b->cache && folio_cache_put(b->cache, key, key_len, value, len) != 0)
    return luaL_error(L, "out of memory");
  return 0;
}

static int S_keep(const void *key, size_t key_len, void *ctx)
{
  lua_State *L = ctx;
  lua_pushlstring(L, key, key_len);
  int keep = lua_rawget(L, 1) != LUA_TNIL;
  lua_pop(L, 1);
  return keep;
}

static int l_commit(lua_State *L)
{
  folio_build *b = S_build(L);
  int prune = lua_istable(L, 1);
  lua_settop(L, 1);
  if (b->cache == NULL) {
    lua_pushboolean(L, 1);
    return 1;
  }
  char error[512];
  if (folio_cache_commit(b->cache, prune ? S_keep : NULL, L, error, sizeof error) != 0) {
    lua_pushnil(L);
    lua_pushstring(L, error);
    return 2;
  }
  lua_pushboolean(L, 1);
  return 1;
}

/* folio.cache.count(reused): counts a page the process phase reused from the cache (true) or
 * processed (false), for FOLIO_COUNTERS. */
static int l_count(lua_State *L)
{
  folio_build *b = S_build(L);
  atomic_fetch_add(lua_toboolean(L, 1) ? &b->cache_reused : &b->cache_processed, 1);
  return 0;
}

static int l_set_stamp(lua_State *L)
{
  folio_build *b = S_build(L);
  const char *s = luaL_checkstring(L, 1);
  snprintf(b->cache_stamp, sizeof b->cache_stamp, "%s", s);
  return 0;
}

static int l_stamp(lua_State *L)
{
  folio_build *b = S_build(L);
  lua_pushstring(L, b->cache_stamp);
  return 1;
}

/* ---- the hash of what a table holds (warm builds: src/lua/folio/warm.lua) -----------------
 * A table's fields are hashed in key order (numbers first, by value; then strings), values by
 * type and bytes, tables inside to a depth of S_FIELDS_DEPTH. A table inside that has an `id`
 * (a page: prev, next, the pages of a list) is hashed as its id only, and appended to the list
 * `refs`, so that the caller can add what those pages show. Functions and userdata count by
 * their type only; keys that are neither numbers nor strings by their number. Strings longer than
 * 64 bytes count by their hash; `memo` (a table the caller keeps) remembers tables already
 * hashed (S_hash_table). */

#define S_FIELDS_DEPTH 4

typedef struct {
  int is_string;
  int is_integer;
  lua_Integer integer;
  lua_Number number;
  const char *s;
  size_t len;
  uint64_t prefix; /* a string's first 8 bytes, big-endian (zero-padded): most comparisons end here */
  int index;       /* the stack slot of its key (its value is in the slot above) */
} S_field_key;

static int S_field_key_cmp(const void *pa, const void *pb)
{
  const S_field_key *a = pa, *b = pb;
  if (a->is_string != b->is_string)
    return a->is_string - b->is_string;
  if (!a->is_string)
    return (a->number > b->number) - (a->number < b->number);
  if (a->prefix != b->prefix)
    return a->prefix < b->prefix ? -1 : 1;
  int c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
  return c ? c : (a->len > b->len) - (a->len < b->len);
}

static uint64_t S_prefix(const char *s, size_t len)
{
  uint64_t p = 0;
  for (size_t i = 0; i < 8; i++)
    p = (p << 8) | (i < len ? (unsigned char)s[i] : 0);
  return p;
}

/* Sorts the keys: nothing to do when they come in order (a list's array part), an insertion sort
 * for the few fields of a page, qsort past that. */
static void S_sort_keys(S_field_key *key, int n)
{
  int sorted = 1;
  for (int i = 1; i < n && sorted; i++)
    sorted = S_field_key_cmp(&key[i - 1], &key[i]) <= 0;
  if (sorted)
    return;
  if (n > 48) {
    qsort(key, (size_t)n, sizeof *key, S_field_key_cmp);
    return;
  }
  for (int i = 1; i < n; i++) {
    S_field_key x = key[i];
    int j = i;
    for (; j > 0 && S_field_key_cmp(&key[j - 1], &x) > 0; j--)
      key[j] = key[j - 1];
    key[j] = x;
  }
}

/* The bytes to hash, gathered first: one folio_hash at the end costs less than one per piece. */
typedef struct {
  char *data;
  size_t len, cap;
  lua_State *L;
  int memo;   /* stack index of the memo table (table -> its hash), or 0 */
  int id_key; /* stack index of the string "id" (S_sink_begin) */
} S_sink;

static void S_feed(S_sink *k, char tag, const void *data, size_t len)
{
  char *d = k->data;
  if (d == NULL || k->len + 1 + len > k->cap) {
    d = folio_grow(k->data, &k->cap, k->len + 1 + len, 1, 4096);
    if (d == NULL)
      luaL_error(k->L, "out of memory");
    k->data = d;
  }
  d[k->len++] = tag;
  if (len)
    memcpy(d + k->len, data, len);
  k->len += len;
}

/* A short string's bytes: 's', its length, ':', the bytes (as two S_feed calls would add them). */
static void S_feed_short(S_sink *k, const char *s, size_t len)
{
  size_t need = 2 + sizeof len + len;
  char *d = k->data;
  if (d == NULL || k->len + need > k->cap) {
    d = folio_grow(k->data, &k->cap, k->len + need, 1, 4096);
    if (d == NULL)
      luaL_error(k->L, "out of memory");
    k->data = d;
  }
  d += k->len;
  *d++ = 's';
  memcpy(d, &len, sizeof len);
  d += sizeof len;
  *d++ = ':';
  memcpy(d, s, len);
  k->len += need;
}

/* A string's bytes: short ones as they are, long ones (a text) by their hash. */
static void S_feed_string(S_sink *k, const char *s, size_t len)
{
  if (len <= 64) {
    S_feed_short(k, s, len);
  } else {
    folio_hash128 h = folio_hash(s, len, (folio_hash128){0, 0});
    S_feed(k, '#', &h, sizeof h);
  }
}

static void S_hash_fields(S_sink *k, int t, int depth, int refs);

/* A table inside, at the top of the stack: its fields, or, when `memo` knows it (hashed at this
 * depth, with no page inside), its hash. A table hashed here without a page inside whose fields
 * take S_MEMO_MIN bytes or more is replaced by its hash and memoised, so the bytes are the same
 * whether the memo knew it or not: a table many pages share (the URLs of a paginated list) is
 * walked once. Smaller ones (a page's tags, its front matter's few fields) stay as they are:
 * remembering them costs more than walking them again. */
#define S_MEMO_MIN 160

static void S_hash_table(S_sink *k, int depth, int refs)
{
  lua_State *L = k->L;
  char tag = (char)('0' + depth);
  if (k->memo) {
    lua_pushvalue(L, -1);
    if (lua_rawget(L, k->memo) == LUA_TSTRING) {
      size_t len;
      const char *known = lua_tolstring(L, -1, &len);
      if (len == 1 + sizeof(folio_hash128) && known[0] == tag) {
        S_feed(k, 'm', known, len);
        lua_pop(L, 1);
        return;
      }
    }
    lua_pop(L, 1);
  }
  size_t start = k->len, refs_before = refs ? lua_rawlen(L, refs) : 0;
  S_feed(k, '{', "", 0);
  S_hash_fields(k, -1, depth + 1, refs);
  S_feed(k, '}', "", 0);
  if (k->memo && k->len - start >= S_MEMO_MIN && (!refs || lua_rawlen(L, refs) == refs_before)) {
    char known[1 + sizeof(folio_hash128)];
    folio_hash128 h = folio_hash(k->data + start, k->len - start, (folio_hash128){0, 0});
    known[0] = tag;
    memcpy(known + 1, &h, sizeof h);
    k->len = start;
    S_feed(k, 'm', known, sizeof known);
    lua_pushvalue(L, -1);
    lua_pushlstring(L, known, sizeof known);
    lua_rawset(L, k->memo);
  }
}

/* Adds the value at the top of the stack (left there). */
static void S_hash_value(S_sink *k, int depth, int refs)
{
  lua_State *L = k->L;
  switch (lua_type(L, -1)) {
  case LUA_TNIL:
    S_feed(k, 'n', "", 0);
    return;
  case LUA_TBOOLEAN:
    S_feed(k, lua_toboolean(L, -1) ? 'T' : 'F', "", 0);
    return;
  case LUA_TNUMBER:
    if (lua_isinteger(L, -1)) {
      lua_Integer i = lua_tointeger(L, -1);
      S_feed(k, 'i', &i, sizeof i);
    } else {
      lua_Number d = lua_tonumber(L, -1);
      S_feed(k, 'f', &d, sizeof d);
    }
    return;
  case LUA_TSTRING: {
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    S_feed_string(k, s, len); /* (a long text: its hash, not its bytes) */
    return;
  }
  case LUA_TTABLE:
    lua_pushvalue(L, k->id_key);
    if (lua_rawget(L, -2) != LUA_TNIL) { /* a page, even as a field of the table hashed (prev, next) */
      S_feed(k, 'p', "", 0);
      S_hash_value(k, S_FIELDS_DEPTH, 0);
      lua_pop(L, 1);
      if (refs) {
        lua_pushvalue(L, -1);
        lua_rawseti(L, refs, (lua_Integer)lua_rawlen(L, refs) + 1);
      }
      return;
    }
    lua_pop(L, 1);
    if (depth >= S_FIELDS_DEPTH) {
      S_feed(k, 'd', "", 0);
      return;
    }
    S_hash_table(k, depth, refs);
    return;
  default: {
    const char *name = lua_typename(L, lua_type(L, -1));
    S_feed(k, 't', name, strlen(name));
    return;
  }
  }
}

static void S_hash_fields(S_sink *k, int t, int depth, int refs)
{
  lua_State *L = k->L;
  luaL_checkstack(L, 8, "tables nested too deep");
  t = lua_absindex(L, t);
  /* the keys and their values go on the stack above `keys`, in pairs */
  int keys = lua_gettop(L), n = 0, others = 0;
  lua_pushnil(L);
  while (lua_next(L, t)) {
    int kt = lua_type(L, -2);
    if (kt == LUA_TSTRING || kt == LUA_TNUMBER) {
      luaL_checkstack(L, 4, "a table with too many fields");
      lua_pushvalue(L, -2); /* key value key: lua_next goes on from the copy */
      n++;
    } else {
      lua_pop(L, 1);
      others++;
    }
  }
  S_field_key small[64];
  S_field_key *key = n <= 64 ? small : malloc((size_t)n * sizeof *key);
  if (key == NULL)
    luaL_error(L, "out of memory");
  for (int i = 0; i < n; i++) {
    int at = keys + 1 + 2 * i;
    key[i].index = at;
    key[i].is_string = lua_type(L, at) == LUA_TSTRING;
    key[i].is_integer = !key[i].is_string && lua_isinteger(L, at);
    key[i].integer = key[i].is_integer ? lua_tointeger(L, at) : 0;
    key[i].number = key[i].is_string ? 0 : lua_tonumber(L, at);
    key[i].len = 0;
    key[i].s = key[i].is_string ? lua_tolstring(L, at, &key[i].len) : NULL; /* (it stays on the stack) */
    key[i].prefix = key[i].is_string ? S_prefix(key[i].s, key[i].len) : 0;
  }
  if (n > 1)
    S_sort_keys(key, n);
  for (int i = 0; i < n; i++) {
    S_feed(k, 'k', "", 0); /* the key, as S_hash_value would add it */
    if (key[i].is_string)
      S_feed_string(k, key[i].s, key[i].len);
    else if (key[i].is_integer)
      S_feed(k, 'i', &key[i].integer, sizeof key[i].integer);
    else
      S_feed(k, 'f', &key[i].number, sizeof key[i].number);
    lua_pushvalue(L, key[i].index + 1);
    S_hash_value(k, depth, refs);
    lua_pop(L, 1);
  }
  if (key != small)
    free(key);
  lua_settop(L, keys);
  S_feed(k, 'o', &others, sizeof others);
}

static int S_sink_gc(lua_State *L)
{
  S_sink *k = lua_touserdata(L, 1);
  free(k->data);
  k->data = NULL;
  return 0;
}

static const char SINK_KEY = 's'; /* registry: this state's sink, a userdata that frees its buffer */

/* This state's sink, made on first use and used again by every call (its buffer grows once). */
static S_sink *S_state_sink(lua_State *L)
{
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &SINK_KEY) == LUA_TUSERDATA) {
    S_sink *k = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return k;
  }
  lua_pop(L, 1);
  S_sink *k = lua_newuserdatauv(L, sizeof *k, 0);
  *k = (S_sink){NULL, 0, 0, L, 0};
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, S_sink_gc);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &SINK_KEY);
  return k;
}

/* This state's sink, emptied for a walk with `memo` (a stack index, or 0); pushes the key "id"
 * the walk looks pages up by.  [-0, +1, m] */
static S_sink *S_sink_begin(lua_State *L, int memo)
{
  S_sink *k = S_state_sink(L);
  k->len = 0;
  k->L = L;
  k->memo = memo;
  lua_pushliteral(L, "id");
  k->id_key = lua_gettop(L);
  return k;
}

/* folio.cache.fields_hash(t [, refs [, memo]]) -> hex  [-1..3, +1, m] */
static int l_fields_hash(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  int refs = lua_istable(L, 2) ? 2 : 0;
  int memo = lua_istable(L, 3) ? 3 : 0;
  lua_settop(L, 3);
  S_sink *k = S_sink_begin(L, memo);
  lua_pushvalue(L, 1);
  S_hash_fields(k, -1, 0, refs);
  folio_hash128 h = folio_hash(k->data ? k->data : "", k->len, (folio_hash128){0, 0});
  lx_push_hash(L, h);
  return 1;
}

/* ---- a warm build's digests (src/lua/folio/warm.lua) -----------------------------------
 * `memo` is { own, refs, tables }, three tables the caller keeps for one plan: page -> its own
 * digest (16 bytes), page -> the pages inside it (a list), and fields_hash's table memo. A page's
 * own digest hashes its fields as fields_hash does (the pages inside by id) and the hash of its
 * body in the content store (slot `id`, else `content_id`). An output's digest chains the site's
 * digest, its page's own digest, the own digests of the pages inside, then any extras. */

static const folio_hash128 S_SEED = {0, 0};

/* The body hash of the page at `page`, into the sink (or a mark for none). */
static void S_feed_body(S_sink *k, lua_State *L, int page)
{
  lua_pushvalue(L, k->id_key);
  if (lua_rawget(L, page) == LUA_TNIL || !lua_toboolean(L, -1)) {
    lua_pop(L, 1);
    lua_pushliteral(L, "content_id");
    lua_rawget(L, page);
  }
  int is_int = 0;
  lua_Integer id = lua_tointegerx(L, -1, &is_int);
  lua_pop(L, 1);
  folio_build *b = folio_build_of(L);
  folio_hash128 body;
  if (is_int && b != NULL && id >= 1 && folio_content_hash(&b->content, (size_t)id - 1, &body))
    S_feed(k, 'c', &body, sizeof body);
  else
    S_feed(k, '-', "", 0);
}

/* Pushes the own digest of the page at `page`, from memo (own, refs, tables at those indexes) or
 * computed and remembered there.  [-0, +1, m] */
static void S_push_own(lua_State *L, int own, int refs_of, int tables, int page)
{
  lua_pushvalue(L, page);
  if (lua_rawget(L, own) == LUA_TSTRING)
    return;
  lua_pop(L, 1);
  S_sink *k = S_sink_begin(L, tables); /* [id] */
  lua_newtable(L); /* [id refs] */
  int refs = lua_gettop(L);
  lua_pushvalue(L, page);
  S_hash_fields(k, -1, 0, refs);
  lua_pop(L, 1);
  S_feed_body(k, L, page);
  folio_hash128 h = folio_hash(k->data ? k->data : "", k->len, S_SEED);
  lua_pushvalue(L, page);
  lua_insert(L, refs); /* [id page refs] */
  lua_rawset(L, refs_of);
  lua_pop(L, 1);
  lua_pushvalue(L, page);
  lua_pushlstring(L, (const char *)&h, sizeof h); /* [page digest] */
  lua_pushvalue(L, -1);
  lua_insert(L, -3); /* [digest page digest] */
  lua_rawset(L, own);
}

/* `h` chained with the own digest of the page at `page`. */
static folio_hash128 S_chain_own(lua_State *L, folio_hash128 h, int own, int refs_of, int tables, int page)
{
  S_push_own(L, own, refs_of, tables, page);
  size_t len;
  const char *d = lua_tolstring(L, -1, &len);
  h = folio_hash(d, len, h);
  lua_pop(L, 1);
  return h;
}

/* The memo's three tables, pushed in order (at the returned index and the next two). */
static int S_push_memo(lua_State *L, int memo)
{
  int at = lua_gettop(L) + 1;
  for (int i = 1; i <= 3; i++)
    if (lua_rawgeti(L, memo, i) != LUA_TTABLE)
      luaL_argerror(L, memo, "not a warm digest memo { own, refs, tables }");
  return at;
}

/* folio.cache.own_digest(memo, page) -> 16 bytes  [-2, +1, m] */
static int l_own_digest(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  int m = S_push_memo(L, 1);
  S_push_own(L, m, m + 1, m + 2, 2);
  return 1;
}

/* folio.cache.output_digest(memo, global, page [, extras]) -> 16 bytes: `global`, then the own
 * digests of `page` and of the pages inside it, then each extra (a page: its own digest; a
 * string: its bytes).  [-3|4, +1, m] */
static int l_output_digest(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  size_t glen;
  const char *global = luaL_checklstring(L, 2, &glen);
  luaL_checktype(L, 3, LUA_TTABLE);
  int extras = lua_istable(L, 4) ? 4 : 0;
  lua_settop(L, 4);
  int m = S_push_memo(L, 1);
  int own = m, refs_of = m + 1, tables = m + 2;
  folio_hash128 h = folio_hash(global, glen, S_SEED);
  h = S_chain_own(L, h, own, refs_of, tables, 3);
  lua_pushvalue(L, 3);
  lua_rawget(L, refs_of); /* (S_chain_own made it) */
  int refs = lua_gettop(L);
  lua_Integer n = (lua_Integer)lua_rawlen(L, refs);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, refs, i);
    h = S_chain_own(L, h, own, refs_of, tables, lua_gettop(L));
    lua_pop(L, 1);
  }
  n = extras ? (lua_Integer)lua_rawlen(L, extras) : 0;
  for (lua_Integer i = 1; i <= n; i++) {
    int t = lua_rawgeti(L, extras, i);
    if (t == LUA_TTABLE) {
      h = S_chain_own(L, h, own, refs_of, tables, lua_gettop(L));
    } else if (t == LUA_TSTRING) {
      size_t len;
      const char *s = lua_tolstring(L, -1, &len);
      h = folio_hash(s, len, h);
    } else {
      return luaL_error(L, "output_digest: extra %d is a %s, not a page or a string", (int)i, lua_typename(L, t));
    }
    lua_pop(L, 1);
  }
  lua_pushlstring(L, (const char *)&h, sizeof h);
  return 1;
}

void lx_open_cache(lua_State *L, int folio)
{
  static const luaL_Reg fns[] = {
    {"open", l_open}, {"active", l_active}, {"get", l_get}, {"put", l_put}, {"commit", l_commit},
    {"set_stamp", l_set_stamp}, {"stamp", l_stamp}, {"pack", l_pack}, {"unpack", l_unpack}, {"hash", l_hash},
    {"folio_hash", l_folio_hash}, {"count", l_count}, {"fields_hash", l_fields_hash},
    {"own_digest", l_own_digest}, {"output_digest", l_output_digest}, {NULL, NULL}};
  luaL_newlib(L, fns);
  lua_setfield(L, folio, "cache");
}

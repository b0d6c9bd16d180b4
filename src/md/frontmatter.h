/* frontmatter.h: the Lua-free half of front matter handling: finding the `---` block at the top
 * of a source file, and typing plain YAML scalars by YAML 1.2's core schema. The YAML -> Lua
 * conversion itself lives in src/lua/lx_frontmatter.c. */
#ifndef FOLIO_FRONTMATTER_H
#define FOLIO_FRONTMATTER_H
#include <stddef.h>
#include <stdint.h>

typedef enum {
  FOLIO_FM_NONE,     /* the first line is not `---`: the whole text is the body */
  FOLIO_FM_FOUND,    /* a front matter block, closed by `---` or `...` */
  FOLIO_FM_UNCLOSED, /* opened by `---` but no closing line before the end of the text */
  FOLIO_FM_NO_OPENING, /* no opening `---`, but the text starts with `key: value` lines, one of
                          them a key front matter usually has (title, date...), then a `---`
                          line: front matter whose first line was lost (else a setext heading).
                          The caller still checks that the lines parse as a YAML mapping. */
} folio_fm_status;

typedef struct {
  folio_fm_status status;
  size_t yaml_offset, yaml_len; /* the YAML between the two delimiter lines (FOUND, NO_OPENING) */
  int yaml_line;                /* 1-based file line of the YAML's first line (2; 1 for NO_OPENING) */
  size_t body_offset;           /* start of the body: 0 for NONE, after the closing line otherwise */
  int body_line;                /* 1-based file line where the body starts */
} folio_fm_split;

/* Locates the front matter of `text`. A delimiter line is `---` (or `...` to close) followed only
 * by spaces, tabs and an optional `\r`. A leading UTF-8 BOM is skipped. Never fails. */
folio_fm_split folio_frontmatter_split(const char *text, size_t len);

typedef enum {
  FOLIO_SCALAR_STRING,
  FOLIO_SCALAR_NULL,
  FOLIO_SCALAR_BOOL,
  FOLIO_SCALAR_INT,
  FOLIO_SCALAR_FLOAT,
} folio_scalar_kind;

typedef struct {
  folio_scalar_kind kind;
  int boolean;
  int64_t integer;
  double number;
} folio_scalar;

/* Types a plain (unquoted, untagged) scalar by the YAML 1.2 core schema: null (`~`, `null`,
 * `Null`, `NULL`, empty), bool (`true`/`True`/`TRUE`, same for false), int (decimal, `0o` octal,
 * `0x` hex; decimal out of int64 range becomes a float, octal/hex out of range stays a string),
 * float (incl. `.inf`, `-.inf`, `.nan`), else string. */
folio_scalar folio_scalar_resolve(const char *s, size_t len);

/* Strict parsers used for explicit tags (!!int, !!float, !!bool, !!null); return 0 on success,
 * -1 when the text does not fit the tag. */
int folio_scalar_as_int(const char *s, size_t len, folio_scalar *out);
int folio_scalar_as_float(const char *s, size_t len, folio_scalar *out);
int folio_scalar_as_bool(const char *s, size_t len, folio_scalar *out);
int folio_scalar_is_null(const char *s, size_t len);

#endif

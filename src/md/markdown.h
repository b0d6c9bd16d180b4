/* markdown.h: folio's Markdown dialect on top of cmark-gfm (GitHub tables, strikethrough, bare-URL
 * autolinks, tag filter, task lists, footnotes, source positions), usable from C without Lua.
 * Owns the one-time extension registration and the mapping between cmark node types and folio's
 * node type names ("tasklist", "table_row", ...). lua/lx_ast.c builds the Lua API on this. */
#ifndef FOLIO_MD_MARKDOWN_H
#define FOLIO_MD_MARKDOWN_H
#include <cmark-gfm.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct folio_md_options {
  bool smart;      /* curly quotes, dashes, ellipses (CMARK_OPT_SMART) */
  bool hardbreaks; /* every newline is a <br /> */
  bool raw_html;   /* pass raw HTML through (CMARK_OPT_UNSAFE); false: cmark's safe mode */
  bool autolink;   /* bare URLs and www. become links */
  bool footnotes;  /* [^1] footnotes */
  bool tagfilter;  /* escape <iframe>, <script>, <style>... in raw HTML (GitHub's tagfilter):
                      for untrusted input only, so off by default */
} folio_md_options;

/* smart = hardbreaks = tagfilter = false, raw_html = autolink = footnotes = true */
#define FOLIO_MD_OPTIONS_DEFAULT { false, false, true, true, true, false }

/* folio's own option bit, carried with cmark's in folio_md_flags: render with the tag filter.
 * Outside cmark's range (its bits end at 1 << 17); folio_md_render strips it. */
#define FOLIO_MD_OPT_TAGFILTER (1 << 24)

/* Registers cmark-gfm's extensions. Thread-safe and idempotent; every function below calls it. */
void folio_md_init(void);

/* The cmark option bits for `o` (CMARK_OPT_SOURCEPOS included; renderers drop it), plus
 * FOLIO_MD_OPT_TAGFILTER when o->tagfilter. */
int folio_md_flags(const folio_md_options *o);

/* Parses `len` bytes of Markdown. The caller frees the document with cmark_node_free().
 * Returns NULL when out of memory. */
cmark_node *folio_md_parse(const char *text, size_t len, const folio_md_options *o);

/* Renders a document (or any subtree) as HTML with option bits `flags` from folio_md_flags (source
 * positions are never rendered; FOLIO_MD_OPT_TAGFILTER escapes the tags GitHub filters). The caller frees the result with free(); NULL when out of memory. */
char *folio_md_render(cmark_node *root, int flags);

/* folio_md_parse + folio_md_render; the caller frees the result with free(); NULL when out of
 * memory. */
char *folio_md_to_html(const char *text, size_t len, const folio_md_options *o);

/* folio's node types, as the Lua API names them (docs/hooks.md, "The Markdown tree"). */
typedef enum folio_md_kind {
  FOLIO_MD_DOCUMENT, FOLIO_MD_PARAGRAPH, FOLIO_MD_HEADING, FOLIO_MD_TEXT, FOLIO_MD_CODE,
  FOLIO_MD_CODE_BLOCK, FOLIO_MD_HTML_BLOCK, FOLIO_MD_HTML_INLINE, FOLIO_MD_EMPH, FOLIO_MD_STRONG,
  FOLIO_MD_LINK, FOLIO_MD_IMAGE, FOLIO_MD_LIST, FOLIO_MD_ITEM, FOLIO_MD_BLOCK_QUOTE,
  FOLIO_MD_THEMATIC_BREAK, FOLIO_MD_SOFTBREAK, FOLIO_MD_LINEBREAK, FOLIO_MD_TABLE,
  FOLIO_MD_TABLE_ROW, FOLIO_MD_TABLE_CELL, FOLIO_MD_STRIKETHROUGH, FOLIO_MD_TASKLIST,
  FOLIO_MD_FOOTNOTE_DEFINITION, FOLIO_MD_FOOTNOTE_REFERENCE, FOLIO_MD_CUSTOM_BLOCK,
  FOLIO_MD_CUSTOM_INLINE, FOLIO_MD_UNKNOWN,
  FOLIO_MD_KIND_COUNT
} folio_md_kind;

folio_md_kind folio_md_kind_of(cmark_node *node);
/* "heading", ...; "unknown" for FOLIO_MD_UNKNOWN. */
const char *folio_md_kind_name(folio_md_kind kind);
/* The kind named `name`, or FOLIO_MD_UNKNOWN. */
folio_md_kind folio_md_kind_from_name(const char *name);

/* Whether cmark lets `parent` hold a child of cmark type `child_type` (what cmark_node_insert_*
 * and cmark_node_append_child check, besides cycles). */
bool folio_md_can_contain(cmark_node *parent, cmark_node_type child_type);

/* A new, parentless node of `kind` (the caller frees it with cmark_node_free() unless it links it
 * into a tree), or NULL when the kind cannot be built on its own: document, table, table_row,
 * table_cell and the footnote kinds need state only the parser sets up (use a parse instead). */
cmark_node *folio_md_new_node(folio_md_kind kind);

#endif

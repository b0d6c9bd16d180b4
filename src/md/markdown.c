/* markdown.c: folio's Markdown dialect on cmark-gfm: one-time registration of the GFM extensions
 * (pthread_once, as build workers parse concurrently), parser set-up from folio_md_options,
 * HTML rendering with the tag filter, and folio's node type names. */
#include "md/markdown.h"
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* The extension node types. libcmark-gfm-extensions exports them (extensions/table.h and
 * strikethrough.h upstream) but Debian does not install those headers. They are assigned once,
 * when the extensions register, and only read afterwards. */
extern cmark_node_type CMARK_NODE_TABLE, CMARK_NODE_TABLE_ROW, CMARK_NODE_TABLE_CELL;
extern cmark_node_type CMARK_NODE_STRIKETHROUGH;
/* Exported by libcmark-gfm and declared in its node.h, which is not meant to be included. */
extern bool cmark_node_can_contain_type(cmark_node *node, cmark_node_type child_type);

static pthread_once_t S_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t S_inline_pass = PTHREAD_MUTEX_INITIALIZER;
static cmark_syntax_extension *S_table, *S_strikethrough, *S_autolink, *S_tagfilter, *S_tasklist;
/* Extensions the HTML renderer must know: only those with an HTML filter (the tag filter). */
static cmark_llist S_render_extensions;

static const char *const S_kind_names[FOLIO_MD_KIND_COUNT] = {
  "document", "paragraph", "heading", "text", "code", "code_block", "html_block", "html_inline",
  "emph", "strong", "link", "image", "list", "item", "block_quote", "thematic_break",
  "softbreak", "linebreak", "table", "table_row", "table_cell", "strikethrough", "tasklist",
  "footnote_definition", "footnote_reference", "custom_block", "custom_inline", "unknown",
};

static void S_register(void)
{
  cmark_gfm_core_extensions_ensure_registered();
  S_table = cmark_find_syntax_extension("table");
  S_strikethrough = cmark_find_syntax_extension("strikethrough");
  S_autolink = cmark_find_syntax_extension("autolink");
  S_tagfilter = cmark_find_syntax_extension("tagfilter");
  S_tasklist = cmark_find_syntax_extension("tasklist");
  S_render_extensions.next = NULL;
  S_render_extensions.data = S_tagfilter;
}

void folio_md_init(void)
{
  pthread_once(&S_once, S_register);
}

int folio_md_flags(const folio_md_options *o)
{
  int flags = CMARK_OPT_SOURCEPOS;
  if (o->smart)
    flags |= CMARK_OPT_SMART;
  if (o->hardbreaks)
    flags |= CMARK_OPT_HARDBREAKS;
  if (o->raw_html)
    flags |= CMARK_OPT_UNSAFE;
  if (o->footnotes)
    flags |= CMARK_OPT_FOOTNOTES;
  return flags;
}

static bool S_attach(cmark_parser *p, cmark_syntax_extension *ext)
{
  return ext != NULL && cmark_parser_attach_syntax_extension(p, ext) != 0;
}

cmark_node *folio_md_parse(const char *text, size_t len, const folio_md_options *o)
{
  folio_md_init();
  cmark_parser *p = cmark_parser_new(folio_md_flags(o));
  if (p == NULL)
    return NULL;
  if (!S_attach(p, S_table) || !S_attach(p, S_strikethrough) ||
      (o->autolink && !S_attach(p, S_autolink)) || !S_attach(p, S_tagfilter) ||
      !S_attach(p, S_tasklist)) {
    cmark_parser_free(p);
    return NULL;
  }
  cmark_parser_feed(p, text, len);
  /* cmark-gfm 0.29 switches the extensions' special characters on in a process-wide table when
   * the inline pass starts and off when it ends (blocks.c, process_inlines): two threads in
   * that pass at once make one of them miss `~~strike~~` or autolinks. The block pass above
   * runs in parallel; the inline pass takes turns. */
  pthread_mutex_lock(&S_inline_pass);
  cmark_node *doc = cmark_parser_finish(p);
  pthread_mutex_unlock(&S_inline_pass);
  cmark_parser_free(p);
  return doc;
}

char *folio_md_render(cmark_node *root, int flags)
{
  folio_md_init();
  return cmark_render_html(root, flags & ~CMARK_OPT_SOURCEPOS,
                           S_tagfilter != NULL ? &S_render_extensions : NULL);
}

char *folio_md_to_html(const char *text, size_t len, const folio_md_options *o)
{
  cmark_node *doc = folio_md_parse(text, len, o);
  if (doc == NULL)
    return NULL;
  char *html = folio_md_render(doc, folio_md_flags(o));
  cmark_node_free(doc);
  return html;
}

bool folio_md_can_contain(cmark_node *parent, cmark_node_type child_type)
{
  return parent != NULL && cmark_node_can_contain_type(parent, child_type);
}

folio_md_kind folio_md_kind_of(cmark_node *node)
{
  cmark_node_type t = cmark_node_get_type(node);
  switch (t) {
  case CMARK_NODE_DOCUMENT: return FOLIO_MD_DOCUMENT;
  case CMARK_NODE_BLOCK_QUOTE: return FOLIO_MD_BLOCK_QUOTE;
  case CMARK_NODE_LIST: return FOLIO_MD_LIST;
  case CMARK_NODE_ITEM:
    return cmark_node_get_syntax_extension(node) == S_tasklist && S_tasklist != NULL
               ? FOLIO_MD_TASKLIST : FOLIO_MD_ITEM;
  case CMARK_NODE_CODE_BLOCK: return FOLIO_MD_CODE_BLOCK;
  case CMARK_NODE_HTML_BLOCK: return FOLIO_MD_HTML_BLOCK;
  case CMARK_NODE_CUSTOM_BLOCK: return FOLIO_MD_CUSTOM_BLOCK;
  case CMARK_NODE_PARAGRAPH: return FOLIO_MD_PARAGRAPH;
  case CMARK_NODE_HEADING: return FOLIO_MD_HEADING;
  case CMARK_NODE_THEMATIC_BREAK: return FOLIO_MD_THEMATIC_BREAK;
  case CMARK_NODE_FOOTNOTE_DEFINITION: return FOLIO_MD_FOOTNOTE_DEFINITION;
  case CMARK_NODE_TEXT: return FOLIO_MD_TEXT;
  case CMARK_NODE_SOFTBREAK: return FOLIO_MD_SOFTBREAK;
  case CMARK_NODE_LINEBREAK: return FOLIO_MD_LINEBREAK;
  case CMARK_NODE_CODE: return FOLIO_MD_CODE;
  case CMARK_NODE_HTML_INLINE: return FOLIO_MD_HTML_INLINE;
  case CMARK_NODE_CUSTOM_INLINE: return FOLIO_MD_CUSTOM_INLINE;
  case CMARK_NODE_EMPH: return FOLIO_MD_EMPH;
  case CMARK_NODE_STRONG: return FOLIO_MD_STRONG;
  case CMARK_NODE_LINK: return FOLIO_MD_LINK;
  case CMARK_NODE_IMAGE: return FOLIO_MD_IMAGE;
  case CMARK_NODE_FOOTNOTE_REFERENCE: return FOLIO_MD_FOOTNOTE_REFERENCE;
  default: break;
  }
  if (t == CMARK_NODE_NONE)
    return FOLIO_MD_UNKNOWN;
  if (t == CMARK_NODE_TABLE)
    return FOLIO_MD_TABLE;
  if (t == CMARK_NODE_TABLE_ROW)
    return FOLIO_MD_TABLE_ROW;
  if (t == CMARK_NODE_TABLE_CELL)
    return FOLIO_MD_TABLE_CELL;
  if (t == CMARK_NODE_STRIKETHROUGH)
    return FOLIO_MD_STRIKETHROUGH;
  return FOLIO_MD_UNKNOWN;
}

const char *folio_md_kind_name(folio_md_kind kind)
{
  if ((unsigned)kind >= FOLIO_MD_KIND_COUNT)
    kind = FOLIO_MD_UNKNOWN;
  return S_kind_names[kind];
}

folio_md_kind folio_md_kind_from_name(const char *name)
{
  for (int k = 0; k < FOLIO_MD_UNKNOWN; k++)
    if (strcmp(S_kind_names[k], name) == 0)
      return (folio_md_kind)k;
  return FOLIO_MD_UNKNOWN;
}

cmark_node *folio_md_new_node(folio_md_kind kind)
{
  folio_md_init();
  switch (kind) {
  case FOLIO_MD_PARAGRAPH: return cmark_node_new(CMARK_NODE_PARAGRAPH);
  case FOLIO_MD_HEADING: return cmark_node_new(CMARK_NODE_HEADING);
  case FOLIO_MD_TEXT: return cmark_node_new(CMARK_NODE_TEXT);
  case FOLIO_MD_CODE: return cmark_node_new(CMARK_NODE_CODE);
  case FOLIO_MD_CODE_BLOCK: return cmark_node_new(CMARK_NODE_CODE_BLOCK);
  case FOLIO_MD_HTML_BLOCK: return cmark_node_new(CMARK_NODE_HTML_BLOCK);
  case FOLIO_MD_HTML_INLINE: return cmark_node_new(CMARK_NODE_HTML_INLINE);
  case FOLIO_MD_EMPH: return cmark_node_new(CMARK_NODE_EMPH);
  case FOLIO_MD_STRONG: return cmark_node_new(CMARK_NODE_STRONG);
  case FOLIO_MD_LINK: return cmark_node_new(CMARK_NODE_LINK);
  case FOLIO_MD_IMAGE: return cmark_node_new(CMARK_NODE_IMAGE);
  case FOLIO_MD_LIST: return cmark_node_new(CMARK_NODE_LIST);
  case FOLIO_MD_ITEM: return cmark_node_new(CMARK_NODE_ITEM);
  case FOLIO_MD_BLOCK_QUOTE: return cmark_node_new(CMARK_NODE_BLOCK_QUOTE);
  case FOLIO_MD_THEMATIC_BREAK: return cmark_node_new(CMARK_NODE_THEMATIC_BREAK);
  case FOLIO_MD_SOFTBREAK: return cmark_node_new(CMARK_NODE_SOFTBREAK);
  case FOLIO_MD_LINEBREAK: return cmark_node_new(CMARK_NODE_LINEBREAK);
  case FOLIO_MD_CUSTOM_BLOCK: return cmark_node_new(CMARK_NODE_CUSTOM_BLOCK);
  case FOLIO_MD_CUSTOM_INLINE: return cmark_node_new(CMARK_NODE_CUSTOM_INLINE);
  case FOLIO_MD_STRIKETHROUGH:
    return S_strikethrough != NULL
               ? cmark_node_new_with_ext(CMARK_NODE_STRIKETHROUGH, S_strikethrough) : NULL;
  case FOLIO_MD_TASKLIST:
    return S_tasklist != NULL ? cmark_node_new_with_ext(CMARK_NODE_ITEM, S_tasklist) : NULL;
  default:
    return NULL; /* document, tables, footnotes: only the parser builds them consistently */
  }
}

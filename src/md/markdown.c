/* markdown.c: folio's Markdown dialect on cmark-gfm: one-time registration of the GFM extensions
 * (pthread_once, as build workers parse concurrently), parser set-up from folio_md_options,
 * HTML rendering (with GitHub's tag filter only when asked: it escapes <iframe>, <script>, <style>
 * and a few more, which breaks embeds in trusted posts), and folio's node type names. */
#include "md/markdown.h"
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
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
/* Extensions the HTML renderer must know when filtering: only the tag filter has an HTML filter. */
static cmark_llist S_render_extensions;

static const char *const S_kind_names[FOLIO_MD_KIND_COUNT] = {
  "document", "paragraph", "heading", "text", "code", "code_block", "html_block", "html_inline",
  "emph", "strong", "link", "image", "list", "item", "block_quote", "thematic_break",
  "softbreak", "linebreak", "table", "table_row", "table_cell", "strikethrough", "tasklist",
  "footnote_definition", "footnote_reference", "custom_block", "custom_inline", "unknown",
};

/* ---- the inline pass and cmark-gfm's process-wide character table -------------------------
 * cmark-gfm 0.29 keeps the characters that start an extension's inline syntax (~ for
 * strikethrough; : and w for autolinks) in one table for the whole process. cmark_parser_finish
 * switches the attached extensions' characters on when its inline pass starts and off when it
 * ends, through the exported cmark_manage_extensions_special_characters: with two threads in
 * that pass at once, one switches the characters off under the other, which then misses
 * `~~strike~~` or autolinks (cmark-gfm PR #176 moves the table into the parser).
 *
 * folio defines that function itself, so the library's call lands here and does nothing: the
 * characters of every extension folio uses are switched on once, at start-up, through the
 * library's own function, and never off. A character switched on for a parser that has no
 * extension for it only splits a text run in two, and cmark_parser_finish joins adjacent text
 * nodes again, so the tree is the same. If the library does not call through the exported name
 * (a build linked with -Bsymbolic, say), folio sees that at start-up and falls back to letting
 * one thread at a time into the inline pass. */

typedef void S_manage_fn(cmark_parser *parser, int add);
static atomic_int S_manage_calls;   /* calls that reached the definition below */
static int S_inline_pass_is_shared; /* set once at start-up: no lock around the inline pass */

void cmark_manage_extensions_special_characters(cmark_parser *parser, int add)
{
  (void)parser;
  (void)add;
  atomic_fetch_add_explicit(&S_manage_calls, 1, memory_order_relaxed);
}

static bool S_attach(cmark_parser *p, cmark_syntax_extension *ext)
{
  return ext != NULL && cmark_parser_attach_syntax_extension(p, ext) != 0;
}

/* A parser with every extension folio may attach, or NULL. */
static cmark_parser *S_parser_with_all(void)
{
  cmark_parser *p = cmark_parser_new(CMARK_OPT_DEFAULT);
  if (p != NULL && (!S_attach(p, S_table) || !S_attach(p, S_strikethrough) || !S_attach(p, S_autolink) ||
                    !S_attach(p, S_tagfilter) || !S_attach(p, S_tasklist))) {
    cmark_parser_free(p);
    p = NULL;
  }
  return p;
}

static void S_switch_characters_on_for_good(void)
{
  S_manage_fn *library_manage = (S_manage_fn *)dlsym(RTLD_NEXT, "cmark_manage_extensions_special_characters");
  cmark_parser *p = S_parser_with_all();
  if (library_manage == NULL || p == NULL) {
    if (p != NULL)
      cmark_parser_free(p);
    return; /* the inline pass keeps its lock */
  }
  library_manage(p, 1);
  int before = atomic_load(&S_manage_calls);
  cmark_parser_feed(p, "~x~", 3);
  cmark_node_free(cmark_parser_finish(p));
  cmark_parser_free(p);
  S_inline_pass_is_shared = atomic_load(&S_manage_calls) > before;
}

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
  S_switch_characters_on_for_good();
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
  if (o->tagfilter)
    flags |= FOLIO_MD_OPT_TAGFILTER;
  return flags;
}

cmark_node *folio_md_parse(const char *text, size_t len, const folio_md_options *o)
{
  folio_md_init();
  cmark_parser *p = cmark_parser_new(folio_md_flags(o));
  if (p == NULL)
    return NULL;
  if (!S_attach(p, S_table) || !S_attach(p, S_strikethrough) ||
      (o->autolink && !S_attach(p, S_autolink)) || (o->tagfilter && !S_attach(p, S_tagfilter)) ||
      !S_attach(p, S_tasklist)) {
    cmark_parser_free(p);
    return NULL;
  }
  cmark_parser_feed(p, text, len);
  /* see "the inline pass" above */
  if (!S_inline_pass_is_shared)
    pthread_mutex_lock(&S_inline_pass);
  cmark_node *doc = cmark_parser_finish(p);
  if (!S_inline_pass_is_shared)
    pthread_mutex_unlock(&S_inline_pass);
  cmark_parser_free(p);
  return doc;
}

char *folio_md_render(cmark_node *root, int flags)
{
  folio_md_init();
  int filter = (flags & FOLIO_MD_OPT_TAGFILTER) && S_tagfilter != NULL;
  return cmark_render_html(root, flags & ~(CMARK_OPT_SOURCEPOS | FOLIO_MD_OPT_TAGFILTER),
                           filter ? &S_render_extensions : NULL);
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

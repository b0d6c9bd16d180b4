/* linkcheck.h: `folio check`'s core, without Lua: reads every HTML file of a built site, collects
 * the element ids and the URLs of <a>, <area>, <img>, <source>, <link>, <script>, <iframe>,
 * <video>, <audio>, <track>, <embed> (href, src, srcset, poster) and resolves each internal URL
 * inside the output folder: the file (or folder/index.html) must exist, and a #fragment must be
 * an id (or <a name>) on the target page. External (http, https) URLs are collected, not checked
 * here (src/check/urlcheck.c does that). */
#ifndef FOLIO_CHECK_LINKCHECK_H
#define FOLIO_CHECK_LINKCHECK_H
#include <stddef.h>

typedef enum {
  FOLIO_LINK_PAGE,  /* <a>, <area>: a link */
  FOLIO_LINK_IMAGE, /* <img>, <source>, a poster */
  FOLIO_LINK_ASSET, /* <link>, <script>, <iframe>, media, <embed> */
} folio_link_kind;

typedef enum {
  FOLIO_LINK_OK,
  FOLIO_LINK_EXTERNAL,    /* http(s) elsewhere: see folio_linkcheck.external */
  FOLIO_LINK_MISSING,     /* no such file or folder/index.html in the output */
  FOLIO_LINK_NO_FRAGMENT, /* the target exists but has no element with that id */
  FOLIO_LINK_OUTSIDE,     /* a site path outside base_url's path, or above the output folder */
} folio_link_status;

typedef struct {
  size_t page;          /* index in folio_linkcheck.pages */
  size_t offset;        /* byte offset of the tag in the page's HTML */
  folio_link_kind kind;
  folio_link_status status;
  const char *url;      /* as written (entities decoded); each distinct URL stored once, owned
                           by the folio_linkcheck */
  char *target;         /* MISSING, NO_FRAGMENT: the output path that was looked for; owned */
  size_t url_id;        /* the URL's index among the distinct ones (internal) */
} folio_link;

typedef struct {
  char **pages;         /* HTML files, relative to the root, sorted */
  size_t npages;
  size_t nfiles;        /* every file in the output */
  folio_link *links;    /* every link of every page, in page order */
  size_t nlinks;
  size_t nproblems;     /* links with status MISSING, NO_FRAGMENT or OUTSIDE */
  size_t nexternal;
  size_t bytes;         /* HTML read */
  size_t nurls;         /* distinct URLs: every link's url_id is below it */
  struct folio_linkcheck_urls *urls; /* the distinct URLs (internal) */
} folio_linkcheck;

/* Checks the site in `root`, built for `base_url` (absolute links to it are internal; its path
 * is the site's root; NULL: "/"). Returns NULL after printing why (unreadable folder, out of
 * memory). */
folio_linkcheck *folio_linkcheck_run(const char *root, const char *base_url);
void folio_linkcheck_free(folio_linkcheck *c);

/* 1-based line of `offset` in the page's HTML (reads the file again; 0 when unreadable). */
int folio_linkcheck_line(const char *root, const char *page, size_t offset);

#endif

/* cmd_check.c: `folio check`: builds the site into a temporary folder (or takes a built one with
 * --dir), then checks that every internal link, #fragment, image and asset resolves inside it
 * (src/check/linkcheck.c), lists the external links and, with --external, asks their servers
 * (src/check/urlcheck.c). Each problem is reported once, at the Markdown file and line that made
 * the link; a link no Markdown made (a layout's) is reported once for all the pages that have it. */
#include "check/linkcheck.h"
#include "core/grow.h"
#include "check/urlcheck.h"
#include "cli/cli.h"
#include "core/build.h"
#include "core/fsutil.h"
#include "core/outdir.h"
#include "md/frontmatter.h"
#include "md/markdown.h"
#include <lauxlib.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  folio_build_options build;
  const char *source, *dir;
  int external, quiet, concurrency;
  long timeout_ms;
  char base_url[2048];
} S_options;

/* One problem, where it is reported. */
typedef struct {
  char *where;    /* "content/posts/a.md" or the output page */
  int line;       /* 0: unknown */
  int from_layout; /* no Markdown made it: `pages` pages have it */
  size_t pages;
  char *message;
} S_problem;

typedef struct {
  S_problem *items;
  size_t count, cap;
} S_report;

/* ---- options ------------------------------------------------------------------------------- */

static int S_parse(int argc, char **argv, S_options *o)
{
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
    if ((!strcmp(a, "-s") || !strcmp(a, "--source")) && next) { o->source = next; i++; }
    else if (!strcmp(a, "--dir") && next) { o->dir = next; i++; }
    else if (!strcmp(a, "-D") || !strcmp(a, "--drafts")) o->build.drafts = 1;
    else if (!strcmp(a, "-F") || !strcmp(a, "--future")) o->build.future = 1;
    else if (!strcmp(a, "--safe")) o->build.safe = 1;
    else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) o->quiet = 1;
    else if (!strcmp(a, "--external")) o->external = 1;
    else if (!strcmp(a, "--base-url") && next) {
      if (folio_cli_base_url("check", next, o->base_url, sizeof o->base_url) != 0)
        return 2;
      o->build.base_url = o->base_url;
      i++;
    } else if ((!strcmp(a, "-j") || !strcmp(a, "--jobs")) && next) {
      char *end;
      long n = strtol(next, &end, 10);
      if (*end || end == next || n < 1 || n > 32) {
        fprintf(stderr, "folio check: --jobs takes a number from 1 to 32\n");
        return 2;
      }
      o->build.jobs = (int)n;
      i++;
    } else if (!strcmp(a, "--concurrency") && next) {
      char *end;
      long n = strtol(next, &end, 10);
      if (*end || end == next || n < 1 || n > 256) {
        fprintf(stderr, "folio check: --concurrency takes a number from 1 to 256\n");
        return 2;
      }
      o->concurrency = (int)n;
      i++;
    } else if (!strcmp(a, "--timeout") && next) {
      char *end;
      double s = strtod(next, &end);
      if (*end || end == next || !(s >= 0.01 && s <= 600)) {
        fprintf(stderr, "folio check: --timeout takes seconds, from 0.01 to 600 (got '%s')\n", next);
        return 2;
      }
      o->timeout_ms = (long)(s * 1000 + 0.5);
      i++;
    } else {
      return folio_unknown_option("check", a);
    }
  }
  return 0;
}

/* ---- the build ------------------------------------------------------------------------------ */

/* A new temporary folder for the build (as folio serve's preview: never inside a source). */
static int S_make_temp(char *root, size_t size, char *out, size_t out_size)
{
  const char *tmp = getenv("TMPDIR");
  if (!tmp || !*tmp)
    tmp = "/tmp";
  char which[64];
  if (folio_outdir_in_sources(tmp, which, sizeof which)) {
    fprintf(stderr, "folio check: refusing to build in %s: it is (inside) the site's %s, a source\n"
                    "  hint: point TMPDIR at a folder outside the site's sources\n", tmp, which);
    return -1;
  }
  snprintf(root, size, "%s/folio-check-XXXXXX", tmp);
  if (mkdtemp(root) == NULL) {
    fprintf(stderr, "folio check: cannot create a folder in %s: %s\n", tmp, strerror(errno));
    root[0] = '\0';
    return -1;
  }
  snprintf(out, out_size, "%s/site", root);
  return 0;
}

/* Output page -> the source file that made it, from the build's render list. */
typedef struct {
  char *output, *path;
} S_pair;

typedef struct {
  S_pair *pairs; /* sorted by output */
  size_t npairs;
  char **source; /* per linkcheck page (borrowed from pairs); NULL: a generated page */
  char *base_url;
} S_sources;

static int S_compare_pairs(const void *a, const void *b)
{
  return strcmp(((const S_pair *)a)->output, ((const S_pair *)b)->output);
}

/* Reads site.base_url and each rendered page's output and source path from the main state. */
static void S_read_sources(folio_build *b, S_sources *s)
{
  lua_State *L = folio_build_main_state(b);
  int top = lua_gettop(L);
  if (folio_build_call(b, "export_site", 0, 1) != 0)
    return;
  if (lua_getfield(L, -1, "site") == LUA_TTABLE && lua_getfield(L, -1, "base_url") == LUA_TSTRING)
    s->base_url = strdup(lua_tostring(L, -1));
  lua_settop(L, top + 1);
  if (lua_getfield(L, -1, "render_list") == LUA_TTABLE) {
    lua_Integer n = luaL_len(L, -1);
    s->pairs = calloc(n > 0 ? (size_t)n : 1, sizeof *s->pairs);
    for (lua_Integer i = 1; s->pairs && i <= n; i++) {
      lua_rawgeti(L, -1, i);
      lua_getfield(L, -1, "output");
      lua_getfield(L, -2, "path");
      const char *output = lua_tostring(L, -2), *path = lua_tostring(L, -1);
      if (output && path) {
        while (*output == '/')
          output++;
        S_pair pair = {strdup(output), strdup(path)};
        if (pair.output && pair.path)
          s->pairs[s->npairs++] = pair;
        else
          free(pair.output), free(pair.path);
      }
      lua_pop(L, 3);
    }
    if (s->pairs)
      qsort(s->pairs, s->npairs, sizeof *s->pairs, S_compare_pairs);
  }
  lua_settop(L, top);
}

/* Gives each checked page its source file. */
static void S_match_sources(const folio_linkcheck *c, S_sources *s)
{
  if (!s->pairs)
    return;
  s->source = calloc(c->npages ? c->npages : 1, sizeof *s->source);
  for (size_t i = 0; s->source && i < c->npages; i++) {
    S_pair probe = {c->pages[i], NULL};
    S_pair *hit = bsearch(&probe, s->pairs, s->npairs, sizeof *s->pairs, S_compare_pairs);
    s->source[i] = hit ? hit->path : NULL;
  }
}

static void S_sources_free(S_sources *s)
{
  for (size_t i = 0; i < s->npairs; i++)
    free(s->pairs[i].output), free(s->pairs[i].path);
  free(s->pairs);
  free(s->source);
  free(s->base_url);
}

/* ---- Markdown line numbers ------------------------------------------------------------------ */

typedef struct {
  char *url;
  int line;
} S_md_link;

/* The links and images of one source file with their lines, and its text for raw HTML. */
typedef struct {
  const char *path;
  char *text;
  size_t len;
  S_md_link *links;
  size_t count;
} S_md_file;

static void S_md_free(S_md_file *f)
{
  for (size_t i = 0; i < f->count; i++)
    free(f->links[i].url);
  free(f->links);
  free(f->text);
  memset(f, 0, sizeof *f);
}

static int S_is_markdown(const char *path)
{
  const char *dot = strrchr(path, '.');
  return dot && (!strcmp(dot, ".md") || !strcmp(dot, ".markdown") || !strcmp(dot, ".mdown") || !strcmp(dot, ".mkd"));
}

static void S_md_load(S_md_file *f, const char *path)
{
  S_md_free(f);
  f->path = path;
  if (folio_read_file(path, &f->text, &f->len) != 0)
    return;
  if (!S_is_markdown(path))
    return;
  folio_fm_split fm = folio_frontmatter_split(f->text, f->len);
  folio_md_options mo = FOLIO_MD_OPTIONS_DEFAULT;
  cmark_node *doc = folio_md_parse(f->text + fm.body_offset, f->len - fm.body_offset, &mo);
  if (!doc)
    return;
  size_t cap = 0;
  cmark_iter *it = cmark_iter_new(doc);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *n = cmark_iter_get_node(it);
    cmark_node_type t = cmark_node_get_type(n);
    if (ev != CMARK_EVENT_ENTER || (t != CMARK_NODE_LINK && t != CMARK_NODE_IMAGE))
      continue;
    const char *url = cmark_node_get_url(n);
    if (!url)
      continue;
    S_md_link *links = folio_grow(f->links, &cap, f->count + 1, sizeof *links, 16);
    if (!links)
      break;
    f->links = links;
    char *copy = strdup(url);
    if (!copy)
      break;
    f->links[f->count++] = (S_md_link){copy, cmark_node_get_start_line(n) + fm.body_line - 1};
  }
  cmark_iter_free(it);
  cmark_node_free(doc);
}

static int S_ends_with(const char *s, const char *tail)
{
  size_t a = strlen(s), b = strlen(tail);
  return b <= a && !strcmp(s + a - b, tail);
}

/* Whether the Markdown URL `md` can have been rendered as `html` (the pipeline prefixes site
 * paths with the base path and turns links to .md files into their pages' URLs). */
static int S_same_link(const char *md, const char *html)
{
  if (!strcmp(md, html))
    return 1;
  while (md[0] == '.' && md[1] == '/')
    md += 2;
  if (md[0] == '/')
    md++;
  if (strlen(md) >= 2 && S_ends_with(html, md))
    return 1;
  /* other.md#x -> /blog/posts/other/#x: the file's stem is the URL's last segment */
  const char *ext = strstr(md, ".md");
  if (!ext)
    return 0;
  const char *stem = md;
  for (const char *p = md; p < ext; p++)
    if (*p == '/')
      stem = p + 1;
  size_t stem_len = (size_t)(ext - stem);
  const char *frag = strchr(html, '#');
  size_t path_len = frag ? (size_t)(frag - html) : strlen(html);
  while (path_len > 0 && html[path_len - 1] == '/')
    path_len--;
  if (path_len >= 11 && !strncmp(html + path_len - 11, "/index.html", 11))
    path_len -= 11;
  const char *seg = html + path_len;
  while (seg > html && seg[-1] != '/')
    seg--;
  const char *md_frag = strchr(ext, '#');
  int frag_same = (!frag && !md_frag) || (frag && md_frag && !strcmp(frag, md_frag));
  return frag_same && (size_t)(html + path_len - seg) == stem_len && !strncmp(seg, stem, stem_len);
}

/* The line of the source file that made the nth (0-based) `url` of its page: the nth Markdown
 * link or image that renders as it (or the last one), else the first line whose text holds the
 * URL (raw HTML, shortcodes). 0 when none. */
static int S_md_line(const S_md_file *f, const char *url, size_t nth)
{
  int line = 0;
  for (size_t i = 0; i < f->count; i++)
    if (S_same_link(f->links[i].url, url)) {
      line = f->links[i].line;
      if (nth-- == 0)
        break;
    }
  if (line > 0)
    return line;
  if (!f->text || !*url)
    return 0;
  const char *hit = strstr(f->text, url);
  if (!hit)
    return 0;
  line = 1;
  for (const char *p = f->text; p < hit; p++)
    line += *p == '\n';
  return line;
}

/* ---- the report ----------------------------------------------------------------------------- */

static int S_add(S_report *r, const char *where, int line, int from_layout, const char *message)
{
  S_problem *items = folio_grow(r->items, &r->cap, r->count + 1, sizeof *items, 64);
  if (!items)
    return -1;
  r->items = items;
  S_problem p = {strdup(where), line, from_layout, 1, strdup(message)};
  if (!p.where || !p.message) {
    free(p.where);
    free(p.message);
    return -1;
  }
  r->items[r->count++] = p;
  return 0;
}

/* The order that puts a problem's repeats side by side: a layout's by message alone (the same
 * broken link on every page), the others by file, line and message. */
static int S_compare_keys(const void *a, const void *b)
{
  const S_problem *x = a, *y = b;
  if (x->from_layout != y->from_layout)
    return x->from_layout - y->from_layout;
  int c = x->from_layout ? strcmp(x->message, y->message) : strcmp(x->where, y->where);
  if (c)
    return c;
  c = x->from_layout ? strcmp(x->where, y->where) : x->line - y->line;
  if (c)
    return c;
  return x->from_layout ? x->line - y->line : strcmp(x->message, y->message);
}

static int S_same_problem(const S_problem *x, const S_problem *y)
{
  return x->from_layout == y->from_layout && !strcmp(x->message, y->message) &&
         (x->from_layout || (x->line == y->line && !strcmp(x->where, y->where)));
}

/* Each problem once: repeats are merged into the first (their pages counted). */
static void S_merge_repeats(S_report *r)
{
  if (r->count == 0)
    return; /* items may be NULL, which qsort may not be given */
  qsort(r->items, r->count, sizeof *r->items, S_compare_keys);
  size_t kept = 0;
  for (size_t i = 0; i < r->count; i++) {
    if (kept > 0 && S_same_problem(&r->items[kept - 1], &r->items[i])) {
      r->items[kept - 1].pages += r->items[i].pages;
      free(r->items[i].where);
      free(r->items[i].message);
      continue;
    }
    r->items[kept++] = r->items[i];
  }
  r->count = kept;
}

static int S_compare_problems(const void *a, const void *b)
{
  const S_problem *x = a, *y = b;
  if (x->from_layout != y->from_layout)
    return x->from_layout - y->from_layout;
  int c = strcmp(x->where, y->where);
  return c ? c : x->line - y->line;
}

static const char *S_kind_word(folio_link_kind k)
{
  return k == FOLIO_LINK_PAGE ? "link" : k == FOLIO_LINK_IMAGE ? "image" : "asset";
}

/* The message for a link's problem; `external` the status of an external one. */
static void S_message(char *buf, size_t size, const folio_link *l, const char *base_path, const folio_url_result *ext)
{
  const char *kind = S_kind_word(l->kind);
  switch (l->status) {
  case FOLIO_LINK_MISSING:
    snprintf(buf, size, "broken %s '%s': nothing at %s%s in the output", kind, l->url, base_path, l->target);
    break;
  case FOLIO_LINK_NO_FRAGMENT: {
    const char *frag = strchr(l->url, '#');
    if (l->url[0] == '#')
      snprintf(buf, size, "missing fragment '%s': no id=\"%s\" on this page (%s%s)", l->url, l->url + 1, base_path,
               l->target);
    else
      snprintf(buf, size, "missing fragment '%s' (%s '%s'): no id=\"%s\" on %s%s", frag ? frag : "", kind, l->url,
               frag ? frag + 1 : "", base_path, l->target);
    break;
  }
  case FOLIO_LINK_OUTSIDE:
    snprintf(buf, size, "broken %s '%s': outside the site (its pages are under %s)", kind, l->url, base_path);
    break;
  default:
    if (ext && ext->error[0])
      snprintf(buf, size, "dead external %s '%s': %s", kind, l->url, ext->error);
    else
      snprintf(buf, size, "dead external %s '%s': HTTP %ld", kind, l->url, ext ? ext->status : 0L);
  }
}

/* ---- external links ------------------------------------------------------------------------- */

typedef struct {
  folio_url_result *urls; /* unique, sorted */
  size_t *pages;          /* pages per URL */
  size_t count;
} S_external;

static int S_compare_results(const void *a, const void *b)
{
  return strcmp(((const folio_url_result *)a)->url, ((const folio_url_result *)b)->url);
}

/* The external URLs without fragments, each once (a URL on many pages is copied once: the
 * links share their distinct URLs, url_id). */
static int S_collect_external(const folio_linkcheck *c, S_external *e)
{
  size_t *uses = calloc(c->nurls ? c->nurls : 1, sizeof *uses);
  e->urls = calloc(c->nexternal ? c->nexternal : 1, sizeof *e->urls);
  e->pages = calloc(c->nexternal ? c->nexternal : 1, sizeof *e->pages);
  if (!uses || !e->urls || !e->pages) {
    free(uses);
    return -1;
  }
  for (size_t i = 0; i < c->nlinks; i++)
    if (c->links[i].status == FOLIO_LINK_EXTERNAL)
      uses[c->links[i].url_id]++;
  size_t n = 0;
  for (size_t i = 0; i < c->nlinks; i++) {
    size_t id = c->links[i].url_id;
    if (c->links[i].status != FOLIO_LINK_EXTERNAL || uses[id] == 0)
      continue;
    char *copy = strdup(c->links[i].url);
    if (!copy) {
      free(uses);
      return -1;
    }
    copy[strcspn(copy, "#")] = '\0';
    e->pages[n] = uses[id];
    e->urls[n++].url = copy;
    uses[id] = 0; /* copied */
  }
  free(uses);
  /* sorted with their counts: the URLs are unique but for fragments */
  folio_url_result *urls = malloc((n ? n : 1) * sizeof *urls);
  size_t *pages = malloc((n ? n : 1) * sizeof *pages);
  if (!urls || !pages) {
    free(urls), free(pages);
    return -1;
  }
  for (size_t i = 0; i < n; i++)
    urls[i] = e->urls[i], urls[i].status = (long)i; /* the original position rides along */
  qsort(urls, n, sizeof *urls, S_compare_results);
  for (size_t i = 0; i < n; i++)
    pages[i] = e->pages[urls[i].status], urls[i].status = 0;
  free(e->urls);
  free(e->pages);
  e->urls = urls;
  e->pages = pages;
  size_t unique = 0;
  for (size_t i = 0; i < n; i++) {
    if (unique > 0 && !strcmp(e->urls[unique - 1].url, e->urls[i].url)) {
      free((char *)e->urls[i].url);
      e->pages[unique - 1] += e->pages[i];
      continue;
    }
    e->urls[unique] = e->urls[i];
    e->pages[unique++] = e->pages[i];
  }
  e->count = unique;
  return 0;
}

static const folio_url_result *S_find_external(const S_external *e, const char *url)
{
  char key[4096];
  snprintf(key, sizeof key, "%.*s", (int)strcspn(url, "#"), url);
  folio_url_result probe = {key, 0, ""};
  return bsearch(&probe, e->urls, e->count, sizeof *e->urls, S_compare_results);
}

/* ---- the command ---------------------------------------------------------------------------- */

/* Records every problem of `c` (and dead external links) into `r`, at its Markdown line. */
static int S_collect(const folio_linkcheck *c, const S_sources *src, const char *root, const char *base_path,
                     const S_external *ext, int checked_external, S_report *r)
{
  S_md_file md = {0};
  char message[8192];
  int rc = 0;
  for (size_t i = 0; i < c->nlinks && rc == 0; i++) {
    const folio_link *l = &c->links[i];
    const folio_url_result *x = NULL;
    if (l->status == FOLIO_LINK_OK)
      continue;
    if (l->status == FOLIO_LINK_EXTERNAL) {
      x = checked_external ? S_find_external(ext, l->url) : NULL;
      if (!x || (x->status > 0 && x->status < 400 && !x->error[0]))
        continue;
    }
    S_message(message, sizeof message, l, base_path, x);
    const char *source = src->source ? src->source[l->page] : NULL;
    int line = 0;
    if (source) {
      if (md.path != source)
        S_md_load(&md, source);
      size_t nth = 0; /* earlier links of the page with the same URL */
      for (size_t j = i; j > 0 && c->links[j - 1].page == l->page; j--)
        nth += !strcmp(c->links[j - 1].url, l->url);
      line = S_md_line(&md, l->url, nth);
    }
    if (line > 0)
      rc = S_add(r, source, line, 0, message);
    else
      rc = S_add(r, c->pages[l->page], folio_linkcheck_line(root, c->pages[l->page], l->offset), 1, message);
  }
  S_md_free(&md);
  return rc;
}

static void S_print(const S_report *r)
{
  for (size_t i = 0; i < r->count; i++) {
    const S_problem *p = &r->items[i];
    if (!p->from_layout)
      fprintf(stderr, "%s:%d: %s\n", p->where, p->line, p->message);
    else if (p->pages > 1)
      fprintf(stderr, "%s:%d: %s\n  (on %zu pages; not from Markdown: a layout, a generated page or a plugin made it)\n",
              p->where, p->line, p->message, p->pages);
    else
      fprintf(stderr, "%s:%d: %s\n  (not from Markdown: a layout, a generated page or a plugin made it)\n", p->where,
              p->line, p->message);
  }
}

static int S_check(const S_options *o, const char *root, folio_build *b)
{
  const char *base = o->build.base_url;
  S_sources src = {0};
  if (b) {
    S_read_sources(b, &src);
    if (!base)
      base = src.base_url;
  }
  double t0 = folio_now_ms();
  clock_t cpu0 = clock();
  folio_linkcheck *c = folio_linkcheck_run(root, base);
  double scan_ms = folio_now_ms() - t0, scan_cpu_ms = (double)(clock() - cpu0) * 1000.0 / CLOCKS_PER_SEC;
  if (!c) {
    S_sources_free(&src);
    return 1;
  }
  S_match_sources(c, &src);
  const char *sep = base ? strstr(base, "://") : NULL;
  const char *base_path = sep && strchr(sep + 3, '/') ? strchr(sep + 3, '/') : "/";
  S_external ext = {0};
  S_report report = {0};
  int status = 0;
  if (S_collect_external(c, &ext) != 0) {
    fprintf(stderr, "folio check: out of memory\n");
    return 1;
  }
  double ext_ms = 0;
  if (o->external && ext.count > 0) {
    double t1 = folio_now_ms();
    if (!o->quiet)
      printf("Checking %zu external link%s...\n", ext.count, ext.count == 1 ? "" : "s");
    fflush(stdout);
    if (folio_urlcheck_run(ext.urls, ext.count, o->concurrency ? o->concurrency : 8,
                           o->timeout_ms ? o->timeout_ms : 10000) != 0)
      status = 1;
    ext_ms = folio_now_ms() - t1;
  }
  if (S_collect(c, &src, root, base_path, &ext, o->external, &report) != 0) {
    fprintf(stderr, "folio check: out of memory\n");
    return 1;
  }
  S_merge_repeats(&report);
  if (report.count > 0)
    qsort(report.items, report.count, sizeof *report.items, S_compare_problems);
  S_print(&report);
  size_t links = 0, images = 0, assets = 0;
  for (size_t i = 0; i < c->nlinks; i++) {
    folio_link_kind k = c->links[i].kind;
    links += k == FOLIO_LINK_PAGE;
    images += k == FOLIO_LINK_IMAGE;
    assets += k == FOLIO_LINK_ASSET;
  }
  if (!o->external && ext.count > 0 && !o->quiet) {
    printf("External links (not checked; folio check --external checks them):\n");
    for (size_t i = 0; i < ext.count; i++)
      printf("  %s\n", ext.urls[i].url);
  }
  if (report.count > 0) {
    fprintf(stderr, "folio check: %zu problem%s (checked %zu pages: %zu links, %zu images, %zu assets; %zu external)\n",
            report.count, report.count == 1 ? "" : "s", c->npages, links, images, assets, ext.count);
    status = 1;
  } else if (!o->quiet) {
    printf("folio check: all good: %zu pages, %zu links, %zu images, %zu assets resolve; %zu external link%s %s",
           c->npages, links, images, assets, ext.count, ext.count == 1 ? "" : "s",
           o->external ? "answer" : "not checked");
    printf(" (scanned %.1f MB in %.0f ms", (double)c->bytes / 1e6, scan_ms);
    if (o->external)
      printf(", external %.0f ms", ext_ms);
    printf(")\n");
  }
  if (getenv("FOLIO_TIMINGS"))
    fprintf(stderr, "check: scan %.1f ms (CPU %.1f ms), report %.1f ms, %zu pages, %zu files, %zu links, %.1f MB\n", scan_ms, scan_cpu_ms, folio_now_ms() - t0 - scan_ms, c->npages, c->nfiles,
            c->nlinks, (double)c->bytes / 1e6);
  for (size_t i = 0; i < ext.count; i++)
    free((char *)ext.urls[i].url);
  free(ext.urls);
  free(ext.pages);
  for (size_t i = 0; i < report.count; i++) {
    free(report.items[i].where);
    free(report.items[i].message);
  }
  free(report.items);
  S_sources_free(&src);
  folio_linkcheck_free(c);
  return status;
}

int folio_cmd_check(int argc, char **argv)
{
  S_options o;
  memset(&o, 0, sizeof o);
  o.source = ".";
  int rc = S_parse(argc, argv, &o);
  if (rc != 0)
    return rc;
  if (o.dir) {
    struct stat st;
    if (stat(o.dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
      fprintf(stderr, "folio check: --dir %s is not a folder\n  hint: build the site first (folio build), or leave "
                      "out --dir to let folio check build it\n", o.dir);
      return 1;
    }
    return S_check(&o, o.dir, NULL);
  }
  if (chdir(o.source) != 0) {
    fprintf(stderr, "folio check: cannot enter the site folder %s: %s\n", o.source, strerror(errno));
    return 1;
  }
  if (access("site.lua", F_OK) != 0 && access("_config.yml", F_OK) != 0) {
    fprintf(stderr, "folio check: no site.lua (or Jekyll _config.yml) in %s\n  hint: run it in a site folder, pass "
                    "--source DIR, or check a built folder with --dir DIR\n", o.source);
    return 1;
  }
  char root[PATH_MAX - 16] = "", out[PATH_MAX];
  if (S_make_temp(root, sizeof root, out, sizeof out) != 0)
    return 1;
  o.build.output_dir = out;
  o.build.quiet = 1;
  folio_diag *diag = folio_diag_new();
  folio_build *b = diag ? folio_build_new(&o.build, diag) : NULL;
  double t0 = folio_now_ms();
  int failed = b ? folio_build_run(b) : 1;
  if (diag) {
    folio_diag_sort(diag);
    folio_diag_print(diag, stderr, isatty(STDERR_FILENO) && getenv("NO_COLOR") == NULL);
  }
  if (failed) {
    fprintf(stderr, "folio check: the build failed (%zu error%s above); fix it first\n",
            diag ? folio_diag_count(diag, FOLIO_ERROR) : 1, diag && folio_diag_count(diag, FOLIO_ERROR) == 1 ? "" : "s");
    rc = 1;
  } else {
    if (!o.quiet)
      printf("Built %zu pages in %.0f ms\n", b->pages_written, folio_now_ms() - t0);
    rc = S_check(&o, out, b);
  }
  folio_build_free(b);
  folio_diag_free(diag);
  folio_remove_tree(root);
  return rc;
}

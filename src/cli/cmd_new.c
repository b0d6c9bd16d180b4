/* cmd_new.c: `folio new site DIR`, `folio new post "Title"` and `folio new page NAME` (the files
 * are written by src/lua/folio/scaffold.lua). `post` and `page` work from any folder inside a
 * site: the site is the nearest folder upwards that holds a site.lua. */
#include "cli/cli.h"
#include "lua/lx.h"
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char S_USAGE[] = "usage: folio new site DIR | folio new post \"Title\" [--section NAME] [--draft] | "
                              "folio new page NAME [--draft]\n";

typedef struct {
  const char *kind, *name, *section;
  int draft;
} S_request;

static int S_parse(int argc, char **argv, S_request *r)
{
  if (argc < 1 || (strcmp(argv[0], "site") && strcmp(argv[0], "post") && strcmp(argv[0], "page"))) {
    if (argc >= 1)
      fprintf(stderr, "folio new: cannot make a '%s'\n", argv[0]);
    fputs(S_USAGE, stderr);
    return 2;
  }
  r->kind = argv[0];
  int is_site = !strcmp(r->kind, "site"), is_post = !strcmp(r->kind, "post");
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (is_post && !strcmp(a, "--section") && i + 1 < argc) r->section = argv[++i];
    else if (!is_site && (!strcmp(a, "--draft") || !strcmp(a, "-D") || !strcmp(a, "--drafts"))) r->draft = 1;
    else if (a[0] == '-' && a[1] != '\0') return folio_unknown_option("new", a);
    else if (r->name == NULL) r->name = a;
    else {
      fprintf(stderr, "folio new %s: one %s at a time (got '%s' and '%s')\n  hint: quote a title with spaces: "
                      "folio new post \"My first post\"\n", r->kind, is_site ? "folder" : "name", r->name, a);
      return 2;
    }
  }
  if (r->name == NULL) {
    fprintf(stderr, "folio new %s: which %s?\n", r->kind, is_site ? "folder" : is_post ? "title" : "page name");
    fputs(S_USAGE, stderr);
    return 2;
  }
  return 0;
}

/* Moves to the nearest folder at or above the current one with a site.lua; writes the way
 * back ("../../", or "" when already there) to prefix. Stays put when there is none. */
static void S_enter_site(char *prefix, size_t size)
{
  char start[PATH_MAX];
  prefix[0] = '\0';
  if (getcwd(start, sizeof start) == NULL)
    return;
  size_t used = 0;
  for (int depth = 0; depth < 64; depth++) {
    if (access("site.lua", F_OK) == 0)
      return;
    char here[PATH_MAX];
    if (getcwd(here, sizeof here) == NULL || strcmp(here, "/") == 0 || chdir("..") != 0 || used + 4 > size)
      break;
    memcpy(prefix + used, "../", 4);
    used += 3;
  }
  prefix[0] = '\0';
  if (chdir(start) != 0)
    perror("folio new: cannot go back to the current folder");
}

/* A Lua error: scaffold.lua's { message, hint } as one line and a hint; else as it is. */
static void S_report(lua_State *L, const char *kind)
{
  if (lua_istable(L, -1)) {
    lua_getfield(L, -1, "message");
    lua_getfield(L, -2, "hint");
    fprintf(stderr, "folio new %s: %s\n", kind, lua_isstring(L, -2) ? lua_tostring(L, -2) : "failed");
    if (lua_isstring(L, -1))
      fprintf(stderr, "  hint: %s\n", lua_tostring(L, -1));
    lua_pop(L, 2);
  } else {
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "folio new %s: %s\n", kind, msg ? msg : "(error object is not a string)");
  }
}

int folio_cmd_new(int argc, char **argv)
{
  S_request r = {0};
  int rc = S_parse(argc, argv, &r);
  if (rc != 0)
    return rc;
  char prefix[256] = "";
  int is_site = !strcmp(r.kind, "site");
  if (!is_site)
    S_enter_site(prefix, sizeof prefix);
  lua_State *L = lx_new_state(NULL);
  if (L == NULL)
    return 1;
  int status = lx_require(L, "folio.scaffold");
  if (status == LUA_OK) {
    lua_getfield(L, -1, is_site ? "new_site" : !strcmp(r.kind, "post") ? "new_post" : "new_page");
    lua_pushstring(L, r.name);
    lua_createtable(L, 0, 3);
    if (r.section) {
      lua_pushstring(L, r.section);
      lua_setfield(L, -2, "section");
    }
    lua_pushboolean(L, r.draft);
    lua_setfield(L, -2, "draft");
    lua_pushstring(L, prefix);
    lua_setfield(L, -2, "prefix");
    status = lx_pcall(L, 2, 0);
  }
  if (status != LUA_OK)
    S_report(L, r.kind);
  lua_close(L);
  return status == LUA_OK ? 0 : 1;
}

/* cmd_serve.c: `folio serve`: the writer's loop. One libuv loop watches the site's folders,
 * applies each change to a preview build (src/core/build.c: folio_build_update), serves the
 * result (src/http/server.c) and tells open browser tabs to reload over Server-Sent Events.
 * The preview is built in a temporary folder, never in the site's output folder. */
#include "cli/cli.h"
#include "core/build.h"
#include "core/fsutil.h"
#include "core/outdir.h"
#include "core/watch.h"
#include "http/server.h"
#include "lua/lx.h"
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  uv_loop_t loop;
  folio_server *server;
  folio_watch *watch;
  folio_build *build;
  folio_diag *diag;
  folio_build_options options;
  char preview_root[PATH_MAX - 16]; /* temporary folder we own */
  char output[PATH_MAX];       /* preview_root/site: what the server serves */
  char base_url[2048];
  int base_url_given; /* --base-url: kept instead of http://ADDR:PORT/ */
  int open_browser;   /* --open */
  uv_process_t browser;
  int browser_running; /* browser is a live handle to close at shutdown */
  uv_signal_t sigint, sigterm;
  int color;
  int had_errors;
  int needs_full_build;
  int closing;
  const char *allowed[16]; /* --allow-host names */
  size_t nallowed;
} S_serve;

static const char *const WATCHED[] = {"content", "static", "layouts", "scripts", "themes", "site.lua", NULL};

/* A Jekyll site (_config.yml, no site.lua: compat/jekyll/site.lua) keeps pages anywhere: watch
 * every name at its top level but the output folder and what Jekyll never reads (dotfiles are
 * ignored by the watcher). At most 63 names; names created later are not picked up. */
static char S_jekyll_names[64][256];
static const char *S_jekyll_list[64];

static const char *const *S_watched_names(void)
{
  if (access("site.lua", F_OK) == 0 || access("_config.yml", F_OK) != 0)
    return WATCHED;
  DIR *d = opendir(".");
  if (!d)
    return WATCHED;
  size_t n = 0;
  struct dirent *e;
  while (n < 63 && (e = readdir(d)) != NULL) {
    const char *name = e->d_name;
    if (name[0] == '.' || strcmp(name, "_site") == 0 || strcmp(name, "node_modules") == 0 ||
        strcmp(name, "vendor") == 0 || strlen(name) >= sizeof S_jekyll_names[0])
      continue;
    memcpy(S_jekyll_names[n], name, strlen(name) + 1);
    S_jekyll_list[n] = S_jekyll_names[n];
    n++;
  }
  closedir(d);
  S_jekyll_list[n] = NULL;
  return S_jekyll_list;
}

static void S_stamp(char *buf, size_t len)
{
  time_t now = time(NULL);
  struct tm tm;
  localtime_r(&now, &tm);
  strftime(buf, len, "%H:%M:%S", &tm);
}

/* Reports the result of a build or update: errors in the terminal and in the browser. */
static void S_report(S_serve *s, int failed)
{
  folio_diag_sort(s->diag);
  folio_diag_print(s->diag, stderr, s->color);
  if (failed) {
    char *json = folio_diag_to_json(s->diag);
    if (json) {
      size_t n = strlen(json) + 16;
      char *event = malloc(n);
      if (event) {
        snprintf(event, n, "{\"errors\":%s}", json);
        folio_server_broadcast(s->server, "build-error", event);
        free(event);
      }
      free(json);
    }
  } else if (s->had_errors) {
    folio_server_broadcast(s->server, "build-ok", "{}");
  }
  s->had_errors = failed;
}

/* A complete build from scratch: at start, and when site.lua or a script changed. */
static int S_full_build(S_serve *s, const char *why)
{
  double t0 = folio_now_ms();
  folio_diag_clear(s->diag);
  folio_build_free(s->build);
  s->build = folio_build_new(&s->options, s->diag);
  int failed = s->build ? folio_build_run(s->build) : 1;
  char stamp[16];
  S_stamp(stamp, sizeof stamp);
  if (!failed)
    printf("[%s] %s: built %zu pages in %.0f ms\n", stamp, why, s->build->pages_written, folio_now_ms() - t0);
  else
    printf("[%s] %s: build failed (%zu errors); still serving the last good pages\n", stamp, why,
           folio_diag_count(s->diag, FOLIO_ERROR));
  fflush(stdout);
  s->needs_full_build = failed; /* updates apply to a complete build only */
  S_report(s, failed);
  if (!failed)
    folio_server_broadcast(s->server, "reload", "{\"paths\":[\"*\"],\"css_only\":false}");
  return failed;
}

static void S_on_change(void *ud, const char *const *paths, size_t count, int overflow)
{
  S_serve *s = ud;
  if (s->closing || count == 0)
    return;
  char what[PATH_MAX + 32];
  if (count == 1)
    snprintf(what, sizeof what, "%s changed", paths[0]);
  else
    snprintf(what, sizeof what, "%s and %zu more changed", paths[0], count - 1);
  if (overflow || s->build == NULL || s->needs_full_build) {
    S_full_build(s, what);
    return;
  }
  double t0 = folio_now_ms();
  if (getenv("FOLIO_TIMINGS"))
    fprintf(stderr, "watch callback at %.1f ms (monotonic)\n", t0);
  folio_diag_clear(s->diag);
  folio_update_result r;
  int failed = folio_build_update(s->build, paths, count, &r);
  if (r.reload_needed) {
    free(r.event_json);
    S_full_build(s, what);
    return;
  }
  char stamp[16];
  S_stamp(stamp, sizeof stamp);
  printf("[%s] %s: %zu page%s rendered, %zu changed, in %.0f ms%s\n", stamp, what, r.rendered,
         r.rendered == 1 ? "" : "s", r.changed, folio_now_ms() - t0, failed ? " — with errors" : "");
  fflush(stdout);
  if (r.event_json && r.changed > 0)
    folio_server_broadcast(s->server, "reload", r.event_json);
  if (getenv("FOLIO_TIMINGS"))
    fprintf(stderr, "reload broadcast at %.1f ms (monotonic)\n", folio_now_ms());
  free(r.event_json);
  S_report(s, failed);
  /* The event is on its way (uv_write hands it to the kernel at once): now the garbage. */
  double tc = folio_now_ms();
  folio_build_collect(s->build);
  if (getenv("FOLIO_TIMINGS"))
    fprintf(stderr, "collect garbage %.1f ms\n", folio_now_ms() - tc);
}

/* ---- the serve hook: Lua sees each request ------------------------------------------------ */

static int S_on_request(void *ud, const folio_http_request *req, folio_http_reply *reply)
{
  S_serve *s = ud;
  if (s->build == NULL)
    return 0;
  lua_State *L = folio_build_main_state(s->build);
  int top = lua_gettop(L);
  lua_createtable(L, 0, 5);
  lua_pushstring(L, req->method);
  lua_setfield(L, -2, "method");
  lua_pushstring(L, req->path);
  lua_setfield(L, -2, "path");
  lua_pushstring(L, req->query);
  lua_setfield(L, -2, "query");
  lua_pushstring(L, req->url);
  lua_setfield(L, -2, "url");
  lua_createtable(L, 0, (int)req->nheaders);
  for (size_t i = 0; i < req->nheaders; i++) {
    luaL_Buffer lower;
    luaL_buffinit(L, &lower);
    for (const char *c = req->headers[i].name; *c; c++)
      luaL_addchar(&lower, (char)((*c >= 'A' && *c <= 'Z') ? *c + 32 : *c));
    luaL_pushresult(&lower);
    lua_pushstring(L, req->headers[i].value);
    lua_rawset(L, -3);
  }
  lua_setfield(L, -2, "headers");
  if (folio_build_call(s->build, "serve", 1, 1) != 0) {
    lua_settop(L, top);
    return -1;
  }
  int answered = 0;
  if (lua_istable(L, -1)) {
    int t = lua_gettop(L);
    if (lua_getfield(L, t, "headers") == LUA_TTABLE) {
      lua_pushnil(L);
      while (lua_next(L, -2)) {
        if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING)
          folio_http_reply_add_header(reply, lua_tostring(L, -2), lua_tostring(L, -1));
        lua_pop(L, 1);
      }
    }
    lua_pop(L, 1);
    lua_getfield(L, t, "status");
    lua_getfield(L, t, "body");
    lua_getfield(L, t, "content_type");
    if (lua_isinteger(L, -3) || lua_isstring(L, -2)) {
      answered = 1;
      folio_http_reply_set_status(reply, lua_isinteger(L, -3) ? (int)lua_tointeger(L, -3) : 200);
      size_t len = 0;
      const char *body = lua_isstring(L, -2) ? lua_tolstring(L, -2, &len) : "";
      folio_http_reply_set_body(reply, lua_isstring(L, -1) ? lua_tostring(L, -1) : "text/html; charset=utf-8",
                                body, len);
    }
  }
  lua_settop(L, top);
  return answered;
}

/* ---- --open: the browser ------------------------------------------------------------------ */

static void S_browser_closed(uv_handle_t *h) { (void)h; }

static void S_browser_exited(uv_process_t *p, int64_t status, int signum)
{
  if (status != 0 || signum != 0)
    printf("Note: could not open a browser (the opener exited with status %lld); open %s yourself.\n",
           (long long)status, ((S_serve *)p->data)->base_url);
  fflush(stdout);
  ((S_serve *)p->data)->browser_running = 0;
  uv_close((uv_handle_t *)p, S_browser_closed);
}

/* Starts $BROWSER (its first word) or xdg-open on the preview's address, without waiting for
 * it. None there, or one that fails: a one-line note, and serving goes on. */
static void S_open_browser(S_serve *s)
{
  const char *env = getenv("BROWSER");
  char program[256] = "xdg-open";
  if (env && *env) {
    size_t len = strcspn(env, ": ");
    if (len > 0 && len < sizeof program) {
      memcpy(program, env, len);
      program[len] = '\0';
    }
  }
  char *args[] = {program, s->base_url, NULL};
  uv_process_options_t po;
  memset(&po, 0, sizeof po);
  po.file = program;
  po.args = args;
  po.exit_cb = S_browser_exited;
  uv_stdio_container_t stdio[3] = {{UV_IGNORE, {0}}, {UV_IGNORE, {0}}, {UV_IGNORE, {0}}};
  po.stdio = stdio;
  po.stdio_count = 3;
  s->browser.data = s;
  int rc = uv_spawn(&s->loop, &s->browser, &po);
  if (rc != 0) {
    printf("Note: no browser to open (%s: %s); open %s yourself.\n", program, uv_strerror(rc), s->base_url);
    uv_close((uv_handle_t *)&s->browser, S_browser_closed);
  } else {
    uv_unref((uv_handle_t *)&s->browser);
    s->browser_running = 1;
  }
  fflush(stdout);
}

/* ---- start and stop ------------------------------------------------------------------------- */

static void S_closed(void *ud) { (void)ud; }

static void S_shutdown(S_serve *s)
{
  if (s->closing)
    return;
  s->closing = 1;
  printf("\nStopping.\n");
  if (s->watch) folio_watch_close(s->watch, S_closed, NULL);
  if (s->server) folio_server_close(s->server, S_closed, NULL);
  s->watch = NULL;
  s->server = NULL;
  if (s->browser_running) {
    s->browser_running = 0;
    uv_close((uv_handle_t *)&s->browser, S_browser_closed);
  }
  uv_close((uv_handle_t *)&s->sigint, NULL);
  uv_close((uv_handle_t *)&s->sigterm, NULL);
}

static void S_on_signal(uv_signal_t *handle, int signum)
{
  (void)signum;
  S_shutdown(handle->data);
}

/* "0.5" -> 500; 0 on a bad number (the caller's message names the option). */
static unsigned S_parse_seconds(const char *v)
{
  char *end;
  double d = strtod(v, &end);
  if (end == v || *end || !(d >= 0.001 && d <= 3600))
    return 0;
  return (unsigned)(d * 1000 + 0.5);
}

static int S_parse(int argc, char **argv, S_serve *s, const char **source, const char **bind, int *port,
                   int *explicit_port, folio_server_options *so)
{
  s->options.drafts = 1;
  s->options.future = 1;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
    if ((!strcmp(a, "-s") || !strcmp(a, "--source")) && next) { *source = next; i++; }
    else if ((!strcmp(a, "-b") || !strcmp(a, "--bind")) && next) { *bind = next; i++; }
    else if ((!strcmp(a, "-p") || !strcmp(a, "--port")) && next) {
      char *end;
      long n = strtol(next, &end, 10);
      if (*end || end == next || n < 0 || n > 65535) {
        fprintf(stderr, "folio serve: --port takes a number from 1 to 65535 (0: any free port)\n");
        return 2;
      }
      *port = (int)n;
      *explicit_port = 1;
      i++;
    } else if (!strcmp(a, "--allow-host") && next) {
      if (s->nallowed == sizeof s->allowed / sizeof s->allowed[0]) {
        fprintf(stderr, "folio serve: at most %zu --allow-host names\n", sizeof s->allowed / sizeof s->allowed[0]);
        return 2;
      }
      s->allowed[s->nallowed++] = next;
      i++;
    } else if ((!strcmp(a, "--header-timeout") || !strcmp(a, "--idle-timeout")) && next) {
      unsigned ms = S_parse_seconds(next);
      if (!ms) {
        fprintf(stderr, "folio serve: %s takes seconds, from 0.001 to 3600 (got '%s')\n", a, next);
        return 2;
      }
      if (a[2] == 'h') so->header_timeout_ms = ms;
      else so->idle_timeout_ms = ms;
      i++;
    } else if (!strcmp(a, "--max-connections") && next) {
      char *end;
      long n = strtol(next, &end, 10);
      if (*end || end == next || n < 1 || n > 1000000) {
        fprintf(stderr, "folio serve: --max-connections takes a number from 1 to 1000000\n");
        return 2;
      }
      so->max_connections = (unsigned)n;
      i++;
    } else if (!strcmp(a, "--no-drafts")) { s->options.drafts = 0; s->options.future = 0; }
    else if (!strcmp(a, "-D") || !strcmp(a, "--drafts")) { s->options.drafts = 1; s->options.future = 1; }
    else if (!strcmp(a, "--open")) s->open_browser = 1;
    else if (!strcmp(a, "--base-url") || !strncmp(a, "--base-url=", 11)) {
      if (a[10] == '\0')
        i++;
      if (folio_cli_base_url("serve", a[10] == '=' ? a + 11 : next, s->base_url, sizeof s->base_url) != 0)
        return 2;
      s->base_url_given = 1;
    }
    else if (!strcmp(a, "--safe")) s->options.safe = 1;
    else if ((!strcmp(a, "-j") || !strcmp(a, "--jobs")) && next) { s->options.jobs = atoi(next); i++; }
    else {
      return folio_unknown_option("serve", a);
    }
  }
  return 0;
}

/* The preview is built in a new folder under $TMPDIR; the builds into it go through the same
 * output-folder checks as folio build (src/core/outdir.c). A TMPDIR inside a source folder is
 * refused before anything is created there. */
static int S_make_preview_dir(S_serve *s)
{
  const char *tmp = getenv("TMPDIR");
  char which[64];
  if (folio_outdir_in_sources(tmp && *tmp ? tmp : "/tmp", which, sizeof which)) {
    fprintf(stderr, "folio serve: refusing to build the preview in %s: it is (inside) the site's %s, a source\n"
                    "  hint: point TMPDIR at a folder outside the site's sources\n", tmp, which);
    return -1;
  }
  snprintf(s->preview_root, sizeof s->preview_root, "%s/folio-serve-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (mkdtemp(s->preview_root) == NULL) {
    fprintf(stderr, "folio serve: cannot create a preview folder in %s: %s\n", tmp ? tmp : "/tmp", strerror(errno));
    return -1;
  }
  snprintf(s->output, sizeof s->output, "%s/site", s->preview_root);
  if (mkdir(s->output, 0755) != 0) {
    fprintf(stderr, "folio serve: cannot create %s: %s\n", s->output, strerror(errno));
    return -1;
  }
  return 0;
}

int folio_cmd_serve(int argc, char **argv)
{
  S_serve s;
  memset(&s, 0, sizeof s);
  const char *source = ".", *bind = "127.0.0.1";
  int port = FOLIO_SERVER_DEFAULT_PORT, explicit_port = 0;
  folio_server_options so = {0};
  int rc = S_parse(argc, argv, &s, &source, &bind, &port, &explicit_port, &so);
  if (rc != 0)
    return rc;
  if (chdir(source) != 0) {
    fprintf(stderr, "folio serve: cannot enter the site folder %s: %s\n", source, strerror(errno));
    return 1;
  }
  if (access("site.lua", F_OK) != 0 && access("_config.yml", F_OK) != 0) {
    fprintf(stderr, "folio serve: no site.lua (or Jekyll _config.yml) in %s\n  hint: run it in a site folder, pass --source DIR, "
                    "or create a site with 'folio new site DIR'\n", source);
    return 1;
  }
  s.color = isatty(STDERR_FILENO) && getenv("NO_COLOR") == NULL;
  if ((s.diag = folio_diag_new()) == NULL || S_make_preview_dir(&s) != 0 || uv_loop_init(&s.loop) != 0) {
    folio_diag_free(s.diag);
    if (s.preview_root[0]) folio_remove_tree(s.preview_root);
    return 1;
  }
  /* Every client costs an open file: take all the kernel allows us (the server's caps then fit
     within it; see server.h). */
  folio_server_raise_fd_limit();
  so.bind = bind;
  so.allowed_hosts = s.allowed;
  so.nallowed_hosts = s.nallowed;
  so.port = port;
  so.port_is_explicit = explicit_port;
  so.root = s.output;
  so.on_request = S_on_request;
  so.ud = &s;
  char err[256] = "";
  rc = folio_server_start(&s.loop, &so, &s.server, err, sizeof err);
  if (rc != 0) {
    fprintf(stderr, "folio serve: %s\n", err[0] ? err : uv_strerror(rc));
    uv_run(&s.loop, UV_RUN_DEFAULT);
    uv_loop_close(&s.loop);
    folio_remove_tree(s.preview_root);
    folio_diag_free(s.diag);
    return 1;
  }
  int bound = folio_server_port(s.server);
  if (!explicit_port && bound != port)
    printf("Port %d is in use; using %d instead.\n", port, bound);
  if (!s.base_url_given)
    snprintf(s.base_url, sizeof s.base_url, strchr(bind, ':') ? "http://[%s]:%d/" : "http://%s:%d/", bind, bound);
  s.options.preview = 1;
  s.options.base_url = s.base_url;
  s.options.output_dir = s.output;
  /* Signals are caught before the first build: a Ctrl-C during it is acted on when it ends,
   * so the preview folder is still removed. */
  uv_signal_init(&s.loop, &s.sigint);
  uv_signal_init(&s.loop, &s.sigterm);
  s.sigint.data = s.sigterm.data = &s;
  uv_signal_start(&s.sigint, S_on_signal, SIGINT);
  uv_signal_start(&s.sigterm, S_on_signal, SIGTERM);
  S_full_build(&s, "start");
  rc = folio_watch_start(&s.loop, ".", S_watched_names(), 8, S_on_change, &s, &s.watch, err, sizeof err);
  if (rc != 0)
    fprintf(stderr, "folio serve: cannot watch the site (%s); changes will not be picked up\n", err);
  printf("Serving %s at %s (watching with %s; Ctrl-C to stop)\n", source, s.base_url,
         s.watch ? folio_watch_mode(s.watch) : "nothing");
  fflush(stdout);
  if (s.open_browser)
    S_open_browser(&s);
  uv_run(&s.loop, UV_RUN_DEFAULT);
  folio_build_free(s.build);
  folio_diag_free(s.diag);
  folio_remove_tree(s.preview_root);
  rc = uv_loop_close(&s.loop);
  return rc == 0 ? 0 : 1;
}

/* http_server_test.c: test driver of the preview server (src/http/).
 *
 *   http_server_test --unit
 *       runs the socket-free unit checks (path cleaning, injection, SSE framing, MIME types,
 *       open-beneath) and prints "N passed, M failed".
 *   http_server_test --root DIR [--port N] [--explicit] [--bind ADDR] [--idle-ms N]
 *                    [--header-ms N] [--heartbeat-ms N] [--sse-max BYTES] [--resolve portable]
 *                    [--max-conns N] [--max-sse N] [--allow-host NAME]... [--nofile N]
 *       (--nofile lowers the open-file limit to N, soft and hard; otherwise the soft limit is
 *       raised to the hard one as folio serve does)
 *       starts a server on its own loop, prints "PORT n openat2=0|1" (or "ERROR message" and
 *       exits 2), then obeys commands on stdin, one per line, answering each with a line:
 *         broadcast EVENT JSON   -> "SENT n"
 *         flood N SIZE           -> "SENT n" (N "flood" events of SIZE bytes each)
 *         clients                -> "CLIENTS n"
 *         conns                  -> "CONNS n SSE m" (open HTTP connections, SSE clients)
 *         root DIR               -> "OK"
 *         quit (or end of input) -> closes the server; exits 0 only if the loop closed clean.
 *       Its on_request hook: /hook/echo answers with the decoded path, query and X-Echo header;
 *       /hook/html answers with an HTML page; /hook/fail fails (500); any other request gets
 *       the header "X-Hook: seen" on the server's normal response.
 * Driven by tests/http_test.py. */
#include "http/http_util.h"
#include "http/server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- unit checks ---- */

static int S_pass, S_fail;

#define CHECK(cond)                                                                           \
  do {                                                                                        \
    if (cond) S_pass++;                                                                       \
    else {                                                                                    \
      S_fail++;                                                                               \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                \
    }                                                                                         \
  } while (0)

static int S_clean(const char *raw, const char *want, int want_slash) {
  char out[256];
  int slash = -1;
  int r = folio_http_clean_path(raw, strlen(raw), out, sizeof out, &slash);
  if (!want) return r < 0;
  if (r < 0) {
    fprintf(stderr, "clean_path(%s) failed\n", raw);
    return 0;
  }
  if (strcmp(out, want) != 0 || slash != want_slash) {
    fprintf(stderr, "clean_path(%s) = \"%s\" slash=%d\n", raw, out, slash);
    return 0;
  }
  return 1;
}

static size_t S_inject(const char *html) { return folio_http_inject_offset(html, strlen(html)); }

static int S_sse(const char *event, const char *data, const char *want) {
  char *out;
  size_t n = folio_http_sse_format(event, data, &out);
  if (!want) {
    free(out);
    return n == (size_t)-1;
  }
  int ok = n != (size_t)-1 && n == strlen(want) && memcmp(out, want, n) == 0;
  if (!ok) fprintf(stderr, "sse(%s) = [%.*s]\n", event, n == (size_t)-1 ? 0 : (int)n, out);
  free(out);
  return ok;
}

static int S_unit(void) {
  CHECK(S_clean("/", "", 1));
  CHECK(S_clean("/a/b.html", "a/b.html", 0));
  CHECK(S_clean("/a/b/", "a/b", 1));
  CHECK(S_clean("//a///b", "a/b", 0));
  CHECK(S_clean("/a%20b.txt", "a b.txt", 0));
  CHECK(S_clean("/%C3%A9t%c3%a9/", "\xc3\xa9t\xc3\xa9", 1));
  CHECK(S_clean("/.well-known/x", ".well-known/x", 0));
  CHECK(S_clean("/a..b/..c", "a..b/..c", 0));
  CHECK(S_clean("/..", NULL, 0));
  CHECK(S_clean("/../etc/passwd", NULL, 0));
  CHECK(S_clean("/a/../../x", NULL, 0));
  CHECK(S_clean("/a/./b", NULL, 0));
  CHECK(S_clean("/.", NULL, 0));
  CHECK(S_clean("/%2e%2e/x", NULL, 0));
  CHECK(S_clean("/%2E%2e", NULL, 0));
  CHECK(S_clean("/.%2e/", NULL, 0));
  CHECK(S_clean("/a%2fb", NULL, 0));
  CHECK(S_clean("/a%2F..%2Fb", NULL, 0));
  CHECK(S_clean("/a%5cb", NULL, 0));
  CHECK(S_clean("/a\\b", NULL, 0));
  CHECK(S_clean("/a%00b", NULL, 0));
  CHECK(S_clean("/a%", NULL, 0));
  CHECK(S_clean("/a%2", NULL, 0));
  CHECK(S_clean("/a%zz", NULL, 0));
  CHECK(S_clean("/%252e%252e/", "%2e%2e", 1)); /* decoded once only: a harmless name */
  CHECK(S_clean("x", NULL, 0));
  CHECK(S_clean("", NULL, 0));
  {
    char small[4];
    int s;
    CHECK(folio_http_clean_path("/abcdef", 7, small, sizeof small, &s) < 0);
  }

  CHECK(S_inject("<html><body>x</body></html>") == 13);
  CHECK(S_inject("<HTML><BODY>x</BODY></HTML>") == 13);
  CHECK(S_inject("<body>\"</body>\"</body >") == 15);
  CHECK(S_inject("<p>no body</p>") == 14);
  CHECK(S_inject("") == 0);
  CHECK(S_inject("</bodyx>") == 8);
  CHECK(S_inject("x</body") == 1);

  CHECK(S_sse("reload", "{\"paths\":[\"*\"]}", "event: reload\ndata: {\"paths\":[\"*\"]}\n\n"));
  CHECK(S_sse("e", "a\nb\r\nc\rd", "event: e\ndata: a\ndata: b\ndata: c\ndata: d\n\n"));
  CHECK(S_sse("e", "", "event: e\ndata: \n\n"));
  CHECK(S_sse("e", NULL, "event: e\ndata: \n\n"));
  CHECK(S_sse("e", "x\n", "event: e\ndata: x\n\n"));
  CHECK(S_sse("", "x", NULL));
  CHECK(S_sse("a\nb", "x", NULL));
  CHECK(S_sse("a\rb", "x", NULL));

  CHECK(strcmp(folio_http_mime_type("a/b.HTML"), "text/html; charset=utf-8") == 0);
  CHECK(strcmp(folio_http_mime_type("x.woff2"), "font/woff2") == 0);
  CHECK(strcmp(folio_http_mime_type("x.tar.gz"), "application/octet-stream") == 0);
  CHECK(strcmp(folio_http_mime_type(".htaccess"), "application/octet-stream") == 0);
  CHECK(strcmp(folio_http_mime_type("noext"), "application/octet-stream") == 0);
  CHECK(strcmp(folio_http_mime_type("d.x/file"), "application/octet-stream") == 0);
  CHECK(folio_http_is_html("text/html; charset=utf-8"));
  CHECK(folio_http_is_html("TEXT/HTML"));
  CHECK(!folio_http_is_html("text/htmlx"));
  CHECK(!folio_http_is_html("text/plain"));

  /* open-beneath, both ways: a symlink out of the root is refused, one inside is followed. */
  char tmpl[] = "/tmp/folio-http-unit-XXXXXX";
  char *base = mkdtemp(tmpl);
  CHECK(base != NULL);
  if (base) {
    char p[512], q[512];
    snprintf(p, sizeof p, "%s/root", base);
    CHECK(mkdir(p, 0700) == 0);
    snprintf(p, sizeof p, "%s/secret", base);
    FILE *f = fopen(p, "w");
    CHECK(f != NULL);
    if (f) fclose(f);
    snprintf(p, sizeof p, "%s/root/in.txt", base);
    f = fopen(p, "w");
    CHECK(f != NULL);
    if (f) fclose(f);
    snprintf(p, sizeof p, "%s/root/out", base);
    CHECK(symlink("../secret", p) == 0);
    snprintf(p, sizeof p, "%s/root/abs", base);
    snprintf(q, sizeof q, "%s/secret", base);
    CHECK(symlink(q, p) == 0);
    snprintf(p, sizeof p, "%s/root/ok", base);
    CHECK(symlink("in.txt", p) == 0);
    snprintf(p, sizeof p, "%s/root", base);
    for (int mode = FOLIO_RESOLVE_AUTO; mode <= FOLIO_RESOLVE_PORTABLE; mode++) {
      int fd = folio_http_open_beneath(p, "in.txt", mode);
      CHECK(fd >= 0);
      if (fd >= 0) close(fd);
      fd = folio_http_open_beneath(p, "ok", mode);
      CHECK(fd >= 0);
      if (fd >= 0) close(fd);
      fd = folio_http_open_beneath(p, "", mode);
      CHECK(fd >= 0);
      if (fd >= 0) close(fd);
      CHECK(folio_http_open_beneath(p, "out", mode) < 0);
      CHECK(folio_http_open_beneath(p, "abs", mode) < 0);
      CHECK(folio_http_open_beneath(p, "missing", mode) == -ENOENT);
    }
    const char *names[] = {"root/in.txt", "root/out", "root/abs", "root/ok", "root", "secret"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
      snprintf(p, sizeof p, "%s/%s", base, names[i]);
      if (strcmp(names[i], "root") == 0) rmdir(p);
      else unlink(p);
    }
    CHECK(rmdir(base) == 0);
  }
  /* Host check and the folder redirect's Location. */
  {
    const char *allowed[] = {"localhost", "127.0.0.1", "::1", "mybox.local"};
    CHECK(folio_http_host_allowed("localhost", allowed, 4));
    CHECK(folio_http_host_allowed("LOCALHOST:1313", allowed, 4));
    CHECK(folio_http_host_allowed("localhost:", allowed, 4));
    CHECK(folio_http_host_allowed("[::1]:80", allowed, 4));
    CHECK(folio_http_host_allowed("[0:0::1]", allowed, 4));
    CHECK(folio_http_host_allowed("MyBox.Local", allowed, 4));
    CHECK(!folio_http_host_allowed("evil.example", allowed, 4));
    CHECK(!folio_http_host_allowed("localhost.evil.example", allowed, 4));
    CHECK(!folio_http_host_allowed("127.0.0.1.evil.example:80", allowed, 4));
    CHECK(!folio_http_host_allowed("localhost:65536", allowed, 4));
    CHECK(!folio_http_host_allowed("localhost:8x", allowed, 4));
    CHECK(!folio_http_host_allowed("::1", allowed, 4)); /* IPv6 needs brackets in Host */
    CHECK(!folio_http_host_allowed("[::1", allowed, 4));
    CHECK(!folio_http_host_allowed("", allowed, 4));
    CHECK(!folio_http_host_allowed(NULL, allowed, 4));
    char canon[64];
    CHECK(folio_http_host_canonical("0:0::1", 6, canon, sizeof canon) == 0 && !strcmp(canon, "::1"));
    CHECK(folio_http_host_canonical("a b", 3, canon, sizeof canon) < 0);
    char *loc;
    size_t n = folio_http_folder_location("evil.com", "", &loc);
    CHECK(n == 10 && loc && strcmp(loc, "/evil.com/") == 0);
    free(loc);
    n = folio_http_folder_location("\t/x y?#%", "a=<1>&b=//c", &loc);
    CHECK(n != (size_t)-1 && loc && strcmp(loc, "/%09/x%20y%3F%23%25/?a=%3C1%3E&b=//c") == 0);
    free(loc);
    CHECK(folio_http_folder_location("/evil.com", "", &loc) == (size_t)-1 && loc == NULL);
    CHECK(folio_http_folder_location("", "", &loc) == (size_t)-1);
  }
  printf("openat2 available: %d\n", folio_http_have_openat2());
  printf("%d passed, %d failed\n", S_pass, S_fail);
  return S_fail ? 1 : 0;
}

/* ---- server mode ---- */

typedef struct {
  uv_loop_t loop;
  uv_pipe_t in;
  folio_server *srv;
  char line[8192];
  size_t line_len;
  int closed_clean;
} S_app;

static int S_hook(void *ud, const folio_http_request *req, folio_http_reply *reply) {
  (void)ud;
  if (strcmp(req->path, "/hook/echo") == 0 || strcmp(req->path, "/hook/echo x") == 0) {
    const char *echo = folio_http_request_header(req, "x-echo");
    char body[1024];
    int n = snprintf(body, sizeof body, "method=%s path=%s query=%s echo=%s url=%s",
                     req->method, req->path, req->query, echo ? echo : "-", req->url);
    if (folio_http_reply_set_status(reply, 201) || folio_http_reply_add_header(reply, "X-Hooked", "yes") ||
        folio_http_reply_set_body(reply, "text/plain", body, (size_t)n))
      return -1;
    if (folio_http_reply_add_header(reply, "Content-Length", "5") != UV_EINVAL) return -1;
    if (folio_http_reply_add_header(reply, "X-Bad", "a\r\nb") != UV_EINVAL) return -1;
    if (folio_http_reply_set_status(reply, 99) != UV_EINVAL) return -1;
    return 1;
  }
  if (strcmp(req->path, "/hook/html") == 0) {
    static const char page[] = "<html><body><p>from hook</p></body></html>";
    return folio_http_reply_set_body(reply, "text/html; charset=utf-8", page, sizeof page - 1)
               ? -1
               : 1;
  }
  if (strcmp(req->path, "/hook/fail") == 0) return -1;
  return folio_http_reply_add_header(reply, "X-Hook", "seen") ? -1 : 0;
}

static void S_closed(void *ud) {
  S_app *app = ud;
  app->closed_clean = 1;
}

static void S_pipe_closed(uv_handle_t *h) { (void)h; }

static void S_quit(S_app *app) {
  if (!app->srv) return;
  folio_server_close(app->srv, S_closed, app);
  app->srv = NULL;
  uv_close((uv_handle_t *)&app->in, S_pipe_closed);
}

static void S_command(S_app *app, char *line) {
  char *cmd = strtok(line, " ");
  if (!cmd) return;
  if (strcmp(cmd, "quit") == 0) {
    S_quit(app);
    return;
  }
  if (!app->srv) return;
  if (strcmp(cmd, "broadcast") == 0) {
    char *event = strtok(NULL, " ");
    char *data = strtok(NULL, "");
    printf("SENT %d\n", folio_server_broadcast(app->srv, event ? event : "", data ? data : ""));
  } else if (strcmp(cmd, "flood") == 0) {
    char *ns = strtok(NULL, " "), *ss = strtok(NULL, " ");
    long n = ns ? atol(ns) : 0, size = ss ? atol(ss) : 0;
    char *data = malloc((size_t)size + 1);
    int sent = 0;
    if (data) {
      memset(data, 'x', (size_t)size);
      data[size] = '\0';
      for (long i = 0; i < n; i++) sent = folio_server_broadcast(app->srv, "flood", data);
      free(data);
    }
    printf("SENT %d\n", sent);
  } else if (strcmp(cmd, "conns") == 0) {
    printf("CONNS %zu SSE %zu\n", folio_server_connection_count(app->srv),
           folio_server_client_count(app->srv));
  } else if (strcmp(cmd, "clients") == 0) {
    printf("CLIENTS %zu\n", folio_server_client_count(app->srv));
  } else if (strcmp(cmd, "root") == 0) {
    char *dir = strtok(NULL, "");
    printf(dir && folio_server_set_root(app->srv, dir) == 0 ? "OK\n" : "FAIL\n");
  } else {
    printf("UNKNOWN\n");
  }
  fflush(stdout);
}

static void S_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  S_app *app = h->data;
  (void)suggested;
  buf->base = app->line + app->line_len;
  buf->len = sizeof app->line - 1 - app->line_len;
}

static void S_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  S_app *app = s->data;
  (void)buf;
  if (nread < 0) {
    S_quit(app);
    return;
  }
  app->line_len += (size_t)nread;
  char *nl;
  while (app->srv && (nl = memchr(app->line, '\n', app->line_len))) {
    *nl = '\0';
    size_t used = (size_t)(nl - app->line) + 1;
    S_command(app, app->line);
    memmove(app->line, app->line + used, app->line_len - used);
    app->line_len -= used;
  }
  if (app->line_len == sizeof app->line - 1) app->line_len = 0; /* overlong: drop */
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--unit") == 0) return S_unit();
  folio_server_options o = {0};
  const char *hosts[8];
  size_t nhosts = 0;
  long nofile = 0;
  o.port = FOLIO_SERVER_DEFAULT_PORT;
  o.on_request = S_hook;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--explicit") == 0) { o.port_is_explicit = 1; continue; }
    if (!v) { fprintf(stderr, "missing value for %s\n", a); return 2; }
    i++;
    if (strcmp(a, "--root") == 0) o.root = v;
    else if (strcmp(a, "--port") == 0) o.port = atoi(v);
    else if (strcmp(a, "--bind") == 0) o.bind = v;
    else if (strcmp(a, "--idle-ms") == 0) o.idle_timeout_ms = (unsigned)atoi(v);
    else if (strcmp(a, "--header-ms") == 0) o.header_timeout_ms = (unsigned)atoi(v);
    else if (strcmp(a, "--heartbeat-ms") == 0) o.heartbeat_ms = (unsigned)atoi(v);
    else if (strcmp(a, "--sse-max") == 0) o.sse_max_queue = (size_t)atol(v);
    else if (strcmp(a, "--resolve") == 0) o.resolve_mode = strcmp(v, "portable") == 0;
    else if (strcmp(a, "--max-conns") == 0) o.max_connections = (unsigned)atoi(v);
    else if (strcmp(a, "--max-sse") == 0) o.max_sse = (unsigned)atoi(v);
    else if (strcmp(a, "--nofile") == 0) nofile = atol(v);
    else if (strcmp(a, "--allow-host") == 0 && nhosts < 8) hosts[nhosts++] = v;
    else { fprintf(stderr, "unknown option %s\n", a); return 2; }
  }
  o.allowed_hosts = hosts;
  o.nallowed_hosts = nhosts;
  if (nofile > 0) {
    struct rlimit rl = {(rlim_t)nofile, (rlim_t)nofile};
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
      perror("setrlimit");
      return 2;
    }
  } else {
    folio_server_raise_fd_limit();
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  S_app *app = calloc(1, sizeof *app);
  if (!app || uv_loop_init(&app->loop) != 0) return 2;
  char err[256];
  int r = folio_server_start(&app->loop, &o, &app->srv, err, sizeof err);
  if (r < 0) {
    printf("ERROR %s\n", err);
    uv_run(&app->loop, UV_RUN_DEFAULT);
    int c = uv_loop_close(&app->loop);
    free(app);
    return c == 0 ? 3 : 4;
  }
  printf("PORT %d openat2=%d\n", folio_server_port(app->srv),
         o.resolve_mode == 0 && folio_http_have_openat2());
  uv_pipe_init(&app->loop, &app->in, 0);
  app->in.data = app;
  struct stat st;
  /* epoll refuses regular files and /dev/null, and libuv aborts on that: check first. */
  if (fstat(0, &st) < 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) ||
      uv_pipe_open(&app->in, 0) < 0 ||
      uv_read_start((uv_stream_t *)&app->in, S_alloc, S_read) < 0) {
    fprintf(stderr, "stdin must be a pipe\n");
    S_quit(app);
  }
  uv_run(&app->loop, UV_RUN_DEFAULT);
  int rc = uv_loop_close(&app->loop);
  int clean = app->closed_clean;
  free(app);
  if (rc != 0) fprintf(stderr, "loop did not close cleanly: %s\n", uv_strerror(rc));
  return rc == 0 && clean ? 0 : 1;
}

/* http_request.c: fuzzes whole HTTP requests to the preview server (src/http/server.c).
 *
 * The server runs on its own libuv loop in this process, listening on 127.0.0.1, serving a
 * folder of traps (symlinks out of it beside a secret file, folders with and without
 * index.html, a 404.html, a file large enough to be streamed); its on_request hook answers
 * /hook, fails /hook-fail and adds a header elsewhere. server.c has no socket-free entry point,
 * so each input goes over a loopback connection made by this harness: the input bytes are sent
 * as they are (pipelined requests, garbage, half a request), then the write side is shut, and
 * the loop runs until the server has closed the connection. Properties:
 * - the server closes the connection within S_DEADLINE_MS (no hang, whatever was sent);
 * - what comes back is a sequence of well-formed HTTP/1.1 responses: a status line with a code
 *   from 100 to 599, header lines without stray CR or LF, a Content-Length (except 304 and the
 *   event stream) followed by exactly that many body bytes (none after a HEAD), nothing after a
 *   response that says Connection: close;
 * - no response carries the secret file's bytes (unless the request did: the hook echoes one);
 * - a Location header is a path on this server: "/" but not "//" or "/\" (no open redirect);
 * - the hook sees a clean path (starts with '/', no "//", '\', NUL, "." or ".." segment) and
 *   header values without surrounding blanks. */
#include "fuzz.h"

#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define S_SECRET "SECRET-OUTSIDE-THE-ROOT-7f3a"
enum { S_DEADLINE_MS = 5000, S_MAX_REPLY = 16 << 20, S_BIG = 1200 * 1024 };

static uv_loop_t S_loop;
static folio_server *S_srv;
static int S_port;
static char S_base[PATH_MAX];

/* ---- the served folder ---------------------------------------------------------------------- */

static void S_path(char *out, const char *rel)
{
  FUZZ_FORMAT(out, PATH_MAX, "%s/%s", S_base, rel);
}

static void S_file(const char *rel, const char *text, size_t len)
{
  char p[PATH_MAX];
  S_path(p, rel);
  FILE *f = fopen(p, "w");
  if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
    perror(p);
    exit(1);
  }
}

static void S_text(const char *rel, const char *text)
{
  S_file(rel, text, strlen(text));
}

static void S_dir(const char *rel)
{
  char p[PATH_MAX];
  S_path(p, rel);
  if (mkdir(p, 0755) != 0) {
    perror(p);
    exit(1);
  }
}

static void S_link(const char *target, const char *rel)
{
  char p[PATH_MAX];
  S_path(p, rel);
  if (symlink(target, p) != 0) {
    perror(p);
    exit(1);
  }
}

static void S_make_site(void)
{
  const char *tmp = getenv("TMPDIR");
  FUZZ_FORMAT(S_base, sizeof S_base, "%s/folio-fuzz-http-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (mkdtemp(S_base) == NULL) {
    perror("mkdtemp");
    exit(1);
  }
  S_text("secret.txt", S_SECRET);
  S_dir("root");
  S_dir("root/dir");
  S_dir("root/empty");
  S_text("root/index.html", "<!doctype html><html><body><p>home</p></body></html>");
  S_text("root/dir/index.html", "<p>dir</p></BODY >");
  S_text("root/dir/a.txt", "plain text");
  S_text("root/404.html", "<h1>custom 404</h1>");
  S_text("root/style.css", "body { color: red }");
  S_text("root/a b.txt", "space");
  char *big = malloc(S_BIG);
  if (big == NULL)
    exit(1);
  for (size_t i = 0; i < S_BIG; i++)
    big[i] = (char)('a' + i % 26);
  S_file("root/big.bin", big, S_BIG);
  free(big);
  S_link("../secret.txt", "root/up.txt");
  S_link("..", "root/parent");
  char target[PATH_MAX];
  S_path(target, "secret.txt");
  S_link(target, "root/abs.txt");
  S_link("dir", "root/dirlink");
  char fifo[PATH_MAX];
  S_path(fifo, "root/fifo");
  if (mkfifo(fifo, 0644) != 0) {
    perror(fifo);
    exit(1);
  }
}

static void S_remove_site(void)
{
  char cmd[PATH_MAX + 32];
  FUZZ_FORMAT(cmd, sizeof cmd, "rm -rf '%s'", S_base);
  if (system(cmd) != 0)
    fprintf(stderr, "http_request: could not remove %s\n", S_base);
}

/* ---- the hook ------------------------------------------------------------------------------- */

static void S_check_request(const folio_http_request *req)
{
  const char *p = req->path;
  FUZZ_CHECK(p[0] == '/' && strstr(p, "//") == NULL && strchr(p, '\\') == NULL,
             "the hook got path \"%s\"", p);
  for (const char *seg = p + 1; *seg;) {
    size_t n = strcspn(seg, "/");
    FUZZ_CHECK(!(n == 1 && seg[0] == '.') && !(n == 2 && seg[0] == '.' && seg[1] == '.'),
               "the hook got path \"%s\" with a dot segment", p);
    seg += n + (seg[n] == '/');
  }
  FUZZ_CHECK(strchr(req->query, '#') == NULL, "query \"%s\" holds a fragment", req->query);
  FUZZ_CHECK(strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0, "method %s",
             req->method);
  for (size_t i = 0; i < req->nheaders; i++) {
    const char *v = req->headers[i].value;
    size_t n = strlen(v);
    FUZZ_CHECK(n == 0 || (v[0] != ' ' && v[0] != '\t' && v[n - 1] != ' ' && v[n - 1] != '\t'),
               "header %s has value \"%s\" with blanks around it", req->headers[i].name, v);
    FUZZ_CHECK(strpbrk(v, "\r\n") == NULL && strpbrk(req->headers[i].name, "\r\n: ") == NULL,
               "header %s: \"%s\"", req->headers[i].name, v);
  }
}

static int S_on_request(void *ud, const folio_http_request *req, folio_http_reply *reply)
{
  (void)ud;
  S_check_request(req);
  if (strcmp(req->path, "/hook") == 0) {
    const char *accept = folio_http_request_header(req, "Accept");
    folio_http_reply_set_status(reply, 200);
    folio_http_reply_add_header(reply, "X-Query", req->query); /* may be refused: fine */
    /* The body never starts with "HTTP/1.1 " (see S_check_replies): the echo comes second. */
    char body[1024];
    int n = snprintf(body, sizeof body, "accept=%s", accept ? accept : "");
    size_t len = n < 0 ? 0 : (size_t)n < sizeof body ? (size_t)n : sizeof body - 1;
    return folio_http_reply_set_body(reply, "text/html", body, len) == 0 ? 1 : -1;
  }
  if (strcmp(req->path, "/hook-fail") == 0)
    return -1;
  folio_http_reply_add_header(reply, "X-Hook", "seen");
  return 0;
}

/* ---- set-up --------------------------------------------------------------------------------- */

static void S_shutdown(void)
{
  folio_server_close(S_srv, NULL, NULL);
  uv_run(&S_loop, UV_RUN_DEFAULT);
  uv_loop_close(&S_loop);
  S_remove_site();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  S_make_site();
  FUZZ_CHECK(uv_loop_init(&S_loop) == 0, "uv_loop_init");
  char root[PATH_MAX], err[200];
  S_path(root, "root");
  folio_server_options o = { .bind = "127.0.0.1", .port = 0, .root = root,
                             .on_request = S_on_request, .header_timeout_ms = 2000 };
  int r = folio_server_start(&S_loop, &o, &S_srv, err, sizeof err);
  FUZZ_CHECK(r == 0, "cannot start the server: %s", err);
  S_port = folio_server_port(S_srv);
  /* A remembered build error is replayed to every new event-stream client. */
  folio_server_broadcast(S_srv, "build-error", "{\"message\":\"fuzz\"}");
  atexit(S_shutdown);
  return 0;
}

/* ---- one exchange --------------------------------------------------------------------------- */

static long S_ms_since(const struct timespec *t0)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

typedef struct {
  char *p;
  size_t len, cap;
  int truncated, reset;
} S_reply;

/* Sends `data`, half-closes, and collects everything until the server closes. */
static void S_exchange(const uint8_t *data, size_t size, S_reply *out)
{
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  FUZZ_CHECK(fd >= 0, "socket: %s", strerror(errno));
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)S_port) };
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  /* libFuzzer's timer signal may interrupt connect; the connection then goes on by itself. */
  while (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 && errno != EISCONN) {
    FUZZ_CHECK(errno == EINTR || errno == EALREADY, "connect: %s", strerror(errno));
    struct pollfd wait = { fd, POLLOUT, 0 };
    poll(&wait, 1, 100);
  }
  FUZZ_CHECK(fcntl(fd, F_SETFL, O_NONBLOCK) == 0, "fcntl");
  size_t sent = 0;
  int shut = 0;
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  char buf[65536];
  for (;;) {
    uv_run(&S_loop, UV_RUN_NOWAIT);
    if (sent < size) {
      ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
      if (n > 0)
        sent += (size_t)n;
      else if (n < 0 && errno != EAGAIN && errno != EINTR)
        sent = size; /* the server hung up on us: nothing more to say */
    }
    if (sent == size && !shut) {
      shutdown(fd, SHUT_WR);
      shut = 1;
    }
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n == 0)
      break;
    if (n < 0 && errno == ECONNRESET) {
      out->reset = 1;
      break;
    }
    if (n > 0) {
      size_t room = out->cap - out->len;
      size_t keep = (size_t)n < room ? (size_t)n : room;
      memcpy(out->p + out->len, buf, keep);
      out->len += keep;
      if (keep < (size_t)n)
        out->truncated = 1;
      continue;
    }
    FUZZ_CHECK(S_ms_since(&t0) < S_DEADLINE_MS,
               "the server had not closed the connection after %d ms (%zu of %zu bytes sent)",
               S_DEADLINE_MS, sent, size);
    struct pollfd pf[2] = { { fd, POLLIN | (sent < size ? POLLOUT : 0), 0 },
                            { uv_backend_fd(&S_loop), POLLIN, 0 } };
    int timeout = uv_backend_timeout(&S_loop);
    poll(pf, 2, timeout < 0 || timeout > 10 ? 10 : timeout);
  }
  close(fd);
  for (int i = 0; i < 4; i++) /* let the server run its close callbacks */
    uv_run(&S_loop, UV_RUN_NOWAIT);
}

/* ---- the replies ---------------------------------------------------------------------------- */

static const char *S_find(const char *s, size_t len, const char *what)
{
  return memmem(s, len, what, strlen(what));
}

/* Header `name` in head[0, len) (ASCII case-insensitive), copied to out; 0 when absent. */
static int S_header(const char *head, size_t len, const char *name, char *out, size_t cap)
{
  size_t nl = strlen(name);
  for (const char *line = head; line < head + len;) {
    const char *end = S_find(line, (size_t)(head + len - line), "\r\n");
    if (end == NULL)
      end = head + len;
    if ((size_t)(end - line) > nl && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
      const char *v = line + nl + 1;
      while (v < end && *v == ' ')
        v++;
      snprintf(out, cap, "%.*s", (int)(end - v), v);
      return 1;
    }
    line = end + 2;
  }
  return 0;
}

static void S_check_replies(const S_reply *r, int secret_sent)
{
  FUZZ_CHECK(secret_sent || S_find(r->p, r->len, S_SECRET) == NULL, "a response holds the secret file");
  if (r->truncated || r->reset)
    return; /* framing cannot be checked on what we did not see */
  const char *s = r->p, *end = r->p + r->len;
  while (s < end) {
    size_t left = (size_t)(end - s);
    FUZZ_CHECK(left >= 13 && memcmp(s, "HTTP/1.1 ", 9) == 0, "a response starts with \"%.*s\"",
               (int)(left < 40 ? left : 40), s);
    int status = atoi(s + 9);
    FUZZ_CHECK(status >= 100 && status <= 599 && s[12] == ' ', "status line \"%.20s\"", s);
    const char *head_end = S_find(s, left, "\r\n\r\n");
    FUZZ_CHECK(head_end != NULL, "a response head that does not end");
    size_t hlen = (size_t)(head_end - s) + 2;
    for (const char *c = s; c < s + hlen; c++) { /* CR only before LF, LF only after CR */
      if (*c == '\r')
        FUZZ_CHECK(c + 1 < s + hlen && c[1] == '\n', "a bare CR in the response head");
      if (*c == '\n')
        FUZZ_CHECK(c > s && c[-1] == '\r', "a bare LF in the response head");
    }
    char value[1024];
    if (S_header(s, hlen, "Location", value, sizeof value))
      FUZZ_CHECK(value[0] == '/' && value[1] != '/' && value[1] != '\\',
                 "Location: %s leads off this server", value);
    const char *body = head_end + 4;
    if (S_header(s, hlen, "Content-Type", value, sizeof value) &&
        strncmp(value, "text/event-stream", 17) == 0 && status == 200 &&
        !S_header(s, hlen, "Content-Length", value, sizeof value))
      return; /* the event stream runs to the end of the connection */
    int closes = S_header(s, hlen, "Connection", value, sizeof value) && strcasecmp(value, "close") == 0;
    size_t length = 0;
    if (status != 304) {
      FUZZ_CHECK(S_header(s, hlen, "Content-Length", value, sizeof value),
                 "a %d response without Content-Length", status);
      length = strtoull(value, NULL, 10);
    }
    size_t rest = (size_t)(end - body);
    /* After a HEAD the next response (or the end) follows the head at once. Bodies served here
       never begin with "HTTP/1.1 ", so that tells the two apart. */
    int headless = rest == 0 || (rest >= 9 && memcmp(body, "HTTP/1.1 ", 9) == 0);
    if (length > 0 && headless)
      length = 0;
    FUZZ_CHECK(rest >= length, "a %d response promises %zu body bytes, %zu came", status, length, rest);
    s = body + length;
    if (closes)
      FUZZ_CHECK(s == end, "%zu bytes after a response that said Connection: close", (size_t)(end - s));
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > 65536)
    return 0;
  static char *room; /* one buffer for every input: allocating 16 MiB each time costs more */
  if (room == NULL)
    room = malloc(S_MAX_REPLY);
  FUZZ_CHECK(room != NULL, "out of memory");
  S_reply r = { room, 0, S_MAX_REPLY, 0, 0 };
  S_exchange(data, size, &r);
  /* The hook echoes a request header: a secret the request itself carries proves nothing. */
  int echoed = memmem(data, size, S_SECRET, strlen(S_SECRET)) != NULL;
  S_check_replies(&r, echoed);
  return 0;
}

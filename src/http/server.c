/* server.c: the preview server's sockets. It owns the listening socket, one S_conn per client
 * (HTTP/1.1 parsing with http-parser, keep-alive and pipelining, timeouts), the responses (files
 * beneath the root, redirects, 304/404, the on_request hook's replies) and the Server-Sent
 * Events clients of live reload. Path checks and the script itself live in path.c and
 * livereload.c.
 *
 * Shape of a connection: at most one request is handled at a time. When http-parser completes
 * a message we pause it and stop reading; unparsed bytes (a pipelined next request) stay in the
 * connection's input buffer until the response is written, then parsing resumes. At most one
 * uv_write is in flight per connection: bytes produced meanwhile wait in `out`. So a
 * connection's memory is its struct (fixed input and header buffers) plus one response, and
 * for a large file one 64 KiB chunk at a time.
 *
 * File reads are synchronous, on the loop thread: files up to 1 MiB (HTML up to 4 MiB, which
 * must be read whole to inject the script) in one go, larger ones 64 KiB per write completion.
 * This is a local preview of files just written by the build, so they are in the page cache;
 * a read of that size costs microseconds, far less than a thread-pool round trip, and keeps
 * every connection's lifetime tied to its two handles only.
 *
 * Many clients: HTTP connections sit in `srv->http` in the order they began to wait for their
 * client (accepted, or between requests), so over the cap the first one from the head that is
 * not busy answering is evicted; live-reload streams live in `srv->sse`, capped apart and never evicted as
 * idle. Every request is checked for its Host (host.c) before anything else.
 *
 * Memory of a connection is released only in the close callbacks of its handles (tcp, timer). */
#include "http/server.h"
#include "http/http_util.h"

#include <errno.h>
#include <fcntl.h>
#include <http_parser.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define S_CONTAINER(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

enum {
  S_INBUF = 16 * 1024,        /* bytes read from the socket at a time */
  S_HEAD_MAX = 16 * 1024,     /* request line + headers; more is 431 */
  S_URL_MAX = 8 * 1024,       /* request target; more is 414 */
  S_MAX_HEADERS = 100,        /* more is 431 */
  S_WHOLE_MAX = 1024 * 1024,  /* files up to this are read in one go */
  S_HTML_MAX = 4 * 1024 * 1024, /* HTML up to this gets the script; larger is streamed as is */
  S_CHUNK = 64 * 1024,        /* streaming chunk */
  S_KEEP_BUF = 64 * 1024,     /* output buffers larger than this are freed between responses */
  S_REPLY_HEADERS_MAX = 64,   /* extra headers one hook reply may add */
  S_LINGER_MS = 2000,         /* after our last byte, wait this long for the client's FIN */
  S_BODY_MAX = 64 * 1024,     /* request body (read and dropped); more is 413 */
  S_CONN_REQUESTS_MAX = 1000, /* requests on one keep-alive connection */
  S_BACKLOG = 511,            /* listen(2) queue */
  S_FD_RESERVE = 64,          /* open files kept free of connections (build, files served) */
};

/* ---------------------------------------------------------------------------------------- */
/* Growable byte buffer                                                                     */

typedef struct {
  char *p;
  size_t len, cap;
} S_buf;

static int S_buf_reserve(S_buf *b, size_t extra) {
  if (b->cap - b->len >= extra) return 0;
  if (extra > SIZE_MAX / 2 - b->len) return UV_ENOMEM;
  size_t cap = b->cap ? b->cap : 1024;
  while (cap - b->len < extra) cap *= 2;
  char *p = realloc(b->p, cap);
  if (!p) return UV_ENOMEM;
  b->p = p;
  b->cap = cap;
  return 0;
}

static int S_buf_add(S_buf *b, const void *data, size_t len) {
  if (len == 0) return 0;
  int r = S_buf_reserve(b, len);
  if (r) return r;
  memcpy(b->p + b->len, data, len);
  b->len += len;
  return 0;
}

static int S_buf_addf(S_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int S_buf_addf(S_buf *b, const char *fmt, ...) {
  char tmp[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof tmp) return UV_EINVAL;
  return S_buf_add(b, tmp, (size_t)n);
}

static void S_buf_free(S_buf *b) {
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Types                                                                                    */

typedef struct {
  char *name, *value;
} S_kv;

struct folio_http_reply {
  int status;
  char *content_type;
  char *body;
  size_t body_len;
  int has_body;
  S_kv *headers;
  size_t nheaders;
};

enum { S_IDLE, S_READING, S_RESPONDING, S_SSE, S_LINGER };

struct S_conn;
typedef struct {
  struct S_conn *head, *tail;
  size_t n;
} S_list;
enum { S_PIECE_NONE, S_PIECE_URL, S_PIECE_FIELD, S_PIECE_VALUE };

typedef struct S_conn {
  uv_tcp_t tcp; /* container-of from callbacks */
  uv_timer_t timer;
  uv_write_t wreq;
  uv_shutdown_t sreq;
  folio_server *srv;
  struct S_conn *prev, *next; /* in srv->http (oldest wait first) or srv->sse */
  int state;
  unsigned requests;   /* requests received on this connection */
  uint64_t body_len;   /* body bytes of the request being read */
  char local_ip[64];   /* the address the client connected to, canonical; "" if unknown */
  int handles_open; /* tcp + timer until both close callbacks ran */
  int closing, reading, writing;
  int keep_alive; /* for the response being written */
  int peer_eof;
  http_parser parser;

  char in[S_INBUF]; /* bytes read; [in_off, in_len) not parsed yet */
  size_t in_off, in_len;

  /* The request being parsed: url and headers, NUL-separated, in `head`. */
  char head[S_HEAD_MAX];
  size_t head_len, url_len;
  int piece;
  struct {
    size_t name, value;
  } hdr[S_MAX_HEADERS];
  size_t nhdr;
  int err_status; /* 413, 414 or 431 decided in a parser callback */

  S_buf out;      /* bytes waiting for the write in flight to finish */
  S_buf inflight; /* bytes handed to uv_write */
  int file_fd;    /* a file being streamed, or -1 */
  uint64_t file_left;
} S_conn;

struct folio_server {
  uv_loop_t *loop;
  uv_tcp_t listener;
  uv_timer_t heartbeat;
  int handles_open;
  int closing;
  int port;
  char *root;
  folio_server_request_fn on_request;
  void *ud;
  unsigned idle_ms, header_ms, heartbeat_ms, max_conns, max_sse;
  size_t sse_max;
  int resolve_mode;
  S_list http;   /* HTTP connections, the one waiting longest for its client first */
  S_list sse;    /* live-reload streams */
  size_t nalive; /* connection structs not yet freed (closing ones included) */
  char **hosts;  /* canonical names accepted in Host */
  int spare_fd;  /* /dev/null, given up to refuse a client when out of descriptors; or -1 */
  size_t nhosts;
  char id[40];   /* sent in the SSE "hello": a new id tells browsers the server restarted */
  char *sticky;  /* the last build-error frame, for clients that connect later */
  size_t sticky_len;
  void (*done)(void *);
  void *done_ud;
};

static void S_close(S_conn *c);
static void S_flush(S_conn *c);
static void S_process(S_conn *c);

/* ---------------------------------------------------------------------------------------- */
/* Hook API: requests and replies                                                           */

const char *folio_http_request_header(const folio_http_request *req, const char *name) {
  for (size_t i = 0; i < req->nheaders; i++)
    if (strcasecmp(req->headers[i].name, name) == 0) return req->headers[i].value;
  return NULL;
}

static int S_is_tchar(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int S_header_ok(const char *name, const char *value) {
  if (!name || !*name || !value) return 0;
  for (const char *p = name; *p; p++)
    if (!S_is_tchar((unsigned char)*p)) return 0;
  for (const char *p = value; *p; p++)
    if (*p == '\r' || *p == '\n') return 0;
  return 1;
}

static char *S_strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

int folio_http_reply_set_status(folio_http_reply *reply, int status) {
  if (status < 100 || status > 599) return UV_EINVAL;
  reply->status = status;
  return 0;
}

int folio_http_reply_set_body(folio_http_reply *reply, const char *content_type,
                              const void *data, size_t len) {
  if (!content_type) content_type = "application/octet-stream";
  if (!S_header_ok("Content-Type", content_type) || (len && !data)) return UV_EINVAL;
  char *ct = S_strdup(content_type);
  char *body = malloc(len ? len : 1);
  if (!ct || !body) {
    free(ct);
    free(body);
    return UV_ENOMEM;
  }
  if (len) memcpy(body, data, len);
  free(reply->content_type);
  free(reply->body);
  reply->content_type = ct;
  reply->body = body;
  reply->body_len = len;
  reply->has_body = 1;
  return 0;
}

int folio_http_reply_add_header(folio_http_reply *reply, const char *name, const char *value) {
  if (!S_header_ok(name, value)) return UV_EINVAL;
  static const char *const framing[] = {"content-length", "connection", "transfer-encoding",
                                        "keep-alive", "upgrade"};
  for (size_t i = 0; i < sizeof framing / sizeof framing[0]; i++)
    if (strcasecmp(name, framing[i]) == 0) return UV_EINVAL;
  if (reply->nheaders == S_REPLY_HEADERS_MAX) return UV_EINVAL;
  if (!reply->headers) {
    reply->headers = calloc(S_REPLY_HEADERS_MAX, sizeof *reply->headers);
    if (!reply->headers) return UV_ENOMEM;
  }
  char *n = S_strdup(name), *v = S_strdup(value);
  if (!n || !v) {
    free(n);
    free(v);
    return UV_ENOMEM;
  }
  reply->headers[reply->nheaders].name = n;
  reply->headers[reply->nheaders].value = v;
  reply->nheaders++;
  return 0;
}

static void S_reply_free(folio_http_reply *reply) {
  for (size_t i = 0; i < reply->nheaders; i++) {
    free(reply->headers[i].name);
    free(reply->headers[i].value);
  }
  free(reply->headers);
  free(reply->content_type);
  free(reply->body);
  memset(reply, 0, sizeof *reply);
}

static int S_reply_has(const folio_http_reply *reply, const char *name) {
  for (size_t i = 0; reply && i < reply->nheaders; i++)
    if (strcasecmp(reply->headers[i].name, name) == 0) return 1;
  return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Connection lifetime                                                                      */

static void S_list_remove(S_list *l, S_conn *c) {
  if (c->prev) c->prev->next = c->next;
  else l->head = c->next;
  if (c->next) c->next->prev = c->prev;
  else l->tail = c->prev;
  c->prev = c->next = NULL;
  l->n--;
}

static void S_list_append(S_list *l, S_conn *c) {
  c->next = NULL;
  c->prev = l->tail;
  if (l->tail) l->tail->next = c;
  else l->head = c;
  l->tail = c;
  l->n++;
}

/* The connection now waits for its client (accepted, or between requests): it goes to the end
 * of the eviction order. */
static void S_mark_waiting(S_conn *c) {
  if (c->closing || c->state == S_SSE) return;
  S_list_remove(&c->srv->http, c);
  S_list_append(&c->srv->http, c);
}

static void S_free_hosts(folio_server *srv) {
  for (size_t i = 0; i < srv->nhosts; i++) free(srv->hosts[i]);
  free(srv->hosts);
  srv->hosts = NULL;
  srv->nhosts = 0;
}

static void S_server_maybe_done(folio_server *srv) {
  if (!srv->closing || srv->handles_open || srv->nalive) return;
  void (*done)(void *) = srv->done;
  void *ud = srv->done_ud;
  S_free_hosts(srv);
  if (srv->spare_fd >= 0) close(srv->spare_fd);
  free(srv->root);
  free(srv->sticky);
  free(srv);
  if (done) done(ud);
}

static void S_conn_close_cb(uv_handle_t *h) {
  S_conn *c = h->data;
  if (--c->handles_open) return;
  folio_server *srv = c->srv;
  S_buf_free(&c->out);
  S_buf_free(&c->inflight);
  free(c);
  srv->nalive--;
  S_server_maybe_done(srv);
}

/* Abrupt close: drops whatever is queued. Safe to call more than once. */
static void S_close(S_conn *c) {
  if (c->closing) return;
  c->closing = 1;
  folio_server *srv = c->srv;
  S_list_remove(c->state == S_SSE ? &srv->sse : &srv->http, c);
  if (c->file_fd >= 0) {
    close(c->file_fd);
    c->file_fd = -1;
  }
  uv_close((uv_handle_t *)&c->timer, S_conn_close_cb);
  uv_close((uv_handle_t *)&c->tcp, S_conn_close_cb);
}

static void S_fail(S_conn *c, int status);

static void S_timer_cb(uv_timer_t *t) {
  S_conn *c = S_CONTAINER(t, S_conn, timer);
  if (c->state == S_READING) { /* too slow to send its request (slowloris): say so, then go */
    S_fail(c, 408);
    return;
  }
  S_close(c); /* idle, or not reading our response, or lingering too long */
}

static void S_arm(S_conn *c, unsigned ms) {
  uv_timer_start(&c->timer, S_timer_cb, ms, 0);
}

static void S_alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  S_conn *c = S_CONTAINER(h, S_conn, tcp);
  (void)suggested;
  /* Reading is on only while [in_off, in_len) is empty (or the bytes are being discarded). */
  c->in_off = c->in_len = 0;
  buf->base = c->in;
  buf->len = sizeof c->in;
}

static void S_read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

static void S_read_start(S_conn *c) {
  if (c->reading || c->closing) return;
  if (uv_read_start((uv_stream_t *)&c->tcp, S_alloc_cb, S_read_cb) < 0) {
    S_close(c);
    return;
  }
  c->reading = 1;
}

static void S_read_stop(S_conn *c) {
  if (!c->reading) return;
  uv_read_stop((uv_stream_t *)&c->tcp);
  c->reading = 0;
}

static void S_shutdown_cb(uv_shutdown_t *req, int status) {
  S_conn *c = S_CONTAINER(req, S_conn, sreq);
  if (status < 0 || c->peer_eof) S_close(c);
}

/* Graceful close after the last response: send FIN, then read (and drop) until the client
 * closes too, so unread request bytes do not turn our close into a reset that could destroy
 * the response before the client read it. Bounded by S_LINGER_MS. */
static void S_linger(S_conn *c) {
  if (c->closing) return;
  c->state = S_LINGER;
  S_mark_waiting(c);
  if (uv_shutdown(&c->sreq, (uv_stream_t *)&c->tcp, S_shutdown_cb) < 0) {
    S_close(c);
    return;
  }
  unsigned ms = c->srv->header_ms < S_LINGER_MS ? c->srv->header_ms : S_LINGER_MS;
  S_arm(c, ms);
  if (!c->peer_eof) S_read_start(c);
}

/* ---------------------------------------------------------------------------------------- */
/* Writing                                                                                  */

static void S_write_cb(uv_write_t *req, int status) {
  S_conn *c = S_CONTAINER(req, S_conn, wreq);
  c->writing = 0;
  c->inflight.len = 0;
  if (status < 0 || c->closing) { /* peer gone (EPIPE, ECONNRESET) or we are closing */
    S_close(c);
    return;
  }
  if (c->state == S_RESPONDING) S_arm(c, c->srv->idle_ms); /* progress: restart the clock */
  S_flush(c);
}

static void S_read_file_chunk(S_conn *c) {
  size_t want = c->file_left < S_CHUNK ? (size_t)c->file_left : S_CHUNK;
  if (S_buf_reserve(&c->out, want)) {
    S_close(c);
    return;
  }
  ssize_t n;
  do n = read(c->file_fd, c->out.p + c->out.len, want);
  while (n < 0 && errno == EINTR);
  if (n <= 0) { /* error, or the file shrank under us: the promised length cannot be met */
    S_close(c);
    return;
  }
  c->out.len += (size_t)n;
  c->file_left -= (uint64_t)n;
  if (c->file_left == 0) {
    close(c->file_fd);
    c->file_fd = -1;
  }
}

static void S_response_done(S_conn *c) {
  if (c->inflight.cap > S_KEEP_BUF) S_buf_free(&c->inflight);
  if (c->out.cap > S_KEEP_BUF) S_buf_free(&c->out);
  if (!c->keep_alive) {
    S_linger(c);
    return;
  }
  c->state = S_IDLE;
  S_mark_waiting(c);
  S_arm(c, c->srv->idle_ms);
  http_parser_pause(&c->parser, 0);
  if (c->in_off < c->in_len) S_process(c); /* a pipelined request already read */
  if (!c->closing && (c->state == S_IDLE || c->state == S_READING)) S_read_start(c);
}

/* Starts the next write if none is in flight; finishes the response when all is written. */
static void S_flush(S_conn *c) {
  if (c->writing || c->closing) return;
  if (c->out.len == 0 && c->file_fd >= 0) {
    S_read_file_chunk(c);
    if (c->closing) return;
  }
  if (c->out.len == 0) {
    if (c->state == S_RESPONDING) S_response_done(c);
    return;
  }
  S_buf t = c->inflight;
  c->inflight = c->out;
  c->out = t;
  c->out.len = 0;
  uv_buf_t b = uv_buf_init(c->inflight.p, (unsigned)c->inflight.len);
  if (uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, S_write_cb) < 0) {
    S_close(c);
    return;
  }
  c->writing = 1;
}

/* ---------------------------------------------------------------------------------------- */
/* Responses                                                                                */

static const char *S_reason(int status) {
  switch (status) {
  case 200: return "OK";
  case 201: return "Created";
  case 204: return "No Content";
  case 301: return "Moved Permanently";
  case 302: return "Found";
  case 303: return "See Other";
  case 304: return "Not Modified";
  case 307: return "Temporary Redirect";
  case 308: return "Permanent Redirect";
  case 400: return "Bad Request";
  case 403: return "Forbidden";
  case 404: return "Not Found";
  case 405: return "Method Not Allowed";
  case 408: return "Request Timeout";
  case 410: return "Gone";
  case 413: return "Content Too Large";
  case 414: return "URI Too Long";
  case 431: return "Request Header Fields Too Large";
  case 500: return "Internal Server Error";
  case 501: return "Not Implemented";
  case 503: return "Service Unavailable";
  case 505: return "HTTP Version Not Supported";
  default: return status < 300 ? "OK" : status < 400 ? "Redirect" : status < 500 ? "Client Error"
                                                                                 : "Server Error";
  }
}

/* What every response needs to know besides its body. */
typedef struct {
  int status;
  int head_only;                 /* HEAD: headers only, Content-Length as for GET */
  const char *content_type;      /* NULL: no Content-Type (304) */
  const char *etag;              /* NULL: none */
  const char *more;              /* extra "Name: value\r\n" lines of the server's own */
  const folio_http_reply *extra; /* the hook's headers, or NULL */
} S_resp;

static int S_write_head(S_conn *c, const S_resp *r, uint64_t length) {
  S_buf *b = &c->out;
  int e = S_buf_addf(b, "HTTP/1.1 %d %s\r\nServer: folio\r\n", r->status, S_reason(r->status));
  if (!e && r->content_type && !S_reply_has(r->extra, "Content-Type"))
    e = S_buf_addf(b, "Content-Type: %s\r\n", r->content_type);
  if (!e && r->status != 304) e = S_buf_addf(b, "Content-Length: %" PRIu64 "\r\n", length);
  if (!e && !S_reply_has(r->extra, "Cache-Control"))
    e = S_buf_add(b, "Cache-Control: no-cache\r\n", 25);
  if (!e && !S_reply_has(r->extra, "X-Content-Type-Options"))
    e = S_buf_add(b, "X-Content-Type-Options: nosniff\r\n", 33);
  if (!e && r->etag) e = S_buf_addf(b, "ETag: %s\r\n", r->etag);
  if (!e && r->more) e = S_buf_add(b, r->more, strlen(r->more));
  for (size_t i = 0; !e && r->extra && i < r->extra->nheaders; i++) {
    const S_kv *h = &r->extra->headers[i];
    size_t nl = strlen(h->name), vl = strlen(h->value);
    if (!(e = S_buf_add(b, h->name, nl)) && !(e = S_buf_add(b, ": ", 2)) &&
        !(e = S_buf_add(b, h->value, vl)))
      e = S_buf_add(b, "\r\n", 2);
  }
  if (!e) {
    const char *conn = c->keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    e = S_buf_add(b, conn, strlen(conn));
  }
  return e;
}

/* A response whose body is in memory. For text/html the live-reload tag is injected. */
static void S_send(S_conn *c, const S_resp *r, const char *body, size_t len) {
  int html = r->content_type && folio_http_is_html(r->content_type) && r->status != 304;
  size_t tag = html ? sizeof FOLIO_HTTP_LIVE_TAG - 1 : 0;
  size_t at = html ? folio_http_inject_offset(body, len) : len;
  c->state = S_RESPONDING;
  int e = S_write_head(c, r, r->status == 304 ? 0 : (uint64_t)len + tag);
  if (!e && !r->head_only && r->status != 304) {
    if (!(e = S_buf_add(&c->out, body, at)) && !(e = S_buf_add(&c->out, FOLIO_HTTP_LIVE_TAG, tag)))
      e = S_buf_add(&c->out, body + at, len - at);
  }
  if (e) {
    S_close(c);
    return;
  }
  S_flush(c);
}

static void S_send_text(S_conn *c, int status, const char *more, int head_only) {
  char body[256];
  int n = snprintf(body, sizeof body, "%d %s\n", status, S_reason(status));
  S_resp r = {status, head_only, "text/plain; charset=utf-8", NULL, more, NULL};
  S_send(c, &r, body, (size_t)n);
}

/* Request errors that leave the stream in an unknown state: answer, then close. */
static void S_fail(S_conn *c, int status) {
  S_read_stop(c);
  c->keep_alive = 0;
  S_send_text(c, status, NULL, 0);
}

/* Does the If-None-Match list hold `etag` (weak comparison) or "*"? */
static int S_etag_matches(const char *inm, const char *etag) {
  if (!inm) return 0;
  const char *e = etag[0] == 'W' ? etag + 2 : etag;
  size_t elen = strlen(e);
  const char *p = inm;
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == ',') p++;
    if (*p == '*') return 1;
    if (p[0] == 'W' && p[1] == '/') p += 2;
    const char *start = p;
    if (*p == '"') {
      p++;
      while (*p && *p != '"') p++;
      if (*p == '"') p++;
    } else {
      while (*p && *p != ',') p++;
    }
    if ((size_t)(p - start) == elen && memcmp(start, e, elen) == 0) return 1;
    while (*p && *p != ',') p++;
  }
  return 0;
}

/* Reads exactly `len` bytes of fd from its start into `dst`; returns 0 or -1. */
static int S_read_all(int fd, char *dst, size_t len) {
  size_t got = 0;
  while (got < len) {
    ssize_t n = pread(fd, dst + got, len - got, (off_t)got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    got += (size_t)n;
  }
  return 0;
}

/* Serves the regular file `fd` (taken over). `inm` is the request's If-None-Match. */
static void S_send_file(S_conn *c, int status, int fd, const struct stat *st, const char *name,
                        const char *inm, int head_only, const folio_http_reply *extra) {
  const char *type = folio_http_mime_type(name);
  uint64_t size = (uint64_t)st->st_size;
  int html = folio_http_is_html(type) && size <= S_HTML_MAX;
  char etag[96];
  uint64_t mtime_ns = (uint64_t)st->st_mtim.tv_sec * 1000000000u + (uint64_t)st->st_mtim.tv_nsec;
  /* The injected tag is part of the representation, so it is part of the tag too. */
  snprintf(etag, sizeof etag, "\"%" PRIx64 "-%" PRIx64 "-%" PRIx64 "%s\"", size, mtime_ns,
           (uint64_t)st->st_ino, html ? "-lr" : "");
  S_resp r = {status, head_only, type, etag, NULL, extra};
  if (status == 200 && S_etag_matches(inm, etag)) {
    close(fd);
    r.status = 304;
    S_send(c, &r, "", 0);
    return;
  }
  if (html || size <= S_WHOLE_MAX) {
    char *body = malloc(size ? (size_t)size : 1);
    if (!body || S_read_all(fd, body, (size_t)size) < 0) {
      free(body);
      close(fd);
      S_resp ir = {500, head_only, "text/plain; charset=utf-8", NULL, NULL, NULL};
      S_send(c, &ir, "500 Internal Server Error\n", 26);
      return;
    }
    close(fd);
    S_send(c, &r, body, (size_t)size);
    free(body);
    return;
  }
  c->state = S_RESPONDING;
  if (S_write_head(c, &r, size)) {
    close(fd);
    S_close(c);
    return;
  }
  if (head_only) {
    close(fd);
  } else {
    c->file_fd = fd;
    c->file_left = size;
  }
  S_flush(c);
}

static const char S_builtin_404[] =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>404 Not Found</title>"
    "</head>\n<body style=\"font:16px/1.5 system-ui,sans-serif;margin:3em\"><h1>404 Not Found</h1>"
    "<p>No file here in the built site.</p></body></html>\n";

/* Opens `rel` beneath the root; gives a regular file's fd and stat, or a negative errno
 * (-EISDIR for a folder). */
static int S_open_regular(folio_server *srv, const char *rel, struct stat *st) {
  int fd = folio_http_open_beneath(srv->root, rel, srv->resolve_mode);
  if (fd < 0) return fd;
  if (fstat(fd, st) < 0) {
    int e = -errno;
    close(fd);
    return e;
  }
  if (S_ISDIR(st->st_mode)) {
    close(fd);
    return -EISDIR;
  }
  if (!S_ISREG(st->st_mode)) { /* FIFOs, devices, sockets: never */
    close(fd);
    return -ENOENT;
  }
  return fd;
}

/* The nearest 404.html for a missing `rel` (as Cloudflare Pages looks for it): in its folder,
 * then each folder above, ending with the root's (ja/x/y: ja/x/y/404.html, ja/x/404.html,
 * ja/404.html, 404.html), so each language of a multilingual site answers with its own. */
static int S_open_not_found_page(folio_server *srv, const char *rel, struct stat *st) {
  size_t n = strlen(rel);
  char *path = malloc(n + sizeof "/404.html");
  if (!path) return -ENOMEM;
  memcpy(path, rel, n + 1);
  int fd = -ENOENT;
  while (n > 0) {
    memcpy(path + n, "/404.html", sizeof "/404.html");
    fd = S_open_regular(srv, path, st);
    if (fd >= 0 || fd == -EMFILE || fd == -ENFILE) break;
    while (n > 0 && path[n - 1] != '/') n--; /* up one folder */
    while (n > 0 && path[n - 1] == '/') n--;
  }
  free(path);
  if (fd < 0 && fd != -EMFILE && fd != -ENFILE) fd = S_open_regular(srv, "404.html", st);
  return fd;
}

static void S_not_found(S_conn *c, const char *rel, int head_only, const folio_http_reply *extra) {
  struct stat st;
  int fd = S_open_not_found_page(c->srv, rel, &st);
  if (fd >= 0) {
    S_send_file(c, 404, fd, &st, "404.html", NULL, head_only, extra);
    return;
  }
  S_resp r = {404, head_only, "text/html; charset=utf-8", NULL, NULL, extra};
  S_send(c, &r, S_builtin_404, sizeof S_builtin_404 - 1);
}

/* Files beneath the root. `rel` is the clean relative path, `query` the raw query. */
static void S_serve_file(S_conn *c, const char *rel, int trailing_slash, const char *query,
                         const char *inm, int head_only, const folio_http_reply *extra) {
  folio_server *srv = c->srv;
  struct stat st;
  int fd = S_open_regular(srv, rel, &st);
  if (fd == -EMFILE || fd == -ENFILE) { /* not "missing": the file is there, we cannot open it */
    S_resp r = {503, head_only, "text/plain; charset=utf-8", NULL, "Retry-After: 1\r\n", extra};
    static const char msg[] = "503 Service Unavailable: too many open files, try again\n";
    S_send(c, &r, msg, sizeof msg - 1);
    return;
  }
  if (fd == -EISDIR) {
    if (!trailing_slash) {
      /* Built from the clean path, never echoed: "//evil.com" must not become a Location
         that browsers read as another site. */
      char *target;
      size_t tlen = folio_http_folder_location(rel, query, &target);
      S_buf loc = {0};
      int e = tlen == (size_t)-1 ? UV_ENOMEM : S_buf_add(&loc, "Location: ", 10);
      if (!e) e = S_buf_add(&loc, target, tlen);
      if (!e) e = S_buf_add(&loc, "\r\n", 3); /* with the NUL */
      free(target);
      if (e) {
        S_buf_free(&loc);
        S_close(c);
        return;
      }
      S_resp r = {301, head_only, "text/plain; charset=utf-8", NULL, loc.p, extra};
      S_send(c, &r, "301 Moved Permanently\n", 22);
      S_buf_free(&loc);
      return;
    }
    size_t n = strlen(rel);
    char *idx = malloc(n + 12);
    if (!idx) {
      S_close(c);
      return;
    }
    snprintf(idx, n + 12, "%s%sindex.html", rel, n ? "/" : "");
    fd = S_open_regular(srv, idx, &st);
    free(idx);
    if (fd < 0) { /* no index.html: never a listing */
      S_not_found(c, rel, head_only, extra);
      return;
    }
    S_send_file(c, 200, fd, &st, "index.html", inm, head_only, extra);
    return;
  }
  if (fd < 0 || trailing_slash) { /* "/style.css/" is not the file */
    if (fd >= 0) close(fd);
    S_not_found(c, rel, head_only, extra);
    return;
  }
  S_send_file(c, 200, fd, &st, rel, inm, head_only, extra);
}

/* ---------------------------------------------------------------------------------------- */
/* Server-Sent Events                                                                       */

/* Queues one frame for an SSE client; drops the client when its backlog passes the cap. */
static void S_sse_queue(S_conn *c, const char *frame, size_t len) {
  if (c->closing || c->state != S_SSE) return;
  size_t pending = c->out.len + (c->writing ? c->inflight.len : 0);
  if (pending + len > c->srv->sse_max || S_buf_add(&c->out, frame, len)) {
    S_close(c); /* a stalled tab; EventSource reconnects when it wakes */
    return;
  }
  S_flush(c);
}

static void S_sse_start(S_conn *c) {
  folio_server *srv = c->srv;
  static const char head[] = "HTTP/1.1 200 OK\r\nServer: folio\r\n"
                             "Content-Type: text/event-stream; charset=utf-8\r\n"
                             "Cache-Control: no-cache\r\nConnection: keep-alive\r\n"
                             "X-Accel-Buffering: no\r\n\r\nretry: 1000\n\n";
  char hello[96];
  int n = snprintf(hello, sizeof hello, "event: hello\ndata: {\"id\":\"%s\"}\n\n", srv->id);
  if (srv->sse.n >= srv->max_sse) { /* the page still works, without live reload */
    char body[160];
    int bn = snprintf(body, sizeof body,
                      "503 Service Unavailable: %u live-reload connections are open already; "
                      "close some tabs\n", srv->max_sse);
    c->keep_alive = 0;
    S_resp r = {503, 0, "text/plain; charset=utf-8", NULL, NULL, NULL};
    S_send(c, &r, body, (size_t)bn);
    return;
  }
  uv_timer_stop(&c->timer); /* heartbeats and the queue cap police SSE clients */
  S_list_remove(&srv->http, c); /* long-lived by design: never evicted as idle */
  c->state = S_SSE;
  S_list_append(&srv->sse, c);
  c->keep_alive = 0;
  if (S_buf_add(&c->out, head, sizeof head - 1) || S_buf_add(&c->out, hello, (size_t)n) ||
      (srv->sticky && S_buf_add(&c->out, srv->sticky, srv->sticky_len))) {
    S_close(c);
    return;
  }
  S_read_start(c); /* only to hear the client leave; anything it sends is dropped */
  S_flush(c);
}

static void S_heartbeat_cb(uv_timer_t *t) {
  folio_server *srv = S_CONTAINER(t, folio_server, heartbeat);
  static const char ping[] = ": ping\n\n";
  for (S_conn *c = srv->sse.head, *next; c; c = next) {
    next = c->next;
    S_sse_queue(c, ping, sizeof ping - 1);
  }
}

int folio_server_broadcast(folio_server *srv, const char *event, const char *json_data) {
  char *frame;
  size_t len = folio_http_sse_format(event, json_data, &frame);
  if (len == (size_t)-1) return UV_EINVAL; /* or out of memory; the name is the usual cause */
  int count = 0;
  for (S_conn *c = srv->sse.head, *next; c; c = next) {
    next = c->next;
    if (c->closing) continue;
    S_sse_queue(c, frame, len);
    if (!c->closing) count++;
  }
  if (strcmp(event, "build-error") == 0) {
    free(srv->sticky);
    srv->sticky = frame; /* replayed to clients that connect while the build is broken */
    srv->sticky_len = len;
  } else {
    if (strcmp(event, "build-ok") == 0) {
      free(srv->sticky);
      srv->sticky = NULL;
      srv->sticky_len = 0;
    }
    free(frame);
  }
  return count;
}

size_t folio_server_client_count(const folio_server *srv) { return srv->sse.n; }

size_t folio_server_connection_count(const folio_server *srv) { return srv->http.n; }

/* ---------------------------------------------------------------------------------------- */
/* Requests                                                                                 */

/* DNS rebinding: answers 400 (HTTP/1.1 without a Host, or two of them) or 403 (a name this
 * server does not go by) and returns 1; returns 0 when the request may go on. */
static int S_check_host(S_conn *c) {
  folio_server *srv = c->srv;
  const char *host = NULL;
  int nhost = 0;
  for (size_t i = 0; i < c->nhdr; i++)
    if (strcasecmp(c->head + c->hdr[i].name, "Host") == 0) {
      host = c->head + c->hdr[i].value;
      nhost++;
    }
  int http11 = c->parser.http_minor >= 1;
  if (nhost > 1 || (nhost == 0 && http11) || (host && !*host)) {
    S_fail(c, 400);
    return 1;
  }
  if (!host) return 0; /* HTTP/1.0 without Host: not a browser, nothing to rebind */
  if (folio_http_host_allowed(host, (const char *const *)srv->hosts, srv->nhosts)) return 0;
  if (c->local_ip[0]) {
    const char *local = c->local_ip;
    if (folio_http_host_allowed(host, &local, 1)) return 0;
  }
  char body[512];
  int n = snprintf(body, sizeof body,
                   "403 Forbidden: this preview server answers only to localhost, 127.0.0.1, "
                   "[::1] and the address it listens on, not to \"%.100s\" (a page elsewhere "
                   "must not read your preview through DNS rebinding). To use another name, "
                   "start folio serve with --allow-host NAME.\n",
                   host);
  c->keep_alive = 0;
  S_resp r = {403, c->parser.method == HTTP_HEAD, "text/plain; charset=utf-8", NULL, NULL, NULL};
  S_send(c, &r, body, n > 0 && (size_t)n < sizeof body ? (size_t)n : strlen(body));
  return 1;
}

static void S_dispatch(S_conn *c) {
  folio_server *srv = c->srv;
  http_parser *p = &c->parser;
  S_read_stop(c);
  S_arm(c, srv->idle_ms); /* a client that stops reading our response is dropped */
  c->keep_alive = http_should_keep_alive(p) && !p->upgrade && !c->peer_eof &&
                  ++c->requests < S_CONN_REQUESTS_MAX;

  if (p->http_major != 1) { /* HTTP/0.9 has no status line; 2 and up speak another framing */
    S_fail(c, 505);
    return;
  }
  if (S_check_host(c)) return;
  int head_only = p->method == HTTP_HEAD;
  if (p->method != HTTP_GET && !head_only) {
    S_send_text(c, 405, "Allow: GET, HEAD\r\n", 0);
    return;
  }
  const char *url = c->head; /* NUL-terminated by the parser callbacks */
  if (url[0] != '/') { /* absolute-form ("http://host/x"), authority-form or "*" */
    S_fail(c, 400);
    return;
  }
  size_t path_len = strcspn(url, "?#");
  const char *query = "";
  char *qcopy = NULL;
  if (url[path_len] == '?') {
    size_t qlen = strcspn(url + path_len + 1, "#");
    qcopy = malloc(qlen + 1);
    if (!qcopy) {
      S_close(c);
      return;
    }
    memcpy(qcopy, url + path_len + 1, qlen);
    qcopy[qlen] = '\0';
    query = qcopy;
  }
  /* rel: the clean relative path; path: "/" + rel (+ "/"), for the hook. */
  char *rel = malloc(path_len + 3), *path = malloc(path_len + 3);
  int trailing = 0;
  if (!rel || !path) {
    free(rel);
    free(path);
    free(qcopy);
    S_close(c);
    return;
  }
  if (folio_http_clean_path(url, path_len, rel, path_len + 1, &trailing) < 0) {
    free(rel);
    free(path);
    free(qcopy);
    S_fail(c, 400);
    return;
  }
  snprintf(path, path_len + 3, "/%s%s", rel, trailing && *rel ? "/" : "");

  folio_http_header hdrs[S_MAX_HEADERS];
  for (size_t i = 0; i < c->nhdr; i++) {
    hdrs[i].name = c->head + c->hdr[i].name;
    hdrs[i].value = c->head + c->hdr[i].value;
  }
  folio_http_request req = {head_only ? "HEAD" : "GET", url, path, query, hdrs, c->nhdr,
                            p->http_major, p->http_minor};
  folio_http_reply reply = {0};
  reply.status = 200;

  if (strcmp(path, "/_folio/live.js") == 0) {
    S_resp r = {200, head_only, "text/javascript; charset=utf-8", NULL, NULL, NULL};
    S_send(c, &r, folio_http_live_js, strlen(folio_http_live_js));
  } else if (strcmp(path, "/_folio/events") == 0) {
    if (head_only) {
      S_resp r = {200, 1, "text/event-stream; charset=utf-8", NULL, NULL, NULL};
      S_send(c, &r, "", 0);
    } else {
      S_sse_start(c);
    }
  } else {
    int answered = 0;
    if (srv->on_request) {
      answered = srv->on_request(srv->ud, &req, &reply);
      if (c->closing) answered = -1; /* defensive: the hook must not close us */
    }
    if (answered < 0) {
      if (!c->closing) {
        S_resp r = {500, head_only, "text/plain; charset=utf-8", NULL, NULL, NULL};
        S_send(c, &r, "500 Internal Server Error\n", 26);
      }
    } else if (answered > 0) {
      const char *type = reply.has_body ? reply.content_type : NULL;
      S_resp r = {reply.status, head_only, type, NULL, NULL, &reply};
      S_send(c, &r, reply.has_body ? reply.body : "", reply.body_len);
    } else {
      S_serve_file(c, rel, trailing, query,
                   folio_http_request_header(&req, "If-None-Match"), head_only, &reply);
    }
  }
  S_reply_free(&reply);
  free(rel);
  free(path);
  free(qcopy);
}

/* http-parser callbacks: collect the target and headers into c->head, bounded. */

static int S_piece(http_parser *p, int kind, const char *at, size_t len) {
  S_conn *c = p->data;
  if (kind != c->piece) {
    if (c->piece != S_PIECE_NONE) { /* end the previous piece */
      if (c->head_len == S_HEAD_MAX) goto too_big;
      c->head[c->head_len++] = '\0';
    }
    if (kind == S_PIECE_FIELD) {
      if (c->nhdr == S_MAX_HEADERS) goto too_big;
      c->hdr[c->nhdr].name = c->head_len;
      c->hdr[c->nhdr].value = SIZE_MAX;
      c->nhdr++;
    } else if (kind == S_PIECE_VALUE) {
      c->hdr[c->nhdr - 1].value = c->head_len;
    }
    c->piece = kind;
  }
  if (kind == S_PIECE_URL) {
    c->url_len += len;
    if (c->url_len > S_URL_MAX) {
      c->err_status = 414;
      return -1;
    }
  }
  if (len > S_HEAD_MAX - c->head_len) goto too_big;
  memcpy(c->head + c->head_len, at, len);
  c->head_len += len;
  return 0;
too_big:
  c->err_status = 431;
  return -1;
}

static int S_on_url(http_parser *p, const char *at, size_t len) {
  return S_piece(p, S_PIECE_URL, at, len);
}
static int S_on_field(http_parser *p, const char *at, size_t len) {
  return S_piece(p, S_PIECE_FIELD, at, len);
}
static int S_on_value(http_parser *p, const char *at, size_t len) {
  return S_piece(p, S_PIECE_VALUE, at, len);
}

static int S_on_message_begin(http_parser *p) {
  S_conn *c = p->data;
  c->head_len = c->url_len = c->nhdr = 0;
  c->body_len = 0;
  c->piece = S_PIECE_NONE;
  c->err_status = 0;
  c->state = S_READING; /* the deadline runs since the first byte (see S_process) */
  return 0;
}

static int S_on_body(http_parser *p, const char *at, size_t len) {
  S_conn *c = p->data;
  (void)at;
  c->body_len += len;
  if (c->body_len > S_BODY_MAX) { /* chunked bodies have no length up front */
    c->err_status = 413;
    return -1;
  }
  return 0;
}

static int S_on_headers_complete(http_parser *p) {
  S_conn *c = p->data;
  if (c->head_len == S_HEAD_MAX) {
    c->err_status = 431;
    return -1;
  }
  c->head[c->head_len++] = '\0';
  if (c->piece == S_PIECE_NONE) c->head[0] = '\0'; /* no target at all */
  if (!(p->flags & F_CHUNKED) && p->content_length != ULLONG_MAX &&
      p->content_length > S_BODY_MAX) {
    c->err_status = 413;
    return -1;
  }
  for (size_t i = 0; i < c->nhdr; i++) {
    /* http-parser (non-strict) lets a space into a name ("Ho st:"): not a token, so a 400. */
    for (const char *n = c->head + c->hdr[i].name; *n; n++)
      if (!S_is_tchar((unsigned char)*n)) {
        c->err_status = 400;
        return -1;
      }
    if (c->hdr[i].value == SIZE_MAX) /* empty value: point at the name's NUL */
      c->hdr[i].value = c->hdr[i].name + strlen(c->head + c->hdr[i].name);
    char *v = c->head + c->hdr[i].value;
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t')) v[--n] = '\0';
  }
  return 0;
}

static int S_on_message_complete(http_parser *p) {
  http_parser_pause(p, 1); /* one request at a time; S_process sees HPE_PAUSED */
  return 0;
}

static http_parser_settings S_settings = {
    .on_message_begin = S_on_message_begin,
    .on_url = S_on_url,
    .on_header_field = S_on_field,
    .on_header_value = S_on_value,
    .on_headers_complete = S_on_headers_complete,
    .on_body = S_on_body,
    .on_message_complete = S_on_message_complete,
};

/* Parses buffered input until a request is complete (then handles it) or input runs out. */
static void S_process(S_conn *c) {
  if (!c->closing && c->state == S_IDLE && c->in_off < c->in_len) {
    /* The first byte of a request (blank lines before it included): all of it must arrive
       within header_ms, however slowly it trickles in. */
    c->state = S_READING;
    S_arm(c, c->srv->header_ms);
  }
  while (!c->closing && (c->state == S_IDLE || c->state == S_READING) && c->in_off < c->in_len) {
    size_t n = http_parser_execute(&c->parser, &S_settings, c->in + c->in_off,
                                   c->in_len - c->in_off);
    c->in_off += n;
    enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
    if (e == HPE_PAUSED) {
      S_dispatch(c);
      return;
    }
    if (e != HPE_OK) {
      int status = c->err_status ? c->err_status : e == HPE_HEADER_OVERFLOW ? 431 : 400;
      S_fail(c, status);
      return;
    }
    if (n == 0) break;
  }
  if (c->in_off >= c->in_len) c->in_off = c->in_len = 0;
}

static void S_read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  S_conn *c = S_CONTAINER(s, S_conn, tcp);
  (void)buf;
  if (c->closing) return;
  if (nread < 0) {
    c->peer_eof = 1;
    S_read_stop(c);
    /* In S_LINGER, the client's FIN is what we waited for; otherwise nobody listens. */
    S_close(c);
    return;
  }
  if (c->state == S_SSE || c->state == S_LINGER) { /* not requests: discard */
    c->in_off = c->in_len = 0;
    return;
  }
  c->in_off = 0;
  c->in_len = (size_t)nread;
  S_process(c);
}

/* ---------------------------------------------------------------------------------------- */
/* Listening                                                                                */

static void S_free_handle_cb(uv_handle_t *h) { free(h); }

/* The connection that has waited longest for its client (idle keep-alive, a request still
 * arriving, or lingering after its last response), or NULL when every one is answering. */
static S_conn *S_oldest_waiting(folio_server *srv) {
  for (S_conn *c = srv->http.head; c; c = c->next)
    if (!c->closing && (c->state == S_IDLE || c->state == S_READING || c->state == S_LINGER))
      return c;
  return NULL;
}

/* Over the cap and nobody to evict: a short 503 straight on the new socket, then close. */
static void S_refuse(folio_server *srv, uv_stream_t *ls) {
  uv_tcp_t *t = malloc(sizeof *t);
  if (!t) return;
  uv_tcp_init(srv->loop, t);
  if (uv_accept(ls, (uv_stream_t *)t) == 0) {
    static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nServer: folio\r\n"
                               "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 43\r\n"
                               "Connection: close\r\n\r\n503 Service Unavailable: too many clients\r\n";
    uv_buf_t b = uv_buf_init((char *)busy, sizeof busy - 1);
    uv_try_write((uv_stream_t *)t, &b, 1); /* best effort: a fresh socket has room */
  }
  uv_close((uv_handle_t *)t, S_free_handle_cb);
}

/* The canonical address of the connection's local end (what the client dialed). */
static void S_local_ip(S_conn *c) {
  struct sockaddr_storage ss;
  int len = sizeof ss;
  c->local_ip[0] = '\0';
  if (uv_tcp_getsockname(&c->tcp, (struct sockaddr *)&ss, &len) != 0) return;
  if (ss.ss_family == AF_INET) {
    inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, c->local_ip, sizeof c->local_ip);
  } else if (ss.ss_family == AF_INET6) {
    const struct in6_addr *a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(a)) /* "::ffff:10.0.0.2" on a dual-stack socket */
      inet_ntop(AF_INET, (const char *)a->s6_addr + 12, c->local_ip, sizeof c->local_ip);
    else
      inet_ntop(AF_INET6, a, c->local_ip, sizeof c->local_ip);
  }
}

/* accept(2) failed with EMFILE/ENFILE, and libuv's own spare descriptor was gone (else it would
 * have refused the pending clients itself). libuv retries the accept as soon as this returns, so
 * each call must free a descriptor or take one client off the queue, or the loop would spin:
 * close the longest-waiting connection (the next client gets its place), else refuse one
 * client with our spare descriptor, else drop the oldest live-reload stream (it reconnects). */
static void S_out_of_fds(folio_server *srv) {
  S_conn *victim = S_oldest_waiting(srv);
  if (victim) {
    S_close(victim); /* uv_close closes the socket at once */
    return;
  }
  uv_os_fd_t lfd;
  if (srv->spare_fd >= 0 && uv_fileno((uv_handle_t *)&srv->listener, &lfd) == 0) {
    close(srv->spare_fd);
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (fd >= 0) close(fd);
    srv->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    return;
  }
  if (srv->sse.head) S_close(srv->sse.head);
}

static void S_on_connection(uv_stream_t *ls, int status) {
  folio_server *srv = S_CONTAINER(ls, folio_server, listener);
  if (srv->closing) return;
  if (status < 0) {
    if (status == UV_EMFILE || status == UV_ENFILE) S_out_of_fds(srv);
    return;
  }
  if (srv->http.n >= srv->max_conns) {
    S_conn *victim = S_oldest_waiting(srv);
    if (!victim) {
      S_refuse(srv, ls);
      return;
    }
    S_close(victim); /* its descriptor is closed now: room for the new one */
  }
  S_conn *c = calloc(1, sizeof *c);
  if (!c) {
    S_refuse(srv, ls);
    return;
  }
  c->srv = srv;
  c->file_fd = -1;
  c->tcp.data = c;
  c->timer.data = c;
  uv_tcp_init(srv->loop, &c->tcp);
  uv_timer_init(srv->loop, &c->timer);
  c->handles_open = 2;
  srv->nalive++;
  c->state = S_IDLE;
  S_list_append(&srv->http, c);
  http_parser_init(&c->parser, HTTP_REQUEST);
  c->parser.data = c;
  if (uv_accept(ls, (uv_stream_t *)&c->tcp) < 0) {
    S_close(c);
    return;
  }
  S_local_ip(c);
  uv_tcp_nodelay(&c->tcp, 1);
  S_arm(c, srv->idle_ms);
  S_read_start(c);
}

static void S_free_failed_cb(uv_handle_t *h) {
  folio_server *srv = S_CONTAINER(h, folio_server, listener);
  if (srv->spare_fd >= 0) close(srv->spare_fd);
  S_free_hosts(srv);
  free(srv->root);
  free(srv);
}

static int S_bind_fd(const struct sockaddr *sa, socklen_t salen, int *out) {
  int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return uv_translate_sys_error(errno);
  int one = 1;
  /* SO_REUSEADDR only skips TIME_WAIT leftovers; Linux still refuses a second listener. */
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
      bind(fd, sa, salen) < 0 || listen(fd, S_BACKLOG) < 0) {
    int e = uv_translate_sys_error(errno);
    close(fd);
    return e;
  }
  *out = fd;
  return 0;
}

/* The names the Host header may give: loopback, the bound address, the user's. */
static int S_set_hosts(folio_server *srv, const char *bind, const folio_server_options *opts,
                       char *err, size_t errlen) {
  static const char *const fixed[] = {"localhost", "127.0.0.1", "::1"};
  size_t n = 3 + 1 + opts->nallowed_hosts;
  srv->hosts = calloc(n, sizeof *srv->hosts);
  if (!srv->hosts) {
    snprintf(err, errlen, "out of memory");
    return UV_ENOMEM;
  }
  for (size_t i = 0; i < n; i++) {
    const char *name = i < 3 ? fixed[i] : i == 3 ? bind : opts->allowed_hosts[i - 4];
    if (!name) continue;
    char canon[256];
    if (folio_http_host_canonical(name, strlen(name), canon, sizeof canon) < 0) {
      snprintf(err, errlen, "\"%.100s\" is not a host name or IP address (--allow-host takes "
               "a name such as mybox.local, without a port)", name);
      return UV_EINVAL;
    }
    if (!(srv->hosts[srv->nhosts] = S_strdup(canon))) {
      snprintf(err, errlen, "out of memory");
      return UV_ENOMEM;
    }
    srv->nhosts++;
  }
  return 0;
}

/* Keeps both connection caps within the open-file limit, so a flood meets the caps (evict,
 * 503) before it meets EMFILE. */
static void S_fit_fd_limit(folio_server *srv) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return;
  /* Keep S_FD_RESERVE free, or three quarters of a tiny limit (the loop itself holds ~10). */
  rlim_t reserve = rl.rlim_cur / 4 * 3 < S_FD_RESERVE ? rl.rlim_cur / 4 * 3 : S_FD_RESERVE;
  rlim_t room = rl.rlim_cur - reserve;
  if ((rlim_t)srv->max_conns + srv->max_sse <= room) return;
  if (srv->max_sse > room / 4) srv->max_sse = (unsigned)(room / 4 ? room / 4 : 1);
  srv->max_conns = (unsigned)(room > srv->max_sse ? room - srv->max_sse : 1);
}

long folio_server_raise_fd_limit(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return -1;
  if (rl.rlim_cur < rl.rlim_max) {
    rlim_t want = rl.rlim_max;
    rl.rlim_cur = want;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) getrlimit(RLIMIT_NOFILE, &rl);
  }
  return rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > LONG_MAX ? LONG_MAX : (long)rl.rlim_cur;
}

int folio_server_start(uv_loop_t *loop, const folio_server_options *opts, folio_server **out,
                       char *err, size_t errlen) {
  char dummy[8];
  if (!err || !errlen) err = dummy, errlen = sizeof dummy;
  err[0] = '\0';
  *out = NULL;
  if (!loop || !opts || !opts->root || !*opts->root) {
    snprintf(err, errlen, "no folder to serve");
    return UV_EINVAL;
  }
  const char *host = opts->bind && *opts->bind ? opts->bind : "127.0.0.1";
  if (opts->port < 0 || opts->port > 65535) {
    snprintf(err, errlen, "port %d is not a valid port (1-65535)", opts->port);
    return UV_EINVAL;
  }
  struct sockaddr_storage ss;
  int v6 = strchr(host, ':') != NULL;
  int r = v6 ? uv_ip6_addr(host, 0, (struct sockaddr_in6 *)&ss)
             : uv_ip4_addr(host, 0, (struct sockaddr_in *)&ss);
  if (r < 0) {
    snprintf(err, errlen, "cannot listen on \"%s\": not an IP address", host);
    return UV_EINVAL;
  }
  socklen_t salen = v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);

  folio_server *srv = calloc(1, sizeof *srv);
  if (srv) srv->spare_fd = -1;
  if (srv) srv->root = S_strdup(opts->root);
  if (!srv || !srv->root) {
    if (srv) free(srv);
    snprintf(err, errlen, "out of memory");
    return UV_ENOMEM;
  }
  r = S_set_hosts(srv, host, opts, err, errlen);
  if (r < 0) {
    S_free_hosts(srv);
    free(srv->root);
    free(srv);
    return r;
  }

  int tries = opts->port_is_explicit || opts->port == 0 ? 1 : FOLIO_SERVER_PORT_TRIES;
  int fd = -1, port = opts->port;
  for (int i = 0; i < tries && port + i <= 65535; i++) {
    int p = opts->port + i;
    if (v6) ((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)p);
    else ((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)p);
    r = S_bind_fd((struct sockaddr *)&ss, salen, &fd);
    port = p;
    if (r != UV_EADDRINUSE) break;
  }
  if (r < 0) {
    if (r == UV_EADDRINUSE && tries == 1)
      snprintf(err, errlen, "port %d is in use; choose another with --port", opts->port);
    else if (r == UV_EADDRINUSE)
      snprintf(err, errlen, "ports %d-%d are all in use; choose another with --port",
               opts->port, port);
    else if (r == UV_EACCES)
      snprintf(err, errlen, "cannot listen on %s port %d: permission denied", host, port);
    else
      snprintf(err, errlen, "cannot listen on %s port %d: %s", host, port, uv_strerror(r));
    S_free_hosts(srv);
    free(srv->root);
    free(srv);
    return r;
  }

  /* libuv writes with write(2): a client that hung up would raise SIGPIPE and kill the
     process. Only a default disposition is replaced; an embedder's own handler stays. */
  struct sigaction sa;
  if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
  }

  srv->loop = loop;
  srv->on_request = opts->on_request;
  srv->ud = opts->ud;
  srv->idle_ms = opts->idle_timeout_ms ? opts->idle_timeout_ms : 30000;
  srv->header_ms = opts->header_timeout_ms ? opts->header_timeout_ms : 10000;
  srv->heartbeat_ms = opts->heartbeat_ms ? opts->heartbeat_ms : 15000;
  srv->sse_max = opts->sse_max_queue ? opts->sse_max_queue : 256 * 1024;
  srv->max_conns = opts->max_connections ? opts->max_connections : 512;
  srv->max_sse = opts->max_sse ? opts->max_sse : 128;
  S_fit_fd_limit(srv);
  srv->resolve_mode = opts->resolve_mode;
  srv->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  snprintf(srv->id, sizeof srv->id, "%" PRIx64 "-%lx-%lx", uv_hrtime(), (long)getpid(),
           (long)time(NULL));

  uv_tcp_init(loop, &srv->listener);
  srv->handles_open = 1;
  r = uv_tcp_open(&srv->listener, fd);
  if (r < 0) close(fd); /* else the handle owns it and uv_close closes it */
  if (r == 0) r = uv_listen((uv_stream_t *)&srv->listener, S_BACKLOG, S_on_connection);
  if (r < 0) {
    snprintf(err, errlen, "cannot listen on %s port %d: %s", host, port, uv_strerror(r));
    uv_close((uv_handle_t *)&srv->listener, S_free_failed_cb); /* frees srv */
    return r;
  }
  struct sockaddr_storage bound;
  int blen = sizeof bound;
  if (uv_tcp_getsockname(&srv->listener, (struct sockaddr *)&bound, &blen) == 0)
    port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                             : ((struct sockaddr_in *)&bound)->sin_port);
  srv->port = port;
  uv_timer_init(loop, &srv->heartbeat);
  srv->handles_open = 2;
  uv_timer_start(&srv->heartbeat, S_heartbeat_cb, srv->heartbeat_ms, srv->heartbeat_ms);
  *out = srv;
  return 0;
}

int folio_server_port(const folio_server *srv) { return srv->port; }

int folio_server_set_root(folio_server *srv, const char *root) {
  if (!root || !*root) return UV_EINVAL;
  char *copy = S_strdup(root);
  if (!copy) return UV_ENOMEM;
  free(srv->root);
  srv->root = copy;
  return 0;
}

static void S_server_handle_closed(uv_handle_t *h) {
  folio_server *srv = h->data;
  srv->handles_open--;
  S_server_maybe_done(srv);
}

void folio_server_close(folio_server *srv, void (*done)(void *), void *ud) {
  if (!srv || srv->closing) return;
  srv->closing = 1;
  srv->done = done;
  srv->done_ud = ud;
  while (srv->http.head) S_close(srv->http.head);
  while (srv->sse.head) S_close(srv->sse.head);
  srv->listener.data = srv;
  srv->heartbeat.data = srv;
  uv_close((uv_handle_t *)&srv->listener, S_server_handle_closed);
  uv_close((uv_handle_t *)&srv->heartbeat, S_server_handle_closed);
}

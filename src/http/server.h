/* server.h: folio's preview HTTP server, a module on a caller's libuv loop.
 *
 * It serves the files of one folder (the built site) over HTTP/1.1 on loopback, injects the
 * live-reload script into HTML, and pushes events to browsers over Server-Sent Events at
 * /_folio/events. It is meant for previewing on one's own machine, not for production:
 * no TLS, no ranges, no compression, no directory listings.
 *
 * Threading: every function here must be called on the thread that runs `loop`.
 * Errors: negative libuv error codes (UV_E*), as in libuv; 0 is success. */
#ifndef FOLIO_HTTP_SERVER_H
#define FOLIO_HTTP_SERVER_H
#include <stddef.h>
#include <uv.h>

typedef struct folio_server folio_server;

#define FOLIO_SERVER_DEFAULT_PORT 1313
#define FOLIO_SERVER_PORT_TRIES 21 /* a default port that is taken: try it and the next 20 */

/* ---- requests and replies, as seen by the on_request hook ---- */

typedef struct folio_http_header {
  const char *name;  /* as the client spelled it */
  const char *value; /* leading and trailing blanks removed */
} folio_http_header;

/* A request the server accepted (GET or HEAD, a target that passed the path checks). All
 * pointers are owned by the server and valid only during the hook call: copy what you keep. */
typedef struct folio_http_request {
  const char *method;               /* "GET" or "HEAD" */
  const char *url;                  /* request target as received: "/a%20b/?x=1" */
  const char *path;                 /* percent-decoded, begins with '/', repeated '/' merged;
                                       never holds NUL, '\', "." or ".." segments */
  const char *query;                /* raw query without '?', "" when none */
  const folio_http_header *headers; /* in arrival order */
  size_t nheaders;
  int http_major, http_minor;
} folio_http_request;

/* First header named `name` (ASCII case-insensitive), or NULL. */
const char *folio_http_request_header(const folio_http_request *req, const char *name);

/* The reply a hook fills in. Opaque; every setter copies its arguments, so the caller keeps
 * ownership of what it passes. Setters return 0, UV_EINVAL for a bad status or a name or
 * value that holds CR, LF or NUL (or a name that is not an HTTP token), UV_ENOMEM. */
typedef struct folio_http_reply folio_http_reply;

/* Status 100..599 (default 200). Only used when the hook answers (returns 1). */
int folio_http_reply_set_status(folio_http_reply *reply, int status);
/* Body and its Content-Type (NULL type: "application/octet-stream"). Replaces an earlier
 * body. text/html bodies get the live-reload script injected like files do. */
int folio_http_reply_set_body(folio_http_reply *reply, const char *content_type,
                              const void *data, size_t len);
/* An extra response header. When the hook answers, it goes on that reply; when it does not,
 * it goes on the server's own response (file, redirect, 304 or 404). The server's framing
 * headers (Content-Length, Connection, Transfer-Encoding) cannot be set this way (UV_EINVAL). */
int folio_http_reply_add_header(folio_http_reply *reply, const char *name, const char *value);

/* Called for each GET/HEAD request before the file lookup, except for /_folio/live.js and
 * /_folio/events, which the server always answers itself. Return:
 *   1   the hook answered: the server sends its status, headers and body (no body for HEAD);
 *   0   not answered: the server serves the file, adding the hook's headers;
 *  <0   failure: the client gets 500.
 * It must not call folio_server_close() (broadcasting is fine). */
typedef int (*folio_server_request_fn)(void *ud, const folio_http_request *req,
                                       folio_http_reply *reply);

typedef struct folio_server_options {
  const char *bind;      /* address to listen on; NULL: "127.0.0.1". IPv6 accepted ("::1") */
  int port;              /* 0: any free port (see folio_server_port) */
  int port_is_explicit;  /* 0: when `port` is taken, try the next FOLIO_SERVER_PORT_TRIES-1 */
  const char *root;      /* folder served; copied. Must be set */
  folio_server_request_fn on_request; /* optional */
  void *ud;                           /* passed to on_request */

  /* Host names (or IP addresses) accepted in the Host header besides localhost, 127.0.0.1,
     [::1], the bound address and the address the client connected to. Copied. Others get
     403 (DNS rebinding). NULL entries are skipped. */
  const char *const *allowed_hosts;
  size_t nallowed_hosts;

  /* Limits; 0 picks the default shown. */
  unsigned idle_timeout_ms;   /* keep-alive connection with no request, or a response the
                                 client stopped reading: closed after this (30000) */
  unsigned header_timeout_ms; /* from the first byte of a request, all of it (head and the small
                                 body allowed) must arrive within this, or 408 and close (10000) */
  unsigned heartbeat_ms;      /* SSE comment line sent this often (15000) */
  size_t sse_max_queue;       /* bytes queued for one SSE client before it is dropped (262144) */
  unsigned max_connections;   /* HTTP connections (live-reload streams not counted). A new one
                                 over this closes the connection that has waited longest for
                                 its client (idle keep-alive, request still arriving); when all
                                 are busy answering, the new one gets 503 (512) */
  unsigned max_sse;           /* live-reload streams; more get 503 (128) */
  int resolve_mode;           /* 0: openat2 when the kernel has it; 1: realpath checks (tests) */
} folio_server_options;

/* Fixed per-client limits (not options): request target 8 KiB (414), request head 16 KiB or
 * 100 headers (431), request body 64 KiB (413; only GET and HEAD are served, so a body is read
 * and dropped), 1000 requests per keep-alive connection (the last one says Connection: close).
 * Pipelined requests are read from one 16 KiB buffer and answered one at a time; reading stops
 * while a response is written, so a client cannot queue more than that. Both caps above are
 * lowered to fit the process's open-file limit (RLIMIT_NOFILE soft, less 64 for the rest, or
 * less three quarters of a limit under 86). */

/* Raises this process's RLIMIT_NOFILE soft limit to its hard limit (process-wide; for the
 * program's start, before threads). Returns the soft limit now in force (or -1 when unknown). */
long folio_server_raise_fd_limit(void);

/* Starts listening on `loop`. On success stores the server in *out and returns 0. On failure
 * returns a negative libuv error and writes a sentence for the user to `err` (may be NULL),
 * e.g. "port 1313 is in use; choose another with --port"; *out is left NULL. Ports are probed
 * with plain sockets before any uv handle exists, so the usual failures leave nothing behind;
 * only if libuv then refuses the bound socket (not seen in practice) is a handle left closing,
 * freed the next time the loop runs. Does not run the loop.
 * Side effect: if SIGPIPE has its default disposition, it is set to ignored (process-wide), as
 * a peer that hangs up mid-write would otherwise kill the process. */
int folio_server_start(uv_loop_t *loop, const folio_server_options *opts, folio_server **out,
                       char *err, size_t errlen);

/* The port actually bound (differs from options.port when that was 0 or taken). */
int folio_server_port(const folio_server *srv);

/* Serves another folder from the next request on (copied). UV_ENOMEM leaves the old one. */
int folio_server_set_root(folio_server *srv, const char *root);

/* Sends "event: EVENT\ndata: JSON\n\n" to every connected SSE client (multi-line data is split
 * into several data: lines). A client whose unsent bytes would pass sse_max_queue is dropped
 * (the browser reconnects). The last "build-error" is remembered and sent to clients that
 * connect later, until a "build-ok" is broadcast. Returns the number of clients the event was
 * queued for, or UV_EINVAL (bad event name) / UV_ENOMEM. */
int folio_server_broadcast(folio_server *srv, const char *event, const char *json_data);

/* Number of connected SSE clients (browser tabs with live reload). */
size_t folio_server_client_count(const folio_server *srv);

/* Number of open HTTP connections (not counting SSE clients). */
size_t folio_server_connection_count(const folio_server *srv);

/* Stops listening and closes every connection (in-flight responses are cut). `done(ud)` runs
 * from the loop once all handles are closed; the server's memory is freed just before it, so
 * `srv` is invalid as soon as this returns. `done` may be NULL. Calling it twice is a bug. */
void folio_server_close(folio_server *srv, void (*done)(void *ud), void *ud);

#endif

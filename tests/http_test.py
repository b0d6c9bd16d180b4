#!/usr/bin/env python3
"""Client-side tests of folio's preview server (src/http/), over loopback only.

Usage: http_test.py PATH/TO/http_server_test [driver options, e.g. --resolve portable]

Starts the driver (tests/http_server_test.c) on a free port with short timeouts, builds a small
site in a temporary folder, and talks HTTP to it with http.client and raw sockets. Standard
library only. Every socket has a timeout, so nothing here can hang past the ctest limit.
"""
import hashlib
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

DRIVER = None
EXTRA = []
HEADER_MS = 600
IDLE_MS = 1500
HEARTBEAT_MS = 400
SSE_MAX = 64 * 1024
TAG = b'<script src="/_folio/live.js"></script>'
SECRET = b"TOPSECRET-outside-the-root"

TYPES = {
    "html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8",
    "js": "text/javascript; charset=utf-8", "mjs": "text/javascript; charset=utf-8",
    "json": "application/json", "xml": "application/xml; charset=utf-8",
    "svg": "image/svg+xml", "png": "image/png", "jpg": "image/jpeg", "gif": "image/gif",
    "webp": "image/webp", "avif": "image/avif", "ico": "image/x-icon", "woff": "font/woff",
    "woff2": "font/woff2", "ttf": "font/ttf", "txt": "text/plain; charset=utf-8",
    "pdf": "application/pdf", "mp4": "video/mp4", "webm": "video/webm",
    "wasm": "application/wasm", "map": "application/json",
    "atom": "application/atom+xml; charset=utf-8", "rss": "application/rss+xml; charset=utf-8",
}


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


class Driver:
    """One http_server_test process; commands go to its stdin, answers come from its stdout."""

    def __init__(self, root, *args):
        self.proc = subprocess.Popen(
            [DRIVER, "--root", root, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=sys.stderr)
        self.first = self.readline(10)

    def readline(self, timeout=10):
        box = []
        t = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()), daemon=True)
        t.start()
        t.join(timeout)
        if not box:
            raise AssertionError("driver did not answer in %ss" % timeout)
        return box[0].decode().strip()

    def cmd(self, line, timeout=20):
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()
        return self.readline(timeout)

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(b"quit\n")
                self.proc.stdin.close()
            except BrokenPipeError:
                pass
        try:
            return self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return -999


def recv_until_closed(sock, limit=10 * 1024 * 1024, timeout=10):
    sock.settimeout(timeout)
    data = b""
    while len(data) < limit:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    return data


def read_response(f, head=False):
    """Reads one HTTP response from a socket file; returns (status, headers dict, body)."""
    line = f.readline()
    if not line:
        return None
    status = int(line.split()[1])
    headers = {}
    while True:
        h = f.readline()
        if h in (b"\r\n", b""):
            break
        k, v = h.decode().split(":", 1)
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0"))
    body = f.read(n) if n and not head else b""
    return status, headers, body


class ServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="folio-http-")
        root = cls.root = os.path.join(cls.tmp, "site")
        write(os.path.join(cls.tmp, "outside", "secret.txt"), SECRET)
        write(os.path.join(root, "index.html"), "<!doctype html><html><head></head><BODY><h1>home</h1></BODY></html>\n")
        write(os.path.join(root, "page.html"), "<p>no body tag</p>")
        write(os.path.join(root, "style.css"), "body { color: red }\n</body>\n")
        write(os.path.join(root, "dir", "index.html"), "<body>dir index</body>")
        write(os.path.join(root, "a b.txt"), "spaced")
        write(os.path.join(root, "404.html"), "<html><body>custom not found</body></html>")
        os.makedirs(os.path.join(root, "emptydir"))
        for ext in TYPES:
            write(os.path.join(root, "types", "file." + ext), "content of " + ext)
        cls.big = os.urandom(3 * 1024 * 1024 + 123)
        write(os.path.join(root, "big.bin"), cls.big)
        # Just under the 4 MiB the server reads whole to inject the script: one large write.
        cls.bightml = b"<html><body>" + b"x" * (4 * 1024 * 1024 - 100) + b"</body></html>"
        write(os.path.join(root, "big.html"), cls.bightml)
        os.symlink("../outside/secret.txt", os.path.join(root, "leak.txt"))
        os.symlink(os.path.join(cls.tmp, "outside"), os.path.join(root, "leakdir"))
        os.symlink("style.css", os.path.join(root, "inside-link.css"))
        os.mkfifo(os.path.join(root, "fifo.txt"))
        cls.root2 = os.path.join(cls.tmp, "site2")
        write(os.path.join(cls.root2, "index.html"), "<body>second root</body>")
        cls.drv = Driver(root, "--port", "0", "--explicit", "--idle-ms", str(IDLE_MS),
                         "--header-ms", str(HEADER_MS), "--heartbeat-ms", str(HEARTBEAT_MS),
                         "--sse-max", str(SSE_MAX), *EXTRA)
        parts = cls.drv.first.split()
        assert parts[0] == "PORT", cls.drv.first
        cls.port = int(parts[1])
        print("driver:", cls.drv.first, file=sys.stderr)

    @classmethod
    def tearDownClass(cls):
        rc = cls.drv.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        # The driver exits 0 only if the server closed every handle and the loop closed clean;
        # under ASan a leak makes it exit non-zero too.
        assert rc == 0, "driver exit status %r" % rc

    # ---- helpers ----

    def conn(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def get(self, path, method="GET", headers=None):
        c = self.conn()
        try:
            c.request(method, path, headers=headers or {})
            r = c.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            c.close()

    def raw(self, data, timeout=10):
        """Sends raw bytes; returns everything until the server closes."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        try:
            s.sendall(data)
            return recv_until_closed(s, timeout=timeout)
        finally:
            s.close()

    def raw_status(self, target):
        data = self.raw(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        self.assertNotIn(SECRET, data)
        return int(data.split()[1]) if data else None

    def sse(self, timeout=10):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        s.sendall(b"GET /_folio/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        return s

    def read_until(self, s, needle, timeout=10):
        s.settimeout(timeout)
        data = b""
        deadline = time.time() + timeout
        while needle not in data and time.time() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        return data

    def wait_clients(self, n, timeout=10):
        deadline = time.time() + timeout
        got = None
        while time.time() < deadline:
            got = self.drv.cmd("clients")
            if got == "CLIENTS %d" % n:
                return
            time.sleep(0.05)
        self.fail("expected %d SSE clients, driver says %s" % (n, got))

    # ---- static files ----

    def test_content_types(self):
        for ext, want in TYPES.items():
            st, h, body = self.get("/types/file." + ext)
            self.assertEqual(st, 200, ext)
            self.assertEqual(h["content-type"], want, ext)
            self.assertEqual(h["cache-control"], "no-cache")
            if ext != "html":
                self.assertEqual(body, ("content of " + ext).encode())

    def test_index_and_injection(self):
        for path in ("/", "/index.html"):
            st, h, body = self.get(path)
            self.assertEqual(st, 200)
            self.assertEqual(int(h["content-length"]), len(body))
            self.assertIn(TAG + b"</BODY>", body)  # right before </body>, any case
            self.assertEqual(body.count(TAG), 1)
        with open(os.path.join(self.root, "index.html"), "rb") as f:
            self.assertNotIn(TAG, f.read())  # never written to disk
        st, h, body = self.get("/dir/")
        self.assertEqual(body, b"<body>dir index" + TAG + b"</body>")
        st, h, body = self.get("/page.html")
        self.assertEqual(body, b"<p>no body tag</p>" + TAG)  # appended when there is no </body>

    def test_no_injection_outside_html(self):
        st, h, body = self.get("/style.css")
        self.assertEqual(st, 200)
        self.assertEqual(body, b"body { color: red }\n</body>\n")
        self.assertNotIn(TAG, self.get("/types/file.js")[2])

    def test_large_files(self):
        st, h, body = self.get("/big.bin")
        self.assertEqual(st, 200)
        self.assertEqual(int(h["content-length"]), len(self.big))
        self.assertEqual(hashlib.sha256(body).digest(), hashlib.sha256(self.big).digest())
        st, h, body = self.get("/big.html")
        self.assertEqual(body, self.bightml[:-14] + TAG + b"</body></html>")

    def test_percent_decoding(self):
        self.assertEqual(self.get("/a%20b.txt")[2], b"spaced")

    def test_dir_redirect(self):
        st, h, _ = self.get("/dir")
        self.assertEqual(st, 301)
        self.assertEqual(h["location"], "/dir/")
        st, h, _ = self.get("/dir?x=1&y=2")
        self.assertEqual(st, 301)
        self.assertEqual(h["location"], "/dir/?x=1&y=2")

    def test_not_found(self):
        for path in ("/nope", "/nope/", "/emptydir/", "/style.css/", "/fifo.txt"):
            st, h, body = self.get(path)
            self.assertEqual(st, 404, path)
            self.assertIn(b"custom not found", body)
            self.assertIn(TAG, body)
        self.assertEqual(self.get("/emptydir")[0], 301)  # then 404: no listing, ever

    def test_builtin_404_and_set_root(self):
        self.assertEqual(self.drv.cmd("root " + self.root2), "OK")
        try:
            st, h, body = self.get("/")
            self.assertIn(b"second root", body)
            st, h, body = self.get("/missing")
            self.assertEqual(st, 404)
            self.assertIn(b"404 Not Found", body)
            self.assertTrue(h["content-type"].startswith("text/html"))
        finally:
            self.assertEqual(self.drv.cmd("root " + self.root), "OK")

    def test_etag_304(self):
        st, h, _ = self.get("/style.css")
        etag = h["etag"]
        for inm in (etag, "W/" + etag, '"nope", ' + etag, "*"):
            st, h2, body = self.get("/style.css", headers={"If-None-Match": inm})
            self.assertEqual(st, 304, inm)
            self.assertEqual(body, b"")
            self.assertEqual(h2["etag"], etag)
        self.assertEqual(self.get("/style.css", headers={"If-None-Match": '"other"'})[0], 200)
        # The tag follows the file: a change makes the old tag stale.
        p = os.path.join(self.root, "types", "file.txt")
        etag = self.get("/types/file.txt")[1]["etag"]
        os.utime(p, (1000000, 1000000))
        st, h, _ = self.get("/types/file.txt", headers={"If-None-Match": etag})
        self.assertEqual(st, 200)
        self.assertNotEqual(h["etag"], etag)
        # HTML tags differ from the raw file's, since the served bytes do.
        self.assertIn("-lr", self.get("/")[1]["etag"])

    def test_head(self):
        st, h, body = self.get("/", method="HEAD")
        self.assertEqual(st, 200)
        self.assertEqual(int(h["content-length"]), len(self.get("/")[2]))
        # No body bytes: a GET sent right behind the HEAD must parse as the next response.
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        s.sendall(b"HEAD /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /style.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        f = s.makefile("rb")
        st1, h1, _ = read_response(f, head=True)
        self.assertEqual(int(h1["content-length"]), len(self.big))
        line = f.readline()
        self.assertTrue(line.startswith(b"HTTP/1.1 200"), line)
        s.close()

    # ---- connections ----

    def test_keep_alive(self):
        c = self.conn()
        c.connect()
        sock = c.sock
        for path in ("/", "/style.css", "/nope", "/dir", "/types/file.png"):
            c.request("GET", path)
            r = c.getresponse()
            r.read()
            self.assertEqual(r.getheader("Connection"), "keep-alive")
        self.assertIs(c.sock, sock)  # never reconnected
        c.close()

    def test_pipelining(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        reqs = b"".join(b"GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % p
                        for p in (b"/style.css", b"/a%20b.txt", b"/nope", b"/types/file.txt"))
        s.sendall(reqs + b"GET /dir/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        f = s.makefile("rb")
        got = [read_response(f) for _ in range(5)]
        self.assertEqual([g[0] for g in got], [200, 200, 404, 200, 200])
        self.assertEqual(got[1][2], b"spaced")
        self.assertIn(b"dir index", got[4][2])
        self.assertEqual(got[4][1]["connection"], "close")
        self.assertEqual(f.read(), b"")  # closed after Connection: close
        s.close()

    def test_http10(self):
        data = self.raw(b"GET /style.css HTTP/1.0\r\n\r\n")
        self.assertTrue(data.startswith(b"HTTP/1.1 200"))
        self.assertIn(b"Connection: close", data)
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        s.sendall(b"GET /style.css HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        f = s.makefile("rb")
        self.assertEqual(read_response(f)[1]["connection"], "keep-alive")
        s.sendall(b"GET /a%20b.txt HTTP/1.0\r\n\r\n")
        self.assertEqual(read_response(f)[2], b"spaced")
        s.close()

    def test_http_version_not_supported(self):
        for request in (b"GET / HTTP/9.9\r\n\r\n", b"GET / HTTP/2.0\r\n\r\n", b"GET / HTTP/0.9\r\n\r\n"):
            data = self.raw(request)
            self.assertTrue(data.startswith(b"HTTP/1.1 505"), (request, data[:40]))
            self.assertIn(b"Connection: close", data)
        self.assertEqual(self.get("/style.css")[0], 200)

    def test_method_not_allowed(self):
        for m in ("POST", "PUT", "DELETE", "OPTIONS", "PATCH"):
            st, h, _ = self.get("/", method=m)
            self.assertEqual(st, 405, m)
            self.assertEqual(h["allow"], "GET, HEAD")
        # A body on a refused POST is skipped and the connection still works.
        c = self.conn()
        c.request("POST", "/", body=b"x" * 5000)
        r = c.getresponse()
        r.read()
        self.assertEqual(r.status, 405)
        c.request("GET", "/style.css")
        self.assertEqual(c.getresponse().status, 200)
        c.close()

    def test_malformed_then_next(self):
        for junk in (b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\nHost x\r\n\r\n",
                     b"GET / HTTP/9.9x\r\n\r\n", b"\x00\x01\x02\r\n\r\n",
                     b"GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n"):
            data = self.raw(junk)
            self.assertTrue(data.startswith(b"HTTP/1.1 400"), (junk, data[:40]))
            self.assertIn(b"Connection: close", data)
            self.assertEqual(self.get("/style.css")[0], 200)

    def test_too_large(self):
        st = self.raw(b"GET /" + b"a" * 10000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        self.assertTrue(st.startswith(b"HTTP/1.1 414"), st[:40])
        big = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"b" * 20000 + b"\r\n\r\n"
        self.assertTrue(self.raw(big).startswith(b"HTTP/1.1 431"))
        many = b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(150)) + b"\r\n"
        self.assertTrue(self.raw(many).startswith(b"HTTP/1.1 431"))
        self.assertEqual(self.get("/style.css")[0], 200)

    def test_slow_client_timeout(self):
        slow = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        slow.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        t0 = time.time()
        # Others are served meanwhile.
        for _ in range(5):
            self.assertEqual(self.get("/style.css")[0], 200)
        slow.sendall(b"a")  # dribbling bytes does not extend the deadline
        data = recv_until_closed(slow, timeout=10)
        elapsed = time.time() - t0
        self.assertNotIn(b"200 OK", data)
        self.assertLess(elapsed, HEADER_MS / 1000 + 3)
        self.assertGreater(elapsed, HEADER_MS / 1000 * 0.8)
        slow.close()

    def test_idle_keep_alive_timeout(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        s.sendall(b"GET /style.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        f = s.makefile("rb")
        self.assertEqual(read_response(f)[0], 200)
        t0 = time.time()
        self.assertEqual(f.read(), b"")  # server hangs up an idle keep-alive connection
        self.assertLess(time.time() - t0, IDLE_MS / 1000 + 3)
        s.close()

    def test_stalled_reader_timeout(self):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.settimeout(10)
        s.connect(("127.0.0.1", self.port))
        # big.html goes out in one write, larger than what the kernel buffers on loopback.
        s.sendall(b"GET /big.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        time.sleep(IDLE_MS / 1000 + 1.0)  # read nothing for longer than the idle timeout
        data = recv_until_closed(s, limit=1 << 30)
        self.assertLess(len(data), len(self.bightml))  # cut off, not waited for forever
        s.close()

    def test_abrupt_disconnects(self):
        for i in range(60):
            s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            if i % 3 == 0:
                s.recv(1000)
            if i % 2 == 0:  # reset instead of FIN
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.close()
        for i in range(30):  # half-sent requests, then gone
            s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            s.sendall(b"GET /index.html HTTP/1.1\r\nHo")
            s.close()
        self.assertEqual(self.get("/big.bin")[2], self.big)

    def test_many_requests(self):
        c = self.conn()
        for i in range(400):
            if i % 50 == 0:
                c.close()
                c = self.conn()
            c.request("GET", ("/", "/style.css", "/nope", "/dir", "/a%20b.txt")[i % 5])
            r = c.getresponse()
            r.read()
            self.assertIn(r.status, (200, 301, 404))
        c.close()

    # ---- security ----

    def test_traversal(self):
        for target in (b"/../outside/secret.txt", b"/%2e%2e/outside/secret.txt",
                       b"/..%2foutside%2fsecret.txt", b"/%2E%2E%2Foutside%2Fsecret.txt",
                       b"/dir/../../outside/secret.txt", b"/dir/%2e%2e/%2e%2e/outside/secret.txt",
                       b"/.%2e/outside/secret.txt", b"/dir%2f..%2f..%2foutside/secret.txt",
                       b"/..\\outside\\secret.txt", b"/%5c..%5coutside/secret.txt",
                       b"/leak.txt", b"/leakdir/secret.txt", b"/leakdir/",
                       b"//etc/passwd", b"/../../../../etc/passwd", b"/%00", b"/a%00.txt",
                       b"/style.css%00.txt", b"/%", b"/%zz"):
            st = self.raw_status(target)
            self.assertIn(st, (400, 404), target)
        for target in (b"http://127.0.0.1/etc/passwd", b"http://localhost/../outside/secret.txt",
                       b"127.0.0.1:80", b"*"):
            self.assertEqual(self.raw_status(target), 400, target)
        st, _, body = self.get("/inside-link.css")  # symlinks that stay inside are fine
        self.assertEqual((st, body), (200, b"body { color: red }\n</body>\n"))

    # ---- hook ----

    def test_hook(self):
        st, h, body = self.get("/hook/echo%20x?a=1&b=%20", headers={"X-Echo": "  hello  "})
        self.assertEqual(st, 201)
        self.assertEqual(h["x-hooked"], "yes")
        self.assertEqual(h["content-type"], "text/plain")
        self.assertEqual(body, b"method=GET path=/hook/echo x query=a=1&b=%20 echo=hello "
                               b"url=/hook/echo%20x?a=1&b=%20")
        st, h, body = self.get("/hook/echo", method="HEAD")
        self.assertEqual((st, body), (201, b""))
        self.assertGreater(int(h["content-length"]), 0)
        st, h, body = self.get("/hook/html")
        self.assertEqual(body, b"<html><body><p>from hook</p>" + TAG + b"</body></html>")
        self.assertEqual(self.get("/hook/fail")[0], 500)
        self.assertEqual(self.get("/style.css")[1]["x-hook"], "seen")
        self.assertEqual(self.get("/nope")[1]["x-hook"], "seen")
        # The hook never sees the live-reload endpoints.
        self.assertNotIn("x-hook", self.get("/_folio/live.js")[1])

    # ---- live reload ----

    def test_live_js(self):
        st, h, body = self.get("/_folio/live.js")
        self.assertEqual(st, 200)
        self.assertEqual(h["content-type"], "text/javascript; charset=utf-8")
        for needle in (b"EventSource", b"/_folio/events", b"css_only", b"build-error",
                       b"build-ok", b"sessionStorage", b"location.reload", b"textContent"):
            self.assertIn(needle, body)
        self.assertNotIn(b"innerHTML", body)
        # Its behaviour in a real browser (reload, CSS swap, error overlay, restarts):
        # tests/serve_browser.py.

    def test_sse_broadcast(self):
        a, b = self.sse(), self.sse()
        try:
            for s in (a, b):
                head = self.read_until(s, b"event: hello\n")
                self.assertIn(b"Content-Type: text/event-stream", head)
                self.assertIn(b"Cache-Control: no-cache", head)
                self.assertIn(b"retry: 1000\n", head)
            self.wait_clients(2)
            self.assertEqual(self.drv.cmd('broadcast reload {"paths":["/a/"],"css_only":false}'),
                             "SENT 2")
            for s in (a, b):
                got = self.read_until(s, b'"css_only":false}\n\n')
                self.assertIn(b'event: reload\ndata: {"paths":["/a/"],"css_only":false}\n\n', got)
            # Heartbeat comments arrive on their own.
            self.assertIn(b": ping\n\n", self.read_until(a, b": ping\n\n", timeout=5))
        finally:
            a.close()
            b.close()
        self.wait_clients(0)

    def test_sse_sticky_build_error(self):
        self.assertEqual(self.drv.cmd('broadcast build-error {"errors":[{"file":"a.md","line":3,"message":"<b>"}]}')[:4], "SENT")
        s = self.sse()
        try:
            self.assertIn(b"event: build-error\ndata: {\"errors\"",
                          self.read_until(s, b"event: build-error"))
        finally:
            s.close()
        self.drv.cmd("broadcast build-ok {}")
        s = self.sse()
        try:
            got = self.read_until(s, b"event: hello\n")
            self.assertNotIn(b"build-error", got)
        finally:
            s.close()
        self.wait_clients(0)

    def test_sse_bad_event_name(self):
        self.assertEqual(self.drv.cmd("broadcast bad\rname {}"), "SENT %d" % -22)

    def test_sse_slow_client_dropped(self):
        slow = self.sse()
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        try:
            self.read_until(slow, b"event: hello\n")
            self.wait_clients(1)
            # Far more than the kernel buffers hold; the server must drop the client, not queue.
            self.drv.cmd("flood 2000 16384", timeout=60)
            self.wait_clients(0)
            data = recv_until_closed(slow, limit=1 << 30, timeout=10)
            self.assertLess(len(data), 40 * 1024 * 1024)
        finally:
            slow.close()
        ok = self.sse()  # others still welcome
        try:
            self.read_until(ok, b"event: hello\n")
            self.wait_clients(1)
        finally:
            ok.close()
        self.wait_clients(0)

    def test_sse_head(self):
        st, h, body = self.get("/_folio/events", method="HEAD")
        self.assertEqual((st, body), (200, b""))
        self.assertTrue(h["content-type"].startswith("text/event-stream"))


class PortTest(unittest.TestCase):
    """Default port taken: the next one is used; an explicit port taken: a clear error."""

    def test_ports(self):
        tmp = tempfile.mkdtemp(prefix="folio-http-port-")
        blockers = []
        try:
            # Find two consecutive free ports and hold the first.
            for _ in range(50):
                b = socket.socket()
                b.bind(("127.0.0.1", 0))
                p = b.getsockname()[1]
                if p >= 65000:
                    b.close()
                    continue
                b.listen(1)
                blockers = [b]
                break
            self.assertTrue(blockers)
            d = Driver(tmp, "--port", str(p), *EXTRA)
            try:
                parts = d.first.split()
                self.assertEqual(parts[0], "PORT", d.first)
                self.assertGreater(int(parts[1]), p)
                self.assertLessEqual(int(parts[1]), p + 20)
            finally:
                self.assertEqual(d.stop(), 0)
            d = Driver(tmp, "--port", str(p), "--explicit", *EXTRA)
            self.assertEqual(d.first, "ERROR port %d is in use; choose another with --port" % p)
            self.assertEqual(d.proc.wait(30), 3)
            d = Driver(tmp, "--bind", "not-an-ip", *EXTRA)
            self.assertTrue(d.first.startswith("ERROR"), d.first)
            self.assertEqual(d.proc.wait(30), 3)
        finally:
            for b in blockers:
                b.close()
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    DRIVER = sys.argv[1]
    EXTRA = sys.argv[2:]
    unittest.main(argv=[sys.argv[0], "-v"])

#!/usr/bin/env python3
"""The preview server under many idle or slow clients, and its request checks: the connection
cap (the longest-waiting connection makes room), live-reload streams counted apart, the header
deadline (slowloris), per-client limits, malformed requests, the Host check (DNS rebinding),
the folder redirect (never "Location: //host") and paths that try to leave the root.

Usage: http_limits_test.py PATH/TO/http_server_test [driver options, e.g. --resolve portable]

Loopback (127.0.0.1) only; standard library only; every socket has a timeout.
"""
import os
import random
import resource
import select
import shutil
import socket
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import http_test  # noqa: E402  (Driver, read_response, recv_until_closed, write)
from http_test import read_response, recv_until_closed, write  # noqa: E402

SECRET = b"TOPSECRET-outside-the-root"


def raise_nofile(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def is_closed(sock, wait=0.3):
    """True when the server closed `sock` (EOF or reset readable within `wait` seconds)."""
    r, _, _ = select.select([sock], [], [], wait)
    if not r:
        return False
    try:
        return sock.recv(65536, socket.MSG_PEEK) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Site:
    """A served folder with a secret beside it, and one driver per test class."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="folio-http-limits-")
        self.root = os.path.join(self.tmp, "site")
        write(os.path.join(self.tmp, "outside", "secret.txt"), SECRET)
        write(os.path.join(self.tmp, "outside", "index.html"), SECRET)
        write(os.path.join(self.root, "index.html"), "<body>home</body>")
        write(os.path.join(self.root, "style.css"), "p{}")
        for d in ("evil.com", "\t/evil.com", "a?b", "sp ace", "pct%41", "dir"):
            write(os.path.join(self.root, d, "index.html"), "<body>folder</body>")
        os.makedirs(os.path.join(self.root, "linkdir"))
        os.symlink(os.path.join(self.tmp, "outside", "index.html"),
                   os.path.join(self.root, "linkdir", "index.html"))
        os.symlink("../../outside", os.path.join(self.root, "dir", "up"))
        os.symlink("/", os.path.join(self.root, "rootlink"))
        write(os.path.join(self.tmp, "site404", "index.html"), "<body>x</body>")
        os.symlink("../outside/secret.txt", os.path.join(self.tmp, "site404", "404.html"))

    def driver(self, *args):
        d = http_test.Driver(self.root, "--port", "0", "--explicit", *args, *http_test.EXTRA)
        parts = d.first.split()
        assert parts[0] == "PORT", d.first
        d.port = int(parts[1])
        return d

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


class Base(unittest.TestCase):
    DRIVER_ARGS = ()

    @classmethod
    def setUpClass(cls):
        raise_nofile(4096)
        cls.site = Site()
        cls.drv = cls.site.driver(*cls.DRIVER_ARGS)
        cls.port = cls.drv.port

    @classmethod
    def tearDownClass(cls):
        rc = cls.drv.stop()
        cls.site.close()
        assert rc == 0, "driver exit status %r (handles left open, or a leak under ASan)" % rc

    def connect(self, timeout=10):
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)

    def raw(self, data, timeout=10, shut=False):
        s = self.connect(timeout)
        try:
            s.sendall(data)
            if shut:
                s.shutdown(socket.SHUT_WR)
            return recv_until_closed(s, timeout=timeout)
        finally:
            s.close()

    def get(self, path, host=b"127.0.0.1", extra=b""):
        data = self.raw(b"GET " + path + b" HTTP/1.1\r\nHost: " + host + b"\r\n" + extra +
                        b"Connection: close\r\n\r\n")
        self.assertNotIn(SECRET, data)
        return data

    def status(self, data):
        return int(data.split()[1]) if data.startswith(b"HTTP/1.1 ") else None

    def header(self, data, name):
        for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
            k, v = line.split(b":", 1)
            if k.strip().lower() == name.lower():
                return v.strip()
        return None

    def conns(self):
        parts = self.drv.cmd("conns").split()
        return int(parts[1]), int(parts[3])

    def wait_conns(self, http, sse=None, timeout=20):
        deadline = time.time() + timeout
        got = None
        while time.time() < deadline:
            got = self.conns()
            if got[0] == http and (sse is None or got[1] == sse):
                return
            time.sleep(0.05)
        self.fail("expected %s HTTP / %s SSE connections, driver says %s" % (http, sse, got))

    def alive(self):
        self.assertEqual(self.status(self.get(b"/style.css")), 200)


class LoadTest(Base):
    """1,000 idle sockets against the default cap (512), which must evict, not refuse."""

    DRIVER_ARGS = ("--idle-ms", "60000")

    def timed_get(self):
        t0 = time.perf_counter()
        s = self.connect()
        try:
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            st, _, body = read_response(s.makefile("rb"))
        finally:
            s.close()
        return time.perf_counter() - t0, st, body

    def test_fast_client_among_1000_idle_sockets(self):
        if raise_nofile(4096) < 1200:
            self.skipTest("open-file limit below 1200: cannot hold 1,000 sockets")
        sse = [self.connect() for _ in range(2)]
        idle = []
        try:
            for s in sse:
                s.sendall(b"GET /_folio/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            self.wait_conns(0, 2)
            for i in range(1000):
                s = self.connect()
                if i % 3 == 1:  # a keep-alive connection that was served once, then idle
                    s.sendall(b"GET /style.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    s.recv(4096)
                elif i % 3 == 2:  # a request head begun and left hanging
                    s.sendall(b"GET / HTTP/1.1\r\nHo")
                idle.append(s)
            self.wait_conns(512, 2)  # the cap holds; the oldest made room for the newest
            self.assertTrue(is_closed(idle[0]))
            self.assertFalse(is_closed(idle[-1], wait=0))
            # Best of three, each on a fresh connection: one scheduler hiccup on a shared VM
            # must not fail the test; a server that refuses or stalls fails all three.
            best = None
            for _ in range(3):
                took, st, body = self.timed_get()
                self.assertEqual(st, 200)
                self.assertIn(b"home", body)
                best = took if best is None else min(best, took)
            print("fast client among 1000 idle sockets: best of 3 %.1f ms" % (best * 1000),
                  file=sys.stderr)
            self.assertLess(best, 0.100)
            self.assertEqual(self.conns()[1], 2)  # live-reload streams never evicted as idle
        finally:
            for s in idle + sse:
                s.close()
        self.wait_conns(0, 0)


class CapTest(Base):
    DRIVER_ARGS = ("--max-conns", "4", "--max-sse", "2", "--idle-ms", "60000")

    def test_evicts_the_longest_waiting(self):
        a, b, c, d = (self.connect() for _ in range(4))
        try:
            self.wait_conns(4)
            a.sendall(b"GET /style.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")  # a waits anew
            self.assertEqual(read_response(a.makefile("rb"))[0], 200)
            e = self.connect()
            e.sendall(b"GET /style.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            self.assertEqual(read_response(e.makefile("rb"))[0], 200)
            self.assertTrue(is_closed(b, wait=5))  # b has waited longest since its last request
            for s in (a, c, d):
                self.assertFalse(is_closed(s, wait=0.2))
            a.sendall(b"GET /style.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            self.assertEqual(read_response(a.makefile("rb"))[0], 200)
            e.close()
        finally:
            for s in (a, b, c, d):
                s.close()
        self.wait_conns(0)

    def test_sse_counted_apart_and_capped(self):
        streams = [self.connect() for _ in range(2)]
        idle = []
        try:
            for s in streams:
                s.sendall(b"GET /_folio/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            self.wait_conns(0, 2)
            idle = [self.connect() for _ in range(4)]
            self.wait_conns(4, 2)  # four HTTP connections fit beside the streams
            for s in streams:
                self.assertFalse(is_closed(s, wait=0.1))
            third = self.raw(b"GET /_folio/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            self.assertEqual(self.status(third), 503)
            self.assertIn(b"live-reload", third)
            self.assertEqual(self.conns()[1], 2)
        finally:
            for s in streams + idle:
                s.close()
        self.wait_conns(0, 0)


class SlowTest(Base):
    HEADER_MS = 500
    DRIVER_ARGS = ("--header-ms", "500", "--idle-ms", "20000")

    def trickle(self, prefix, data, out):
        s = self.connect(timeout=15)
        s.sendall(prefix)
        t0 = time.time()
        got = b""
        try:
            for ch in data:
                s.sendall(bytes([ch]))
                r, _, _ = select.select([s], [], [], 0.1)
                if r:
                    chunk = s.recv(65536)
                    got += chunk
                    if not chunk:
                        break
            else:
                got += recv_until_closed(s, timeout=15)
        except (BrokenPipeError, ConnectionResetError):
            pass
        out.append((time.time() - t0, got))
        s.close()

    def test_slowloris_closed_at_the_deadline(self):
        variants = [
            (b"", b"\r\n" * 200),                                     # blank lines, forever
            (b"G", b"ET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200),
            (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 300\r\n\r\n", b"b" * 300),
        ]
        results = [[] for _ in variants]
        threads = [threading.Thread(target=self.trickle, args=(p, d, r))
                   for (p, d), r in zip(variants, results)]
        for t in threads:
            t.start()
        for _ in range(5):  # others are served meanwhile
            self.alive()
        for t in threads:
            t.join(30)
        for (took, got), (prefix, _) in zip((r[0] for r in results), variants):
            # 200 bytes at 10 per second would take 20 s: closed near the 0.5 s deadline.
            self.assertLess(took, self.HEADER_MS / 1000 + 4, prefix)
            self.assertGreater(took, self.HEADER_MS / 1000 * 0.8, prefix)
            self.assertTrue(got.startswith(b"HTTP/1.1 408"), (prefix, got[:60]))


class RequestTest(Base):
    DRIVER_ARGS = ("--allow-host", "MyBox.Local")

    # ---- Host (DNS rebinding) ----

    def test_host_accepted(self):
        port = str(self.port).encode()
        for host in (b"127.0.0.1", b"127.0.0.1:" + port, b"localhost", b"LocalHost:" + port,
                     b"localhost:8080", b"[::1]", b"[::1]:" + port, b"[0:0:0:0:0:0:0:1]:1",
                     b"mybox.local", b"MYBOX.local:" + port, b"localhost:"):
            self.assertEqual(self.status(self.get(b"/", host=host)), 200, host)
        # HTTP/1.0 may leave Host out: not a browser, nothing to rebind.
        self.assertEqual(self.status(self.raw(b"GET / HTTP/1.0\r\n\r\n")), 200)

    def test_host_refused(self):
        port = str(self.port).encode()
        for host in (b"evil.example", b"evil.example:" + port, b"127.0.0.1.evil.example",
                     b"localhost.evil.example", b"evil.example#@localhost", b"127.0.0.2",
                     b"[::2]", b"localhost:abc", b"localhost:99999", b"2130706433",
                     b"mybox.local.evil.example", b"local host"):
            data = self.get(b"/", host=host)
            self.assertEqual(self.status(data), 403, host)
            self.assertIn(b"DNS rebinding", data)
            self.assertIn(b"--allow-host", data)
            self.assertNotIn(b"home", data)
        # The live-reload endpoints too: build errors name files.
        for path in (b"/_folio/events", b"/_folio/live.js", b"/dir"):
            self.assertEqual(self.status(self.get(path, host=b"evil.example")), 403, path)
        self.alive()

    def test_host_missing_or_repeated(self):
        for req in (b"GET / HTTP/1.1\r\n\r\n", b"GET / HTTP/1.1\r\nHost:\r\n\r\n",
                    b"GET / HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n"):
            data = self.raw(req)
            self.assertEqual(self.status(data), 400, req)
            self.assertIn(b"Connection: close", data)

    # ---- the folder redirect ----

    def test_redirect_never_leaves_the_site(self):
        cases = {
            b"//evil.com": b"/evil.com/", b"///evil.com": b"/evil.com/",
            b"/evil.com": b"/evil.com/", b"//evil.com?next=//x": b"/evil.com/?next=//x",
            b"/%09/evil.com": b"/%09/evil.com/", b"//%09//evil.com": b"/%09/evil.com/",
            b"/a%3Fb": b"/a%3Fb/", b"/sp%20ace": b"/sp%20ace/", b"/pct%2541": b"/pct%2541/",
            b"/dir?a=<b>": b"/dir/?a=%3Cb%3E",
        }
        for target, want in cases.items():
            data = self.get(target)
            self.assertEqual(self.status(data), 301, target)
            loc = self.header(data, b"Location")
            self.assertEqual(loc, want, target)
            self.assertTrue(loc.startswith(b"/") and loc[1:2] not in (b"/", b"\\"), loc)
            self.assertFalse(any(c < 0x21 or c > 0x7e for c in loc), loc)
        for target in (b"/\\evil.com", b"/%2F%2Fevil.com", b"/%2f/evil.com", b"/%5Cevil.com",
                       b"/\\/evil.com", b"/.//evil.com", b"http://evil.com/", b"//evil.com%2f"):
            data = self.get(target)
            self.assertEqual(self.status(data), 400, target)
            self.assertIsNone(self.header(data, b"Location"), target)

    # ---- paths that try to leave the root ----

    def test_traversal(self):
        for target in (b"/linkdir/", b"/linkdir/index.html", b"/dir/up/secret.txt",
                       b"/dir/up/", b"/rootlink/etc/passwd", b"/rootlink/", b"/dir/%2e%2e/%2e%2e/outside/secret.txt",
                       b"/%2e%2e%2foutside%2fsecret.txt", b"/..%5coutside%5csecret.txt",
                       b"/%c0%ae%c0%ae/outside/secret.txt", b"/style.css%00", b"/%00/",
                       b"/dir/..", b"/dir/.", b"/..;/outside/secret.txt"):
            st = self.status(self.get(target))  # get() asserts the secret never shows
            self.assertIn(st, (400, 404), target)
        self.assertEqual(self.drv.cmd("root " + os.path.join(self.site.tmp, "site404")), "OK")
        try:  # a 404.html that links outside is not served either: the built-in page is
            data = self.get(b"/missing")
            self.assertEqual(self.status(data), 404)
            self.assertIn(b"404 Not Found", data)
        finally:
            self.assertEqual(self.drv.cmd("root " + self.site.root), "OK")

    # ---- limits and malformed requests ----

    def test_body_limits(self):
        big = self.raw(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10000000\r\n\r\n")
        self.assertEqual(self.status(big), 413)
        chunk = b"%x\r\n%s\r\n" % (8192, b"c" * 8192)
        data = self.raw(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + chunk * 9 + b"0\r\n\r\n")
        self.assertEqual(self.status(data), 413)
        s = self.connect()  # a body within the limit is skipped; the connection goes on
        try:
            s.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 65536\r\n\r\n" +
                      b"x" * 65536 + b"GET /style.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            f = s.makefile("rb")
            self.assertEqual(read_response(f)[0], 405)
            self.assertEqual(read_response(f)[0], 200)
        finally:
            s.close()

    def test_malformed(self):
        for junk in (
                b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcdefgh\r\n",
                b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
                b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
                b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n Folded: x\r\n\r\n" * 0 + b"GET /\x7f HTTP/1.1\r\n\r\n",
                b"\r\n\r\n\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64):  # TLS hello
            data = self.raw(junk)
            self.assertIn(self.status(data), (400, 413), junk[:60])
            self.alive()
        rnd = random.Random(8)
        for i in range(300):  # random bytes, some after a valid start
            start = b"GET / HTTP/1.1\r\n" if i % 2 else b""
            junk = start + bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 400)))
            s = self.connect()
            try:
                s.sendall(junk + b"\r\n\r\n")
                if i % 3 == 0:
                    s.close()  # gone before the answer
                    continue
                data = recv_until_closed(s, timeout=10)
                self.assertTrue(data == b"" or data.startswith(b"HTTP/1.1 "), data[:60])
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                s.close()
        self.alive()
        self.assertEqual(self.status(self.raw(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX: " +
                                              b"h" * 70000 + b"\r\n\r\n")), 431)

    def test_half_closed_client_is_answered(self):
        data = self.raw(b"GET /style.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", shut=True)
        self.assertEqual(data.count(b"HTTP/1.1 200"), 2)
        self.assertIn(b"home", data)
        # Half a request, then FIN: closed without an answer, nothing left behind.
        self.assertEqual(self.raw(b"GET / HTTP/1.1\r\nHo", shut=True), b"")
        self.wait_conns(0)

    def test_requests_per_connection(self):
        s = self.connect(timeout=30)
        try:
            s.sendall(b"GET /style.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * 1001)
            f = s.makefile("rb")
            got = [read_response(f) for _ in range(1000)]
            self.assertTrue(all(g[0] == 200 for g in got))
            self.assertEqual(got[998][1]["connection"], "keep-alive")
            self.assertEqual(got[999][1]["connection"], "close")
            self.assertEqual(f.read(), b"")  # the 1001st is not answered
        finally:
            s.close()


class FdLimitTest(unittest.TestCase):
    """A low open-file limit: the caps shrink to fit it, so a flood is evicted or refused
    instead of running into EMFILE, and the loop does not spin."""

    def test_low_nofile(self):
        raise_nofile(4096)
        site = Site()
        drv = site.driver("--nofile", "48", "--max-conns", "1000", "--idle-ms", "60000")
        socks = []
        try:
            port = drv.port
            for _ in range(120):
                socks.append(socket.create_connection(("127.0.0.1", port), timeout=10))
            time.sleep(0.5)
            n = int(drv.cmd("conns").split()[1])
            self.assertLess(n, 48 - 8)  # room kept for files and the loop's own descriptors
            c0 = cpu_seconds(drv.proc.pid)
            time.sleep(1.5)
            self.assertLess(cpu_seconds(drv.proc.pid) - c0, 0.5)  # idle, not spinning
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            self.assertEqual(read_response(s.makefile("rb"))[0], 200)
            s.close()
        finally:
            for s in socks:
                s.close()
            rc = drv.stop()
            site.close()
        self.assertEqual(rc, 0)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    http_test.DRIVER = sys.argv[1]
    http_test.EXTRA = sys.argv[2:]
    unittest.main(argv=[sys.argv[0], "-v"])

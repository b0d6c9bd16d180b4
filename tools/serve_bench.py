#!/usr/bin/env python3
"""tools/serve_bench.py: the `folio serve` case of tools/bench.sh.

Usage: serve_bench.py FOLIO SITE_DIR [EDITS=20] [RSS_EDITS=200] [KINDS=body]
       serve_bench.py FOLIO --new-site N [EDITS=20] [RSS_EDITS=200] [KINDS=body,title,tag,date]

Starts `folio serve --port 0` on SITE_DIR (preview folder in TMPDIR, which bench.sh points at
tmpfs), connects a live-reload client, then edits one post EDITS times per kind (write in place)
and measures from write() returning to the `reload` event reaching the client; prints the median
and p90 per kind. KINDS (comma-separated): body (a sentence appended), title (the title changed),
tag (one tag replaced by another of the corpus), date (the date moved by a day). Then makes
RSS_EDITS more edits (the kinds in turn) and prints the server's VmRSS after 0, half and all of
them. The post is put back as it was at the end, so runs on one corpus compare.
With --new-site N, SITE_DIR is a `folio new site` (every default plugin) made in TMPDIR with N
posts of tools/gen_corpus.lua's pool50 shape (2-3 tags from 50), removed at the end.
Loopback only; every wait is bounded.
"""
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.sendall(b"GET /_folio/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        self.sock.settimeout(None)
        self.cond = threading.Condition()
        self.reloads = []  # (arrival time, data)
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        buf = b""
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buf += chunk
            while b"\n\n" in buf:
                block, buf = buf.split(b"\n\n", 1)
                now = time.perf_counter()
                if b"event: reload" in block:
                    data = b"".join(l[5:] for l in block.split(b"\n") if l.startswith(b"data:"))
                    with self.cond:
                        self.reloads.append((now, json.loads(data)))
                        self.cond.notify_all()

    def wait_after(self, n, timeout=30):
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.reloads) <= n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SystemExit("serve bench: no reload event within %ss" % timeout)
                self.cond.wait(left)
            return self.reloads[n]


def new_site(folio, n):
    """A `folio new site` with n pool50 posts in TMPDIR; returns its folder."""
    import tempfile
    base = tempfile.mkdtemp(prefix="folio-serve-bench-")
    site = os.path.join(base, "site")
    subprocess.run([folio, "new", "site", site], check=True, stdout=subprocess.DEVNULL)
    shutil.rmtree(os.path.join(site, "content/posts"))
    gen = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen_corpus.lua")
    subprocess.run([folio, "lua", gen, site, str(n), "pool50"], check=True)
    return site


# Edits of one post's source: each takes the current text and the edit number, gives new text.
def edit_body(text, i):
    return text + f"\nAnother sentence for the bench, number {i}.\n"


def edit_title(text, i):
    return re.sub(r'^title: "(.*?)( \(v\d+\))?"$', lambda m: f'title: "{m.group(1)} (v{i})"', text, count=1,
                  flags=re.M)


def edit_tag(text, i):
    return re.sub(r'^tags: \["[^"]*"', f'tags: ["topic-{i % 50 + 1}"', text, count=1, flags=re.M)


def edit_date(text, i):
    def shift(m):
        day = int(m.group(3))
        return f"date: {m.group(1)}-{m.group(2)}-{(day % 27) + 1:02d}{m.group(4)}"
    return re.sub(r"^date: (\d{4})-(\d\d)-(\d\d)(.*)$", shift, text, count=1, flags=re.M)


EDITS = {"body": edit_body, "title": edit_title, "tag": edit_tag, "date": edit_date}


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__)
        return 2
    folio = args[0]
    made = None
    if args[1] == "--new-site":
        made = site = new_site(folio, int(args[2]))
        args = args[3:]
        default_kinds = "body,title,tag,date"
    else:
        site = args[1]
        args = args[2:]
        default_kinds = "body"
    edits = int(args[0]) if len(args) > 0 else 20
    rss_edits = int(args[1]) if len(args) > 1 else 200
    kinds = (args[2] if len(args) > 2 else default_kinds).split(",")
    for k in kinds:
        if k not in EDITS:
            raise SystemExit(f"serve bench: unknown edit kind {k} (body, title, tag, date)")
    proc = subprocess.Popen([folio, "serve", "-s", site, "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, bufsize=1)
    lines = []
    target = original = None
    try:
        t0 = time.monotonic()
        port = None
        for line in proc.stdout:
            lines.append(line.rstrip())
            m = re.search(r"^Serving .* at http://127\.0\.0\.1:(\d+)/", line)
            if m:
                port = int(m.group(1))
                break
            if time.monotonic() - t0 > 300:
                break
        if port is None:
            print("\n".join(lines))
            raise SystemExit("serve bench: folio serve did not start")
        threading.Thread(target=lambda: [lines.append(l.rstrip()) for l in proc.stdout], daemon=True).start()
        start_line = next((l for l in lines if "start: built" in l), "")
        client = Client(port)
        time.sleep(0.3)
        posts = sorted(os.listdir(os.path.join(site, "content/posts")))
        target = os.path.join(site, "content/posts", posts[len(posts) // 2])
        with open(target, "rb") as f:
            original = f.read()

        def edit(kind, i):
            n = len(client.reloads)
            with open(target, "r", encoding="utf-8") as f:
                text = f.read()
            new = EDITS[kind](text, i)
            if new == text:
                raise SystemExit(f"serve bench: the {kind} edit changed nothing in {target}")
            fd = os.open(target, os.O_WRONLY | os.O_TRUNC)
            os.write(fd, new.encode())
            t_write = time.perf_counter()
            os.close(fd)
            arrived, _ = client.wait_after(n)
            time.sleep(0.02)  # let the server go idle: edits are separate saves, not a burst
            return (arrived - t_write) * 1000

        print(f"serve: initial build             {start_line.split(': ', 1)[-1]}")
        count = 0
        for kind in kinds:
            times = []
            for i in range(edits):
                count += 1
                times.append(edit(kind, count))
            times.sort()
            p90 = times[min(len(times) - 1, int(round(0.9 * len(times))) - 1)]
            print(f"serve: {kind:5} edit -> reload event  median {statistics.median(times):.1f} ms, "
                  f"p90 {p90:.1f} ms, min {times[0]:.1f} ms, max {times[-1]:.1f} ms ({edits} edits)")
            rebuild = [l for l in lines if " changed: " in l][-1:]
            if rebuild:
                print(f"serve:   last rebuild line       {rebuild[0]}")
        rss = [rss_kib(proc.pid)]
        for i in range(rss_edits):
            count += 1
            edit(kinds[i % len(kinds)], count)
            if i + 1 in (rss_edits // 2, rss_edits):
                rss.append(rss_kib(proc.pid))
        print(f"serve: RSS after 0/{rss_edits // 2}/{rss_edits} more rebuilds  "
              + " / ".join(f"{r / 1024:.1f} MiB" for r in rss))
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            rc = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
        if os.environ.get("SERVE_BENCH_LOG"):  # the server's whole output, e.g. FOLIO_TIMINGS=1
            with open(os.environ["SERVE_BENCH_LOG"], "w") as f:
                f.write("\n".join(lines) + "\n")
        if rc != 0:
            print(f"serve: exit status {rc}")
        if original is not None:
            with open(target, "wb") as f:
                f.write(original)
        if made:
            shutil.rmtree(os.path.dirname(made), ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

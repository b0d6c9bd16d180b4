#!/usr/bin/env python3
"""Integration tests of `folio serve` (src/cli/cmd_serve.c), over loopback only.

Usage: serve_test.py PATH/TO/folio PATH/TO/example [GROUP...]

Each group copies the example site into a temporary folder, starts `folio serve --port 0` there
(TMPDIR pointed at a folder of ours, so the preview folder can be inspected), listens to the
live-reload event stream in a thread, changes files the ways editors do, waits for the `reload`
event and then asserts on the pages served over HTTP. Groups: edits, full, burst, http, ports,
lifecycle, drafts, hook,
incremental, newsite. Standard library only; every wait is bounded.
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

FOLIO = EXAMPLE = None
WORK = None
RUNNING = []  # every Serve of the current group, to show its output when the group fails
TIMEOUT = 10.0
# The tests write their own site.lua (example/site.lua may change): the example's settings with
# either a minimal or a full set of plugins.
SITE_LUA = """return {
  title = "Meetup Notes",
  description = "Write-ups from user groups.",
  author = "Robin Okafor",
  base_url = "http://localhost:1313/",
  lang = "en",
  theme = "default",
  timezone = "America/Chicago",
  plugins = %s,
  permalink = "/:year/:month/:day/:slug/",
  menu = { { name = "About", url = "/about/" } },
}
"""
MIN_PLUGINS = '{ "emoji", "lenient_headings" }'
ALL_PLUGINS = ('{ "emoji", "lenient_headings", "summary", "anchors", "taxonomies", "archives", '
               '{ "paginate", per_page = 100 }, "feeds", "sitemap", "related", "search", '
               '"redirects", "highlight" }')


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def write(path, text, mode="w"):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, mode) as f:
        f.write(text)


def read(path):
    with open(path) as f:
        return f.read()


def post(title, date, body, extra=""):
    return f'---\ntitle: "{title}"\ndate: {date}\n{extra}---\n\n{body}\n'


# What a build or an earlier `tools/example.sh` may have left at the top of example/: never
# copied, so each test starts from the sources alone.
BUILD_LEFTOVERS = {"public", ".public.folio-build"}


def copy_example(dest):
    top = os.path.abspath(EXAMPLE)
    shutil.copytree(EXAMPLE, dest, ignore=lambda d, names: [n for n in names if os.path.abspath(d) == top
                                                            and n in BUILD_LEFTOVERS])


def make_site(name, all_plugins=False):
    site = os.path.join(WORK, name)
    copy_example(site)
    write(os.path.join(site, "site.lua"), SITE_LUA % (ALL_PLUGINS if all_plugins else MIN_PLUGINS))
    # Posts with a fixed date, so their URLs and order do not depend on file times.
    write(os.path.join(site, "content/posts/2021-06-01-alpha.md"),
          post("Alpha Post", "2021-06-01", "Alpha body text.", "tags: [alpha, shared]\n"))
    write(os.path.join(site, "content/posts/2021-06-02-beta.md"),
          post("Beta Post", "2021-06-02", "Beta body text.", "tags: [beta, shared]\n"))
    return site


class Events:
    """A live-reload client: reads /_folio/events in a thread and keeps every event."""

    def __init__(self, port):
        self.events = []
        self.cond = threading.Condition()
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.sock.sendall(b"GET /_folio/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          b"Accept: text/event-stream\r\n\r\n")
        self.sock.settimeout(None)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self.wait("hello", since=0)

    def _run(self):
        buf = b""
        headers_done = False
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                with self.cond:
                    self.events.append(("<closed>", None, time.monotonic()))
                    self.cond.notify_all()
                return
            buf += chunk
            if not headers_done:
                if b"\r\n\r\n" not in buf:
                    continue
                head, buf = buf.split(b"\r\n\r\n", 1)
                check(head.startswith(b"HTTP/1.1 200"), "event stream refused: %r" % head[:80])
                headers_done = True
            while b"\n\n" in buf:
                block, buf = buf.split(b"\n\n", 1)
                name, data = "message", []
                for line in block.decode().split("\n"):
                    if line.startswith("event:"):
                        name = line[6:].strip()
                    elif line.startswith("data:"):
                        data.append(line[5:].strip())
                if data or name != "message":
                    payload = json.loads("\n".join(data)) if data else None
                    with self.cond:
                        self.events.append((name, payload, time.monotonic()))
                        self.cond.notify_all()

    def mark(self):
        with self.cond:
            return len(self.events)

    def wait(self, name, since, pred=None, timeout=TIMEOUT):
        """The first event `name` after index `since` (for which pred(data) holds)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            i = since
            while True:
                while i < len(self.events):
                    ev = self.events[i]
                    i += 1
                    if ev[0] == name and (pred is None or pred(ev[1])):
                        return ev[1]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no '{name}' event within {timeout}s; got "
                                         f"{[e[0] for e in self.events[since:]]}")
                self.cond.wait(left)

    def names(self, since):
        with self.cond:
            return [e[0] for e in self.events[since:]]

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


class Serve:
    """One `folio serve` process on a site folder."""

    def __init__(self, site, *args, port=0, expect_start=True, start_timeout=TIMEOUT):
        self.site = site
        self.tmp = tempfile.mkdtemp(prefix="tmp-", dir=WORK)
        cmd = [FOLIO, "serve", "--source", site]
        if port is not None:
            cmd += ["--port", str(port)]
        cmd += list(args)
        env = dict(os.environ, TMPDIR=self.tmp, NO_COLOR="1")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, bufsize=1, env=env)
        RUNNING.append(self)
        self.lines = []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        self.port = None
        self.events = None
        if expect_start:
            line = self.wait_line(r"^Serving .* at http://127\.0\.0\.1:(\d+)/", timeout=start_timeout)
            self.port = int(re.search(r":(\d+)/", line).group(1))
            self.events = Events(self.port)

    def _read(self):
        for line in self.proc.stdout:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.lines.append("<eof>")
            self.cond.notify_all()

    def wait_line(self, pattern, since=0, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        with self.cond:
            i = since
            while True:
                while i < len(self.lines):
                    if re.search(pattern, self.lines[i]):
                        return self.lines[i]
                    i += 1
                left = deadline - time.monotonic()
                if left <= 0 or (self.lines and self.lines[-1] == "<eof>"):
                    raise AssertionError(f"no output line /{pattern}/; output:\n" +
                                         "\n".join(self.lines))
                self.cond.wait(left)

    def out_mark(self):
        with self.cond:
            return len(self.lines)

    def output(self, since=0):
        with self.cond:
            return self.lines[since:]

    def preview_dir(self):
        found = [d for d in os.listdir(self.tmp) if d.startswith("folio-serve-")]
        check(len(found) == 1, f"one preview folder expected in TMPDIR, found {found}")
        return os.path.join(self.tmp, found[0], "site")

    def request(self, path, method="GET", headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            conn.request(method, path, headers=headers or {})
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def get(self, path):
        return self.request(path)

    def change(self, action, expect_url=None, pred=None, timeout=TIMEOUT):
        """Runs action(), then waits for the reload event (naming expect_url if given)."""
        m = self.events.mark()
        action()
        if expect_url is None:
            want = pred
        else:
            want = lambda d: expect_url in d["paths"] or "*" in d["paths"]
        return self.events.wait("reload", m, want, timeout)

    def rebuilt(self, action, timeout=TIMEOUT):
        """Runs action(), then waits for the next rebuild line (for changes that may change no
        output, so send no reload event)."""
        mark = self.out_mark()
        action()
        return self.wait_line(r" changed: ", mark, timeout)

    def until(self, cond, what, timeout=TIMEOUT):
        """Waits (through reload events) until cond() holds."""
        deadline = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting: " + what + "\noutput:\n" +
                                     "\n".join(self.output()[-15:]))
            time.sleep(0.02)

    def stop(self, sig=signal.SIGINT):
        if self.events:
            self.events.close()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("folio serve did not stop within %ss" % TIMEOUT)
        # the process has gone; its last lines may still be on their way through the reader
        deadline = time.monotonic() + TIMEOUT
        with self.cond:
            while not (self.lines and self.lines[-1] == "<eof>") and time.monotonic() < deadline:
                self.cond.wait(deadline - time.monotonic())
        return rc


def status(s, path):
    return s.get(path)[0]


# ---------------------------------------------------------------------------------------------
# Groups


def group_edits():
    """Editors' ways of saving, renames, deletes, new folders, layouts, site.lua, errors."""
    site = make_site("edits")
    s = Serve(site)
    try:
        alpha = "/2021/06/01/alpha/"
        check("Alpha body text." in s.get(alpha)[2], "alpha served")
        p = os.path.join(site, "content/posts/2021-06-01-alpha.md")

        # 1. write in place: the first reload naming the page already sees the new text
        mark = s.out_mark()
        ev = s.change(lambda: write(p, "\nIn-place edit one.\n", "a"), alpha)
        check("In-place edit one." in s.get(alpha)[2], "in-place edit served with its reload event")
        check(ev["css_only"] is False, "a page change is not css_only")
        line = s.wait_line(r"2021-06-01-alpha\.md changed: \d+ pages? rendered, \d+ changed, in \d+ ms", mark)
        check(re.search(r"in \d+ ms", line), "rebuild line with a time: " + line)

        # 2. vim: probe file 4913, original renamed to a backup, new file written, backup deleted
        def vim_save(text):
            write(os.path.join(site, "content/posts/4913"), "")
            os.unlink(os.path.join(site, "content/posts/4913"))
            os.rename(p, p + "~")
            write(p, text)
            os.unlink(p + "~")
        body = read(p)
        s.change(lambda: vim_save(body + "\nSaved by vim.\n"), alpha)
        s.until(lambda: "Saved by vim." in s.get(alpha)[2], "vim save")
        check(status(s, alpha) == 200, "page still there after vim save")

        # 3. JetBrains: write x___jb_tmp___, rename x to x___jb_old___, tmp to x, delete old
        def jb_save(text):
            write(p + "___jb_tmp___", text)
            os.rename(p, p + "___jb_old___")
            os.rename(p + "___jb_tmp___", p)
            os.unlink(p + "___jb_old___")
        body = read(p)
        s.change(lambda: jb_save(body + "\nSaved by JetBrains.\n"), alpha)
        s.until(lambda: "Saved by JetBrains." in s.get(alpha)[2], "JetBrains save")

        # 4. VS Code style atomic save: hidden temp file renamed over the original
        def rename_save(text):
            tmp = os.path.join(site, "content/posts/.2021-06-01-alpha.md.tmp")
            write(tmp, text)
            os.replace(tmp, p)
        body = read(p)
        s.change(lambda: rename_save(body + "\nSaved by rename.\n"), alpha)
        s.until(lambda: "Saved by rename." in s.get(alpha)[2], "temp+rename save")

        # 5. delete and recreate
        def recreate(text):
            os.unlink(p)
            write(p, text)
        body = read(p)
        s.change(lambda: recreate(body + "\nRecreated.\n"), alpha)
        s.until(lambda: "Recreated." in s.get(alpha)[2] and status(s, alpha) == 200, "delete+recreate")

        # 6. rename a post: the old URL is gone from the site and from the home page
        beta_old, beta_new = "/2021/06/02/beta/", "/2021/06/02/gamma/"
        check(beta_old in s.get("/")[2], "beta on the home page")
        q = os.path.join(site, "content/posts/2021-06-02-beta.md")
        s.change(lambda: os.rename(q, q.replace("beta", "gamma")), beta_new)
        check(status(s, beta_old) == 404, "renamed post's old URL is 404")
        home = s.get("/")[2]
        check(beta_old not in home and beta_new in home, "home page lists the new URL only")
        check(status(s, beta_new) == 200, "renamed post served at its new URL")
        q = q.replace("beta", "gamma")

        # 7. date change moves the page (permalink has the date)
        text = read(q).replace("date: 2021-06-02", "date: 2022-07-03")
        moved = "/2022/07/03/gamma/"
        s.change(lambda: write(q, text), moved)
        check(status(s, moved) == 200 and status(s, beta_new) == 404, "date change moves the page")
        check(moved in s.get("/")[2] and beta_new not in s.get("/")[2], "home follows the date change")

        # 8. delete a post
        s.change(lambda: os.unlink(q), moved)
        check(status(s, moved) == 404 and moved not in s.get("/")[2], "deleted post gone")

        # 9. a new folder with posts, created in place, and one moved in whole
        def new_folder():
            d = os.path.join(site, "content/notes")
            os.makedirs(d)
            write(os.path.join(d, "one.md"), post("Note One", "2020-01-01", "First note."))
            write(os.path.join(d, "two.md"), post("Note Two", "2020-01-02", "Second note."))
        s.change(new_folder, "/notes/one/")
        s.until(lambda: status(s, "/notes/two/") == 200, "second note of a new folder")
        check("First note." in s.get("/notes/one/")[2], "note served")
        outside = os.path.join(WORK, "moved-in")
        write(os.path.join(outside, "three.md"), post("Note Three", "2020-01-03", "Third note."))
        s.change(lambda: os.rename(outside, os.path.join(site, "content/more")), "/more/three/")
        check("Third note." in s.get("/more/three/")[2], "folder moved in")

        # 10. delete a folder, and move one out: its pages go away
        s.change(lambda: shutil.rmtree(os.path.join(site, "content/notes")), "/notes/one/")
        s.until(lambda: status(s, "/notes/one/") == 404 and status(s, "/notes/two/") == 404,
                "pages of a deleted folder are gone")
        s.change(lambda: os.rename(os.path.join(site, "content/more"), os.path.join(WORK, "out")),
                 "/more/three/")
        s.until(lambda: status(s, "/more/three/") == 404, "pages of a folder moved out are gone")

        # 11. a layout: new override, edited, removed
        theme_post = os.path.join(os.path.dirname(EXAMPLE), "themes/default/layouts/post.html")
        layout = read(theme_post)
        lp = os.path.join(site, "layouts/post.html")
        check("</article>" in layout, "theme post layout readable")
        marker = layout.replace("</article>", "<p>LAYOUT-MARK-1</p></article>", 1)
        s.change(lambda: write(lp, marker), alpha)
        check("LAYOUT-MARK-1" in s.get(alpha)[2], "new layout applied")
        check("LAYOUT-MARK-1" not in s.get("/")[2], "home does not use the post layout")
        s.change(lambda: write(lp, marker.replace("LAYOUT-MARK-1", "LAYOUT-MARK-2")), alpha)
        check("LAYOUT-MARK-2" in s.get(alpha)[2], "edited layout applied")
        s.change(lambda: os.unlink(lp), alpha)
        check("LAYOUT-MARK" not in s.get(alpha)[2], "removed layout falls back to the theme's")

        # 12. stylesheets: a CSS-only change is flagged css_only; other static files are not
        css = os.path.join(site, "static/css/extra.css")
        ev = s.change(lambda: write(css, "body { color: #123456 }\n"), "/css/extra.css")
        check(ev["css_only"] is True and ev["paths"] == ["/css/extra.css"], f"css-only event {ev}")
        check("#123456" in s.get("/css/extra.css")[2], "css served")
        s.change(lambda: os.unlink(css), "/css/extra.css")
        check(status(s, "/css/extra.css") == 404, "deleted static file gone")
        ev = s.change(lambda: write(os.path.join(site, "static/notes.txt"), "plain\n"), "/notes.txt")
        check(ev["css_only"] is False, "a non-CSS static file is not css_only")
        # a static folder removed
        s.change(lambda: write(os.path.join(site, "static/img/a.txt"), "a\n"), "/img/a.txt")
        s.change(lambda: shutil.rmtree(os.path.join(site, "static/img")), None,
                 pred=lambda d: True)
        s.until(lambda: status(s, "/img/a.txt") == 404, "static folder removed")

        # 13. site.lua: reloads the Lua side and rebuilds everything
        sl = os.path.join(site, "site.lua")
        mark = s.out_mark()
        s.change(lambda: write(sl, read(sl).replace('title = "Meetup Notes"', 'title = "Renamed Notes"')),
                 None, pred=lambda d: True)
        check("Renamed Notes" in s.get("/")[2] and "Renamed Notes" in s.get(alpha)[2], "site.lua reloaded")
        s.wait_line(r"site\.lua changed: built \d+ pages in \d+ ms", mark)

        # 14. a script: reloads too
        s.change(lambda: write(os.path.join(site, "scripts/mark.lua"),
                               'folio.hook("html", function(page) page.content = page.content .. "<p>HOOKED</p>" end)\n'),
                 None, pred=lambda d: True)
        check("HOOKED" in s.get(alpha)[2], "new script loaded")

        # 15. a build error: event with file and line, last good page kept; fixed: build-ok
        good = read(p)
        m = s.events.mark()
        write(p, '---\ntitle: "Alpha Post"\ndate: 2021-06-01\ntags: [alpha, shared\n---\n\nBroken.\n')
        err = s.events.wait("build-error", m)
        e = err["errors"][0]
        check(e["file"] == "content/posts/2021-06-01-alpha.md", f"error names the file: {e}")
        check(isinstance(e["line"], int) and e["line"] >= 1, f"error has a line: {e}")
        check(e["message"], "error has a message")
        check(s.get(alpha)[0] == 200 and "Recreated." in s.get(alpha)[2], "old page kept during the error")
        m = s.events.mark()
        write(p, good + "\nFixed again.\n")
        s.events.wait("build-ok", m)
        s.events.wait("reload", m, lambda d: alpha in d["paths"] or "*" in d["paths"])
        check("Fixed again." in s.get(alpha)[2], "fixed page served")

        # 16. an error in site.lua: error event naming site.lua, old site still served, then fixed
        good_sl = read(sl)
        m = s.events.mark()
        write(sl, good_sl.replace('title = "Renamed Notes",', 'title = "Renamed Notes" oops,'))
        err = s.events.wait("build-error", m)
        check(err["errors"][0]["file"] == "site.lua" and err["errors"][0]["line"], f"site.lua error {err}")
        check(status(s, alpha) == 200, "old site served while site.lua is broken")
        m = s.events.mark()
        write(sl, good_sl)
        s.events.wait("build-ok", m)
        s.events.wait("reload", m)
        check(status(s, alpha) == 200, "site back")
        check(not os.path.exists(os.path.join(site, "public")), "serve never writes public/")
    finally:
        rc = s.stop()
    check(rc == 0, f"serve exit status {rc}")


def group_full():
    """All plugins on: tag moves, draft flags, and incremental output == a full rebuild."""
    site = make_site("full", all_plugins=True)

    def edits(s):
        alpha = "/2021/06/01/alpha/"
        check(alpha in s.get("/tags/alpha/")[2] and alpha in s.get("/tags/shared/")[2], "tag pages")
        p = os.path.join(site, "content/posts/2021-06-01-alpha.md")
        # body edit: the post and what lists it (home, its tag pages, feeds)
        ev = s.change(lambda: write(p, "\nA body edit with plugins.\n", "a"), alpha)
        check("A body edit with plugins." in s.get(alpha)[2], "edit with plugins")
        check("/about/" not in ev["paths"], f"unrelated page not reported changed: {ev['paths']}")
        # tags change: moves from /tags/alpha/ to /tags/moved/ at once
        s.change(lambda: write(p, read(p).replace("tags: [alpha, shared]", "tags: [moved, shared]")), "/tags/moved/")
        check(status(s, "/tags/moved/") == 200 and alpha in s.get("/tags/moved/")[2], "new tag page")
        check(status(s, "/tags/alpha/") == 404, "empty tag page removed")
        check("/tags/alpha/" not in s.get("/tags/")[2], "old tag not in the list of tags")
        check("/tags/alpha/" not in s.get(alpha)[2], "post no longer links its old tag")
        # title change: every list shows the new title
        s.change(lambda: write(p, read(p).replace('title: "Alpha Post"', 'title: "Alpha Renamed"')), alpha)
        for page in ("/", "/tags/moved/", "/tags/shared/", "/2021/", "/2021/06/"):
            body = s.get(page)[2]
            check("Alpha Renamed" in body and "Alpha Post" not in body, "new title on " + page)
        check("Alpha Renamed" in s.get("/atom.xml")[2], "feed updated")
        # a draft flip: shown in preview (drafts are on), still there
        s.rebuilt(lambda: write(p, read(p).replace("tags:", "draft: true\ntags:")))
        check(status(s, alpha) == 200, "a draft is previewed")
        s.rebuilt(lambda: write(p, read(p).replace("draft: true\n", "")))
        # a slug change
        s.change(lambda: write(p, read(p).replace("tags:", "slug: alpha-slug\ntags:")), "/2021/06/01/alpha-slug/")
        check(status(s, alpha) == 404 and status(s, "/2021/06/01/alpha-slug/") == 200, "slug change")
        check(alpha not in s.get("/tags/moved/")[2] and alpha not in s.get("/sitemap.xml")[2], "no stale URL")
        # a few more edits of other kinds
        s.change(lambda: write(os.path.join(site, "content/posts/2021-06-03-delta.md"),
                               post("Delta", "2021-06-03", "Delta text.", "tags: [shared]\n")), "/2021/06/03/delta/")
        s.change(lambda: os.unlink(os.path.join(site, "content/posts/2021-06-02-beta.md")), "/2021/06/02/beta/")
        s.change(lambda: write(os.path.join(site, "content/about.md"), "\nMore about us.\n", "a"), "/about/")

    full = serve_then_compare(site, edits)
    check(len(full) > 30, f"a real site was compared ({len(full)} files)")


def compare_with_full_build(site, port, incremental, start_timeout=TIMEOUT):
    """Builds `site` from scratch on the same port (so the same base_url), checks that it gives
    the files of `incremental` byte for byte, and returns its snapshot."""
    s2 = Serve(site, port=port, start_timeout=start_timeout)
    try:
        full = snapshot(s2.preview_dir())
    finally:
        s2.stop()
    only_inc = sorted(set(incremental) - set(full))
    only_full = sorted(set(full) - set(incremental))
    differ = sorted(k for k in set(full) & set(incremental) if full[k] != incremental[k])
    check(not only_inc and not only_full and not differ,
          f"incremental != full build: only incremental {only_inc[:5]}, only full {only_full[:5]}, "
          f"different {differ[:5]}")
    return full


def snapshot(root):
    files = {}
    for d, _, names in os.walk(root):
        for n in names:
            path = os.path.join(d, n)
            with open(path, "rb") as f:
                files[os.path.relpath(path, root)] = f.read()
    return files


def group_burst():
    """200 files at once: one or a few rebuilds, every page served."""
    site = make_site("burst")
    s = Serve(site)
    try:
        mark = s.out_mark()
        m = s.events.mark()
        # (written beside the site first, then renamed in: the 200 files arrive within
        # milliseconds, as a git checkout brings them, however slowly this machine writes them)
        stage = os.path.join(WORK, "burst-stage")
        d = os.path.join(site, "content/posts")
        names = [f"2020-02-{i % 28 + 1:02d}-burst-{i:03d}.md" for i in range(200)]
        for i, name in enumerate(names):
            write(os.path.join(stage, name), post(f"Burst {i:03d}", f"2020-02-{i % 28 + 1:02d}", f"Burst body {i}."))
        for name in names:
            os.rename(os.path.join(stage, name), os.path.join(d, name))
        last = "/2020/02/%02d/burst-199/" % (199 % 28 + 1)
        s.events.wait("reload", m, lambda d: last in d["paths"] or "*" in d["paths"])
        time.sleep(0.5)  # any straggling rebuild
        rebuilds = [l for l in s.output(mark) if " changed: " in l]
        check(1 <= len(rebuilds) <= 3, f"200 files gave {len(rebuilds)} rebuilds: {rebuilds}")
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=TIMEOUT)
        for i in range(200):
            conn.request("GET", "/2020/02/%02d/burst-%03d/" % (i % 28 + 1, i))
            r = conn.getresponse()
            body = r.read().decode()
            check(r.status == 200 and f"Burst body {i}." in body, f"burst page {i}")
        conn.close()
        home = s.get("/")[2]
        check(home.count("/burst-") >= 200, "home lists the burst")
        # and 200 deletes (a git checkout of another branch)
        mark = s.out_mark()
        m = s.events.mark()
        for name in os.listdir(d):
            if "-burst-" in name:
                os.unlink(os.path.join(d, name))
        s.events.wait("reload", m, lambda d: last in d["paths"] or "*" in d["paths"])
        time.sleep(0.5)
        rebuilds = [l for l in s.output(mark) if " changed: " in l]
        check(1 <= len(rebuilds) <= 3, f"200 deletes gave {len(rebuilds)} rebuilds")
        check(status(s, last) == 404 and "/burst-" not in s.get("/")[2], "burst deleted")
        del stage
    finally:
        rc = s.stop()
    check(rc == 0, f"exit {rc}")


def raw(port, data, timeout=5.0):
    """Sends raw bytes; returns everything the server answers until it closes or goes quiet."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        sock.sendall(data)
        out = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
            if b"\r\n\r\n" in out:
                head, _, rest = out.partition(b"\r\n\r\n")
                m = re.search(rb"content-length: *(\d+)", head, re.I)
                if m and len(rest) >= int(m.group(1)):
                    break
        return out
    finally:
        sock.close()


def group_http():
    """HTTP behaviour of the real serve process: files, folders, 404, ETag, safety."""
    site = make_site("http")
    secret = os.path.join(WORK, "secret.txt")
    write(secret, "TOPSECRET-outside\n")
    s = Serve(site)
    try:
        st, h, body = s.get("/")
        check(st == 200 and h["content-type"] == "text/html; charset=utf-8", "home 200 html")
        check('<script src="/_folio/live.js"></script>' in body, "live reload script injected")
        check(h.get("cache-control") == "no-cache", "no-cache")
        st, h, body = s.request("/", "HEAD")
        check(st == 200 and body == "" and int(h["content-length"]) > 0, "HEAD")
        check(s.get("/css/style.css")[1]["content-type"].startswith("text/css"), "css type")
        check(s.get("/favicon.svg")[1]["content-type"] == "image/svg+xml", "svg type")
        # folders
        st, h, _ = s.get("/about")
        check(st == 301 and h["location"] == "/about/", f"/about -> /about/ ({st} {h.get('location')})")
        check(s.get("/about/")[0] == 200, "folder index")
        # the site's 404 page
        st, h, body = s.get("/no/such/page/")
        check(st == 404 and "Page not found" in body, "the site's 404 page with status 404")
        # ETag / If-None-Match
        st, h, _ = s.get("/about/")
        etag = h["etag"]
        st2, _, body2 = s.request("/about/", headers={"If-None-Match": etag})
        check(st2 == 304 and body2 == "", "304 for a matching ETag")
        # a rebuilt page gets a new ETag
        s.change(lambda: write(os.path.join(site, "content/about.md"), "\nNew about text.\n", "a"), "/about/")
        st3, h3, body3 = s.request("/about/", headers={"If-None-Match": etag})
        check(st3 == 200 and h3["etag"] != etag and "New about text." in body3, "no stale page after a rebuild")
        # keep-alive: several requests on one connection
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=TIMEOUT)
        for path in ("/", "/about/", "/css/style.css", "/nope"):
            conn.request("GET", path)
            r = conn.getresponse()
            r.read()
            check(not r.will_close, "keep-alive on " + path)
        conn.close()
        # other methods
        check(s.request("/", "POST")[0] == 405, "POST -> 405")
        # a large static file rewritten while it is being sent: the client still gets the old
        # file whole (the preview replaces files, it does not rewrite them in place)
        big = os.path.join(site, "static/big.bin")
        old_bytes = bytes(range(256)) * (96 * 1024)  # 24 MiB, more than the socket buffers hold

        def write_bytes(path, data):
            with open(path, "wb") as f:
                f.write(data)
        s.change(lambda: write_bytes(big, old_bytes), "/big.bin")
        sock = socket.create_connection(("127.0.0.1", s.port), timeout=TIMEOUT)
        sock.sendall(b"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        first = sock.recv(65536)
        s.change(lambda: write_bytes(big, b"new and short\n"), "/big.bin")
        chunks = [first]
        while True:
            chunk = sock.recv(1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        sock.close()
        streamed = b"".join(chunks).split(b"\r\n\r\n", 1)[1]
        check(streamed == old_bytes, f"a file replaced while sent arrives whole and old ({len(streamed)} bytes)")
        check(s.get("/big.bin")[2] == "new and short\n", "and the next request gets the new file")
        # the files on disk never carry the live-reload script; folio build neither
        for d, _, names in os.walk(s.preview_dir()):
            for n in names:
                if n.endswith(".html"):
                    check("_folio/live.js" not in read(os.path.join(d, n)), "script not on disk")
        out = os.path.join(WORK, "http-build")
        r = subprocess.run([FOLIO, "build", "-s", site, "-o", out, "-q"], capture_output=True, text=True, timeout=60)
        check(r.returncode == 0, "folio build: " + r.stderr)
        for d, _, names in os.walk(out):
            for n in names:
                with open(os.path.join(d, n), "rb") as f:
                    check(b"_folio" not in f.read(), "no live reload in folio build output: " + n)
        # path traversal, in every spelling, never reaches a file outside the site
        os.symlink(secret, os.path.join(s.preview_dir(), "leak.txt"))
        os.symlink(os.path.dirname(secret), os.path.join(s.preview_dir(), "leakdir"))
        rel = os.path.relpath(secret, "/")
        attempts = [
            "/../secret.txt", "/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/%2e%2e/secret.txt",
            "/..%2fsecret.txt", "/..%2Fsecret.txt", "/about/..%2f..%2fsecret.txt", "/%2e%2e%2fsecret.txt",
            "/..\\secret.txt", "/%5c..%5csecret.txt", "//" + rel, "/" + secret, "/leak.txt",
            "/leakdir/secret.txt", "/%00/../secret.txt", "/.%2e/.%2e/secret.txt",
            "http://127.0.0.1/../secret.txt", "/../../../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        ]
        for a in attempts:
            resp = raw(s.port, b"GET " + a.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            code = int(resp.split(b" ", 2)[1]) if resp.startswith(b"HTTP/1.1 ") else 0
            check(code in (400, 403, 404), f"{a} -> {code}")
            check(b"TOPSECRET" not in resp and b"root:" not in resp, f"{a} leaked a file outside")
        # malformed requests: 400, and the server keeps serving
        for bad in [b"GARBAGE\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/1.1\r\nBad Header Line\r\n\r\n", b"GET nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                    b"\x00\x01\x02\xff\r\n\r\n", b"GET / HTTP/1.1\r\nContent-Length: -5\r\n\r\n"]:
            resp = raw(s.port, bad)
            check(resp.startswith(b"HTTP/1.1 4"), f"{bad!r} -> {resp[:40]!r}")
            check(s.get("/")[0] == 200, "still serving after " + repr(bad))
        resp = raw(s.port, b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\n\r\n")
        check(resp.startswith(b"HTTP/1.1 4"), "huge URL refused")
        resp = raw(s.port, b"GET / HTTP/1.1\r\nX: " + b"b" * 40000 + b"\r\n\r\n")
        check(resp.startswith(b"HTTP/1.1 4"), "huge header refused")
        check(s.get("/about/")[0] == 200, "still serving at the end")
        check(s.proc.poll() is None, "server alive")
    finally:
        rc = s.stop()
    check(rc == 0, f"exit {rc}")


def group_limits():
    """The preview server's guards through the real command: Host check (DNS rebinding),
    --allow-host, --header-timeout (slowloris), the folder redirect, --max-connections."""
    site = make_site("limits")
    os.makedirs(os.path.join(site, "static", "evil.com"), exist_ok=True)
    write(os.path.join(site, "static", "evil.com", "index.html"), "<body>folder</body>")
    s = Serve(site, "--header-timeout", "0.5", "--allow-host", "preview.test",
              "--max-connections", "8")
    try:
        req = lambda host: b"GET / HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n"
        for host in (b"127.0.0.1:%d" % s.port, b"localhost", b"[::1]:1", b"Preview.Test:80"):
            check(raw(s.port, req(host)).startswith(b"HTTP/1.1 200"), f"Host {host!r} answered")
        for host in (b"evil.example", b"evil.example:%d" % s.port, b"localhost.evil.example"):
            resp = raw(s.port, req(host))
            check(resp.startswith(b"HTTP/1.1 403") and b"DNS rebinding" in resp, f"Host {host!r} refused")
        check(raw(s.port, b"GET / HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 400"), "no Host: 400")
        resp = raw(s.port, b"GET //evil.com HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        check(resp.startswith(b"HTTP/1.1 301") and b"\r\nLocation: /evil.com/\r\n" in resp,
              "//evil.com redirects to /evil.com/, not //evil.com/: " + repr(resp[:200]))
        # A slowloris client: one byte every 0.1 s is closed at the 0.5 s deadline with 408.
        sock = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        t0 = time.monotonic()
        got = b""
        try:
            for ch in b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 100:
                sock.sendall(bytes([ch]))
                sock.settimeout(0.1)
                try:
                    chunk = sock.recv(4096)
                    got += chunk
                    if not chunk:
                        break
                except socket.timeout:
                    pass
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            sock.close()
        took = time.monotonic() - t0
        check(got.startswith(b"HTTP/1.1 408") and 0.4 < took < 5, f"slowloris closed after {took:.1f} s: {got[:40]!r}")
        # Past --max-connections the longest-idle connection makes room; a newcomer is served.
        idle = [socket.create_connection(("127.0.0.1", s.port), timeout=10) for _ in range(20)]
        try:
            check(s.get("/")[0] == 200, "served with 20 idle connections over a cap of 8")
            idle[0].settimeout(5)
            check(idle[0].recv(10) == b"", "the oldest idle connection was closed")
        finally:
            for x in idle:
                x.close()
        r = subprocess.run([FOLIO, "serve", "-s", site, "--allow-host", "bad name", "--port", "0"],
                           capture_output=True, text=True, timeout=10)
        check(r.returncode != 0 and "bad name" in r.stderr, "--allow-host with a bad name: " + r.stderr)
        r = subprocess.run([FOLIO, "serve", "-s", site, "--header-timeout", "soon"],
                           capture_output=True, text=True, timeout=10)
        check(r.returncode == 2 and "--header-timeout" in r.stderr, "--header-timeout soon refused")
    finally:
        rc = s.stop()
    check(rc == 0, f"exit {rc}")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def group_ports():
    """--port taken fails; the default port taken moves on and says so; --bind."""
    site = make_site("ports")
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    taken = blocker.getsockname()[1]
    try:
        s = Serve(site, port=taken, expect_start=False)
        rc = s.proc.wait(timeout=TIMEOUT)
        out = "\n".join(s.output())
        check(rc != 0, "a named port that is taken fails")
        check(re.search(rf"port {taken} is in use", out), "clear message: " + out)
        check(not os.listdir(s.tmp), "no preview folder left behind")
        # the default port (1313) taken: the next one is used and announced
        b2 = socket.socket()
        try:
            b2.bind(("127.0.0.1", 1313))
            b2.listen(1)
        except OSError:
            pass  # someone else holds it: still taken
        s = Serve(site, port=None, expect_start=False)
        line = s.wait_line(r"^Serving .* at ")
        out = "\n".join(s.output())
        if re.search(r":1313/", line):
            raise AssertionError("serve bound 1313 while it was taken")
        check(re.search(r"Port 1313 is in use; using (\d+) instead", out), "announced: " + out)
        used = int(re.search(r"using (\d+) instead", out).group(1))
        check(1313 < used <= 1333 and f":{used}/" in line, "next port used")
        check(s.stop() == 0, "stops")
        b2.close()
        # bad --port values
        for bad in ("abc", "70000", "-1", ""):
            r = subprocess.run([FOLIO, "serve", "-s", site, "--port", bad], capture_output=True, text=True, timeout=10)
            check(r.returncode == 2 and "--port" in r.stderr, f"--port {bad!r} refused")
        # --bind
        s = Serve(site, "--bind", "127.0.0.1")
        check(s.get("/")[0] == 200, "--bind 127.0.0.1")
        check(s.stop() == 0, "stops")
        r = subprocess.run([FOLIO, "serve", "-s", site, "--bind", "192.0.2.1", "--port", "0"],
                           capture_output=True, text=True, timeout=10)
        check(r.returncode != 0 and r.stderr.strip(), "unusable --bind address fails with a message")
    finally:
        blocker.close()


def group_lifecycle():
    """Ctrl-C and SIGTERM: clean exit 0, preview folder removed, public/ untouched."""
    site = make_site("life")
    os.makedirs(os.path.join(site, "public"))
    write(os.path.join(site, "public/keep.txt"), "user's own file\n")
    for sig in (signal.SIGINT, signal.SIGTERM):
        s = Serve(site)
        preview = s.preview_dir()
        check(os.path.isfile(os.path.join(preview, "index.html")), "preview built in TMPDIR")
        # an open keep-alive connection and an event stream do not block the exit
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=TIMEOUT)
        conn.request("GET", "/")
        conn.getresponse().read()
        rc = s.stop(sig)
        conn.close()
        check(rc == 0, f"exit status {rc} after {sig.name}")
        check(not os.path.exists(os.path.dirname(preview)), "preview folder removed")
        check(any("Stopping" in l for l in s.output()), "says it stops")
    check(os.listdir(os.path.join(site, "public")) == ["keep.txt"], "public/ untouched")
    # a restarted server: a reconnecting client gets hello again
    s = Serve(site)
    port = s.port
    s.stop()
    s = Serve(site, port=port)
    check(s.get("/")[0] == 200, "restart on the same port")
    s.stop()
    # Ctrl-C during the first build (a slow site hook): still a clean exit, folder removed
    write(os.path.join(site, "scripts/slow.lua"),
          'folio.hook("site", function() local t = os.clock() while os.clock() - t < 1.5 do end end)\n')
    s = Serve(site, expect_start=False)
    deadline = time.monotonic() + TIMEOUT
    while not os.listdir(s.tmp) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)
    check(os.listdir(s.tmp), "preview folder created")
    rc = s.stop()
    check(rc == 0, f"Ctrl-C during the first build: exit status {rc}")
    check(not os.listdir(s.tmp), "Ctrl-C during the first build: preview folder removed")
    os.unlink(os.path.join(site, "scripts/slow.lua"))
    # not a site folder
    r = subprocess.run([FOLIO, "serve", "-s", WORK, "--port", "0"], capture_output=True, text=True, timeout=10)
    check(r.returncode == 1 and "site.lua" in r.stderr, "no site.lua: clear message")


def group_drafts():
    """Drafts shown in preview; --no-drafts hides them, and a draft flip moves the page."""
    site = make_site("drafts")
    draft = "/2024/02/01/planning-a-small-conference-draft/"
    s = Serve(site)
    try:
        check(status(s, draft) == 200 and draft in s.get("/")[2], "draft previewed by default")
    finally:
        s.stop()
    s = Serve(site, "--no-drafts")
    try:
        check(status(s, draft) == 404, "--no-drafts hides a draft")
        check(draft not in s.get("/")[2], "--no-drafts: not listed")
        p = os.path.join(site, "content/posts/conference-plans.md")
        s.change(lambda: write(p, read(p).replace("draft: true", "draft: false")), draft)
        check(status(s, draft) == 200 and draft in s.get("/")[2], "draft flipped off: published")
        s.change(lambda: write(p, read(p).replace("draft: false", "draft: true")), draft)
        check(status(s, draft) == 404 and draft not in s.get("/")[2], "draft flipped on: hidden")
    finally:
        rc = s.stop()
    check(rc == 0, "exit 0")


def group_hook():
    """The serve hook answers requests and adds headers."""
    site = make_site("hook")
    write(os.path.join(site, "scripts/preview.lua"), """
folio.hook("serve", function(req, site)
  if req.path == "/_drafts/" then
    local n = 0
    for _, p in ipairs(site.pages) do if p.draft then n = n + 1 end end
    return { status = 200, body = "<p>drafts: " .. n .. "</p>", headers = { ["X-Hook"] = "answered" } }
  end
  if req.path == "/_json" then
    return { status = 201, body = '{"method":"' .. req.method .. '","q":"' .. req.query .. '"}',
             content_type = "application/json" }
  end
  if req.path == "/_boom" then error("hook failed on purpose") end
  return { headers = { ["X-Preview"] = "yes" } }
end)
""")
    s = Serve(site)
    try:
        st, h, body = s.get("/_drafts/")
        check(st == 200 and "drafts: 1" in body and h.get("x-hook") == "answered", f"hook answered: {st} {body}")
        check("live.js" in body, "hook HTML gets the live reload script")
        st, h, body = s.get("/_json?a=1")
        check(st == 201 and h["content-type"] == "application/json" and json.loads(body) == {"method": "GET", "q": "a=1"},
              f"hook JSON {st} {body}")
        st, h, body = s.get("/about/")
        check(st == 200 and h.get("x-preview") == "yes", "hook header added to a file response")
        st, h, body = s.get("/_boom")
        check(st == 500 and "scripts/preview.lua" in body and "hook failed on purpose" in body, f"hook error: {body}")
        check(s.get("/")[0] == 200, "serving after a hook error")
        # the hook sees the new site after an edit of the script (reload)
        hp = os.path.join(site, "scripts/preview.lua")
        s.change(lambda: write(hp, read(hp).replace("answered", "reloaded")), None, pred=lambda d: True)
        check(s.get("/_drafts/")[1].get("x-hook") == "reloaded", "hook reloaded")
    finally:
        rc = s.stop()
    check(rc == 0, "exit 0")


PROBE_LUA = r"""-- Test hooks (tests/serve_test.py, group incremental): what site hooks may do that an update
-- must follow as a full build would.
-- A page whose body says HIDE-ME is left out of the output.
folio.hook("site", function(site)
  for _, p in ipairs(site.pages) do
    if p.path and p.content:find("HIDE-ME", 1, true) then p.output = false end
  end
end)
-- A post whose body says NO-NAV is skipped by its neighbours' prev/next links; /nav.txt shows
-- where every post's links lead, with the word count of the page they lead to.
folio.hook("site", function(site)
  local function skipped(p) return p and p.content:find("NO-NAV", 1, true) end
  local out = {}
  for _, p in ipairs(site.posts) do
    while skipped(p.prev) do p.prev = p.prev.prev end
    while skipped(p.next) do p.next = p.next.next end
  end
  for _, p in ipairs(site.posts) do
    local function show(q) return q and (q.url .. ":" .. q.words) or "-" end
    out[#out + 1] = p.url .. " prev=" .. show(p.prev) .. " next=" .. show(p.next)
  end
  site:add_page { url = "/nav.txt", layout = false, content = table.concat(out, "\n") .. "\n" }
end, { order = 5 })
-- Pages whose body says UNLISTED leave site.pages; /find.txt says whether site:find still
-- sees them (it does not: its index is built from site.pages when first asked).
folio.hook("site", function(site)
  local kept, gone = {}, {}
  for _, p in ipairs(site.pages) do
    if p.content:find("UNLISTED", 1, true) then gone[#gone + 1] = p.url else kept[#kept + 1] = p end
  end
  if #gone > 0 then site.pages = kept end
  local out = {}
  for _, url in ipairs(gone) do out[#out + 1] = url .. " found=" .. tostring(site:find(url) ~= nil) end
  site:add_page { url = "/find.txt", layout = false, content = table.concat(out, "\n") .. "\n" }
end, { order = 6 })
-- A page whose front matter says lists_posts lists every post (a content page with a list).
folio.hook("site", function(site)
  for _, p in ipairs(site.pages) do
    if p.meta and p.meta.lists_posts then p.pages = site.posts end
  end
end, { order = 7 })
-- The preview's Lua memory.
folio.hook("serve", function(req)
  if req.path == "/_probe/mem" then
    return { status = 200, content_type = "application/json",
             body = string.format('{"kb": %.0f, "running": %s}', collectgarbage("count"),
                                  tostring(collectgarbage("isrunning"))) }
  end
end)
"""


def group_incremental():
    """Body edits that keep every page in its place (the fast path of an update): site hooks
    that hide a page or re-link neighbours by content, memory over many edits, and the result
    byte for byte the same as a full build."""
    site = make_site("incremental", all_plugins=True)
    write(os.path.join(site, "scripts/probe.lua"), PROBE_LUA)
    d = os.path.join(site, "content/posts")
    for i in range(1, 6):
        write(os.path.join(d, f"2021-07-0{i}-p{i}.md"),
              post(f"Post {i}", f"2021-07-0{i}", f"Body of post {i}.", "tags: [series]\n"))
    url = lambda i: f"/2021/07/0{i}/p{i}/"
    path = lambda i: os.path.join(d, f"2021-07-0{i}-p{i}.md")
    write(os.path.join(site, "content/series.md"), "---\ntitle: Series\nlayout: list\nlists_posts: true\n---\n")

    def edits(s):
        nav = lambda: s.get("/nav.txt")[2]
        check(f"{url(4)} prev={url(3)}:" in nav(), "nav.txt: p4 links to p3\n" + nav())
        # p3 leaves the chain: its neighbours link past it
        s.change(lambda: write(path(3), "\nNO-NAV\n", "a"), url(3))
        check(f"{url(4)} prev={url(2)}:" in nav() and f"{url(2)} prev={url(1)}" in nav(), "p3 skipped\n" + nav())
        # p2's body grows: p4's link to it (set by the hook above) must lead to the new p2
        words = lambda: re.search(re.escape(url(4)) + r" prev=\S+:(\d+)", nav()).group(1)
        before = words()
        s.change(lambda: write(path(2), "\nSeveral more words for the second post.\n", "a"), url(2))
        check(words() != before, f"p4 links to the new p2 ({before} words before, {words()} now)")
        # a hook hides p5 because of its body, then shows it again
        s.change(lambda: write(path(5), "\nHIDE-ME\n", "a"), url(5))
        check(status(s, url(5)) == 404, "p5 hidden by a hook")
        s.change(lambda: write(path(5), read(path(5)).replace("HIDE-ME", "shown")), url(5))
        check(status(s, url(5)) == 200, "p5 shown again")
        # memory: the collector keeps up with many updates
        mem = lambda: json.loads(s.get("/_probe/mem")[2])
        for i in range(5):
            s.change(lambda: write(path(1), f"\nWarm-up edit {i}.\n", "a"), url(1))
        start = mem()
        for i in range(80):
            s.change(lambda: write(path(1), f"\nEdit number {i}.\n", "a"), url(1))
        end = mem()
        check(end["running"] and start["running"], f"collector running between updates: {start} {end}")
        check(end["kb"] < 2.5 * start["kb"], f"Lua memory after 80 updates: {start['kb']} KiB -> {end['kb']} KiB")
        # a hook takes p4 out of site.pages: site:find does not see it any more
        s.change(lambda: write(path(4), "\nUNLISTED\n", "a"), url(4))
        check(s.get("/find.txt")[2] == f"{url(4)} found=false\n", "find.txt: " + s.get("/find.txt")[2])
        check(status(s, url(4)) == 404, "p4 not written")
        s.change(lambda: write(path(4), read(path(4)).replace("UNLISTED", "listed")), url(4))
        check(status(s, url(4)) == 200 and s.get("/find.txt")[2] == "\n", "p4 back")
        # a title edit: the content page that lists every post shows the new title
        check("Post 2" in s.get("/series/")[2], "the series page lists post 2")
        s.rebuilt(lambda: write(path(2), read(path(2)).replace("Post 2", "Post Two Renamed")))
        s.until(lambda: "Post Two Renamed" in s.get("/series/")[2], "the series page shows the new title")

    serve_then_compare(site, edits)


def per_page_counts(s, since):
    """The `counter per_page NAME N` lines (FOLIO_COUNTERS=1) of the first update after `since`."""
    counts = {}
    for line in s.output(since):
        m = re.match(r"^counter per_page (\S+) (\d+)$", line)
        if m:
            counts[m.group(1)] = int(m.group(2))
        elif " changed: " in line and counts:
            break  # (the line of the update before may come after `since`)
    return counts


def new_site_with_posts(name, posts=60, shape="pool50"):
    """`folio new site` in WORK/name (every default plugin) with tools/gen_corpus.lua's posts in
    place of its sample ones; returns its folder."""
    site = os.path.join(WORK, name)
    subprocess.run([FOLIO, "new", "site", site], check=True, stdout=subprocess.DEVNULL)
    shutil.rmtree(os.path.join(site, "content/posts"))
    gen = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "gen_corpus.lua")
    subprocess.run([FOLIO, "lua", gen, site, str(posts), shape], check=True, stdout=subprocess.DEVNULL)
    return site


def serve_then_compare(site, edits, slow=TIMEOUT, counters=False):
    """Serves `site` (with FOLIO_COUNTERS=1 when `counters`), runs `edits(s)` on the running
    preview, snapshots its folder, stops it, and checks that a full build of the same site gives
    those files byte for byte; returns the full build's snapshot."""
    if counters:
        os.environ["FOLIO_COUNTERS"] = "1"
    try:
        s = Serve(site, start_timeout=slow)
    finally:
        os.environ.pop("FOLIO_COUNTERS", None)
    try:
        edits(s)
        time.sleep(0.3)
        incremental = snapshot(s.preview_dir())
        port = s.port
    finally:
        rc = s.stop()
    check(rc == 0, f"serve exit status {rc}")
    return compare_with_full_build(site, port, incremental, start_timeout=slow)


def group_newsite():
    """`folio new site` (every default plugin) on posts with 2-3 tags from a pool of 50: a body
    edit runs the site hooks' per_page for the edited page only, and after body, title, tag and
    date edits and a page added and deleted the preview is byte for byte a full build."""
    SLOW = 6 * TIMEOUT  # a sanitizer build of 60 posts with every plugin, on a busy machine
    site = new_site_with_posts("newsite")
    d = os.path.join(site, "content/posts")
    newest = os.path.join(d, "post-00055.md")  # 2023-08: in the site's feed and its tags' feeds
    other = os.path.join(d, "post-00030.md")
    write(os.path.join(d, "post-00020.md"), read(os.path.join(d, "post-00020.md")).replace(
        "tags:", "aliases: [/old/twenty/]\ntags:", 1))
    anything = lambda d: True

    def edits(s):
        check(status(s, "/old/twenty/") == 200, "redirect page")
        # body edit: one per_page call per hook, and what shows the body follows
        mark = s.out_mark()
        s.change(lambda: write(newest, read(newest).replace("---\n\n", "---\n\nFreshly edited words.\n\n", 1)),
                 pred=anything, timeout=SLOW)
        counts = per_page_counts(s, mark)
        for name in ("summary", "taxonomies", "archives", "related", "search", "redirects", "sitemap"):
            check(counts.get(name) == 1, f"a body edit runs {name}'s per_page for one page: {counts}")
        check("Freshly edited words." in s.get("/search.json")[2], "search index follows the body")
        check("Freshly edited words." in s.get("/atom.xml")[2], "feed follows the body")
        # a second body edit of the same page, then one of another page
        s.change(lambda: write(newest, "\nA line at the end.\n", "a"), pred=anything, timeout=SLOW)
        mark = s.out_mark()
        s.change(lambda: write(other, "\nAnother body edit.\n", "a"), pred=anything, timeout=SLOW)
        check(per_page_counts(s, mark).get("search") == 1, "one page again")
        # title, tag, date edits
        s.change(lambda: write(other, re.sub(r'^title: ".*"$', 'title: "A New Title"', read(other), count=1,
                                            flags=re.M)), pred=anything, timeout=SLOW)
        check("A New Title" in s.get("/search.json")[2], "title in the search index")
        s.change(lambda: write(other, re.sub(r"^tags: \[.*\]$", 'tags: ["topic-7", "brand-new-tag"]', read(other),
                                            count=1, flags=re.M)), pred=anything, timeout=SLOW)
        check(status(s, "/tags/brand-new-tag/") == 200, "new tag page")
        s.change(lambda: write(other, re.sub(r"^date: \S+", "date: 2024-01-02", read(other), count=1, flags=re.M)),
                 pred=anything, timeout=SLOW)
        check(status(s, "/2024/01/") == 200, "new month archive")
        # a page added (with an alias), a page deleted, a body edit after them
        s.change(lambda: write(os.path.join(d, "post-00099.md"),
                               post("Added Post", "2022-05-05", "Added body.",
                                    'tags: ["topic-7", "topic-8"]\naliases: /old/added/\n')), pred=anything, timeout=SLOW)
        check(status(s, "/old/added/") == 200, "alias of the added page")
        s.change(lambda: os.unlink(os.path.join(d, "post-00020.md")), pred=anything, timeout=SLOW)
        check(status(s, "/old/twenty/") == 404, "alias of the deleted page gone")
        s.change(lambda: write(newest, "\nA last body edit.\n", "a"), pred=anything, timeout=SLOW)
    full = serve_then_compare(site, edits, SLOW, counters=True)
    check(len(full) > 100, f"a real site was compared ({len(full)} files)")


def group_deferred():
    """Pages whose Liquid reads the site (deferred to the assemble: scripts/liquid.lua) follow
    edits of other pages on the fast path of an update, and an edit that makes a page deferred
    or stops it being so; the result byte for byte a full build."""
    site = make_site("deferred")
    write(os.path.join(site, "site.lua"), SITE_LUA % '{ "emoji", "lenient_headings", "liquid", "search" }')
    d = os.path.join(site, "content/posts")
    write(os.path.join(site, "content/recent.md"),
          "---\ntitle: Recent\n---\n\nPosts: {% for post in site.posts %}{{ post.title }} ({{ post.content | number_of_words }} words); {% endfor %}\n")
    alpha = os.path.join(d, "2021-06-01-alpha.md")
    beta = os.path.join(d, "2021-06-02-beta.md")
    recent = lambda: s_get("/recent/")

    def edits(s):
        nonlocal s_get
        s_get = lambda url: s.get(url)[2]
        check("Alpha Post (" in recent() and "Beta Post (" in recent(), "deferred page lists the posts\n" + recent())
        # a body edit of another post: the deferred page is finished again, and shows the new body
        words = lambda: int(re.search(r"Beta Post \((\d+) words\)", recent()).group(1))
        before = words()
        s.rebuilt(lambda: write(beta, "\nMore beta words.\n", "a"))
        s.until(lambda: words() == before + 3, f"the deferred page counts beta's new words ({before} before)")
        # a title edit of another post: the list shows the new title
        s.rebuilt(lambda: write(alpha, read(alpha).replace("Alpha Post", "Alpha Renamed")))
        s.until(lambda: "Alpha Renamed (" in recent(), "the deferred page shows the new title")
        # beta becomes deferred itself (it reads the site), then stops
        s.rebuilt(lambda: write(beta, "\nThere are {{ site.posts | size }} posts.\n", "a"))
        s.until(lambda: re.search(r"There are \d+ posts\.", s_get("/2021/06/02/beta/")), "beta deferred: its Liquid rendered")
        s.rebuilt(lambda: write(beta, read(beta).replace("{{ site.posts | size }}", "some")))
        s.until(lambda: "There are some posts." in s_get("/2021/06/02/beta/"), "beta no longer deferred")

    s_get = None
    full = serve_then_compare(site, edits)
    check(len(full) > 10, f"a site was compared ({len(full)} files)")


def group_newsite_multilingual():
    """`folio new site` with two languages (content/en/, content/ja/): a body edit of a Japanese
    post runs per_page for that page only and changes the Japanese search index and feed, not
    the English ones; a tag edit gives a Japanese tag page only; then the preview is byte for
    byte a full build."""
    SLOW = 6 * TIMEOUT
    site = os.path.join(WORK, "newsite_ml")
    subprocess.run([FOLIO, "new", "site", site], check=True, stdout=subprocess.DEVNULL)
    shutil.rmtree(os.path.join(site, "content/posts"))
    for lang, name in (("en", "English"), ("ja", "Japanese")):
        d = os.path.join(site, "content", lang, "posts")
        os.makedirs(d)
        for i in range(1, 7):
            write(os.path.join(d, f"p{i}.md"),
                  post(f"{name} post {i}", f"2023-0{i}-1{i}", f"{name} body {i}.", f"tags: [go, {lang}topic{i}]\n"))
    edited = os.path.join(site, "content/ja/posts/p6.md")
    anything = lambda d: True

    def edits(s):
        check("Japanese post" in s.get("/ja/search.json")[2], "a Japanese search index")
        check("Japanese post" not in s.get("/search.json")[2], "no Japanese page in the English index")
        en_before = {u: s.get(u)[2] for u in ("/search.json", "/atom.xml", "/feed.json", "/tags/go/atom.xml")}
        mark = s.out_mark()
        s.change(lambda: write(edited, read(edited).replace("---\n\n", "---\n\nFreshly edited words.\n\n", 1)),
                 pred=anything, timeout=SLOW)
        counts = per_page_counts(s, mark)
        for name in ("summary", "taxonomies", "archives", "related", "search", "sitemap"):
            check(counts.get(name) == 1, f"a body edit runs {name}'s per_page for one page: {counts}")
        for url in ("/ja/search.json", "/ja/atom.xml", "/ja/feed.json", "/ja/tags/go/atom.xml"):
            check("Freshly edited words." in s.get(url)[2], f"{url} follows the Japanese body")
        for url, before in en_before.items():
            check(s.get(url)[2] == before, f"{url} (English) is unchanged by a Japanese edit")
        # an edit no index entry shows (the hooks reuse each language's last outputs)
        ja_before = {u: s.get(u)[2] for u in ("/ja/search.json", "/ja/atom.xml", "/ja/archives/")}
        s.rebuilt(lambda: write(edited, read(edited).replace("tags:", "unused_field: 1\ntags:", 1)), timeout=SLOW)
        for url, before in list(en_before.items()) + list(ja_before.items()):
            check(s.get(url)[2] == before, f"{url} is unchanged by an edit it does not show")
        s.change(lambda: write(edited, re.sub(r"^tags: \[.*\]$", "tags: [go, brand-new-tag]", read(edited),
                                             count=1, flags=re.M)), pred=anything, timeout=SLOW)
        check(status(s, "/ja/tags/brand-new-tag/") == 200, "the new tag's page in Japanese")
        check(status(s, "/tags/brand-new-tag/") == 404, "no English page for a Japanese tag")
        check('hreflang="ja"' in s.get("/sitemap.xml")[2], "sitemap alternates")
        s.change(lambda: write(edited, "\nA last body edit.\n", "a"), pred=anything, timeout=SLOW)
    full = serve_then_compare(site, edits, SLOW, counters=True)
    check(any(k.startswith("ja/") for k in full), "a multilingual site was compared")


def group_tracked():
    """`folio new site` on 60 pool50 posts: a title, tag or date edit of a post (what other pages
    show of it) renders only the outputs that show it (its lists, neighbours, related posts, the
    generated pages without a list), far fewer than all; an edit of a top-level page (the menu)
    renders every output; after them the preview is byte for byte a full build."""
    SLOW = 6 * TIMEOUT
    site = new_site_with_posts("tracked")
    post_file = os.path.join(site, "content/posts/post-00031.md")
    about = os.path.join(site, "content/about.md")
    write(about, post("About", "2020-01-01", "About this site."))

    def rendered(line):
        m = re.search(r"(\d+) pages rendered", line)
        check(m is not None, f"a rebuild line with a count: {line}")
        return int(m.group(1))

    def edits(s):
        total = int(re.search(r"built (\d+) pages", s.wait_line(r"built \d+ pages")).group(1))
        check(total > 150, f"a site of many outputs ({total})")
        for what, fn in (
            ("title", lambda t: re.sub(r'^title: "(.*)"$', r'title: "\1 (edited)"', t, count=1, flags=re.M)),
            ("tag", lambda t: re.sub(r'^tags: \["[^"]*"', 'tags: ["topic-49"', t, count=1, flags=re.M)),
            ("date", lambda t: re.sub(r"^date: (\d{4})-(\d\d)-\d\d", r"date: \1-\2-27", t, count=1, flags=re.M)),
            ("year", lambda t: re.sub(r"^date: \d{4}", "date: 2019", t, count=1, flags=re.M)),
        ):
            text = read(post_file)
            check(fn(text) != text, f"the {what} edit changes the post")
            n = rendered(s.rebuilt(lambda: write(post_file, fn(read(post_file))), timeout=SLOW))
            check(0 < n < total // 3, f"a {what} edit renders a few outputs, not all {total}: {n}")
        n = rendered(s.rebuilt(lambda: write(about, read(about).replace('title: "About"', 'title: "About us"')),
                               timeout=SLOW))
        check(n == total, f"a top-level page's title (the menu) renders every output: {n} of {total}")
        # a site whose layouts show other pages beyond the rule asks for every output
        s.rebuilt(lambda: write(os.path.join(site, "site.lua"), "\npreview_render_all = true\n", "a"), timeout=SLOW)
        n = rendered(s.rebuilt(lambda: write(post_file, re.sub(r'^title: "(.*)"$', r'title: "\1 again"',
                                                             read(post_file), count=1, flags=re.M)), timeout=SLOW))
        check(n == total, f"preview_render_all: a post's title edit renders every output: {n} of {total}")
        s.rebuilt(lambda: write(post_file, "\nA last body edit.\n", "a"), timeout=SLOW)
    full = serve_then_compare(site, edits, SLOW, counters=True)
    check(len(full) > 150, f"a real site was compared ({len(full)} files)")


def group_tracked_lists():
    """`folio new site` on 60 pool50 posts: a tag edit keeps the home page's and the archives'
    lists where they are (they are by date: only the page listing the post is rendered), moves
    the post between two tags' paginated lists, and leaves the preview byte for byte a full
    build; then the same after a tag and a title edit at once, after a tag no other post has
    (a term born, then emptied), and after a tag edit into a list paginated by two."""
    SLOW = 6 * TIMEOUT
    site = new_site_with_posts("tracked_lists")
    post_file = os.path.join(site, "content/posts/post-00031.md")

    def retag(t, tag):
        return re.sub(r'^tags: \["[^"]*"', f'tags: ["{tag}"', t, count=1, flags=re.M)

    def one_tag_edit(s):
        s.wait_line(r"built \d+ pages")
        before = read(post_file)
        check(retag(before, "topic-49") != before, "the tag edit changes the post")
        s.rebuilt(lambda: write(post_file, retag(read(post_file), "topic-49")), timeout=SLOW)

    serve_then_compare(site, one_tag_edit, SLOW)

    def tag_and_title(s):
        s.wait_line(r"built \d+ pages")
        edited = re.sub(r'^title: "(.*)"$', r'title: "\1 (retitled)"', retag(read(post_file), "topic-3"),
                        count=1, flags=re.M)
        s.rebuilt(lambda: write(post_file, edited), timeout=SLOW)

    serve_then_compare(site, tag_and_title, SLOW)

    def new_then_gone(s): # a tag no other post has, then back: a term born and emptied
        s.wait_line(r"built \d+ pages")
        s.rebuilt(lambda: write(post_file, retag(read(post_file), "only-here")), timeout=SLOW)
        s.rebuilt(lambda: write(post_file, retag(read(post_file), "topic-7")), timeout=SLOW)

    serve_then_compare(site, new_then_gone, SLOW)

    # Two posts a page: the post joins topic-5's list, older posts than it there (2010-2012), so
    # the list's later pages shift by one entry though they never hold the post (preview.choose
    # finds them through the list's family, not through what they list).
    site_lua = os.path.join(site, "site.lua")
    write(site_lua, re.sub(r'\{ "paginate", per_page = \d+ \}', '{ "paginate", per_page = 2 }', read(site_lua)))
    check("per_page = 2" in read(site_lua), "the site paginates by two")
    for n in (1, 2, 14, 15, 16):
        older = os.path.join(site, f"content/posts/post-{n:05d}.md")
        write(older, re.sub(r"^tags: \[", 'tags: ["topic-5", ', read(older), count=1, flags=re.M))

    def into_paginated_list(s):
        s.wait_line(r"built \d+ pages")
        check(status(s, "/tags/topic-5/page/3/") == 200, "topic-5's list has three pages or more")
        s.rebuilt(lambda: write(post_file, retag(read(post_file), "topic-5")), timeout=SLOW)

    serve_then_compare(site, into_paginated_list, SLOW)


def group_sitemap_patch():
    """`folio new site` on 60 posts: after title edits of two posts (their URLs move, so the
    sitemap patches its last sorted URL list, scripts/sitemap.lua) and a tag edit, with nothing
    added or deleted afterwards, the preview (sitemap.xml included) is byte for byte a full build."""
    SLOW = 6 * TIMEOUT
    site = new_site_with_posts("sitemap_patch")
    d = os.path.join(site, "content/posts")
    first, other = os.path.join(d, "post-00010.md"), os.path.join(d, "post-00030.md")
    anything = lambda d: True

    def retitle(path, title):
        write(path, re.sub(r'^title: ".*"$', f'title: "{title}"', read(path), count=1, flags=re.M))

    def sitemap_steps(lines):
        return [int(m.group(1)) for m in (re.match(r"^counter site hook \S*sitemap\.lua\S* (\d+)$", l)
                                          for l in lines) if m]

    def edits(s):
        mark = s.out_mark()
        s.change(lambda: retitle(other, "Zzz Moved To The End"), pred=anything, timeout=SLOW)
        full_run, patch_run = sitemap_steps(s.output(0))[0], sitemap_steps(s.output(mark))[-1]
        print(f"sitemap hook steps: first build {full_run}, title edit {patch_run}")
        check(patch_run < 0.58 * full_run, "a title edit patches the sitemap's URL list, not sorts it again: "
              f"{patch_run} vs {full_run} hundred VM steps")
        check("zzz-moved-to-the-end" in s.get("/sitemap.xml")[2], "sitemap has the new URL")
        s.change(lambda: retitle(first, "Aaa Moved To The Start"), pred=anything, timeout=SLOW)
        s.change(lambda: write(other, "\nA body edit.\n", "a"), pred=anything, timeout=SLOW)
        s.change(lambda: retitle(other, "Back In The Middle"), pred=anything, timeout=SLOW)
        s.change(lambda: write(first, re.sub(r"^tags: \[.*\]$", 'tags: ["topic-7", "another-new-tag"]',
                                             read(first), count=1, flags=re.M)), pred=anything, timeout=SLOW)
    full = serve_then_compare(site, edits, SLOW, counters=True)
    check(len(full) > 100, f"a real site was compared ({len(full)} files)")
    check(any(f.endswith("sitemap.xml") for f in full), "sitemap.xml compared")


def group_layout_shows():
    """`folio new site` on 40 posts: the default archive.html says `shows: [title, date, url]`
    (docs/templates.md), so a tag edit leaves /archives/ as it was (not rendered), while a title
    edit renders it with the new title; the preview stays byte for byte a full build. Then the
    site's own copy of archive.html without `shows`: a tag edit renders /archives/ again; and a
    copy that prints summaries and says so: a save changing a tag and the summary renders it."""
    SLOW = 6 * TIMEOUT
    site = new_site_with_posts("layout_shows", posts=40)
    post = os.path.join(site, "content/posts/post-00012.md")
    anything = lambda d: True
    rendered = lambda lines: [l for l in lines if l.startswith("update: render /archives/")]

    def retag(tags):
        write(post, re.sub(r"^tags: \[.*\]$", "tags: [" + tags + "]", read(post), count=1, flags=re.M))

    def edits(s):
        mark = s.out_mark()
        s.change(lambda: retag('"topic-3", "a-new-tag"'), pred=anything, timeout=SLOW)
        s.wait_line(r" changed: ", mark, SLOW)
        lines = s.output(mark)
        check(any(l.startswith("update: render /tags/") for l in lines), "the tag lists were rendered")
        check(not rendered(lines), "a tag edit leaves /archives/ as it was:\n" + "\n".join(lines[-20:]))
        mark = s.out_mark()
        s.change(lambda: write(post, re.sub(r'^title: ".*"$', 'title: "Shown In The Archive"', read(post),
                                            count=1, flags=re.M)), pred=anything, timeout=SLOW)
        s.wait_line(r" changed: ", mark, SLOW)
        check(rendered(s.output(mark)), "a title edit renders /archives/:\n" + "\n".join(
            l for l in s.output(mark) if not l.startswith("update: render /")))
        check("Shown In The Archive" in s.get("/archives/")[2], "/archives/ shows the new title")

    os.environ["FOLIO_TIMINGS"] = "1"
    try:
        full = serve_then_compare(site, edits, SLOW)
    finally:
        os.environ.pop("FOLIO_TIMINGS", None)
    check(any(f.endswith("archives/index.html") for f in full), "/archives/ compared")

    # the site's own archive.html, the same but for `shows`: every tracked edit renders it
    theme_archive = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "themes", "default",
                                 "layouts", "archive.html")
    text = read(theme_archive)
    check("\nshows: " in text, "the default archive.html says what it shows")
    os.makedirs(os.path.join(site, "layouts"), exist_ok=True)
    write(os.path.join(site, "layouts", "archive.html"), re.sub(r"\nshows: [^\n]*", "", text, count=1))

    def edits_without(s):
        mark = s.out_mark()
        s.change(lambda: retag('"topic-5"'), pred=anything, timeout=SLOW)
        s.wait_line(r" changed: ", mark, SLOW)
        check(rendered(s.output(mark)), "without `shows`, a tag edit renders /archives/")

    os.environ["FOLIO_TIMINGS"] = "1"
    try:
        serve_then_compare(site, edits_without, SLOW)
    finally:
        os.environ.pop("FOLIO_TIMINGS", None)

    # a copy that prints each post's summary and says so: a save that changes a tag and the
    # summary (a field only the page itself is taken to show) renders it with the new summary
    shown = re.sub(r"\nshows: [^\n]*", "\nshows: [title, date, url, summary]", text, count=1)
    shown = shown.replace("{{ p.title }}</a>", "{{ p.title }}</a> {{ p.summary }}", 1)
    check("p.summary" in shown, "the copy prints summaries")
    write(os.path.join(site, "layouts", "archive.html"), shown)

    def edits_summary(s):
        mark = s.out_mark()
        text = re.sub(r"^tags: \[.*\]$", 'tags: ["topic-9"]', read(post), count=1, flags=re.M)
        text = re.sub(r"\n\n(\w)", r"\n\nSummarised anew. \1", text, count=1)  # (one save: one update)
        s.change(lambda: write(post, text), pred=anything, timeout=SLOW)
        s.wait_line(r" changed: ", mark, SLOW)
        check(rendered(s.output(mark)), "a tag and summary edit renders a layout that shows summaries:\n"
              + "\n".join(l for l in s.output(mark) if not l.startswith("update: render /")))
        check("Summarised anew." in s.get("/archives/")[2], "/archives/ shows the new summary")

    os.environ["FOLIO_TIMINGS"] = "1"
    try:
        serve_then_compare(site, edits_summary, SLOW)
    finally:
        os.environ.pop("FOLIO_TIMINGS", None)


def group_redated():
    """`folio new site` on 60 posts: a re-dated post is put in its new place in the last order
    (preview.reorder) rather than every page sorted again. Each edit is compared with a full build
    on its own (a later edit would put a misplaced post right again): a post moved into the middle
    of the others, one given the very date of another (the tie goes by path), two re-dated in one
    save, and one moved to the oldest place; the same after a title edit of the moved post."""
    SLOW = 6 * TIMEOUT
    site = new_site_with_posts("redated")
    d = os.path.join(site, "content/posts")
    a, b, c = (os.path.join(d, f"post-000{n}.md") for n in (31, 10, 45))

    def date_of(path):
        return re.search(r"^date: (.*)$", read(path), flags=re.M).group(1)

    def redate(path, date):
        write(path, re.sub(r"^date: .*$", f"date: {date}", read(path), count=1, flags=re.M))

    def step(fn, last=None, track=None):
        """`track`: what the update's `track:` line (FOLIO_TIMINGS) must say of the lists by date
        and the related lists, ("kept" or "read", lists snapshot at most or at least)."""
        def edits(s):
            s.wait_line(r"built \d+ pages")
            mark = s.out_mark()
            line = s.rebuilt(fn, timeout=SLOW)
            if last and " and 1 more " not in line and last not in line:  # two saves, two updates
                s.wait_line(re.escape(last) + r" changed: ", mark, SLOW)
            if track:
                found = [re.search(r"snapshots \S+ ms \((\d+) lists\).*related lists (\w+)", l)
                         for l in s.output(mark) if l.startswith("track: snapshots")]
                check(found and found[-1], "a track line: " + "\n".join(s.output(mark)[-12:]))
                lists, related = int(found[-1].group(1)), found[-1].group(2)
                print(f"track: {lists} lists snapshot, related lists {related}")
                want, bound = track
                check(related == want, f"related lists {want} (the line says {related})")
                check(lists <= bound if want == "kept" else lists >= bound,
                      f"{lists} lists snapshot ({'at most' if want == 'kept' else 'at least'} {bound})")
        if track:
            os.environ["FOLIO_TIMINGS"] = "1"
        try:
            serve_then_compare(site, edits, SLOW)
        finally:
            os.environ.pop("FOLIO_TIMINGS", None)

    step(lambda: redate(a, "2017-03-15 08:00:00 +0000"), track=("read", 6))  # the home's 6 pages at least
    step(lambda: redate(a, date_of(b)))                   # the same date as post 10: path decides
    step(lambda: (redate(b, "2014-02-02 12:00:00 +0000"), redate(c, "2022-05-05 12:00:00 +0000")),
         last="post-00045.md")
    step(lambda: redate(c, "2001-01-01 12:00:00 +0000"))  # the oldest post now
    # the first post of the home page's page 2 (10 a page) an hour earlier: the same place in
    # every list (the paginated lists keep their pages), but page 2's lastmod moves (sitemap.xml)
    by_date = sorted((os.path.join(d, n) for n in os.listdir(d)), key=date_of, reverse=True)
    first_of_2 = by_date[10]
    check(date_of(first_of_2) > date_of(by_date[11]), "page 2's first post is newer than the next")
    # (it keeps its place: the lists by date are not snapshot, the related lists are as they were)
    step(lambda: redate(first_of_2, date_of(first_of_2).replace("12:00:00", "11:00:00")), track=("kept", 5))
    step(lambda: write(c, re.sub(r'^title: "(.*)"$', r'title: "\1 (later)"', read(c), count=1, flags=re.M)))


def group_moved_urls():
    """`folio new site` on 60 posts: a title edit moves a post's URL, and the update puts it in
    the last assemble's frame rather than assembling every page again (preview: Frame:replace):
    the old output goes, the new one is written, and the preview is byte for byte a full build,
    after one such edit and after several back and forth; a title that gives the URL of another
    post (same date) is reported as a full build reports it, and once put right the preview is
    a full build again."""
    SLOW = 6 * TIMEOUT
    site = new_site_with_posts("moved_urls")
    d = os.path.join(site, "content/posts")
    a, b = os.path.join(d, "post-00011.md"), os.path.join(d, "post-00010.md")
    write(a, re.sub(r"^date: .*$", re.search(r"^date: .*$", read(b), flags=re.M).group(0), read(a),
                    count=1, flags=re.M))  # post 11 on post 10's date: a title alone can collide
    a_title = re.search(r'^title: "(.*)"$', read(a), flags=re.M).group(1)
    b_title = re.search(r'^title: "(.*)"$', read(b), flags=re.M).group(1)

    def retitle(path, title):
        write(path, re.sub(r'^title: ".*"$', f'title: "{title}"', read(path), count=1, flags=re.M))

    def once(s):
        s.wait_line(r"built \d+ pages")
        s.rebuilt(lambda: retitle(a, "A New Name"), timeout=SLOW)

    full = serve_then_compare(site, once, SLOW)
    check(any("a-new-name" in k for k in full), "the post's new URL was compared")

    def back_and_forth(s):
        s.wait_line(r"built \d+ pages")
        for title in ("First", "Second", "First", a_title, "Third"):
            s.rebuilt(lambda: retitle(a, title), timeout=SLOW)
        s.rebuilt(lambda: retitle(b, "Fourth"), timeout=SLOW)

    serve_then_compare(site, back_and_forth, SLOW)

    def collide(s):
        s.wait_line(r"built \d+ pages")
        mark = s.out_mark()
        s.rebuilt(lambda: retitle(a, b_title), timeout=SLOW)
        s.wait_line(r"two pages claim the URL", mark, SLOW)
        s.rebuilt(lambda: retitle(a, "Apart Again"), timeout=SLOW)

    retitle(b, b_title)
    serve_then_compare(site, collide, SLOW)

    # the same through a date edit: post 11 with post 10's title a day later, then on its date
    # (the order is patched, not sorted: preview.reorder; the clash is reported all the same)
    b_date = re.search(r"^date: (.*)$", read(b), flags=re.M).group(1)
    later = b_date.replace(b_date[:10], b_date[:8] + "%02d" % (int(b_date[8:10]) % 27 + 1), 1)

    def redate(path, date):
        write(path, re.sub(r"^date: .*$", f"date: {date}", read(path), count=1, flags=re.M))

    def collide_by_date(s):
        s.wait_line(r"built \d+ pages")
        mark = s.out_mark()
        s.rebuilt(lambda: redate(a, b_date), timeout=SLOW)
        s.wait_line(r"two pages claim the URL", mark, SLOW)
        s.rebuilt(lambda: redate(a, later), timeout=SLOW)

    write(a, re.sub(r"^date: .*$", f"date: {later}", read(a), count=1, flags=re.M))
    retitle(a, b_title)
    serve_then_compare(site, collide_by_date, SLOW)


GROUPS = {
    "edits": group_edits, "full": group_full, "burst": group_burst, "http": group_http,
    "limits": group_limits,
    "ports": group_ports, "lifecycle": group_lifecycle, "drafts": group_drafts, "hook": group_hook,
    "incremental": group_incremental, "newsite": group_newsite,
    "newsite_multilingual": group_newsite_multilingual, "tracked": group_tracked, "tracked_lists": group_tracked_lists,
    "sitemap_patch": group_sitemap_patch, "redated": group_redated, "layout_shows": group_layout_shows,
    "moved_urls": group_moved_urls, "deferred": group_deferred,
}


def main():
    global FOLIO, EXAMPLE, WORK
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    FOLIO, EXAMPLE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    names = sys.argv[3:] or list(GROUPS)
    failed = []
    for name in names:
        WORK = tempfile.mkdtemp(prefix=f"folio-serve-test-{name}-")
        del RUNNING[:]
        t0 = time.monotonic()
        try:
            GROUPS[name]()
            print(f"ok   {name} ({time.monotonic() - t0:.1f} s)", flush=True)
        except Exception as e:  # noqa: BLE001 (report every group)
            import traceback
            traceback.print_exc()
            for srv in RUNNING:
                print("--- output of folio serve --port %s (last 25 lines):" % srv.port)
                print("\n".join(srv.output()[-25:]))
            print(f"FAIL {name}: {e}", flush=True)
            failed.append(name)
        finally:
            for srv in RUNNING:
                if srv.proc.poll() is None:
                    srv.proc.kill()
                    srv.proc.wait()
            shutil.rmtree(WORK, ignore_errors=True)
    print(f"{len(names) - len(failed)}/{len(names)} groups passed" + (f"; failed: {failed}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

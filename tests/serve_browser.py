#!/usr/bin/env python3
"""Live reload of `folio serve` in a real headless Chromium (Debian's chromium + chromium-driver,
driven by python3-selenium; tools/deps.sh --test installs them; exits 77 when one is missing).

Usage: serve_browser.py PATH/TO/folio PATH/TO/example ARTIFACT_DIR

Starts `folio serve --port 0` on a copy of the example site (never its public/) and checks:
  live.js on its own (events dispatched to the page's EventSource): one connection even with the
    script twice; reloads only for its own path, "*" or a new server id, keeping the scroll
    position; css_only swaps same-origin stylesheets without a reload; the error overlay shows
    file:line, message as text (no markup) and hint, is replaced not stacked, and goes on build-ok
    or its close button;
  end to end: an edit on disk reloads the page by itself (scroll kept, a second tab too); a CSS
    edit swaps the stylesheet without a reload; a broken front matter shows the overlay with
    file:line over the last good page, and the fix clears it; a restarted server is reconnected to.
Prints every page visited and every screenshot written (ARTIFACT_DIR/*.png)."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

CHROMIUM = os.environ.get("FOLIO_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("FOLIO_CHROMEDRIVER", "/usr/bin/chromedriver")
STEP = 15.0


def skip(why):
    print("SKIP: " + why, flush=True)
    sys.exit(77)


if len(sys.argv) != 4:
    print(__doc__)
    sys.exit(2)
FOLIO, EXAMPLE, ARTIFACTS = (os.path.abspath(a) for a in sys.argv[1:])
for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
    if not os.access(path, os.X_OK):
        skip(f"no {path} (apt-get install {package}; tools/deps.sh --test does)")
try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
except ImportError:
    skip(f"{sys.executable} has no selenium module (apt-get install python3-selenium)")

CHECKS = 0


def check(cond, what):
    global CHECKS
    if not cond:
        raise AssertionError("check failed: " + what)
    CHECKS += 1
    print("ok - " + what, flush=True)


# ---- a site of our own ------------------------------------------------------------------------

WORK = tempfile.mkdtemp(prefix="folio-browser-")
SITE = os.path.join(WORK, "site")
shutil.copytree(EXAMPLE, SITE, ignore=lambda d, names: [n for n in names if d == EXAMPLE and
                                                        n in ("public", ".public.folio-build")])
with open(os.path.join(SITE, "site.lua"), "w") as f:
    f.write('return {\n  title = "Browser Test", base_url = "http://localhost:1313/", theme = "default",\n'
            '  timezone = "UTC", plugins = { "emoji", "lenient_headings" },\n'
            '  permalink = "/:year/:month/:day/:slug/",\n}\n')
POST_FILE = os.path.join(SITE, "content/posts/2021-06-01-long.md")
PARAGRAPHS = "\n\n".join(f"Paragraph {i} of a long post, long enough to scroll." for i in range(80))
GOOD_POST = f'---\ntitle: "A Long Post"\ndate: 2021-06-01\n---\n\n{PARAGRAPHS}\n'
POST = "/2021/06/01/long/"
CSS_FILE = os.path.join(SITE, "static/css/style.css")
os.makedirs(os.path.dirname(CSS_FILE), exist_ok=True)
shutil.copyfile(os.path.join(os.path.dirname(EXAMPLE), "themes/default/static/css/style.css"), CSS_FILE)


def write(path, text, mode="w"):
    with open(path, mode) as f:
        f.write(text)


write(POST_FILE, GOOD_POST)

# ---- folio serve ------------------------------------------------------------------------------


class Serve:
    def __init__(self, port):
        self.log = open(os.path.join(WORK, f"serve-{time.monotonic_ns()}.log"), "w+")
        tmp = tempfile.mkdtemp(dir=WORK)
        env = dict(os.environ, TMPDIR=tmp, NO_COLOR="1")
        self.proc = subprocess.Popen([FOLIO, "serve", "-s", SITE, "--port", str(port)], env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        end = time.monotonic() + STEP
        while True:
            m = re.search(r"Serving .* at http://127\.0\.0\.1:(\d+)/", self.output())
            if m:
                self.port = int(m.group(1))
                return
            if self.proc.poll() is not None or time.monotonic() > end:
                raise AssertionError("folio serve did not start:\n" + self.output())
            time.sleep(0.02)

    def output(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(2)
            try:
                self.proc.wait(STEP)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


# ---- the browser ------------------------------------------------------------------------------

# Records every EventSource the page makes and the server's hello, before any page script runs.
RECORD_SOURCES = """
(function () {
  var Real = window.EventSource;
  window.__folioSources = [];
  window.EventSource = function (url, opts) {
    var es = new Real(url, opts);
    es.addEventListener("hello", function (e) { window.__folioHello = e.data; });
    window.__folioSources.push(es);
    return es;
  };
  window.EventSource.prototype = Real.prototype;
})();
"""


def start_browser():
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage", "--window-size=1000,700",
              "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
              f"--user-data-dir={WORK}/chrome"):
        opts.add_argument(a)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)


def record_sources(driver):
    """RECORD_SOURCES runs in every document this tab loads from now on."""
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_SOURCES})


def until(driver, js, what, *args):
    """Polls a JS expression (a function body) until it returns something truthy; survives reloads."""
    end = time.monotonic() + STEP
    while True:
        try:
            v = driver.execute_script(js, *args)
            if v:
                return v
        except Exception:  # noqa: BLE001 (the page is reloading: try again)
            pass
        if time.monotonic() > end:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)


def visit(driver, url):
    driver.get(url)
    print("visited " + url, flush=True)
    connected(driver)


def connected(driver):
    """Waits until the page has loaded and its live-reload connection has said hello."""
    until(driver, "return document.readyState === 'complete' && window.__folioHello", "the page to connect")


def screenshot(driver, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name)
    check(driver.save_screenshot(path) and os.path.getsize(path) > 0, "screenshot written: " + path)


def document_id(driver):
    return driver.execute_script("return performance.timeOrigin")


def emit(driver, event, data):
    driver.execute_script("window.__folioSources[0].dispatchEvent(new MessageEvent(arguments[0], "
                          "{data: arguments[1]}))", event, json.dumps(data))


def reloaded(driver, before, what):
    """Waits for a new document (the page reloaded itself) and for it to connect again."""
    until(driver, "return performance.timeOrigin !== arguments[0]", what, before)
    connected(driver)


def still_here(driver, before, what):
    time.sleep(0.6)  # long enough for a reload to have started
    check(document_id(driver) == before and driver.execute_script("return window.__folioMarker") == "set",
          what)


def set_marker(driver):
    driver.execute_script("window.__folioMarker = 'set'")
    return document_id(driver)


# ---- live.js, event by event ------------------------------------------------------------------

def live_js_events(driver, base):
    visit(driver, base + POST)
    check(driver.execute_script("return window.__folioSources.length") == 1 and
          driver.execute_script("return window.__folioSources[0].url").endswith("/_folio/events"),
          "one connection to /_folio/events")
    driver.execute_script("var s = document.createElement('script'); s.src = '/_folio/live.js';"
                          "s.onload = function () { window.__secondCopy = true; }; document.head.appendChild(s);")
    until(driver, "return window.__secondCopy", "the second copy of live.js")
    check(driver.execute_script("return window.__folioSources.length") == 1, "a second copy of the script does nothing")

    # reload: only its own path (index.html or not), "*", or a new server id; scroll kept
    before = set_marker(driver)
    emit(driver, "reload", {"paths": ["/b/"], "css_only": False})
    still_here(driver, before, "a reload for another page is ignored")
    hello = json.loads(driver.execute_script("return window.__folioHello"))
    emit(driver, "hello", hello)
    still_here(driver, before, "the same server id again (a reconnect) does not reload")
    driver.execute_script("window.scrollTo({top: 420, behavior: 'instant'})")
    check(driver.execute_script("return Math.round(window.scrollY)") == 420, "scrolled down to 420 px")
    emit(driver, "reload", {"paths": ["/b/", POST + "index.html"], "css_only": False})
    reloaded(driver, before, "a reload naming this page")
    check(True, "a reload naming this page (as .../index.html) reloads it")
    until(driver, "return Math.abs(window.scrollY - 420) < 30", "the scroll position to come back")
    check(driver.execute_script("return sessionStorage.getItem('folio:scroll:' + location.pathname)") is None,
          "the scroll position was restored and forgotten")
    before = set_marker(driver)
    emit(driver, "reload", {"paths": ["*"]})
    reloaded(driver, before, "a reload of every page")
    check(True, 'paths ["*"] reloads every page')
    before = set_marker(driver)
    emit(driver, "hello", {"id": hello["id"] + "-restarted"})
    reloaded(driver, before, "a new server id")
    check(True, "a new server id (a restart) reloads")

    # css_only: same-origin stylesheets get a fresh URL; icons and other origins are left alone
    before = set_marker(driver)
    driver.execute_script("""
      for (const [rel, href] of [["icon", "/favicon.ico"], ["Stylesheet alternate", "/css/style.css?v=1"],
                                 ["stylesheet", "https://cdn.example/x.css"]]) {
        const l = document.createElement("link"); l.rel = rel; l.href = href; document.head.appendChild(l);
      }""")
    sheets = "return [...document.querySelectorAll('link[href]')].map(l => l.getAttribute('rel') + ' ' + l.href)"
    emit(driver, "reload", {"paths": [POST], "css_only": True})
    links = until(driver, sheets.replace("return ", "const a = ") +
                  "; return a.some(h => h.includes('folio=')) && !a.some(h => /style\\.css(\\?v=1)?$/.test(h)) && a",
                  "the stylesheets to be swapped")
    still_here(driver, before, "css_only does not reload the page")
    busted = [l for l in links if re.search(r"[?&]folio=\d+", l)]
    check(len(busted) == 2, "both same-origin stylesheets were swapped: " + " | ".join(links))
    check(any("/css/style.css?v=1&folio=" in l for l in busted), "a query already there is kept")
    check(not any("cdn.example" in l and "folio=" in l for l in links), "a stylesheet of another origin is left alone")
    check(not any("favicon" in l and "folio=" in l for l in links), "an icon is left alone")

    # build-error: the overlay, as text; replaced, not stacked; build-ok and the close button
    emit(driver, "build-error", {"errors": [{"file": "content/a.md", "line": 3,
                                             "message": "<img src=x onerror=alert(1)>", "hint": "close it"}]})
    text = until(driver, "const o = document.getElementById('folio-error-overlay'); return o && o.innerText",
                 "the overlay")
    check("content/a.md:3" in text and "hint: close it" in text, "the overlay shows file:line and the hint")
    check("<img src=x onerror=alert(1)>" in text and
          driver.execute_script("return document.querySelector('#folio-error-overlay img')") is None,
          "the message is shown as text, not markup")
    style = driver.execute_script("const s = getComputedStyle(document.getElementById('folio-error-overlay'));"
                                  "return [s.position, s.zIndex]")
    check(style == ["fixed", "2147483647"], "the overlay covers the page: " + str(style))
    screenshot(driver, "overlay-event.png")
    emit(driver, "build-error", {"errors": [{"message": "again"}]})
    check(driver.execute_script("return document.querySelectorAll('#folio-error-overlay').length") == 1 and
          "again" in driver.execute_script("return document.getElementById('folio-error-overlay').innerText"),
          "a second error replaces the overlay")
    emit(driver, "build-ok", {})
    check(driver.execute_script("return document.getElementById('folio-error-overlay')") is None,
          "build-ok removes the overlay")
    emit(driver, "build-error", {"errors": []})
    driver.execute_script("document.querySelector('#folio-error-overlay button').click()")
    check(driver.execute_script("return document.getElementById('folio-error-overlay')") is None,
          "the close button removes the overlay")


# ---- end to end: edits on disk ----------------------------------------------------------------

def end_to_end(driver, srv, base):
    visit(driver, base + POST)
    page = driver.current_window_handle
    driver.switch_to.new_window("tab")
    tab2 = driver.current_window_handle
    record_sources(driver)
    visit(driver, base + POST)
    driver.switch_to.window(page)
    check("Paragraph 79" in driver.execute_script("return document.body.innerText"), "the post is served")

    # 1. an edit on disk appears with no navigation by the test; scroll position survives
    driver.execute_script("window.scrollTo({top: 1200, behavior: 'instant'})")
    check(driver.execute_script("return Math.round(window.scrollY)") == 1200, "scrolled down to 1200 px")
    before = set_marker(driver)
    driver.switch_to.window(tab2)
    before2 = set_marker(driver)
    driver.switch_to.window(page)
    write(POST_FILE, "\nBROWSER-EDIT-ONE appears by itself.\n", "a")
    until(driver, "return document.body.innerText.includes('BROWSER-EDIT-ONE')", "the edited text")
    check(document_id(driver) != before and driver.execute_script("return window.__folioMarker") is None,
          "the edited text appeared: the page reloaded itself, not the test")
    until(driver, "return Math.abs(window.scrollY - 1200) < 60", "the scroll position to come back")
    check(True, "the scroll position survived the reload")
    screenshot(driver, "after-edit.png")
    driver.switch_to.window(tab2)
    until(driver, "return document.body.innerText.includes('BROWSER-EDIT-ONE')", "the second tab")
    check(document_id(driver) != before2, "a second tab got its event and reloaded too")
    driver.switch_to.window(page)

    # 2. a CSS-only change swaps the stylesheet without reloading the page
    connected(driver)
    before = set_marker(driver)
    color = driver.execute_script("return getComputedStyle(document.body).outlineColor")
    write(CSS_FILE, "\nbody { outline: 7px solid rgb(1, 2, 3); }\n", "a")
    until(driver, "return getComputedStyle(document.body).outlineWidth === '7px'", "the new stylesheet")
    check(document_id(driver) == before and driver.execute_script("return window.__folioMarker") == "set",
          "CSS swapped without a reload")
    check(color != "rgb(1, 2, 3)", "the style really changed")

    # 3. a broken front matter shows the overlay with file:line; fixing it clears it
    driver.execute_script("window.scrollTo({top: 0, behavior: 'instant'})")
    write(POST_FILE, GOOD_POST.replace("date: 2021-06-01", "date: 2021-06-01\ntags: [unclosed"))
    text = until(driver, "const o = document.getElementById('folio-error-overlay'); return o && o.innerText",
                 "the error overlay")
    check(re.search(r"content/posts/2021-06-01-long\.md:\d+", text),
          "the overlay names file:line: " + " | ".join([l for l in text.split("\n") if l][:3]))
    screenshot(driver, "overlay.png")
    check("BROWSER-EDIT-ONE" in driver.execute_script("return document.body.innerText"),
          "the last good page is still shown under it")
    write(POST_FILE, GOOD_POST + "\nBROWSER-FIXED after the error.\n")
    until(driver, "return !document.getElementById('folio-error-overlay') && "
          "document.body.innerText.includes('BROWSER-FIXED')", "the overlay to clear")
    check(True, "the next good build cleared the overlay and showed the fix")

    # 4. the server restarts: the open tab reconnects and reloads by itself
    connected(driver)
    before = set_marker(driver)
    port = srv.port
    check(srv.stop() == 0, "folio serve stopped with status 0")
    write(POST_FILE, "\nBROWSER-AFTER-RESTART.\n", "a")
    srv = Serve(port)
    until(driver, "return document.body.innerText.includes('BROWSER-AFTER-RESTART')", "the page after a restart")
    check(document_id(driver) != before, "the tab reconnected to the restarted server and reloaded")
    screenshot(driver, "after-restart.png")
    return srv


def main():
    srv = Serve(0)
    base = f"http://127.0.0.1:{srv.port}"
    driver = start_browser()
    record_sources(driver)
    try:
        live_js_events(driver, base)
        srv = end_to_end(driver, srv, base)
    except Exception:
        print("--- folio serve output (last 25 lines):\n" + "\n".join(srv.output().splitlines()[-25:]))
        raise
    finally:
        driver.quit()
        code = srv.stop()
        shutil.rmtree(WORK, ignore_errors=True)
    check(code == 0, "folio serve exit status 0")
    print(f"{CHECKS} passed, 0 failed")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        print("FAIL: " + str(e))
        sys.exit(1)

#!/usr/bin/env python3
"""The default theme in a real headless Chromium, checked by axe-core (accessibility) and by what
a reader sees: every page kind, light and dark, desktop (1280 px) and phone (390 px).

Usage: theme_browser.py PATH/TO/folio SOURCE_DIR SEEDS_DIR ARTIFACT_DIR

Builds the example site with the seeds (SEEDS_DIR/*.txt) as posts, serves the output over
loopback and, on home, a post, the seeds' posts, a page, a tag list, the tags index, the
archive, the search results (typed into the search box) and the 404 page, in each colour
scheme (CDP Emulation.setEmulatedMedia) and width:
  runs axe-core and fails on any critical or serious violation (each printed with its nodes);
  saves a full-page screenshot, ARTIFACT_DIR/<page>-<scheme>-<width>.png.
Then checks the theme's content: Tags and Archive in the navigation, the archive listing post
titles, related posts under a post, search results with the date inside the link and an excerpt,
wide tables scrolling inside a focusable region with a cue, code blocks reachable by keyboard.

axe-core comes from npm through the committed tests/a11y/package-lock.json: SOURCE_DIR/tests/a11y/
node_modules after `npm ci` there, else `npm ci` into ARTIFACT_DIR/../a11y. Exits 77 when
chromium, chromium-driver, selenium or axe-core (npm offline) is missing, with the reason."""
import contextlib
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

CHROMIUM = os.environ.get("FOLIO_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("FOLIO_CHROMEDRIVER", "/usr/bin/chromedriver")
WIDTHS = {"desktop": (1280, 900), "mobile": (390, 844)}
SCHEMES = ("light", "dark")


def skip(why):
    print("SKIP: " + why, flush=True)
    sys.exit(77)


if len(sys.argv) != 5:
    print(__doc__)
    sys.exit(2)
FOLIO, SOURCE, SEEDS, ARTIFACTS = (os.path.abspath(a) for a in sys.argv[1:])
for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
    if not os.access(path, os.X_OK):
        skip(f"no {path} (apt-get install {package}; tools/deps.sh --test does)")
try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
except ImportError:
    skip(f"{sys.executable} has no selenium module (apt-get install python3-selenium)")
if not os.path.isdir(SEEDS):
    skip(f"{SEEDS} is absent (the seeds live in ../shared)")

PASSED = 0
FAILED = 0


def check(cond, what):
    global PASSED, FAILED
    if cond:
        PASSED += 1
        print("ok - " + what, flush=True)
    else:
        FAILED += 1
        print("FAIL: " + what, flush=True)


def axe_source():
    """axe.min.js from the committed lock file: the source tree's npm ci, else one of our own."""
    lock_dir = os.path.join(SOURCE, "tests", "a11y")
    for root in (lock_dir, os.path.join(os.path.dirname(ARTIFACTS), "a11y")):
        path = os.path.join(root, "node_modules", "axe-core", "axe.min.js")
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                return f.read()
    npm = shutil.which("npm")
    if not npm:
        skip("no npm to install axe-core (tools/deps.sh --test installs Debian's npm)")
    own = os.path.join(os.path.dirname(ARTIFACTS), "a11y")
    os.makedirs(own, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(os.path.join(lock_dir, name), os.path.join(own, name))
    r = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=own, capture_output=True, text=True,
                       timeout=300)
    path = os.path.join(own, "node_modules", "axe-core", "axe.min.js")
    if r.returncode != 0 or not os.path.isfile(path):
        skip("npm ci could not install axe-core (is the npm registry reachable?): " + r.stderr[-500:])
    with open(path, encoding="utf-8") as f:
        return f.read()


# ---- the site ---------------------------------------------------------------------------------

def build_site(work):
    site = os.path.join(work, "site")
    example = os.path.join(SOURCE, "example")
    shutil.copytree(example, site, ignore=lambda d, names: [n for n in names if d == example and
                                                            n in ("public", ".public.folio-build")])
    for name in sorted(os.listdir(SEEDS)):
        if name.endswith(".txt"):
            shutil.copyfile(os.path.join(SEEDS, name), os.path.join(site, "content", "posts", name[:-4] + ".md"))
    r = subprocess.run([FOLIO, "build", "-s", site], capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError("the example site with the seeds does not build:\n" + r.stdout + r.stderr)
    return os.path.join(site, "public")


def find_output(public, needle):
    """The site path of the first index.html under public/ whose text holds `needle`."""
    for root, _, files in sorted(os.walk(public)):
        if "index.html" in files:
            with open(os.path.join(root, "index.html"), encoding="utf-8") as f:
                if needle in f.read():
                    return "/" + os.path.relpath(root, public).replace(os.sep, "/").strip(".") .strip("/") + "/"
    raise AssertionError("no page holds " + needle)


def serve(public):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass
    handler = functools.partial(Quiet, directory=public)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# ---- the browser ------------------------------------------------------------------------------

def start_browser(work):
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1280,900",
              "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
              f"--user-data-dir={work}/chrome"):
        opts.add_argument(a)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_script_timeout(60)
    return driver


def emulate(driver, scheme, width):
    w, h = WIDTHS[width]
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": w, "height": h, "deviceScaleFactor": 1, "mobile": width == "mobile"})
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                           {"features": [{"name": "prefers-color-scheme", "value": scheme}]})


def screenshot(driver, name):
    import base64
    os.makedirs(ARTIFACTS, exist_ok=True)
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 6000), "scale": 1}})
    path = os.path.join(ARTIFACTS, name + ".png")
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    print("screenshot " + path, flush=True)


AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ["violations"] }).then(r => done(r.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help,
  nodes: v.nodes.map(n => n.target.join(" ") + ": " + (n.failureSummary || "").replace(/\\s+/g, " "))
})))).catch(e => done([{ id: "axe-error", impact: "critical", help: String(e), nodes: [] }]));
"""


def open_search(driver, query="meetup", timeout=20):
    """Types `query` into the search box and waits (up to `timeout` seconds: the index is fetched
    on first use, slowly on a loaded machine with a sanitizer build) for the result list (the
    "search results" page)."""
    driver.execute_script("const i = document.getElementById('search-input'); i.focus();"
                          "i.value = arguments[0]; i.dispatchEvent(new Event('input'));", query)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if driver.execute_script("const l = document.getElementById('search-results');"
                                 "return l && !l.hidden && l.children.length > 0"):
            return True
        driver.execute_script("return new Promise(r => setTimeout(r, 50))")
    return False


def audit(driver, axe, base, name, path, scheme, width, search=None):
    """axe-core and a screenshot of one page in one scheme and width. `search(driver)` opens the
    search box first and says whether it shows results (the page named "search" types an English
    word by default)."""
    emulate(driver, scheme, width)
    driver.get(base + path)
    driver.execute_script("return document.fonts.ready")
    if search is None and name == "search":
        search = open_search
    if search:
        check(search(driver), f"{name} {scheme} {width}: the search box shows results")
    driver.execute_script(axe)
    violations = driver.execute_async_script(AXE_RUN)
    bad = [v for v in violations if v["impact"] in ("critical", "serious")]
    label = f"{name} ({path}) {scheme} {width}"
    for v in bad:
        print(f"  {v['impact']}: {v['id']}: {v['help']}", flush=True)
        for n in v["nodes"][:6]:
            print("    " + n[:400], flush=True)
    check(not bad, f"axe: no critical or serious violation on {label}")
    screenshot(driver, f"{name}-{scheme}-{width}")


@contextlib.contextmanager
def browser_session(prefix, build):
    """A temporary folder where `build(work)` makes the site's output folder, a server of that
    folder and a browser: yields (public, base URL, driver), and stops and removes all of them
    whatever happens."""
    work = tempfile.mkdtemp(prefix=prefix)
    server = driver = None
    try:
        public = build(work)
        server = serve(public)
        driver = start_browser(work)
        yield public, "http://127.0.0.1:%d" % server.server_address[1], driver
    finally:
        if driver:
            driver.quit()
        if server:
            server.shutdown()
        shutil.rmtree(work, ignore_errors=True)


def report():
    """The summary line; exits 1 when a check failed."""
    print(f"{PASSED} passed, {FAILED} failed")
    sys.exit(1 if FAILED else 0)


# ---- what a reader sees -----------------------------------------------------------------------

def content_checks(driver, base, pages):
    emulate(driver, "light", "desktop")
    driver.get(base + "/")
    nav = driver.execute_script("return [...document.querySelectorAll('.site-nav a')].map(a => a.getAttribute('href'))")
    check("/tags/" in nav and "/archives/" in nav, "Tags and Archive are in the navigation: %r" % nav)

    driver.get(base + "/archives/")
    titles = driver.execute_script("return [...document.querySelectorAll('.archive-posts a')].map(a => a.textContent)")
    check(any("Why You Should Go to Meetups" in t for t in titles) and len(titles) >= 8,
          "the archive lists post titles (%d)" % len(titles))

    driver.get(base + pages["post"])
    related = driver.execute_script("const r = document.querySelector('article ~ .related, .related');"
                                    "return r ? r.querySelectorAll('a').length : 0")
    check(related > 0, "related posts are shown under a post (%d)" % related)
    pres = driver.execute_script("return [...document.querySelectorAll('.post-body pre')].map(p => "
                                 "[p.tabIndex, p.getAttribute('aria-label') || ''])")
    check(pres and all(t == 0 and lab for t, lab in pres), "code blocks are focusable and labelled: %r" % pres)
    emulate(driver, "light", "mobile")
    driver.get(base + pages["post"])
    table = driver.execute_script("""
      const w = document.querySelector('.post-body .table-wrap');
      if (!w) return null;
      return { scrolls: w.scrollWidth > w.clientWidth, tab: w.tabIndex, role: w.getAttribute('role'),
               label: w.getAttribute('aria-label'), cue: getComputedStyle(w).backgroundImage,
               page: document.documentElement.scrollWidth <= window.innerWidth + 1 }""")
    check(table and table["scrolls"] and table["page"], "a wide table scrolls inside its box on a phone, not the page: %r" % table)
    check(table and table["tab"] == 0 and table["role"] == "region" and table["label"],
          "the table's scroll box is a labelled, focusable region")
    check(table and "gradient" in (table["cue"] or ""), "the table's scroll box has a shadow cue")

    emulate(driver, "light", "desktop")
    driver.get(base + "/")
    check(open_search(driver), "search shows results")
    hit = driver.execute_script("""
      const a = document.querySelector('#search-results [role=option]');
      return a && { tag: a.tagName, date: !!a.querySelector('.date time, time.date, .date'),
                    excerpt: (a.querySelector('.excerpt') || {}).textContent || '' }""")
    check(hit and hit["tag"] == "A" and hit["date"], "a search result is a link with the date inside: %r" % hit)
    check(hit and len(hit["excerpt"]) > 20, "a search result shows an excerpt")


def main():
    axe = axe_source()
    with browser_session("folio-theme-browser-", build_site) as (public, base, driver):
        pages = {
            "home": "/",
            "post": find_output(public, "<title>Workshop Notes: Python and Lua"),
            "seed-janet": find_output(public, "<title>Janet"),
            "seed-hydpy": find_output(public, "<title>Python Meetup Experience"),
            "seed-meetups": "/2014/01/08/why-you-should-go-to-meetups/",
            "page": "/about/",
            "list": "/tags/python/",
            "terms": "/tags/",
            "archive": "/archives/",
            "search": "/",
            "404": "/404.html",
        }
        only = os.environ.get("FOLIO_THEME_PAGES")  # e.g. "post,search": a few pages while working
        for name, path in pages.items():
            if only and name not in only.split(","):
                continue
            for scheme in SCHEMES:
                for width in WIDTHS:
                    audit(driver, axe, base, name, path, scheme, width)
        content_checks(driver, base, pages)
    report()


if __name__ == "__main__":
    main()

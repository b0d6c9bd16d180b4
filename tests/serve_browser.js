// End-to-end test of `folio serve`'s live reload in headless Chromium.
// Usage: node serve_browser.js PATH/TO/folio PATH/TO/example ARTIFACT_DIR
//
// Uses Debian's /usr/bin/chromium driven by playwright-core from tests/browser/node_modules
// (tests/browser/setup.sh installs both; nothing is downloaded here). Exits 77 (skipped) when
// either is missing. Starts `folio serve --port 0` on a temporary copy of the example site, opens
// a post, edits it on disk and waits for the new text with no navigation by the test; checks the
// scroll position survives, a CSS-only change swaps the stylesheet without a reload, a broken
// front matter shows the error overlay (file:line; screenshot saved as ARTIFACT_DIR/overlay.png)
// and fixing it clears the overlay; two tabs both reload; a restarted server is reconnected to.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { spawn } = require("child_process");

const [FOLIO, EXAMPLE, ARTIFACTS] = process.argv.slice(2);
const CHROMIUM = process.env.FOLIO_CHROMIUM || "/usr/bin/chromium";
const MODULES = path.join(__dirname, "browser", "node_modules");
const STEP_MS = 15000;

function skip(why) {
  console.log("SKIP: " + why);
  process.exit(77);
}
if (!FOLIO || !EXAMPLE || !ARTIFACTS) {
  console.error("usage: node serve_browser.js FOLIO EXAMPLE_DIR ARTIFACT_DIR");
  process.exit(2);
}
if (!fs.existsSync(CHROMIUM)) skip(`no Chromium at ${CHROMIUM} (run tests/browser/setup.sh)`);
let chromium;
try {
  ({ chromium } = require(path.join(MODULES, "playwright-core")));
} catch (e) {
  skip("playwright-core is not installed in tests/browser (run tests/browser/setup.sh)");
}

// Nothing here may hang: the whole test has a deadline.
const deadline = setTimeout(() => {
  console.error("FAIL: the browser test did not finish within 150 s");
  process.exit(1);
}, 150000);

function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
  console.log("ok - " + what);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- a site of our own --------------------------------------------------------------------

const work = fs.mkdtempSync(path.join(os.tmpdir(), "folio-browser-"));
const site = path.join(work, "site");
fs.cpSync(EXAMPLE, site, { recursive: true });
fs.writeFileSync(path.join(site, "site.lua"), `return {
  title = "Browser Test", base_url = "http://localhost:1313/", theme = "default",
  timezone = "UTC", plugins = { "emoji", "lenient_headings" },
  permalink = "/:year/:month/:day/:slug/",
}
`);
const postFile = path.join(site, "content/posts/2021-06-01-long.md");
const paragraphs = Array.from({ length: 80 }, (_, i) => `Paragraph ${i} of a long post, long enough to scroll.`);
const goodPost = `---\ntitle: "A Long Post"\ndate: 2021-06-01\n---\n\n${paragraphs.join("\n\n")}\n`;
fs.writeFileSync(postFile, goodPost);
const POST = "/2021/06/01/long/";
// The site's own stylesheet (same bytes as the theme's), so the test can change it.
const themeCss = path.join(path.dirname(EXAMPLE), "themes/default/static/css/style.css");
const cssFile = path.join(site, "static/css/style.css");
fs.mkdirSync(path.dirname(cssFile), { recursive: true });
fs.copyFileSync(themeCss, cssFile);

// ---- folio serve ----------------------------------------------------------------------------

function startServe(port) {
  const tmp = fs.mkdtempSync(path.join(work, "tmp-"));
  const child = spawn(FOLIO, ["serve", "-s", site, "--port", String(port)], {
    env: { ...process.env, TMPDIR: tmp, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => { out += d; });
  child.stderr.on("data", (d) => { out += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("folio serve did not start:\n" + out)), STEP_MS);
    const poll = setInterval(() => {
      const m = /Serving .* at http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), output: () => out });
      }
    }, 20);
    child.on("exit", (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`folio serve exited (${code}):\n${out}`));
    });
  });
}

function stopServe(srv) {
  return new Promise((resolve) => {
    if (srv.child.exitCode !== null) return resolve(srv.child.exitCode);
    const t = setTimeout(() => srv.child.kill("SIGKILL"), STEP_MS);
    srv.child.removeAllListeners("exit");
    srv.child.on("exit", (code) => { clearTimeout(t); resolve(code); });
    srv.child.kill("SIGINT");
  });
}

// Polls fn() in the page until it returns a truthy value; survives reloads in between.
async function until(page, fn, what, arg) {
  const end = Date.now() + STEP_MS;
  for (;;) {
    try {
      const v = await page.evaluate(fn, arg);
      if (v) return v;
    } catch (e) { /* the page is reloading: try again */ }
    if (Date.now() > end) throw new Error("timed out waiting for " + what);
    await sleep(50);
  }
}

// Resolves once the page's live-reload connection is open (the server answered /_folio/events).
async function connected(page) {
  await page.waitForLoadState("load");
  await until(page, () => performance.getEntriesByType("resource").some((r) => r.name.includes("/_folio/events")) ||
    document.readyState === "complete", "the page to load");
  await sleep(400); // EventSource open and `hello` received
}

async function main() {
  let srv = await startServe(0);
  const base = `http://127.0.0.1:${srv.port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true, timeout: STEP_MS,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const page = await context.newPage();
    const tab2 = await context.newPage();
    let navigations = 0;
    page.on("framenavigated", (f) => { if (f === page.mainFrame()) navigations++; });
    await page.goto(base + POST);
    await tab2.goto(base + POST);
    await connected(page);
    await connected(tab2);
    check(await page.evaluate(() => document.body.innerText.includes("Paragraph 79")), "the post is served");

    // 1. an edit on disk appears without the test navigating; scroll position survives
    await page.evaluate(() => { window.scrollTo({ top: 1200, behavior: "instant" }); window.__folioMarker = "before-edit"; });
    check(await page.evaluate(() => Math.round(window.scrollY)) === 1200, "scrolled down to 1200 px");
    await tab2.evaluate(() => { window.__folioMarker = "tab2"; });
    const navBefore = navigations;
    fs.appendFileSync(postFile, "\nBROWSER-EDIT-ONE appears by itself.\n");
    await until(page, () => document.body.innerText.includes("BROWSER-EDIT-ONE"), "the edited text");
    check(true, "the edited text appeared with no navigation by the test");
    check(await page.evaluate(() => window.__folioMarker === undefined), "the page reloaded itself (marker gone)");
    check(navigations > navBefore, "the browser navigated (live reload), not the test");
    await until(page, () => Math.abs(window.scrollY - 1200) < 60, "the scroll position to come back")
      .catch(async (e) => { throw new Error(e.message + ": scrollY is " + await page.evaluate(() => [window.scrollY, document.documentElement.scrollHeight, sessionStorage.length])); });
    check(true, "scroll position survived the reload");
    await until(tab2, () => document.body.innerText.includes("BROWSER-EDIT-ONE"), "the second tab");
    check(await tab2.evaluate(() => window.__folioMarker === undefined), "a second tab got its event and reloaded too");

    // 2. a CSS-only change swaps the stylesheet without reloading the page
    await connected(page);
    await page.evaluate(() => { window.__folioMarker = "before-css"; });
    const beforeColor = await page.evaluate(() => getComputedStyle(document.body).outlineColor);
    fs.appendFileSync(cssFile, "\nbody { outline: 7px solid rgb(1, 2, 3); }\n");
    await until(page, () => getComputedStyle(document.body).outlineWidth === "7px", "the new stylesheet");
    check(await page.evaluate(() => window.__folioMarker === "before-css"), "CSS swapped without a reload (marker kept)");
    check(beforeColor !== "rgb(1, 2, 3)", "the style really changed");

    // 3. a broken front matter shows the overlay with file:line; fixing it clears it
    await page.evaluate(() => window.scrollTo({ top: 0, behavior: "instant" }));
    fs.writeFileSync(postFile, goodPost.replace("date: 2021-06-01", "date: 2021-06-01\ntags: [unclosed"));
    const overlay = await until(page, () => {
      const o = document.getElementById("folio-error-overlay");
      return o && o.innerText;
    }, "the error overlay");
    check(/content\/posts\/2021-06-01-long\.md:\d+/.test(overlay), "the overlay names file:line: " +
          overlay.split("\n").filter(Boolean).slice(0, 3).join(" | "));
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const shot = path.join(path.resolve(ARTIFACTS), "overlay.png");
    await page.screenshot({ path: shot });
    console.log("overlay screenshot: " + shot);
    check(await page.evaluate(() => document.body.innerText.includes("BROWSER-EDIT-ONE")), "the last good page is still shown under it");
    fs.writeFileSync(postFile, goodPost + "\nBROWSER-FIXED after the error.\n");
    await until(page, () => !document.getElementById("folio-error-overlay") &&
      document.body.innerText.includes("BROWSER-FIXED"), "the overlay to clear");
    check(true, "the next good build cleared the overlay and showed the fix");

    // 4. the server restarts: the open tab reconnects and reloads by itself
    await connected(page);
    await page.evaluate(() => { window.__folioMarker = "before-restart"; });
    const port = srv.port;
    check((await stopServe(srv)) === 0, "folio serve stopped with status 0");
    fs.appendFileSync(postFile, "\nBROWSER-AFTER-RESTART.\n");
    srv = await startServe(port);
    await until(page, () => window.__folioMarker === undefined &&
      document.body.innerText.includes("BROWSER-AFTER-RESTART"), "the page after a server restart");
    check(true, "the tab reconnected to the restarted server and reloaded");
  } finally {
    await browser.close();
    const code = await stopServe(srv);
    fs.rmSync(work, { recursive: true, force: true });
    if (code !== 0) throw new Error("folio serve exit status " + code);
  }
}

main().then(() => {
  clearTimeout(deadline);
  console.log("browser test passed");
  process.exit(0);
}, (e) => {
  console.error("FAIL: " + (e && e.stack || e));
  process.exit(1);
});

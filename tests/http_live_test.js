// Behaviour of the live-reload script (src/http/livereload.c) against a small fake DOM.
// Usage: node http_live_test.js LIVE_JS_FILE   (run by tests/http_test.py when node exists)
"use strict";
const fs = require("fs");
const vm = require("vm");
const assert = require("assert");

function makeEnv(pathname) {
  const env = { reloads: 0, sources: [], appended: [], store: new Map() };
  class El {
    constructor(tag) { this.tag = tag; this.attrs = {}; this.children = []; this.style = {};
      this.listeners = {}; this.parentNode = null; this.textContent = ""; this.id = ""; }
    setAttribute(k, v) { this.attrs[k] = String(v); }
    getAttribute(k) { return k in this.attrs ? this.attrs[k] : null; }
    appendChild(c) { c.parentNode = this; this.children.push(c); return c; }
    removeChild(c) { this.children = this.children.filter((x) => x !== c); c.parentNode = null; }
    insertBefore(n, ref) { n.parentNode = this; const i = this.children.indexOf(ref);
      this.children.splice(i < 0 ? this.children.length : i, 0, n); }
    addEventListener(t, f) { (this.listeners[t] = this.listeners[t] || []).push(f); }
    fire(t) { (this.listeners[t] || []).forEach((f) => f({})); }
    cloneNode() { const c = new El(this.tag); c.attrs = { ...this.attrs }; c.href = this.href; return c; }
    get nextSibling() { const s = this.parentNode.children; return s[s.indexOf(this) + 1] || null; }
  }
  const head = new El("head"), body = new El("body");
  const all = () => [...head.children, ...body.children];
  const find = (el, id) => el.id === id ? el : el.children.map((c) => find(c, id)).find(Boolean);
  const document = {
    readyState: "complete", body, documentElement: body,
    createElement: (t) => new El(t),
    getElementById: (id) => find(body, id) || null,
    querySelectorAll: () => all().filter((e) => e.tag === "link" && e.getAttribute("rel") && e.href),
  };
  for (const [rel, href] of [["stylesheet", "/style.css"], ["icon", "/favicon.ico"],
                             ["Stylesheet alternate", "/alt.css?v=1"],
                             ["stylesheet", "https://cdn.example/x.css"]]) {
    const l = new El("link"); l.setAttribute("rel", rel);
    l.href = new URL(href, "http://127.0.0.1:1313/").href; head.appendChild(l);
  }
  class FakeES {
    constructor(url) { this.url = url; this.on = {}; env.sources.push(this); }
    addEventListener(t, f) { this.on[t] = f; }
    emit(t, data) { this.on[t]({ data: JSON.stringify(data) }); }
  }
  const location = { pathname, href: "http://127.0.0.1:1313" + pathname,
                     origin: "http://127.0.0.1:1313", reload: () => env.reloads++ };
  const sessionStorage = { getItem: (k) => env.store.has(k) ? env.store.get(k) : null,
                           setItem: (k, v) => env.store.set(k, String(v)),
                           removeItem: (k) => env.store.delete(k) };
  const window = { EventSource: FakeES, scrollX: 0, scrollY: 420, scrolled: null,
                   scrollTo: (x, y) => { window.scrolled = [x, y]; },
                   addEventListener: () => {} };
  env.ctx = vm.createContext({ window, document, location, sessionStorage, EventSource: FakeES,
                               URL, JSON, Date, Array, Number, String, Math });
  env.head = head; env.body = body; env.window = window; env.document = document;
  return env;
}

const script = fs.readFileSync(process.argv[2], "utf8");
let passed = 0;
function test(name, fn) { fn(); passed++; console.log("ok - " + name); }

test("connects to /_folio/events once", () => {
  const env = makeEnv("/a/");
  vm.runInContext(script, env.ctx);
  vm.runInContext(script, env.ctx); // a second copy of the tag does nothing
  assert.strictEqual(env.sources.length, 1);
  assert.strictEqual(env.sources[0].url, "/_folio/events");
});

test("reloads only pages in paths, keeping the scroll position", () => {
  const env = makeEnv("/a/");
  vm.runInContext(script, env.ctx);
  const es = env.sources[0];
  es.emit("reload", { paths: ["/b/"], css_only: false });
  assert.strictEqual(env.reloads, 0);
  es.emit("reload", { paths: ["/b/", "/a/index.html"], css_only: false });
  assert.strictEqual(env.reloads, 1);
  assert.strictEqual(env.store.get("folio:scroll:/a/"), "0,420");
  es.emit("reload", { paths: ["*"] });
  assert.strictEqual(env.reloads, 2);
  // The reloaded page restores the position and forgets it.
  const next = makeEnv("/a/");
  next.store = env.store;
  vm.runInContext(script, next.ctx);
  assert.deepStrictEqual(next.window.scrolled, [0, 420]);
  assert.strictEqual(next.store.has("folio:scroll:/a/"), false);
});

test("css_only swaps same-origin stylesheets without reloading", () => {
  const env = makeEnv("/a/");
  vm.runInContext(script, env.ctx);
  env.sources[0].emit("reload", { paths: ["/a/"], css_only: true });
  assert.strictEqual(env.reloads, 0);
  const links = env.head.children;
  const busted = links.filter((l) => /[?&]folio=\d+/.test(l.href));
  assert.strictEqual(busted.length, 2, links.map((l) => l.href).join(" "));
  assert.ok(busted.some((l) => l.href.includes("/alt.css?v=1&folio=")));
  assert.ok(!links.some((l) => l.href.includes("cdn.example") && l.href.includes("folio=")));
  busted.forEach((l) => l.fire("load")); // old sheets go once the new ones loaded
  assert.strictEqual(env.head.children.filter((l) => l.href.endsWith("/style.css")).length, 0);
  assert.strictEqual(env.head.children.length, 4);
});

test("build-error shows an escaped overlay; build-ok removes it", () => {
  const env = makeEnv("/a/");
  vm.runInContext(script, env.ctx);
  const es = env.sources[0];
  es.emit("build-error", { errors: [{ file: "content/a.md", line: 3,
                                      message: "<img src=x onerror=alert(1)>", hint: "close it" }] });
  const o = env.document.getElementById("folio-error-overlay");
  assert.ok(o, "overlay shown");
  assert.match(o.style.cssText, /position:fixed/);
  assert.match(o.style.cssText, /z-index:2147483647/);
  const texts = [];
  (function walk(e) { texts.push(e.textContent); e.children.forEach(walk); })(o);
  assert.ok(texts.includes("content/a.md:3"));
  assert.ok(texts.includes("<img src=x onerror=alert(1)>")); // as text, not markup
  assert.ok(texts.includes("hint: close it"));
  const close = o.children.find((c) => c.tag === "button");
  es.emit("build-error", { errors: [{ message: "again" }] }); // replaced, not stacked
  assert.strictEqual(env.body.children.length, 1);
  es.emit("build-ok", {});
  assert.strictEqual(env.document.getElementById("folio-error-overlay"), null);
  es.emit("build-error", { errors: [] });
  env.document.getElementById("folio-error-overlay").children[0].fire("click");
  assert.strictEqual(env.document.getElementById("folio-error-overlay"), null);
  assert.ok(close);
});

test("a new server id after reconnecting reloads once", () => {
  const env = makeEnv("/a/");
  vm.runInContext(script, env.ctx);
  const es = env.sources[0];
  es.emit("hello", { id: "one" });
  es.emit("hello", { id: "one" }); // same server, reconnected: no reload
  assert.strictEqual(env.reloads, 0);
  es.emit("hello", { id: "two" });
  assert.strictEqual(env.reloads, 1);
});

console.log(passed + " passed, 0 failed");

// search_js_test.js: the default theme's search box (themes/default/static/search.js) run in
// node with a small stand-in DOM: queries match whatever the punctuation's form (straight or
// smart, as markdown.smart writes it), case and accents; the messages it announces ("No results",
// "3 results", "Search is not available.") come from the data attributes partials/search.html
// writes from the theme's i18n files, in the plural form of the page's language, and are
// English when the attributes are missing.
//   node search_js_test.js path/to/search.js
"use strict";
const fs = require("fs");
const vm = require("vm");

function element(tag) {
  const el = {
    tagName: tag, children: [], attrs: {}, handlers: {}, hidden: true, value: "", textContent: "",
    setAttribute(k, v) { this.attrs[k] = v; },
    getAttribute(k) { return this.attrs[k] === undefined ? null : this.attrs[k]; },
    removeAttribute(k) { delete this.attrs[k]; },
    appendChild(c) { this.children.push(c); return c; },
    addEventListener(type, fn) { this.handlers[type] = fn; },
    querySelectorAll() { return this.children; },
  };
  Object.defineProperty(el, "textContent", {
    get() { return this._text || ""; },
    set(v) { this._text = v; if (v === "") this.children = []; },
  });
  return el;
}

let failed = 0, passed = 0;
function same(what, got, want) {
  if (got === want) passed++;
  else { failed++; console.error(`FAIL: ${what}: got "${got}", want "${want}"`); }
}

// A page with the search box: `attrs` on the input, `lang` on <html>, `index` what the fetch
// gives (an Error: the fetch fails). Returns { input, list, status } once the script has run.
function page(attrs, lang, index) {
  const input = element("input");
  Object.assign(input.attrs, { "data-index": "/search.json", "data-base": "/" }, attrs);
  const list = element("ul");
  const status = element("p");
  const byId = { "search-input": input, "search-results": list, "search-status": status };
  const sandbox = {
    document: { getElementById: (id) => byId[id] || null, createElement: element, addEventListener() {},
                documentElement: { lang } },
    fetch: () => index instanceof Error ? Promise.reject(index) : Promise.resolve({ json: () => Promise.resolve(index) }),
    window: { location: {} },
    Intl,
  };
  vm.runInNewContext(fs.readFileSync(process.argv[2], "utf8"), sandbox);
  input.handlers.focus();
  return { input, list, status };
}

function titles(p) { return p.list.children.map((li) => li.children[0].textContent).join("|"); }
function typed(p, query) { p.input.value = query; p.input.handlers.input(); }
function expect(p, query, want) { typed(p, query); same(`"${query}"`, titles(p), want); }

const index = [
  { title: "Don’t panic", url: "/a/", excerpt: "She said “it’s fine” – twice… and left." },
  { title: "Café notes", url: "/b/", excerpt: "Plain \"quotes\" here -- and here..." },
];
// n entries whose title holds "post"
function posts(n) { return Array.from({ length: n }, (_, i) => ({ title: `post ${i}`, url: `/p${i}/` })); }

const ARABIC = {
  "data-no-results": "لا نتائج", "data-unavailable": "البحث غير متاح.",
  "data-count-zero": "لا نتائج", "data-count-one": "نتيجة واحدة", "data-count-two": "نتيجتان",
  "data-count-few": "%d نتائج", "data-count-many": "%d نتيجة", "data-count-other": "%d نتيجة",
};
const english = page({}, "en", index);
const arabic = page(ARABIC, "ar", posts(11));
const german = page({ "data-no-results": "Keine Treffer", "data-count-one": "%d Treffer", "data-count-other": "%d Treffer" }, "de", index);
const broken = page({ "data-unavailable": "検索は利用できません。" }, "ja", new Error("offline"));

setTimeout(() => {
  expect(english, "don't", "Don’t panic");
  expect(english, "DON’T", "Don’t panic");
  expect(english, '"it\'s fine"', "Don’t panic");
  expect(english, "fine - twice...", "Don’t panic");
  expect(english, "“quotes”", "Café notes");
  expect(english, "cafe", "Café notes");
  expect(english, "zzz", "");
  // no data attributes (an older template): the English messages
  same("English, no hit", english.status.textContent, "No results");
  typed(english, "e");
  same("English, two hits", english.status.textContent, "2 results");
  typed(english, "panic");
  same("English, one hit", english.status.textContent, "1 result");
  // the page's language picks the plural form; %d is the number
  typed(german, "zzz");
  same("German, no hit", german.status.textContent, "Keine Treffer");
  typed(german, "panic");
  same("German, one hit", german.status.textContent, "1 Treffer");
  typed(arabic, "post 1");   // "post 1" and "post 10"
  same("Arabic, two hits (dual)", arabic.status.textContent, "نتيجتان");
  typed(arabic, "post");     // 10 shown, 11 found
  same("Arabic, 11 hits (many)", arabic.status.textContent, "11 نتيجة");
  typed(arabic, "post 5");
  same("Arabic, one hit", arabic.status.textContent, "نتيجة واحدة");
  typed(arabic, "zzz");
  same("Arabic, no hit", arabic.status.textContent, "لا نتائج");
  same("index unavailable", broken.status.textContent, "検索は利用できません。");
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}, 50);

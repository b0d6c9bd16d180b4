// search_js_test.js: the default theme's search box (themes/default/static/search.js) run in
// node with a small stand-in DOM: queries match whatever the punctuation's form (straight or
// smart, as markdown.smart writes it), case and accents.
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

const input = element("input");
input.attrs["data-index"] = "/search.json";
input.attrs["data-base"] = "/";
const list = element("ul");
const status = element("p");
const byId = { "search-input": input, "search-results": list, "search-status": status };
const index = [
  { title: "Don’t panic", url: "/a/", excerpt: "She said “it’s fine” – twice… and left." },
  { title: "Café notes", url: "/b/", excerpt: "Plain \"quotes\" here -- and here..." },
];
const sandbox = {
  document: { getElementById: (id) => byId[id] || null, createElement: element, addEventListener() {} },
  fetch: () => Promise.resolve({ json: () => Promise.resolve(index) }),
  window: { location: {} },
};
vm.runInNewContext(fs.readFileSync(process.argv[2], "utf8"), sandbox);

let failed = 0, passed = 0;
function titles() { return list.children.map((li) => li.children[0].textContent).join("|"); }
function expect(query, want) {
  input.value = query;
  input.handlers.input();
  if (titles() === want) passed++;
  else { failed++; console.error(`FAIL: "${query}" gave "${titles()}", want "${want}"`); }
}

input.handlers.focus();
setTimeout(() => {
  expect("don't", "Don’t panic");
  expect("DON’T", "Don’t panic");
  expect('"it\'s fine"', "Don’t panic");
  expect("fine - twice...", "Don’t panic");
  expect("“quotes”", "Café notes");
  expect("cafe", "Café notes");
  expect("zzz", "");
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}, 50);

// search.js: the search box of partials/search.html. Loads the index (search plugin,
// /search.json) on first focus, ranks title matches above tag and text matches, and lets the
// keyboard move through the results (Up/Down, Enter opens, Escape closes). No dependencies.
// The input is an ARIA combobox; each result is a link with role "option" (its <li> has role
// "none"), holding the title, the date (in the page's language) and the start of the excerpt.
// Its messages come from the theme's i18n files: partials/search.html writes them on the input
// (data-no-results, data-unavailable, data-count-<CLDR plural form> with %d for the number).
(function () {
  "use strict";
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!input || !list) return;
  var base = (input.getAttribute("data-base") || "/").replace(/\/$/, "");
  var index = null, loading = null, active = -1;

  function load() {
    if (!loading) {
      loading = fetch(input.getAttribute("data-index"))
        .then(function (r) { return r.json(); })
        .then(function (data) { index = data; run(); })
        .catch(function () { if (status) status.textContent = message("unavailable", "Search is not available."); });
    }
    return loading;
  }

  // Case, accents and smart punctuation (markdown.smart) folded: "it's" finds "It’s".
  function fold(s) {
    return (s || "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[\u2018\u2019\u201a\u201b]/g, "'").replace(/[\u201c\u201d\u201e\u201f]/g, '"')
      .replace(/[\u2013\u2014]/g, "-").replace(/\u2026/g, "...");
  }

  // Every word of the query must occur; a word in the title counts most.
  function score(entry, words) {
    var title = fold(entry.title), tags = fold((entry.tags || []).join(" ")), text = fold(entry.excerpt);
    var total = 0;
    for (var i = 0; i < words.length; i++) {
      var w = words[i];
      if (title.indexOf(w) >= 0) total += title.indexOf(w) === 0 ? 12 : 10;
      else if (tags.indexOf(w) >= 0) total += 5;
      else if (text.indexOf(w) >= 0) total += 1;
      else return 0;
    }
    return total;
  }

  var lang = document.documentElement && document.documentElement.lang || undefined;

  // A message written by the template, else the English one.
  function message(name, english) {
    var text = input.getAttribute("data-" + name);
    return text === null ? english : text;
  }

  // "%d results" in the page's language: the plural form the language uses for n.
  function counted(n) {
    var form = "other";
    try { form = new Intl.PluralRules(lang).select(n); } catch (e) { /* no Intl: "other" */ }
    var text = input.getAttribute("data-count-" + form);
    if (text === null) text = message("count-other", n === 1 ? "%d result" : "%d results");
    return text.replace(/%d/g, String(n));
  }
  // "2014-01-08" as the reader's language writes it ("January 8, 2014"); as it is if that fails.
  function readable(day) {
    try {
      return new Date(day + "T00:00:00Z").toLocaleDateString(lang, { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
    } catch (e) { return day; }
  }

  function show(open) {
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function select(i) {
    var items = list.querySelectorAll("[role=option]");
    if (!items.length) return;
    active = (i + items.length) % items.length;
    for (var k = 0; k < items.length; k++) items[k].setAttribute("aria-selected", k === active ? "true" : "false");
    input.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }

  function run() {
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    list.textContent = "";
    active = -1;
    input.removeAttribute("aria-activedescendant");
    if (!index || !words.length) { show(false); return; }
    var hits = [];
    index.forEach(function (e, n) { var s = score(e, words); if (s) hits.push({ e: e, s: s, n: n }); });
    hits.sort(function (a, b) { return b.s - a.s || a.n - b.n; });
    hits.slice(0, 10).forEach(function (h, k) {
      var li = document.createElement("li");
      li.setAttribute("role", "none");
      var a = document.createElement("a");
      a.id = "search-result-" + k;
      a.setAttribute("role", "option");
      a.setAttribute("aria-selected", "false");
      a.href = base + h.e.url;
      a.tabIndex = -1;
      a.textContent = h.e.title;
      if (h.e.date) {
        var d = document.createElement("time");
        d.className = "date";
        d.setAttribute("datetime", h.e.date);
        d.textContent = readable(h.e.date);
        a.appendChild(d);
      }
      if (h.e.excerpt) {
        var x = document.createElement("span");
        x.className = "excerpt";
        x.textContent = h.e.excerpt.length > 160 ? h.e.excerpt.slice(0, 160).replace(/\s+\S*$/, "") + "…" : h.e.excerpt;
        a.appendChild(x);
      }
      li.appendChild(a);
      list.appendChild(li);
    });
    if (status) status.textContent = hits.length ? counted(hits.length) : message("no-results", "No results");
    show(hits.length > 0);
  }

  input.addEventListener("focus", load, { once: true });
  input.addEventListener("input", function () { if (index) run(); else load(); });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown") { ev.preventDefault(); select(active + 1); }
    else if (ev.key === "ArrowUp") { ev.preventDefault(); select(active - 1); }
    else if (ev.key === "Enter") {
      var items = list.querySelectorAll("[role=option]");
      var target = items[active >= 0 ? active : 0];
      if (target) { ev.preventDefault(); window.location.href = target.href; }
    } else if (ev.key === "Escape") { input.value = ""; run(); }
  });
  document.addEventListener("click", function (ev) { if (!input.form.contains(ev.target)) show(false); });
})();

/* livereload.c: the browser side of live reload (the script served at /_folio/live.js), where
 * its tag goes in an HTML page, and the Server-Sent Events wire format. The server side (the
 * /_folio/events stream, heartbeats, per-client queues) lives in server.c.
 *
 * The script is a C string so the binary needs nothing on disk. Events it understands:
 *   hello        {"id": "..."}  sent by the server on connect; a new id means a restart: reload
 *   reload       {"paths": ["/a/", ...] or ["*"], "css_only": bool, "assets": {...}}
 *                (assets, with css_only: plain style sheet path -> {url, integrity} of its
 *                fingerprinted file, src/lua/folio/assets.lua)
 *   build-error  {"errors": [{"file", "line", "message", "hint"}]}  full-page overlay
 *   build-ok     removes the overlay
 * Scroll position survives a reload through sessionStorage, keyed by path. Text from the build
 * goes through textContent, never innerHTML, so error messages cannot inject markup. */
#include "http/http_util.h"

#include <stdlib.h>
#include <string.h>

const char folio_http_live_js[] =
    "/* folio live reload: reloads the page when it is rebuilt, swaps stylesheets when only CSS\n"
    "   changed, and shows build errors over the page. Served by `folio serve` only. */\n"
    "(function () {\n"
    "  \"use strict\";\n"
    "  if (window.__folioLive || !window.EventSource) return;\n"
    "  window.__folioLive = true;\n"
    "  var KEY = \"folio:scroll:\" + location.pathname;\n"
    "  var OVERLAY = \"folio-error-overlay\";\n"
    "  var serverId = null;\n"
    "\n"
    "  function parse(s) {\n"
    "    try { return JSON.parse(s); } catch (e) { return null; }\n"
    "  }\n"
    "\n"
    "  function restoreScroll() {\n"
    "    var v = null;\n"
    "    try { v = sessionStorage.getItem(KEY); sessionStorage.removeItem(KEY); } catch (e) {}\n"
    "    if (!v) return;\n"
    "    var xy = v.split(\",\");\n"
    "    window.scrollTo(Number(xy[0]) || 0, Number(xy[1]) || 0);\n"
    "  }\n"
    "  if (document.readyState === \"complete\") restoreScroll();\n"
    "  else window.addEventListener(\"load\", restoreScroll);\n"
    "\n"
    "  function reload() {\n"
    "    try {\n"
    "      sessionStorage.setItem(KEY, Math.round(window.scrollX) + \",\" + Math.round(window.scrollY));\n"
    "    } catch (e) {}\n"
    "    location.reload();\n"
    "  }\n"
    "\n"
    "  function norm(p) {\n"
    "    try { p = decodeURI(p); } catch (e) {}\n"
    "    return p.replace(/\\/index\\.html?$/, \"/\");\n"
    "  }\n"
    "\n"
    "  function isThisPage(paths) {\n"
    "    if (!Array.isArray(paths)) return true;\n"
    "    var here = norm(location.pathname);\n"
    "    for (var i = 0; i < paths.length; i++) {\n"
    "      if (paths[i] === \"*\" || norm(String(paths[i])) === here) return true;\n"
    "    }\n"
    "    return false;\n"
    "  }\n"
    "\n"
    "  /* `assets` maps a style sheet's plain path to its fingerprinted one and integrity\n"
    "     ({\"/css/site.css\": {\"url\": \"/css/site.3f2a9c1e.css\", \"integrity\": ...}}): a <link> to\n"
    "     /css/site.<8 hex>.css moves to the new name; other sheets are fetched again. */\n"
    "  function refreshCss(assets) {\n"
    "    var links = document.querySelectorAll(\"link[rel][href]\");\n"
    "    for (var i = 0; i < links.length; i++) swapSheet(links[i], assets || {});\n"
    "  }\n"
    "\n"
    "  function swapSheet(old, assets) {\n"
    "    if (!/(^|\\s)stylesheet(\\s|$)/i.test(old.getAttribute(\"rel\"))) return;\n"
    "    var url = new URL(old.href, location.href);\n"
    "    if (url.origin !== location.origin) return;\n"
    "    var plain = url.pathname.replace(/\\.[0-9a-f]{8}(\\.css)$/, \"$1\");\n"
    "    var moved = Object.prototype.hasOwnProperty.call(assets, plain) ? assets[plain] : null;\n"
    "    var fresh = old.cloneNode(false);\n"
    "    if (moved && moved.url) {\n"
    "      if (moved.url === url.pathname) return; /* this sheet did not change */\n"
    "      fresh.href = new URL(moved.url, location.href).href;\n"
    "      if (moved.integrity) fresh.setAttribute(\"integrity\", moved.integrity);\n"
    "      else fresh.removeAttribute(\"integrity\");\n"
    "    } else {\n"
    "      url.searchParams.set(\"folio\", String(Date.now()));\n"
    "      fresh.href = url.href;\n"
    "    }\n"
    "    var done = function () { if (old.parentNode) old.parentNode.removeChild(old); };\n"
    "    fresh.addEventListener(\"load\", done);\n"
    "    fresh.addEventListener(\"error\", done);\n"
    "    old.parentNode.insertBefore(fresh, old.nextSibling);\n"
    "  }\n"
    "\n"
    "  function el(tag, css, text) {\n"
    "    var e = document.createElement(tag);\n"
    "    if (css) e.style.cssText = css;\n"
    "    if (text !== undefined && text !== null) e.textContent = String(text);\n"
    "    return e;\n"
    "  }\n"
    "\n"
    "  function hideErrors() {\n"
    "    var o = document.getElementById(OVERLAY);\n"
    "    if (o && o.parentNode) o.parentNode.removeChild(o);\n"
    "  }\n"
    "\n"
    "  function showErrors(errors) {\n"
    "    hideErrors();\n"
    "    var box = el(\"div\", \"position:fixed;top:0;left:0;right:0;bottom:0;z-index:2147483647;\" +\n"
    "      \"overflow:auto;box-sizing:border-box;padding:24px 32px;margin:0;\" +\n"
    "      \"background:rgba(24,24,28,.97);color:#eee;text-align:left;white-space:pre-wrap;\" +\n"
    "      \"font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;\");\n"
    "    box.id = OVERLAY;\n"
    "    box.setAttribute(\"role\", \"alertdialog\");\n"
    "    var close = el(\"button\", \"position:absolute;top:12px;right:16px;font:20px/1 sans-serif;\" +\n"
    "      \"background:none;color:#eee;border:1px solid #666;border-radius:4px;padding:4px 10px;\" +\n"
    "      \"cursor:pointer;\", \"\\u00d7\");\n"
    "    close.setAttribute(\"aria-label\", \"Close\");\n"
    "    close.addEventListener(\"click\", hideErrors);\n"
    "    box.appendChild(close);\n"
    "    box.appendChild(el(\"div\", \"font-weight:bold;color:#ff6b6b;margin-bottom:16px;\",\n"
    "      \"folio: the build failed\"));\n"
    "    var list = Array.isArray(errors) ? errors : [];\n"
    "    for (var i = 0; i < list.length; i++) {\n"
    "      var e = list[i] || {};\n"
    "      var item = el(\"div\", \"margin:0 0 16px;\");\n"
    "      if (e.file) item.appendChild(el(\"div\", \"color:#8ab4f8;\", e.file + (e.line ? \":\" + e.line : \"\")));\n"
    "      item.appendChild(el(\"div\", \"\", e.message || \"unknown error\"));\n"
    "      if (e.hint) item.appendChild(el(\"div\", \"color:#b5e08d;\", \"hint: \" + e.hint));\n"
    "      box.appendChild(item);\n"
    "    }\n"
    "    (document.body || document.documentElement).appendChild(box);\n"
    "  }\n"
    "\n"
    "  var es = new EventSource(\"/_folio/events\");\n"
    "  es.addEventListener(\"hello\", function (ev) {\n"
    "    var d = parse(ev.data);\n"
    "    if (!d) return;\n"
    "    if (serverId !== null && d.id !== serverId) { reload(); return; } /* the server restarted */\n"
    "    serverId = d.id;\n"
    "  });\n"
    "  es.addEventListener(\"reload\", function (ev) {\n"
    "    var d = parse(ev.data) || {};\n"
    "    if (d.css_only) refreshCss(d.assets);\n"
    "    else if (isThisPage(d.paths)) reload();\n"
    "  });\n"
    "  es.addEventListener(\"build-error\", function (ev) {\n"
    "    var d = parse(ev.data);\n"
    "    if (d) showErrors(d.errors);\n"
    "  });\n"
    "  es.addEventListener(\"build-ok\", hideErrors);\n"
    "})();\n";

static int S_lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

size_t folio_http_inject_offset(const char *html, size_t len) {
  static const char needle[] = "</body";
  const size_t n = sizeof needle - 1;
  if (len < n) return len;
  /* The last one: an earlier "</body" may sit inside a script or a code sample. */
  for (size_t i = len - n + 1; i-- > 0;) {
    size_t k = 0;
    while (k < n && S_lower((unsigned char)html[i + k]) == needle[k]) k++;
    if (k < n) continue;
    if (i + n == len) return i;
    char c = html[i + n];
    if (c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')
      return i;
  }
  return len;
}

size_t folio_http_sse_format(const char *event, const char *data, char **out) {
  *out = NULL;
  if (!event || !*event) return (size_t)-1;
  for (const char *p = event; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f) return (size_t)-1;
  if (!data) data = "";
  size_t elen = strlen(event), dlen = strlen(data);
  /* Worst case every byte of data is a line break: "data: \n" per byte. */
  size_t cap = 7 + elen + 1 + 7 * (dlen + 1) + dlen + 2;
  char *buf = malloc(cap);
  if (!buf) return (size_t)-1;
  size_t o = 0;
  memcpy(buf + o, "event: ", 7), o += 7;
  memcpy(buf + o, event, elen), o += elen;
  buf[o++] = '\n';
  const char *p = data, *end = data + dlen;
  for (;;) {
    const char *eol = p;
    while (eol < end && *eol != '\n' && *eol != '\r') eol++;
    memcpy(buf + o, "data: ", 6), o += 6;
    memcpy(buf + o, p, (size_t)(eol - p)), o += (size_t)(eol - p);
    buf[o++] = '\n';
    if (eol == end) break;
    p = eol + ((eol[0] == '\r' && eol + 1 < end && eol[1] == '\n') ? 2 : 1);
    if (p == end) break;
  }
  buf[o++] = '\n';
  *out = buf;
  return o;
}

#!/usr/bin/env python3
"""serve_assets_test.py FOLIO EXAMPLE: `folio serve` with fingerprinted style sheets and Sass.

Editing a .scss file served as /css/site.<hash>.css sends a css_only reload event whose
"assets" map gives the new name and integrity (what live.js swaps in without a reload); the new
file is served, the pages link it, a source map is inlined, output is not minified; a Sass error
reaches the overlay (build-error with file and line) and the next good save clears it."""
import os
import re
import sys
import tempfile
import shutil

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_test as st  # noqa: E402  (Events, Serve, make_site)

SCSS = "$c: #111;\n.post {\n  color: $c;\n  .t { margin: 0; }\n}\n"


def run():
    site = st.make_site("site")
    # minify = true is for `folio build`: the preview stays readable
    lua = st.read(os.path.join(site, "site.lua")).replace('lang = "en",', 'lang = "en", minify = true,')
    st.check("minify = true" in lua, "site.lua has minify = true")
    st.write(os.path.join(site, "site.lua"), lua)
    st.write(os.path.join(site, "static/css/_vars.scss"), "$pad: 1px;\n")
    st.write(os.path.join(site, "static/css/site.scss"), '@import "vars";\n' + SCSS)
    st.write(os.path.join(site, "layouts/partials/extra.html"), "")
    # the theme's head links its own sheet; a layout of the site links the Sass one too
    st.write(os.path.join(site, "layouts/page.html"),
             '<!DOCTYPE html><html><head>{* asset("css/site.scss"):tag() *}\n'
             '{* asset("css/style.css"):tag() *}</head><body>{* page.content *}</body></html>\n')
    st.write(os.path.join(site, "content/about.md"), "---\ntitle: About\nlayout: page\n---\nAbout text.\n")
    srv = st.Serve(site)
    status, _, page = srv.get("/about/")
    st.check(status == 200, f"/about/ answered {status}")
    m = re.search(r'href="(/css/site\.([0-9a-f]{8})\.css)" integrity="(sha384-[^"]+)"', page)
    st.check(m, "the page links the fingerprinted Sass output: " + page[:400])
    old_url = m.group(1)
    status, _, css = srv.get(old_url)
    st.check(status == 200 and ".post .t {\n  margin: 0;\n}" in css, "expanded CSS served: " + css[:200])
    st.check("\n  <" in page or "\n<" in page, "pages not minified in serve")
    # the source map: a file beside the CSS, named relative to it, its Sass embedded
    st.check("/*# sourceMappingURL=site.css.map */" in css and "data:application/json" not in css,
             "the CSS names its map beside it: " + css[-200:])
    status, _, smap = srv.get("/css/site.css.map")
    st.check(status == 200 and '"sourcesContent"' in smap and "@import" in smap,
             "the map is served with the Sass in it: " + smap[:300])

    # edit the Sass: a CSS-only event with the new name
    ev = srv.change(lambda: st.write(os.path.join(site, "static/css/site.scss"),
                                     '@import "vars";\n' + SCSS.replace("#111", "#222")),
                    pred=lambda d: d.get("css_only") is True)
    moved = ev.get("assets", {}).get("/css/site.css")
    st.check(moved and moved["url"] != old_url and re.fullmatch(r"/css/site\.[0-9a-f]{8}\.css", moved["url"]),
             f"the event names the new fingerprinted sheet: {ev}")
    status, _, css = srv.get(moved["url"])
    st.check(status == 200 and "#222" in css, "the new name serves the new CSS")
    st.check(moved["integrity"].startswith("sha384-"), "the event carries the integrity")
    status, _, page = srv.get("/about/")
    st.check(moved["url"] in page and moved["integrity"] in page, "the page now links the new name")
    # the theme's own sheet did not change name
    theme = ev["assets"].get("/css/style.css")
    st.check(theme and theme["url"] in page, "unchanged sheets keep their names")

    # live.js moves a <link> to a fingerprinted name (not only ?folio=...)
    status, _, js = srv.get("/_folio/live.js")
    st.check("refreshCss(d.assets)" in js and "[0-9a-f]{8}" in js, "live.js reads the assets map")

    # a Sass error: the overlay gets file and line; the next good save clears it
    m0 = srv.events.mark()
    st.write(os.path.join(site, "static/css/site.scss"), ".a {\n  color: $nope;\n}\n")
    err = srv.events.wait("build-error", m0)
    e = err["errors"][0]
    st.check(e["file"].endswith("static/css/site.scss") and e["line"] == 2 and "Undefined variable" in e["message"],
             f"overlay error names file and line: {err}")
    m1 = srv.events.mark()
    st.write(os.path.join(site, "static/css/site.scss"), SCSS.replace("#111", "#333"))
    srv.events.wait("build-ok", m1)
    ev = srv.events.wait("reload", m1)
    st.check("/css/site.css" in ev.get("assets", {}), f"fixed: a reload with the new sheet: {ev}")
    status, _, css = srv.get(ev["assets"]["/css/site.css"]["url"])
    st.check("#333" in css, "the fixed CSS is served")


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    st.FOLIO, st.EXAMPLE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    st.WORK = tempfile.mkdtemp(prefix="folio-serve-assets-")
    try:
        run()
        print("ok   serve_assets")
        return 0
    except Exception as e:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        for srv in st.RUNNING:
            print("--- output of folio serve (last 25 lines):")
            print("\n".join(srv.output()[-25:]))
        print(f"FAIL serve_assets: {e}")
        return 1
    finally:
        for srv in st.RUNNING:
            if srv.proc.poll() is None:
                srv.proc.kill()
                srv.proc.wait()
        shutil.rmtree(st.WORK, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

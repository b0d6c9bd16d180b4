#!/usr/bin/env python3
"""The default theme right to left, in headless Chromium: an English and Arabic site (a new
site, `languages = { en, ar }`, Arabic posts with a quote, a list, a table, code, a callout and a
footnote). On the Arabic home, a post, the search results and the 404 page, light and dark,
desktop and phone: axe-core finds no critical or serious violation, and a full-page screenshot
is kept (ARTIFACT_DIR/rtl-<page>-<scheme>-<width>.png). Then what a reader of Arabic sees:
  the layout mirrored (site title on the right, the quote's bar and its padding on the right),
  code left to right, no sideways scrolling of the page on a phone, the search box announcing
  its results in Arabic from the Arabic index, /ar/404.html in Arabic.

Usage: theme_rtl_browser.py PATH/TO/folio SOURCE_DIR SEEDS_DIR ARTIFACT_DIR
Reuses theme_browser.py's browser, axe-core and audit (same arguments, same skips: exit 77)."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import theme_browser as tb  # noqa: E402  (checks the arguments and the tools, or exits 77)

ARABIC_POST = """---
title: ملاحظات من لقاء بايثون الثاني
date: 2014-02-01
tags: [بايثون, لقاءات]
---
كان اللقاء الثاني أكبر من الأول، وحضره أكثر من خمسين شخصًا من محبي بايثون.

> ما تعلمته هناك كان أكثر مما توقعت.

- النقطة الأولى
- النقطة الثانية مع `print()`

| العمود | القيمة | ملاحظة طويلة جدًا عن الموضوع | عمود آخر للعرض |
| --- | --- | --- | --- |
| أ | ١ | نص طويل آخر لتجربة الجدول العريض على الهاتف المحمول | نص |

```python
def hello(name):
    return "hello " + name
```

> [!NOTE]
> ملاحظة مهمة.

نص مع حاشية.[^1]

[^1]: هذه حاشية.
"""

SECOND_POST = """---
title: لماذا يجب أن تذهب إلى لقاءات بايثون
date: 2014-01-08
tags: [بايثون]
---
ذهبت الليلة إلى لقاء لمجموعة بايثون في أوستن. مرت عدة أشهر منذ آخر لقاء.
"""


def build_site(work):
    site = os.path.join(work, "site")
    r = subprocess.run([tb.FOLIO, "new", "site", site], capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError("folio new site failed:\n" + r.stdout + r.stderr)
    os.makedirs(os.path.join(site, "content", "en"))
    shutil.move(os.path.join(site, "content", "posts"), os.path.join(site, "content", "en", "posts"))
    ar = os.path.join(site, "content", "ar", "posts")
    os.makedirs(ar)
    with open(os.path.join(ar, "second-meetup.md"), "w", encoding="utf-8") as f:
        f.write(ARABIC_POST)
    with open(os.path.join(ar, "why-meetups.md"), "w", encoding="utf-8") as f:
        f.write(SECOND_POST)
    with open(os.path.join(site, "site.lua"), "a", encoding="utf-8") as f:
        f.write('languages = { en = { weight = 1 }, ar = { weight = 2, title = "ملاحظات اللقاءات" } }\n')
    r = subprocess.run([tb.FOLIO, "build", "-s", site], capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError("the Arabic site does not build:\n" + r.stdout + r.stderr)
    return os.path.join(site, "public")


def reader_checks(driver, base, post):
    check = tb.check
    for width in tb.WIDTHS:
        tb.emulate(driver, "light", width)
        driver.get(base + post)
        seen = driver.execute_script("""
          const q = document.querySelector('.post-body blockquote'), pre = document.querySelector('.post-body pre');
          const title = document.querySelector('.site-title').getBoundingClientRect();
          const qs = getComputedStyle(q);
          return { dir: document.documentElement.dir, lang: document.documentElement.lang,
                   titleRight: title.right, width: window.innerWidth,
                   barRight: qs.borderRightWidth, barLeft: qs.borderLeftWidth, padRight: parseFloat(qs.paddingRight),
                   pre: getComputedStyle(pre).direction, code: getComputedStyle(document.querySelector('p code, li code')).direction,
                   overflow: document.documentElement.scrollWidth - window.innerWidth,
                   alert: (document.querySelector('.alert-title') || {}).textContent }""")
        label = f"rtl post {width}"
        check(seen["dir"] == "rtl" and seen["lang"] == "ar", f"{label}: <html lang=ar dir=rtl>: {seen}")
        check(seen["titleRight"] > seen["width"] / 2, f"{label}: the site title is on the right")
        check(seen["barRight"] != "0px" and seen["barLeft"] == "0px" and seen["padRight"] > 8,
              f"{label}: the quote's bar and its padding are on the right: {seen}")
        check(seen["pre"] == "ltr" and seen["code"] == "ltr", f"{label}: code reads left to right")
        check(seen["overflow"] <= 1, f"{label}: the page does not scroll sideways ({seen['overflow']} px)")
        check(seen["alert"] == "ملاحظة", f"{label}: the callout's title is Arabic: {seen['alert']!r}")
    tb.emulate(driver, "light", "desktop")
    driver.get(base + "/ar/")
    check(tb.open_search(driver, "بايثون"), "the Arabic search box finds the Arabic posts")
    said = driver.execute_script("return [document.getElementById('search-status').textContent,"
                                 " document.getElementById('search-input').dataset.index]")
    check(said[0] == "نتيجتان" and said[1].endswith("/ar/search.json"),
          f"the search box announces two results in Arabic from the Arabic index: {said}")
    driver.get(base + "/ar/404.html")
    h1 = driver.execute_script("return [document.documentElement.dir, document.querySelector('h1').textContent]")
    check(h1 == ["rtl", "الصفحة غير موجودة"], f"/ar/404.html is Arabic, right to left: {h1}")


def main():
    axe = tb.axe_source()
    arabic_search = lambda driver: tb.open_search(driver, "بايثون")  # noqa: E731  (tb.audit would type an English word)
    with tb.browser_session("folio-theme-rtl-", build_site) as (public, base, driver):
        post = tb.find_output(public, "<title>ملاحظات من لقاء")
        pages = {"rtl-home": "/ar/", "rtl-post": post, "rtl-search": "/ar/", "rtl-404": "/ar/404.html"}
        for name, path in pages.items():
            search = arabic_search if name == "rtl-search" else None
            for scheme in tb.SCHEMES:
                for width in tb.WIDTHS:
                    tb.audit(driver, axe, base, name, path, scheme, width, search)
        reader_checks(driver, base, post)
    tb.report()


if __name__ == "__main__":
    main()

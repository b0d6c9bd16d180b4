#!/usr/bin/env python3
"""The default theme's social and search metadata (themes/default/layouts/partials/seo.html).

Usage: seo_test.py PATH/TO/folio

Builds a small site made here (posts with and without `image`, a page, the home page, a post
with translations, a title with quotes and </script>), parses the <head> of each output with
html.parser and checks the canonical link, hreflang alternates, OpenGraph, Twitter card, the
JSON-LD (valid JSON, required keys), apple-touch-icon and theme-color."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser

if len(sys.argv) != 2:
    print(__doc__)
    sys.exit(2)
FOLIO = os.path.abspath(sys.argv[1])
PASSED = 0
FAILED = 0


def check(cond, what):
    global PASSED, FAILED
    if cond:
        PASSED += 1
        print("ok - " + what)
    else:
        FAILED += 1
        print("FAIL: " + what)


class Head(HTMLParser):
    """Collects the <meta>, <link> and JSON-LD <script> elements of a document's <head>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta, self.links, self.scripts = [], [], []
        self.in_head = False
        self.script = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "head":
            self.in_head = True
        elif self.in_head and tag == "meta":
            self.meta.append(a)
        elif self.in_head and tag == "link":
            self.links.append(a)
        elif self.in_head and tag == "script" and a.get("type") == "application/ld+json":
            self.script = []

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False
        elif tag == "script" and self.script is not None:
            self.scripts.append("".join(self.script))
            self.script = None

    def handle_data(self, data):
        if self.script is not None:
            self.script.append(data)

    def prop(self, name):
        """Every content of <meta property=name> or <meta name=name>, in order."""
        return [m.get("content") for m in self.meta if m.get("property") == name or m.get("name") == name]

    def one(self, name):
        values = self.prop(name)
        return values[0] if len(values) == 1 else ("<%d values>" % len(values))

    def link(self, rel, **attrs):
        return [l for l in self.links if l.get("rel") == rel and all(l.get(k) == v for k, v in attrs.items())]

    def ld(self):
        return [json.loads(s) for s in self.scripts]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


WORK = tempfile.mkdtemp(prefix="folio-seo-")
SITE = os.path.join(WORK, "site")
BASE = "https://example.org/blog"
TRICKY = 'He said "hi" & </script><b>left</b>'
write(os.path.join(SITE, "site.lua"), """return {
  title = "Seo Site", description = "A site about metadata.", base_url = "https://example.org/blog/",
  timezone = "UTC", author = { name = "Ada Writer", url = "https://ada.example/" }, twitter = "adaw",
  plugins = { "summary", "taxonomies", "archives" },
}
""")
write(os.path.join(SITE, "content/posts/2024-03-01-cover.md"), """---
title: "Cover story"
date: 2024-03-01 10:00:00
lastmod: 2024-03-05 12:30:00
description: "A post with a cover image."
image: /img/cover.png
tags: [python, "meet ups"]
author: Bo Guest
---

Text of the cover story, with ![a picture](/img/other.png) in it.
""")
write(os.path.join(SITE, "content/posts/2024-02-01-first-image.md"), """---
title: "Pictures inside"
date: 2024-02-01
---

The first paragraph tells what the post is about.

![the first](pics/first.png?a=1&b=2)

![the second](https://cdn.example/second.png)
""")
write(os.path.join(SITE, "content/posts/2024-01-01-tricky.md"), """---
title: '%s'
date: 2024-01-01
author: Ada Writer
---

Nothing to see.
""" % TRICKY.replace("'", "''"))
write(os.path.join(SITE, "content/posts/2024-04-01-translated.md"), """---
title: "Translated"
date: 2024-04-01
lang: en
translations:
  - { lang: ja, url: /ja/posts/translated/, title: "翻訳" }
  - { lang: de, url: /de/posts/translated/, title: "Übersetzt" }
---

In three languages.
""")
write(os.path.join(SITE, "content/posts/2023-05-01-markup.md"), """---
title: "Markup"
date: 2023-05-01
---

| a | b |
| - | - |
| 1 | 2 |

```lua
print(1)
```

- [x] done *well*
- [ ] to do

A note.[^n]

[^n]: The note.
""")
write(os.path.join(SITE, "content/about.md"), """---
title: About
---

About this site.
""")

build = subprocess.run([FOLIO, "build", "-s", SITE], capture_output=True, text=True)
check(build.returncode == 0, "the site builds: " + build.stdout + build.stderr)
OUT = os.path.join(SITE, "public")


def head(url_path):
    with open(os.path.join(OUT, url_path.strip("/"), "index.html") if url_path != "/" else
              os.path.join(OUT, "index.html"), encoding="utf-8") as f:
        text = f.read()
    h = Head()
    h.feed(text)
    return h, text


def common(h, url, what):
    canon = h.link("canonical")
    check(len(canon) == 1 and canon[0].get("href") == BASE + url, what + ": one absolute canonical link")
    check(h.one("og:url") == BASE + url, what + ": og:url is the canonical URL")
    check(h.one("og:site_name") == "Seo Site", what + ": og:site_name")
    check(h.one("og:locale") == "en_US", what + ": og:locale from site.lang (en -> en_US)")
    check(h.one("twitter:site") == "@adaw", what + ": twitter:site from site.twitter")
    touch = h.link("apple-touch-icon")
    check(len(touch) == 1 and touch[0].get("href") == "/blog/apple-touch-icon.png", what + ": apple-touch-icon")
    check(os.path.getsize(os.path.join(OUT, "apple-touch-icon.png")) > 0, "the icon is written")
    colours = {m.get("media"): m.get("content") for m in h.meta if m.get("name") == "theme-color"}
    check(set(colours) == {"(prefers-color-scheme: light)", "(prefers-color-scheme: dark)"} and
          all(v.startswith("#") for v in colours.values()), what + ": theme-color for light and dark")


def main():
    # a post with `image`, lastmod, tags, an author of its own
    url = "/2024/03/01/cover/"
    h, _ = head(url)
    common(h, url, "post")
    check(h.one("og:type") == "article", "post: og:type article")
    check(h.one("og:title") == "Cover story", "post: og:title is the page title (no site suffix)")
    check(h.one("og:description") == "A post with a cover image.", "post: og:description from description")
    check(h.one("og:image") == BASE + "/img/cover.png", "post: og:image from `image`, made absolute")
    check(h.one("twitter:card") == "summary_large_image", "post with an image: summary_large_image")
    check(h.one("twitter:image") == BASE + "/img/cover.png", "post: twitter:image")
    check(h.one("article:published_time") == "2024-03-01T10:00:00+00:00", "post: article:published_time")
    check(h.one("article:modified_time") == "2024-03-05T12:30:00+00:00", "post: article:modified_time from lastmod")
    check(h.prop("article:tag") == ["python", "meet ups"], "post: one article:tag per tag")
    lds = h.ld()
    check(len(lds) == 1, "post: one JSON-LD block, valid JSON")
    ld = lds[0] if lds else {}
    for key in ("@context", "@type", "headline", "datePublished", "dateModified", "author", "image",
                "description", "mainEntityOfPage", "publisher"):
        check(key in ld, "post JSON-LD has " + key)
    check(ld.get("@type") == "BlogPosting" and ld.get("@context") == "https://schema.org", "post JSON-LD: BlogPosting")
    check(ld.get("headline") == "Cover story" and ld.get("datePublished") == "2024-03-01T10:00:00+00:00" and
          ld.get("dateModified") == "2024-03-05T12:30:00+00:00", "post JSON-LD: headline and dates")
    check(ld.get("author") == {"@type": "Person", "name": "Bo Guest"}, "post JSON-LD: the page's own author")
    check(ld.get("mainEntityOfPage", {}).get("@id") == BASE + url, "post JSON-LD: mainEntityOfPage")
    check(ld.get("publisher", {}).get("name") == "Seo Site" and
          ld.get("publisher", {}).get("logo", {}).get("url") == BASE + "/apple-touch-icon.png",
          "post JSON-LD: publisher with a logo")
    check(ld.get("image") == BASE + "/img/cover.png", "post JSON-LD: image")

    # no `image`: the first image of the post, relative to the post's URL, its & unescaped once
    url = "/2024/02/01/first-image/"
    h, _ = head(url)
    common(h, url, "post without image")
    check(h.one("og:image") == BASE + url + "pics/first.png?a=1&b=2", "the first image is og:image, absolute")
    check(h.one("og:description") == "The first paragraph tells what the post is about.",
          "og:description falls back to the summary")
    ld = (h.ld() or [{}])[0]
    check(ld.get("author") == {"@type": "Person", "name": "Ada Writer", "url": "https://ada.example/"},
          "JSON-LD author falls back to the site's, with its url")
    check(not h.prop("article:tag"), "no tags, no article:tag")

    # quotes and </script> in the title: escaped in attributes, inert in JSON-LD
    url = "/2024/01/01/tricky/"
    h, text = head(url)
    check(h.one("og:title") == TRICKY and h.one("twitter:title") == TRICKY, "a tricky title survives in attributes")
    check(text.count("</script>") == text.count("<script"), "no </script> from the title ends an element early")
    check("<b>left</b>" not in text.split("</head>")[0], "no markup from the title in the head")
    ld = (h.ld() or [{}])[0]
    check(ld.get("headline") == TRICKY, "JSON-LD headline is the title exactly")
    check(ld.get("author", {}).get("url") == "https://ada.example/", "a page author named as the site's gets its url")
    check(h.one("twitter:card") == "summary", "no image: twitter card summary")
    check(not h.prop("og:image"), "no image: no og:image")

    # translations: an alternate per language, this page's own, x-default
    url = "/2024/04/01/translated/"
    h, _ = head(url)
    alt = {l.get("hreflang"): l.get("href") for l in h.links if l.get("rel") == "alternate" and l.get("hreflang")}
    check(alt == {"en": BASE + url, "ja": BASE + "/ja/posts/translated/", "de": BASE + "/de/posts/translated/",
                  "x-default": BASE + url}, "hreflang alternates and x-default: %r" % alt)
    check(sorted(h.prop("og:locale:alternate")) == ["de_DE", "ja_JP"], "og:locale:alternate per translation")
    h, _ = head("/2024/03/01/cover/")
    check(not [l for l in h.links if l.get("hreflang")], "no translations, no hreflang")

    # a page: website, no article fields, no BlogPosting
    url = "/about/"
    h, _ = head(url)
    common(h, url, "page")
    check(h.one("og:type") == "website", "page: og:type website")
    check(h.one("og:title") == "About", "page: og:title")
    check(not h.prop("article:published_time") and not h.ld(), "page: no article times, no JSON-LD")

    # home: WebSite JSON-LD
    h, _ = head("/")
    common(h, "/", "home")
    check(h.one("og:type") == "website" and h.one("og:title") == "Seo Site", "home: website, the site title")
    check(h.one("og:description") == "A site about metadata.", "home: og:description from site.description")
    ld = (h.ld() or [{}])[0]
    check(ld.get("@type") == "WebSite" and ld.get("url") == BASE + "/" and ld.get("name") == "Seo Site",
          "home JSON-LD: WebSite with name and url")

    # the body's HTML made accessible by theme.lua, the navigation, the archive's titles
    _, text = head("/2023/05/01/markup/")
    check('<div class="table-wrap" tabindex="0" role="region" aria-label="Table"><table>' in text and
          "</table></div>" in text, "a table sits in a focusable, named scroll region")
    check('tabindex="0" role="region" aria-label="Code: lua">' in text, "a code block is focusable and named with its language")
    check('<label class="task"><input type="checkbox" checked="" disabled="" /> done <em>well</em></label>' in text and
          '<label class="task"><input type="checkbox" disabled="" /> to do</label>' in text,
          "task-list checkboxes are labelled by their item's text")
    check('\u21a9\ufe0e</a>' in text and 'class="footnote-backref"' in text,
          "the footnote back-link is a text glyph (U+FE0E), not an emoji")
    nav = text.split('<nav class="site-nav"', 1)[-1].split("</nav>", 1)[0]
    check('href="/blog/tags/"' in nav and 'href="/blog/archives/"' in nav and ">Tags<" in nav and ">Archives<" in nav,
          "Tags and Archives are in the navigation")
    _, text = head("/archives/")
    check('href="/blog/2023/05/01/markup/">Markup</a>' in text and 'href="/blog/2024/03/01/cover/">Cover story</a>' in text,
          "the archive lists post titles")

    # nav_extras = false: the menu alone
    with open(os.path.join(SITE, "site.lua")) as f:
        config = f.read()
    write(os.path.join(SITE, "site.lua"), config.replace("twitter = ", "nav_extras = false, twitter = "))
    r = subprocess.run([FOLIO, "build", "-s", SITE], capture_output=True, text=True)
    _, text = head("/about/")
    nav = text.split('<nav class="site-nav"', 1)[-1].split("</nav>", 1)[0]
    check(r.returncode == 0 and 'href="/blog/about/"' in nav and "/tags/" not in nav and "/archives/" not in nav,
          "nav_extras = false leaves Tags and Archives out")

    # the not-found page claims no canonical URL
    h = Head()
    with open(os.path.join(OUT, "404.html"), encoding="utf-8") as f:
        h.feed(f.read())
    check(not h.link("canonical") and not h.prop("og:url"), "404: no canonical link or og:url")


try:
    if PASSED == 1:
        main()
finally:
    shutil.rmtree(WORK, ignore_errors=True) if not os.environ.get("KEEP") else print(WORK)
print(f"{PASSED} passed, {FAILED} failed")
sys.exit(1 if FAILED or PASSED <= 1 else 0)

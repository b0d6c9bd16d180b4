#!/usr/bin/env python3
"""jekyll_compare.py: builds a Jekyll site folder with Debian's `jekyll` and with folio, then
compares the HTML pages one by one: URL sets, <title>, dates (<time datetime>), and body text
(the <body> with scripts, styles and tags dropped, entities decoded, white space collapsed).

Usage: tools/jekyll_compare.py SITE_DIR [--folio PATH] [--jekyll PATH] [--work DIR] [--verbose]

Prints per-site figures: URLs same / only in Jekyll / only in folio, titles and dates equal,
the other files (feeds, sitemaps, assets) that one side wrote empty or at less than half the
other's size,
% of post bodies (and of all pages) equal in text, both wall times and CPU times (user + system,
steadier than wall time on a shared machine) and the speed ratios.
CSS (Sass) is not compared: folio leaves Sass out for now. Exit status 0 unless a build fails.
"""
import argparse
import difflib
import html
import os
import re
import resource
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def cpu_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_timed(cmd, cwd):
    """Runs cmd; returns (wall seconds, CPU seconds, process)."""
    start, cpu = time.monotonic(), cpu_children()
    env = dict(os.environ, JEKYLL_NO_BUNDLER_REQUIRE="true")  # the site's Gemfile pins gems Debian lacks
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return time.monotonic() - start, cpu_children() - cpu, proc


def html_files(root):
    out = {}
    for folder, _, files in os.walk(root):
        for name in files:
            if name.endswith(".html") or name.endswith(".htm"):
                path = os.path.join(folder, name)
                rel = os.path.relpath(path, root).replace(os.sep, "/")
                out[rel] = path
    return out


def all_files(root):
    out = set()
    for folder, _, files in os.walk(root):
        for name in files:
            rel = os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/")
            if rel != ".folio-output":
                out.add(rel)
    return out


DROP = re.compile(r"<(script|style|head)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
BLOCK = re.compile(r"</?(?:p|div|h[1-6]|li|ul|ol|dl|dt|dd|br|hr|tr|td|th|table|thead|tbody|pre|blockquote|"
                   r"section|article|header|footer|nav|main|aside|figure|figcaption|form|option|title)\b[^>]*>", re.I)
TAG = re.compile(r"<[^>]*>")
SPACE = re.compile(r"\s+")


def body_text(text):
    m = re.search(r"<body\b[^>]*>(.*)</body\s*>", text, re.S | re.I)
    text = m.group(1) if m else text
    text = DROP.sub(" ", text)
    text = BLOCK.sub(" ", text)
    text = TAG.sub("", text)
    text = html.unescape(text)
    return SPACE.sub(" ", text).strip()


def title_of(text):
    m = re.search(r"<title[^>]*>(.*?)</title>", text, re.S | re.I)
    return SPACE.sub(" ", html.unescape(m.group(1))).strip() if m else None


TODAY = time.strftime("%Y-%m-%d", time.gmtime())


def dates_of(text):
    # the build time (site.time) differs between any two builds: left out
    return [d for d in re.findall(r'<time[^>]*datetime="([^"]*)"', text) if not d.startswith(TODAY)]


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def is_post(rel, text):
    # a post: its page has an article:published_time (jekyll-seo-tag) or a post layout's <article>
    return 'property="article:published_time"' in text or 'class="post h-entry"' in text or \
        re.search(r"/\d{4}/\d{2}/\d{2}/", "/" + rel) is not None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("site")
    ap.add_argument("--folio", default=os.path.join(HERE, "..", "build", "folio"))
    ap.add_argument("--jekyll", default="jekyll")
    ap.add_argument("--work", default="/dev/shm/jekyll_compare")
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args()
    site = os.path.abspath(args.site)
    name = os.path.basename(site.rstrip("/"))
    work = os.path.join(args.work, name)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    out_j, out_f = os.path.join(work, "jekyll"), os.path.join(work, "folio")

    # both builds cold: Jekyll's disk cache (.jekyll-cache) and folio's (.folio-cache) unused
    shutil.rmtree(os.path.join(site, ".jekyll-cache"), ignore_errors=True)
    # jekyll-gist without the network: no <noscript> copy of the gist (folio never fetches one);
    # offline, jekyll-gist would print the `true` its failed fetch's warning returns
    overlay = os.path.join(work, "compare_config.yml")
    with open(overlay, "w") as f:
        f.write("gist:\n  noscript: false\n")
    own = os.path.join(site, "_config.yml")  # (a Jekyll folder may have none: Jekyll's defaults)
    configs = (own + "," + overlay) if os.path.exists(own) else overlay
    t_j, c_j, pj = run_timed([args.jekyll, "build", "--disable-disk-cache", "--config", configs,
                              "-s", site, "-d", out_j], site)
    if pj.returncode != 0:
        print(pj.stdout)
        print("jekyll build failed", file=sys.stderr)
        return 1
    t_f, c_f, pf = run_timed([os.path.abspath(args.folio), "build", "-q", "--no-cache", "-s", site, "-o", out_f], site)
    if pf.returncode != 0:
        print(pf.stdout)
        print("folio build failed", file=sys.stderr)
        return 1
    warnings = [l for l in pf.stdout.splitlines() if ": warning:" in l]

    files_j, files_f = all_files(out_j), all_files(out_f)
    # CSS from Sass is pending (folio does not convert Sass yet)
    sass = {f for f in files_j - files_f if f.endswith(".css") or f.endswith(".css.map")}
    only_j = sorted(files_j - files_f - sass)
    only_f = sorted(files_f - files_j)
    pages_j, pages_f = html_files(out_j), html_files(out_f)
    both = sorted(set(pages_j) & set(pages_f))

    same_title = same_dates = 0
    posts = posts_equal = pages_equal = 0
    differing = []
    for rel in both:
        a, b = read(pages_j[rel]), read(pages_f[rel])
        if title_of(a) == title_of(b):
            same_title += 1
        elif args.verbose:
            print(f"title differs {rel}: {title_of(a)!r} vs {title_of(b)!r}")
        if dates_of(a) == dates_of(b):
            same_dates += 1
        elif args.verbose:
            print(f"dates differ {rel}: {dates_of(a)} vs {dates_of(b)}")
        ta, tb = body_text(a), body_text(b)
        equal = ta == tb
        if equal:
            pages_equal += 1
        else:
            differing.append((rel, ta, tb))
        if is_post(rel, a):
            posts += 1
            posts_equal += equal

    # the other files both wrote (feeds, the sitemap, copied assets): one written empty, or one
    # less than half the other's size, is a page folio did not make as Jekyll does (a layout not
    # found, a loop over nothing)
    others = sorted((files_j & files_f) - set(both))
    far_apart = []
    for rel in others:
        sj, sf = os.path.getsize(os.path.join(out_j, rel)), os.path.getsize(os.path.join(out_f, rel))
        if (sj == 0) != (sf == 0) or min(sj, sf) * 2 < max(sj, sf):
            far_apart.append((rel, sj, sf))

    pct = lambda n, d: 100.0 * n / d if d else 100.0
    print(f"site {name}")
    print(f"  files: {len(files_j & files_f)} same URL, {len(only_j)} only in jekyll, {len(only_f)} only in folio"
          f" ({len(sass)} Sass outputs left out of the comparison)")
    for f in only_j:
        print(f"    only in jekyll: {f}")
    for f in only_f:
        print(f"    only in folio:  {f}")
    print(f"  HTML pages in both: {len(both)}; titles equal {same_title}, dates equal {same_dates}")
    print(f"  post bodies equal in text: {posts_equal}/{posts} ({pct(posts_equal, posts):.1f}%);"
          f" all pages {pages_equal}/{len(both)} ({pct(pages_equal, len(both)):.1f}%)")
    print(f"  other files in both: {len(others)}; empty in one, or less than half the other's size: {len(far_apart)}")
    for rel, sj, sf in far_apart[:10] if not args.verbose else far_apart:
        print(f"    {rel}: jekyll {sj} bytes, folio {sf}")
    print(f"  wall time: jekyll {t_j:.2f} s, folio {t_f:.3f} s, folio {t_j / t_f if t_f else 0:.1f}x faster;"
          f" CPU time: jekyll {c_j:.2f} s, folio {c_f:.3f} s ({c_j / c_f if c_f else 0:.1f}x)")
    print(f"  folio warnings: {len(warnings)}")
    if args.verbose:
        for w in warnings:
            print("    " + w)
        for rel, ta, tb in differing:
            print(f"--- body differs: {rel}")
            wa, wb = ta.split(" "), tb.split(" ")  # by words: characters would be quadratic on long posts
            sm = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
            shown = 0
            for op, i1, i2, j1, j2 in sm.get_opcodes():
                if op != "equal" and shown < 6:
                    shown += 1
                    print(f"    jekyll: {' '.join(wa[max(0, i1 - 6):i2 + 6])!r}")
                    print(f"    folio:  {' '.join(wb[max(0, j1 - 6):j2 + 6])!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# images_e2e.sh: the images plugin and the image() helper from the command line: width/height
# and lazy loading in the page, WebP (and AVIF where libvips writes it) srcsets at the widths
# below the source's (never an upscale), the files written at those sizes, the cache (a second
# build processes nothing: FOLIO_COUNTERS), remote images left alone with one warning for an
# empty alt (file:line), a broken and a too large image failing with the page's file:line and
# the image's path, and fit/fill/crop/resize with formats through a shortcode template.
. "$(dirname "$0")/lib.sh"
command -v vips > /dev/null || { echo "skipped: the vips command (Debian: libvips-tools) makes the test images"; exit 77; }
command -v vipsheader > /dev/null || { echo "skipped: vipsheader (Debian: libvips-tools) is missing"; exit 77; }

site=$WORK/site
make_site "$site" 'plugins = { "images", "shortcodes" }'
mkdir -p "$site/static/images" "$site/content/posts" "$site/layouts/shortcodes"
img=$site/static/images
vips gaussnoise "$WORK/n.v" 1600 1200 && vips bandjoin "$WORK/n.v $WORK/n.v $WORK/n.v" "$WORK/rgb.v" &&
  vips cast "$WORK/rgb.v" "$img/photo.jpg[Q=80]" uchar || bad "vips makes photo.jpg"
vips black "$WORK/b.v" 300 200 --bands 3 && vips copy "$WORK/b.v" "$img/small.png" || bad "vips makes small.png"
vips copy "$img/small.png" "$site/content/posts/beside.png" || bad "vips makes beside.png"

cat > "$site/content/posts/2024-05-01-photos.md" <<'MD'
---
title: Photos
---

![The big one](/images/photo.jpg "A title")

Some text, then ![a small one](/images/small.png) inline.

![](http://example.com/remote.jpg)

![beside the page](beside.png)

`![in code](/images/photo.jpg)`
MD

build() { (cd "$site" && FOLIO_COUNTERS=1 "$FOLIO" build > "$WORK/build.log" 2>&1); }
check "first build succeeds: $(cat "$WORK/build.log" 2>/dev/null)" build
page=$(find "$site/public" -path '*photos/index.html' | head -1)
check "the page is built" test -n "$page"
check "width and height of the source" contains "$page" 'alt="The big one" title="A title" width="1600" height="1200"'
check "first image not lazy" lacks "$page" 'width="1600" height="1200" loading="lazy"'
check "first image decodes async" contains "$page" 'width="1600" height="1200" decoding="async"'
check "second image lazy" contains "$page" 'alt="a small one" width="300" height="200" loading="lazy" decoding="async"'
check "the original stays the fallback, as written" contains "$page" '<img src="/images/photo.jpg"'
check "a WebP source" contains "$page" '<source type="image/webp" srcset="/blog/_img/photo-'
check "srcset of three widths" grep -qE 'srcset="[^"]*-fit480x0q80\.webp 480w, [^"]*-fit960x0q80\.webp 960w, [^"]*-fit1440x0q80\.webp 1440w"' "$page"
check "a small image is never upscaled" grep -qE 'srcset="/blog/_img/small-[0-9a-f]{8}-fit300x0q80\.webp 300w"' "$page"
check "no 480w for a 300 px image" lacks "$page" 'small-fit480'
check "a remote image is left as it is" contains "$page" '<img src="http://example.com/remote.jpg" alt="" />'
check "code is left alone" contains "$page" '<code>![in code](/images/photo.jpg)</code>'
check "an image beside the page is copied" grep -qE '<img src="/blog/_img/beside-[0-9a-f]{8}\.png"' "$page"
check "one warning for the empty alt, with file:line" test "$(grep -c 'remote.jpg has no alt text' "$WORK/build.log")" -eq 1
check "the warning names file:line" grep -q 'content/posts/2024-05-01-photos.md:9: warning: the image http://example.com/remote.jpg has no alt text' "$WORK/build.log"

avif=$(cd "$site" && "$FOLIO" lua <(echo 'print(folio.image.can_write("avif"))'))
if [ "$avif" = true ]; then
  check "an AVIF source first" contains "$page" '<picture><source type="image/avif" srcset="/blog/_img/photo-'
  f=$(ls "$site"/public/_img/photo-*-fit960x0q80.avif | head -1)
  check "AVIF file written" test -s "$f"
else
  echo "note: this libvips writes no AVIF; its sources are left out"
  check "no AVIF source without the encoder" lacks "$page" 'image/avif'
fi
for w in 480 960 1440; do
  f=$(ls "$site"/public/_img/photo-*-fit${w}x0q80.webp 2>/dev/null | head -1)
  check "photo at ${w}w written" test -s "$f"
  check "photo at ${w}w is $w px wide" test "$(vipsheader -f width "$f" 2>/dev/null)" = "$w"
  check "photo at ${w}w keeps the aspect" test "$(vipsheader -f height "$f" 2>/dev/null)" = "$((w * 3 / 4))"
  check "photo at ${w}w is WebP" test "$(head -c 12 "$f" | tail -c 4)" = WEBP
done
first=$(sed -n 's/^counter images processed //p' "$WORK/build.log")
check "the first build processes images (counter: $first)" test "${first:-0}" -gt 0
check "cache folder filled" test -n "$(ls "$site/.folio-cache/images/" 2>/dev/null)"

check "second build succeeds: $(cat "$WORK/build.log" 2>/dev/null)" build
check "the second build processes nothing" grep -qx 'counter images processed 0' "$WORK/build.log"
check "the second build still writes the images" test -s "$(ls "$site"/public/_img/photo-*-fit960x0q80.webp | head -1)"
check "the second page is the same" grep -qE 'fit1440x0q80\.webp 1440w' "$(find "$site/public" -path '*photos/index.html' | head -1)"

(cd "$site" && FOLIO_COUNTERS=1 "$FOLIO" build --safe > "$WORK/safe.log" 2>&1) && ok || bad "safe build: $(cat "$WORK/safe.log")"
check "safe mode: the same page, from the cache" grep -qE 'fit1440x0q80\.webp 1440w' "$(find "$site/public" -path '*photos/index.html' | head -1)"
check "safe mode: nothing processed" grep -qx 'counter images processed 0' "$WORK/safe.log"

# A changed image: a new hash, processed again
vips black "$WORK/b2.v" 320 200 --bands 3 && vips copy "$WORK/b2.v" "$img/small.png"
check "third build succeeds" build
check "only the changed image is processed" grep -qE '^counter images processed [1-3]$' "$WORK/build.log"
check "its new size is in the page" contains "$(find "$site/public" -path '*photos/index.html' | head -1)" 'width="320" height="200"'

# image() in a template: fit, fill, crop, resize, formats, quality
cat > "$site/layouts/shortcodes/thumb.html" <<'HTML'
{% local i = image(args[1]) %}{% local a = i:fill(100, 80):webp() %}{% local b = i:crop(50, 40):png() %}{% local c = i:resize(200):jpeg():quality(60) %}{% local d = i:fit(400, 100) %}{% local e = i:fit(4000, 4000):avif() %}
<p class="t">fill {{ a.url }} {{ a.width }}x{{ a.height }}; crop {{ b.url }} {{ b.width }}x{{ b.height }}; resize {{ c.url }} {{ c.width }}x{{ c.height }}; fit {{ d.width }}x{{ d.height }} {{ d:result().format }}; named {{ i:fit(10, 10):format("png"):result().format }}; big {{ e.width }}x{{ e.height }} {{ e:result().format }}</p>
HTML
cat > "$site/content/thumbs.md" <<'MD'
---
title: Thumbs
---

{{< thumb "images/photo.jpg" >}}
MD
check "template build succeeds: $(cat "$WORK/build.log")" build
t=$site/public/thumbs/index.html
check "fill: exact size, WebP" grep -qE 'fill /blog/_img/photo-[0-9a-f]{8}-fill100x80q80\.webp 100x80' "$t"
check "crop: exact size, PNG" grep -qE 'crop /blog/_img/photo-[0-9a-f]{8}-crop50x40\.png 50x40' "$t"
check "resize: width, aspect kept, JPEG quality" grep -qE 'resize /blog/_img/photo-[0-9a-f]{8}-resize200x0q60\.jpg 200x150' "$t"
check "fit: within both bounds" contains "$t" 'fit 133x100 jpeg'
check "fit never upscales" contains "$t" "big 1600x1200"
check ":format(name)" contains "$t" "named png"
f=$(ls "$site"/public/_img/photo-*-fill100x80q80.webp | head -1)
check "fill file is 100 wide" test "$(vipsheader -f width "$f")" = 100
check "fill file is 80 high" test "$(vipsheader -f height "$f")" = 80
f=$(ls "$site"/public/_img/photo-*-crop50x40.png | head -1)
check "crop file is PNG" test "$(head -c 4 "$f" | tail -c 3)" = PNG
rm "$site/content/thumbs.md"

# image() in a layout on 80 pages, with libvips started in the process phase: `folio build`
# must not fork its render process then (libvips' locks do not survive a fork); and again with
# the Markdown images cached, where only the render phase starts libvips
for i in $(seq 1 80); do printf -- '---\ntitle: P%d\n---\n\n![x](/images/small.png)\n' "$i" > "$site/content/posts/2024-02-01-p$i.md"; done
cat > "$site/layouts/post.html" <<'HTML'
{% local t = image("images/photo.jpg"):fill(60 + #page.title % 5, 40):webp() %}<img class="thumb" src="{{ t.url }}" width="{{ t.width }}">{* content *}
HTML
rm -rf "$site/.folio-cache"
(cd "$site" && timeout 120 "$FOLIO" build > "$WORK/fork.log" 2>&1); rc=$?
check "image() in a layout after the process phase used libvips: no hang ($rc)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || tail -20 "$WORK/fork.log" >&2
check "the layout's thumbnail" grep -qE '<img class="thumb" src="/blog/_img/photo-[0-9a-f]{8}-fill6[0-4]x40q80\.webp" width="6[0-4]">' "$site/public/2024/02/01/p1/index.html" "$site/public/posts/2024-02-01-p1/index.html" "$(find "$site/public" -path '*p1/index.html' | head -1)"
rm -f "$site"/.folio-cache/images/*fill*
(cd "$site" && timeout 120 "$FOLIO" build > "$WORK/fork.log" 2>&1); rc=$?
check "image() only in the render phase ($rc)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || tail -20 "$WORK/fork.log" >&2
rm -f "$site/layouts/post.html" "$site"/content/posts/2024-02-01-p*.md

# A broken image: an error naming the page's line and the image, no crash
head -c 3000 "$img/photo.jpg" > "$img/broken.jpg"
printf -- '---\ntitle: Broken\n---\n\nText.\n\n![broken](/images/broken.jpg)\n' > "$site/content/broken.md"
(cd "$site" && "$FOLIO" build > "$WORK/bad.log" 2>&1); rc=$?
check "a broken image fails the build (exit 1, not a crash: $rc)" test "$rc" -eq 1
check "the error names the page and line" grep -q 'content/broken.md:7: error: .*static/images/broken.jpg' "$WORK/bad.log"
check "libvips' warnings stay quiet" lacks "$WORK/bad.log" 'VIPS-WARNING'
printf 'not an image at all' > "$img/broken.jpg"
(cd "$site" && "$FOLIO" build > "$WORK/bad.log" 2>&1); rc=$?
check "a non-image fails the build ($rc)" test "$rc" -eq 1
check "the error says it cannot read the image" grep -q 'content/broken.md:7: error: cannot read the image static/images/broken.jpg' "$WORK/bad.log"
rm "$site/content/broken.md" "$img/broken.jpg"

# Too large: refused before decoding (the limit lowered to 1 megapixel)
sed -i 's/plugins = { "images", "shortcodes" }/plugins = { { "images", max_pixels = 1e6 }, "shortcodes" }/' "$site/site.lua"
rm -rf "$site/.folio-cache"
(cd "$site" && "$FOLIO" build > "$WORK/big.log" 2>&1); rc=$?
check "a too large image fails the build ($rc)" test "$rc" -eq 1
check "the error gives its size and the limit" grep -q 'static/images/photo.jpg is 1600 x 1200 pixels, more than the limit of 1 megapixels' "$WORK/big.log"
finish

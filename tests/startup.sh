#!/usr/bin/env bash
# startup.sh: libvips, libcurl, libgit2 and libsass are loadable modules (src/core/module.c),
# mapped only when used: a build without images never loads folio-vips.so nor libvips, a build
# with an image does (as LD_DEBUG=files, glibc's loader trace, shows for every process of the
# build); `folio check` without --external never loads libcurl; a site outside any git
# repository never loads libgit2, one inside does; a site without Sass never loads libsass, one
# with a .scss file does; the folio binary itself needs none of them; a folio without its
# module says which module is missing and where it looked.
. "$(dirname "$0")/lib.sh"
command -v vips > /dev/null || { echo "skipped: the vips command (Debian: libvips-tools) makes the test image"; exit 77; }

# A sanitizer build links libvips and libcurl anyway (LeakSanitizer cannot scan the thread-local
# storage of dlopen()ed libraries: CMakeLists.txt): what it cannot show is skipped there.
sanitized=0
ldd "$FOLIO" | grep -q libasan && sanitized=1
unless_sanitized() { if [ "$sanitized" = 1 ]; then ok; else check "$@"; fi; }
unless_sanitized "folio itself does not link libvips" bash -c "! ldd '$FOLIO' | grep -q libvips"
unless_sanitized "folio itself does not link libcurl" bash -c "! ldd '$FOLIO' | grep -q libcurl"
unless_sanitized "folio itself does not link libgit2" bash -c "! ldd '$FOLIO' | grep -q libgit2"
unless_sanitized "folio itself does not link libsass" bash -c "! ldd '$FOLIO' | grep -q libsass"

site=$WORK/site
make_site "$site" 'plugins = { "images" }'
printf -- '---\ntitle: Words\n---\nNo pictures here.\n' > "$site/content/posts/2024-05-01-words.md"
(cd "$site" && LD_DEBUG=files "$FOLIO" build --no-cache > "$WORK/plain.log" 2>&1)
check "the build without images succeeds" contains "$WORK/plain.log" "Built"
check "a build without images loads no folio-vips.so" lacks "$WORK/plain.log" "folio-vips.so"
unless_sanitized "a build without images loads no libvips" lacks "$WORK/plain.log" "libvips"
check "a site in no git repository loads no folio-git.so" lacks "$WORK/plain.log" "folio-git.so"
unless_sanitized "nor libgit2" lacks "$WORK/plain.log" "libgit2"
check "a site without Sass loads no folio-sass.so" lacks "$WORK/plain.log" "folio-sass.so"
unless_sanitized "nor libsass" lacks "$WORK/plain.log" "libsass"
(cd "$site" && LD_DEBUG=files "$FOLIO" check > "$WORK/check.log" 2>&1)
unless_sanitized "folio check (no --external) loads no libcurl" lacks "$WORK/check.log" "libcurl"

# Sass: the first .scss file loads folio-sass.so (and libsass), and the CSS is made.
sassy=$WORK/sassy
make_site "$sassy"
printf -- '---\ntitle: Styled\n---\nText.\n' > "$sassy/content/posts/2024-05-01-styled.md"
mkdir -p "$sassy/static/css"
printf '$c: #123456;\n.a { .b { color: $c; } }\n' > "$sassy/static/css/site.scss"
(cd "$sassy" && LD_DEBUG=files "$FOLIO" build --no-cache > "$WORK/sass.log" 2>&1)
check "a build with Sass loads folio-sass.so" grep -q 'file=.*folio-sass\.so' "$WORK/sass.log"
check "the Sass was compiled" contains "$sassy/public/css/site.css" ".a .b"
# git: a site in a repository loads folio-git.so, and its dates come from the history.
if command -v git > /dev/null; then
  (cd "$sassy" && git init -q . && git add -A && GIT_AUTHOR_DATE=2021-03-04T05:06:07 GIT_COMMITTER_DATE=2021-03-04T05:06:07 \
     git -c user.name=T -c user.email=t@example.org commit -q -m first)
  rm -f "$sassy/content/posts/2024-05-01-styled.md"
  printf -- '---\ntitle: Undated\n---\nText.\n' > "$sassy/content/posts/undated.md"
  (cd "$sassy" && git add -A && GIT_AUTHOR_DATE=2021-03-04T05:06:07 GIT_COMMITTER_DATE=2021-03-04T05:06:07 \
     git -c user.name=T -c user.email=t@example.org commit -q -m second)
  (cd "$sassy" && LD_DEBUG=files "$FOLIO" build --no-cache > "$WORK/git.log" 2>&1)
  check "a site in a git repository loads folio-git.so" grep -q 'file=.*folio-git\.so' "$WORK/git.log"
  check "and dates an undated post by its commit" test -n "$(find "$sassy/public" -path '*2021/03/04/undated*')"
else
  bad "git is installed (tools/install_deps.sh installs it)"
fi

mkdir -p "$site/static/images"
vips black "$WORK/b.v" 300 200 --bands 3 && vips copy "$WORK/b.v" "$site/static/images/small.png" || bad "vips makes small.png"
printf -- '---\ntitle: Picture\n---\n![a small one](/images/small.png)\n' > "$site/content/posts/2024-05-02-picture.md"
(cd "$site" && LD_DEBUG=files "$FOLIO" build --no-cache > "$WORK/image.log" 2>&1)
check "the build with an image succeeds" contains "$WORK/image.log" "Built"
check "a build with an image loads folio-vips.so" grep -q 'file=.*folio-vips\.so' "$WORK/image.log"
check "and libvips with it" grep -q 'file=libvips' "$WORK/image.log"
page=$(find "$site/public" -path '*picture/index.html' | head -1)
check "the image got its size" contains "$page" 'width="300"'

# A folio binary away from its modules (no folio-vips.so beside it nor in ../lib/folio).
mkdir -p "$WORK/alone/bin"
cp "$FOLIO" "$WORK/alone/bin/folio"
rm -rf "$site/.folio-cache" "$site/public" # the image cache would spare folio the module
(cd "$site" && env -u FOLIO_MODULE_DIR "$WORK/alone/bin/folio" build --no-cache > "$WORK/alone.log" 2>&1)
check "without its module, a build with an image fails" test $? -ne 0
check "naming the module: $(cat "$WORK/alone.log")" contains "$WORK/alone.log" "cannot load folio's module folio-vips.so"
check "and where it looked" contains "$WORK/alone.log" "$WORK/alone/bin/../lib/folio"
rm -f "$site/content/posts/2024-05-02-picture.md"
check "without its module, a build without images works" "$WORK/alone/bin/folio" build -q --no-cache -s "$site"
(cd "$sassy" && env -u FOLIO_MODULE_DIR "$WORK/alone/bin/folio" build --no-cache > "$WORK/alone-sass.log" 2>&1)
check "without folio-sass.so, a build with Sass fails" test $? -ne 0
check "naming the module: $(head -c 300 "$WORK/alone-sass.log")" contains "$WORK/alone-sass.log" "folio-sass.so"
# FOLIO_MODULE_DIR names the folder, and the installed layout (PREFIX/lib/folio) is found.
mkdir -p "$WORK/alone/lib/folio"
cp "$(dirname "$FOLIO")/folio-vips.so" "$WORK/alone/lib/folio/"
printf -- '---\ntitle: Picture\n---\n![a small one](/images/small.png)\n' > "$site/content/posts/2024-05-02-picture.md"
rm -rf "$site/.folio-cache" "$site/public"
check "the installed layout: bin/folio finds lib/folio/folio-vips.so" \
  "$WORK/alone/bin/folio" build -q --no-cache -s "$site"
finish

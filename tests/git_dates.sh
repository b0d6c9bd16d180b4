#!/usr/bin/env bash
# The `git` date source: a post's date is its first commit's author time and its lastmod its
# last commit's, read from the repository holding the site; `touch` changes nothing. A post git
# does not know and that has no other date warns once and gets a URL without date parts; a site
# outside any repository builds as before.
. "$(dirname "$0")/lib.sh"
command -v git >/dev/null || { echo "git is not installed"; exit 77; }

# A layout that prints what the test checks.
add_layout() {
  mkdir -p "$1/layouts"
  printf 'DATE={{ iso_date(page.date) }} LASTMOD={{ iso_date(page.lastmod) }} URL={{ page.url }}\n' > "$1/layouts/post.html"
}
# commit_at DATE MESSAGE: a commit in the current folder with author and committer at DATE
commit_at() {
  GIT_AUTHOR_DATE="$1" GIT_COMMITTER_DATE="$1" git -c user.name=T -c user.email=t@example.org \
    commit -q -m "$2" >/dev/null
}
# The built page of a post, from its slug (wherever its URL put it).
out_of() { find "$1/public" -path "*/$2/index.html" | head -1; }

# ---- a site in a subfolder of a repository -------------------------------------------------
R=$WORK/repo
S=$R/blog
make_site "$S" 'permalinks = { posts = "/:year/:month/:day/:slug/", default = "/:path/" }' 'plugins = { "sitemap", "feeds" }'
add_layout "$S"
printf -- '---\ntitle: First\n---\nOne.\n' > "$S/content/posts/first.md"
printf -- '---\ntitle: Second\n---\nTwo.\n' > "$S/content/posts/second.md"
printf -- '---\ntitle: Dated\ndate: 2019-05-05\n---\nFront matter wins.\n' > "$S/content/posts/dated.md"
(cd "$R" && git init -q . && git add -A && commit_at "2021-03-04T05:06:07" "first posts")
printf -- '---\ntitle: Second\n---\nTwo, edited.\n' > "$S/content/posts/second.md"
(cd "$R" && git add -A && commit_at "2022-08-09T10:11:12" "edit second")

"$FOLIO" build -s "$S" > "$WORK/out.log" 2> "$WORK/err.log"
check "the build in a repository succeeds" test $? -eq 0
F=$(out_of "$S" first); T=$(out_of "$S" second); D=$(out_of "$S" dated)
check "first: date from its first commit" contains "$F" "DATE=2021-03-04T05:06:07"
check "first: lastmod is its only commit" contains "$F" "LASTMOD=2021-03-04T05:06:07"
check "first: a dated URL from the commit date" contains "$F" "URL=/2021/03/04/first/"
check "second: date from its first commit" contains "$T" "DATE=2021-03-04T05:06:07"
check "second: lastmod from its last commit" contains "$T" "LASTMOD=2022-08-09T10:11:12"
check "front matter date still wins" contains "$D" "DATE=2019-05-05T00:00:00"
check "front matter date keeps the commit as lastmod" contains "$D" "LASTMOD=2021-03-04T05:06:07"
check "the sitemap has the git lastmod" contains "$S/public/sitemap.xml" "2022-08-09"
check "no warning for committed posts" lacks "$WORK/err.log" "modification time"
cp -r "$S/public" "$WORK/before"

# touch changes nothing
TZ=UTC touch -d "2025-01-01" "$S/content/posts/first.md" "$S/content/posts/second.md"
"$FOLIO" build -s "$S" > /dev/null 2>&1
check "touch changes no output" diff -r "$WORK/before" "$S/public"

# an uncommitted post with no other date: mtime, one warning, a URL without date parts
printf -- '---\ntitle: Fresh\n---\nNot committed.\n' > "$S/content/posts/fresh.md"
printf -- '---\ntitle: Fresher\n---\nNot committed.\n' > "$S/content/posts/fresher.md"
"$FOLIO" build -s "$S" > "$WORK/out2.log" 2> "$WORK/err2.log"
check "the build with uncommitted posts succeeds" test $? -eq 0
check "uncommitted post: URL without date parts" test -f "$S/public/fresh/index.html"
check "uncommitted post: the page says so" contains "$S/public/fresh/index.html" "URL=/fresh/"
check "one warning for both posts" test "$(grep -c "modification time" "$WORK/err2.log")" -eq 1
check "the warning counts and names them" grep -q "2 pages have no date.*content/posts/fresh.md, content/posts/fresher.md" "$WORK/err2.log"
check "the warning shows the permalink it changed" contains "$WORK/err2.log" "/:year/:month/:day/:slug/ gives /:slug/"
check "committed posts keep their URLs" test -f "$S/public/2021/03/04/first/index.html"
"$FOLIO" build --strict -s "$S" > /dev/null 2>&1
check "--strict fails on it" test $? -ne 0
rm "$S/content/posts/fresh.md" "$S/content/posts/fresher.md"

# date_order without git: the commit dates are not used
echo 'date_order = { "front_matter", "filename", "mtime" }' >> "$S/site.lua"
"$FOLIO" build -s "$S" > /dev/null 2> "$WORK/err3.log"
check "without git in date_order: mtime" contains "$(out_of "$S" first)" "DATE=2025-01-01"

# ---- a site outside any repository ---------------------------------------------------------
O=$WORK/plain
make_site "$O"
add_layout "$O"
printf -- '---\ntitle: Named\n---\nx\n' > "$O/content/posts/2020-02-03-named.md"
printf -- '---\ntitle: Loose\n---\nx\n' > "$O/content/posts/loose.md"
TZ=UTC touch -d "2024-06-07T08:09:10" "$O/content/posts/loose.md"
GIT_CEILING_DIRECTORIES=$WORK "$FOLIO" build -s "$O" > /dev/null 2> "$WORK/err4.log"
check "a site outside a repository builds" test $? -eq 0
check "file name date as before" contains "$O/public/2020/02/03/named/index.html" "DATE=2020-02-03"
check "mtime date as before" contains "$O/public/loose/index.html" "DATE=2024-06-07T08:09:10"
check "no git error outside a repository" lacks "$WORK/err4.log" "git history"
check "the mtime warning outside a repository" contains "$WORK/err4.log" "content/posts/loose.md"

# ---- a repository with no commit yet: as outside one ----------------------------------------
E=$WORK/empty
make_site "$E"
add_layout "$E"
printf -- '---\ntitle: Early\n---\nx\n' > "$E/content/posts/2020-02-03-early.md"
(cd "$E" && git init -q .)
"$FOLIO" build -s "$E" > /dev/null 2> "$WORK/err5.log"
check "a repository without commits builds" test $? -eq 0
check "no git error without commits" lacks "$WORK/err5.log" "git history"

finish

#!/bin/bash
# The command line as a daily tool (src/cli/): did-you-mean, --base-url, serve -D/--open,
# folio new page/post --draft from inside a site, one-line user errors, the failed-build summary.
. "$(dirname "$0")/lib.sh"
cd "$WORK"

# run OUT ERR command...: runs it, keeps stdout/stderr in files, returns its status in $rc
run() { local out=$1 err=$2; shift 2; "$@" >"$out" 2>"$err"; rc=$?; }

# ---- did you mean ----
run o e "$FOLIO" biuld
check "a mistyped command exits 2" [ "$rc" -eq 2 ]
check "a mistyped command suggests the right one" contains e "unknown command 'biuld' (did you mean 'build'?)"
run o e "$FOLIO" build --draft
check "a mistyped option exits 2" [ "$rc" -eq 2 ]
check "a mistyped option suggests the right one" contains e "unknown option '--draft' (did you mean '--drafts'?)"
check "the option error has a hint" contains e "hint: folio build --help lists the options"
run o e "$FOLIO" serve --bse-url x
check "serve suggests --base-url" contains e "did you mean '--base-url'?"
run o e "$FOLIO" check --extrenal
check "check suggests --external" contains e "did you mean '--external'?"
run o e "$FOLIO" help chek
check "help suggests a command" contains e "did you mean 'check'?"
run o e "$FOLIO" build --zzzzzz
check "a far-off option gets no suggestion" lacks e "did you mean"

# ---- new site / post / page ----
run o e "$FOLIO" new site blog
check "new site works" [ "$rc" -eq 0 ]
check "new site keeps public/ and the build cache out of git" grep -qx "/.folio-cache/" blog/.gitignore
check "new site's .gitignore has public/" grep -qx "/public/" blog/.gitignore
run o e "$FOLIO" new site blog
check "new site on an existing site exits 1" [ "$rc" -eq 1 ]
check "new site on an existing folder: one line" contains e "folio new site: blog exists and is not empty (it is a site already)"
check "new site on an existing folder: a hint" contains e "hint: cd blog && folio new post"
check "new site: no traceback" lacks e "traceback"
mkdir other && touch other/x
run o e "$FOLIO" new site other
check "new site on a non-empty folder names it" contains e "other exists and is not empty"
run o e "$FOLIO" new post "Outside"
check "new post outside a site exits 1" [ "$rc" -eq 1 ]
check "new post outside a site: one line" contains e "folio new post: no site.lua in this folder or any folder above it"
check "new post outside a site: a hint" contains e "hint:"
check "new post outside a site: no traceback" lacks e "traceback"
(cd blog/content/posts && "$FOLIO" new post "Deep Thoughts" --draft) >o 2>e
check "new post from a folder inside the site" contains o "created ../../content/posts/"
post=$(ls blog/content/posts/*-deep-thoughts.md 2>/dev/null)
check "new post wrote content/posts/DATE-slug.md" [ -n "$post" ]
check "new post --draft sets draft: true" contains "$post" "draft: true"
(cd blog/content/posts && "$FOLIO" new post "Deep Thoughts") >o 2>e
rc=$?
check "new post on an existing file exits 1" [ "$rc" -eq 1 ]
check "new post on an existing file: one line" contains e "already exists; folio new never overwrites a file"
check "new post on an existing file: no traceback" lacks e "traceback"
(cd blog && "$FOLIO" new page about) >o 2>e
check "new page NAME writes content/NAME.md" [ -f blog/content/about.md ]
check "new page gives a title" contains blog/content/about.md 'title: "About"'
(cd blog/static && "$FOLIO" new page docs/install --draft) >o 2>e
check "new page with a folder, from inside the site" [ -f blog/content/docs/install.md ]
check "new page --draft" contains blog/content/docs/install.md "draft: true"
run o e "$FOLIO" new post x --sction y
check "new: an unknown option exits 2" [ "$rc" -eq 2 ]
check "new: an unknown option suggests" contains e "did you mean '--section'?"
run o e "$FOLIO" new thing x
check "new: an unknown kind exits 2" [ "$rc" -eq 2 ]

# ---- --base-url and the failed-build summary ----
(cd blog && "$FOLIO" build -q --base-url https://preview.example.net/pr-7) >o 2>e
check "build --base-url works" [ $? -eq 0 ]
check "the sitemap uses --base-url" contains blog/public/sitemap.xml "https://preview.example.net/pr-7/"
check "pages' canonical URLs use --base-url" grep -rqF 'href="https://preview.example.net/pr-7/' blog/public --include=index.html
check "site.lua's base_url is not used" bash -c "! grep -rqF 'https://example.org/' blog/public --include=*.xml"
run o e "$FOLIO" build -s blog --base-url not-a-url
check "a bad --base-url exits 2" [ "$rc" -eq 2 ]
check "a bad --base-url says what it takes" contains e "--base-url takes an absolute URL"
make_site broken
echo 'title = ' >> broken/site.lua
run o e "$FOLIO" build -s broken
check "a broken site fails" [ "$rc" -eq 1 ]
check "no previous output: not claimed" lacks e "previous output"
check "no previous output: says nothing was written" contains e "nothing was written to public"
make_site second
printf -- '---\ntitle: A\n---\nhi\n' > second/content/a.md
"$FOLIO" build -q -s second >/dev/null 2>&1
echo 'title = ' >> second/site.lua
run o e "$FOLIO" build -s second
check "with a previous output: it was left" contains e "the previous output in public was left as it was"

# ---- serve: -D, --base-url, --open ----
# serve LOG args...: folio serve in this folder (tests/lib.sh start_serve); its URL in $surl.
serve() { start_serve . "$@"; surl=$serve_url; spid=$serve_pid; }
printf -- '---\ntitle: Secret\ndraft: true\n---\nwip\n' > blog/content/secret.md
cd blog
serve ../s1.log -D
check "serve -D starts" [ -n "$surl" ]
port=$(echo "$surl" | sed 's#.*:\([0-9]*\)/#\1#')
check "serve -D shows drafts" bash -c "curl -sf http://127.0.0.1:$port/secret/ | grep -q wip"
stop_serve
serve ../s2.log --no-drafts
port=$(echo "$surl" | sed 's#.*:\([0-9]*\)/#\1#')
check "serve --no-drafts hides drafts" bash -c "! curl -sf http://127.0.0.1:$port/secret/ >/dev/null"
stop_serve
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
serve ../s3.log --base-url http://tunnel.example:8080/ -p "$port"
check "serve prints the --base-url address" contains ../s3.log "at http://tunnel.example:8080/"
check "serve --base-url: the pages use it" bash -c "curl -sf http://127.0.0.1:$port/sitemap.xml | grep -q tunnel.example:8080"
stop_serve
printf '#!/bin/sh\necho "$1" > "%s/opened"\n' "$WORK" > ../fake-browser && chmod +x ../fake-browser
BROWSER=$WORK/fake-browser serve ../s4.log --open
for _ in $(seq 1 50); do [ -s "$WORK/opened" ] && break; sleep 0.1; done
check "serve --open runs \$BROWSER with the address" contains "$WORK/opened" "$surl"
stop_serve
BROWSER=/nonexistent/browser serve ../s5.log --open
sleep 0.3
check "serve --open without a browser: a one-line note" contains ../s5.log "Note: no browser to open"
check "serve --open without a browser: still serving" kill -0 "$spid"
stop_serve
cd ..
finish

#!/usr/bin/env bash
# Bad input: every problem is reported with its file, line and a hint, all of them in one build,
# the build exits non-zero and the previous output stays.
. "$(dirname "$0")/lib.sh"

S=$WORK/site
make_site "$S"
mkdir -p "$S/layouts" "$S/scripts" "$S/content/loop"
printf -- '---\ntitle: Good\ndate: 2020-01-01\n---\nfine\n' > "$S/content/posts/good.md"
"$FOLIO" build -s "$S" -q > /dev/null 2>&1 && ok || bad "first good build"
check "first build wrote the output" test -f "$S/public/index.html"

# invalid YAML on file line 3
printf -- '---\ntitle: ok\nauthor: [unclosed\ndate: 2020-01-01\n---\nbody\n' > "$S/content/posts/yaml.md"
# not UTF-8 on line 4
printf -- '---\ntitle: Latin\n---\ncaf\xe9\n' > "$S/content/posts/latin1.md"
# a layout that does not exist
printf -- '---\ntitle: Lost\nlayout: nowhere\n---\ntext\n' > "$S/content/posts/lost.md"
# a template with a Lua error on its line 3
printf -- '---\ntitle: Tpl\nlayout: broken\n---\ntext\n' > "$S/content/posts/tpl.md"
printf '<html>\n<body>\n{{ page.missing.field }}\n</body>\n</html>\n' > "$S/layouts/broken.html"
# a hook that fails on one page, at scripts/fail.lua line 3
printf -- '---\ntitle: Hooked\n---\nboom here\n' > "$S/content/posts/hooked.md"
printf 'folio.hook("html", function(page)\n  if page.content:find("boom") then\n    error("the hook blew up")\n  end\nend)\n' > "$S/scripts/fail.lua"
# a symbolic link loop
ln -s .. "$S/content/loop/up"
# two pages claiming one URL
printf -- '---\ntitle: Twin\ndate: 2020-02-02\n---\none\n' > "$S/content/posts/twin1.md"
printf -- '---\ntitle: Twin\ndate: 2020-02-02\n---\ntwo\n' > "$S/content/posts/twin2.md"
# an invalid date
printf -- '---\ntitle: When\ndate: 2020-13-45\n---\nx\n' > "$S/content/posts/when.md"

"$FOLIO" build -s "$S" > "$WORK/out.log" 2>&1
status=$?
cp "$WORK/out.log" /tmp/folio-build-errors.log 2>/dev/null
check "the build fails" test "$status" -eq 1
L=$WORK/out.log
check "YAML error names file and line" grep -q "content/posts/yaml.md:4: error: invalid YAML.*started on line 3" "$L"
check "non-UTF-8 is a warning with file and line" contains "$L" "content/posts/latin1.md:4: warning:"
check "non-UTF-8 says UTF-8" contains "$L" "UTF-8"
check "missing layout is a warning naming it" grep -q "content/posts/lost.md:3: warning: layout 'nowhere'" "$L"
check "template error names template file and line" contains "$L" "layouts/broken.html:3:"
check "template error names the page" grep -q "content/posts/tpl.md" "$L"
check "hook error names hook file and line" contains "$L" "scripts/fail.lua:3:"
check "hook error names the page" grep -q "hooked.md" "$L"
check "hook error has the message" contains "$L" "the hook blew up"
check "symlink loop reported" grep -q "content/loop/up.*loop" "$L"
check "duplicate URL reported with both files" grep -q "twin1.md and content/posts/twin2.md" "$L"
check "invalid date is a warning with its line" contains "$L" "content/posts/when.md:3: warning:"
check "errors come with hints" contains "$L" "hint:"
check "good page still fine but output kept" contains "$S/public/index.html" "Good"
check "failed build did not publish anything new" lacks "$S/public/index.html" "Hooked"
check "the summary counts the errors" grep -q "failed with [0-9]* errors" "$L"

# A bigger site renders in two processes: errors from either reach the report.
S3=$WORK/big
make_site "$S3"
mkdir -p "$S3/layouts"
printf '{{ page.nothing.here }}\n' > "$S3/layouts/bad.html"
for i in $(seq 1 100); do
  layout=post; [ $((i % 10)) -eq 0 ] && layout=bad
  printf -- '---\ntitle: "Post %d"\ndate: 2020-01-01 00:%02d\nlayout: %s\n---\nText %d\n' "$i" $((i % 60)) "$layout" "$i" > "$S3/content/posts/p$i.md"
done
"$FOLIO" build -s "$S3" > "$WORK/big.log" 2>&1
check "big site with bad layouts fails" test $? -eq 1
check "every bad page is counted, whichever process rendered it" contains "$WORK/big.log" "the same for 10 pages"
FOLIO_NO_FORK=1 "$FOLIO" build -s "$S3" > "$WORK/big1.log" 2>&1
check "same report without forking" contains "$WORK/big1.log" "the same for 10 pages"

# site.lua problems
S2=$WORK/site2
make_site "$S2" 'plugins = { "no_such_plugin" }'
check "unknown plugin fails" bash -c "! '$FOLIO' build -s '$S2' > '$WORK/p.log' 2>&1"
check "unknown plugin is named" contains "$WORK/p.log" "no_such_plugin"
printf 'title = "x"\nthis is not lua\n' > "$S2/site.lua"
check "site.lua syntax error fails" bash -c "! '$FOLIO' build -s '$S2' > '$WORK/s.log' 2>&1"
check "site.lua syntax error has its line" contains "$WORK/s.log" "site.lua:2:"
printf 'timezone = "Mars/Olympus"\n' > "$S2/site.lua"
check "bad time zone fails" bash -c "! '$FOLIO' build -s '$S2' > '$WORK/t.log' 2>&1"
check "bad time zone named" contains "$WORK/t.log" "Mars/Olympus"
check "no site.lua is explained" bash -c "'$FOLIO' build -s '$WORK' 2>&1 | grep -q 'no site.lua'"
finish

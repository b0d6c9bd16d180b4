#!/usr/bin/env bash
# The three real writeups in ../shared/seeds, copied as .md into a new site's content/,
# must publish well with the default plugins of `folio new site`.
. "$(dirname "$0")/lib.sh"
SEEDS=$SHARED/seeds
if [ ! -d "$SEEDS" ]; then echo "SKIP: $SEEDS is absent (the seeds live in ../shared)"; exit 77; fi

(cd "$WORK" && "$FOLIO" new site seeds > /dev/null) || { bad "new site"; finish; }
S=$WORK/seeds
rm -f "$S"/content/posts/*.md
for f in "$SEEDS"/*.txt; do cp "$f" "$S/content/posts/$(basename "${f%.txt}").md"; done
touch -d "2021-12-01 10:00" "$S/content/posts/001_0991cc97210c49dc.md"
"$FOLIO" build --no-minify -s "$S" > "$WORK/build.log" 2>&1 && ok || bad "seeds build: $(cat "$WORK/build.log")"
O=$S/public
POST=$O/2014/01/08/why-you-should-go-to-meetups/index.html
check "dated post at its clean URL" test -f "$POST"
check "its title" contains "$POST" "<title>Why You Should Go to Meetups"
check "remote image with empty alt kept" grep -q '<img src="http://files.meetup.com/1490034/Meetup%2520logo.jpg" alt=""' "$POST"
check "its links" contains "$POST" 'href="http://www.meetup.com/austinpython/"'
check "its date shown" grep -q "2014" "$POST"
# Its own page, found by the slug its subject gives (other pages name it too: the home page, the
# archives, a neighbour's previous/next links; which one a grep of the tree finds first varies).
JANET=$(find "$O" -path "*/janets-meetup-writeup/index.html" | head -1)
check "subject becomes the title" test -n "$JANET"
if [ -n "$JANET" ]; then
  check "emoji shortcodes become emoji" contains "$JANET" "✨✨✨"
  check "no shortcode left" lacks "$JANET" ":sparkles:"
  check "subject in <title>" grep -q "<title>Janet.*Meetup Writeup" "$JANET"
  check "description skips the row of emoji and the bold title line" \
    grep -q '<meta name="description" content="I used the [^ ]*meetup[^ ]* app to look for an event' "$JANET"
fi
check "a post opening with an image is described by its first text paragraph" \
  grep -q '<meta name="description" content="Tonight I went to a meetup for Austin Python.' "$POST"
if [ -n "$JANET" ]; then
  check "smart quotes in the seeds' text" contains "$JANET" "I used the ‘meetup’ app"
fi
HYD=$(grep -rl "Python Meetup Experience" "$O" --include=index.html | grep "python-meetup-experience" | head -1)
check "first heading (#Heading, no space) becomes the title" test -n "$HYD"
if [ -n "$HYD" ]; then
  check "##Heading is a heading" grep -q "<h2[^>]*>How did it go?" "$HYD"
  check "no stray # left" lacks "$HYD" "##"
fi
check "home lists all three" bash -c "grep -c 'Why You Should Go\|Janet\|Python Meetup Experience' '$O/index.html' | grep -qv '^[012]$'"
finish

#!/usr/bin/env bash
# jekyll_urls.sh JEKYLL_SITE FOLIO_SITE: compares the files two builds wrote (Jekyll's _site and
# folio's output folder of the same sources): prints the files only Jekyll wrote and the files
# only folio wrote, leaving out folio's own theme files (css/, favicon.svg, search.js,
# .folio-output), then "N same, J only in Jekyll, F only in folio".
set -eu
[ $# -eq 2 ] || { echo "usage: $0 JEKYLL_SITE FOLIO_SITE (two output folders)" >&2; exit 2; }
list() { (cd "$1" && find . -type f ! -name .folio-output | sed 's#^\./##' | sort); }
theme='^(css/(style|highlight)\.css|favicon\.svg|search\.js)$'
j=$(mktemp); f=$(mktemp); trap 'rm -f "$j" "$f"' EXIT
list "$1" > "$j"
list "$2" | grep -Ev "$theme" > "$f" || true
echo "== only in Jekyll's output"; comm -23 "$j" "$f"
echo "== only in folio's output"; comm -13 "$j" "$f"
echo "$(comm -12 "$j" "$f" | wc -l) same, $(comm -23 "$j" "$f" | wc -l) only in Jekyll, $(comm -13 "$j" "$f" | wc -l) only in folio"

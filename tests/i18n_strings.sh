#!/usr/bin/env bash
# i18n_strings.sh: the default theme's strings and dates in the site's language, a site's own
# i18n/<lang>.lua overriding one key, the fallback to English with one warning per missing key,
# and an Arabic site written right to left.
. "$(dirname "$0")/lib.sh"

post() { # post DIR NAME TITLE
  printf -- '---\ntitle: %s\ndate: 2026-12-02 10:00\ntags: [one]\n---\n%s\n' "$3" "$(printf 'word %.0s' $(seq 1 500))" > "$1/content/posts/$2.md"
}
build() { (cd "$1" && "$FOLIO" build > "$WORK/build.log" 2>&1); }

# German: strings, plural, date order and month name.
make_site "$WORK/de" 'language = "de"' 'plugins = { "taxonomies", "search" }'
post "$WORK/de" hallo "Hallo"
post "$WORK/de" zwei "Zwei"
build "$WORK/de" && ok || bad "German site builds: $(cat "$WORK/build.log")"
page=$(find "$WORK/de/public" -path '*hallo/index.html' | head -1)
check "html lang de" contains "$page" '<html lang="de">'
check "no dir on a left-to-right page" lacks "$page" 'dir="rtl"'
check "German date" contains "$page" '>2. Dezember 2026</time>'
check "German reading time" contains "$page" '3 Min. Lesezeit'
check "German skip link" contains "$page" 'Zum Inhalt springen'
check "German search box" contains "$page" 'placeholder="Suche"'
check "German previous/next" contains "$page" 'Weiter'
tag="$WORK/de/public/tags/one/index.html"
check "German plural in a list" contains "$tag" '2 Beiträge'
check "German term title" contains "$tag" 'Beiträge mit dem Schlagwort one'
check "no English left" lacks "$page" 'min read'

# Japanese date order; French month names.
make_site "$WORK/ja" 'language = "ja"'
post "$WORK/ja" a "A"
build "$WORK/ja" && ok || bad "Japanese site builds: $(cat "$WORK/build.log")"
check "Japanese date" contains "$(find "$WORK/ja/public" -path '*/a/index.html')" '2026年12月2日'
make_site "$WORK/fr" 'language = "fr"'
post "$WORK/fr" a "A"
build "$WORK/fr" && ok || bad "French site builds: $(cat "$WORK/build.log")"
check "French date" contains "$(find "$WORK/fr/public" -path '*/a/index.html')" '2 décembre 2026'

# The site's own i18n/de.lua replaces one key; the others still come from the theme.
mkdir -p "$WORK/de/i18n"
echo 'return { min_read = { one = "%d Minute", other = "%d Minuten" } }' > "$WORK/de/i18n/de.lua"
build "$WORK/de" && ok || bad "override builds: $(cat "$WORK/build.log")"
check "site override used" contains "$page" '3 Minuten'
check "other keys kept from the theme" contains "$page" 'Zum Inhalt springen'

# A language the theme has no file for: English text, one warning per missing key.
make_site "$WORK/xx" 'language = "sv"'
post "$WORK/xx" a "A"
post "$WORK/xx" b "B"
post "$WORK/xx" c "C"
mkdir -p "$WORK/xx/i18n"
echo 'return { search = "Sök", min_read = { one = "%d minut", other = "%d minuter" } }' > "$WORK/xx/i18n/sv.lua"
(cd "$WORK/xx" && FOLIO_NO_FORK=1 "$FOLIO" build -j1 > "$WORK/build.log" 2>&1) && ok || bad "Swedish site builds: $(cat "$WORK/build.log")"
a=$(find "$WORK/xx/public" -path '*/a/index.html')
check "translated key used" contains "$a" '3 minuter'
check "missing key falls back to English" contains "$a" 'Skip to content'
n=$(grep -c "no translation of 'skip_to_content' for language 'sv'" "$WORK/build.log")
check "one warning for the missing key (got $n)" test "$n" = 1
check "warning names the file to add it to" grep -qF 'i18n/sv.lua' "$WORK/build.log"

# Arabic: right to left, Arabic strings and month names.
make_site "$WORK/ar" 'language = "ar"'
post "$WORK/ar" a "مرحبا"
build "$WORK/ar" && ok || bad "Arabic site builds: $(cat "$WORK/build.log")"
a=$(find "$WORK/ar/public" -path '*/index.html' -newer "$WORK/ar/site.lua" | xargs grep -l 'مرحبا</h1>' | head -1)
check "html lang ar, dir rtl" contains "$a" '<html lang="ar" dir="rtl">'
check "home is rtl too" contains "$WORK/ar/public/index.html" 'dir="rtl"'
check "Arabic month" contains "$a" 'ديسمبر 2026'
check "Arabic plural (3: few)" contains "$a" '3 دقائق قراءة'
check "theme CSS uses logical properties" contains "$WORK/ar/public/css/style.css" 'padding-inline-start'
check "theme CSS has no physical left margins" lacks "$WORK/ar/public/css/style.css" 'margin-left'

# Front matter lang on one page of an English site.
make_site "$WORK/mix"
post "$WORK/mix" a "A"
printf -- '---\ntitle: Bonjour\ndate: 2026-12-01\nlang: fr\n---\nTexte.\n' > "$WORK/mix/content/posts/b.md"
build "$WORK/mix" && ok || bad "mixed site builds: $(cat "$WORK/build.log")"
check "front matter lang drives <html lang>" contains "$(find "$WORK/mix/public" -path '*/bonjour/index.html')" '<html lang="fr">'
check "site language elsewhere" contains "$(find "$WORK/mix/public" -path '*/a/index.html')" '<html lang="en">'
finish

# Issue 10's remaining language work: search.js's messages from the theme's i18n files (each
# language's search box reading its own index) and a not-found page per language.
folio_shell_test(i18n_search_404 i18n_search_404.sh)

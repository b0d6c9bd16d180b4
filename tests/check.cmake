# folio check: planted broken links, fragments and images named by file:line; the example site
# passes; --dir; --external against a local python http.server.
folio_shell_test(check check.sh)
folio_shell_test(check_external check_external.sh)
folio_shell_test(check_repeats check_repeats.sh)

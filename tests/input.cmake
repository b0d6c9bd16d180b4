# Real users' sloppy or wrong input: warnings with a fallback, --strict, front matter types,
# text that is not UTF-8, raw HTML embeds; and reproducible builds.
folio_shell_test(input_warnings input_warnings.sh)
folio_shell_test(reproducible reproducible.sh)

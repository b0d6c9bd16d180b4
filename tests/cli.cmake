# The command line (src/cli/): did-you-mean, --base-url, serve -D/--open, folio new page/post
# from inside a site, one-line user errors, the failed-build summary.
folio_shell_test(cli cli.sh)

# The `git` date source (src/core/gitdates.c): dates from a repository made in the test.
folio_shell_test(git_dates git_dates.sh)

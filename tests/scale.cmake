# Scale (issue 13): what a batch build keeps in memory (tests/scale.sh); growth of work and output
# with the site is tests/growth.sh (plugins.cmake).
folio_shell_test(scale_memory scale.sh)

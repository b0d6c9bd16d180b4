# A Jekyll folder built as it is (compat/jekyll): safe mode on a Jekyll site (the liquid plugin
# with folio's safe subsets, layouts rendered through the sandboxed engine), and kramdown's
# and Jekyll plugins' behaviours matched for Jekyll sites only.
folio_shell_test(jekyll_safe_mode jekyll_safe_mode.sh)
folio_shell_test(jekyll_kramdown jekyll_kramdown.sh)

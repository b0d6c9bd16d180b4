# Jekyll's site model (compat/jekyll/site.lua): a folder with _config.yml and no site.lua.
folio_shell_test(jekyll_site jekyll_site.sh)
folio_shell_test(jekyll_plugins jekyll_plugins.sh)

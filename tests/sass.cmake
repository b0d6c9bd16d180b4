# Sass and SCSS compiled by libsass (src/lua/lx_sass.c, src/lua/folio/assets.lua): imports,
# partials, errors with file:line, source maps, a Jekyll site's assets/*.scss with _sass/ imports.
folio_shell_test(sass_site sass_site.sh)
folio_shell_test(sass_serve_maps sass_serve_maps.sh)

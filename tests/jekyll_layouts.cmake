# Jekyll layouts and includes through Liquid (compat/jekyll/layouts.lua, drops.lua): a small
# Jekyll site with its own _layouts/_includes, pagination, seo/feed_meta, fallbacks.
folio_shell_test(jekyll_layouts jekyll_layouts.sh)

# Issue 13's render phase: partials rendered once per language (`cache: language` front matter),
# script_json's fast path, the memoised helpers; their output equals the plain render's.
folio_lua_test(render_cache test_render_cache.lua)
folio_shell_test(render_default_theme render_default_theme.sh)

# Liquid (compat/jekyll/liquid/, scripts/liquid.lua): the engine on hand-written cases, and a
# small site built with the plugin on.
folio_lua_test(liquid test_liquid.lua)
folio_shell_test(liquid_e2e liquid_e2e.sh)

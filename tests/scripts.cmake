# Shipped plugins (scripts/*.lua) and the emoji table generator.
folio_lua_test(emoji test_emoji.lua)
folio_lua_test(headings test_headings.lua)

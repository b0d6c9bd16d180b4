# Front matter (src/lua/lx_frontmatter.c, src/md/frontmatter.c) and dates (src/lua/lx_date.c,
# src/core/date.c).
folio_lua_test(frontmatter test_frontmatter.lua)
folio_lua_test(date test_date.lua)
folio_lua_test(frontmatter_types test_frontmatter_types.lua)

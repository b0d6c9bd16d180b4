# Issue 13: per-page plugin work moved into C: the anchors plugin's heading ids
# (folio.heading_id, src/core/heading_id.c) and the summary plugin's white space
# (folio.collapse_space, src/lua/lx_util.c).
folio_lua_test(heading_id test_heading_id.lua)
folio_lua_test(collapse_space test_collapse_space.lua)

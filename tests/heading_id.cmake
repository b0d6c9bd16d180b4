# Issue 13: the anchors plugin's heading ids in C (folio.heading_id, src/core/heading_id.c).
folio_lua_test(heading_id test_heading_id.lua)

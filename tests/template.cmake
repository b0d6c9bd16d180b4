folio_lua_test(template test_template.lua)

folio_lua_test(ast test_ast.lua)

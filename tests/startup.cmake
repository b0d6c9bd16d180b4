# A build's fixed cost (issue 12): heavy libraries in modules loaded on first use, folio's Lua
# modules embedded as bytecode with their debug information.
folio_shell_test(startup_modules startup.sh)
folio_lua_test(startup_bytecode test_startup.lua)

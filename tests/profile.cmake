# Developer tools: the Lua sampling profiler (FOLIO_LUA_PROFILE, src/lua/lx_profile.c).
folio_shell_test(lua_profile lua_profile.sh)

# The persistent build cache (src/core/cache.c, src/lua/folio/buildcache.lua): warm output equal
# to cold, what each change invalidates, damaged and shared caches, --no-cache and --cache-dir.
folio_shell_test(build_cache cache.sh)
folio_lua_test(cache_pack test_cache_pack.lua)
folio_lua_test(fields_hash test_fields_hash.lua)

# How many Lua states a batch build makes (src/core/build.c): one for a small site, one per CPU
# for a big one, what -j says when given.
folio_shell_test(build_workers workers.sh)

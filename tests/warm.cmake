# Warm builds (issue 13): outputs an edit cannot change are linked from the last build's folder
# (src/lua/folio/warm.lua); every kind of edit still gives a cold build's bytes (tests/warm.sh).
folio_shell_test(warm_build warm.sh)

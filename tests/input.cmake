# Real users' sloppy or wrong input: warnings with a fallback, --strict, front matter types,
# text that is not UTF-8, raw HTML embeds; and reproducible builds.
folio_shell_test(input_warnings input_warnings.sh)
folio_shell_test(reproducible reproducible.sh)
# folio.fs.read, whole or only a file's head (the Jekyll model's front matter test).
folio_lua_test(fs_read test_fs_read.lua)

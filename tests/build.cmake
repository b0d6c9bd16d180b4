# Batch build: end-to-end tests, bad input reporting, the seeds, and the Lua page rules.
folio_shell_test(build_e2e build_e2e.sh)
folio_shell_test(build_errors build_errors.sh)
folio_shell_test(build_seeds build_seeds.sh)
folio_lua_test(page_rules test_page.lua)
folio_lua_test(html_text test_html_text.lua)
folio_lua_test(json test_json.lua)
folio_shell_test(hooks_e2e hooks_e2e.sh)
folio_shell_test(theme_screenshots theme_screenshots.sh)

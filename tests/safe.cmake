# Safe mode (docs/security.md): forbidden calls, CPU and memory budgets, and the example site
# built the same with and without --safe.
folio_shell_test(safe_mode safe_mode.sh)

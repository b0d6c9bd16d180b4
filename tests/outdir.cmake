# The output folder: refusals, marker and --force, symbolic links, the fallback swap, static links,
# output clashes; concurrent and killed builds; a full disk.
folio_shell_test(outdir_refusals outdir.sh)
folio_shell_test(outdir_concurrent outdir_concurrent.sh)
folio_shell_test(outdir_disk_full outdir_disk_full.sh)
# Many full builds and kills: alone, so the timing-sensitive preview tests never run beside it.
set_tests_properties(outdir_concurrent PROPERTIES RUN_SERIAL TRUE)

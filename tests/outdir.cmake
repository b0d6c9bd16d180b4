# The output folder: refusals, marker and --force, symbolic links, the fallback swap, static links,
# output clashes; concurrent and killed builds; a full disk.
folio_shell_test(outdir_refusals outdir.sh)
folio_shell_test(outdir_concurrent outdir_concurrent.sh)
folio_shell_test(outdir_disk_full outdir_disk_full.sh)

# Issue 11: images (folio.image over libvips, the images plugin, the image() helper).
folio_shell_test(images_e2e images_e2e.sh)
folio_shell_test(images_cache images_cache.sh)

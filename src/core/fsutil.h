/* fsutil.h: file-system helpers for the build: reading sources, writing output under a folder,
 * copying static files, removing a build tree, and swapping a finished build into place.
 * Functions return 0 on success or a negative errno value; none of them follows a symbolic link
 * when deleting. */
#ifndef FOLIO_FSUTIL_H
#define FOLIO_FSUTIL_H
#include <stddef.h>
#include <sys/types.h>

/* Reads the whole file into a malloc'd, NUL-terminated buffer (caller frees). */
int folio_read_file(const char *path, char **out, size_t *len);

/* Reads the first bytes of the file, up to `cap` (fewer when it is shorter), into `buf`; *len
 * is how many. One read of the head only (no stat, nothing more read): whether a file starts
 * with front matter, say. A FIFO is not waited for. */
int folio_read_head(const char *path, char *buf, size_t cap, size_t *len);

/* Creates every missing folder of `relpath` (a file path) below the folder `dirfd`. */
int folio_mkdirs_for(int dirfd, const char *relpath);

/* Writes `len` bytes to `relpath` below `dirfd`, creating folders as needed. With `replace`, the
 * bytes go to a temporary file in the same folder that is then renamed over `relpath`: whoever
 * has the old file open keeps reading the old file whole (the preview server). */
int folio_write_at(int dirfd, const char *relpath, const char *data, size_t len, int replace);

/* Copies the regular file `src` to `relpath` below `dirfd`, creating folders as needed;
 * `replace` as for folio_write_at. `size` (or NULL) is given the source's size once it is
 * open, also when the copy fails after that. */
int folio_copy_file_at(int dirfd, const char *relpath, const char *src, int replace, size_t *size);
/* As folio_copy_file_at, src naming a file below the folder src_dirfd (AT_FDCWD: a path). */
int folio_copy_file_from(int dirfd, const char *relpath, int src_dirfd, const char *src, int replace, size_t *size);

/* Puts `src` at `rel` below dirfd as a hard link (no bytes copied); with `replace` through a
 * temporary name renamed over the old file. An existing link to the same file is kept. 0 or a
 * negative errno (-EXDEV across file systems: the caller copies). */
int folio_link_file_at(int dirfd, const char *rel, const char *src, int replace);
/* As folio_link_file_at, src naming a file below the folder src_dirfd (AT_FDCWD: a path). */
int folio_link_file_from(int dirfd, const char *rel, int src_dirfd, const char *src, int replace);

/* Removes `path` and everything below it, never following symbolic links. */
int folio_remove_tree(const char *path);

/* Puts the finished build at `staging` in place of `output`: an atomic exchange when `output`
 * exists (the old tree is then removed), a rename otherwise. Where the file system has no
 * exchange (or FOLIO_TEST_NO_EXCHANGE=1), `output` is first renamed to `aside`, then `staging` to
 * `output`, then `aside` removed: a crash in between leaves the old tree whole at `aside`. */
int folio_swap_into_place(const char *staging, const char *output, const char *aside);

#endif

/* http_path.c: fuzzes the preview server's request paths (src/http/path.c).
 *
 * Input: one byte choosing the output room, then the raw request path. Properties:
 * - folio_http_clean_path agrees with a reference written here from its contract in
 *   http_util.h (decode once; refuse bad escapes, %2f, %5c, NUL, '\', "." and ".." segments;
 *   merge slashes; fail when the result does not fit): same verdict, same result, same trailing
 *   slash flag;
 * - a result never holds "." or ".." segments, "//", '\', NUL, or a leading/trailing '/';
 * - folio_http_open_beneath, in both resolve modes, on a served folder full of traps (symlinks up
 *   and out, absolute ones, a loop, a FIFO) next to a secret file: whatever it opens is inside the
 *   served folder (checked on the opened descriptor), never blocks, and the two modes agree
 *   wherever no absolute symlink is involved (openat2 refuses those by design). */
#include "fuzz.h"

#include "http/http_util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char S_base[PATH_MAX], S_root[PATH_MAX];

static void S_remove_tree(void)
{
  if (!S_base[0])
    return;
  char cmd[PATH_MAX + 32];
  FUZZ_FORMAT(cmd, sizeof cmd, "rm -rf '%s'", S_base);
  if (system(cmd) != 0)
    fprintf(stderr, "http_path: could not remove %s\n", S_base);
}

static void S_file(const char *rel, const char *text)
{
  char p[PATH_MAX];
  FUZZ_FORMAT(p, sizeof p, "%s/%s", S_base, rel);
  FILE *f = fopen(p, "w");
  if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
    perror(p);
    exit(1);
  }
}

static void S_link(const char *target, const char *rel)
{
  char p[PATH_MAX];
  FUZZ_FORMAT(p, sizeof p, "%s/%s", S_base, rel);
  if (symlink(target, p) != 0) {
    perror(p);
    exit(1);
  }
}

static void S_dir(const char *rel)
{
  char p[PATH_MAX];
  FUZZ_FORMAT(p, sizeof p, "%s/%s", S_base, rel);
  if (mkdir(p, 0755) != 0) {
    perror(p);
    exit(1);
  }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  const char *tmp = getenv("TMPDIR");
  FUZZ_FORMAT(S_base, sizeof S_base, "%s/folio-fuzz-path-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (mkdtemp(S_base) == NULL) {
    perror("mkdtemp");
    exit(1);
  }
  atexit(S_remove_tree);
  char abs_target[PATH_MAX];
  S_file("secret.txt", "SECRET-OUTSIDE-THE-ROOT");
  S_dir("root");
  S_dir("root/sub");
  S_dir("root/sub/deeper");
  S_file("root/index.html", "<p>home</p>");
  S_file("root/a.txt", "a");
  S_file("root/%41", "percent file");
  S_file("root/..a", "dots in a name");
  S_file("root/sub/b.txt", "b");
  S_file("root/sub/index.html", "<p>sub</p>");
  S_file("root/sub/deeper/c.txt", "c");
  S_link("a.txt", "root/link_in");
  S_link("sub", "root/link_sub");
  S_link("../b.txt", "root/sub/deeper/link_parent_in");
  S_link("../secret.txt", "root/link_up");
  S_link("..", "root/link_dir_up");
  S_link("../../secret.txt", "root/sub/link_up2");
  S_link("link_loop", "root/link_loop");
  S_link("/proc/self/cwd", "root/link_proc");
  FUZZ_FORMAT(abs_target, sizeof abs_target, "%s/secret.txt", S_base);
  S_link(abs_target, "root/link_abs_out");
  FUZZ_FORMAT(abs_target, sizeof abs_target, "%s/root/a.txt", S_base);
  S_link(abs_target, "root/link_abs_in");
  char fifo[PATH_MAX];
  FUZZ_FORMAT(fifo, sizeof fifo, "%s/root/fifo", S_base);
  if (mkfifo(fifo, 0644) != 0) {
    perror(fifo);
    exit(1);
  }
  FUZZ_FORMAT(fifo, sizeof fifo, "%s/root", S_base);
  if (realpath(fifo, S_root) == NULL) {
    perror(fifo);
    exit(1);
  }
  return 0;
}

/* ---- the reference ------------------------------------------------------------------------- */

static int S_hexval(int c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  c |= 0x20;
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The contract of folio_http_clean_path, written the slow way: segment by segment. */
static int S_reference(const char *raw, size_t len, char *out, size_t outlen, int *trailing)
{
  if (len == 0 || raw[0] != '/' || outlen == 0)
    return -1;
  size_t o = 0;
  size_t i = 1;
  while (i <= len) {
    /* one segment: raw[i, end) */
    size_t end = i;
    while (end < len && raw[end] != '/')
      end++;
    char seg[8192];
    size_t n = 0;
    for (size_t k = i; k < end; k++) {
      int c = (unsigned char)raw[k];
      if (c == '%') {
        if (k + 2 >= end)
          return -1;
        int hi = S_hexval((unsigned char)raw[k + 1]), lo = S_hexval((unsigned char)raw[k + 2]);
        if (hi < 0 || lo < 0)
          return -1;
        c = hi * 16 + lo;
        k += 2;
        if (c == '/' || c == '\\' || c == 0)
          return -1;
      } else if (c == '\\' || c == 0) {
        return -1;
      }
      seg[n++] = (char)c;
    }
    if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
      return -1;
    if (n > 0) {
      size_t need = o + (o > 0) + n + 1;
      if (need > outlen)
        return -1;
      if (o > 0)
        out[o++] = '/';
      memcpy(out + o, seg, n);
      o += n;
    }
    i = end + 1;
  }
  out[o] = '\0';
  *trailing = raw[len - 1] == '/';
  return 0;
}

/* ---- properties ---------------------------------------------------------------------------- */

static void S_check_shape(const char *out)
{
  size_t n = strlen(out);
  FUZZ_CHECK(n == 0 || (out[0] != '/' && out[n - 1] != '/'), "result \"%s\" has an outer '/'", out);
  FUZZ_CHECK(strstr(out, "//") == NULL && strchr(out, '\\') == NULL, "result \"%s\"", out);
  for (const char *seg = out; *seg;) {
    size_t len = strcspn(seg, "/");
    FUZZ_CHECK(!(len == 1 && seg[0] == '.') && !(len == 2 && seg[0] == '.' && seg[1] == '.'),
               "result \"%s\" has a dot segment", out);
    seg += len;
    if (*seg == '/')
      seg++;
  }
}

/* Where the fd points, or "" when that cannot be told. */
static void S_fd_path(int fd, char *buf, size_t cap)
{
  char link[64];
  FUZZ_FORMAT(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, buf, cap - 1);
  buf[n < 0 ? 0 : n] = '\0';
}

static int S_inside_root(const char *path)
{
  size_t n = strlen(S_root);
  return strncmp(path, S_root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static void S_check_open(const char *rel)
{
  int fds[2] = { folio_http_open_beneath(S_root, rel, FOLIO_RESOLVE_AUTO),
                 folio_http_open_beneath(S_root, rel, FOLIO_RESOLVE_PORTABLE) };
  struct stat st[2];
  for (int m = 0; m < 2; m++) {
    if (fds[m] < 0)
      continue;
    char where[PATH_MAX];
    S_fd_path(fds[m], where, sizeof where);
    FUZZ_CHECK(where[0] && S_inside_root(where), "mode %d opened \"%s\" as %s, outside %s", m, rel,
               where, S_root);
    FUZZ_CHECK(fstat(fds[m], &st[m]) == 0, "fstat: %s", strerror(errno));
  }
  int absolute_link = strstr(rel, "link_abs") != NULL || strstr(rel, "link_proc") != NULL;
  if (!absolute_link) {
    FUZZ_CHECK((fds[0] >= 0) == (fds[1] >= 0), "\"%s\": openat2 mode gives %d, portable mode %d",
               rel, fds[0], fds[1]);
    if (fds[0] >= 0)
      FUZZ_CHECK(st[0].st_ino == st[1].st_ino, "\"%s\": the two modes opened different files", rel);
  }
  for (int m = 0; m < 2; m++)
    if (fds[m] >= 0)
      close(fds[m]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 2 || size > 4096)
    return 0;
  /* Room: 0 -> as the server gives it (the raw length + 1), else 1..64 bytes. */
  size_t room_choice = data[0] % 65;
  const char *raw = (const char *)data + 1;
  size_t len = size - 1;
  size_t outlen = room_choice == 0 ? len + 1 : room_choice;

  char *got = malloc(outlen), *want = malloc(len + 2);
  FUZZ_CHECK(got && want, "out of memory");
  int got_trailing = -1, want_trailing = -1;
  int g = folio_http_clean_path(raw, len, got, outlen, &got_trailing);
  int w = S_reference(raw, len, want, outlen, &want_trailing);
  FUZZ_CHECK(g == w, "clean_path(\"%.*s\", room %zu) returned %d, the contract says %d%s%s",
             (int)len, raw, outlen, g, w, w == 0 ? " with " : "", w == 0 ? want : "");
  if (g == 0) {
    FUZZ_CHECK(strcmp(got, want) == 0, "clean_path(\"%.*s\") = \"%s\", expected \"%s\"", (int)len,
               raw, got, want);
    FUZZ_CHECK(got_trailing == want_trailing, "clean_path(\"%.*s\"): trailing slash %d, expected %d",
               (int)len, raw, got_trailing, want_trailing);
    S_check_shape(got);
    if (room_choice == 0)
      S_check_open(got);
  }
  free(got);
  free(want);
  return 0;
}

/* replay_main.c: a main() for the fuzz harnesses without libFuzzer. Runs every file named on the
 * command line, or found in a folder named there (not recursively, in name order), through
 * LLVMFuzzerTestOneInput once. A broken property aborts (so the ctest test fails); folders that
 * do not exist are skipped, so a harness without regressions yet still replays its seeds. */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

/* Optional in a harness: a weak default does nothing. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  return 0;
}

static int S_run_file(const char *path)
{
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
    return -1;
  }
  size_t cap = 4096, len = 0;
  uint8_t *data = malloc(cap);
  size_t n;
  while (data != NULL && (n = fread(data + len, 1, cap - len, f)) > 0) {
    len += n;
    if (len == cap) {
      uint8_t *bigger = realloc(data, cap * 2);
      if (bigger == NULL)
        free(data);
      data = bigger;
      cap *= 2;
    }
  }
  int failed = data == NULL || ferror(f);
  fclose(f);
  if (failed) {
    free(data);
    fprintf(stderr, "replay: cannot read %s\n", path);
    return -1;
  }
  /* Copy into a block of exactly `len` bytes so ASan sees reads past the input's end. */
  uint8_t *exact = malloc(len ? len : 1);
  if (exact == NULL) {
    free(data);
    return -1;
  }
  memcpy(exact, data, len);
  free(data);
  fprintf(stderr, "replay: %s\n", path);
  LLVMFuzzerTestOneInput(exact, len);
  free(exact);
  return 0;
}

static int S_by_name(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs the regular files of `dir`; returns how many, or -1. */
static int S_run_dir(const char *dir)
{
  DIR *d = opendir(dir);
  if (d == NULL)
    return errno == ENOENT ? 0 : -1;
  char **names = NULL;
  size_t count = 0, cap = 0;
  struct dirent *e;
  int status = 0;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    if (count == cap) {
      cap = cap ? cap * 2 : 64;
      char **bigger = realloc(names, cap * sizeof *names);
      if (bigger == NULL) {
        status = -1;
        break;
      }
      names = bigger;
    }
    size_t need = strlen(dir) + strlen(e->d_name) + 2;
    if ((names[count] = malloc(need)) == NULL) {
      status = -1;
      break;
    }
    snprintf(names[count], need, "%s/%s", dir, e->d_name);
    count++;
  }
  closedir(d);
  if (count > 0)
    qsort(names, count, sizeof *names, S_by_name);
  int ran = 0;
  for (size_t i = 0; i < count; i++) {
    struct stat st;
    if (status == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
      if (S_run_file(names[i]) != 0)
        status = -1;
      ran++;
    }
    free(names[i]);
  }
  free(names);
  return status < 0 ? -1 : ran;
}

int main(int argc, char **argv)
{
  LLVMFuzzerInitialize(&argc, &argv);
  int total = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    int n;
    if (stat(argv[i], &st) == 0 && S_ISREG(st.st_mode))
      n = S_run_file(argv[i]) == 0 ? 1 : -1;
    else
      n = S_run_dir(argv[i]);
    if (n < 0) {
      fprintf(stderr, "replay: failed on %s\n", argv[i]);
      return 1;
    }
    total += n;
  }
  printf("replayed %d inputs, every property held\n", total);
  return 0;
}

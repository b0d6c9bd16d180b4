/* suggest.c: "did you mean" for mistyped commands and options. The options a command knows are
 * read from its --help text (every `--name` in it), so a new option is suggested as soon as it is
 * documented, with no second list to keep. */
#include "cli/cli.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

enum { S_MAX_WORD = 64 };

/* Levenshtein distance between a and b (each at most S_MAX_WORD bytes; longer: a large number). */
static size_t S_distance(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b);
  if (la > S_MAX_WORD || lb > S_MAX_WORD)
    return (size_t)-1;
  size_t row[S_MAX_WORD + 1];
  for (size_t j = 0; j <= lb; j++)
    row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

/* Close enough to suggest: at most 2 edits, and fewer than half the word's length (so "x" does
 * not suggest "lua"); a prefix of 3 or more characters ("--draft" for "--drafts") also counts. */
static int S_close(const char *word, const char *candidate, size_t d)
{
  size_t len = strlen(word);
  if (d <= 2 && d * 2 < len)
    return 1;
  return len >= 3 && strncmp(word, candidate, len) == 0;
}

const char *folio_suggest(const char *word, const char *const *candidates, size_t count)
{
  const char *best = NULL;
  size_t best_d = (size_t)-1;
  for (size_t i = 0; i < count; i++) {
    size_t d = S_distance(word, candidates[i]);
    if (d < best_d && S_close(word, candidates[i], d)) {
      best = candidates[i];
      best_d = d;
    }
  }
  return best;
}

const char *folio_suggest_command(const char *word)
{
  const char *names[32];
  size_t n = 0;
  for (const folio_command *c = folio_commands; c->name && n < 32; c++)
    names[n++] = c->name;
  return folio_suggest(word, names, n);
}

int folio_unknown_option(const char *command, const char *arg)
{
  const folio_command *cmd = folio_find_command(command);
  /* The `--name` words of the usage text, copied out of it. */
  char words[64][S_MAX_WORD + 1];
  const char *list[64];
  size_t n = 0;
  const char *name = arg;
  char stem[S_MAX_WORD + 1];
  const char *eq = strchr(arg, '=');
  if (eq && (size_t)(eq - arg) <= S_MAX_WORD) { /* --base-ur=x: compare the name only */
    memcpy(stem, arg, (size_t)(eq - arg));
    stem[eq - arg] = '\0';
    name = stem;
  }
  for (const char *p = cmd ? cmd->usage : ""; (p = strstr(p, "--")) != NULL && n < 64;) {
    size_t len = 2;
    while (isalnum((unsigned char)p[len]) || p[len] == '-')
      len++;
    if (len > 2 && len <= S_MAX_WORD && (p == cmd->usage || !isalnum((unsigned char)p[-1]))) {
      memcpy(words[n], p, len);
      words[n][len] = '\0';
      list[n] = words[n];
      n++;
    }
    p += len;
  }
  const char *match = name[0] == '-' ? folio_suggest(name, list, n) : NULL;
  if (match)
    fprintf(stderr, "folio %s: unknown option '%s' (did you mean '%s'?)\n  hint: folio %s --help lists the options\n",
            command, arg, match, command);
  else
    fprintf(stderr, "folio %s: unknown option '%s'\n  hint: folio %s --help lists the options\n", command, arg,
            command);
  return 2;
}

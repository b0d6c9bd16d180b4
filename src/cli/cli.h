/* cli.h: folio's subcommands. Each takes the arguments after its name and returns the process
 * exit status: 0 success, 1 the work failed (errors were reported), 2 bad usage. */
#ifndef FOLIO_CLI_H
#define FOLIO_CLI_H
#include <stddef.h>

typedef struct {
  const char *name;
  const char *summary;
  const char *usage; /* full --help text */
  int (*run)(int argc, char **argv);
} folio_command;

int folio_cmd_build(int argc, char **argv);
int folio_cmd_serve(int argc, char **argv);
int folio_cmd_new(int argc, char **argv);
int folio_cmd_lua(int argc, char **argv);
int folio_cmd_check(int argc, char **argv);

extern const folio_command folio_commands[];

/* True when argv holds -h or --help. */
int folio_wants_help(int argc, char **argv);
/* Prints a command's usage to stdout. */
void folio_print_usage(const folio_command *cmd);
const folio_command *folio_find_command(const char *name);

/* "Did you mean" (src/cli/suggest.c): the candidate nearest `word` by edit distance when it is
 * close enough, else NULL. */
const char *folio_suggest(const char *word, const char *const *candidates, size_t count);
/* The command name nearest `word`, or NULL. */
const char *folio_suggest_command(const char *word);
/* Reports an unknown option of `command` (with the nearest option its --help names, if one is
 * close) on stderr, one line and a hint; returns 2, the bad-usage status. */
int folio_unknown_option(const char *command, const char *arg);

/* Checks a --base-url value (an absolute URL) and copies it to buf with a trailing '/'. Returns 0,
 * or 2 after saying what is wrong. (src/cli/cmd_build.c) */
int folio_cli_base_url(const char *command, const char *value, char *buf, size_t size);

#endif

/* cli.h: folio's subcommands. Each takes the arguments after its name and returns the process
 * exit status: 0 success, 1 the work failed (errors were reported), 2 bad usage. */
#ifndef FOLIO_CLI_H
#define FOLIO_CLI_H

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

extern const folio_command folio_commands[];

/* True when argv holds -h or --help. */
int folio_wants_help(int argc, char **argv);
/* Prints a command's usage to stdout. */
void folio_print_usage(const folio_command *cmd);
const folio_command *folio_find_command(const char *name);

#endif

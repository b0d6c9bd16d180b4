/* main.c: the `folio` command-line driver. It only dispatches to a subcommand in src/cli/. */
#include "cli/cli.h"
#include "core/build.h"
#include "lua/lx.h"
#include <stdio.h>
#include <string.h>

static void S_print_overview(FILE *out)
{
  fprintf(out, "folio %s: a static site engine scripted in Lua\n\nUsage: folio COMMAND [OPTIONS]\n\nCommands:\n",
          FOLIO_VERSION);
  for (const folio_command *c = folio_commands; c->name; c++)
    fprintf(out, "  %-9s %s\n", c->name, c->summary);
  fprintf(out, "\nRun 'folio help COMMAND' or 'folio COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
  folio_build_set_runtime(lx_build_runtime()); /* builds run their Lua states through it */
  if (argc < 2) {
    S_print_overview(stderr);
    return 2;
  }
  const char *name = argv[1];
  if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
    S_print_overview(stdout);
    return 0;
  }
  if (strcmp(name, "--version") == 0)
    name = "version";
  const folio_command *cmd = folio_find_command(name);
  if (cmd == NULL) {
    const char *near = folio_suggest_command(name);
    if (near)
      fprintf(stderr, "folio: unknown command '%s' (did you mean '%s'?)\n  hint: folio --help lists the commands\n",
              name, near);
    else
      fprintf(stderr, "folio: unknown command '%s'\n  hint: folio --help lists the commands\n", name);
    return 2;
  }
  if (folio_wants_help(argc - 2, argv + 2)) {
    folio_print_usage(cmd);
    return 0;
  }
  return cmd->run(argc - 2, argv + 2);
}

/* cmd_serve.c: STUB */
#include "cli/cli.h"
#include <stdio.h>
int folio_cmd_serve(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "not yet\n"); return 1; }

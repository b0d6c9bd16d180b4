/* commands.c: the table of subcommands, their help texts, and the small ones (help, version). */
#include "cli/cli.h"
#include <stdio.h>
#include <string.h>

static int S_cmd_version(int argc, char **argv)
{
  (void)argc; (void)argv;
  printf("folio %s\n", FOLIO_VERSION);
  return 0;
}

static int S_cmd_help(int argc, char **argv)
{
  if (argc < 1) {
    printf("Usage: folio COMMAND [OPTIONS]\n\nCommands:\n");
    for (const folio_command *c = folio_commands; c->name; c++)
      printf("  %-9s %s\n", c->name, c->summary);
    return 0;
  }
  const folio_command *cmd = folio_find_command(argv[0]);
  if (cmd == NULL) {
    const char *near = folio_suggest_command(argv[0]);
    if (near)
      fprintf(stderr, "folio help: unknown command '%s' (did you mean '%s'?)\n", argv[0], near);
    else
      fprintf(stderr, "folio help: unknown command '%s'\n", argv[0]);
    return 2;
  }
  folio_print_usage(cmd);
  return 0;
}

const folio_command folio_commands[] = {
  {"build", "build the site into its output folder (public/)",
   "Usage: folio build [OPTIONS]\n\n"
   "Builds the site in the current folder (or --source) into public/.\n"
   "The previous output is replaced only when the whole build succeeded.\n\n"
   "Options:\n"
   "  -s, --source DIR       the site folder (default: .)\n"
   "  -o, --output DIR       where to write the site (default: site.lua's output, else public)\n"
   "      --base-url URL     the site's address, instead of site.lua's base_url (links, feeds,\n"
   "                         sitemap and canonical URLs use it; for CI and preview deploys)\n"
   "  -D, --drafts           include pages with draft: true\n"
   "  -F, --future           include pages dated in the future\n"
   "  -j, --jobs N           worker threads (default: number of CPUs)\n"
   "  -q, --quiet            print only errors and warnings\n"
   "      --safe             run the theme, plugins, scripts and site.lua sandboxed: no commands,\n"
   "                         no files outside the site, no writes, C modules or debug library,\n"
   "                         and a CPU and memory budget per hook call and template render\n"
   "                         (safe = true in site.lua: the same, site.lua itself excepted;\n"
   "                         see docs/security.md)\n"
   "      --strict           fail on warnings too (for CI; also strict = true in site.lua)\n"
   "      --force            adopt an existing output folder that folio did not make (its\n"
   "                         contents are replaced); never a source folder, the site, ~ or /\n"
   "      --no-wait          fail at once if another build is writing the same output folder\n"
   "                         (by default the build says so and waits for it)\n"
   "      --cache-dir DIR    the build cache's folder (default: site.lua's cache_dir, else\n"
   "                         .folio-cache in the site); unchanged pages are reused from it\n"
   "      --no-cache         a cold build: the cache is neither read nor written\n"
   "      --minify, --no-minify  minify HTML, CSS, JS and JSON output, or not, whatever\n"
   "                         site.lua's minify says (docs/assets.md)\n\n"
   "The output folder may not be or contain the site folder or a source (content/, layouts/,\n"
   "static/, scripts/, themes/, site.lua), nor be / or your home folder. A folder that exists\n"
   "must be empty or hold a .folio-output file (every build writes one); else --force.\n",
   folio_cmd_build},
  {"serve", "preview the site on localhost, rebuilding and reloading on every change",
   "Usage: folio serve [OPTIONS]\n\n"
   "Builds the site for preview, serves it and rebuilds what changed.\n\n"
   "Options:\n"
   "  -s, --source DIR       the site folder (default: .)\n"
   "  -p, --port N           port to listen on (default: 1313, or the next free one)\n"
   "  -b, --bind ADDR        address to listen on (default: 127.0.0.1)\n"
   "      --allow-host NAME  also answer requests for this host name (others get 403)\n"
   "      --header-timeout S seconds a client has to send a whole request (default: 10)\n"
   "      --idle-timeout S   seconds an idle keep-alive connection stays open (default: 30)\n"
   "      --max-connections N  open connections before the longest-idle is closed (512)\n"
   "  -D, --drafts           show drafts and future pages (the default)\n"
   "      --no-drafts        hide drafts and future pages\n"
   "      --base-url URL     the address the preview is reached at (a tunnel or proxy;\n"
   "                         default: http://ADDR:PORT/)\n"
   "      --open             open the preview in a browser ($BROWSER, else xdg-open)\n"
   "  -j, --jobs N           worker threads (default: number of CPUs)\n"
   "      --safe             sandbox the theme, plugins and scripts (as folio build --safe)\n",
   folio_cmd_serve},
  {"new", "create a site, a post or a page",
   "Usage: folio new site DIR\n"
   "       folio new post \"Title\" [--section posts] [--draft]\n"
   "       folio new page NAME [--draft]\n\n"
   "'new site' creates a site folder with site.lua, content/, static/, layouts/ and scripts/\n"
   "(DIR must be new or empty).\n"
   "'new post' writes content/posts/YYYY-MM-DD-slug.md with front matter (--section: another\n"
   "folder of content/; --draft: draft: true). 'new page about' writes content/about.md,\n"
   "'new page docs/install' content/docs/install.md. Both work from any folder inside the site\n"
   "and never overwrite a file.\n",
   folio_cmd_new},
  {"check", "build the site and check its links, fragments, images and assets",
   "Usage: folio check [OPTIONS]\n\n"
   "Builds the site into a temporary folder (your output folder is not touched) and checks that\n"
   "every internal link, #fragment, image, srcset, stylesheet and script resolves inside it.\n"
   "Problems are named by the Markdown file and line that made the link; exit status 1 if any.\n"
   "External links are listed; --external asks their servers.\n\n"
   "Options:\n"
   "  -s, --source DIR       the site folder (default: .)\n"
   "      --dir DIR          check this built folder instead of building (no source lines)\n"
   "      --base-url URL     the site's address (default: site.lua's base_url); absolute links\n"
   "                         to it are checked as internal ones\n"
   "  -D, --drafts           include drafts\n"
   "  -F, --future           include pages dated in the future\n"
   "      --external         also request every external link (HEAD, else GET)\n"
   "      --timeout S        seconds per external link (default: 10)\n"
   "      --concurrency N    external requests at a time (default: 8)\n"
   "  -j, --jobs N           worker threads for the build\n"
   "      --safe             build in safe mode (as folio build --safe)\n"
   "  -q, --quiet            print only problems\n",
   folio_cmd_check},
  {"version", "print folio's version", "Usage: folio version\n", S_cmd_version},
  {"help", "show help for a command", "Usage: folio help [COMMAND]\n", S_cmd_help},
  {"lua", "run a Lua script with folio's API loaded (for tools and tests)",
   "Usage: folio lua FILE [ARGS...]\n\n"
   "Runs FILE in a Lua 5.4 state with the `folio` table and folio's modules loaded;\n"
   "ARGS are in the global `arg` table as with the lua interpreter.\n",
   folio_cmd_lua},
  {NULL, NULL, NULL, NULL},
};

const folio_command *folio_find_command(const char *name)
{
  for (const folio_command *c = folio_commands; c->name; c++)
    if (strcmp(c->name, name) == 0)
      return c;
  return NULL;
}

int folio_wants_help(int argc, char **argv)
{
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0)
      return 0;
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
      return 1;
  }
  return 0;
}

void folio_print_usage(const folio_command *cmd)
{
  fputs(cmd->usage, stdout);
}

/* sass.c: folio-sass.so, the module that holds libsass (modules/sass.h): one compile of a Sass
 * or SCSS text with its options, the results copied out as plain C strings. */
#include "modules/sass.h"
#include "core/module.h"
#include <sass/context.h>
#include <stdlib.h>
#include <string.h>

static const enum Sass_Output_Style S_styles[] = {
  [FOLIO_SASS_EXPANDED] = SASS_STYLE_EXPANDED, [FOLIO_SASS_COMPRESSED] = SASS_STYLE_COMPRESSED,
  [FOLIO_SASS_NESTED] = SASS_STYLE_NESTED, [FOLIO_SASS_COMPACT] = SASS_STYLE_COMPACT,
};

/* A malloc'd copy of `s` (NULL stays NULL); *oom set when the copy fails. */
static char *S_copy(const char *s, int *oom)
{
  if (s == NULL)
    return NULL;
  char *c = strdup(s);
  if (c == NULL)
    *oom = 1;
  return c;
}

/* Sets the source map options: libsass writes a map only when it has a file name, and makes
 * the CSS's sourceMappingURL and the map's paths relative to the output path. 0, or -1. */
static int S_set_map(struct Sass_Options *o, const folio_sass_input *in)
{
  if (in->source_map == 0) {
    sass_option_set_omit_source_map_url(o, true);
    return 0;
  }
  const char *base = in->source_map == 2 ? in->output : in->path;
  size_t n = strlen(base);
  char *name = malloc(n + 5);
  if (name == NULL)
    return -1;
  memcpy(name, base, n);
  memcpy(name + n, ".map", 5);
  if (in->source_map == 2)
    sass_option_set_output_path(o, in->output);
  sass_option_set_source_map_file(o, name); /* copied */
  free(name);
  if (in->source_map == 1)
    sass_option_set_source_map_embed(o, true);
  sass_option_set_source_map_contents(o, true);
  return 0;
}

static int S_compile(const folio_sass_input *in, folio_sass_result *out)
{
  char *source = sass_copy_c_string(in->text); /* libsass owns (and frees) the copy */
  if (source == NULL)
    return -1;
  struct Sass_Data_Context *data = sass_make_data_context(source);
  if (data == NULL) {
    sass_free_memory(source);
    return -1;
  }
  struct Sass_Context *ctx = sass_data_context_get_context(data);
  struct Sass_Options *o = sass_context_get_options(ctx);
  int style = in->style >= 0 && in->style <= FOLIO_SASS_COMPACT ? in->style : FOLIO_SASS_EXPANDED;
  sass_option_set_output_style(o, S_styles[style]);
  sass_option_set_precision(o, 10); /* as dart-sass and Jekyll's converter */
  sass_option_set_is_indented_syntax_src(o, in->indented != 0);
  sass_option_set_input_path(o, in->path);
  for (size_t i = 0; i < in->include_count; i++)
    sass_option_push_include_path(o, in->include_paths[i]);
  int oom = S_set_map(o, in) != 0;
  if (!oom) {
    sass_compile_data_context(data);
    if (sass_context_get_error_status(ctx) != 0) {
      out->file = S_copy(sass_context_get_error_file(ctx), &oom);
      out->message = S_copy(sass_context_get_error_text(ctx), &oom);
      out->line = (long)sass_context_get_error_line(ctx);
      out->column = (long)sass_context_get_error_column(ctx);
    } else {
      const char *css = sass_context_get_output_string(ctx);
      out->css = S_copy(css ? css : "", &oom);
      if (in->source_map == 2)
        out->map = S_copy(sass_context_get_source_map_string(ctx), &oom);
    }
  }
  sass_delete_data_context(data);
  return oom ? -1 : 0;
}

static const char *S_version(void) { return libsass_version(); }

static const folio_sass_module S_table = { S_compile, S_version };

__attribute__((visibility("default"))) const void *folio_module_entry(int abi)
{
  return abi == FOLIO_MODULE_ABI ? &S_table : NULL;
}

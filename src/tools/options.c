#include "tools/options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cli_option *find(const cli_option *options, const char *name) {
  for (const cli_option *o = options; o->name; o++)
    if (strcmp(o->name, name) == 0) return o;
  return NULL;
}

int cli_parse_options(const char *program, const cli_option *options, int argc, char **argv, cli_source *sources,
                      int *nsources) {
  int n = 0, options_end = 0;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (options_end || strncmp(a, "--", 2) != 0) {
      if (strcmp(a, "-h") == 0 && !options_end) return 1;
      sources[n++] = (cli_source){a, 0, NULL};
      continue;
    }
    if (strcmp(a, "--") == 0) {
      options_end = 1;
      continue;
    }
    if (strcmp(a, "--help") == 0) return 1;
    const cli_option *o = find(options, a);
    if (!o) {
      fprintf(stderr, "%s: unknown option '%s' (--help lists them)\n", program, a);
      return 2;
    }
    if (o->kind == CLI_FLAG) {
      *(int *)o->value = 1;
      continue;
    }
    if (i + 1 >= argc) {
      fprintf(stderr, "%s: %s needs a value\n", program, a);
      return 2;
    }
    const char *v = argv[++i];
    if (o->kind == CLI_STRING) {
      *(const char **)o->value = v;
    } else if (o->kind == CLI_STRINGS) {
      cli_strings *list = o->value;
      list->items[list->count++] = v;
    } else if (o->kind == CLI_LIST) {
      sources[n++] = (cli_source){v, 1, NULL};
    } else {
      char *end;
      long k = strtol(v, &end, 10);
      if (!*v || *end || k < o->min || k > o->max) {
        fprintf(stderr, "%s: %s takes a number from %d to %d, not '%s'\n", program, a, o->min, o->max, v);
        return 2;
      }
      *(int *)o->value = (int)k;
    }
  }
  *nsources = n;
  return 0;
}

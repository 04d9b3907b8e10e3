/* Command-line options from a table, so that a subcommand's options are one
 * line each. Words that are not options are its inputs (tools/inputs.h). */
#ifndef SQZ_TOOLS_OPTIONS_H
#define SQZ_TOOLS_OPTIONS_H

#include "tools/inputs.h"

typedef enum cli_option_kind {
  CLI_FLAG,   /* --json: *(int *)value = 1 */
  CLI_INT,    /* --top K: *(int *)value = K, from min to max */
  CLI_STRING, /* --model NAME: *(const char **)value = NAME */
  CLI_LIST,   /* --files-from LIST: a list source, in its place among the inputs */
  CLI_STRINGS, /* --allow LIST, repeatable: appended to the cli_strings at value */
} cli_option_kind;

/* A repeatable option's values, in order; items has room for argc. */
typedef struct cli_strings {
  const char **items;
  int count;
} cli_strings;

typedef struct cli_option {
  const char *name; /* "--top" */
  cli_option_kind kind;
  void *value;
  int min, max;
} cli_option;

/* Parses argv (after the subcommand) into the options and `sources` (room
 * for argc). "--" ends the options. Returns 0; 1 for --help/-h; 2 after
 * saying on standard error what is wrong ("PROGRAM: …"). */
int cli_parse_options(const char *program, const cli_option *options, int argc, char **argv, cli_source *sources,
                      int *nsources);

#endif

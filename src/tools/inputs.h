/* What a CLI run classifies, in order: FILE arguments (a folder is walked
 * recursively: its images, names in byte order, hidden entries skipped) and
 * lists of paths (--files-from LIST, "-" for standard input), read as they
 * are consumed so a pipe can feed a run that has already started.
 * src/js/cli-inputs.js is the Node CLI's twin: both give the same sequence. */
#ifndef SQZ_TOOLS_INPUTS_H
#define SQZ_TOOLS_INPUTS_H
#include <stdio.h>

typedef struct cli_source {
  const char *arg; /* a path, or a list's path ("-": standard input) */
  int is_list;     /* --files-from */
  FILE *list;      /* the open list (cli_sources_open) */
} cli_source;

typedef enum cli_input_kind {
  CLI_INPUT_FILE,  /* a file to classify (path) */
  CLI_INPUT_ERROR, /* a failure for the output, with the exit status 1 (path, message) */
  CLI_INPUT_NOTE,  /* a remark for standard error, nothing lost (path, message) */
} cli_input_kind;

/* Called for each input; a nonzero return stops the walk. */
typedef int (*cli_input_fn)(void *ctx, cli_input_kind kind, const char *path, const char *message);

/* Opens every list; 0 and a reason in `why` if one cannot be opened. */
int cli_sources_open(cli_source *sources, int count, char *why, size_t cap);
void cli_sources_close(cli_source *sources, int count);

/* Each input of the sources, in order. Returns nonzero if fn stopped it. */
int cli_inputs_each(const cli_source *sources, int count, cli_input_fn fn, void *ctx);

/* How many inputs (files and errors) cli_inputs_each will give, by a walk
 * of its own; -1 if not known beforehand (a list read from a pipe) or if
 * *stop became nonzero (read atomically: another thread may set it). */
long long cli_inputs_count(const cli_source *sources, int count, const int *stop);

/* dir/name (one slash between them), malloc'd; NULL if out of memory. */
char *cli_join_path(const char *dir, const char *name);

/* Whether a file name has an image extension (jpg, jpeg, png, bmp, gif, pnm, ppm, pgm; any case). */
int cli_is_image_name(const char *name);

#endif

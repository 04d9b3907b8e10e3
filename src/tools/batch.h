/* Runs a CLI's work over its inputs (tools/inputs.h), `jobs` at a time, a
 * thread per job, and writes each input's output in input order as soon as
 * it and all before it are done. At most a window of inputs is between read
 * and written, so a run over any number of files takes constant memory.
 * What a job does is the caller's (classify now; others later). */
#ifndef SQZ_TOOLS_BATCH_H
#define SQZ_TOOLS_BATCH_H
#include <stdio.h>

#include "tools/inputs.h"

/* A growing text buffer; each input's output, reused from input to input. */
typedef struct cli_text {
  char *data;
  size_t len, cap;
} cli_text;

/* Makes room for `n` bytes and a NUL; 0 if out of memory. */
int cli_text_reserve(cli_text *t, size_t n);

typedef struct cli_job {
  void *shared;
  /* A job's own state (e.g. its own model), made on its thread; NULL with a
   * reason in `why` if it cannot start (the run goes on with fewer jobs).
   * Job 0 must always start: make what it needs before the run. */
  void *(*start)(void *shared, int job, char *why, size_t cap);
  /* One input: its output into `out` (replacing what it held). Returns 1 if it failed. */
  int (*run)(void *state, const char *path, cli_text *out);
  /* The output for an input that failed before any job saw it (an unreadable folder). */
  void (*error)(void *shared, const char *path, const char *message, cli_text *out);
  void (*stop)(void *state, int job);
} cli_job;

typedef struct cli_batch_options {
  int jobs;            /* 1 to CLI_MAX_JOBS; threads start as inputs wait, never more than inputs */
  int progress;        /* draw progress on standard error (a terminal) */
  const char *program; /* names the program in notes on standard error */
} cli_batch_options;

#define CLI_MAX_JOBS 256

/* 0: all inputs done; 1: some failed; 2: could not run (said on standard error). */
int cli_batch_run(const cli_job *job, const cli_source *sources, int nsources, const cli_batch_options *options,
                  FILE *out);

#endif

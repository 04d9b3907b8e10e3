/* `sqz embed` and `sqz train`: embeddings as JSON lines (a batch job, as
 * classify runs), and a taught model from folders of examples (the
 * ImageFolder layout: DIR/<class>/<images>). */
#define _GNU_SOURCE /* isatty */
#include "tools/teach.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "learn/taught.h"
#include "squeezenet.h"
#include "tools/batch.h"
#include "tools/classify.h"
#include "tools/convert/convert.h"
#include "tools/inputs.h"
#include "tools/options.h"
#include "tools/report.h"

#define DEFAULT_MODEL "default"

/* Loads the model named by `arg` with `threads`; its bytes stay in *bytes.
 * NULL after saying why on standard error (prefixed by `program`). */
static sqz_model *load(const char *program, const char *arg, int threads, unsigned char **bytes, size_t *size) {
  char path[4096];
  sqz_error err = {SQZ_OK, ""};
  sqz_options options = {.threads = threads};
  sqz_model *m = NULL;
  *bytes = NULL;
  if (!sqz_find_model(arg, path, sizeof path)) {
    fprintf(stderr, "%s: model '%s' not found (build it with `cmake --build build`, or give a .sqz path)\n", program,
            arg);
    return NULL;
  }
  if (!(*bytes = convert_read_file(path, size, &err))) {
    fprintf(stderr, "%s: %s\n", program, err.message);
    return NULL;
  }
  if (!(m = sqz_model_load_with_options(*bytes, *size, &options, &err))) {
    fprintf(stderr, "%s: %s: %s\n", program, path, err.message);
  } else if (sqz_model_get_info(m).embedding_size == 0) {
    fprintf(stderr, "%s: %s: the model has no fire module to take an embedding from\n", program, path);
    sqz_model_free(m);
    m = NULL;
  }
  if (!m) free(*bytes), *bytes = NULL;
  return m;
}

/* Parses a command's arguments into options and *sources (allocated: free
 * it), which must not be empty (`inputs` names what is missing). Returns -1
 * to go on, else the exit status: 0 after --help (the usage printed), 2
 * after saying what is wrong. */
static int parse_command(const char *command, const cli_option *options, int argc, char **argv, const char *usage,
                         const char *inputs, cli_source **sources, int *nsources) {
  *sources = calloc((size_t)argc + 1, sizeof **sources);
  if (!*sources) return 2;
  int status = cli_parse_options("sqz", options, argc, argv, *sources, nsources);
  if (status == 0 && *nsources == 0) {
    fprintf(stderr, "sqz %s: no %s given\n", command, inputs);
    status = 2;
  }
  if (status == 0) return -1;
  if (status == 1) fputs(usage, stdout);
  free(*sources);
  *sources = NULL;
  return status == 1 ? 0 : 2;
}

/* ---- embed: one JSON line per input, `jobs` at a time ---- */

typedef struct embed_run {
  const unsigned char *model_bytes;
  size_t model_size;
  sqz_options options;
  sqz_model *first; /* loaded before the run: job 0's */
  unsigned flags;   /* SQZ_UNIT_LENGTH unless --raw, SQZ_IGNORE_ORIENTATION */
} embed_run;

typedef struct embed_job {
  const embed_run *run;
  sqz_model *model;
  float *embedding;
  int dim;
} embed_job;

static const sqz_report_style json_style = {SQZ_REPORT_JSON, 0, 0};

static void *embed_start(void *shared, int index, char *why, size_t cap) {
  const embed_run *run = shared;
  embed_job *job = calloc(1, sizeof *job);
  sqz_error err = {SQZ_OK, "out of memory"};
  if (job) {
    job->run = run;
    job->model = index == 0 ? run->first : sqz_model_load_with_options(run->model_bytes, run->model_size, &run->options, &err);
    job->dim = job->model ? sqz_model_get_info(job->model).embedding_size : 0;
    job->embedding = job->model ? malloc((size_t)job->dim * sizeof(float)) : NULL;
  }
  if (!job || !job->embedding) {
    snprintf(why, cap, "%s", err.message);
    if (job && index != 0) sqz_model_free(job->model);
    free(job);
    return NULL;
  }
  return job;
}

static void embed_stop(void *state, int index) {
  embed_job *job = state;
  if (index != 0) sqz_model_free(job->model); /* job 0's is the caller's */
  free(job->embedding);
  free(job);
}

/* A line into out (grown as needed); 0 if there is no memory for it. */
static int format_into(cli_text *out, size_t (*fn)(void *, char *, size_t), void *ctx) {
  size_t n = fn(ctx, out->data, out->cap);
  if (n >= out->cap && cli_text_reserve(out, n)) n = fn(ctx, out->data, out->cap);
  out->len = n < out->cap ? n : 0;
  return n < out->cap;
}

typedef struct error_line {
  const char *path, *message;
} error_line;

static size_t format_error(void *ctx, char *buf, size_t cap) {
  const error_line *e = ctx;
  return sqz_report_error_line(&json_style, e->path, e->message, buf, cap);
}

static void embed_error(void *shared, const char *path, const char *message, cli_text *out) {
  error_line e = {path, message};
  format_into(out, format_error, &e);
}

typedef struct embedding_line {
  const char *path;
  const embed_job *job;
} embedding_line;

static size_t format_embedding_line(void *ctx, char *buf, size_t cap) {
  const embedding_line *l = ctx;
  return sqz_report_embedding_line(l->path, sqz_model_get_info(l->job->model).name, l->job->embedding, l->job->dim,
                                   buf, cap);
}

static int embed_one(void *state, const char *path, cli_text *out) {
  embed_job *job = state;
  char why[4352];
  size_t size;
  unsigned char *image = sqz_cli_read_image(path, &size, why, sizeof why);
  sqz_error err = {SQZ_OK, ""};
  if (image && sqz_embed_image(job->model, image, size, job->run->flags, job->embedding, job->dim, &err) != SQZ_OK)
    snprintf(why, sizeof why, "%s", err.message);
  const int failed = !image || err.code != SQZ_OK;
  free(image);
  embedding_line line = {path, job};
  if (!failed && format_into(out, format_embedding_line, &line)) return 0;
  embed_error(NULL, path, failed ? why : "out of memory", out);
  return 1;
}

int sqz_embed_main(int argc, char **argv, const char *usage) {
  const char *model_arg = DEFAULT_MODEL;
  int raw = 0, quiet = 0, threads = 1, jobs = sqz_cli_cores(), ignore_orientation = 0;
  if (jobs > CLI_MAX_JOBS) jobs = CLI_MAX_JOBS;
  const cli_option options[] = {
      {"--model", CLI_STRING, &model_arg, 0, 0},
      {"--raw", CLI_FLAG, &raw, 0, 0},
      {"--threads", CLI_INT, &threads, 1, SQZ_MAX_THREADS},
      {"--jobs", CLI_INT, &jobs, 1, CLI_MAX_JOBS},
      {"--files-from", CLI_LIST, NULL, 0, 0},
      {"--quiet", CLI_FLAG, &quiet, 0, 0},
      {"--ignore-orientation", CLI_FLAG, &ignore_orientation, 0, 0},
      {NULL, 0, NULL, 0, 0},
  };
  cli_source *sources;
  int nsources = 0, status = parse_command("embed", options, argc, argv, usage, "files", &sources, &nsources);
  if (status >= 0) return status;
  char why[4352];
  unsigned char *bytes = NULL;
  embed_run run = {.options = {.threads = threads},
                   .flags = (raw ? 0 : SQZ_UNIT_LENGTH) | (ignore_orientation ? SQZ_IGNORE_ORIENTATION : 0)};
  run.first = load("sqz", model_arg, threads, &bytes, &run.model_size);
  status = 2;
  if (run.first && !cli_sources_open(sources, nsources, why, sizeof why)) {
    fprintf(stderr, "sqz: %s\n", why);
  } else if (run.first) {
    run.model_bytes = bytes;
    cli_job job = {&run, embed_start, embed_one, embed_error, embed_stop};
    cli_batch_options batch = {jobs, !quiet && isatty(STDERR_FILENO), "sqz"};
    status = cli_batch_run(&job, sources, nsources, &batch, stdout);
  }
  cli_sources_close(sources, nsources);
  sqz_model_free(run.first);
  free(bytes);
  free(sources);
  return status;
}

/* ---- train ---- */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct example {
  char *path;
  int label; /* index into the sorted class names */
} example;

typedef struct examples {
  example *items;
  int n, cap;
  char **names; /* class names, sorted by byte order, distinct */
  int classes, names_cap;
  int label;    /* the class being collected */
  int failed;   /* a folder could not be read */
} examples;

static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

/* The class index of name, added in sorted place if new (-1: out of memory).
 * Every class is added before any example, so indices never shift under them. */
static int class_of(examples *ex, const char *name) {
  int i = 0;
  while (i < ex->classes && strcmp(ex->names[i], name) < 0) i++;
  if (i < ex->classes && strcmp(ex->names[i], name) == 0) return i;
  if (ex->classes == ex->names_cap) {
    int cap = ex->names_cap ? 2 * ex->names_cap : 16;
    char **names = realloc(ex->names, (size_t)cap * sizeof *names);
    if (!names) return -1;
    ex->names = names, ex->names_cap = cap;
  }
  char *copy = strdup(name);
  if (!copy) return -1;
  memmove(ex->names + i + 1, ex->names + i, (size_t)(ex->classes - i) * sizeof *ex->names);
  ex->names[i] = copy;
  ex->classes++;
  return i;
}

/* cli_inputs_each's callback: an image of the class being collected, or a note or failure to say. */
static int collect_input(void *ctx, cli_input_kind kind, const char *path, const char *message) {
  examples *ex = ctx;
  if (kind == CLI_INPUT_NOTE) {
    fprintf(stderr, "sqz train: %s: %s\n", path, message);
    return 0;
  }
  if (kind == CLI_INPUT_ERROR) {
    fprintf(stderr, "sqz train: %s\n", message);
    ex->failed = 1;
    return 0;
  }
  if (ex->n == ex->cap) {
    int cap = ex->cap ? 2 * ex->cap : 256;
    example *items = realloc(ex->items, (size_t)cap * sizeof *items);
    if (!items) return 1;
    ex->items = items, ex->cap = cap;
  }
  if (!(ex->items[ex->n].path = strdup(path))) return 1;
  ex->items[ex->n++].label = ex->label;
  return 0;
}

static void examples_free(examples *ex) {
  for (int i = 0; i < ex->n; i++) free(ex->items[i].path);
  for (int i = 0; i < ex->classes; i++) free(ex->names[i]);
  free(ex->items), free(ex->names);
  memset(ex, 0, sizeof *ex);
}

static int is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The class folders of every DIR (pass 0: their names, checked as labels;
 * pass 1: their images, as classify walks a folder). 0 after saying why. */
static int collect(const cli_source *dirs, int ndirs, examples *ex) {
  for (int pass = 0; pass < 2; pass++) {
    for (int d = 0; d < ndirs; d++) {
      struct dirent **list = NULL;
      int n = scandir(dirs[d].arg, &list, NULL, by_name), ok = 1;
      if (n < 0) {
        char reason[64];
        fprintf(stderr, "sqz train: %s: cannot read folder (%s)\n", dirs[d].arg,
                sqz_report_io_reason(NULL, errno, reason, sizeof reason));
        return 0;
      }
      for (int i = 0; i < n; i++) {
        const char *name = list[i]->d_name;
        char *path = ok > 0 && name[0] != '.' ? cli_join_path(dirs[d].arg, name) : NULL; /* hidden entries skipped */
        if (path && is_dir(path)) {
          sqz_error err = {SQZ_OK, ""};
          if (pass == 0 && sqz_taught_label_check(name, strlen(name), -1, &err) != SQZ_OK) {
            fprintf(stderr, "sqz train: %s: a class folder's name is its label, and %s\n", path, err.message);
            ok = -1;
          } else if (pass == 0) {
            if (class_of(ex, name) < 0) ok = 0;
          } else {
            ex->label = class_of(ex, name);
            const cli_source folder = {path, 0, NULL};
            if (cli_inputs_each(&folder, 1, collect_input, ex)) ok = 0;
          }
        } else if (ok > 0 && name[0] != '.' && !path) {
          ok = 0;
        }
        free(path);
        free(list[i]);
      }
      free(list);
      if (ok <= 0) {
        if (ok == 0) fprintf(stderr, "sqz train: out of memory\n");
        return 0;
      }
    }
  }
  if (ex->classes < 2) {
    fprintf(stderr, "sqz train: %d class folder%s found in %s%s: training needs two or more (DIR/<class>/*.jpg)\n",
            ex->classes, ex->classes == 1 ? "" : "s", dirs[0].arg, ndirs > 1 ? " and the others" : "");
    return 0;
  }
  return 1;
}

/* Writes bytes to path; 0 after saying why. */
static int write_file(const char *path, const uint8_t *bytes, size_t size) {
  FILE *f = fopen(path, "wb");
  int ok = f && fwrite(bytes, 1, size, f) == size;
  if (f && fclose(f) != 0) ok = 0;
  if (!ok) fprintf(stderr, "sqz train: cannot write %s\n", path);
  return ok;
}

/* Embeds every example (those that fail are said and skipped) and trains;
 * writes the model. Returns the exit status. */
static int train(sqz_model *m, const unsigned char *base, size_t base_size, examples *ex, unsigned flags,
                 const char *out_path) {
  const int dim = sqz_model_get_info(m).embedding_size;
  float *x = malloc((size_t)(ex->n ? ex->n : 1) * dim * sizeof(float));
  float *w = malloc(((size_t)ex->classes * dim + ex->classes) * sizeof(float));
  int *labels = malloc((size_t)(ex->n ? ex->n : 1) * sizeof(int)), *count = calloc((size_t)ex->classes, sizeof(int));
  int status = 2, n = 0, empty = 0;
  if (!x || !w || !labels || !count) {
    fprintf(stderr, "sqz train: out of memory for %d examples\n", ex->n);
    goto done;
  }
  const double t0 = now_s();
  for (int i = 0; i < ex->n; i++) {
    char why[4352];
    size_t size;
    unsigned char *image = sqz_cli_read_image(ex->items[i].path, &size, why, sizeof why);
    sqz_error err = {SQZ_OK, ""};
    if (image && sqz_embed_image(m, image, size, flags, x + (size_t)n * dim, dim, &err) == SQZ_OK) {
      labels[n++] = ex->items[i].label;
      count[ex->items[i].label]++;
    } else {
      fprintf(stderr, "sqz train: %s: %s (skipped)\n", ex->items[i].path, image ? err.message : why);
      ex->failed = 1;
    }
    free(image);
  }
  const double t1 = now_s();
  for (int k = 0; k < ex->classes; k++) {
    printf("%s: %d example%s\n", ex->names[k], count[k], count[k] == 1 ? "" : "s");
    if (count[k] == 0) fprintf(stderr, "sqz train: class '%s' has no images that could be read\n", ex->names[k]);
    empty |= count[k] == 0;
  }
  sqz_train_report report;
  sqz_error err = {SQZ_OK, ""};
  uint8_t *taught = NULL;
  size_t taught_size = 0;
  float *bias = w + (size_t)ex->classes * dim;
  if (empty) goto done;
  if (sqz_train_head(x, labels, n, dim, ex->classes, NULL, w, bias, &report, &err) != SQZ_OK ||
      sqz_taught_model_write(base, base_size, w, bias, ex->classes, dim, (const char *const *)ex->names, &taught,
                             &taught_size, &err) != SQZ_OK) {
    fprintf(stderr, "sqz train: %s\n", err.message);
    goto done;
  }
  char line[256];
  sqz_report_training(ex->classes, n, report.train_accuracy, report.iterations, line, sizeof line);
  fputs(line, stdout);
  printf("time: embedding %.1f s, training %.2f s\n", t1 - t0, now_s() - t1);
  if (write_file(out_path, taught, taught_size)) {
    printf("wrote %s (%zu bytes)\n", out_path, taught_size);
    status = ex->failed;
  }
  sqz_free(taught);
done:
  free(x), free(w), free(labels), free(count);
  return status;
}

int sqz_train_main(int argc, char **argv, const char *usage) {
  const char *model_arg = DEFAULT_MODEL, *out_path = NULL;
  int threads = 1, ignore_orientation = 0;
  const cli_option options[] = {
      {"--model", CLI_STRING, &model_arg, 0, 0},
      {"--out", CLI_STRING, &out_path, 0, 0},
      {"--threads", CLI_INT, &threads, 1, SQZ_MAX_THREADS},
      {"--ignore-orientation", CLI_FLAG, &ignore_orientation, 0, 0},
      {NULL, 0, NULL, 0, 0},
  };
  cli_source *dirs;
  int ndirs = 0, status = parse_command("train", options, argc, argv, usage, "folders", &dirs, &ndirs);
  if (status >= 0) return status;
  if (!out_path) {
    fprintf(stderr, "sqz train: --out FILE.sqz is required (where to write the taught model)\n");
    free(dirs);
    return 2;
  }
  examples ex;
  memset(&ex, 0, sizeof ex);
  unsigned char *base = NULL;
  size_t base_size = 0;
  sqz_model *m = collect(dirs, ndirs, &ex) ? load("sqz train", model_arg, threads, &base, &base_size) : NULL;
  status = m ? train(m, base, base_size, &ex, ignore_orientation ? SQZ_IGNORE_ORIENTATION : 0, out_path) : 2;
  examples_free(&ex);
  sqz_model_free(m);
  free(base);
  free(dirs);
  return status;
}

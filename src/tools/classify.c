#define _GNU_SOURCE /* readlink, sched_getaffinity */
#include "tools/classify.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "squeezenet.h"
#include "tools/batch.h"
#include "tools/class_filter.h"
#include "tools/convert/convert.h"
#include "tools/heatmap_png.h"
#include "tools/options.h"
#include "tools/report.h"

/* models/default.sqz, made by the build (CMake's SQZ_DEFAULT_MODEL chooses it). */
#define DEFAULT_MODEL "default"

static int file_exists(const char *path) { return access(path, R_OK) == 0; }

int sqz_find_model(const char *arg, char *path, size_t cap) {
  if (strchr(arg, '/') || (strlen(arg) > 4 && strcmp(arg + strlen(arg) - 4, ".sqz") == 0)) {
    snprintf(path, cap, "%s", arg);
    return 1;
  }
  const char *env = getenv("SQZ_MODELS_DIR");
  if (env && *env) {
    snprintf(path, cap, "%s/%s.sqz", env, arg);
    if (file_exists(path)) return 1;
  }
  char exe[2048]; /* leaves room in path[4096] for the suffixes below */
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash) *slash = 0;
    snprintf(path, cap, "%s/../models/%s.sqz", exe, arg);
    if (file_exists(path)) return 1;
    snprintf(path, cap, "%s/models/%s.sqz", exe, arg);
    if (file_exists(path)) return 1;
  }
  snprintf(path, cap, "models/%s.sqz", arg);
  return file_exists(path);
}

/* What every job shares: the model's bytes (each job loads its own model from them), the output style. */
typedef struct classify_run {
  const unsigned char *model_bytes;
  size_t model_size;
  sqz_options options;
  sqz_model *first; /* loaded before the run: job 0's */
  unsigned flags;   /* sqz_classify_image flags (SQZ_INPUT_RAW, SQZ_IGNORE_ORIENTATION) */
  sqz_report_style style;
  cli_filter filter;       /* --min-probability, --allow, --deny */
  int heatmaps;            /* --heatmaps: each prediction's map in the JSON */
  const char *heatmap_dir; /* --heatmap DIR: a PNG of each picture with its top class's map, or NULL */
} classify_run;

typedef struct classify_job {
  const classify_run *run;
  sqz_model *model;
  sqz_prediction *top;
  sqz_report_heatmap *maps; /* --heatmaps: one per prediction, their data in map_data */
  float *map_data;
  size_t map_cap;           /* floats in map_data */
} classify_job;

static void *job_start(void *shared, int index, char *why, size_t cap) {
  const classify_run *run = shared;
  classify_job *job = calloc(1, sizeof *job);
  if (job) job->top = malloc((size_t)(run->style.top > 0 ? run->style.top : 1) * sizeof *job->top);
  if (job && run->heatmaps) job->maps = calloc((size_t)(run->style.top > 0 ? run->style.top : 1), sizeof *job->maps);
  if (!job || !job->top || (run->heatmaps && !job->maps)) {
    snprintf(why, cap, "out of memory");
    if (job) free(job->top), free(job->maps), free(job);
    return NULL;
  }
  job->run = run;
  if (index == 0) {
    job->model = run->first;
  } else {
    sqz_error err = {SQZ_OK, ""};
    job->model = sqz_model_load_with_options(run->model_bytes, run->model_size, &run->options, &err);
    if (!job->model) {
      snprintf(why, cap, "%s", err.message);
      free(job->top);
      free(job->maps);
      free(job);
      return NULL;
    }
  }
  return job;
}

static void job_stop(void *state, int index) {
  classify_job *job = state;
  if (index != 0) sqz_model_free(job->model); /* job 0's is the caller's */
  free(job->top);
  free(job->maps);
  free(job->map_data);
  free(job);
}

static void format_error(const sqz_report_style *style, const char *path, const char *message, cli_text *out) {
  size_t n = sqz_report_error_line(style, path, message, out->data, out->cap);
  if (n >= out->cap && cli_text_reserve(out, n)) n = sqz_report_error_line(style, path, message, out->data, out->cap);
  out->len = n < out->cap ? n : 0;
}

static void job_error(void *shared, const char *path, const char *message, cli_text *out) {
  format_error(&((const classify_run *)shared)->style, path, message, out);
}

unsigned char *sqz_cli_read_image(const char *path, size_t *size, char *why, size_t cap) {
  char reason[64];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    snprintf(why, cap, "%s: cannot open (%s)", path, sqz_report_io_reason(NULL, errno, reason, sizeof reason));
    return NULL;
  }
  struct stat st;
  size_t want = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? (size_t)st.st_size : 0;
  if (want > INT_MAX) {
    /* What the decoder would say, without reading it all first. */
    snprintf(why, cap, "decode: %zu bytes is more than stb_image can read", want);
    close(fd);
    return NULL;
  }
  size_t n = 0, room = want + 1; /* +1: a file that grew, or a pipe, is seen to go on */
  unsigned char *buf = malloc(room);
  int error = buf ? 0 : ENOMEM;
  while (!error) {
    if (n == room) {
      unsigned char *grown = room > (size_t)INT_MAX ? NULL : realloc(buf, room *= 2);
      if (!grown) {
        error = room > (size_t)INT_MAX ? EFBIG : ENOMEM;
        break;
      }
      buf = grown;
    }
    ssize_t got = read(fd, buf + n, room - n);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) error = errno;
    if (got <= 0) break;
    n += (size_t)got;
  }
  close(fd);
  if (error) {
    snprintf(why, cap, "%s: cannot read (%s)", path, sqz_report_io_reason(NULL, error, reason, sizeof reason));
    free(buf);
    return NULL;
  }
  *size = n;
  return buf;
}

/* The maps of the job's `count` predictions into job->maps; 0 if out of memory. */
static int read_heatmaps(classify_job *job, int count) {
  sqz_heatmap_info info;
  const size_t cells = count > 0 ? (size_t)sqz_class_map(job->model, job->top[0].index, NULL, 0, &info) : 0;
  if (cells * (size_t)count > job->map_cap) {
    float *grown = realloc(job->map_data, cells * (size_t)count * sizeof *grown);
    if (!grown) return 0;
    job->map_data = grown, job->map_cap = cells * (size_t)count;
  }
  for (int i = 0; i < count; i++) {
    job->maps[i].data = job->map_data + (size_t)i * cells;
    sqz_class_map(job->model, job->top[i].index, job->map_data + (size_t)i * cells, cells, &job->maps[i].info);
  }
  return 1;
}

static int job_run(void *state, const char *path, cli_text *out) {
  classify_job *job = state;
  const classify_run *run = job->run;
  char why[4352];
  size_t size;
  unsigned char *image = sqz_cli_read_image(path, &size, why, sizeof why);
  sqz_error err = {SQZ_OK, ""};
  if (image && sqz_classify_image(job->model, image, size, run->flags, &err) != SQZ_OK)
    snprintf(why, sizeof why, "%s", err.message);
  int failed = !image || err.code != SQZ_OK;
  /* the top `top` among the classes the filter lets through (checked before the run) */
  int count = failed ? 0 : sqz_top_k_filtered(job->model, run->style.top, &run->filter.filter, job->top, NULL);
  if (count < 0) count = 0;
  if (!failed && run->heatmap_dir && count > 0) { /* a PNG that cannot be written fails the file */
    char png[4096];
    if (!sqz_heatmap_png_path(run->heatmap_dir, path, png, sizeof png))
      failed = 1, snprintf(why, sizeof why, "--heatmap: the path for %s is too long", path);
    else if (sqz_heatmap_png_write(job->model, job->top[0].index, image, size,
                                   (run->flags & SQZ_IGNORE_ORIENTATION) != 0, png, why, sizeof why))
      failed = 1;
  }
  free(image);
  if (!failed && job->maps && !read_heatmaps(job, count)) failed = 1, snprintf(why, sizeof why, "out of memory");
  if (failed) {
    format_error(&run->style, path, why, out);
    return 1;
  }
  sqz_report_result r = {sqz_model_get_info(job->model).name, job->top, count,
                         run->style.logits ? sqz_logits(job->model) : NULL, job->maps};
  size_t n = sqz_report_result_line(&run->style, path, &r, out->data, out->cap);
  if (n >= out->cap && cli_text_reserve(out, n)) n = sqz_report_result_line(&run->style, path, &r, out->data, out->cap);
  if (n >= out->cap) {
    format_error(&run->style, path, "out of memory", out);
    return 1;
  }
  out->len = n;
  return 0;
}

int sqz_cli_cores(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int)n : 1;
}

/* --allow and --deny lists into the filter, with the model's labels; 0 with the reason in why. */
static int add_class_lists(cli_filter *f, const sqz_model *m, const cli_strings *allow, const cli_strings *deny,
                           char *why, size_t cap) {
  for (int i = 0; i < allow->count; i++)
    if (cli_filter_add(f, m, 0, allow->items[i], why, cap)) return 0;
  for (int i = 0; i < deny->count; i++)
    if (cli_filter_add(f, m, 1, deny->items[i], why, cap)) return 0;
  return 1;
}

int sqz_classify_main(int argc, char **argv, const char *usage) {
  const char *model_arg = DEFAULT_MODEL;
  int top = 5, json = 0, csv = 0, raw = 0, logits = 0, quiet = 0, threads = 1, jobs = sqz_cli_cores(), ignore_orientation = 0;
  int heatmaps = 0;
  const char *heatmap_dir = NULL, *min_probability = NULL;
  if (jobs > CLI_MAX_JOBS) jobs = CLI_MAX_JOBS;
  cli_strings allow = {calloc((size_t)argc + 1, sizeof(char *)), 0}, deny = {calloc((size_t)argc + 1, sizeof(char *)), 0};
  const cli_option options[] = {
      {"--model", CLI_STRING, &model_arg, 0, 0},
      {"--top", CLI_INT, &top, 1, 1000},
      {"--json", CLI_FLAG, &json, 0, 0},
      {"--csv", CLI_FLAG, &csv, 0, 0},
      {"--raw", CLI_FLAG, &raw, 0, 0},
      {"--logits", CLI_FLAG, &logits, 0, 0},
      {"--threads", CLI_INT, &threads, 1, SQZ_MAX_THREADS},
      {"--jobs", CLI_INT, &jobs, 1, CLI_MAX_JOBS},
      {"--files-from", CLI_LIST, NULL, 0, 0},
      {"--quiet", CLI_FLAG, &quiet, 0, 0},
      {"--ignore-orientation", CLI_FLAG, &ignore_orientation, 0, 0},
      {"--min-probability", CLI_STRING, &min_probability, 0, 0},
      {"--allow", CLI_STRINGS, &allow, 0, 0},
      {"--deny", CLI_STRINGS, &deny, 0, 0},
      {"--heatmaps", CLI_FLAG, &heatmaps, 0, 0},
      {"--heatmap", CLI_STRING, &heatmap_dir, 0, 0},
      {NULL, 0, NULL, 0, 0},
  };
  cli_source *sources = calloc((size_t)argc + 1, sizeof *sources);
  if (!sources || !allow.items || !deny.items) return free(sources), free(allow.items), free(deny.items), 2;
  int nsources = 0, status = cli_parse_options("sqz", options, argc, argv, sources, &nsources);
  if (status == 0 && nsources == 0) {
    fprintf(stderr, "sqz classify: no files given\n");
    status = 2;
  }
  if (status == 0 && json && csv) {
    fprintf(stderr, "sqz: --json and --csv: choose one\n");
    status = 2;
  }
  if (status == 0 && heatmaps && !json) {
    fprintf(stderr, "sqz: --heatmaps goes with --json (text and CSV have no room for maps)\n");
    status = 2;
  }
  char path[4096], why[4352];
  classify_run run = {.options = {.threads = threads},
                      .flags = (raw ? SQZ_INPUT_RAW : 0) | (ignore_orientation ? SQZ_IGNORE_ORIENTATION : 0),
                      .heatmaps = heatmaps,
                      .heatmap_dir = heatmap_dir};
  if (status == 0 && min_probability && cli_filter_min_probability(&run.filter, min_probability, why, sizeof why)) {
    fprintf(stderr, "sqz: %s\n", why);
    status = 2;
  }
  if (status) {
    if (status == 1) fputs(usage, stdout);
    free(sources), free(allow.items), free(deny.items);
    return status == 1 ? 0 : 2;
  }

  sqz_error err = {SQZ_OK, ""};
  unsigned char *bytes = NULL;
  if (!sqz_find_model(model_arg, path, sizeof path)) {
    fprintf(stderr, "sqz: model '%s' not found (build it with `cmake --build build`, or give a .sqz path)\n", model_arg);
  } else if (!(bytes = convert_read_file(path, &run.model_size, &err))) {
    fprintf(stderr, "sqz: %s\n", err.message);
  } else if (!(run.first = sqz_model_load_with_options(bytes, run.model_size, &run.options, &err))) {
    fprintf(stderr, "sqz: %s: %s\n", path, err.message);
  } else if (!add_class_lists(&run.filter, run.first, &allow, &deny, why, sizeof why)) {
    fprintf(stderr, "sqz: %s\n", why);
    status = 2;
  } else if (!cli_sources_open(sources, nsources, why, sizeof why)) {
    fprintf(stderr, "sqz: %s\n", why);
    status = 2;
  } else {
    run.model_bytes = bytes;
    int classes = sqz_model_get_info(run.first).num_classes;
    run.style = (sqz_report_style){json ? SQZ_REPORT_JSON : csv ? SQZ_REPORT_CSV : SQZ_REPORT_TEXT,
                                   top < classes ? top : classes, logits ? classes : 0};
    cli_text header = {NULL, 0, 0};
    size_t n = sqz_report_header(&run.style, NULL, 0);
    if (n && cli_text_reserve(&header, n)) {
      sqz_report_header(&run.style, header.data, header.cap);
      fputs(header.data, stdout);
      fflush(stdout);
    }
    free(header.data);
    cli_job job = {&run, job_start, job_run, job_error, job_stop};
    cli_batch_options batch = {jobs, !quiet && isatty(STDERR_FILENO), "sqz"};
    status = cli_batch_run(&job, sources, nsources, &batch, stdout);
  }
  if (!run.first || !bytes) status = 2;
  cli_sources_close(sources, nsources);
  sqz_model_free(run.first);
  cli_filter_free(&run.filter);
  free(bytes);
  free(sources), free(allow.items), free(deny.items);
  return status;
}

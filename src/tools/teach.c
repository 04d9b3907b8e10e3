/* `sqz embed` and `sqz train`: embeddings as JSON lines, and a taught model
 * from folders of examples (the ImageFolder layout: DIR/<class>/<images>). */
#define _DEFAULT_SOURCE /* scandir, strcasecmp */
#include "tools/teach.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "learn/taught.h"
#include "squeezenet.h"
#include "tools/convert/convert.h"
#include "tools/report.h"

#define DEFAULT_MODEL "default"
#define MAX_DEPTH 32 /* folders inside a class folder, at most (symbolic links may loop) */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* What embed and train share: options, then the model. */
typedef struct common {
  const char *model, *out;
  int raw, threads, ignore_orientation;
  char **args; /* FILEs or DIRs */
  int nargs;
} common;

/* Parses argv; `train` takes --out, embed --raw. Returns -1 to go on, else the exit status. */
static int parse(const char *cmd, int argc, char **argv, const char *usage, common *c) {
  memset(c, 0, sizeof *c);
  c->model = DEFAULT_MODEL, c->threads = 1;
  const int train = strcmp(cmd, "train") == 0;
  c->args = calloc((size_t)argc + 1, sizeof *c->args);
  if (!c->args) return 2;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--model") == 0 && i + 1 < argc) c->model = argv[++i];
    else if (train && strcmp(a, "--out") == 0 && i + 1 < argc) c->out = argv[++i];
    else if (!train && strcmp(a, "--raw") == 0) c->raw = 1;
    else if (strcmp(a, "--ignore-orientation") == 0) c->ignore_orientation = 1;
    else if (strcmp(a, "--threads") == 0 && i + 1 < argc) {
      char *end;
      long n = strtol(argv[++i], &end, 10);
      if (*end || n < 1 || n > SQZ_MAX_THREADS) {
        fprintf(stderr, "sqz: --threads takes a number from 1 to %d, not '%s'\n", SQZ_MAX_THREADS, argv[i]);
        return 2;
      }
      c->threads = (int)n;
    } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      fputs(usage, stdout);
      return 0;
    } else if (a[0] == '-' && a[1] == '-') {
      fprintf(stderr, "sqz %s: unknown option '%s'\n%s", cmd, a, usage);
      return 2;
    } else c->args[c->nargs++] = argv[i];
  }
  if (c->nargs == 0) {
    fprintf(stderr, "sqz %s: no %s given\n%s", cmd, train ? "folders" : "files", usage);
    return 2;
  }
  if (train && !c->out) {
    fprintf(stderr, "sqz train: --out FILE.sqz is required (where to write the taught model)\n%s", usage);
    return 2;
  }
  return -1;
}

/* Loads the model named by c->model; also its bytes (*base) when asked. NULL after saying why. */
static sqz_model *load(const common *c, unsigned char **base, size_t *base_size) {
  char path[4096];
  if (!sqz_find_model(c->model, path, sizeof path)) {
    fprintf(stderr, "sqz: model '%s' not found (build it with `cmake --build build`, or give a .sqz path)\n",
            c->model);
    return NULL;
  }
  size_t size = 0;
  sqz_error err = {SQZ_OK, ""};
  unsigned char *bytes = convert_read_file(path, &size, &err);
  sqz_options options = {.threads = c->threads};
  sqz_model *m = bytes ? sqz_model_load_with_options(bytes, size, &options, &err) : NULL;
  if (m && sqz_model_get_info(m).embedding_size == 0) {
    snprintf(err.message, sizeof err.message, "the model has no fire module to take an embedding from");
    sqz_model_free(m);
    m = NULL;
  }
  if (!m) fprintf(stderr, "sqz: %s: %s\n", path, err.message);
  if (m && base) *base = bytes, *base_size = size;
  else free(bytes);
  return m;
}

/* One file's embedding into out; 0 and the reason in err if it fails. */
static int embed_file(sqz_model *m, const char *path, unsigned flags, float *out, int cap, sqz_error *err) {
  size_t size = 0;
  unsigned char *bytes = convert_read_file(path, &size, err);
  if (!bytes) return 0;
  sqz_status st = sqz_embed_image(m, bytes, size, flags, out, cap, err);
  free(bytes);
  return st == SQZ_OK;
}

int sqz_embed_main(int argc, char **argv, const char *usage) {
  common c;
  int status = parse("embed", argc, argv, usage, &c);
  sqz_model *m = status < 0 ? load(&c, NULL, NULL) : NULL;
  if (!m) {
    free(c.args);
    return status < 0 ? 2 : status;
  }
  const int dim = sqz_model_get_info(m).embedding_size;
  const unsigned flags = (c.raw ? 0 : SQZ_UNIT_LENGTH) | (c.ignore_orientation ? SQZ_IGNORE_ORIENTATION : 0);
  float *e = malloc((size_t)dim * sizeof(float));
  size_t cap = 64 + (size_t)dim * 20 + 3 * 4096;
  char *line = malloc(cap);
  status = e && line ? 0 : 2;
  for (int i = 0; i < c.nargs && e && line; i++) {
    sqz_error err = {SQZ_OK, ""};
    if (embed_file(m, c.args[i], flags, e, dim, &err)) {
      sqz_report_embedding_json(m, c.args[i], e, dim, line, cap);
    } else {
      sqz_report_json_error(c.args[i], err.message, line, cap);
      status = 1;
    }
    fputs(line, stdout);
    fputc('\n', stdout);
    fflush(stdout);
  }
  free(line), free(e), free(c.args);
  sqz_model_free(m);
  return status;
}

/* ---- train ---- */

typedef struct example {
  char *path;
  int label; /* index into the sorted class names */
} example;

typedef struct examples {
  example *items;
  int n, cap;
  char **names; /* class names, sorted by byte order, distinct */
  int classes, names_cap;
} examples;

static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

static int is_image_name(const char *name) {
  static const char *const ext[] = {"jpg", "jpeg", "png", "bmp", "gif", "pnm", "ppm", "pgm"};
  const char *dot = strrchr(name, '.');
  for (size_t i = 0; dot && i < sizeof ext / sizeof ext[0]; i++)
    if (strcasecmp(dot + 1, ext[i]) == 0) return 1;
  return 0;
}

static char *join(const char *dir, const char *name) {
  size_t a = strlen(dir), b = strlen(name);
  char *p = malloc(a + b + 2);
  if (p) {
    memcpy(p, dir, a);
    p[a] = '/';
    memcpy(p + a + 1, name, b + 1);
  }
  return p;
}

static int is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The entries of dir, sorted by byte order, hidden ones left out; -1 if it cannot be read. */
static int list_dir(const char *dir, struct dirent ***out) {
  int n = scandir(dir, out, NULL, by_name);
  if (n < 0) return -1;
  int kept = 0;
  for (int i = 0; i < n; i++) {
    if ((*out)[i]->d_name[0] == '.') free((*out)[i]);
    else (*out)[kept++] = (*out)[i];
  }
  return kept;
}

static int add_example(examples *ex, char *path, int label) {
  if (!path) return 0;
  if (ex->n == ex->cap) {
    int cap = ex->cap ? 2 * ex->cap : 256;
    example *items = realloc(ex->items, (size_t)cap * sizeof *items);
    if (!items) return free(path), 0;
    ex->items = items, ex->cap = cap;
  }
  ex->items[ex->n].path = path, ex->items[ex->n].label = label;
  ex->n++;
  return 1;
}

/* A folder on the way down, to tell a link back up (a loop). */
typedef struct ancestor {
  dev_t dev;
  ino_t ino;
  const struct ancestor *up;
} ancestor;

/* The images below dir (recursively, in byte order) as examples of label.
 * Returns 0 if out of memory; reports folders it cannot read or that loop
 * back (*failed). */
static int walk(examples *ex, const char *dir, int label, int depth, const ancestor *up, int *failed) {
  struct dirent **list = NULL;
  struct stat st;
  const char *why = depth > MAX_DEPTH ? "folders nested too deep" : NULL;
  ancestor here = {0, 0, up};
  if (!why && stat(dir, &st) == 0) {
    here.dev = st.st_dev, here.ino = st.st_ino;
    for (const ancestor *a = up; a && !why; a = a->up)
      if (a->dev == st.st_dev && a->ino == st.st_ino) why = "a link back to a folder above it (skipped)";
  }
  int n = why ? -1 : list_dir(dir, &list), ok = 1;
  if (n < 0) {
    fprintf(stderr, "sqz train: %s: %s\n", dir, why ? why : "cannot read this folder");
    *failed = 1;
    return 1;
  }
  for (int i = 0; i < n; i++) {
    char *path = ok ? join(dir, list[i]->d_name) : NULL;
    if (!path) ok = 0;
    else if (is_dir(path)) ok = walk(ex, path, label, depth + 1, &here, failed), free(path);
    else if (is_image_name(list[i]->d_name)) ok = add_example(ex, path, label);
    else free(path);
    free(list[i]);
  }
  free(list);
  return ok;
}

/* The class index of name, added in sorted place if new (-1: out of memory).
 * Added before any example, so indices never shift under examples. */
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

static void examples_free(examples *ex) {
  for (int i = 0; i < ex->n; i++) free(ex->items[i].path);
  for (int i = 0; i < ex->classes; i++) free(ex->names[i]);
  free(ex->items), free(ex->names);
  memset(ex, 0, sizeof *ex);
}

/* The class folders of every DIR, their labels checked, then their images
 * (classes first: a class's index is its place among all names). Returns
 * 0 after saying why on standard error. */
static int collect(const common *c, examples *ex, int *failed) {
  for (int pass = 0; pass < 2; pass++) {
    for (int d = 0; d < c->nargs; d++) {
      struct dirent **list = NULL;
      int n = list_dir(c->args[d], &list), ok = 1;
      if (n < 0) {
        fprintf(stderr, "sqz train: %s: cannot read this folder\n", c->args[d]);
        return 0;
      }
      for (int i = 0; i < n; i++) {
        char *path = ok ? join(c->args[d], list[i]->d_name) : NULL;
        if (!path) ok = 0;
        else if (is_dir(path)) {
          const char *name = list[i]->d_name;
          sqz_error err = {SQZ_OK, ""};
          if (pass == 0 && sqz_taught_label_check(name, strlen(name), -1, &err) != SQZ_OK) {
            fprintf(stderr, "sqz train: %s: a class folder's name is its label, and %s\n", path, err.message);
            ok = -1;
          } else if (pass == 0) {
            if (class_of(ex, name) < 0) ok = 0;
          } else {
            ok = walk(ex, path, class_of(ex, name), 1, NULL, failed);
          }
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
            ex->classes, ex->classes == 1 ? "" : "s", c->args[0], c->nargs > 1 ? " and the others" : "");
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

int sqz_train_main(int argc, char **argv, const char *usage) {
  common c;
  int status = parse("train", argc, argv, usage, &c);
  if (status >= 0) {
    free(c.args);
    return status;
  }
  examples ex;
  memset(&ex, 0, sizeof ex);
  int failed = 0;
  unsigned char *base = NULL;
  size_t base_size = 0;
  sqz_model *m = collect(&c, &ex, &failed) ? load(&c, &base, &base_size) : NULL;
  const int dim = m ? sqz_model_get_info(m).embedding_size : 0;
  float *x = m ? malloc((size_t)(ex.n ? ex.n : 1) * dim * sizeof(float)) : NULL;
  int *labels = m ? malloc((size_t)(ex.n ? ex.n : 1) * sizeof(int)) : NULL;
  int *count = m ? calloc((size_t)ex.classes, sizeof(int)) : NULL;
  status = 2;
  if (m && !(x && labels && count)) fprintf(stderr, "sqz train: out of memory for %d examples\n", ex.n);
  if (m && x && labels && count) {
    const double t0 = now_s();
    int n = 0;
    const unsigned flags = c.ignore_orientation ? SQZ_IGNORE_ORIENTATION : 0;
    for (int i = 0; i < ex.n; i++) {
      sqz_error err = {SQZ_OK, ""};
      if (embed_file(m, ex.items[i].path, flags, x + (size_t)n * dim, dim, &err)) {
        labels[n++] = ex.items[i].label;
        count[ex.items[i].label]++;
      } else {
        fprintf(stderr, "sqz train: %s: %s (skipped)\n", ex.items[i].path, err.message);
        failed = 1;
      }
    }
    const double t1 = now_s();
    int empty = 0;
    for (int k = 0; k < ex.classes; k++) {
      printf("%s: %d example%s\n", ex.names[k], count[k], count[k] == 1 ? "" : "s");
      if (count[k] == 0) {
        fprintf(stderr, "sqz train: class '%s' has no images that could be read\n", ex.names[k]);
        empty = 1;
      }
    }
    float *w = empty ? NULL : malloc(((size_t)ex.classes * dim + ex.classes) * sizeof(float));
    sqz_train_report report;
    sqz_error err = {SQZ_OK, ""};
    uint8_t *out = NULL;
    size_t out_size = 0;
    if (w && sqz_train_head(x, labels, n, dim, ex.classes, NULL, w, w + (size_t)ex.classes * dim, &report, &err) == SQZ_OK &&
        sqz_taught_model_write(base, base_size, w, w + (size_t)ex.classes * dim, ex.classes, dim,
                               (const char *const *)ex.names, &out, &out_size, &err) == SQZ_OK) {
      const double t2 = now_s();
      char line[256];
      sqz_report_training(ex.classes, n, report.train_accuracy, report.iterations, line, sizeof line);
      fputs(line, stdout);
      printf("time: embedding %.1f s, training %.2f s\n", t1 - t0, t2 - t1);
      if (write_file(c.out, out, out_size)) {
        printf("wrote %s (%zu bytes)\n", c.out, out_size);
        status = failed;
      }
    } else if (w || !empty) {
      fprintf(stderr, "sqz train: %s\n", w ? err.message : "out of memory");
    }
    sqz_free(out);
    free(w);
  }
  free(x), free(labels), free(count), free(base), free(c.args);
  examples_free(&ex);
  sqz_model_free(m);
  return status;
}

#define _GNU_SOURCE /* getline, d_type */
#include "tools/inputs.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "tools/report.h"

static const char *const image_extensions[] = {"jpg", "jpeg", "png", "bmp", "gif", "pnm", "ppm", "pgm"};

int cli_is_image_name(const char *name) {
  const char *dot = strrchr(name, '.');
  if (!dot || dot == name) return 0;
  for (size_t i = 0; i < sizeof image_extensions / sizeof image_extensions[0]; i++)
    if (strcasecmp(dot + 1, image_extensions[i]) == 0) return 1;
  return 0;
}

/* A folder being walked, and those it is inside: a folder met again is a link loop. */
typedef struct ancestor {
  dev_t dev;
  ino_t ino;
  const struct ancestor *up;
} ancestor;

typedef struct walker {
  cli_input_fn fn;
  void *ctx;
} walker;

static int fail(const walker *w, const char *path, const char *what, int error) {
  char reason[64], message[4200];
  snprintf(message, sizeof message, "%s: %s (%s)", path, what, sqz_report_io_reason(NULL, error, reason, sizeof reason));
  return w->fn(w->ctx, CLI_INPUT_ERROR, path, message);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

char *cli_join_path(const char *dir, const char *name) {
  size_t n = strlen(dir);
  const char *sep = n && dir[n - 1] == '/' ? "" : "/";
  char *path = malloc(n + strlen(sep) + strlen(name) + 1);
  if (path) sprintf(path, "%s%s%s", dir, sep, name);
  return path;
}

typedef struct entry {
  char *name;
  unsigned char type; /* d_type: DT_UNKNOWN for a link or a file system that does not say */
} entry;

static int entry_by_name(const void *a, const void *b) { return by_name(&((const entry *)a)->name, &((const entry *)b)->name); }

static int walk(const walker *w, const char *dir, const struct stat *st, const ancestor *up);

/* One folder entry: a subfolder is walked, an image given, anything else skipped. */
static int visit(const walker *w, const char *path, const entry *e, const ancestor *here) {
  int is_image = cli_is_image_name(e->name);
  if (e->type == DT_REG) return is_image ? w->fn(w->ctx, CLI_INPUT_FILE, path, NULL) : 0;
  if (e->type != DT_DIR && e->type != DT_LNK && e->type != DT_UNKNOWN) return 0; /* devices, pipes, sockets */
  struct stat st;
  if (stat(path, &st) != 0) {
    /* A dangling link named like an image is an image the user will miss: say so. */
    return is_image ? fail(w, path, "cannot open", errno) : 0;
  }
  if (S_ISDIR(st.st_mode)) return walk(w, path, &st, here);
  if (S_ISREG(st.st_mode) && is_image) return w->fn(w->ctx, CLI_INPUT_FILE, path, NULL);
  return 0;
}

static int walk(const walker *w, const char *dir, const struct stat *st, const ancestor *up) {
  for (const ancestor *a = up; a; a = a->up)
    if (a->dev == st->st_dev && a->ino == st->st_ino)
      return w->fn(w->ctx, CLI_INPUT_NOTE, dir, "a link to a folder it is inside: skipped (loop)");
  ancestor here = {st->st_dev, st->st_ino, up};
  DIR *d = opendir(dir);
  if (!d) return fail(w, dir, "cannot read folder", errno);
  /* Read the whole folder, then close it before going down: deep trees keep no descriptors open. */
  entry *entries = NULL;
  size_t count = 0, cap = 0;
  int stop = 0, error = 0;
  for (;;) {
    errno = 0;
    struct dirent *de = readdir(d);
    if (!de) {
      error = errno;
      break;
    }
    if (de->d_name[0] == '.') continue; /* ".", "..", and hidden files and folders */
    if (count == cap) {
      cap = cap ? 2 * cap : 64;
      entry *grown = realloc(entries, cap * sizeof *entries);
      if (!grown) {
        error = ENOMEM;
        break;
      }
      entries = grown;
    }
    entries[count].name = strdup(de->d_name);
    if (!entries[count].name) {
      error = ENOMEM;
      break;
    }
    entries[count++].type = de->d_type;
  }
  closedir(d);
  if (error) stop = fail(w, dir, "cannot read folder", error);
  else qsort(entries, count, sizeof *entries, entry_by_name);
  for (size_t i = 0; i < count; i++) {
    if (!stop && !error) {
      char *path = cli_join_path(dir, entries[i].name);
      stop = path ? visit(w, path, &entries[i], &here) : fail(w, dir, "cannot read folder", ENOMEM);
      free(path);
    }
    free(entries[i].name);
  }
  free(entries);
  return stop;
}

/* A path as given (argument or list line): a folder is walked, anything else tried as an image. */
static int path_input(const walker *w, const char *path) {
  struct stat st;
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return walk(w, path, &st, NULL);
  return w->fn(w->ctx, CLI_INPUT_FILE, path, NULL);
}

/* One path per line ("\n", or "\r\n"); empty lines are skipped. */
static int list_inputs(const walker *w, FILE *list) {
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  int stop = 0;
  while (!stop && (n = getline(&line, &cap, list)) >= 0) {
    if (n && line[n - 1] == '\n') line[--n] = 0;
    if (n && line[n - 1] == '\r') line[--n] = 0;
    if (n == 0) continue;
    if (memchr(line, 0, (size_t)n)) stop = w->fn(w->ctx, CLI_INPUT_ERROR, line, "a list line holds a NUL byte");
    else stop = path_input(w, line);
  }
  free(line);
  return stop;
}

int cli_sources_open(cli_source *sources, int count, char *why, size_t cap) {
  for (int i = 0; i < count; i++) {
    if (!sources[i].is_list) continue;
    sources[i].list = strcmp(sources[i].arg, "-") == 0 ? stdin : fopen(sources[i].arg, "r");
    if (!sources[i].list) {
      char reason[64];
      snprintf(why, cap, "%s: cannot open the list (%s)", sources[i].arg,
               sqz_report_io_reason(NULL, errno, reason, sizeof reason));
      return 0;
    }
  }
  return 1;
}

void cli_sources_close(cli_source *sources, int count) {
  for (int i = 0; i < count; i++) {
    if (sources[i].list && sources[i].list != stdin) fclose(sources[i].list);
    sources[i].list = NULL;
  }
}

int cli_inputs_each(const cli_source *sources, int count, cli_input_fn fn, void *ctx) {
  walker w = {fn, ctx};
  for (int i = 0; i < count; i++) {
    int stop = sources[i].is_list ? list_inputs(&w, sources[i].list) : path_input(&w, sources[i].arg);
    if (stop) return stop;
  }
  return 0;
}

typedef struct counting {
  long long n;
  const int *stop;
} counting;

static int count_one(void *ctx, cli_input_kind kind, const char *path, const char *message) {
  counting *c = ctx;
  if (kind != CLI_INPUT_NOTE) c->n++;
  return __atomic_load_n(c->stop, __ATOMIC_RELAXED);
}

long long cli_inputs_count(const cli_source *sources, int count, const int *stop) {
  counting c = {0, stop};
  walker w = {count_one, &c};
  for (int i = 0; i < count; i++) {
    if (!sources[i].is_list) {
      if (path_input(&w, sources[i].arg)) return -1;
      continue;
    }
    /* A list is read again by name, which only a regular file allows. */
    struct stat st;
    if (strcmp(sources[i].arg, "-") == 0 || stat(sources[i].arg, &st) != 0 || !S_ISREG(st.st_mode)) return -1;
    FILE *again = fopen(sources[i].arg, "r");
    if (!again) return -1;
    int stopped = list_inputs(&w, again);
    fclose(again);
    if (stopped) return -1;
  }
  return c.n;
}

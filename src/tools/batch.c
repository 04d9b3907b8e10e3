#define _POSIX_C_SOURCE 200809L /* clock_gettime, fileno */
#include "tools/batch.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools/report.h"

int cli_text_reserve(cli_text *t, size_t n) {
  if (n + 1 <= t->cap) return 1;
  size_t cap = t->cap ? t->cap : 4096;
  while (cap < n + 1) cap *= 2;
  char *grown = realloc(t->data, cap);
  if (!grown) return 0;
  t->data = grown;
  t->cap = cap;
  return 1;
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- progress: one line on standard error, redrawn with \r ---- */

typedef struct progress {
  int on, drawn;
  double start, last;
  long long done, failed;
  atomic_llong total; /* -1 until the counting walk is done, and for good if it cannot be known */
} progress;

static void progress_clear(progress *p) {
  if (p->drawn) fputs("\r\033[K", stderr);
  p->drawn = 0;
}

/* "120/5000 files, 2 failed, 48.2 images/s, 1:41 left" (total and time left when known). */
static void progress_draw(progress *p, int final) {
  double t = now_seconds();
  if (!p->on || (!final && t - p->last < 0.1)) return;
  p->last = t;
  double elapsed = t - p->start, rate = elapsed > 0 ? p->done / elapsed : 0;
  long long total = atomic_load(&p->total);
  char line[160];
  int n = total >= p->done ? snprintf(line, sizeof line, "%lld/%lld files", p->done, total)
                           : snprintf(line, sizeof line, "%lld files", p->done);
  if (p->failed) n += snprintf(line + n, sizeof line - n, ", %lld failed", p->failed);
  n += snprintf(line + n, sizeof line - n, ", %.1f images/s", rate);
  if (final) {
    snprintf(line + n, sizeof line - n, ", %.1f s", elapsed);
  } else if (total >= p->done && rate > 0) {
    long long left = (long long)((total - p->done) / rate + 0.5);
    snprintf(line + n, sizeof line - n, ", %lld:%02lld left", left / 60, left % 60);
  }
  fprintf(stderr, "\r\033[K%s%s", line, final ? "\n" : "");
  p->drawn = !final;
  fflush(stderr);
}

/* ---- the run ---- */

enum { SLOT_FREE, SLOT_QUEUED, SLOT_RUNNING, SLOT_DONE };

typedef struct slot {
  int state, failed, to_stderr;
  char *path;
  cli_text out;
} slot;

typedef struct batch batch;

typedef struct job_thread {
  batch *b;
  int index;
  pthread_t thread;
} job_thread;

struct batch {
  const cli_job *job;
  const cli_batch_options *options;
  const cli_source *sources;
  int nsources;
  pthread_mutex_t mu;
  pthread_cond_t work, done, space;
  slot *ring;
  size_t window;
  unsigned long long head, tail, next; /* next to write, next to fill, next to claim */
  int input_done, stopping, started, busy, missing; /* job threads: started, running an input, failed to start */
  job_thread jobs[CLI_MAX_JOBS];
  int count_stop;
  progress progress;
};

static void *job_main(void *arg) {
  batch *b = ((job_thread *)arg)->b;
  int index = ((job_thread *)arg)->index;
  char why[512] = "";
  void *state = b->job->start(b->job->shared, index, why, sizeof why);
  pthread_mutex_lock(&b->mu);
  if (!state) {
    /* Over the progress line, which the writer redraws (it alone touches its state). */
    fprintf(stderr, "%s%s: job %d did not start (%s): running with fewer\n", b->progress.on ? "\r\033[K" : "",
            b->options->program, index + 1, why);
    b->missing++;
    pthread_mutex_unlock(&b->mu);
    return NULL;
  }
  for (;;) {
    while (b->next == b->tail && !b->input_done && !b->stopping) pthread_cond_wait(&b->work, &b->mu);
    if (b->next == b->tail || b->stopping) break;
    slot *s = &b->ring[b->next++ % b->window];
    if (s->state != SLOT_QUEUED) continue; /* an error or a note: nothing to run */
    s->state = SLOT_RUNNING;
    b->busy++;
    pthread_mutex_unlock(&b->mu);
    int failed = b->job->run(state, s->path, &s->out);
    pthread_mutex_lock(&b->mu);
    s->failed = failed;
    s->state = SLOT_DONE;
    b->busy--;
    pthread_cond_signal(&b->done);
  }
  pthread_mutex_unlock(&b->mu);
  b->job->stop(state, index);
  return NULL;
}

/* With the lock held: one more job thread, up to --jobs (0 if it could not start). */
static int start_job(batch *b) {
  job_thread *t = &b->jobs[b->started];
  t->b = b;
  t->index = b->started;
  if (pthread_create(&t->thread, NULL, job_main, t) != 0) return 0;
  b->started++;
  return 1;
}

/* The producer's callback: each input into the next free slot, in order. */
static int enqueue(void *ctx, cli_input_kind kind, const char *path, const char *message) {
  batch *b = ctx;
  pthread_mutex_lock(&b->mu);
  while (b->tail - b->head >= b->window && !b->stopping) pthread_cond_wait(&b->space, &b->mu);
  if (b->stopping) {
    pthread_mutex_unlock(&b->mu);
    return 1;
  }
  slot *s = &b->ring[b->tail % b->window];
  s->failed = kind == CLI_INPUT_ERROR;
  s->to_stderr = kind == CLI_INPUT_NOTE;
  s->path = NULL;
  int ok = 1;
  if (kind == CLI_INPUT_FILE) {
    ok = (s->path = strdup(path)) != NULL;
    s->state = SLOT_QUEUED;
  } else {
    /* Formatted here, in input order: the writer shows it in its place. */
    if (kind == CLI_INPUT_ERROR) b->job->error(b->job->shared, path, message, &s->out);
    else if (cli_text_reserve(&s->out, strlen(b->options->program) + strlen(path) + strlen(message) + 8))
      s->out.len = (size_t)sprintf(s->out.data, "%s: %s: %s\n", b->options->program, path, message);
    else ok = 0;
    s->state = SLOT_DONE;
  }
  if (!ok) {
    b->job->error(b->job->shared, path, "out of memory", &s->out);
    s->failed = 1;
    s->to_stderr = 0;
    s->state = SLOT_DONE;
  }
  b->tail++;
  if (s->state == SLOT_QUEUED) {
    /* Another job only when the inputs waiting outnumber the jobs free (starting ones included). */
    unsigned long long free_jobs = (unsigned long long)(b->started - b->busy - b->missing);
    if (b->tail - b->next > free_jobs && b->started < b->options->jobs) start_job(b);
    pthread_cond_signal(&b->work);
  } else {
    pthread_cond_signal(&b->done);
  }
  pthread_mutex_unlock(&b->mu);
  return 0;
}

static void *producer_main(void *arg) {
  batch *b = arg;
  cli_inputs_each(b->sources, b->nsources, enqueue, b);
  pthread_mutex_lock(&b->mu);
  b->input_done = 1;
  pthread_cond_broadcast(&b->work);
  pthread_cond_signal(&b->done);
  pthread_mutex_unlock(&b->mu);
  return NULL;
}

static void *count_main(void *arg) {
  batch *b = arg;
  long long n = cli_inputs_count(b->sources, b->nsources, &b->count_stop);
  if (!__atomic_load_n(&b->count_stop, __ATOMIC_RELAXED)) atomic_store(&b->progress.total, n);
  return NULL;
}

/* One write(2) per output where the system allows (a line of --files-from's
 * xargs recipe is then whole in a file opened for appending); 0 or an errno. */
static int write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return w < 0 ? errno : EIO;
    p += w, n -= (size_t)w;
  }
  return 0;
}

/* The calling thread writes: each slot in order, once done. Returns 0, or an errno if the output failed. */
static int write_in_order(batch *b, FILE *out, int *failed) {
  int out_is_terminal = isatty(fileno(out)), error = 0;
  pthread_mutex_lock(&b->mu);
  while (!error) {
    while (b->head == b->tail && !b->input_done) pthread_cond_wait(&b->done, &b->mu);
    if (b->head == b->tail) break;
    slot *s = &b->ring[b->head % b->window];
    while (s->state != SLOT_DONE) pthread_cond_wait(&b->done, &b->mu);
    pthread_mutex_unlock(&b->mu);
    if (s->to_stderr || out_is_terminal) progress_clear(&b->progress);
    int failed_write = write_all(fileno(s->to_stderr ? stderr : out), s->out.data, s->out.len);
    if (!s->to_stderr) error = failed_write; /* a note that cannot be shown stops nothing */
    if (!s->to_stderr) {
      b->progress.done++;
      b->progress.failed += s->failed;
      *failed |= s->failed;
    }
    progress_draw(&b->progress, 0);
    pthread_mutex_lock(&b->mu);
    free(s->path);
    s->path = NULL;
    s->state = SLOT_FREE;
    b->head++;
    pthread_cond_signal(&b->space);
  }
  pthread_mutex_unlock(&b->mu);
  return error;
}

/* Stops the producer and the jobs. */
static void stop_all(batch *b) {
  pthread_mutex_lock(&b->mu);
  b->stopping = 1;
  pthread_cond_broadcast(&b->work);
  pthread_cond_broadcast(&b->space);
  pthread_mutex_unlock(&b->mu);
}

int cli_batch_run(const cli_job *job, const cli_source *sources, int nsources, const cli_batch_options *options,
                  FILE *out) {
  batch *b = calloc(1, sizeof *b);
  size_t window = 4 * (size_t)options->jobs + 4;
  slot *ring = calloc(window, sizeof *ring);
  if (!b || !ring) {
    fprintf(stderr, "%s: out of memory\n", options->program);
    free(b);
    free(ring);
    return 2;
  }
  b->job = job, b->options = options, b->sources = sources, b->nsources = nsources;
  b->ring = ring, b->window = window;
  pthread_mutex_init(&b->mu, NULL);
  pthread_cond_init(&b->work, NULL);
  pthread_cond_init(&b->done, NULL);
  pthread_cond_init(&b->space, NULL);
  b->progress.on = options->progress;
  b->progress.start = b->progress.last = now_seconds();
  atomic_init(&b->progress.total, -1);

  pthread_t producer, counter;
  int failed = 0, error = 0, counting = 0;
  pthread_mutex_lock(&b->mu);
  int started = start_job(b); /* job 0: the caller's model, so at least one job runs */
  pthread_mutex_unlock(&b->mu);
  if (!started || pthread_create(&producer, NULL, producer_main, b) != 0) {
    fprintf(stderr, "%s: cannot start a thread\n", options->program);
    stop_all(b);
  } else {
    if (options->progress) counting = pthread_create(&counter, NULL, count_main, b) == 0;
    error = write_in_order(b, out, &failed);
    if (error) stop_all(b);
    pthread_join(producer, NULL);
  }
  if (counting) {
    __atomic_store_n(&b->count_stop, 1, __ATOMIC_RELAXED);
    pthread_join(counter, NULL);
  }
  pthread_mutex_lock(&b->mu);
  b->input_done = 1;
  pthread_cond_broadcast(&b->work);
  pthread_mutex_unlock(&b->mu);
  for (int i = 0; i < b->started; i++) pthread_join(b->jobs[i].thread, NULL);
  int status = failed;
  if (!started || error) {
    status = 2;
    progress_clear(&b->progress);
  } else {
    progress_draw(&b->progress, 1);
  }
  if (error) {
    char reason[64];
    fprintf(stderr, "%s: cannot write the output (%s)\n", options->program,
            sqz_report_io_reason(NULL, error, reason, sizeof reason));
  }
  for (size_t i = 0; i < window; i++) {
    free(ring[i].path);
    free(ring[i].out.data);
  }
  pthread_cond_destroy(&b->work);
  pthread_cond_destroy(&b->done);
  pthread_cond_destroy(&b->space);
  pthread_mutex_destroy(&b->mu);
  free(ring);
  free(b);
  return status;
}

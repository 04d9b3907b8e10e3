/* Threads: the pool runs every item exactly once for any thread and item
 * count, each thread its items in increasing order; a model classifies to
 * bit-identical logits on 1, 2 and 3 threads (both ISAs' kernels, every
 * path, a fire module's expands in one job), matching the golden references
 * of ../shared, also from photos resized in bands of rows on threads; bad
 * thread counts are refused with a reason. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "format/format.h"
#include "engine/model.h"
#include "engine/network.h"
#include "engine/threadpool.h"
#include "preprocess/preprocess.h"
#include "squeezenet.h"
#include "testutil.h"

typedef struct count_job {
  _Atomic int *hits;
  _Atomic int thread_used[8];
  long last[8];     /* each thread's last item (written by that thread only) */
  _Atomic int disordered;
} count_job;

static void count_item(void *context, size_t item, int thread) {
  count_job *j = context;
  atomic_fetch_add(&j->hits[item], 1);
  if (thread >= 0 && thread < 8) {
    atomic_fetch_add(&j->thread_used[thread], 1);
    if ((long)item <= j->last[thread]) atomic_fetch_add(&j->disordered, 1);
    j->last[thread] = (long)item;
  }
}

static void check_pool(void) {
  for (int threads = 1; threads <= 4; threads++) {
    sqz_error err = {0, ""};
    sqz_pool *pool = sqz_pool_create(threads, &err);
    CHECK(pool != NULL, "pool of %d: %s", threads, err.message);
    if (!pool) continue;
    CHECK(sqz_pool_threads(pool) == threads, "pool of %d runs %d threads", threads, sqz_pool_threads(pool));
    /* many small jobs in a row, as a network runs them (0, 1 and uneven counts) */
    for (int round = 0; round < 300; round++) {
      size_t items = (size_t)(round % 7 == 0 ? 0 : round % 5 == 0 ? 1 : 1 + test_rand() % 500);
      count_job job;
      memset(&job, 0, sizeof job);
      for (int t = 0; t < 8; t++) job.last[t] = -1;
      job.hits = calloc(items ? items : 1, sizeof *job.hits);
      sqz_pool_parallelize(pool, count_item, &job, items);
      int bad = 0;
      for (size_t i = 0; i < items; i++) bad += job.hits[i] != 1;
      int beyond = 0;
      for (int t = threads; t < 8; t++) beyond += job.thread_used[t];
      CHECK(bad == 0, "pool of %d, %zu items: %d items not run exactly once", threads, items, bad);
      CHECK(beyond == 0, "pool of %d: a thread index out of range was used", threads);
      CHECK(job.disordered == 0, "pool of %d: a thread ran its items out of order", threads);
      free(job.hits);
    }
    sqz_pool_free(pool);
  }
}

static void top5(const float *x, int out[5]) {
  for (int k = 0; k < 5; k++) {
    int best = -1;
    for (int i = 0; i < 1000; i++) {
      int taken = 0;
      for (int j = 0; j < k; j++) taken |= out[j] == i;
      if (!taken && (best < 0 || x[i] > x[best])) best = i;
    }
    out[k] = best;
  }
}

/* Logits of one raw crop through a network with kernels k and path policy p on `threads` threads. */
static int run_network(const sqz_model_desc *d, const sqz_kernels *k, const sqz_conv_policy *p, int threads,
                       const uint8_t *rgb, float out[1000]) {
  sqz_error err = {0, ""};
  sqz_network *net = NULL;
  sqz_pool *pool = sqz_pool_create(threads, &err);
  int ok = pool && sqz_network_create(d, k, p, &net, &err) == SQZ_OK && sqz_network_set_pool(net, pool, &err) == SQZ_OK &&
           sqz_preprocess(&d->recipe, rgb, d->recipe.input_width, d->recipe.input_height, 3, 0, 1, NULL,
                          sqz_network_input(net), &err) == SQZ_OK;
  CHECK(ok, "%s, %s on %d threads: %s", k->name, p->name, threads, err.message);
  if (ok) memcpy(out, sqz_network_run(net), 1000 * sizeof(float));
  sqz_network_free(net);
  sqz_pool_free(pool);
  return ok;
}

static void check_model(const char *model) {
  size_t size;
  uint8_t *bytes = test_read_model(model, &size);
  if (!bytes) return;
  sqz_error err = {0, ""};
  sqz_model_desc *d = malloc(sizeof *d);
  CHECK(sqz_model_parse(bytes, size, d, &err) == SQZ_OK, "%s: %s", model, err.message);
  sqz_model *models[3] = {0};
  for (int t = 0; t < 3; t++) {
    sqz_options opt = {.threads = t + 1};
    models[t] = sqz_model_load_with_options(bytes, size, &opt, &err);
    CHECK(models[t] != NULL, "%s on %d threads: %s", model, t + 1, err.message);
    if (models[t]) CHECK(sqz_model_get_info(models[t]).threads == t + 1, "%s: info says %d threads, not %d", model,
                         sqz_model_get_info(models[t]).threads, t + 1);
  }
  char dir[1024];
  snprintf(dir, sizeof dir, "%s/reference/%s", test_shared_dir(), model);
  DIR *dp = opendir(dir);
  CHECK(dp != NULL, "cannot open %s", dir);
  struct dirent *e;
  int crops = 0, sets_compared = 0, quick = getenv("SQZ_TEST_QUICK") != NULL; /* the sanitizer run: two crops */
  float worst = 0;
  while (dp && models[2] && (!quick || crops < 2) && (e = readdir(dp))) {
    size_t n = strlen(e->d_name);
    if (n < 5 || strcmp(e->d_name + n - 4, ".ppm")) continue;
    char ppm[2048], ref[2048];
    snprintf(ppm, sizeof ppm, "%s/%s", dir, e->d_name);
    snprintf(ref, sizeof ref, "%s/%.*s.logits.f32", dir, (int)(n - 4), e->d_name);
    size_t psize, rsize;
    uint8_t *pbytes = test_read_file(ppm, &psize), *rbytes = test_read_file(ref, &rsize);
    CHECK(pbytes && rbytes && rsize == 4000, "%s: missing or short reference", ppm);
    if (pbytes && rbytes && rsize == 4000) {
      float reference[1000], logits[3][1000];
      memcpy(reference, rbytes, sizeof reference);
      for (int t = 0; t < 3; t++) {
        CHECK(sqz_classify_image(models[t], pbytes, psize, SQZ_INPUT_RAW, &err) == SQZ_OK, "%s: %s", ppm, err.message);
        const float *lg = sqz_logits(models[t]);
        if (lg) memcpy(logits[t], lg, sizeof logits[t]);
      }
      CHECK(memcmp(logits[0], logits[1], sizeof logits[0]) == 0, "%s: logits on 2 threads differ from 1", ppm);
      CHECK(memcmp(logits[0], logits[2], sizeof logits[0]) == 0, "%s: logits on 3 threads differ from 1", ppm);
      float diff = 0;
      for (int i = 0; i < 1000; i++) diff = fmaxf(diff, fabsf(logits[2][i] - reference[i]));
      int a[5], b[5];
      top5(logits[2], a);
      top5(reference, b);
      CHECK(diff <= 1e-3f && memcmp(a, b, sizeof a) == 0, "%s: 3 threads: max |diff| %g, top-5 %d.., reference %d..",
            ppm, diff, a[0], b[0]);
      worst = fmaxf(worst, diff);
      /* the scalar kernels and every path (other step kinds), 1 vs 2 threads, on the first crops */
      int w, h, c;
      uint8_t *rgb = crops < 2 ? sqz_decode_image(pbytes, psize, &w, &h, &c, &err) : NULL;
      CHECK(crops >= 2 || rgb, "%s: %s", ppm, err.message);
      const struct {
        const sqz_kernels *k;
        const sqz_conv_policy *p;
      } sets[] = {{&sqz_kernels_scalar, &sqz_conv_policy_default},
                  {&sqz_kernels_wasmsimd, &sqz_conv_policy_direct},
                  {&sqz_kernels_wasmsimd, &sqz_conv_policy_winograd2},
                  {&sqz_kernels_wasmsimd, &sqz_conv_policy_winograd4},
                  {&sqz_kernels_wasmsimd, &sqz_conv_policy_all_sparse},
                  {&sqz_kernels_wasmsimd, &sqz_conv_policy_all_qs8},
                  {&sqz_kernels_scalar, &sqz_conv_policy_all_qs8},
                  {&sqz_kernels_wasmsimd, &sqz_conv_policy_unfused}};
      for (int s = 0; rgb && s < (int)(sizeof sets / sizeof *sets); s++) {
        float one[1000], two[1000];
        if (run_network(d, sets[s].k, sets[s].p, 1, rgb, one) && run_network(d, sets[s].k, sets[s].p, 2, rgb, two)) {
          CHECK(memcmp(one, two, sizeof one) == 0, "%s: %s, %s: logits on 2 threads differ from 1", ppm,
                sets[s].k->name, sets[s].p->name);
          sets_compared++;
        }
      }
      sqz_image_free(rgb);
      crops++;
    }
    free(pbytes);
    free(rbytes);
  }
  if (dp) closedir(dp);
  CHECK(crops >= (quick ? 2 : 8), "%s: only %d golden crops", model, crops);
  CHECK(sets_compared >= 10, "%s: only %d kernel and path runs compared on 1 and 2 threads", model, sets_compared);
  printf("%s: %d golden crops identical on 1, 2, 3 threads, max |diff| %.3g from the reference\n", model, crops, worst);
  for (int t = 0; t < 3; t++) sqz_model_free(models[t]);
  free(d);
  free(bytes);
}

static void check_bad_options(void) {
  size_t size;
  uint8_t *bytes = test_read_model("squeezenet1_1", &size);
  if (!bytes) return;
  int bad[] = {-1, SQZ_MAX_THREADS + 1, 1 << 30};
  for (int i = 0; i < 3; i++) {
    sqz_error err = {0, ""};
    sqz_options opt = {.threads = bad[i]};
    sqz_model *m = sqz_model_load_with_options(bytes, size, &opt, &err);
    CHECK(m == NULL && err.code == SQZ_ERR_ARGUMENT && strstr(err.message, "threads"),
          "threads = %d: accepted or unclear error '%s'", bad[i], err.message);
    sqz_model_free(m);
  }
  sqz_error err = {0, ""};
  sqz_model *m = sqz_model_load_with_options(bytes, size, NULL, &err);
  CHECK(m && sqz_model_get_info(m).threads == 1, "default options: not one thread");
  sqz_model_free(m);
  free(bytes);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Photos of any size, resized by the recipe (in bands of rows on threads):
 * the same logits on 1, 2 and 3 threads; and the steps in their jobs. */
static void check_photos(const char *model) {
  size_t size;
  uint8_t *bytes = test_read_model(model, &size);
  if (!bytes) return;
  sqz_model *models[3] = {0};
  sqz_error err = {0, ""};
  for (int t = 0; t < 3; t++) {
    sqz_options opt = {.threads = t + 1};
    models[t] = sqz_model_load_with_options(bytes, size, &opt, &err);
    CHECK(models[t] != NULL, "%s on %d threads: %s", model, t + 1, err.message);
  }
  if (models[0]) { /* 3 steps per fire module in 2 jobs: its expands share one (8 fire modules) */
    sqz_network *net = sqz_model_network(models[0]);
    CHECK(sqz_network_num_jobs(net) == sqz_network_num_steps(net) - 8, "%s: %d steps in %d jobs", model,
          sqz_network_num_steps(net), sqz_network_num_jobs(net));
  }
  char dir[1024], *names[256];
  snprintf(dir, sizeof dir, "%s/testdata/imagenet-sample", test_shared_dir());
  DIR *dp = opendir(dir);
  CHECK(dp != NULL, "cannot open %s", dir);
  int n = 0, compared = 0;
  for (struct dirent *e; dp && n < 256 && (e = readdir(dp));)
    if (strstr(e->d_name, ".JPEG")) names[n++] = strdup(e->d_name);
  if (dp) closedir(dp);
  qsort(names, (size_t)n, sizeof *names, by_name);
  const int photos = getenv("SQZ_TEST_QUICK") ? 2 : 12;
  for (int i = 0; i < n && i < photos && models[2]; i++) {
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    size_t psize;
    uint8_t *photo = test_read_file(path, &psize);
    float logits[3][1000];
    int ok = photo != NULL;
    for (int t = 0; ok && t < 3; t++) {
      ok = sqz_classify_image(models[t], photo, psize, 0, &err) == SQZ_OK;
      CHECK(ok, "%s: %s", path, err.message);
      if (ok) memcpy(logits[t], sqz_logits(models[t]), sizeof logits[t]);
    }
    if (ok) {
      CHECK(memcmp(logits[0], logits[1], sizeof logits[0]) == 0, "%s: logits on 2 threads differ from 1", path);
      CHECK(memcmp(logits[0], logits[2], sizeof logits[0]) == 0, "%s: logits on 3 threads differ from 1", path);
      compared++;
    }
    free(photo);
  }
  for (int i = 0; i < n; i++) free(names[i]);
  CHECK(compared >= (getenv("SQZ_TEST_QUICK") ? 2 : 12), "%s: only %d photos compared on 1, 2, 3 threads", model,
        compared);
  printf("%s: %d photos identical on 1, 2, 3 threads\n", model, compared);
  for (int t = 0; t < 3; t++) sqz_model_free(models[t]);
  free(bytes);
}

int main(void) {
  check_pool();
  check_photos("squeezenet1_1");
  check_photos("squeezenet1_0");
  check_bad_options();
  check_model("squeezenet1_1");
  check_model("squeezenet1_0");
  return test_finish("test_threads");
}

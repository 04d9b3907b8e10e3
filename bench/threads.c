/* Where threads gain and lose, natively: the same model loaded on 1 and on
 * N threads (default 2), run alternately in one process on the same picture,
 * each round timing preprocessing (the picture's resize and crop into the
 * network input) and every step of the network. Prints, per step, its
 * multiply-adds, the two minima and medians and 1t / Nt (the speed-up), then
 * the whole inference's, and how many jobs (barriers) an inference runs
 * (preprocessing is one more). Before and after, how many cores the machine
 * gives: a loop of multiply-adds on 1 thread, then twice the work on 2, the
 * fastest of 4 each: 2 × its 1-thread time / its 2-thread time, 2.00 when
 * both cores are free (only then do 2-thread figures mean much).
 *   build/bench_threads MODEL.sqz PICTURE [ROUNDS [THREADS]]
 * PICTURE: a binary PPM (P6), resized by the model's recipe (a golden crop
 * of exactly the input size is only normalised). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/model.h"
#include "squeezenet.h"

#include "benchutil.h"
#include "testutil.h"

static void *busy_loop(void *arg) {
  volatile double x = 1;
  for (long i = 0; i < 20000000; i++) x = x * 1.0000001 + 1e-9;
  return arg;
}

/* Cores the machine gives now, 1.00 to 2.00 (see above). */
static double cores_free(void) {
  double one = 1e30, two = 1e30;
  for (int r = 0; r < 4; r++) {
    double t0 = bench_now_ms();
    busy_loop(NULL);
    double t1 = bench_now_ms();
    pthread_t other;
    const int started = pthread_create(&other, NULL, busy_loop, NULL) == 0;
    busy_loop(NULL);
    if (started) pthread_join(other, NULL);
    double t2 = bench_now_ms();
    if (t1 - t0 < one) one = t1 - t0;
    if (t2 - t1 < two) two = t2 - t1;
  }
  return 2 * one / two;
}

typedef struct side {
  sqz_model *m;
  sqz_network *net;
  double *t; /* [round][row]: row 0 preprocessing, 1..steps the steps, steps+1 the whole inference */
} side;

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: bench_threads MODEL.sqz PICTURE.ppm [ROUNDS [THREADS]]\n");
    return 2;
  }
  const int rounds = argc > 3 && atoi(argv[3]) > 0 ? atoi(argv[3]) : 30;
  const int threads = argc > 4 && atoi(argv[4]) > 1 ? atoi(argv[4]) : 2;
  size_t msize;
  void *mbytes = test_read_file(argv[1], &msize);
  if (!mbytes) {
    fprintf(stderr, "bench_threads: cannot read %s\n", argv[1]);
    return 1;
  }
  int w, h;
  const unsigned char *pixels;
  unsigned char *ppm = bench_read_ppm("bench_threads", argv[2], &w, &h, &pixels);
  if (!ppm) return 1;
  sqz_error err;
  side sides[2];
  int steps = 0;
  for (int s = 0; s < 2; s++) {
    sqz_options options = {.threads = s ? threads : 1};
    sides[s].m = sqz_model_load_with_options(mbytes, msize, &options, &err);
    if (!sides[s].m) {
      fprintf(stderr, "bench_threads: %s: %s\n", argv[1], err.message);
      return 1;
    }
    sides[s].net = sqz_model_network(sides[s].m);
    steps = sqz_network_num_steps(sides[s].net);
    sides[s].t = calloc((size_t)rounds * (steps + 2), sizeof(double));
  }
  if (sqz_model_get_info(sides[1].m).threads != threads) {
    fprintf(stderr, "bench_threads: %d threads run, not %d\n", sqz_model_get_info(sides[1].m).threads, threads);
    return 1;
  }
  const sqz_model_info info = sqz_model_get_info(sides[0].m);
  const unsigned flags = w == info.input_width && h == info.input_height ? SQZ_INPUT_RAW : 0;
  const int rows = steps + 2;
  const double free_before = cores_free();
  for (int r = -3; r < rounds; r++) {
    for (int s = 0; s < 2; s++) {
      side *x = &sides[r & 1 ? 1 - s : s]; /* alternate which goes first */
      double *t = x->t + (size_t)(r < 0 ? 0 : r) * rows;
      double t0 = bench_now_ms();
      if (sqz_model_prepare(x->m, pixels, w, h, SQZ_RGB, 0, flags, &err)) {
        fprintf(stderr, "bench_threads: %s\n", err.message);
        return 1;
      }
      t[0] = bench_now_ms() - t0;
      for (int i = 0; i < steps; i++) {
        double t1 = bench_now_ms();
        sqz_network_run_step(x->net, i);
        t[1 + i] = bench_now_ms() - t1;
      }
      /* the whole classification, untimed steps: what a user waits for */
      t0 = bench_now_ms();
      if (sqz_classify_pixels(x->m, pixels, w, h, SQZ_RGB, 0, flags, &err)) {
        fprintf(stderr, "bench_threads: %s\n", err.message);
        return 1;
      }
      t[rows - 1] = bench_now_ms() - t0;
    }
  }
  if (memcmp(sqz_logits(sides[0].m), sqz_logits(sides[1].m), sizeof(float) * (size_t)info.num_classes) != 0) {
    fprintf(stderr, "bench_threads: the logits differ between 1 and %d threads\n", threads);
    return 1;
  }
  const double free_after = cores_free();
  printf("%s, %s (%dx%d), %d rounds, 1 thread against %d (alternating); cores free %.2f before, %.2f after\n",
         argv[1], argv[2], w, h, rounds, threads, free_before, free_after);
  printf("%-22s %8s %9s %9s %9s %9s %7s %7s\n", "step", "M madds", "1t min", "2t min", "1t med", "2t med",
         "min x", "med x");
  double *v = malloc(sizeof(double) * (size_t)rounds);
  for (int row = 0; row < rows; row++) {
    double mins[2], meds[2];
    for (int s = 0; s < 2; s++) {
      for (int r = 0; r < rounds; r++) v[r] = sides[s].t[(size_t)r * rows + row];
      meds[s] = bench_median(v, rounds);
      mins[s] = v[0];
    }
    const char *name = row == 0 ? "preprocess" : row == rows - 1 ? "classify (whole)" : sqz_network_step_name(sides[0].net, row - 1);
    const double madds = row == 0 || row == rows - 1 ? 0 : (double)sqz_network_step_madds(sides[0].net, row - 1);
    printf("%-22s %8.1f %9.3f %9.3f %9.3f %9.3f %7.2f %7.2f\n", name, madds / 1e6, mins[0], mins[1], meds[0],
           meds[1], mins[0] / mins[1], meds[0] / meds[1]);
  }
  printf("%d steps in %d jobs (barriers), preprocessing one more\n", steps, sqz_network_num_jobs(sides[0].net));
  free(v);
  for (int s = 0; s < 2; s++) sqz_model_free(sides[s].m), free(sides[s].t);
  free(mbytes);
  free(ppm);
  return 0;
}

/* The shipped compact models on the 200 sample photos, against the
 * independent float reference (../shared/reference/<model>/predictions.json,
 * PyTorch on the upstream weights):
 * - models/default.sqz (what the CLIs, package and page load by default) is
 *   at most 1,000,000 bytes and its top-1 accuracy is at most 1 point below
 *   the float model's;
 * - squeezenet1_1-compact is at most 800,000 bytes, top-1 at most 1 point
 *   below float, and agrees with the float model's top-1 on at least 85%;
 * - squeezenet1_1-int8: top-1 at most 1 point below, agreement at least 95%;
 * - squeezenet1_1-qs8 (int8 weights but f16 squeezes; its expand1x1s and
 *   conv10 computed in 8 bits): top-1 at most 1 point below, agreement at
 *   least 98% (measured 99.0%: 198 of 200).
 * (Measured values are in the note table: bench/compact_models.c.) */
#include <stdlib.h>
#include <string.h>

#include "photos.h"
#include "squeezenet.h"
#include "testutil.h"

#define PHOTOS 200

typedef struct expectation {
  const char *file;        /* in the models folder, without .sqz */
  size_t max_bytes;
  double max_top1_loss;    /* points of top-1 accuracy below the float model */
  double min_agreement;    /* % of photos with the float model's top-1 */
} expectation;

static void check(const expectation *e) {
  size_t size;
  uint8_t *bytes = test_read_model(e->file, &size);
  if (!bytes) return;
  CHECK(size <= e->max_bytes, "%s: %zu bytes, over %zu", e->file, size, e->max_bytes);
  sqz_error err = {SQZ_OK, ""};
  sqz_model *m = sqz_model_load(bytes, size, &err);
  free(bytes);
  CHECK(m != NULL, "%s: %s", e->file, err.message);
  if (!m) return;
  const char *name = sqz_model_get_info(m).name; /* the network: squeezenet1_0 / 1_1 */
  static ref_entry refs[PHOTOS];
  int n = photos_load_reference(name, refs, PHOTOS);
  CHECK(n == PHOTOS, "%s: %d reference entries for %s", e->file, n, name);
  static int top5[5 * PHOTOS];
  int done = n == PHOTOS ? photos_classify(m, refs, n, top5) : 0;
  CHECK(done == PHOTOS, "%s: classified %d of %d photos", e->file, done, PHOTOS);
  int ours = 0, floats = 0, agree = 0, in5 = 0;
  for (int i = 0; i < done; i++) {
    ours += top5[5 * i] == refs[i].label;
    floats += refs[i].top5[0] == refs[i].label;
    agree += top5[5 * i] == refs[i].top5[0];
    for (int k = 0; k < 5; k++) in5 += top5[5 * i + k] == refs[i].label;
  }
  double acc = 100.0 * ours / PHOTOS, facc = 100.0 * floats / PHOTOS, agr = 100.0 * agree / PHOTOS;
  printf("%s (%s, %zu bytes): top-1 %.1f%% (float %.1f%%), top-5 %.1f%%, top-1 agreement with float %.1f%%\n",
         e->file, name, size, acc, facc, 100.0 * in5 / PHOTOS, agr);
  CHECK(acc >= facc - e->max_top1_loss, "%s: top-1 %.1f%% is more than %.1f points below the float model's %.1f%%",
        e->file, acc, e->max_top1_loss, facc);
  CHECK(agr >= e->min_agreement, "%s: top-1 agreement with the float model %.1f%% is under %.0f%%", e->file,
        agr, e->min_agreement);
  sqz_model_free(m);
}

int main(void) {
  static const expectation models[] = {
      {"default", 1000000, 1.0, 99.0},
      {"squeezenet1_1-compact", 800000, 1.0, 85.0},
      {"squeezenet1_1-int8", 1400000, 1.0, 95.0},
      {"squeezenet1_1-qs8", 1400000, 1.0, 98.0},
  };
  for (size_t i = 0; i < sizeof models / sizeof *models; i++) check(&models[i]);
  return test_finish("test_compact_models");
}

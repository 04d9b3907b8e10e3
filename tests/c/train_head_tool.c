/* sqz_train_head natively, for tests/node/learner.test.js to compare with
 * the same examples trained in wasm:
 *   build/train_head_tool IN OUT
 * IN: int32 n, dim, classes; int32 labels[n]; float32 embeddings[n × dim]
 * (little-endian, as written by the test). OUT: float32 weights[classes ×
 * dim], then bias[classes]. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "squeezenet.h"
#include "testutil.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: train_head_tool IN OUT\n");
    return 2;
  }
  size_t size = 0;
  uint8_t *in = test_read_file(argv[1], &size);
  int32_t h[3];
  if (!in || size < sizeof h) {
    fprintf(stderr, "train_head_tool: cannot read %s\n", argv[1]);
    return 2;
  }
  memcpy(h, in, sizeof h);
  const int n = h[0], dim = h[1], classes = h[2];
  if (n < 1 || dim < 1 || classes < 1 || n > SQZ_MAX_TRAIN_EXAMPLES || dim > 4096 || classes > SQZ_MAX_TAUGHT_CLASSES ||
      size != sizeof h + (size_t)n * 4 + (size_t)n * dim * 4) {
    fprintf(stderr, "train_head_tool: %s has %zu bytes, not n = %d, dim = %d, classes = %d\n", argv[1], size, n,
            dim, classes);
    return 2;
  }
  int *labels = malloc((size_t)n * sizeof(int));
  float *x = malloc((size_t)n * dim * sizeof(float)), *w = malloc(((size_t)classes * dim + classes) * sizeof(float));
  memcpy(labels, in + sizeof h, (size_t)n * 4);
  memcpy(x, in + sizeof h + (size_t)n * 4, (size_t)n * dim * 4);
  sqz_error err = {SQZ_OK, ""};
  int status = 0;
  if (sqz_train_head(x, labels, n, dim, classes, NULL, w, w + (size_t)classes * dim, NULL, &err) != SQZ_OK) {
    fprintf(stderr, "train_head_tool: %s\n", err.message);
    status = 1;
  } else {
    FILE *out = fopen(argv[2], "wb");
    const size_t count = (size_t)classes * dim + classes;
    if (!out || fwrite(w, sizeof(float), count, out) != count || fclose(out) != 0) {
      fprintf(stderr, "train_head_tool: cannot write %s\n", argv[2]);
      status = 2;
    }
  }
  free(in), free(labels), free(x), free(w);
  return status;
}

#include "testutil.h"

#include <stdlib.h>
#include <string.h>

int test_failures = 0;
int test_checks = 0;

uint8_t *test_read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  if (fseek(f, 0, SEEK_END) != 0) { fclose(f); return NULL; }
  long n = ftell(f);
  if (n < 0) { fclose(f); return NULL; }
  rewind(f);
  uint8_t *buf = malloc(n ? (size_t)n : 1);
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
  fclose(f);
  if (buf) *size = (size_t)n;
  return buf;
}

uint8_t *test_read_model(const char *name, size_t *size) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s.sqz", test_models_dir(), name);
  uint8_t *bytes = test_read_file(path, size);
  CHECK(bytes != NULL, "cannot read %s (build the models first)", path);
  return bytes;
}

const char *test_shared_dir(void) {
  const char *d = getenv("SQZ_SHARED_DIR");
  return d && *d ? d : "../shared";
}

const char *test_models_dir(void) {
  const char *d = getenv("SQZ_MODELS_DIR");
  return d && *d ? d : "models";
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
uint32_t test_rand(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (uint32_t)(rng_state >> 16);
}

float test_randf(float lo, float hi) {
  return lo + (hi - lo) * (float)(test_rand() & 0xFFFFFF) / (float)0x1000000;
}

const char *test_repo_path(const char *relative) {
  static char buf[4096];
  FILE *f = fopen(relative, "r");
  if (f) return fclose(f), relative;
  snprintf(buf, sizeof buf, "%s", __FILE__);
  char *p = strstr(buf, "tests/c/testutil.c");
  if (p) snprintf(p, sizeof buf - (size_t)(p - buf), "%s", relative);
  return buf;
}

void test_top_k(const float *x, int n, int k, int *out) {
  for (int r = 0; r < k; r++) {
    int best = -1;
    for (int i = 0; i < n; i++) {
      int taken = 0;
      for (int j = 0; j < r; j++) taken |= out[j] == i;
      if (!taken && (best < 0 || x[i] > x[best])) best = i;
    }
    out[r] = best;
  }
}

int test_finish(const char *name) {
  printf("%s: %d checks, %d failed\n", name, test_checks, test_failures);
  if (test_checks == 0) fprintf(stderr, "%s: no check was made\n", name);
  return test_failures || test_checks == 0 ? 1 : 0;
}

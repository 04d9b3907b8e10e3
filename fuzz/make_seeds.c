/* Writes the model seed corpus (fuzz/corpus/model/tiny-*.sqz, taught-*.sqz):
 * the fuzz targets' tiny models, and the same taught 3 classes. Built and
 * run by scripts/fuzz.sh --seeds. */
#include <stdio.h>
#include <stdlib.h>

#include "targets.h"

static int write_seed(const char *dir, const char *name, int v, uint8_t *b, size_t n) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s-%d.sqz", dir, name, v);
  FILE *f = b ? fopen(path, "wb") : NULL;
  int ok = f && fwrite(b, 1, n, f) == n;
  if (f && fclose(f) != 0) ok = 0;
  if (!ok) fprintf(stderr, "make_seeds: cannot write %s\n", path);
  free(b);
  return ok;
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "fuzz/corpus/model";
  for (int v = 0; v < 4; v++) {
    size_t n = 0, t = 0;
    uint8_t *b = sqz_fuzz_tiny_model(v, &n);
    if (!write_seed(dir, "tiny", v, b, n)) return 1;
    b = sqz_fuzz_tiny_taught_model(v, &t);
    if (!write_seed(dir, "taught", v, b, t)) return 1;
  }
  return 0;
}

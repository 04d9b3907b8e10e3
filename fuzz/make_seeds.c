/* Writes the model seed corpus (fuzz/corpus/model/tiny-*.sqz): the fuzz
 * targets' tiny models. Built and run by scripts/fuzz.sh --seeds. */
#include <stdio.h>
#include <stdlib.h>

#include "targets.h"

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "fuzz/corpus/model";
  for (int v = 0; v < 3; v++) {
    size_t n = 0;
    uint8_t *b = sqz_fuzz_tiny_model(v, &n);
    char path[1024];
    snprintf(path, sizeof path, "%s/tiny-%d.sqz", dir, v);
    FILE *f = b ? fopen(path, "wb") : NULL;
    if (!f || fwrite(b, 1, n, f) != n || fclose(f) != 0) {
      fprintf(stderr, "make_seeds: cannot write %s\n", path);
      return 1;
    }
    free(b);
  }
  return 0;
}

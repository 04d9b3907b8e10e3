/* Replays the fuzz seed corpus (fuzz/corpus/) and every input that once
 * crashed a fuzz target (fuzz/regressions/) through the same target bodies
 * (fuzz/targets.c). A fixed bug must stay fixed: the sanitizer build
 * (scripts/test-sanitize.sh: ASan, UBSan and assertions on) catches what a
 * plain build would not. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "squeezenet.h"
#include "targets.h"
#include "testutil.h"

static int replay(const char *dir, int (*target)(const uint8_t *, size_t)) {
  DIR *d = opendir(dir);
  CHECK(d != NULL, "cannot open %s (run from the repository root)", dir);
  if (!d) return 0;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    size_t size;
    uint8_t *data = test_read_file(path, &size);
    CHECK(data != NULL, "cannot read %s", path);
    if (!data) continue;
    CHECK(target(data, size) == 0, "%s", path);
    free(data);
    n++;
  }
  closedir(d);
  return n;
}

int main(void) {
  int seeds = replay("fuzz/corpus/model", sqz_fuzz_model) + replay("fuzz/corpus/image", sqz_fuzz_image) +
              replay("fuzz/corpus/exif", sqz_fuzz_exif);
  int crashes = replay("fuzz/regressions/model", sqz_fuzz_model) +
                replay("fuzz/regressions/image", sqz_fuzz_image);
  DIR *exif = opendir("fuzz/regressions/exif"); /* none so far */
  if (exif) closedir(exif), crashes += replay("fuzz/regressions/exif", sqz_fuzz_exif);
  CHECK(seeds >= 10, "only %d seeds", seeds);
  printf("replayed %d seeds and %d former crashes\n", seeds, crashes);

  /* The seeds themselves: every tiny model loads and classifies. */
  for (int v = 0; v < 3; v++) {
    size_t n = 0;
    uint8_t *b = sqz_fuzz_tiny_model(v, &n);
    sqz_error e = {SQZ_OK, ""};
    sqz_model *m = b ? sqz_model_load(b, n, &e) : NULL;
    CHECK(m != NULL, "tiny model %d: %s", v, e.message);
    static uint8_t px[20 * 20 * 3];
    sqz_model_info info = sqz_model_get_info(m);
    CHECK(m && sqz_classify_pixels(m, px, info.input_width, info.input_height, SQZ_RGB, 0,
                                   SQZ_INPUT_RAW, &e) == SQZ_OK,
          "tiny model %d: %s", v, e.message);
    sqz_model_free(m);
    free(b);
  }
  return test_finish("test_fuzz_regressions");
}

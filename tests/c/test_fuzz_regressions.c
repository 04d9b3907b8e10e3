/* Replays the fuzz seed corpus (fuzz/corpus/) and every input that once
 * crashed a fuzz target (fuzz/regressions/) through the same target bodies
 * (fuzz/targets.c), and checks what each one does in any build:
 *  - every seed is valid: each image seed is classified (those with the raw
 *    flag and another size than the network's are refused for that reason),
 *    each model seed loads and runs (the taught ones' heads read too), each
 *    EXIF seed gives an orientation 1-8;
 *  - every former crash has the outcome its fix gave it (the table below:
 *    refused with its reason, or loaded and run); a file in
 *    fuzz/regressions/ without an entry fails, so a new crash comes with
 *    its expected outcome.
 * The sanitizer build (scripts/test-sanitize.sh: ASan, UBSan and assertions
 * on) also catches what a plain build would not: a fixed bug must stay fixed. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "preprocess/preprocess.h"
#include "squeezenet.h"
#include "targets.h"
#include "testutil.h"

typedef struct expected {
  const char *file;   /* under fuzz/regressions/ */
  int code;           /* image: the classification's status; model: with the header made right
                         (-1: not tried, the file is under 16 bytes); exif: the orientation */
  const char *reason; /* a part of the message, or NULL (for SQZ_OK, -1 and exif) */
  int as_given;       /* model: the status of the bytes as given */
  int head;           /* model: the taught-model head reader's status on the bytes as given */
  const char *head_reason;
} expected;

/* The fixes (README, "Hostile input"): stb_image 2.27's faults are refused
 * beforehand in src/preprocess/decode.c, or (its assertion) end in its own
 * error; the max pool reading past its input now stays inside it; the head
 * reader refuses an empty file instead of reading it. */
static const expected outcomes[] = {
    {.file = "image/jpeg-dht-after-fill-bytes", .code = SQZ_ERR_IMAGE, .reason = "more than 256 codes"},
    {.file = "image/jpeg-dht-cut-short", .code = SQZ_ERR_IMAGE, .reason = "more than 256 codes"},
    {.file = "image/jpeg-dht-over-256-codes", .code = SQZ_ERR_IMAGE, .reason = "more than 256 codes"},
    {.file = "image/jpeg-huffman-code-assert", .code = SQZ_ERR_IMAGE, .reason = "cannot decode"},
    {.file = "image/png-zero-length-idat", .code = SQZ_ERR_IMAGE, .reason = "empty first IDAT chunk"},
    {.file = "image/pnm-header-int-overflow", .code = SQZ_ERR_IMAGE, .reason = "more than 9 digits"},
    {.file = "model/maxpool-ceil-window-past-input.sqz", .as_given = SQZ_ERR_CHECKSUM, .code = SQZ_OK,
     .head = SQZ_ERR_CHECKSUM},
    {.file = "model/empty-input-head-reader.sqz", .as_given = SQZ_ERR_ARGUMENT, .code = -1,
     .head = SQZ_ERR_MODEL, .head_reason = "shorter than the 16-byte header"},
};
#define NUM_OUTCOMES (int)(sizeof outcomes / sizeof *outcomes)

static int heads_read; /* model seeds whose taught-model head was read */

static int matches(const sqz_error *e, int code, const char *reason) {
  return (int)e->code == code && (!reason || strstr(e->message, reason));
}

/* Every file of fuzz/<kind>/<target>: seeds must succeed, regressions must
 * have their outcome. Returns how many files were checked; *succeeded counts
 * those classified (or loaded and run, or parsed). */
static int replay(const char *kind, const char *target, int *seen, int *succeeded) {
  char dir[256];
  snprintf(dir, sizeof dir, "fuzz/%s/%s", kind, target);
  DIR *d = opendir(dir);
  CHECK(d != NULL, "cannot open %s (run from the repository root)", dir);
  if (!d) return 0;
  const int seed = strcmp(kind, "corpus") == 0, model = strcmp(target, "model") == 0,
            exif = strcmp(target, "exif") == 0;
  int n = 0;
  struct dirent *ent;
  while ((ent = readdir(d))) {
    if (ent->d_name[0] == '.') continue;
    char path[4096], name[512];
    snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
    snprintf(name, sizeof name, "%s/%s", target, ent->d_name);
    size_t size;
    uint8_t *data = test_read_file(path, &size);
    CHECK(data != NULL, "cannot read %s", path);
    if (!data) continue;
    const expected *want = NULL;
    for (int i = 0; !seed && i < NUM_OUTCOMES; i++)
      if (strcmp(outcomes[i].file, name) == 0) want = &outcomes[i], seen[i] = 1;
    CHECK(seed || want, "%s has no expected outcome in tests/c/test_fuzz_regressions.c", path);
    sqz_error got[3];
    if (exif) {
      sqz_fuzz_exif(data, size); /* aborts on an orientation outside 1-8 */
      int v = sqz_exif_orientation(data, size);
      if (seed) {
        CHECK(v >= 1 && v <= 8, "%s: orientation %d", path, v);
        *succeeded += v >= 1 && v <= 8;
      } else if (want) {
        CHECK(v == want->code, "%s: orientation %d, want %d", path, v, want->code);
      }
    } else if (model) {
      sqz_fuzz_model_outcome(data, size, got);
      if (seed) {
        int ok = got[0].code == SQZ_OK && got[1].code == SQZ_OK;
        CHECK(ok, "%s: seed model: %s%s", path, got[0].message, got[1].message);
        heads_read += got[2].code == SQZ_OK;
        *succeeded += ok;
      } else if (want) {
        CHECK((int)got[0].code == want->as_given,
              "%s as given: %s '%s', want %s", path, sqz_status_name(got[0].code), got[0].message,
              sqz_status_name((sqz_status)want->as_given));
        CHECK(matches(&got[1], want->code, want->reason), "%s with its header made right: %s '%s', want %s '%s'",
              path, sqz_status_name(got[1].code), got[1].message, sqz_status_name((sqz_status)want->code),
              want->reason ? want->reason : "");
        CHECK(matches(&got[2], want->head, want->head_reason), "%s through the head reader: %s '%s', want %s '%s'",
              path, sqz_status_name(got[2].code), got[2].message, sqz_status_name((sqz_status)want->head),
              want->head_reason ? want->head_reason : "");
      }
    } else {
      int st = sqz_fuzz_image_outcome(data, size, &got[0]);
      if (seed) {
        const int wrong_raw_size = (data[0] & 0x30) == 0x10 && st == SQZ_ERR_ARGUMENT &&
                                   strstr(got[0].message, "raw input is");
        CHECK(st == SQZ_OK || wrong_raw_size, "%s: seed image not classified: %s", path,
              st < 0 ? "too short" : got[0].message);
        *succeeded += st == SQZ_OK;
      } else if (want) {
        CHECK(st >= 0 && matches(&got[0], want->code, want->reason), "%s: %s '%s', want %s '%s'", path,
              st < 0 ? "not tried" : sqz_status_name(got[0].code), got[0].message,
              sqz_status_name((sqz_status)want->code), want->reason ? want->reason : "");
      }
    }
    free(data);
    n++;
  }
  closedir(d);
  return n;
}

int main(void) {
  int seen[NUM_OUTCOMES] = {0}, models_run = 0, images_classified = 0, exif_parsed = 0, ignored = 0;
  int model_seeds = replay("corpus", "model", seen, &models_run);
  int image_seeds = replay("corpus", "image", seen, &images_classified);
  int exif_seeds = replay("corpus", "exif", seen, &exif_parsed);
  int crashes = replay("regressions", "model", seen, &ignored) + replay("regressions", "image", seen, &ignored);
  DIR *exif = opendir("fuzz/regressions/exif"); /* none so far */
  if (exif) closedir(exif), crashes += replay("regressions", "exif", seen, &ignored);
  CHECK(models_run >= 6 && heads_read >= 3 && images_classified >= 40 && exif_parsed >= 20,
        "only %d model seeds run (%d taught heads read), %d image seeds classified, %d EXIF seeds parsed",
        models_run, heads_read, images_classified, exif_parsed);
  for (int i = 0; i < NUM_OUTCOMES; i++) CHECK(seen[i], "fuzz/regressions/%s is missing", outcomes[i].file);
  printf("replayed %d model seeds (%d run), %d image seeds (%d classified, the others raw crops of the wrong "
         "size), %d EXIF seeds and %d former crashes (each with its fixed outcome)\n",
         model_seeds, models_run, image_seeds, images_classified, exif_seeds, crashes);

  /* The seeds themselves: every tiny model loads and classifies. */
  for (int v = 0; v < 4; v++) {
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

/* The fuzz targets' bodies, shared by the libFuzzer entry points
 * (fuzz_model.c, fuzz_image.c) and tests/c/test_fuzz_regressions.c, which
 * replays the seed corpus and every committed crash through them. */
#ifndef SQZ_FUZZ_TARGETS_H
#define SQZ_FUZZ_TARGETS_H
#include <stddef.h>
#include <stdint.h>

#include "squeezenet.h"

/* A small SqueezeNet-shaped model (conv, max pool, two fire modules, conv,
 * global average pool; 10 classes) written with the format writer, with
 * deterministic weights. variant 0: 16x16 input, shorter side to 18, R,G,B,
 * float32; 1: the same in float16; 2: warp to 20x20, B,G,R, 0..255 minus
 * means (the Caffe recipe), float32; 3: variant 0 in qs8 (its 1x1s compute
 * in 8 bits: encoding 5 and the int8 path). Free with free(). */
uint8_t *sqz_fuzz_tiny_model(int variant, size_t *size);

/* The tiny model of that variant taught 3 classes (a taught model,
 * models/FORMAT.md): the seeds that take the fuzzer to the head reader.
 * Free with sqz_free. */
uint8_t *sqz_fuzz_tiny_taught_model(int variant, size_t *size);

/* Model loader: the bytes as given, then with the header's magic, version,
 * flags, size and CRC made right (so mutations reach the section parser and
 * the network planner); a model that loads is run once. Both also go through
 * the taught-model head reader. */
int sqz_fuzz_model(const uint8_t *data, size_t size);
/* The same, telling what happened (for the replay test): outcome[0] for the
 * bytes as given, outcome[1] with the header made right (code -1: not tried,
 * the input is under 16 bytes or over the size limit). SQZ_OK: the model
 * loaded and its run succeeded (or was skipped as too big); otherwise the
 * load's or the run's error. outcome[2]: the head reader on the bytes as
 * given (SQZ_OK: it read a taught model's head). */
void sqz_fuzz_model_outcome(const uint8_t *data, size_t size, sqz_error outcome[3]);

/* Decode + preprocess + classify with the tiny models. The first byte picks
 * the model, SQZ_INPUT_RAW (0x10), sqz_classify_pixels (0x20; sizes from
 * the next bytes) instead of sqz_classify_image, SQZ_IGNORE_ORIENTATION
 * (0x40), and an embedding of unit length (0x80) instead of classifying. */
int sqz_fuzz_image(const uint8_t *data, size_t size);
/* The same, telling what happened: the classification's (or embedding's)
 * status (its reason in *err), or -1 when the input is too short to try. */
int sqz_fuzz_image_outcome(const uint8_t *data, size_t size, sqz_error *err);

/* The EXIF orientation parser alone, on the bytes as given: its result must
 * be 1-8. */
int sqz_fuzz_exif(const uint8_t *data, size_t size);

#endif

/* Taught models (models/FORMAT.md, "Taught models"): the parts the tests and
 * tools share beyond the public API. */
#ifndef SQZ_LEARN_TAUGHT_H
#define SQZ_LEARN_TAUGHT_H
#include <stddef.h>
#include <stdint.h>

#include "squeezenet.h"

/* The name suffix a taught model's META name gets (once). */
#define SQZ_TAUGHT_SUFFIX "-taught"

/* A features model: base's network up to its last fire module, then the
 * global average pool, with one label per feature ("feature 0", …). Loaded
 * with sqz_model_load, its logits are the pooled features (the embedding).
 * The engine's own features tap supersedes it; it stays an independent path
 * for tests. *out: free with sqz_free. */
sqz_status sqz_features_model_write(const void *base, size_t base_size, uint8_t **out,
                                    size_t *out_size, sqz_error *err);

/* Checks one label for a taught model (see sqz_taught_model_write); index
 * names it in the reason ("label 3 …"; below 0: "the label …"). */
sqz_status sqz_taught_label_check(const char *label, size_t len, int index, sqz_error *err);

#endif

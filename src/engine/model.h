/* What api.c offers the rest of the library beyond the public header: the
 * model's network and pool (for the profiler, benchmarks and the wasm
 * exports), and preprocessing alone into the network's input. */
#ifndef SQZ_MODEL_H
#define SQZ_MODEL_H
#include "engine/network.h"
#include "squeezenet.h"

/* The model's network (src/wasm/bench_exports.c, bench/native.c). */
sqz_network *sqz_model_network(sqz_model *model);
/* Allocates the network's activations now rather than at the first
 * classification (the wasm loader, once it has freed the model's bytes, so
 * that they take that memory before anything else does). */
sqz_status sqz_model_activate(sqz_model *model, sqz_error *err);
/* The model's thread pool (NULL: one thread), for src/wasm/exports.c to run workers. */
sqz_pool *sqz_model_pool(sqz_model *model);
/* Preprocessing alone into the network's input, as sqz_classify_pixels does first. */
sqz_status sqz_model_prepare(sqz_model *model, const uint8_t *pixels, int width, int height,
                             sqz_pixel_format format, size_t stride, unsigned flags, sqz_error *err);

#endif

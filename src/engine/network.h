/* The network: a model description turned into a plan of kernel calls over
 * memory allocated once at creation (packed weights, activation buffers,
 * indirection buffers). Running allocates nothing. */
#ifndef SQZ_NETWORK_H
#define SQZ_NETWORK_H
#include "format/format.h"
#include "engine/conv_path.h"
#include "engine/threadpool.h"
#include "kernels/kernels.h"
#include "squeezenet.h"

typedef struct sqz_network sqz_network;

/* Plans the network for desc (shapes checked, weights decoded and packed),
 * to run on the kernels of one ISA (NULL: sqz_kernels_default) with each
 * convolution's path chosen by policy (NULL: sqz_conv_policy_default). */
sqz_status sqz_network_create(const sqz_model_desc *desc, const sqz_kernels *kernels,
                              const sqz_conv_policy *policy, sqz_network **out, sqz_error *err);
void sqz_network_free(sqz_network *net);

/* Spreads every step over pool's threads (NULL: the caller alone); the
 * pool is not owned and must outlive its use. Allocates each extra
 * thread's work buffer. Results do not depend on the thread count. */
sqz_status sqz_network_set_pool(sqz_network *net, sqz_pool *pool, sqz_error *err);

/* The input to fill: input_height × input_width × 3 floats, NHWC. */
float *sqz_network_input(sqz_network *net);
/* Runs the network on the input; returns num_classes logits (owned by net). */
const float *sqz_network_run(sqz_network *net);
int sqz_network_num_classes(const sqz_network *net);
size_t sqz_network_memory_bytes(const sqz_network *net);

/* Per-step names and timings for profiling: after sqz_network_run with a
 * clock set, step_ms[i] holds each step's time. */
typedef double (*sqz_clock_fn)(void);
int sqz_network_num_steps(const sqz_network *net);
const char *sqz_network_step_name(const sqz_network *net, int step);
void sqz_network_set_clock(sqz_network *net, sqz_clock_fn clock, double *step_ms);

/* Runs step i alone (profiling: the caller times each step). Steps must run
 * in order from 0 on a freshly filled input, since buffers are reused. */
void sqz_network_run_step(sqz_network *net, int step);

/* For the profiler and benchmarks (src/wasm/bench_exports.c, bench/native.c):
 * the model's network, and preprocessing alone into its input. */
sqz_network *sqz_model_network(sqz_model *model);
/* The model's thread pool (NULL: one thread), for src/wasm/exports.c to run workers. */
sqz_pool *sqz_model_pool(sqz_model *model);
sqz_status sqz_model_prepare(sqz_model *model, const uint8_t *pixels, int width, int height,
                             sqz_pixel_format format, size_t stride, unsigned flags, sqz_error *err);

#endif

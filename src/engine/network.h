/* The network: a model description turned into a plan of steps, planned by
 * plan.c, each step run by its operator (ops/), over two allocations: the
 * packed weights (and indirection buffers) at creation, the activations at
 * the first run (sqz_network_activate), so that a loader can free the model's
 * bytes first. Running allocates nothing else. */
#ifndef SQZ_NETWORK_H
#define SQZ_NETWORK_H
#include "engine/conv_path.h"
#include "engine/threadpool.h"
#include "format/format.h"
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

/* Allocates the activations (once: SQZ_OK if they are), where the tensors
 * live; SQZ_ERR_MEMORY leaves the network as it was, to try again. */
sqz_status sqz_network_activate(sqz_network *net, sqz_error *err);
/* The input to fill: input_height × input_width × 3 floats, NHWC; activates
 * the network first (NULL if that fails). */
float *sqz_network_input(sqz_network *net);
/* Runs the network on the input; returns num_classes logits (owned by net),
 * or NULL if it is not activated (then running it does nothing, as do
 * sqz_network_run_step, sqz_network_run_to_tap and sqz_network_embed). */
const float *sqz_network_run(sqz_network *net);
int sqz_network_num_classes(const sqz_network *net);
/* All the network needs, the activations included before they are allocated. */
size_t sqz_network_memory_bytes(const sqz_network *net);

/* The feature tap: the last fire module's output, h × w × c floats (NHWC),
 * the features an embedding or a taught head reads; NULL without fire
 * modules, or before the network is activated (c is set regardless). No
 * later step writes it and it shares no memory with the input,
 * so after sqz_network_run or sqz_network_run_to_tap it holds that input's
 * features until the next run. */
const float *sqz_network_tap(const sqz_network *net, int *h, int *w, int *c);
/* Runs the steps up to the tap only (no classifier); returns the tap. */
const float *sqz_network_run_to_tap(sqz_network *net);
/* Runs to the tap and writes its global average, c floats (the embedding),
 * by the gavgpool kernel on the calling thread: one fixed order of sums, so
 * the same bits on any thread count. Returns c, or 0 without a tap. */
int sqz_network_embed(sqz_network *net, float *out);
/* The class maps: what the final global average pool reads, h × w ×
 * num_classes floats (NHWC: class k's map at [(y*w + x)*num_classes + k]),
 * the logits being their averages. Valid after sqz_network_run (not after
 * sqz_network_run_to_tap) until the next run. */
const float *sqz_network_class_maps(const sqz_network *net, int *h, int *w);
/* The cells of the class maps that see the picture: columns [*x0, *x0 + *w)
 * and rows [*y0, *y0 + *h), all but the final convolution's padding ring,
 * whose cells' windows lie wholly in the zero padding (v1.0's conv10, 1x1
 * with pad 1: its 15x15 output less a ring of 1, which holds only the
 * activated biases). The whole map when nothing pads it. */
void sqz_network_class_map_grid(const sqz_network *net, int *x0, int *y0, int *w, int *h);

/* Per-step names, kinds and timings for profiling and tests: after
 * sqz_network_run with a clock set, step_ms[i] holds each step's time (the
 * steps then run one by one, each its own job, also those that otherwise
 * share one: plan.c's groups). */
typedef double (*sqz_clock_fn)(void);
int sqz_network_num_steps(const sqz_network *net);
/* The jobs a run is (a barrier after each): its steps, those of a group
 * (a fire module's two expands) run as one. */
int sqz_network_num_jobs(const sqz_network *net);
const char *sqz_network_step_name(const sqz_network *net, int step);
/* A convolution's path (a sqz_conv_path) or a pool's kind (step.h); -1 out of range. */
int sqz_network_step_kind(const sqz_network *net, int step);
void sqz_network_set_clock(sqz_network *net, sqz_clock_fn clock, double *step_ms);
/* The multiply-adds step i's kernels do per run (0 for pools, -1 out of
 * range): a Winograd step's GEMMs, a pruned step's nonzeros only, a
 * convolution fused with its max pool the convolution's, so that
 * madds / time / a machine's peak is how near the step runs to the limit. */
int64_t sqz_network_step_madds(const sqz_network *net, int step);

/* Runs step i alone, its own job (profiling: the caller times each step). Steps must run
 * in order from 0 on a freshly filled input, since buffers are reused. */
void sqz_network_run_step(sqz_network *net, int step);

#endif

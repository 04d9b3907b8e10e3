/* The network's insides: the tensors and steps the planner (plan.c) builds
 * from a model description, and network.c runs. Operators'
 * plan functions (ops/) add their steps and tensors through a planner. */
#ifndef SQZ_PLAN_H
#define SQZ_PLAN_H
#include "engine/network.h"
#include "engine/step.h"
#include "format/format.h"

#define SQZ_MAX_STEPS (SQZ_MAX_LAYERS * 3)       /* a fire module is three */
#define SQZ_MAX_TENSORS (SQZ_MAX_LAYERS * 2 + 1) /* a fire module writes two; the input */
#define SQZ_KEPT INT32_MAX                       /* a tensor's last use: read after the run */
#define SQZ_MAX_GROUP 4                          /* steps per group (a fire module's expands are two) */

/* Activations, NHWC float32: h × w pixels of c floats. */
typedef struct sqz_tensor {
  int h, w, c;
  int first, last; /* the steps that write it first and read it last: it lives in between */
  int nonnegative; /* written only through ReLUs (and max pools of such) */
  uint64_t offset; /* in the activations, where the planner places it */
  float *data;     /* NULL until the activations are allocated (sqz_network_activate) */
} sqz_tensor;

struct sqz_network {
  sqz_exec exec;
  int num_steps, num_tensors;
  sqz_step steps[SQZ_MAX_STEPS];
  int group_end[SQZ_MAX_STEPS]; /* for a step that begins a group (steps run as one job, one barrier): the
                                   step after its last; else 0 */
  sqz_tensor tensors[SQZ_MAX_TENSORS];
  int input, logits; /* tensors */
  int class_maps;    /* what the final global average pool reads */
  int tap, tap_step; /* the last fire module's output and its last step; -1 without fire modules */
  int num_classes;
  void *memory;      /* the weights part: thread 0's work, each step's memory, zeros; allocated at load */
  void *activations; /* the tensors; allocated at the first run (sqz_network_activate), else NULL */
  size_t activations_bytes;
  size_t memory_bytes; /* both, as planned (whether or not the activations are allocated yet) */
  sqz_clock_fn clock;
  double *step_ms;
};

/* Builds net's steps for desc and its weights part: shapes checked, paths
 * chosen, weights decoded and packed, tensors placed (not allocated). On
 * failure net holds no memory. */
sqz_status sqz_plan_network(sqz_network *net, const sqz_model_desc *desc, const sqz_conv_policy *policy,
                            sqz_error *err);

typedef struct sqz_planner {
  sqz_network *net;
  const sqz_conv_policy *policy;
  const sqz_conv_desc *conv[SQZ_MAX_STEPS]; /* each convolution step's layer in the model (weights); else NULL */
  uint64_t step_bytes[SQZ_MAX_STEPS];       /* each step's own memory, as its size step says */
  sqz_error *err;
} sqz_planner;

/* A new tensor of h × w × c (its id in *id). */
sqz_status sqz_plan_tensor(sqz_planner *p, int h, int w, int c, int *id);
/* A new step reading tensor `input` and writing into `output` (its kind
 * and shapes for the caller to fill). */
sqz_status sqz_plan_step(sqz_planner *p, sqz_step_kind kind, const char *name, int input, int output, sqz_step **out);

/* Removes step i, the steps after it moving down one; the caller has
 * already given what it wrote and read to other steps. */
void sqz_plan_remove_step(sqz_planner *p, int i);

/* Operators' plan functions: each checks its layer, works out its output
 * and adds its steps; *output is the tensor it writes. */
/* A convolution of `input` into a new tensor (output < 0) or into channels
 * [out_channel, out_channel + cout) of tensor `output` (ops/conv.c). */
sqz_status sqz_plan_conv(sqz_planner *p, const sqz_conv_desc *c, const char *name, int input, int output,
                         int out_channel, int *written);
sqz_status sqz_plan_fire(sqz_planner *p, const sqz_layer_desc *l, int index, int input, int *output);
sqz_status sqz_plan_maxpool(sqz_planner *p, const sqz_layer_desc *l, int index, int input, int *output);
sqz_status sqz_plan_gavgpool(sqz_planner *p, int index, int input, int *output);
/* Once paths are chosen: fuses each im2col step with the max pool step
 * after it that alone reads its output (ops/conv_maxpool.c), that output
 * then written by no step (and given no memory). */
void sqz_plan_fuse_maxpools(sqz_planner *p);

#endif

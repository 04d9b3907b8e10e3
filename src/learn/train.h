/* The trainer behind sqz_train_head, with what tests and benchmarks vary:
 * the matrix-product kernel (SIMD or its scalar twin). */
#ifndef SQZ_LEARN_TRAIN_H
#define SQZ_LEARN_TRAIN_H
#include "kernels/mm.h"
#include "squeezenet.h"

typedef struct sqz_train_config {
  sqz_f32_mm_fn mm; /* NULL: the SIMD kernel */
  float tolerance;  /* stop at this gradient norm relative to the first; 0: the default */
  int evaluations;  /* out: objective evaluations made */
} sqz_train_config;

sqz_status sqz_train_head_with(sqz_train_config *config, const float *embeddings,
                               const int *labels, int n, int dim, int classes,
                               const sqz_train_options *options, float *weights, float *bias,
                               sqz_train_report *report, sqz_error *err);
#endif

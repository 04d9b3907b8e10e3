/* A step: one operator's work over tensors of the activations, the unit the
 * network runs (and profiles) one after another. Its kind is a tag (a
 * convolution's path, conv_path.h, or a pool) that selects its operator in
 * sqz_step_ops, the one dispatch table, and the member of its unions that
 * holds its data. An operator (ops/, one file each) sizes a step from its
 * shape alone, packs it once at load, and runs it as items on the pool. */
#ifndef SQZ_STEP_H
#define SQZ_STEP_H
#include <stddef.h>
#include <stdint.h>

#include "engine/conv_path.h"
#include "engine/threadpool.h"
#include "kernels/kernels.h"

/* Working-set budgets, in bytes. A column block of packed weights (GEMM,
 * IGEMM, panels) or a chunk of im2col rows stays within half a 32 KB L1
 * data cache while every pixel tile of a group passes over it: conv10's
 * 2 MB of weights would otherwise stream from memory once per tile. */
#define SQZ_L1_BLOCK_BYTES 16384
/* A Winograd chunk's transformed inputs and products, or a chunk of PPMM
 * panels, in a thread's work buffer: Winograd measured flat (0.94-1.00)
 * from 24 to 384 KB. */
#ifndef SQZ_WORK_CHUNK_BYTES
#define SQZ_WORK_CHUNK_BYTES 98304
#endif

/* A step's kind: a sqz_conv_path for a convolution, or one of these. */
typedef int sqz_step_kind;
enum {
  SQZ_STEP_MAXPOOL = SQZ_CONV_PATHS,
  SQZ_STEP_GAVGPOOL,
  SQZ_STEP_CONV_MAXPOOL, /* an im2col convolution and the max pool that alone reads it, fused (ops/conv_maxpool.c) */
  SQZ_STEP_KINDS
};

typedef struct sqz_conv_step {
  int kh, kw, stride, pad;
  sqz_minmax_params params;
  uint64_t nonzeros;   /* of its weights (all of them until the planner counts) */
  const float *packed; /* weights and biases as its path packs them */
  union {              /* what its path adds */
    struct {
      const float **indirection;
    } igemm;
    struct {
      const float *bias;
    } winograd;
    struct {
      const int32_t *offsets;
      const uint32_t *nnzmap, *out_pixels;
      const float *border; /* padded: the border's outputs (the clamped biases); else NULL */
    } spmm;
    struct {
      int kernel, stride; /* SQZ_STEP_CONV_MAXPOOL: the pool over its oh × ow outputs */
      int oh, ow;         /* and the pool's output, what the step writes */
    } pool;
  };
} sqz_conv_step;

typedef struct sqz_step {
  sqz_step_kind kind;
  char name[32];
  int input, output;       /* tensors (plan.h) */
  int out_channel;         /* its first channel in the output tensor (a fire's expand3x3: e1) */
  int ih, iw, cin;         /* input */
  int oh, ow, cout;        /* what it writes (SQZ_STEP_CONV_MAXPOOL: what its convolution computes) */
  const float *in;         /* placed by the planner */
  float *out;              /* pixel 0's channel out_channel */
  size_t out_pixel_stride; /* floats between output pixels: the output tensor's channels */
  union {
    sqz_conv_step conv;    /* kind < SQZ_CONV_PATHS, SQZ_STEP_CONV_MAXPOOL */
    struct {
      int kernel, stride;
    } pool;                /* SQZ_STEP_MAXPOOL */
  };
} sqz_step;

/* What a running step may use besides its own data. */
typedef struct sqz_exec {
  const sqz_kernels *k;
  sqz_pool *pool;      /* NULL: the caller alone */
  const float *zero;   /* zeros for padding, as wide as the widest input that needs them */
  float *work;         /* thread 0's work buffer, work_floats long */
  float *thread_work;  /* threads 1..'s, work_floats apart */
  size_t work_floats;
} sqz_exec;

static inline float *sqz_exec_work(const sqz_exec *e, int thread) {
  return thread == 0 ? e->work : e->thread_work + (size_t)(thread - 1) * e->work_floats;
}

/* What a step needs besides its tensors. */
typedef struct sqz_step_needs {
  uint64_t arena_bytes; /* its own memory: packed weights, indirection, ... */
  uint64_t work_floats; /* each thread's work buffer while it runs */
  uint64_t zero_floats; /* zeros it reads as padding */
} sqz_step_needs;

/* Room for one step's job (what its items share during a run). */
#define SQZ_JOB_BYTES 1024
typedef union sqz_job_space {
  max_align_t align;
  unsigned char bytes[SQZ_JOB_BYTES];
} sqz_job_space;
#define SQZ_JOB_FITS(type) _Static_assert(sizeof(type) <= SQZ_JOB_BYTES, #type " fits SQZ_JOB_BYTES")

typedef struct sqz_operator {
  /* What the step needs, from its shape and kind alone: no allocation, no
   * decoding, no side effects. */
  sqz_step_needs (*size)(const sqz_step *s, const sqz_kernels *k);
  /* Once at load, before its tensors have memory (in, out NULL): fills its
   * memory (the size step's arena_bytes at mem, 64-byte aligned) from the
   * decoded OIHW weights and biases. NULL: nothing to pack. */
  void (*pack)(sqz_step *s, const sqz_kernels *k, const float *weights, const float *bias, void *mem,
               const float *zero);
  /* Readies a run: fills job (SQZ_JOB_BYTES) with what its items share and
   * returns how many items the step has on e->pool's threads. */
  size_t (*start)(const sqz_exec *e, const sqz_step *s, void *job);
  /* Runs item i of a started step on thread `thread`. An item does the same
   * kernel calls on whatever thread runs it, and no item's sums depend on
   * how the step was cut, so results do not depend on the thread count.
   * A thread runs its items of a job in increasing order (threadpool.h), so
   * an item may reuse what the same thread's earlier item of the same step
   * left in its work buffer (ppmm panels), but not across steps. */
  void (*item)(void *job, size_t i, int thread);
  /* Once its tensors have memory (in, out: the network's first run): what
   * in its memory points into them (IGEMM's indirection). NULL: nothing. */
  void (*bind)(sqz_step *s, const sqz_kernels *k, const float *zero);
} sqz_operator;

extern const sqz_operator sqz_op_conv_gemm;     /* SQZ_CONV_GEMM and SQZ_CONV_IGEMM */
extern const sqz_operator sqz_op_conv_panels;   /* SQZ_CONV_PANELS */
extern const sqz_operator sqz_op_conv_qs8;      /* SQZ_CONV_QS8 */
extern const sqz_operator sqz_op_conv_spmm;     /* SQZ_CONV_SPMM */
extern const sqz_operator sqz_op_conv_winograd; /* SQZ_CONV_WINOGRAD2, SQZ_CONV_WINOGRAD4 */
extern const sqz_operator sqz_op_conv_im2col;   /* SQZ_CONV_IM2COL */
extern const sqz_operator sqz_op_maxpool;       /* SQZ_STEP_MAXPOOL */
extern const sqz_operator sqz_op_gavgpool;      /* SQZ_STEP_GAVGPOOL */
extern const sqz_operator sqz_op_conv_maxpool;  /* SQZ_STEP_CONV_MAXPOOL */

/* The operator of each step kind. */
extern const sqz_operator *const sqz_step_ops[SQZ_STEP_KINDS];
const char *sqz_step_kind_name(sqz_step_kind kind);

/* Helpers for operators. */
#define SQZ_ALIGN 64
static inline uint64_t sqz_align(uint64_t n) { return (n + SQZ_ALIGN - 1) & ~(uint64_t)(SQZ_ALIGN - 1); }

/* Cuts a step's memory into its parts. An operator lays its parts out in
 * one function, which its size step calls with base NULL (only counting)
 * and its pack step with the memory: the two cannot disagree. */
typedef struct sqz_carver {
  uint8_t *base;
  uint64_t bytes;
} sqz_carver;
static inline void *sqz_carve(sqz_carver *c, uint64_t bytes) {
  void *p = c->base ? c->base + c->bytes : NULL;
  c->bytes += sqz_align(bytes);
  return p;
}

/* Output channels per column block: a multiple of nr whose packed weights
 * (per nr channels: nr biases, then depth rows of nr) fit SQZ_L1_BLOCK_BYTES. */
static inline size_t sqz_column_block(size_t depth, size_t nr) {
  const size_t nb = (SQZ_L1_BLOCK_BYTES / ((nr + depth * nr) * sizeof(float))) * nr;
  return nb < nr ? nr : nb;
}

static inline size_t sqz_min_size(size_t a, size_t b) { return a < b ? a : b; }

/* Parts to cut `units` units of equal cost into on `threads` threads, so
 * that each part holds at most `most` units: as few as that allows on one
 * thread; on more, at least `least` parts (enough for threads slowed by
 * others to even out) and a multiple of the thread count when there are
 * units enough (equal parts end together: no thread waits at the barrier
 * for another's last part). */
static inline size_t sqz_parts(size_t units, size_t most, size_t least, size_t threads) {
  if (units == 0) return 1;
  size_t parts = (units + most - 1) / most;
  if (threads > 1) {
    if (parts < least) parts = least;
    parts = (parts + threads - 1) / threads * threads;
  }
  return parts < units ? parts : units;
}
/* The first unit of part i of n units cut into `parts` parts of n / parts
 * or n / parts + 1 units (the larger first); part `parts` begins at n. */
static inline size_t sqz_part_begin(size_t n, size_t parts, size_t i) {
  const size_t rest = n % parts;
  return n / parts * i + (i < rest ? i : rest);
}

/* The context of a step's items, for operators whose items need no more. */
typedef struct sqz_step_items {
  const sqz_exec *e;
  const sqz_step *s;
} sqz_step_items;

#endif

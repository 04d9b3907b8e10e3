/* The .sqz model format (models/FORMAT.md): parsing into a description
 * that points into the file's bytes, and decoding its tensors. Writing is
 * format/writer.h; the compact codecs format/tensor_codec.h. */
#ifndef SQZ_FORMAT_H
#define SQZ_FORMAT_H
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "preprocess/preprocess.h"

#define SQZ_FORMAT_VERSION 1
#define SQZ_MAX_LAYERS 64
#define SQZ_MAX_CHANNELS 4096
#define SQZ_MAX_KERNEL 15
#define SQZ_MAX_INPUT_SIDE 1024
#define SQZ_MAX_LABELS 100000
#define SQZ_MAX_NAME 63

typedef enum sqz_encoding {
  SQZ_ENC_F32 = 0,
  SQZ_ENC_F16 = 1,
  SQZ_ENC_CODEBOOK = 2,
  SQZ_ENC_SPARSE_CODEBOOK = 3,
  SQZ_ENC_INT8 = 4,
  SQZ_ENC_QS8 = 5 /* int8's payload, and 8-bit compute where the engine has it (models/FORMAT.md) */
} sqz_encoding;

typedef struct sqz_tensor_view {
  sqz_encoding encoding;
  uint32_t count;       /* elements */
  uint32_t bytes;       /* payload bytes */
  const uint8_t *data;  /* payload, inside the file */
} sqz_tensor_view;

typedef enum sqz_op { SQZ_OP_CONV = 1, SQZ_OP_MAXPOOL = 2, SQZ_OP_FIRE = 3, SQZ_OP_GAP = 4 } sqz_op;

typedef struct sqz_conv_desc {
  int cout, kh, kw, stride, pad, relu;
  sqz_tensor_view weights, bias;
} sqz_conv_desc;

typedef struct sqz_layer_desc {
  sqz_op op;
  sqz_conv_desc conv;                   /* SQZ_OP_CONV */
  int pool_kernel, pool_stride, pool_pad, pool_ceil; /* SQZ_OP_MAXPOOL */
  sqz_conv_desc squeeze, expand1, expand3;        /* SQZ_OP_FIRE */
} sqz_layer_desc;

typedef struct sqz_model_desc {
  char name[SQZ_MAX_NAME + 1];
  int input_channels;
  sqz_recipe recipe;
  uint32_t num_labels;
  const uint8_t *labels;     /* the LABL entries, inside the file */
  size_t labels_bytes;
  int num_layers;
  sqz_layer_desc layers[SQZ_MAX_LAYERS];
} sqz_model_desc;

/* Checks header, size, checksum and structure, and fills desc with views into
 * data (which must outlive desc). Shapes are checked by the network planner. */
sqz_status sqz_model_parse(const uint8_t *data, size_t size, sqz_model_desc *desc,
                           sqz_error *err);

/* Decodes a tensor to float32; `count` must equal t->count. `what` names the
 * tensor in error messages. */
sqz_status sqz_tensor_decode(const sqz_tensor_view *t, float *out, size_t count,
                             const char *what, sqz_error *err);

#endif

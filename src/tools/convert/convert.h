/* Converters from upstream model files to .sqz. Each upstream format gives
 * (1) its graph as a list of layers, read from its own graph description
 * (Caffe prototxt, ncnn param), and (2) the weights of its convolutions in
 * graph order. The shared part groups squeeze/expand triples into fire
 * modules, infers input channels and writes the .sqz. */
#ifndef SQZ_CONVERT_H
#define SQZ_CONVERT_H
#include <stdio.h>

#include "format/format.h"
#include "format/tensor_codec.h"
#include "format/writer.h"

#define CONVERT_MAX_LAYERS 128

typedef enum { SRC_CONV, SRC_MAXPOOL, SRC_GAP } src_layer_type;

typedef struct src_layer {
  src_layer_type type;
  int cout, kernel, stride, pad, relu; /* conv; pools use kernel and stride */
  int cin;                             /* filled by convert_plan */
  float *weights, *bias;               /* filled by the weight reader */
} src_layer;

typedef struct src_graph {
  int count;
  src_layer layers[CONVERT_MAX_LAYERS];
  int input_width, input_height;
} src_graph;

/* Fills cin of every convolution from the network input's 3 channels, and
 * allocates weights/bias arrays; returns the number of convolutions. */
sqz_status convert_plan(src_graph *g, int *num_convs, sqz_error *err);
void convert_free(src_graph *g);

/* Writes the .sqz: fire modules are squeeze(1×1) → expand(1×1) + expand(3×3 pad 1).
 * Weights are stored with `codec` (format/tensor_codec.h), biases as float32. */
sqz_status convert_write(const src_graph *g, const char *name, const sqz_recipe *recipe,
                         const char *labels_path, const sqz_codec *codec, const char *out_path,
                         sqz_error *err);

/* The two upstream formats. */
sqz_status convert_caffe_deep_compression(const char *prototxt, const char *net_path,
                                          src_graph *g, sqz_error *err);
sqz_status convert_ncnn(const char *param_path, const char *bin_path, src_graph *g,
                        sqz_error *err);

/* Whole file into memory (NUL-terminated); NULL and err filled on failure. */
unsigned char *convert_read_file(const char *path, size_t *size, sqz_error *err);

#endif

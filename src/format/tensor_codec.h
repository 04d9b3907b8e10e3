/* Compact weight encodings of the .sqz format (models/FORMAT.md, "Compact
 * encodings"): per-tensor codebook (k-means), sparse codebook (pruned weights,
 * as Deep Compression), int8 per output channel; indices optionally Huffman
 * coded. Decoding is strict: a payload that does not describe exactly `count`
 * values is refused with a reason, never read out of bounds. Encoding is for
 * the tools (converters, `sqz compress`) and the tests. */
#ifndef SQZ_TENSOR_CODEC_H
#define SQZ_TENSOR_CODEC_H
#include <stddef.h>
#include <stdint.h>

#include "format/format.h"

#define SQZ_HUFFMAN_MAX_BITS 15 /* longest Huffman code */

/* Decodes a codebook, sparse-codebook or int8 (or qs8) payload into `count`
 * floats. Called by sqz_tensor_decode for encodings 2 to 5. */
sqz_status sqz_tensor_decode_compact(const sqz_tensor_view *t, float *out, size_t count,
                                     const char *what, sqz_error *err);

/* How to encode a tensor. */
typedef struct sqz_codec {
  sqz_encoding encoding; /* any of the six */
  int bits;              /* codebook, sparse: index bits 1..8 (codebook of 2^bits entries;
                            sparse: entry 0 is 0.0, 2^bits - 1 learned values) */
  int huffman;           /* codebook, sparse: Huffman-code the indices (and gaps) */
} sqz_codec;

/* Parses an encoding name: f32, f16, int8, qs8, codebookN, sparseN (N = 1..8),
 * `sparse` (= sparse8), each codebook/sparse name optionally followed by `h`
 * for Huffman coding (codebook5h). Returns 0 for an unknown name. */
int sqz_codec_parse(const char *name, sqz_codec *codec);
/* The canonical name of a codec (as parsed above) into buf. */
void sqz_codec_name(const sqz_codec *codec, char *buf, size_t cap);

/* Encodes `count` values; `channels` is the tensor's outermost dimension (the
 * output channels of an OIHW weight; int8 keeps one scale per channel, the
 * others ignore it). Codebooks come from 1-D k-means (linear initialisation,
 * Lloyd iterations); when a tensor has no more distinct values than the
 * codebook has entries, they are kept exactly (so a Deep Compression layer
 * re-encodes losslessly). Returns a malloc'd payload and its size, or NULL
 * with err filled. */
uint8_t *sqz_tensor_encode(const sqz_codec *codec, const float *values, uint32_t count,
                           uint32_t channels, uint32_t *bytes, sqz_error *err);

#endif

/* squeezenet.h — on-device ImageNet classification with SqueezeNet.
 *
 * The whole public C API. A model is loaded from a .sqz file held in memory
 * (see models/FORMAT.md); it owns every buffer it will ever need, so
 * classification allocates nothing. One model object runs one classification
 * at a time; load the same bytes twice to classify in parallel.
 *
 * Every function that can fail returns a status and, when given an
 * sqz_error, fills it with a code and a sentence naming what is wrong.
 * The library never aborts, exits or prints.
 */
#ifndef SQUEEZENET_H
#define SQUEEZENET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sqz_status {
  SQZ_OK = 0,
  SQZ_ERR_ARGUMENT = 1,     /* a null pointer, a bad size or flag */
  SQZ_ERR_MEMORY = 2,       /* an allocation failed */
  SQZ_ERR_MODEL = 3,        /* the model file is malformed or inconsistent */
  SQZ_ERR_CHECKSUM = 4,     /* the model file's checksum does not match */
  SQZ_ERR_VERSION = 5,      /* not a .sqz file, or a version this build cannot read */
  SQZ_ERR_IMAGE = 6,        /* the image bytes cannot be decoded */
  SQZ_ERR_LIMIT = 7         /* a documented limit is exceeded (see below) */
} sqz_status;

typedef struct sqz_error {
  sqz_status code;
  char message[256];
} sqz_error;

/* Documented limits, checked before anything of that size is allocated. */
#define SQZ_MAX_IMAGE_SIDE 16384                /* pixels, either side */
#define SQZ_MAX_IMAGE_PIXELS (64u * 1024 * 1024) /* width × height */
#define SQZ_MAX_MODEL_BYTES (256u * 1024 * 1024)
#define SQZ_MAX_ARENA_BYTES (512u * 1024 * 1024)  /* activations + packed weights */
#define SQZ_MAX_THREADS 64

typedef struct sqz_model sqz_model;

typedef struct sqz_model_info {
  const char *name;        /* e.g. "squeezenet1_1" */
  int input_width;         /* network input (crop) size */
  int input_height;
  int num_classes;
  size_t file_bytes;       /* size of the .sqz it was loaded from */
  size_t memory_bytes;     /* everything the model allocates, from the load on:
                              its activations too, which the first
                              classification or embedding allocates */
  int threads;             /* threads each classification runs on */
  int embedding_size;      /* floats sqz_embed_* writes: the channels of the
                              last fire module (512 for both shipped networks);
                              0 if the network has none */
} sqz_model_info;

/* Options for sqz_model_load_with_options; zero-initialise for defaults. */
typedef struct sqz_options {
  int threads;             /* threads per classification, the caller included
                              (0 or 1: the caller alone; at most SQZ_MAX_THREADS).
                              Fewer run if the system refuses some, or in a build
                              without threads: sqz_model_info says how many. */
} sqz_options;

typedef struct sqz_prediction {
  int index;
  float probability;
  const char *label;       /* short label: "tench" (owned by the model) */
} sqz_prediction;

/* Pixel formats for sqz_classify_pixels: bytes per pixel, in this order. */
typedef enum sqz_pixel_format {
  SQZ_GRAY = 1,
  SQZ_GRAY_ALPHA = 2,
  SQZ_RGB = 3,
  SQZ_RGBA = 4
} sqz_pixel_format;

/* Flags for the classify functions. */
#define SQZ_INPUT_RAW 1u /* pixels already are the network-input crop: only
                            channel order and normalisation apply */
#define SQZ_IGNORE_ORIENTATION 2u /* sqz_classify_image: classify the pixels as
                            stored, ignoring a JPEG's or PNG's EXIF
                            orientation (pixels have none: no effect there) */
#define SQZ_UNIT_LENGTH 4u /* sqz_embed_*: the embedding scaled to unit length
                            (an all-zero one stays zero) */

/* Loads a model from the bytes of a .sqz file. The bytes are not kept: the
 * caller may free them at once, and the network's activations, allocated by
 * the first classification or embedding (which then fails with
 * SQZ_ERR_MEMORY if they do not fit, the model still usable), can take their
 * place. */
sqz_model *sqz_model_load(const void *data, size_t size, sqz_error *err);
/* The same with options (NULL: defaults). The model owns its threads, which
 * sleep between classifications; results are identical for any count. */
sqz_model *sqz_model_load_with_options(const void *data, size_t size, const sqz_options *options,
                                       sqz_error *err);
void sqz_model_free(sqz_model *model);
sqz_model_info sqz_model_get_info(const sqz_model *model);

/* Labels: short ("tench") and full ("n01440764 tench, Tinca tinca"). NULL if out of range. */
const char *sqz_model_label(const sqz_model *model, int index);
const char *sqz_model_label_full(const sqz_model *model, int index);

/* Classifies 8-bit pixels of any size (rows `stride` bytes apart; 0 means
 * tightly packed), resizing and cropping by the model's recipe. */
sqz_status sqz_classify_pixels(sqz_model *model, const uint8_t *pixels, int width, int height,
                               sqz_pixel_format format, size_t stride, unsigned flags,
                               sqz_error *err);

/* Decodes an encoded image (JPEG, PNG, BMP, GIF, PNM) and classifies it.
 * A JPEG's or PNG's EXIF orientation (tags 1-8: how a camera held sideways
 * stored the picture) turns it upright first, as browsers show it; malformed
 * EXIF counts as none. */
sqz_status sqz_classify_image(sqz_model *model, const void *bytes, size_t size, unsigned flags,
                              sqz_error *err);

/* Embeddings: the global average of the last fire module's output
 * (sqz_model_info.embedding_size floats) for an image, after the model's own
 * preprocessing, without running the classifier; what a taught head reads
 * (below). Flags as for the classify functions, plus SQZ_UNIT_LENGTH.
 * Writes `out` (room for `cap` floats); the same bits on any thread count.
 * An embedding replaces the last classification's results. */
sqz_status sqz_embed_pixels(sqz_model *model, const uint8_t *pixels, int width, int height,
                            sqz_pixel_format format, size_t stride, unsigned flags, float *out,
                            int cap, sqz_error *err);
sqz_status sqz_embed_image(sqz_model *model, const void *bytes, size_t size, unsigned flags,
                           float *out, int cap, sqz_error *err);

/* Results of the last classification; NULL (0 from sqz_top_k) if it failed. */
const float *sqz_logits(const sqz_model *model);        /* num_classes pre-softmax values */
const float *sqz_probabilities(const sqz_model *model); /* num_classes, softmax of logits */
/* Writes the k best predictions, best first; returns how many were written. */
int sqz_top_k(const sqz_model *model, int k, sqz_prediction *out);

/* Output controls, as MediaPipe's classifiers have them: which classes
 * sqz_top_k_filtered may return. They apply before k: the k best of the
 * classes let through. Zero-initialise for none. */
typedef struct sqz_filter {
  float min_probability;   /* classes whose probability is under it are dropped (0 to 1) */
  const int *allow;        /* only these class indices (num_allow 0: every class) */
  int num_allow;
  const int *deny;         /* never these */
  int num_deny;
} sqz_filter;

/* sqz_top_k over the classes `filter` lets through (NULL: all). Returns how
 * many were written, 0 without a result; -1 (err filled) if the filter is
 * bad: min_probability not a number from 0 to 1, an index out of range, a
 * negative count or a NULL list with a count. */
int sqz_top_k_filtered(const sqz_model *model, int k, const sqz_filter *filter, sqz_prediction *out,
                       sqz_error *err);

/* Where the network looked: class activation maps. SqueezeNet ends in a
 * convolution with one output channel per class and a global average pool,
 * so each class has a map (that convolution's output channel, after its
 * ReLU: what the pool reads) whose average is the class's logit. The map
 * is the final convolution's output less its padding ring (cells that see
 * no picture, only zero padding: v1.0's conv10 pads its 13x13 input to a
 * 15x15 output, the map is the inner 13x13). Reading one copies it. */
typedef struct sqz_region {
  float x, y, width, height;
} sqz_region;

typedef struct sqz_heatmap_info {
  int width, height;    /* the map: height rows of width cells */
  sqz_region region;    /* the rectangle of the picture, in its pixels after EXIF
                           orientation, that the map covers evenly: the recipe's
                           crop mapped back through its resize. Cell (col, row)
                           spans x + col * region.width / width ... + region.width / width,
                           likewise for y (SQZ_INPUT_RAW: the whole input). */
  int ring_cells;       /* cells of the padding ring left out (v1.0: 15*15 - 13*13 = 56; else 0) */
  float ring_value;     /* what each of them holds for this class (its activated bias): the logit is
                           (sum of the map + ring_cells * ring_value) / (width * height + ring_cells) */
} sqz_heatmap_info;

/* Class `index`'s map from the last classification: fills info and, if
 * capacity (in floats) is at least width * height, writes the map to out,
 * row-major. Returns width * height (written or not, as snprintf does), or
 * 0 without a result or for an index out of range. */
int sqz_class_map(const sqz_model *model, int index, float *out, size_t capacity, sqz_heatmap_info *info);

const char *sqz_status_name(sqz_status code);

/* ---- Teaching your own classes (models/FORMAT.md, "Taught models") ----
 *
 * A head is a linear layer on a network's pooled features (the global average
 * of its last fire module's output: `dim` = 512 values for both shipped
 * networks): logits = weights · features + bias, weights row-major
 * classes × dim. sqz_train_head fits one to examples by softmax cross-entropy;
 * sqz_taught_model_write makes it a .sqz that any reader loads and classifies
 * with, with the user's labels; sqz_taught_model_read_head reads it back to
 * teach again. */
#define SQZ_MAX_TAUGHT_CLASSES 1000
#define SQZ_MAX_TRAIN_EXAMPLES 100000
#define SQZ_MAX_LABEL_BYTES 255 /* per label, UTF-8 */

/* Options for sqz_train_head; NULL or zero fields: the defaults, which a
 * user should not need to change. */
typedef struct sqz_train_options {
  float l2;           /* penalty l2 × Σ weights² (bias free); 0: the default, 1e-4 */
  int max_iterations; /* at most (it stops sooner once the gradient has shrunk
                         1000-fold, ~35 iterations); 0: the default, 200 */
} sqz_train_options;

typedef struct sqz_train_report {
  float loss;           /* mean cross-entropy + penalty at the result (the
                           penalty as on unit-mean-length features) */
  float train_accuracy; /* fraction of the examples whose top-1 is their label */
  float gradient_norm;  /* of the objective at the result (0 at the optimum) */
  int iterations;
} sqz_train_report;

/* Fits a head to n examples: embeddings n × dim (row-major; the pooled
 * features of a network, as its engine computes them, or any scaling of
 * them), labels[i] in 0..classes-1, every class present. Minimises mean
 * softmax cross-entropy + l2 × Σ weights² over examples whose features are
 * scaled to unit length on average (one factor for all, so the head stays
 * linear in the features); writes weights (classes × dim) and bias (classes)
 * for the features as given. Deterministic: the same examples give the same
 * bytes on every platform (native, wasm, any SIMD). report may be NULL. */
sqz_status sqz_train_head(const float *embeddings, const int *labels, int n, int dim, int classes,
                          const sqz_train_options *options, float *weights, float *bias,
                          sqz_train_report *report, sqz_error *err);

/* Writes a taught model: the network of `base` (a .sqz: a shipped model or a
 * taught one) up to its last fire module, its weights in their own encoding,
 * then the head (a 1×1 convolution without ReLU, float32) and the global
 * average pool, with `labels` (classes UTF-8 strings, 1..SQZ_MAX_LABEL_BYTES
 * bytes, distinct, no control characters or commas, not synset-like: see
 * models/FORMAT.md). classes 1..SQZ_MAX_TAUGHT_CLASSES; dim must be the
 * base's feature count. *out is allocated; free it with sqz_free. */
sqz_status sqz_taught_model_write(const void *base, size_t base_size, const float *weights,
                                  const float *bias, int classes, int dim,
                                  const char *const *labels, uint8_t **out, size_t *out_size,
                                  sqz_error *err);

/* A taught model's head, read back (one allocation: free with sqz_free). */
typedef struct sqz_taught_head {
  int classes, dim;
  float *weights;      /* classes × dim */
  float *bias;         /* classes */
  const char **labels; /* classes NUL-terminated strings */
} sqz_taught_head;

/* Reads the head and labels of a taught model (checked as any model is);
 * SQZ_ERR_MODEL if the model has no linear head on its pooled features. */
sqz_status sqz_taught_model_read_head(const void *model, size_t size, sqz_taught_head **out,
                                      sqz_error *err);

/* Frees what sqz_taught_model_write and sqz_taught_model_read_head allocated. */
void sqz_free(void *p);

#ifdef __cplusplus
}
#endif
#endif

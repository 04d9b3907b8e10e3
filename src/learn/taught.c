/* Taught models (models/FORMAT.md, "Taught models"): a base network cut
 * after its last fire module, its layers copied in their own encoding, then a
 * linear head as an ordinary 1×1 convolution without ReLU and the global
 * average pool. Averaging commutes with a linear map, so the engine runs the
 * head on the pooled features with no operation of its own. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "format/format.h"
#include "format/writer.h"
#include "learn/taught.h"

void sqz_free(void *p) { free(p); }

/* The index of the last fire module, or −1. */
static int last_fire(const sqz_model_desc *d) {
  int last = -1;
  for (int i = 0; i < d->num_layers; i++)
    if (d->layers[i].op == SQZ_OP_FIRE) last = i;
  return last;
}

static void write_tensor_view(sqz_writer *w, const sqz_tensor_view *t) {
  sqz_write_tensor_raw(w, t->encoding, t->count, t->data, t->bytes);
}

static void write_conv_params(sqz_writer *w, const sqz_conv_desc *c) {
  sqz_write_u16(w, (uint16_t)c->cout);
  sqz_write_u8(w, (uint8_t)c->kh), sqz_write_u8(w, (uint8_t)c->kw);
  sqz_write_u8(w, (uint8_t)c->stride), sqz_write_u8(w, (uint8_t)c->pad);
  sqz_write_u8(w, (uint8_t)c->relu), sqz_write_u8(w, 0);
}

/* Layer i of a parsed model, re-emitted: the same record, tensors untouched. */
static void copy_layer(sqz_writer *w, const sqz_layer_desc *l) {
  sqz_write_op(w, l->op);
  switch (l->op) {
    case SQZ_OP_CONV:
      write_conv_params(w, &l->conv);
      write_tensor_view(w, &l->conv.weights), write_tensor_view(w, &l->conv.bias);
      break;
    case SQZ_OP_MAXPOOL:
      sqz_write_u8(w, (uint8_t)l->pool_kernel), sqz_write_u8(w, (uint8_t)l->pool_stride);
      sqz_write_u8(w, (uint8_t)l->pool_pad), sqz_write_u8(w, (uint8_t)l->pool_ceil);
      break;
    case SQZ_OP_FIRE:
      sqz_write_u16(w, (uint16_t)l->squeeze.cout), sqz_write_u16(w, (uint16_t)l->expand1.cout);
      sqz_write_u16(w, (uint16_t)l->expand3.cout), sqz_write_u16(w, 0);
      write_tensor_view(w, &l->squeeze.weights), write_tensor_view(w, &l->squeeze.bias);
      write_tensor_view(w, &l->expand1.weights), write_tensor_view(w, &l->expand1.bias);
      write_tensor_view(w, &l->expand3.weights), write_tensor_view(w, &l->expand3.bias);
      break;
    case SQZ_OP_GAP:
      break;
  }
}

/* "squeezenet1_0" + suffix, unless it already ends in it; within SQZ_MAX_NAME. */
static void derived_name(const char *base, const char *suffix, char *out) {
  size_t n = strlen(base), s = strlen(suffix);
  if (n >= s && strcmp(base + n - s, suffix) == 0) s = 0;
  if (n + s > SQZ_MAX_NAME) n = SQZ_MAX_NAME - s;
  memcpy(out, base, n);
  memcpy(out + n, suffix, s);
  out[n + s] = 0;
}

sqz_status sqz_taught_label_check(const char *label, size_t len, int index, sqz_error *err) {
  const uint8_t *s = (const uint8_t *)label;
  char who[24] = "the label"; /* index < 0: one label alone */
  if (index >= 0) snprintf(who, sizeof who, "label %d", index);
  if (len < 1 || len > SQZ_MAX_LABEL_BYTES)
    return sqz_fail(err, SQZ_ERR_ARGUMENT, "%s has %zu bytes (1..%d allowed)", who, len,
                    SQZ_MAX_LABEL_BYTES);
  for (size_t i = 0; i < len;) {
    const uint8_t b = s[i];
    size_t more = 0;
    uint8_t lo = 0x80, hi = 0xBF; /* the second byte's range (UTF-8, RFC 3629) */
    if (b < 0x20 || b == 0x7F)
      return sqz_fail(err, SQZ_ERR_ARGUMENT, "%s contains a control character", who);
    if (b == ',')
      return sqz_fail(err, SQZ_ERR_ARGUMENT,
                      "%s contains a comma (a model's short label ends at the first one)",
                      who);
    if (b < 0x80) more = 0;
    else if (b >= 0xC2 && b <= 0xDF) more = 1;
    else if (b >= 0xE0 && b <= 0xEF) more = 2, lo = b == 0xE0 ? 0xA0 : 0x80, hi = b == 0xED ? 0x9F : 0xBF;
    else if (b >= 0xF0 && b <= 0xF4) more = 3, lo = b == 0xF0 ? 0x90 : 0x80, hi = b == 0xF4 ? 0x8F : 0xBF;
    else return sqz_fail(err, SQZ_ERR_ARGUMENT, "%s is not valid UTF-8", who);
    if (len - i - 1 < more || (more && (s[i + 1] < lo || s[i + 1] > hi)))
      return sqz_fail(err, SQZ_ERR_ARGUMENT, "%s is not valid UTF-8", who);
    for (size_t k = 2; k <= more; k++)
      if ((s[i + k] & 0xC0) != 0x80) return sqz_fail(err, SQZ_ERR_ARGUMENT, "%s is not valid UTF-8", who);
    if (b == 0xC2 && s[i + 1] < 0xA0)
      return sqz_fail(err, SQZ_ERR_ARGUMENT, "%s contains a control character", who);
    i += 1 + more;
  }
  /* The engine shows "n01440764 tench" as "tench" (an ImageNet synset id first). */
  if (len > 1 && s[0] == 'n' && s[1] >= '0' && s[1] <= '9' && memchr(s, ' ', len))
    return sqz_fail(err, SQZ_ERR_ARGUMENT,
                    "%s starts like an ImageNet synset id ('n' and a digit, then a space), "
                    "which models do not show",
                    who);
  return SQZ_OK;
}

static sqz_status check_labels(const char *const *labels, int classes, sqz_error *err) {
  for (int i = 0; i < classes; i++) {
    if (!labels[i]) return sqz_fail(err, SQZ_ERR_ARGUMENT, "label %d is NULL", i);
    size_t len = 0; /* bounded: a label need not end within reach */
    while (len <= SQZ_MAX_LABEL_BYTES && labels[i][len]) len++;
    sqz_status st = sqz_taught_label_check(labels[i], len, i, err);
    if (st) return st;
    for (int j = 0; j < i; j++)
      if (strcmp(labels[i], labels[j]) == 0)
        return sqz_fail(err, SQZ_ERR_ARGUMENT, "labels %d and %d are the same (\"%s\")", j, i,
                        labels[i]);
  }
  return SQZ_OK;
}

/* The base cut after its last fire module, then (weights: a head; NULL: none)
 * and the global average pool. */
static sqz_status write_cut(const void *base, size_t base_size, const float *weights,
                            const float *bias, int classes, int dim, const char *const *labels,
                            uint8_t **out, size_t *out_size, sqz_error *err) {
  if (!out || !out_size) return sqz_fail(err, SQZ_ERR_ARGUMENT, "taught model: no output given");
  *out = NULL, *out_size = 0;
  sqz_model_desc *d = malloc(sizeof *d);
  if (!d) return sqz_fail(err, SQZ_ERR_MEMORY, "taught model: out of memory");
  sqz_status st = sqz_model_parse(base, base_size, d, err);
  if (st && err) { /* "model: …" → "base model: …" */
    char reason[sizeof err->message];
    memcpy(reason, err->message, sizeof reason);
    snprintf(err->message, sizeof err->message, "base %.250s", reason);
  }
  const int last = st ? -1 : last_fire(d);
  if (st == SQZ_OK && last < 0)
    st = sqz_fail(err, SQZ_ERR_MODEL, "base model: no fire module to take features from");
  int features = 0;
  if (st == SQZ_OK) {
    features = d->layers[last].expand1.cout + d->layers[last].expand3.cout;
    if (features < 1 || features > SQZ_MAX_CHANNELS)
      st = sqz_fail(err, SQZ_ERR_MODEL, "base model: %d features (1..%d allowed)", features,
                    SQZ_MAX_CHANNELS);
    else if (weights && dim != features)
      st = sqz_fail(err, SQZ_ERR_ARGUMENT,
                    "taught model: a head for %d features, but the base's last fire module gives %d",
                    dim, features);
  }
  if (st) {
    free(d);
    return st;
  }
  char name[SQZ_MAX_NAME + 1];
  derived_name(d->name, weights ? SQZ_TAUGHT_SUFFIX : "-features", name);
  sqz_writer w;
  sqz_writer_init(&w);
  sqz_write_header(&w);
  sqz_write_meta(&w, name, &d->recipe);
  if (weights) {
    sqz_write_labels(&w, labels, (uint32_t)classes);
  } else {
    sqz_write_section_begin(&w, "LABL");
    sqz_write_u32(&w, (uint32_t)features);
    for (int i = 0; i < features; i++) {
      char label[32];
      int n = snprintf(label, sizeof label, "feature %d", i);
      sqz_write_u16(&w, (uint16_t)n);
      sqz_write_bytes(&w, label, (size_t)n);
    }
    sqz_write_section_end(&w);
  }
  sqz_write_section_begin(&w, "GRPH");
  sqz_write_u32(&w, (uint32_t)(last + 1 + (weights ? 2 : 1)));
  for (int i = 0; i <= last; i++) copy_layer(&w, &d->layers[i]);
  if (weights) {
    const sqz_conv_desc head = {classes, 1, 1, 1, 0, 0, {0}, {0}};
    sqz_write_op(&w, SQZ_OP_CONV);
    write_conv_params(&w, &head);
    sqz_write_tensor(&w, SQZ_ENC_F32, weights, (uint32_t)classes * (uint32_t)dim);
    sqz_write_tensor(&w, SQZ_ENC_F32, bias, (uint32_t)classes);
  }
  sqz_write_op(&w, SQZ_OP_GAP);
  sqz_write_section_end(&w);
  free(d);
  st = sqz_writer_finish(&w, err);
  if (st) {
    sqz_writer_free(&w);
    return st;
  }
  *out = w.data, *out_size = w.size;
  return SQZ_OK;
}

sqz_status sqz_taught_model_write(const void *base, size_t base_size, const float *weights,
                                  const float *bias, int classes, int dim,
                                  const char *const *labels, uint8_t **out, size_t *out_size,
                                  sqz_error *err) {
  if (out) *out = NULL;
  if (out_size) *out_size = 0;
  if (!base || !weights || !bias || !labels || !out || !out_size)
    return sqz_fail(err, SQZ_ERR_ARGUMENT, "taught model: a required pointer is NULL");
  if (classes < 1 || classes > SQZ_MAX_TAUGHT_CLASSES)
    return sqz_fail(err, SQZ_ERR_ARGUMENT, "taught model: %d classes (1..%d allowed)", classes,
                    SQZ_MAX_TAUGHT_CLASSES);
  if (dim < 1 || dim > SQZ_MAX_CHANNELS)
    return sqz_fail(err, SQZ_ERR_ARGUMENT, "taught model: %d features (1..%d allowed)", dim,
                    SQZ_MAX_CHANNELS);
  for (size_t i = 0; i < (size_t)classes * dim; i++)
    if (!isfinite(weights[i]))
      return sqz_fail(err, SQZ_ERR_ARGUMENT, "taught model: weight %zu is not finite", i);
  for (int i = 0; i < classes; i++)
    if (!isfinite(bias[i]))
      return sqz_fail(err, SQZ_ERR_ARGUMENT, "taught model: bias %d is not finite", i);
  sqz_status st = check_labels(labels, classes, err);
  if (st) return st;
  return write_cut(base, base_size, weights, bias, classes, dim, labels, out, out_size, err);
}

sqz_status sqz_features_model_write(const void *base, size_t base_size, uint8_t **out,
                                    size_t *out_size, sqz_error *err) {
  if (!base) return sqz_fail(err, SQZ_ERR_ARGUMENT, "features model: no base model given");
  return write_cut(base, base_size, NULL, NULL, 0, 0, NULL, out, out_size, err);
}

/* The head of a parsed model: checks its shape; NULL (and a reason) if it has none. */
static const sqz_conv_desc *find_head(const sqz_model_desc *d, int *classes, int *dim,
                                      sqz_error *err) {
  const int n = d->num_layers;
  const sqz_conv_desc *h = n >= 3 ? &d->layers[n - 2].conv : NULL;
  if (n < 3 || d->layers[n - 1].op != SQZ_OP_GAP || d->layers[n - 2].op != SQZ_OP_CONV ||
      d->layers[n - 3].op != SQZ_OP_FIRE || h->kh != 1 || h->kw != 1 || h->stride != 1 ||
      h->pad != 0 || h->relu != 0) {
    sqz_fail(err, SQZ_ERR_MODEL,
             "model: not a taught model (it does not end in a fire module, a 1x1 convolution "
             "without ReLU and a global average pool)");
    return NULL;
  }
  *classes = h->cout;
  *dim = d->layers[n - 3].expand1.cout + d->layers[n - 3].expand3.cout;
  if (*classes < 1 || *classes > SQZ_MAX_TAUGHT_CLASSES || *dim < 1 || *dim > SQZ_MAX_CHANNELS ||
      (uint32_t)*classes != d->num_labels) {
    sqz_fail(err, SQZ_ERR_MODEL,
             "model: a head of %d classes on %d features with %u labels (classes 1..%d, "
             "features 1..%d, one label per class)",
             *classes, *dim, d->num_labels, SQZ_MAX_TAUGHT_CLASSES, SQZ_MAX_CHANNELS);
    return NULL;
  }
  return h;
}

/* Copies the LABL entries (bounds checked by the parser) into text, NUL
 * terminated, checked as a head's labels are when written. */
static sqz_status read_labels(const sqz_model_desc *d, int classes, char *text,
                              const char **labels, sqz_error *err) {
  const uint8_t *p = d->labels;
  for (int i = 0; i < classes; i++) {
    const size_t len = (size_t)p[0] | (size_t)p[1] << 8;
    if (sqz_taught_label_check((const char *)p + 2, len, i, err) != SQZ_OK) {
      if (err) err->code = SQZ_ERR_MODEL; /* a bad label in a file is a bad model */
      return SQZ_ERR_MODEL;
    }
    memcpy(text, p + 2, len);
    text[len] = 0;
    labels[i] = text;
    for (int j = 0; j < i; j++)
      if (strcmp(labels[j], text) == 0)
        return sqz_fail(err, SQZ_ERR_MODEL, "model: labels %d and %d are the same", j, i);
    text += len + 1;
    p += 2 + len;
  }
  return SQZ_OK;
}

sqz_status sqz_taught_model_read_head(const void *model, size_t size, sqz_taught_head **out,
                                      sqz_error *err) {
  if (!out) return sqz_fail(err, SQZ_ERR_ARGUMENT, "taught model: no output given");
  *out = NULL;
  sqz_model_desc *d = malloc(sizeof *d);
  if (!d) return sqz_fail(err, SQZ_ERR_MEMORY, "taught model: out of memory");
  int classes = 0, dim = 0;
  sqz_status st = sqz_model_parse(model, size, d, err);
  const sqz_conv_desc *h = st ? NULL : find_head(d, &classes, &dim, err);
  if (!h) {
    free(d);
    return st ? st : SQZ_ERR_MODEL;
  }
  /* One block: the struct, label pointers, weights, bias, label text. */
  const size_t at_labels = (sizeof(sqz_taught_head) + 15) & ~(size_t)15;
  const size_t at_weights = (at_labels + (size_t)classes * sizeof(char *) + 15) & ~(size_t)15;
  const size_t at_bias = at_weights + (size_t)classes * dim * sizeof(float);
  const size_t at_text = at_bias + (size_t)classes * sizeof(float);
  uint8_t *block = malloc(at_text + d->labels_bytes + (size_t)classes);
  if (!block) {
    free(d);
    return sqz_fail(err, SQZ_ERR_MEMORY, "taught model: out of memory");
  }
  sqz_taught_head *head = (sqz_taught_head *)block;
  head->classes = classes, head->dim = dim;
  head->labels = (const char **)(block + at_labels);
  head->weights = (float *)(block + at_weights);
  head->bias = (float *)(block + at_bias);
  st = sqz_tensor_decode(&h->weights, head->weights, (size_t)classes * dim, "head weights", err);
  if (st == SQZ_OK) st = sqz_tensor_decode(&h->bias, head->bias, (size_t)classes, "head bias", err);
  if (st == SQZ_OK) st = read_labels(d, classes, (char *)block + at_text, head->labels, err);
  free(d);
  if (st) {
    free(block);
    return st;
  }
  *out = head;
  return SQZ_OK;
}

/* Parsing a .sqz file: every read is bounds-checked against the section it
 * belongs to, so a truncated or hostile file yields a reason, never a crash. */
#include <math.h>
#include <string.h>

#include "common/half.h"
#include "common/crc32.h"
#include "format/format.h"
#include "format/tensor_codec.h"

typedef struct reader {
  const uint8_t *p, *end;
  const char *where; /* section name, for messages */
  sqz_error *err;
  sqz_status status;
} reader;

static int fail(reader *r, sqz_status code, const char *what) {
  if (r->status == SQZ_OK)
    r->status = sqz_fail(r->err, code, "model: %s section: %s", r->where, what);
  return 0;
}

static int need(reader *r, size_t n) {
  if (r->status != SQZ_OK) return 0;
  if ((size_t)(r->end - r->p) < n) return fail(r, SQZ_ERR_MODEL, "truncated");
  return 1;
}

static uint32_t rd_u8(reader *r) { return need(r, 1) ? *r->p++ : 0; }
static uint32_t rd_u16(reader *r) {
  if (!need(r, 2)) return 0;
  uint32_t v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8;
  r->p += 2;
  return v;
}
static uint32_t rd_u32(reader *r) {
  if (!need(r, 4)) return 0;
  uint32_t v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 |
               (uint32_t)r->p[3] << 24;
  r->p += 4;
  return v;
}
static float rd_f32(reader *r) {
  uint32_t u = rd_u32(r);
  float f;
  memcpy(&f, &u, 4);
  return f;
}

static void rd_tensor(reader *r, sqz_tensor_view *t, const char *what) {
  t->encoding = (sqz_encoding)rd_u8(r);
  rd_u8(r), rd_u8(r), rd_u8(r);
  t->count = rd_u32(r);
  t->bytes = rd_u32(r);
  if (r->status != SQZ_OK) return;
  size_t padded = ((size_t)t->bytes + 3) & ~(size_t)3;
  if ((size_t)(r->end - r->p) < padded) {
    fail(r, SQZ_ERR_MODEL, what);
    sqz_fail(r->err, SQZ_ERR_MODEL, "model: tensor %s is truncated (%u bytes declared)", what,
             t->bytes);
    return;
  }
  t->data = r->p;
  r->p += padded;
}

static void rd_conv_params(reader *r, sqz_conv_desc *c) {
  c->cout = (int)rd_u16(r);
  c->kh = (int)rd_u8(r);
  c->kw = (int)rd_u8(r);
  c->stride = (int)rd_u8(r);
  c->pad = (int)rd_u8(r);
  c->relu = (int)rd_u8(r);
  rd_u8(r);
}

static void rd_conv_tensors(reader *r, sqz_conv_desc *c, const char *what) {
  rd_tensor(r, &c->weights, what);
  rd_tensor(r, &c->bias, what);
}

static sqz_status parse_meta(reader *r, sqz_model_desc *d) {
  uint32_t n = rd_u8(r);
  if (r->status) return r->status;
  if (n == 0 || n > SQZ_MAX_NAME) return fail(r, SQZ_ERR_MODEL, "name length out of range"), r->status;
  if (!need(r, n)) return r->status;
  memcpy(d->name, r->p, n);
  d->name[n] = 0;
  for (uint32_t i = 0; i < n; i++)
    if (d->name[i] < 0x20 || d->name[i] > 0x7E)
      return fail(r, SQZ_ERR_MODEL, "name is not printable ASCII"), r->status;
  r->p += n;
  sqz_recipe *rc = &d->recipe;
  rc->input_width = (int)rd_u16(r);
  rc->input_height = (int)rd_u16(r);
  d->input_channels = (int)rd_u16(r);
  rc->bgr = (int)rd_u8(r);
  rc->resize_mode = (sqz_resize_mode)rd_u8(r);
  rc->resize_size = (int)rd_u16(r);
  rd_u16(r);
  rc->scale = rd_f32(r);
  for (int c = 0; c < 3; c++) rc->mean[c] = rd_f32(r);
  for (int c = 0; c < 3; c++) rc->std[c] = rd_f32(r);
  if (r->status) return r->status;
  if (rc->input_width < 1 || rc->input_height < 1 || rc->input_width > SQZ_MAX_INPUT_SIDE ||
      rc->input_height > SQZ_MAX_INPUT_SIDE)
    return sqz_fail(r->err, SQZ_ERR_MODEL, "model: input size %dx%d is outside 1..%d",
                    rc->input_width, rc->input_height, SQZ_MAX_INPUT_SIDE);
  if (d->input_channels != 3)
    return sqz_fail(r->err, SQZ_ERR_MODEL, "model: %d input channels (only 3 is supported)",
                    d->input_channels);
  if (rc->bgr > 1) return sqz_fail(r->err, SQZ_ERR_MODEL, "model: unknown channel order %d", rc->bgr);
  if (rc->resize_mode != SQZ_RESIZE_WARP && rc->resize_mode != SQZ_RESIZE_SHORTER)
    return sqz_fail(r->err, SQZ_ERR_MODEL, "model: unknown resize policy %d", (int)rc->resize_mode);
  if (rc->resize_size < rc->input_width || rc->resize_size < rc->input_height ||
      rc->resize_size > 4 * SQZ_MAX_INPUT_SIDE)
    return sqz_fail(r->err, SQZ_ERR_MODEL,
                    "model: resize size %d is smaller than the %dx%d crop or too large",
                    rc->resize_size, rc->input_width, rc->input_height);
  int bad = !isfinite(rc->scale) || rc->scale == 0;
  for (int c = 0; c < 3; c++)
    bad |= !isfinite(rc->mean[c]) || !isfinite(rc->std[c]) || rc->std[c] == 0;
  if (bad) return sqz_fail(r->err, SQZ_ERR_MODEL, "model: normalisation values are not finite and non-zero");
  return SQZ_OK;
}

static sqz_status parse_labels(reader *r, sqz_model_desc *d) {
  uint32_t n = rd_u32(r);
  if (r->status) return r->status;
  if (n == 0 || n > SQZ_MAX_LABELS)
    return sqz_fail(r->err, SQZ_ERR_MODEL, "model: %u labels (1..%d allowed)", n, SQZ_MAX_LABELS);
  d->labels = r->p;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t len = rd_u16(r);
    if (!need(r, len)) return r->status;
    for (uint32_t k = 0; k < len; k++)
      if (r->p[k] == 0) return sqz_fail(r->err, SQZ_ERR_MODEL, "model: label %u contains a NUL byte", i);
    r->p += len;
  }
  d->num_labels = n;
  d->labels_bytes = (size_t)(r->p - d->labels);
  return SQZ_OK;
}

static sqz_status parse_graph(reader *r, sqz_model_desc *d) {
  uint32_t n = rd_u32(r);
  if (r->status) return r->status;
  if (n == 0 || n > SQZ_MAX_LAYERS)
    return sqz_fail(r->err, SQZ_ERR_MODEL, "model: %u layers (1..%d allowed)", n, SQZ_MAX_LAYERS);
  for (uint32_t i = 0; i < n && r->status == SQZ_OK; i++) {
    sqz_layer_desc *l = &d->layers[i];
    memset(l, 0, sizeof *l);
    uint32_t op = rd_u8(r);
    rd_u8(r), rd_u8(r), rd_u8(r); /* keeps every record 4-byte aligned */
    l->op = (sqz_op)op;
    switch (op) {
      case SQZ_OP_CONV:
        rd_conv_params(r, &l->conv);
        rd_conv_tensors(r, &l->conv, "conv");
        break;
      case SQZ_OP_MAXPOOL:
        l->pool_kernel = (int)rd_u8(r);
        l->pool_stride = (int)rd_u8(r);
        l->pool_pad = (int)rd_u8(r);
        l->pool_ceil = (int)rd_u8(r);
        break;
      case SQZ_OP_FIRE: {
        int s = (int)rd_u16(r), e1 = (int)rd_u16(r), e3 = (int)rd_u16(r);
        rd_u16(r);
        sqz_conv_desc sq = {s, 1, 1, 1, 0, 1, {0}, {0}};
        sqz_conv_desc x1 = {e1, 1, 1, 1, 0, 1, {0}, {0}};
        sqz_conv_desc x3 = {e3, 3, 3, 1, 1, 1, {0}, {0}};
        l->squeeze = sq, l->expand1 = x1, l->expand3 = x3;
        rd_conv_tensors(r, &l->squeeze, "fire squeeze");
        rd_conv_tensors(r, &l->expand1, "fire expand1x1");
        rd_conv_tensors(r, &l->expand3, "fire expand3x3");
        break;
      }
      case SQZ_OP_GAP:
        break;
      default:
        if (r->status == SQZ_OK)
          return sqz_fail(r->err, SQZ_ERR_MODEL, "model: layer %u has unknown operation %u", i, op);
    }
  }
  if (r->status) return r->status;
  d->num_layers = (int)n;
  return SQZ_OK;
}

sqz_status sqz_model_parse(const uint8_t *data, size_t size, sqz_model_desc *d, sqz_error *err) {
  memset(d, 0, sizeof *d);
  if (!data) return sqz_fail(err, SQZ_ERR_ARGUMENT, "model: no bytes given");
  if (size < 16 && memcmp(data, "SQZN", size < 4 ? size : 4) == 0)
    return sqz_fail(err, SQZ_ERR_MODEL, "model: %zu bytes, shorter than the 16-byte header (truncated?)",
                    size);
  if (size < 16 || memcmp(data, "SQZN", 4) != 0)
    return sqz_fail(err, SQZ_ERR_VERSION, "model: not a .sqz file (no SQZN magic)");
  if (size > SQZ_MAX_MODEL_BYTES)
    return sqz_fail(err, SQZ_ERR_LIMIT, "model: %zu bytes is over the %u-byte limit", size,
                    (unsigned)SQZ_MAX_MODEL_BYTES);
  reader h = {data + 4, data + 16, "header", err, SQZ_OK};
  uint32_t version = rd_u16(&h), flags = rd_u16(&h), file_size = rd_u32(&h), crc = rd_u32(&h);
  if (version != SQZ_FORMAT_VERSION)
    return sqz_fail(err, SQZ_ERR_VERSION, "model: format version %u (this build reads %d)",
                    version, SQZ_FORMAT_VERSION);
  if (flags != 0) return sqz_fail(err, SQZ_ERR_VERSION, "model: unknown flags 0x%x", flags);
  if (file_size != size)
    return sqz_fail(err, SQZ_ERR_MODEL, "model: header says %u bytes but %zu were given (truncated?)",
                    file_size, size);
  if (sqz_crc32(data + 16, size - 16) != crc)
    return sqz_fail(err, SQZ_ERR_CHECKSUM, "model: checksum mismatch (the file is corrupt)");

  static const char order[3][5] = {"META", "LABL", "GRPH"};
  int seen = 0;
  const uint8_t *p = data + 16, *end = data + size;
  while (p < end) {
    if (end - p < 8) return sqz_fail(err, SQZ_ERR_MODEL, "model: truncated section header");
    char tag[5] = {(char)p[0], (char)p[1], (char)p[2], (char)p[3], 0};
    uint32_t len = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
    p += 8;
    size_t padded = ((size_t)len + 3) & ~(size_t)3;
    if ((size_t)(end - p) < padded)
      return sqz_fail(err, SQZ_ERR_MODEL, "model: section %s is truncated", tag);
    reader r = {p, p + len, tag, err, SQZ_OK};
    sqz_status st;
    if (seen < 3 && memcmp(tag, order[seen], 4) == 0) {
      st = seen == 0 ? parse_meta(&r, d) : seen == 1 ? parse_labels(&r, d) : parse_graph(&r, d);
      if (st) return st;
      if (r.p != r.end)
        return sqz_fail(err, SQZ_ERR_MODEL, "model: section %s has %zu unread bytes", tag,
                        (size_t)(r.end - r.p));
      seen++;
    } else if (tag[0] >= 'a' && tag[0] <= 'z') {
      /* optional section: skip */
    } else {
      return sqz_fail(err, SQZ_ERR_MODEL, "model: unexpected section '%s'%s", tag,
                      seen < 3 ? "" : " after GRPH");
    }
    p += padded;
  }
  if (seen < 3) return sqz_fail(err, SQZ_ERR_MODEL, "model: missing section %s", order[seen]);
  return SQZ_OK;
}

sqz_status sqz_tensor_decode(const sqz_tensor_view *t, float *out, size_t count,
                             const char *what, sqz_error *err) {
  if (t->count != count)
    return sqz_fail(err, SQZ_ERR_MODEL, "model: %s has %u values, its shape needs %zu", what,
                    t->count, count);
  switch (t->encoding) {
    case SQZ_ENC_F32:
      if (t->bytes != count * 4)
        return sqz_fail(err, SQZ_ERR_MODEL, "model: %s: %u bytes for %zu float32 values", what,
                        t->bytes, count);
      memcpy(out, t->data, count * 4);
      break;
    case SQZ_ENC_F16:
      if (t->bytes != count * 2)
        return sqz_fail(err, SQZ_ERR_MODEL, "model: %s: %u bytes for %zu float16 values", what,
                        t->bytes, count);
      for (size_t i = 0; i < count; i++)
        out[i] = sqz_f16_to_f32((uint16_t)(t->data[2 * i] | t->data[2 * i + 1] << 8));
      break;
    default: { /* codebook, sparse codebook, int8: format/tensor_decode.c */
      sqz_status st = sqz_tensor_decode_compact(t, out, count, what, err);
      if (st) return st;
    }
  }
  for (size_t i = 0; i < count; i++)
    if (!isfinite(out[i]))
      return sqz_fail(err, SQZ_ERR_MODEL, "model: %s value %zu is not finite", what, i);
  return SQZ_OK;
}

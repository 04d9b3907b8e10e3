/* Bodies of the fuzz targets (see targets.h). They check little
 * themselves: the sanitizers (ASan, UBSan) and libFuzzer's leak, timeout and
 * memory checks do. They make sure a failure explains itself, and report
 * what happened to tests/c/test_fuzz_regressions.c. */
#include "common/crc32.h"
#include "format/writer.h"
#include "targets.h"

#include <stdlib.h>
#include <string.h>

#include "format/format.h"
#include "format/tensor_codec.h"
#include "preprocess/preprocess.h"
#include "squeezenet.h"

/* A crash on purpose if the library fails without a reason. */
static void require_reason(const sqz_error *e) {
  if (e->code == SQZ_OK || e->message[0] == 0) abort();
}

static float weight(uint32_t *state) {
  *state = *state * 1664525u + 1013904223u;
  return ((float)(*state >> 8) / (float)(1u << 24) - 0.5f) * 0.5f;
}

/* A weight tensor of `channels` output channels, or (channels 0) a bias:
 * biases of a qs8 model stay float32, as sqz compress writes them. */
static void write_tensor(sqz_writer *w, sqz_encoding enc, uint32_t count, uint32_t channels, uint32_t *state) {
  float *v = malloc(count * sizeof(float));
  if (!v) {
    w->failed = 1;
    return;
  }
  for (uint32_t i = 0; i < count; i++) v[i] = weight(state);
  if (enc == SQZ_ENC_QS8 && channels) {
    const sqz_codec codec = {SQZ_ENC_QS8, 0, 0};
    uint32_t bytes = 0;
    sqz_error err;
    uint8_t *payload = sqz_tensor_encode(&codec, v, count, channels, &bytes, &err);
    if (payload) sqz_write_tensor_raw(w, enc, count, payload, bytes);
    else w->failed = 1;
    free(payload);
  } else {
    sqz_write_tensor(w, enc == SQZ_ENC_QS8 ? SQZ_ENC_F32 : enc, v, count);
  }
  free(v);
}

static void write_conv(sqz_writer *w, sqz_encoding enc, int cout, int cin, int k, int stride,
                       int pad, uint32_t *state) {
  sqz_write_op(w, SQZ_OP_CONV);
  sqz_write_u16(w, (uint16_t)cout);
  sqz_write_u8(w, (uint8_t)k), sqz_write_u8(w, (uint8_t)k);
  sqz_write_u8(w, (uint8_t)stride), sqz_write_u8(w, (uint8_t)pad);
  sqz_write_u8(w, 1), sqz_write_u8(w, 0);
  write_tensor(w, enc, (uint32_t)(cout * cin * k * k), (uint32_t)cout, state);
  write_tensor(w, enc, (uint32_t)cout, 0, state);
}

static void write_fire(sqz_writer *w, sqz_encoding enc, int cin, int s, int e1, int e3,
                       uint32_t *state) {
  sqz_write_op(w, SQZ_OP_FIRE);
  sqz_write_u16(w, (uint16_t)s), sqz_write_u16(w, (uint16_t)e1), sqz_write_u16(w, (uint16_t)e3);
  sqz_write_u16(w, 0);
  write_tensor(w, enc, (uint32_t)(s * cin), (uint32_t)s, state), write_tensor(w, enc, (uint32_t)s, 0, state);
  write_tensor(w, enc, (uint32_t)(e1 * s), (uint32_t)e1, state), write_tensor(w, enc, (uint32_t)e1, 0, state);
  write_tensor(w, enc, (uint32_t)(e3 * s * 9), (uint32_t)e3, state), write_tensor(w, enc, (uint32_t)e3, 0, state);
}

uint8_t *sqz_fuzz_tiny_taught_model(int variant, size_t *size) {
  size_t base_size = 0;
  uint8_t *base = sqz_fuzz_tiny_model(variant, &base_size), *out = NULL;
  enum { CLASSES = 3, DIM = 12 }; /* the tiny model's last fire module: 5 + 7 */
  static const char *labels[CLASSES] = {"cat", "chat", "ねこ"};
  float w[CLASSES * DIM], b[CLASSES];
  uint32_t state = 777u + (uint32_t)variant;
  for (int i = 0; i < CLASSES * DIM; i++) w[i] = weight(&state);
  for (int i = 0; i < CLASSES; i++) b[i] = weight(&state);
  sqz_error e;
  if (!base || sqz_taught_model_write(base, base_size, w, b, CLASSES, DIM, labels, &out, size, &e) != SQZ_OK)
    out = NULL;
  free(base);
  return out;
}

uint8_t *sqz_fuzz_tiny_model(int variant, size_t *size) {
  sqz_recipe r = {16, 16, 0, SQZ_RESIZE_SHORTER, 18, 1.0f / 255, {0.485f, 0.456f, 0.406f},
                  {0.229f, 0.224f, 0.225f}};
  if (variant == 2) {
    sqz_recipe caffe = {20, 20, 1, SQZ_RESIZE_WARP, 24, 1.0f, {123, 117, 104}, {1, 1, 1}};
    r = caffe;
  }
  sqz_encoding enc = variant == 1 ? SQZ_ENC_F16 : variant == 3 ? SQZ_ENC_QS8 : SQZ_ENC_F32;
  uint32_t state = 12345u + (uint32_t)variant;
  static const char *labels[10] = {"n0 zero", "n1 one, uno", "n2 two", "n3 three", "n4 four",
                                   "n5 five", "n6 six", "n7 seven", "n8 eight", "n9 nine"};
  sqz_writer w;
  sqz_writer_init(&w);
  sqz_write_header(&w);
  sqz_write_meta(&w, "tiny", &r);
  sqz_write_labels(&w, labels, 10);
  sqz_write_section_begin(&w, "GRPH");
  sqz_write_u32(&w, 6);
  write_conv(&w, enc, 8, 3, 3, 2, 0, &state);
  sqz_write_op(&w, SQZ_OP_MAXPOOL);
  sqz_write_u8(&w, 3), sqz_write_u8(&w, 2), sqz_write_u8(&w, 0), sqz_write_u8(&w, 1);
  write_fire(&w, enc, 8, 4, 6, 6, &state);
  write_fire(&w, enc, 12, 4, 5, 7, &state);
  write_conv(&w, enc, 10, 12, 1, 1, 1, &state);
  sqz_write_op(&w, SQZ_OP_GAP);
  sqz_write_section_end(&w);
  sqz_error err;
  if (sqz_writer_finish(&w, &err) != SQZ_OK) {
    sqz_writer_free(&w);
    return NULL;
  }
  *size = w.size;
  return w.data;
}

/* The heatmap of class k after a successful run: a grid inside what the
 * pool read, a region with a positive size, every cell copied out. */
static void check_heatmap(const sqz_model *m, int k) {
  sqz_heatmap_info info;
  const int n = sqz_class_map(m, k, NULL, 0, &info);
  if (n <= 0 || n != info.width * info.height || info.ring_cells < 0 || !(info.region.width > 0) ||
      !(info.region.height > 0))
    abort();
  float *map = malloc((size_t)n * sizeof *map);
  if (map && sqz_class_map(m, k, map, (size_t)n, &info) != n) abort();
  free(map);
}

/* Runs a loaded model once on a flat gray crop, then reads its results;
 * the run's error (if any) goes to *e. */
static void run_once(sqz_model *m, sqz_error *e) {
  sqz_model_info info = sqz_model_get_info(m);
  for (int i = 0; i < info.num_classes; i++)
    if (!sqz_model_label(m, i) || !sqz_model_label_full(m, i)) abort();
  /* keep executions fast: planning is what is being fuzzed, not big runs */
  if (info.memory_bytes > (32u << 20)) return;
  size_t n = (size_t)info.input_width * info.input_height * 3;
  uint8_t *px = malloc(n);
  if (!px) return;
  memset(px, 128, n);
  if (sqz_classify_pixels(m, px, info.input_width, info.input_height, SQZ_RGB, 0, SQZ_INPUT_RAW,
                          e) == SQZ_OK) {
    sqz_prediction p[5];
    sqz_top_k(m, 5, p);
    check_heatmap(m, info.num_classes - 1);
  } else {
    require_reason(e);
  }
  free(px);
}

/* Loads (and runs) one model; the outcome in *e. */
static void load_and_run(const uint8_t *data, size_t size, sqz_error *e) {
  memset(e, 0, sizeof *e);
  sqz_model *m = sqz_model_load(data, size, e);
  if (m) run_once(m, e);
  else require_reason(e);
  sqz_model_free(m);
}

static void put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* A taught model's head (src/learn/taught.c), read like any model; the
 * reader's error (if any) goes to *e. */
static void read_head(const uint8_t *data, size_t size, sqz_error *e) {
  memset(e, 0, sizeof *e);
  sqz_taught_head *h = NULL;
  if (sqz_taught_model_read_head(data, size, &h, e) != SQZ_OK) {
    require_reason(e);
    return;
  }
  for (int j = 0; j < h->classes; j++)
    if (!h->labels[j][0] || h->bias[j] != h->bias[j]) abort();
  sqz_free(h);
}

void sqz_fuzz_model_outcome(const uint8_t *data, size_t size, sqz_error outcome[3]) {
  load_and_run(data, size, &outcome[0]);
  read_head(data, size, &outcome[2]);
  outcome[1].code = (sqz_status)-1, outcome[1].message[0] = 0;
  if (size < 16 || size > SQZ_MAX_MODEL_BYTES) return;
  uint8_t *fixed = malloc(size);
  if (!fixed) return;
  memcpy(fixed, data, size);
  memcpy(fixed, "SQZN", 4);
  fixed[4] = SQZ_FORMAT_VERSION, fixed[5] = 0, fixed[6] = fixed[7] = 0;
  put32(fixed + 8, (uint32_t)size);
  put32(fixed + 12, sqz_crc32(fixed + 16, size - 16));
  load_and_run(fixed, size, &outcome[1]);
  sqz_error head;
  read_head(fixed, size, &head);
  free(fixed);
}

int sqz_fuzz_model(const uint8_t *data, size_t size) {
  sqz_error outcome[3];
  sqz_fuzz_model_outcome(data, size, outcome);
  return 0;
}

static sqz_model *tiny[3];

static void load_tiny_models(void) {
  for (int v = 0; v < 3; v++) {
    if (tiny[v]) continue;
    size_t n = 0;
    uint8_t *b = sqz_fuzz_tiny_model(v, &n);
    sqz_error e;
    tiny[v] = b ? sqz_model_load(b, n, &e) : NULL;
    free(b);
    if (!tiny[v]) abort();
  }
}

int sqz_fuzz_image_outcome(const uint8_t *data, size_t size, sqz_error *e) {
  memset(e, 0, sizeof *e);
  if (size < 1) return -1;
  load_tiny_models();
  uint8_t sel = data[0];
  data++, size--;
  sqz_model *m = tiny[sel % 3];
  unsigned flags = ((sel & 0x10) ? SQZ_INPUT_RAW : 0) | ((sel & 0x40) ? SQZ_IGNORE_ORIENTATION : 0);
  const int embedding = (sel & 0x80) != 0;
  float features[64]; /* the tiny models' embeddings have 12 values */
  sqz_status st;
  if (sel & 0x20) {
    /* raw pixels: width, height, format and stride padding from 4 bytes */
    if (size < 4) return -1;
    int w = 1 + data[0] % 64, h = 1 + data[1] % 64, fmt = 1 + data[2] % 4;
    size_t stride = (size_t)w * fmt + data[3] % 8;
    data += 4, size -= 4;
    if ((size_t)(h - 1) * stride + (size_t)w * fmt > size) return -1;
    st = embedding ? sqz_embed_pixels(m, data, w, h, (sqz_pixel_format)fmt, stride, flags | SQZ_UNIT_LENGTH,
                                      features, 64, e)
                   : sqz_classify_pixels(m, data, w, h, (sqz_pixel_format)fmt, stride, flags, e);
  } else {
    st = embedding ? sqz_embed_image(m, data, size, flags | SQZ_UNIT_LENGTH, features, 64, e)
                   : sqz_classify_image(m, data, size, flags, e);
  }
  if (embedding) {
    /* a unit (or all-zero) embedding of finite values, or a reason */
    if (st != SQZ_OK) require_reason(e);
    double squares = 0;
    for (int i = 0; st == SQZ_OK && i < sqz_model_get_info(m).embedding_size; i++)
      squares += (double)features[i] * features[i];
    if (st == SQZ_OK && !(squares == 0 || (squares > 0.999 && squares < 1.001))) abort();
    if (sqz_logits(m)) abort(); /* an embedding leaves no classification result */
  } else if (st == SQZ_OK) {
    sqz_prediction p[3];
    if (sqz_top_k(m, 3, p) != 3 || !sqz_logits(m) || !sqz_probabilities(m)) abort();
    check_heatmap(m, p[0].index);
    sqz_picture pic; /* the upright pixels the CLIs' --heatmap pictures are drawn on */
    if (!(sel & 0x20) && sqz_decode_picture(data, size, !(flags & SQZ_IGNORE_ORIENTATION), &pic, NULL) == SQZ_OK) {
      uint8_t *rgb = (size_t)pic.width * pic.height <= (1u << 20) ? malloc((size_t)pic.width * pic.height * 3) : NULL;
      if (rgb) sqz_picture_upright_rgb(&pic, rgb);
      free(rgb);
      sqz_picture_free(&pic);
    }
  } else {
    require_reason(e);
    if (sqz_logits(m)) abort(); /* a failed call leaves no result */
  }
  return (int)st;
}

int sqz_fuzz_image(const uint8_t *data, size_t size) {
  sqz_error e;
  sqz_fuzz_image_outcome(data, size, &e);
  return 0;
}

int sqz_fuzz_exif(const uint8_t *data, size_t size) {
  int v = sqz_exif_orientation(data, size);
  if (v < 1 || v > 8) abort();
  return 0;
}

#include "tools/convert/convert.h"

#include <stdlib.h>
#include <string.h>

unsigned char *convert_read_file(const char *path, size_t *size, sqz_error *err) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    sqz_fail(err, SQZ_ERR_ARGUMENT, "%s: cannot open", path);
    return NULL;
  }
  unsigned char *buf = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    if (n + 65536 + 1 > cap) {
      cap = cap ? cap * 2 : 1 << 20;
      unsigned char *b = realloc(buf, cap);
      if (!b) {
        free(buf);
        fclose(f);
        sqz_fail(err, SQZ_ERR_MEMORY, "%s: out of memory", path);
        return NULL;
      }
      buf = b;
    }
    size_t got = fread(buf + n, 1, 65536, f);
    n += got;
    if (got < 65536) break;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    free(buf);
    sqz_fail(err, SQZ_ERR_ARGUMENT, "%s: read error", path);
    return NULL;
  }
  buf[n] = 0;
  *size = n;
  return buf;
}

/* A squeeze 1×1 followed by expand 1×1 and expand 3×3 (pad 1), all with ReLU. */
static int is_fire(const src_graph *g, int i) {
  if (i + 2 >= g->count) return 0;
  const src_layer *s = &g->layers[i], *a = s + 1, *b = s + 2;
  return s->type == SRC_CONV && a->type == SRC_CONV && b->type == SRC_CONV && s->kernel == 1 &&
         s->stride == 1 && s->pad == 0 && a->kernel == 1 && a->stride == 1 && a->pad == 0 &&
         b->kernel == 3 && b->stride == 1 && b->pad == 1 && s->relu && a->relu && b->relu;
}

static sqz_status alloc_conv(src_layer *l, int cin, sqz_error *err) {
  if (l->cout < 1 || l->cout > SQZ_MAX_CHANNELS || l->kernel < 1 || l->kernel > SQZ_MAX_KERNEL)
    return sqz_fail(err, SQZ_ERR_MODEL, "convolution with a bad shape (cout %d, kernel %d)",
                    l->cout, l->kernel);
  l->cin = cin;
  l->weights = calloc((size_t)l->cout * cin * l->kernel * l->kernel, sizeof(float));
  l->bias = calloc((size_t)l->cout, sizeof(float));
  if (!l->weights || !l->bias) return sqz_fail(err, SQZ_ERR_MEMORY, "out of memory");
  return SQZ_OK;
}

sqz_status convert_plan(src_graph *g, int *num_convs, sqz_error *err) {
  int channels = 3, convs = 0;
  sqz_status st;
  for (int i = 0; i < g->count; i++) {
    src_layer *l = &g->layers[i];
    if (l->type != SRC_CONV) continue;
    if (is_fire(g, i)) { /* both expands read the squeeze output */
      if ((st = alloc_conv(l, channels, err)) || (st = alloc_conv(l + 1, l->cout, err)) ||
          (st = alloc_conv(l + 2, l->cout, err)))
        return st;
      channels = l[1].cout + l[2].cout;
      convs += 3;
      i += 2;
    } else {
      if ((st = alloc_conv(l, channels, err))) return st;
      channels = l->cout;
      convs++;
    }
  }
  *num_convs = convs;
  return SQZ_OK;
}

void convert_free(src_graph *g) {
  for (int i = 0; i < g->count; i++) {
    free(g->layers[i].weights);
    free(g->layers[i].bias);
    g->layers[i].weights = g->layers[i].bias = NULL;
  }
}

static int read_labels(const char *path, char ***labels_out, uint32_t *count, char **text_out,
                       sqz_error *err) {
  size_t size;
  char *text = (char *)convert_read_file(path, &size, err);
  if (!text) return 0;
  uint32_t n = 0, cap = 1024;
  char **labels = malloc(cap * sizeof *labels);
  char *p = text;
  while (labels && *p) {
    char *eol = strchr(p, '\n');
    char *next = eol ? eol + 1 : p + strlen(p);
    if (eol) *eol = 0;
    size_t len = strlen(p);
    while (len && (p[len - 1] == '\r' || p[len - 1] == ' ')) p[--len] = 0;
    if (len) {
      if (n == cap) {
        char **l2 = realloc(labels, (cap *= 2) * sizeof *labels);
        if (!l2) { free(labels); labels = NULL; break; }
        labels = l2;
      }
      labels[n++] = p;
    }
    p = next;
  }
  if (!labels) {
    free(text);
    sqz_fail(err, SQZ_ERR_MEMORY, "out of memory");
    return 0;
  }
  *labels_out = labels, *count = n, *text_out = text;
  return 1;
}

/* One weight tensor in the chosen encoding; a failure marks the writer failed
 * and leaves its reason in err. */
static void write_weights(sqz_writer *w, const sqz_codec *codec, const float *values, uint32_t count,
                          uint32_t channels, sqz_error *err) {
  uint32_t bytes;
  if (w->failed) return;
  uint8_t *payload = sqz_tensor_encode(codec, values, count, channels, &bytes, err);
  if (!payload) {
    w->failed = 1;
    return;
  }
  sqz_write_tensor_raw(w, codec->encoding, count, payload, bytes);
  free(payload);
}

sqz_status convert_write(const src_graph *g, const char *name, const sqz_recipe *recipe,
                         const char *labels_path, const sqz_codec *codec, const char *out_path,
                         sqz_error *err) {
  char **labels = NULL, *labels_text = NULL;
  uint32_t num_labels = 0;
  if (!read_labels(labels_path, &labels, &num_labels, &labels_text, err)) return err->code;
  sqz_writer w;
  sqz_writer_init(&w);
  sqz_write_header(&w);
  sqz_write_meta(&w, name, recipe);
  sqz_write_labels(&w, (const char *const *)labels, num_labels);
  sqz_write_section_begin(&w, "GRPH");
  size_t count_at = w.size;
  sqz_write_u32(&w, 0);
  uint32_t layers = 0;
  for (int i = 0; i < g->count; i++, layers++) {
    const src_layer *l = &g->layers[i];
    if (l->type == SRC_MAXPOOL) {
      sqz_write_op(&w, SQZ_OP_MAXPOOL);
      sqz_write_u8(&w, (uint8_t)l->kernel), sqz_write_u8(&w, (uint8_t)l->stride);
      sqz_write_u8(&w, 0), sqz_write_u8(&w, 1);
    } else if (l->type == SRC_GAP) {
      sqz_write_op(&w, SQZ_OP_GAP);
    } else if (is_fire(g, i)) {
      sqz_write_op(&w, SQZ_OP_FIRE);
      for (int k = 0; k < 3; k++) sqz_write_u16(&w, (uint16_t)l[k].cout);
      sqz_write_u16(&w, 0);
      for (int k = 0; k < 3; k++) {
        uint32_t n = (uint32_t)(l[k].cout * l[k].cin * l[k].kernel * l[k].kernel);
        write_weights(&w, codec, l[k].weights, n, (uint32_t)l[k].cout, err);
        sqz_write_tensor(&w, SQZ_ENC_F32, l[k].bias, (uint32_t)l[k].cout);
      }
      i += 2;
    } else {
      sqz_write_op(&w, SQZ_OP_CONV);
      sqz_write_u16(&w, (uint16_t)l->cout);
      sqz_write_u8(&w, (uint8_t)l->kernel), sqz_write_u8(&w, (uint8_t)l->kernel);
      sqz_write_u8(&w, (uint8_t)l->stride), sqz_write_u8(&w, (uint8_t)l->pad);
      sqz_write_u8(&w, (uint8_t)l->relu), sqz_write_u8(&w, 0);
      uint32_t n = (uint32_t)(l->cout * l->cin * l->kernel * l->kernel);
      write_weights(&w, codec, l->weights, n, (uint32_t)l->cout, err);
      sqz_write_tensor(&w, SQZ_ENC_F32, l->bias, (uint32_t)l->cout);
    }
  }
  if (!w.failed) {
    w.data[count_at] = (uint8_t)layers;
    w.data[count_at + 1] = (uint8_t)(layers >> 8);
  }
  sqz_write_section_end(&w);
  sqz_status st = sqz_writer_finish(&w, err);
  free(labels);
  free(labels_text);
  if (st == SQZ_OK) {
    /* Check by reading back what a loader will read. */
    sqz_model_desc *d = malloc(sizeof *d);
    if (!d) st = sqz_fail(err, SQZ_ERR_MEMORY, "out of memory");
    else st = sqz_model_parse(w.data, w.size, d, err);
    free(d);
  }
  if (st == SQZ_OK) {
    FILE *f = fopen(out_path, "wb");
    if (!f || fwrite(w.data, 1, w.size, f) != w.size) st = sqz_fail(err, SQZ_ERR_ARGUMENT, "%s: cannot write", out_path);
    if (f && fclose(f) != 0 && st == SQZ_OK) st = sqz_fail(err, SQZ_ERR_ARGUMENT, "%s: cannot write", out_path);
  }
  sqz_writer_free(&w);
  return st;
}

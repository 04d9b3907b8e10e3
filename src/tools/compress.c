/* `sqz compress IN.sqz -o OUT.sqz --encoding ENC`: re-encodes every weight
 * tensor of a model (k-means codebooks, sparse codebooks, int8, qs8 — see
 * format/tensor_codec.h) and keeps the rest (recipe, labels, graph, float32
 * biases). Prints, per layer, the stored size and the error of the decoded
 * weights against the input's; checks that the output loads. No training
 * data is used. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/writer.h"
#include "format/format.h"
#include "format/tensor_codec.h"
#include "squeezenet.h"
#include "tools/compress.h"
#include "tools/convert/convert.h"

#define MAX_OVERRIDES 64

/* --layer NAME=ENC: another encoding for the layers named NAME (conv1,
 * fire2/squeeze1x1) or under it (fire2). */
typedef struct layer_override {
  const char *name;
  size_t name_len;
  sqz_codec codec;
} layer_override;

typedef struct compress_totals {
  uint64_t in_bytes, out_bytes, values;
  double max_err, sq_err, sq_ref;
  int quiet;
  layer_override overrides[MAX_OVERRIDES];
  int num_overrides;
} compress_totals;

static const sqz_codec *codec_for(const compress_totals *tot, const sqz_codec *codec, const char *layer) {
  for (int i = tot->num_overrides - 1; i >= 0; i--) { /* the last one given wins */
    const layer_override *o = &tot->overrides[i];
    if (strncmp(layer, o->name, o->name_len) == 0 && (layer[o->name_len] == 0 || layer[o->name_len] == '/'))
      return &o->codec;
  }
  return codec;
}

/* Decodes a weight tensor, re-encodes it, decodes the result and reports. */
static sqz_status recode(sqz_writer *w, const sqz_codec *codec, const sqz_tensor_view *t,
                         uint32_t channels, const char *name, compress_totals *tot, sqz_error *err) {
  codec = codec_for(tot, codec, name);
  char cname[32];
  sqz_codec_name(codec, cname, sizeof cname);
  size_t n = t->count;
  float *in = malloc((n + 1) * sizeof *in), *back = malloc((n + 1) * sizeof *back);
  if (!in || !back) {
    free(in), free(back);
    return sqz_fail(err, SQZ_ERR_MEMORY, "out of memory");
  }
  char what[96];
  snprintf(what, sizeof what, "%s weights", name);
  sqz_status st = sqz_tensor_decode(t, in, n, what, err);
  uint32_t bytes = 0;
  uint8_t *payload = NULL;
  if (!st) {
    payload = sqz_tensor_encode(codec, in, t->count, channels, &bytes, err);
    if (!payload) st = err->code;
  }
  if (!st) {
    sqz_tensor_view v = {codec->encoding, t->count, bytes, payload};
    st = sqz_tensor_decode(&v, back, n, what, err);
  }
  if (!st) {
    double max_err = 0, sq = 0, ref = 0;
    size_t nonzero = 0;
    for (size_t i = 0; i < n; i++) {
      double d = fabs((double)back[i] - in[i]);
      max_err = d > max_err ? d : max_err;
      sq += d * d;
      ref += (double)in[i] * in[i];
      nonzero += in[i] != 0.0f;
    }
    if (!tot->quiet)
      printf("%-18s %-12s %8zu %6.1f%% %9u %9u %6.2f %10.3g %10.3g %8.2f%%\n", name, cname, n,
             100.0 * nonzero / (n ? n : 1), t->bytes, bytes, 8.0 * bytes / (n ? n : 1), max_err,
             sqrt(sq / (n ? n : 1)), ref > 0 ? 100.0 * sqrt(sq / ref) : 0.0);
    tot->in_bytes += t->bytes, tot->out_bytes += bytes, tot->values += n;
    tot->max_err = max_err > tot->max_err ? max_err : tot->max_err;
    tot->sq_err += sq, tot->sq_ref += ref;
    sqz_write_tensor_raw(w, codec->encoding, t->count, payload, bytes);
  }
  free(payload), free(in), free(back);
  return st;
}

/* Biases stay float32 (a few thousand values; their error would shift every output). */
static sqz_status copy_bias(sqz_writer *w, const sqz_tensor_view *t, const char *name, sqz_error *err) {
  float *b = malloc(((size_t)t->count + 1) * sizeof *b);
  if (!b) return sqz_fail(err, SQZ_ERR_MEMORY, "out of memory");
  char what[96];
  snprintf(what, sizeof what, "%s bias", name);
  sqz_status st = sqz_tensor_decode(t, b, t->count, what, err);
  if (!st) sqz_write_tensor(w, SQZ_ENC_F32, b, t->count);
  free(b);
  return st;
}

static sqz_status recode_conv(sqz_writer *w, const sqz_codec *codec, const sqz_conv_desc *c,
                              const char *name, compress_totals *tot, sqz_error *err) {
  sqz_status st = recode(w, codec, &c->weights, (uint32_t)c->cout, name, tot, err);
  return st ? st : copy_bias(w, &c->bias, name, err);
}

static sqz_status compress_model(const uint8_t *data, size_t size, const sqz_codec *codec,
                                 const char *name, sqz_writer *w, compress_totals *tot,
                                 sqz_error *err) {
  sqz_model_desc *d = malloc(sizeof *d);
  if (!d) return sqz_fail(err, SQZ_ERR_MEMORY, "out of memory");
  sqz_status st = sqz_model_parse(data, size, d, err);
  if (st) {
    free(d);
    return st;
  }
  if (!tot->quiet)
    printf("%-18s %-12s %8s %7s %9s %9s %6s %10s %10s %9s\n", "layer", "encoding", "values", "nonzero",
           "bytes in", "bytes out", "bits/w", "max |err|", "RMS err", "rel RMS");
  sqz_write_header(w);
  sqz_write_meta(w, name ? name : d->name, &d->recipe);
  sqz_write_section_begin(w, "LABL");
  sqz_write_u32(w, d->num_labels);
  sqz_write_bytes(w, d->labels, d->labels_bytes);
  sqz_write_section_end(w);
  sqz_write_section_begin(w, "GRPH");
  sqz_write_u32(w, (uint32_t)d->num_layers);
  int number = 1; /* SqueezeNet naming: conv1, fire2 … fire9, conv10 */
  for (int i = 0; i < d->num_layers && !st; i++) {
    const sqz_layer_desc *l = &d->layers[i];
    char lname[64];
    sqz_write_op(w, l->op);
    switch (l->op) {
      case SQZ_OP_CONV: {
        const sqz_conv_desc *c = &l->conv;
        sqz_write_u16(w, (uint16_t)c->cout);
        sqz_write_u8(w, (uint8_t)c->kh), sqz_write_u8(w, (uint8_t)c->kw);
        sqz_write_u8(w, (uint8_t)c->stride), sqz_write_u8(w, (uint8_t)c->pad);
        sqz_write_u8(w, (uint8_t)c->relu), sqz_write_u8(w, 0);
        snprintf(lname, sizeof lname, "conv%d", number++);
        st = recode_conv(w, codec, c, lname, tot, err);
        break;
      }
      case SQZ_OP_MAXPOOL:
        sqz_write_u8(w, (uint8_t)l->pool_kernel), sqz_write_u8(w, (uint8_t)l->pool_stride);
        sqz_write_u8(w, (uint8_t)l->pool_pad), sqz_write_u8(w, (uint8_t)l->pool_ceil);
        break;
      case SQZ_OP_FIRE: {
        sqz_write_u16(w, (uint16_t)l->squeeze.cout), sqz_write_u16(w, (uint16_t)l->expand1.cout);
        sqz_write_u16(w, (uint16_t)l->expand3.cout), sqz_write_u16(w, 0);
        static const char *const part[3] = {"squeeze1x1", "expand1x1", "expand3x3"};
        const sqz_conv_desc *cs[3] = {&l->squeeze, &l->expand1, &l->expand3};
        for (int k = 0; k < 3 && !st; k++) {
          snprintf(lname, sizeof lname, "fire%d/%s", number, part[k]);
          st = recode_conv(w, codec, cs[k], lname, tot, err);
        }
        number++;
        break;
      }
      case SQZ_OP_GAP: break;
    }
  }
  sqz_write_section_end(w);
  free(d);
  if (!st) st = sqz_writer_finish(w, err);
  return st;
}

int sqz_compress_main(int argc, char **argv) {
  const char *in_path = NULL, *out_path = NULL, *enc = NULL, *name = NULL;
  compress_totals tot;
  memset(&tot, 0, sizeof tot);
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) out_path = argv[++i];
    else if (strcmp(argv[i], "--encoding") == 0 && i + 1 < argc) enc = argv[++i];
    else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) name = argv[++i];
    else if (strcmp(argv[i], "--quiet") == 0) tot.quiet = 1;
    else if (strcmp(argv[i], "--layer") == 0 && i + 1 < argc) {
      const char *spec = argv[++i], *eq = strchr(spec, '=');
      layer_override *o = &tot.overrides[tot.num_overrides];
      if (!eq || eq == spec || tot.num_overrides == MAX_OVERRIDES || !sqz_codec_parse(eq + 1, &o->codec)) {
        fprintf(stderr, "sqz compress: --layer takes NAME=ENCODING (conv10=codebook5h), not '%s'\n", spec);
        return 2;
      }
      o->name = spec, o->name_len = (size_t)(eq - spec);
      tot.num_overrides++;
    }
    else if (argv[i][0] != '-' && !in_path) in_path = argv[i];
    else {
      fprintf(stderr, "sqz compress: unexpected argument '%s'\n", argv[i]);
      return 2;
    }
  }
  sqz_codec codec;
  if (!in_path || !out_path || !enc) {
    fprintf(stderr, "usage: sqz compress IN.sqz -o OUT.sqz --encoding ENC [--layer NAME=ENC]... [--name NAME] [--quiet]\n");
    return 2;
  }
  if (!sqz_codec_parse(enc, &codec)) {
    fprintf(stderr, "sqz compress: unknown encoding '%s' (f32, f16, int8, qs8, codebookN[h], sparse[N][h])\n", enc);
    return 2;
  }
  sqz_error err = {SQZ_OK, ""};
  size_t size;
  uint8_t *data = convert_read_file(in_path, &size, &err);
  if (!data) {
    fprintf(stderr, "sqz compress: %s\n", err.message);
    return 1;
  }
  sqz_writer w;
  sqz_writer_init(&w);
  sqz_status st = compress_model(data, size, &codec, name, &w, &tot, &err);
  free(data);
  if (!st) { /* the output must load: planning and every decoder */
    sqz_model *m = sqz_model_load(w.data, w.size, &err);
    if (!m) st = err.code;
    sqz_model_free(m);
  }
  if (!st) {
    FILE *f = fopen(out_path, "wb");
    int bad = !f || fwrite(w.data, 1, w.size, f) != w.size;
    if (f && fclose(f) != 0) bad = 1;
    if (bad) st = sqz_fail(&err, SQZ_ERR_ARGUMENT, "%s: cannot write", out_path);
  }
  if (st) {
    fprintf(stderr, "sqz compress: %s: %s\n", in_path, err.message);
    sqz_writer_free(&w);
    return 1;
  }
  char cname[32];
  sqz_codec_name(&codec, cname, sizeof cname);
  if (tot.num_overrides) snprintf(cname + strlen(cname), sizeof cname - strlen(cname), " mixed");
  printf("%s: %zu -> %zu bytes (%s; weights %llu -> %llu bytes, %.2f bits/weight), "
         "max |err| %.3g, RMS err %.3g (%.2f%% of RMS weight)\n",
         out_path, size, w.size, cname, (unsigned long long)tot.in_bytes,
         (unsigned long long)tot.out_bytes, 8.0 * tot.out_bytes / (tot.values ? tot.values : 1),
         tot.max_err, sqrt(tot.sq_err / (tot.values ? tot.values : 1)),
         tot.sq_ref > 0 ? 100.0 * sqrt(tot.sq_err / tot.sq_ref) : 0.0);
  sqz_writer_free(&w);
  return 0;
}

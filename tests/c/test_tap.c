/* The feature tap, the class maps and taught heads, on both shipped models
 * and golden crops of ../shared:
 * - the tap (the last fire module's output) after a full run is what
 *   sqz_network_run_to_tap gives (no later step writes it), and so are the
 *   tap, class maps and logits once the next input is filled (also on a tiny
 *   model whose input is its largest tensor); the same bits on
 *   1, 2 and 3 threads, and the same bits as the last fire output of the
 *   model cut after that fire (rewritten with format/writer.h) plus a global
 *   average pool, whose logits are the tap's averages computed here in double;
 * - the class maps average, in double, to the logits;
 * - a taught head (a 1x1 convolution without ReLU on the tap, then the global
 *   average pool: 2, 10, 100 classes, dense or half zeros) plans and runs on
 *   every path and both ISAs, its logits those of the linear head W·mean(tap) + b
 *   computed here in double, the same bits on 1 and 2 threads.
 * SQZ_TEST_QUICK (the sanitizer run): one crop a model, heads on v1.1 only. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/network.h"
#include "format/format.h"
#include "format/writer.h"
#include "preprocess/preprocess.h"
#include "testutil.h"

typedef struct variant {
  const sqz_kernels *k;
  const sqz_conv_policy *policy;
} variant;
static const variant variants[] = {
    {&sqz_kernels_wasmsimd, &sqz_conv_policy_default},   {&sqz_kernels_scalar, &sqz_conv_policy_default},
    {&sqz_kernels_wasmsimd, &sqz_conv_policy_direct},    {&sqz_kernels_wasmsimd, &sqz_conv_policy_winograd2},
    {&sqz_kernels_wasmsimd, &sqz_conv_policy_winograd4}, {&sqz_kernels_wasmsimd, &sqz_conv_policy_all_sparse},
};
#define VARIANTS ((int)(sizeof variants / sizeof variants[0]))

/* What one run of a network gives. */
typedef struct outputs {
  float *logits, *tap, *maps;
  int classes, th, tw, tc, mh, mw;
  int head_kind; /* the last convolution's path */
} outputs;

static void outputs_free(outputs *o) { free(o->logits), free(o->tap), free(o->maps), memset(o, 0, sizeof *o); }

static float *copy_floats(const float *p, size_t n) {
  float *q = malloc(n * sizeof(float));
  memcpy(q, p, n * sizeof(float));
  return q;
}

/* Builds a network for d, runs the raw crop rgb on `threads` threads and
 * copies what it gives; first runs to the tap alone, and checks that the
 * full run leaves the tap as that gave it. */
static int run(const sqz_model_desc *d, const variant *v, int threads, const uint8_t *rgb, outputs *o,
               const char *what) {
  sqz_error err = {0, ""};
  sqz_network *net = NULL;
  sqz_pool *pool = threads > 1 ? sqz_pool_create(threads, &err) : NULL;
  memset(o, 0, sizeof *o);
  int ok = (threads == 1 || pool) && sqz_network_create(d, v->k, v->policy, &net, &err) == SQZ_OK &&
           sqz_network_set_pool(net, pool, &err) == SQZ_OK;
  CHECK(ok, "%s (%s, %s, %d threads): %s", what, v->k->name, v->policy->name, threads, err.message);
  if (!ok) {
    sqz_network_free(net), sqz_pool_free(pool);
    return 0;
  }
  const int w = d->recipe.input_width, h = d->recipe.input_height;
  CHECK(sqz_preprocess(&d->recipe, rgb, w, h, 3, 0, 1, NULL, sqz_network_input(net), &err) == SQZ_OK, "%s: %s",
        what, err.message);
  const float *tap = sqz_network_run_to_tap(net);
  CHECK(tap && tap == sqz_network_tap(net, &o->th, &o->tw, &o->tc), "%s: no tap", what);
  float *early = tap ? copy_floats(tap, (size_t)o->th * o->tw * o->tc) : NULL;
  CHECK(sqz_preprocess(&d->recipe, rgb, w, h, 3, 0, 1, NULL, sqz_network_input(net), &err) == SQZ_OK, "%s: %s",
        what, err.message);
  o->classes = sqz_network_num_classes(net);
  const float *logits = sqz_network_run(net);
  o->logits = copy_floats(logits, (size_t)o->classes);
  if (tap) {
    o->tap = copy_floats(tap, (size_t)o->th * o->tw * o->tc);
    CHECK(memcmp(early, o->tap, (size_t)o->th * o->tw * o->tc * sizeof(float)) == 0,
          "%s (%s, %s): the full run changed the tap", what, v->k->name, v->policy->name);
  }
  const float *maps = sqz_network_class_maps(net, &o->mh, &o->mw);
  o->maps = copy_floats(maps, (size_t)o->mh * o->mw * o->classes);
  /* filling the next input leaves the tap, class maps and logits as they are */
  CHECK(sqz_preprocess(&d->recipe, rgb, w, h, 3, 0, 1, NULL, sqz_network_input(net), &err) == SQZ_OK, "%s: %s",
        what, err.message);
  CHECK((!tap || memcmp(tap, o->tap, (size_t)o->th * o->tw * o->tc * sizeof(float)) == 0) &&
            memcmp(maps, o->maps, (size_t)o->mh * o->mw * o->classes * sizeof(float)) == 0 &&
            memcmp(logits, o->logits, (size_t)o->classes * sizeof(float)) == 0,
        "%s (%s, %s): filling the input changed the tap, class maps or logits", what, v->k->name, v->policy->name);
  o->head_kind = -1;
  for (int i = 0; i < sqz_network_num_steps(net); i++)
    if (sqz_network_step_kind(net, i) < SQZ_CONV_PATHS) o->head_kind = sqz_network_step_kind(net, i);
  free(early);
  sqz_network_free(net);
  sqz_pool_free(pool);
  return 1;
}

/* Per channel, the average over pixels in double, and of the magnitudes. */
static void averages(const float *x, int pixels, int channels, double *mean, double *mag) {
  for (int c = 0; c < channels; c++) {
    double s = 0, a = 0;
    for (int p = 0; p < pixels; p++) s += x[(size_t)p * channels + c], a += fabs(x[(size_t)p * channels + c]);
    mean[c] = s / pixels, mag[c] = a / pixels;
  }
}

/* The model's layers up to and including layer `last`, then optionally a
 * 1x1 convolution without ReLU (head_cout > 0: weights, bias), then a
 * global average pool; the tensors are copied as they are encoded. */
static uint8_t *cut_model(const sqz_model_desc *d, int last, int head_cout, int head_cin, const float *weights,
                          const float *bias, size_t *size) {
  const int classes = head_cout > 0 ? head_cout : head_cin;
  char **names = malloc((size_t)classes * sizeof(char *));
  for (int i = 0; i < classes; i++) {
    names[i] = malloc(24);
    snprintf(names[i], 24, "class %d", i);
  }
  sqz_writer w;
  sqz_writer_init(&w);
  sqz_write_header(&w);
  sqz_write_meta(&w, d->name, &d->recipe);
  sqz_write_labels(&w, (const char *const *)names, (uint32_t)classes);
  sqz_write_section_begin(&w, "GRPH");
  sqz_write_u32(&w, (uint32_t)(last + 2 + (head_cout > 0)));
  for (int i = 0; i <= last; i++) {
    const sqz_layer_desc *l = &d->layers[i];
    sqz_write_op(&w, l->op);
    const sqz_conv_desc *convs[3] = {NULL};
    if (l->op == SQZ_OP_CONV) {
      const sqz_conv_desc *c = &l->conv;
      sqz_write_u16(&w, (uint16_t)c->cout), sqz_write_u8(&w, (uint8_t)c->kh), sqz_write_u8(&w, (uint8_t)c->kw);
      sqz_write_u8(&w, (uint8_t)c->stride), sqz_write_u8(&w, (uint8_t)c->pad), sqz_write_u8(&w, (uint8_t)c->relu);
      sqz_write_u8(&w, 0);
      convs[0] = c;
    } else if (l->op == SQZ_OP_MAXPOOL) {
      sqz_write_u8(&w, (uint8_t)l->pool_kernel), sqz_write_u8(&w, (uint8_t)l->pool_stride);
      sqz_write_u8(&w, (uint8_t)l->pool_pad), sqz_write_u8(&w, (uint8_t)l->pool_ceil);
    } else if (l->op == SQZ_OP_FIRE) {
      sqz_write_u16(&w, (uint16_t)l->squeeze.cout), sqz_write_u16(&w, (uint16_t)l->expand1.cout);
      sqz_write_u16(&w, (uint16_t)l->expand3.cout), sqz_write_u16(&w, 0);
      convs[0] = &l->squeeze, convs[1] = &l->expand1, convs[2] = &l->expand3;
    }
    for (int k = 0; k < 3 && convs[k]; k++) {
      const sqz_tensor_view *t[2] = {&convs[k]->weights, &convs[k]->bias};
      for (int j = 0; j < 2; j++) sqz_write_tensor_raw(&w, t[j]->encoding, t[j]->count, t[j]->data, t[j]->bytes);
    }
  }
  if (head_cout > 0) {
    sqz_write_op(&w, SQZ_OP_CONV);
    sqz_write_u16(&w, (uint16_t)head_cout);
    for (int i = 0; i < 4; i++) sqz_write_u8(&w, (uint8_t)(i < 3 ? 1 : 0)); /* 1x1, stride 1, pad 0 */
    sqz_write_u8(&w, 0), sqz_write_u8(&w, 0);                              /* no ReLU */
    sqz_write_tensor(&w, SQZ_ENC_F32, weights, (uint32_t)(head_cout * head_cin));
    sqz_write_tensor(&w, SQZ_ENC_F32, bias, (uint32_t)head_cout);
  }
  sqz_write_op(&w, SQZ_OP_GAP);
  sqz_write_section_end(&w);
  sqz_error err = {0, ""};
  CHECK(sqz_writer_finish(&w, &err) == SQZ_OK, "writing a cut model: %s", err.message);
  for (int i = 0; i < classes; i++) free(names[i]);
  free(names);
  *size = w.size;
  return w.data;
}

static int parse(const uint8_t *bytes, size_t size, sqz_model_desc *d, const char *what) {
  sqz_error err = {0, ""};
  int ok = bytes && sqz_model_parse(bytes, size, d, &err) == SQZ_OK;
  CHECK(ok, "%s: %s", what, err.message);
  return ok;
}

static int heads_checked, head_kinds_seen, quick;

/* Taught heads on the tap of `full` (this crop's run of the whole model). */
static void check_heads(const sqz_model_desc *d, int last_fire, const uint8_t *rgb, const outputs *full) {
  const int pixels = full->th * full->tw, cin = full->tc;
  double *mean = malloc((size_t)cin * sizeof(double)), *mag = malloc((size_t)cin * sizeof(double));
  averages(full->tap, pixels, cin, mean, mag);
  const struct {
    int cout;
    float zeros; /* share of zero weights */
  } heads[] = {{2, 0}, {10, 0}, {100, 0}, {100, 0.5f}};
  for (int h = 0; h < 4; h++) {
    const int cout = heads[h].cout;
    float *wt = malloc((size_t)cout * cin * sizeof(float)), *bias = malloc((size_t)cout * sizeof(float));
    for (int i = 0; i < cout * cin; i++) wt[i] = test_randf(0, 1) < heads[h].zeros ? 0.0f : test_randf(-0.1f, 0.1f);
    for (int i = 0; i < cout; i++) bias[i] = test_randf(-1, 1);
    size_t size;
    uint8_t *bytes = cut_model(d, last_fire, cout, cin, wt, bias, &size);
    sqz_model_desc *hd = malloc(sizeof *hd);
    char what[96];
    snprintf(what, sizeof what, "%s + head of %d", d->name, cout);
    if (parse(bytes, size, hd, what)) {
      for (int v = 0; v < VARIANTS; v++) {
        outputs one, two;
        if (!run(hd, &variants[v], 1, rgb, &one, what)) continue;
        double worst = 0;
        for (int n = 0; n < cout; n++) {
          double want = bias[n], scale = fabs(bias[n]);
          for (int c = 0; c < cin; c++) want += (double)wt[n * cin + c] * mean[c], scale += fabs(wt[n * cin + c]) * mag[c];
          worst = fmax(worst, fabs(one.logits[n] - want) / (scale + 1e-3));
        }
        CHECK(one.classes == cout && worst < 1e-5, "%s (%s, %s, head by %d): relative error %g from W·mean(tap) + b",
              what, variants[v].k->name, variants[v].policy->name, one.head_kind, worst);
        CHECK(v != 0 || memcmp(one.tap, full->tap, (size_t)pixels * cin * sizeof(float)) == 0,
              "%s: the tap differs from the whole model's", what);
        head_kinds_seen |= 1 << one.head_kind;
        if (v == 0 || v == VARIANTS - 1) { /* the default and the sparse paths on 2 threads */
          if (run(hd, &variants[v], 2, rgb, &two, what))
            CHECK(memcmp(one.logits, two.logits, (size_t)cout * sizeof(float)) == 0,
                  "%s (%s): logits on 2 threads differ from 1", what, variants[v].policy->name);
          outputs_free(&two);
        }
        if (v == 0) /* the default policy: spmm for the half-zero head of 100 (50 nonzeros per input), else panels */
          CHECK(one.head_kind == (heads[h].zeros > 0 ? SQZ_CONV_SPMM : SQZ_CONV_PANELS), "%s: head by path %d", what,
                one.head_kind);
        heads_checked++;
        outputs_free(&one);
      }
    }
    free(hd), free(bytes), free(wt), free(bias);
  }
  free(mean), free(mag);
}

static void check_model(const char *model) {
  size_t size;
  uint8_t *bytes = test_read_model(model, &size);
  sqz_model_desc *d = malloc(sizeof *d);
  if (!bytes || !parse(bytes, size, d, model)) {
    free(d), free(bytes);
    return;
  }
  int last_fire = -1;
  for (int i = 0; i < d->num_layers; i++)
    if (d->layers[i].op == SQZ_OP_FIRE) last_fire = i;
  CHECK(last_fire > 0, "%s: no fire module", model);
  size_t cut_size;
  uint8_t *cut_bytes = cut_model(d, last_fire, 0, d->layers[last_fire].expand1.cout + d->layers[last_fire].expand3.cout,
                                 NULL, NULL, &cut_size);
  sqz_model_desc *cut = malloc(sizeof *cut);
  const int cut_ok = parse(cut_bytes, cut_size, cut, "the model cut after its last fire");

  char dir[1024];
  snprintf(dir, sizeof dir, "%s/reference/%s", test_shared_dir(), model);
  DIR *dp = opendir(dir);
  CHECK(dp != NULL, "cannot open %s", dir);
  struct dirent *e;
  int crops = 0;
  const int want_crops = quick ? 1 : 2;
  while (dp && cut_ok && crops < want_crops && (e = readdir(dp))) {
    size_t n = strlen(e->d_name);
    if (n < 5 || strcmp(e->d_name + n - 4, ".ppm")) continue;
    char ppm[2048];
    snprintf(ppm, sizeof ppm, "%s/%s", dir, e->d_name);
    size_t psize;
    uint8_t *pbytes = test_read_file(ppm, &psize);
    int w, h, c;
    sqz_error err = {0, ""};
    uint8_t *rgb = pbytes ? sqz_decode_image(pbytes, psize, &w, &h, &c, &err) : NULL;
    CHECK(rgb && w == d->recipe.input_width && h == d->recipe.input_height && c == 3, "%s: %s", ppm, err.message);
    outputs full[3], trunc;
    int ran = rgb != NULL;
    for (int t = 0; t < 3 && ran; t++) ran = run(d, &variants[0], t + 1, rgb, &full[t], e->d_name);
    if (ran && run(cut, &variants[0], 1, rgb, &trunc, "cut model")) {
      const int pixels = full[0].th * full[0].tw, ch = full[0].tc, classes = full[0].classes;
      const size_t tap_bytes = (size_t)pixels * ch * sizeof(float);
      CHECK(full[0].th == 13 && full[0].tw == 13 && ch == 512, "%s: tap %dx%dx%d", model, full[0].th, full[0].tw, ch);
      for (int t = 1; t < 3; t++) {
        CHECK(memcmp(full[0].tap, full[t].tap, tap_bytes) == 0, "%s: tap on %d threads differs from 1", ppm, t + 1);
        CHECK(memcmp(full[0].maps, full[t].maps, (size_t)full[0].mh * full[0].mw * classes * sizeof(float)) == 0 &&
                  memcmp(full[0].logits, full[t].logits, (size_t)classes * sizeof(float)) == 0,
              "%s: class maps or logits on %d threads differ from 1", ppm, t + 1);
      }
      /* the tap averaged, in double, against the cut model's logits */
      double *mean = malloc((size_t)ch * sizeof(double)), *mag = malloc((size_t)ch * sizeof(double));
      averages(full[0].tap, pixels, ch, mean, mag);
      double worst = 0;
      for (int k = 0; k < ch; k++) worst = fmax(worst, fabs(trunc.logits[k] - mean[k]) / (mag[k] + 1e-6));
      CHECK(trunc.classes == ch && memcmp(trunc.tap, full[0].tap, tap_bytes) == 0 && worst < 1e-5,
            "%s: cut model: %d outputs, tap %s, relative error %g from the tap's averages", ppm, trunc.classes,
            memcmp(trunc.tap, full[0].tap, tap_bytes) ? "differs" : "same", worst);
      free(mean), free(mag);
      /* the class maps averaged, in double, against the logits */
      const int mp = full[0].mh * full[0].mw;
      mean = malloc((size_t)classes * sizeof(double)), mag = malloc((size_t)classes * sizeof(double));
      averages(full[0].maps, mp, classes, mean, mag);
      worst = 0;
      for (int k = 0; k < classes; k++) worst = fmax(worst, fabs(full[0].logits[k] - mean[k]) / (mag[k] + 1e-6));
      CHECK(classes == 1000 && mp >= 169 && worst < 1e-5, "%s: class maps %dx%d average to the logits within %g", ppm,
            full[0].mh, full[0].mw, worst);
      printf("%s %s: tap %dx%dx%d, class maps %dx%d, both as they should be\n", model, e->d_name, full[0].th,
             full[0].tw, ch, full[0].mh, full[0].mw);
      free(mean), free(mag);
      if (crops == 0 && (!quick || strcmp(model, "squeezenet1_1") == 0)) check_heads(d, last_fire, rgb, &full[0]);
      outputs_free(&trunc);
      crops++;
    }
    for (int t = 0; t < 3 && ran; t++) outputs_free(&full[t]);
    sqz_image_free(rgb);
    free(pbytes);
  }
  if (dp) closedir(dp);
  CHECK(crops == want_crops, "%s: %d golden crops checked", model, crops);
  free(cut), free(cut_bytes), free(d), free(bytes);
}

/* A tiny model whose input is its largest tensor and whose tap (the fire
 * output) the final pool reads: conv 3x3/2 (4) → fire(2, 3, 3) → pool. A
 * planner that let kept tensors share the input's memory would put the tap
 * where the next input goes. */
static void check_tiny(void) {
  static const sqz_recipe recipe = {29, 29, 0, SQZ_RESIZE_SHORTER, 32, 1.0f / 255, {0.5f, 0.4f, 0.3f}, {0.2f, 0.25f, 0.3f}};
  const int couts[4] = {4, 2, 3, 3}, cins[4] = {3, 4, 2, 2}, ks[4] = {3, 1, 1, 3};
  const char *labels[6] = {"a", "b", "c", "d", "e", "f"};
  sqz_writer w;
  sqz_writer_init(&w);
  sqz_write_header(&w);
  sqz_write_meta(&w, "tiny", &recipe);
  sqz_write_labels(&w, labels, 6);
  sqz_write_section_begin(&w, "GRPH");
  sqz_write_u32(&w, 3);
  for (int i = 0; i < 4; i++) {
    if (i == 0) {
      sqz_write_op(&w, SQZ_OP_CONV);
      sqz_write_u16(&w, 4), sqz_write_u8(&w, 3), sqz_write_u8(&w, 3), sqz_write_u8(&w, 2), sqz_write_u8(&w, 0);
      sqz_write_u8(&w, 1), sqz_write_u8(&w, 0);
    } else if (i == 1) {
      sqz_write_op(&w, SQZ_OP_FIRE);
      sqz_write_u16(&w, 2), sqz_write_u16(&w, 3), sqz_write_u16(&w, 3), sqz_write_u16(&w, 0);
    }
    const int n = couts[i] * cins[i] * ks[i] * ks[i];
    float wt[108], bias[4];
    for (int j = 0; j < n; j++) wt[j] = test_randf(-1, 1);
    for (int j = 0; j < couts[i]; j++) bias[j] = test_randf(-0.5f, 0.5f);
    sqz_write_tensor(&w, SQZ_ENC_F32, wt, (uint32_t)n);
    sqz_write_tensor(&w, SQZ_ENC_F32, bias, (uint32_t)couts[i]);
  }
  sqz_write_op(&w, SQZ_OP_GAP);
  sqz_write_section_end(&w);
  sqz_error err = {0, ""};
  CHECK(sqz_writer_finish(&w, &err) == SQZ_OK, "tiny model: %s", err.message);
  sqz_model_desc *d = malloc(sizeof *d);
  uint8_t rgb[29 * 29 * 3];
  for (size_t i = 0; i < sizeof rgb; i++) rgb[i] = (uint8_t)test_rand();
  outputs o;
  if (parse(w.data, w.size, d, "tiny model") && run(d, &variants[0], 1, rgb, &o, "tiny model")) {
    double mean[6], mag[6], worst = 0;
    averages(o.tap, o.th * o.tw, o.tc, mean, mag);
    for (int k = 0; k < 6; k++) worst = fmax(worst, fabs(o.logits[k] - mean[k]) / (mag[k] + 1e-6));
    CHECK(o.th == 14 && o.tc == 6 && o.mh == 14 && worst < 1e-5, "tiny model: tap %dx%dx%d, class maps %dx%d, error %g",
          o.th, o.tw, o.tc, o.mh, o.mw, worst);
    outputs_free(&o);
  }
  free(d);
  sqz_writer_free(&w);
}

int main(void) {
  quick = getenv("SQZ_TEST_QUICK") != NULL;
  check_tiny();
  check_model("squeezenet1_1");
  check_model("squeezenet1_0");
  CHECK(heads_checked == (quick ? 1 : 2) * 4 * VARIANTS, "%d taught heads checked", heads_checked);
  const int want = 1 << SQZ_CONV_GEMM | 1 << SQZ_CONV_PANELS | 1 << SQZ_CONV_SPMM;
  CHECK((head_kinds_seen & want) == want, "taught heads ran by paths 0x%x only", head_kinds_seen);
  printf("%d taught heads on every path\n", heads_checked);
  return test_finish("test_tap");
}

/* The public API (squeezenet.h): a model = its labels, recipe and planned
 * network, plus the results of its last classification. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "format/format.h"
#include "engine/model.h"
#include "preprocess/preprocess.h"

struct sqz_model {
  char name[SQZ_MAX_NAME + 1];
  sqz_recipe recipe;
  int num_classes;
  char *label_text;   /* all labels, NUL-separated: full then short for each */
  char **label_full;  /* num_classes pointers into label_text */
  char **label_short;
  sqz_network *net;
  sqz_pool *pool;     /* NULL: one thread */
  void *scratch;      /* preprocessing scratch, sized once: one per thread */
  size_t scratch_bytes; /* each thread's */
  const float *logits; /* inside the network, valid after a run */
  float *probabilities;
  int has_result;
  sqz_region region;  /* the picture's rectangle the last input's crop shows */
  size_t file_bytes, memory_bytes;
};

static sqz_status load_labels(sqz_model *m, const sqz_model_desc *d, sqz_error *err) {
  uint32_t n = d->num_labels;
  /* Each label stored once as "full\0short\0": at most twice its bytes. */
  m->label_text = malloc(2 * d->labels_bytes + 2 * (size_t)n + 1);
  m->label_full = malloc(n * sizeof(char *));
  m->label_short = malloc(n * sizeof(char *));
  if (!m->label_text || !m->label_full || !m->label_short)
    return sqz_fail(err, SQZ_ERR_MEMORY, "out of memory for %u labels", n);
  m->memory_bytes += 2 * d->labels_bytes + 2 * (size_t)n + 1 + 2 * n * sizeof(char *);
  const uint8_t *p = d->labels;
  char *out = m->label_text;
  for (uint32_t i = 0; i < n; i++) {
    size_t len = (size_t)p[0] | (size_t)p[1] << 8;
    const char *s = (const char *)p + 2;
    p += 2 + len;
    m->label_full[i] = out;
    memcpy(out, s, len);
    out[len] = 0;
    out += len + 1;
    /* "n01440764 tench, Tinca tinca" → "tench": skip the synset id if there
     * is one (a word starting with 'n' and digits), stop at the first comma. */
    const char *b = s, *e = s + len;
    if (len > 1 && s[0] == 'n' && s[1] >= '0' && s[1] <= '9') {
      const char *sp = memchr(s, ' ', len);
      if (sp) b = sp + 1;
    }
    const char *comma = memchr(b, ',', (size_t)(e - b));
    if (comma) e = comma;
    m->label_short[i] = out;
    memcpy(out, b, (size_t)(e - b));
    out[e - b] = 0;
    out += (e - b) + 1;
  }
  return SQZ_OK;
}

sqz_model *sqz_model_load(const void *data, size_t size, sqz_error *err) {
  return sqz_model_load_with_options(data, size, NULL, err);
}

sqz_model *sqz_model_load_with_options(const void *data, size_t size, const sqz_options *options,
                                       sqz_error *err) {
  int threads = options ? options->threads : 1;
  if (threads < 0 || threads > SQZ_MAX_THREADS) {
    sqz_fail(err, SQZ_ERR_ARGUMENT, "threads must be from 1 to %d, not %d", SQZ_MAX_THREADS, threads);
    return NULL;
  }
  if (!data || size == 0) {
    sqz_fail(err, SQZ_ERR_ARGUMENT, "model: no bytes given (empty file?)");
    return NULL;
  }
  sqz_model_desc *d = malloc(sizeof *d);
  sqz_model *m = calloc(1, sizeof *m);
  if (!d || !m) {
    free(d), free(m);
    sqz_fail(err, SQZ_ERR_MEMORY, "out of memory loading the model");
    return NULL;
  }
  sqz_status st = sqz_model_parse(data, size, d, err);
  if (st == SQZ_OK) {
    memcpy(m->name, d->name, sizeof m->name);
    m->recipe = d->recipe;
    m->file_bytes = size;
    m->memory_bytes = sizeof *m;
    st = load_labels(m, d, err);
  }
  if (st == SQZ_OK) st = sqz_network_create(d, NULL, NULL, &m->net, err);
  if (st == SQZ_OK && threads > 1) {
    m->pool = sqz_pool_create(threads, err);
    st = m->pool ? sqz_network_set_pool(m->net, m->pool, err) : SQZ_ERR_MEMORY;
  }
  if (st == SQZ_OK) {
    m->num_classes = sqz_network_num_classes(m->net);
    m->scratch_bytes = sqz_preprocess_scratch_bytes(&m->recipe);
    const size_t scratch = m->scratch_bytes * (size_t)sqz_pool_threads(m->pool);
    m->scratch = malloc(scratch ? scratch : 1);
    m->probabilities = malloc((size_t)m->num_classes * sizeof(float));
    if (!m->scratch || !m->probabilities) st = sqz_fail(err, SQZ_ERR_MEMORY, "out of memory loading the model");
    m->memory_bytes += scratch + (size_t)m->num_classes * sizeof(float) + sqz_network_memory_bytes(m->net);
  }
  free(d);
  if (st != SQZ_OK) {
    sqz_model_free(m);
    return NULL;
  }
  return m;
}

void sqz_model_free(sqz_model *m) {
  if (!m) return;
  sqz_network_free(m->net);
  sqz_pool_free(m->pool);
  free(m->label_text);
  free(m->label_full);
  free(m->label_short);
  free(m->scratch);
  free(m->probabilities);
  free(m);
}

sqz_model_info sqz_model_get_info(const sqz_model *m) {
  sqz_model_info info;
  memset(&info, 0, sizeof info);
  if (!m) return info;
  info.name = m->name;
  info.input_width = m->recipe.input_width;
  info.input_height = m->recipe.input_height;
  info.num_classes = m->num_classes;
  info.file_bytes = m->file_bytes;
  info.memory_bytes = m->memory_bytes;
  info.threads = sqz_pool_threads(m->pool);
  int channels = 0; /* set only with a tap, whose data is NULL until the first run */
  sqz_network_tap(m->net, NULL, NULL, &channels);
  info.embedding_size = channels;
  return info;
}

const char *sqz_model_label(const sqz_model *m, int i) {
  return m && i >= 0 && i < m->num_classes ? m->label_short[i] : NULL;
}
const char *sqz_model_label_full(const sqz_model *m, int i) {
  return m && i >= 0 && i < m->num_classes ? m->label_full[i] : NULL;
}

static void softmax(const float *x, float *y, int n) {
  float mx = x[0];
  for (int i = 1; i < n; i++) mx = x[i] > mx ? x[i] : mx;
  double sum = 0;
  for (int i = 0; i < n; i++) sum += (y[i] = expf(x[i] - mx));
  float inv = (float)(1.0 / sum);
  for (int i = 0; i < n; i++) y[i] *= inv;
}

sqz_network *sqz_model_network(sqz_model *m) { return m ? m->net : NULL; }
sqz_status sqz_model_activate(sqz_model *m, sqz_error *err) {
  return m ? sqz_network_activate(m->net, err) : sqz_fail(err, SQZ_ERR_ARGUMENT, "no model");
}
sqz_pool *sqz_model_pool(sqz_model *m) { return m ? m->pool : NULL; }

/* Preprocessing on threads: bands of input rows, each item one band with
 * its thread's scratch (the same floats as in one piece). */
typedef struct prepare_job {
  const sqz_model *m;
  const uint8_t *pixels;
  int width, height, channels, orientation, raw, bands;
  size_t stride;
  sqz_status status[2 * SQZ_MAX_THREADS];
} prepare_job;

static int band_row(const prepare_job *j, int band) {
  const int rows = j->m->recipe.input_height;
  return (int)((int64_t)rows * band / j->bands);
}

static void prepare_band(void *context, size_t i, int thread) {
  prepare_job *j = context;
  const sqz_model *m = j->m;
  j->status[i] = sqz_preprocess_rows(&m->recipe, j->pixels, j->width, j->height, j->channels, j->stride,
                                     j->orientation, j->raw, band_row(j, (int)i), band_row(j, (int)i + 1),
                                     (uint8_t *)m->scratch + (size_t)thread * m->scratch_bytes,
                                     sqz_network_input(m->net), NULL);
}

static sqz_status preprocess(sqz_model *m, const uint8_t *pixels, int width, int height, int channels,
                             size_t stride, int orientation, int raw, sqz_error *err) {
  const int threads = sqz_pool_threads(m->pool);
  prepare_job j = {m, pixels, width, height, channels, orientation, raw, 2 * threads, stride, {0}};
  if (threads > 1 && m->recipe.input_height >= j.bands) {
    sqz_pool_parallelize(m->pool, prepare_band, &j, (size_t)j.bands);
    int failed = 0;
    for (int i = 0; i < j.bands; i++) failed |= j.status[i] != SQZ_OK;
    if (!failed) return SQZ_OK;
  } /* one thread, or a failure: in one piece (then with its reason) */
  return sqz_preprocess_oriented(&m->recipe, pixels, width, height, channels, stride, orientation, raw, m->scratch,
                                 sqz_network_input(m->net), err);
}

/* Preprocessing into the network input, stored pixels turned upright by `orientation`. */
static sqz_status prepare_oriented(sqz_model *m, const uint8_t *pixels, int width, int height,
                                   sqz_pixel_format format, size_t stride, int orientation,
                                   unsigned flags, sqz_error *err) {
  if (!m) return sqz_fail(err, SQZ_ERR_ARGUMENT, "no model");
  m->has_result = 0;
  sqz_status st = sqz_network_activate(m->net, err);
  if (st) return st;
  const int raw = (flags & SQZ_INPUT_RAW) != 0;
  /* wake the workers now: they are spinning by the network's first step,
   * which lets them go again (network.c) */
  sqz_pool_hold(m->pool, 1);
  st = preprocess(m, pixels, width, height, (int)format, stride, orientation, raw, err);
  if (st == SQZ_OK) { /* orientations 5-8 swap the sides */
    m->region = orientation >= 5 ? sqz_crop_region(&m->recipe, height, width, raw)
                                 : sqz_crop_region(&m->recipe, width, height, raw);
  } else {
    sqz_pool_hold(m->pool, 0);
  }
  return st;
}

sqz_status sqz_model_prepare(sqz_model *m, const uint8_t *pixels, int width, int height,
                             sqz_pixel_format format, size_t stride, unsigned flags, sqz_error *err) {
  return prepare_oriented(m, pixels, width, height, format, stride, 1, flags, err);
}

static void run(sqz_model *m) {
  m->logits = sqz_network_run(m->net);
  softmax(m->logits, m->probabilities, m->num_classes);
  m->has_result = 1;
}

static const unsigned known_flags = SQZ_INPUT_RAW | SQZ_IGNORE_ORIENTATION;

/* Checks flags against `known`, then preprocesses pixels into the network input. */
static sqz_status prepare_pixels(sqz_model *m, const uint8_t *pixels, int width, int height,
                                 sqz_pixel_format format, size_t stride, unsigned flags,
                                 unsigned known, sqz_error *err) {
  if (!m) return sqz_fail(err, SQZ_ERR_ARGUMENT, "no model");
  m->has_result = 0; /* a failed call leaves no result to mistake for its own */
  if (flags & ~known) return sqz_fail(err, SQZ_ERR_ARGUMENT, "unknown flags 0x%x", flags);
  return prepare_oriented(m, pixels, width, height, format, stride, 1, flags, err);
}

/* The same for an encoded image, decoded and turned upright unless told not to. */
static sqz_status prepare_image(sqz_model *m, const void *bytes, size_t size, unsigned flags,
                                unsigned known, sqz_error *err) {
  if (!m) return sqz_fail(err, SQZ_ERR_ARGUMENT, "no model");
  m->has_result = 0;
  if (flags & ~known) return sqz_fail(err, SQZ_ERR_ARGUMENT, "unknown flags 0x%x", flags);
  /* the activations before the picture: they stay, so they take the lower memory */
  sqz_status st = sqz_network_activate(m->net, err);
  if (st) return st;
  sqz_picture pic;
  st = sqz_decode_picture(bytes, size, !(flags & SQZ_IGNORE_ORIENTATION), &pic, err);
  if (st) return st;
  st = prepare_oriented(m, pic.pixels, pic.stored_width, pic.stored_height,
                        (sqz_pixel_format)pic.channels, 0, pic.orientation, flags, err);
  sqz_picture_free(&pic);
  return st;
}

sqz_status sqz_classify_pixels(sqz_model *m, const uint8_t *pixels, int width, int height,
                               sqz_pixel_format format, size_t stride, unsigned flags,
                               sqz_error *err) {
  sqz_status st = prepare_pixels(m, pixels, width, height, format, stride, flags, known_flags, err);
  if (st) return st;
  run(m);
  return SQZ_OK;
}

sqz_status sqz_classify_image(sqz_model *m, const void *bytes, size_t size, unsigned flags,
                              sqz_error *err) {
  sqz_status st = prepare_image(m, bytes, size, flags, known_flags, err);
  if (st) return st;
  run(m);
  return SQZ_OK;
}

/* What an embedding needs, checked before any work: a tap and room for it. */
static sqz_status check_embed(sqz_model *m, const float *out, int cap, sqz_error *err) {
  if (!m) return sqz_fail(err, SQZ_ERR_ARGUMENT, "no model");
  m->has_result = 0;
  const int size = sqz_model_get_info(m).embedding_size;
  if (size == 0)
    return sqz_fail(err, SQZ_ERR_MODEL, "model: no fire module to take an embedding from");
  if (!out || cap < size)
    return sqz_fail(err, SQZ_ERR_ARGUMENT, "embedding: room for %d floats given, %d needed",
                    out ? cap : 0, size);
  return SQZ_OK;
}

/* Runs to the tap and pools it into out, scaled to unit length if asked (the
 * norm in double, summed in index order). */
static void embed(sqz_model *m, unsigned flags, float *out) {
  const int n = sqz_network_embed(m->net, out);
  if (!(flags & SQZ_UNIT_LENGTH)) return;
  double sum = 0;
  for (int i = 0; i < n; i++) sum += (double)out[i] * out[i];
  if (sum == 0) return;
  const double inv = 1.0 / sqrt(sum);
  for (int i = 0; i < n; i++) out[i] = (float)(out[i] * inv);
}

sqz_status sqz_embed_pixels(sqz_model *m, const uint8_t *pixels, int width, int height,
                            sqz_pixel_format format, size_t stride, unsigned flags, float *out,
                            int cap, sqz_error *err) {
  sqz_status st = check_embed(m, out, cap, err);
  if (st == SQZ_OK)
    st = prepare_pixels(m, pixels, width, height, format, stride, flags,
                        known_flags | SQZ_UNIT_LENGTH, err);
  if (st) return st;
  embed(m, flags, out);
  return SQZ_OK;
}

sqz_status sqz_embed_image(sqz_model *m, const void *bytes, size_t size, unsigned flags,
                           float *out, int cap, sqz_error *err) {
  sqz_status st = check_embed(m, out, cap, err);
  if (st == SQZ_OK) st = prepare_image(m, bytes, size, flags, known_flags | SQZ_UNIT_LENGTH, err);
  if (st) return st;
  embed(m, flags, out);
  return SQZ_OK;
}

const float *sqz_logits(const sqz_model *m) { return m && m->has_result ? m->logits : NULL; }

const float *sqz_probabilities(const sqz_model *m) {
  return m && m->has_result ? m->probabilities : NULL;
}

/* Checks one of a filter's lists and marks its classes in `marks`. */
static int mark_classes(const sqz_model *m, const char *what, const int *list, int count, uint8_t *marks,
                        sqz_error *err) {
  if (count < 0 || (count > 0 && !list))
    return sqz_fail(err, SQZ_ERR_ARGUMENT, "%s: %s", what, count < 0 ? "a negative count" : "NULL with a count"), -1;
  for (int i = 0; i < count; i++) {
    if (list[i] < 0 || list[i] >= m->num_classes)
      return sqz_fail(err, SQZ_ERR_ARGUMENT, "%s: class index %d is out of range (0 to %d)", what, list[i],
                      m->num_classes - 1), -1;
    marks[list[i] >> 3] |= (uint8_t)(1u << (list[i] & 7));
  }
  return 0;
}

int sqz_top_k_filtered(const sqz_model *m, int k, const sqz_filter *filter, sqz_prediction *out, sqz_error *err) {
  /* Which classes may be returned: a bit each (classes are channels, at most SQZ_MAX_CHANNELS). */
  uint8_t allowed[SQZ_MAX_CHANNELS / 8], denied[SQZ_MAX_CHANNELS / 8];
  float min_probability = 0;
  const int n_classes = m ? m->num_classes : 0;
  memset(denied, 0, sizeof denied);
  memset(allowed, 0xff, sizeof allowed);
  if (filter) {
    min_probability = filter->min_probability;
    if (!(min_probability >= 0 && min_probability <= 1)) /* NaN too */
      return sqz_fail(err, SQZ_ERR_ARGUMENT, "min_probability must be from 0 to 1, not %g", min_probability), -1;
    if (m && filter->num_allow != 0) memset(allowed, 0, sizeof allowed);
    if (m && (mark_classes(m, "allow", filter->allow, filter->num_allow, allowed, err) ||
              mark_classes(m, "deny", filter->deny, filter->num_deny, denied, err)))
      return -1;
  }
  if (!m || !m->has_result || !out || k <= 0) return 0;
  if (k > n_classes) k = n_classes;
  int n = 0;
  /* Insertion into a sorted list of k (k is small), ordered by logit, which
   * softmax's rounding cannot tie. Ties keep the lower index first. */
  const float *x = m->logits;
  for (int i = 0; i < n_classes; i++) {
    if (n == k && !(x[i] > x[out[n - 1].index])) continue;
    if (!(allowed[i >> 3] >> (i & 7) & 1) || (denied[i >> 3] >> (i & 7) & 1) ||
        m->probabilities[i] < min_probability)
      continue;
    int j = n < k ? n++ : k - 1;
    while (j > 0 && x[out[j - 1].index] < x[i]) {
      out[j] = out[j - 1];
      j--;
    }
    out[j].index = i;
  }
  for (int j = 0; j < n; j++) {
    out[j].probability = m->probabilities[out[j].index];
    out[j].label = m->label_short[out[j].index];
  }
  return n;
}

int sqz_top_k(const sqz_model *m, int k, sqz_prediction *out) { return sqz_top_k_filtered(m, k, NULL, out, NULL); }

int sqz_class_map(const sqz_model *m, int index, float *out, size_t capacity, sqz_heatmap_info *info) {
  if (!m || !m->has_result || index < 0 || index >= m->num_classes) return 0;
  int mh, mw, x0, y0, w, h;
  const float *maps = sqz_network_class_maps(m->net, &mh, &mw);
  sqz_network_class_map_grid(m->net, &x0, &y0, &w, &h);
  const size_t classes = (size_t)m->num_classes;
  if (info) {
    info->width = w, info->height = h;
    info->region = m->region;
    info->ring_cells = mh * mw - w * h;
    info->ring_value = 0;
    if (info->ring_cells) { /* a cell outside the grid: before its first or after its last */
      const size_t cell = x0 > 0 || y0 > 0 ? 0 : (size_t)mh * mw - 1;
      info->ring_value = maps[cell * classes + (size_t)index];
    }
  }
  if (out && capacity >= (size_t)w * h)
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) out[y * w + x] = maps[((size_t)(y0 + y) * mw + (x0 + x)) * classes + (size_t)index];
  return w * h;
}

/* Resize + centre crop, byte-identical to Pillow's
 *   img.convert('RGB').resize((W, H), Image.BILINEAR).crop(centre box)
 * (Pillow src/libImaging/Resample.c, 8 bits per channel), computing only the
 * pixels inside the crop.
 *
 * What Pillow does, reproduced here step by step:
 *  - precompute_coeffs: box = (0, 0, in, in) as floats, so
 *    scale = filterscale = (double)in / out, filterscale raised to 1 when
 *    upscaling; support = 1.0 * filterscale; for output index xx:
 *    center = (xx + 0.5) * scale, xmin = (int)(center - support + 0.5)
 *    clamped >= 0, xmax = (int)(center + support + 0.5) clamped <= in,
 *    w[x] = bilinear((x + xmin - center + 0.5) * (1 / filterscale)), each
 *    divided by their sum (when the sum is not zero). All in double.
 *  - normalize_coeffs_8bpc: k = (int)(0.5 + w * 2^22) (w - 0.5 when negative:
 *    round half away from zero), PRECISION_BITS = 32 - 8 - 2 = 22.
 *  - horizontal pass first, into an 8-bit image holding only the source rows
 *    the vertical pass reads (bounds of the first output row to the end of
 *    the last one), then the vertical pass; each sum starts at 1 << 21 and is
 *    clipped to 0..255 after >> 22 (clip8).
 *  - a pass is skipped when its dimension keeps its size (need_horizontal /
 *    need_vertical); Image.resize returns a copy when both do.
 * Each output pixel depends only on its own coefficients, so computing the
 * coefficients for the crop's columns and rows alone gives identical bytes.
 *
 * The horizontal pass is streamed through a ring of rows (as many rows as the
 * widest vertical filter), so the scratch memory is bounded by the recipe
 * alone, whatever the image's size or shape.
 *
 * Floating point must be evaluated exactly as written (IEEE double, no fused
 * multiply-add), like Pillow built for x86-64. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "preprocess/preprocess.h"

#define PRECISION_BITS (32 - 8 - 2)
#define SCRATCH_ALIGN 16

/* Shared with preprocess.c (not part of the public header). */
sqz_status sqz_recipe_check(const sqz_recipe *r, sqz_error *err);
sqz_status sqz_resized_size(const sqz_recipe *r, int width, int height, int *rw, int *rh,
                            sqz_error *err);
size_t sqz_resize_scratch_bytes(const sqz_recipe *r);

sqz_status sqz_recipe_check(const sqz_recipe *r, sqz_error *err) {
  if (!r) return sqz_fail(err, SQZ_ERR_ARGUMENT, "preprocess: the recipe is NULL");
  if (r->input_width <= 0 || r->input_height <= 0 || r->input_width > SQZ_MAX_IMAGE_SIDE ||
      r->input_height > SQZ_MAX_IMAGE_SIDE)
    return sqz_fail(err, SQZ_ERR_ARGUMENT,
                    "preprocess: recipe input size %d x %d is not within 1..%d", r->input_width,
                    r->input_height, SQZ_MAX_IMAGE_SIDE);
  if (r->resize_mode != SQZ_RESIZE_WARP && r->resize_mode != SQZ_RESIZE_SHORTER)
    return sqz_fail(err, SQZ_ERR_ARGUMENT, "preprocess: unknown resize mode %d",
                    (int)r->resize_mode);
  if (r->resize_size <= 0 || r->resize_size > SQZ_MAX_IMAGE_SIDE)
    return sqz_fail(err, SQZ_ERR_ARGUMENT, "preprocess: resize size %d is not within 1..%d",
                    r->resize_size, SQZ_MAX_IMAGE_SIDE);
  /* WARP: both sides become resize_size; SHORTER: the shorter one does and
   * the longer one is at least as long. Either way the crop must fit. */
  if (r->input_width > r->resize_size || r->input_height > r->resize_size)
    return sqz_fail(err, SQZ_ERR_ARGUMENT,
                    "preprocess: crop %d x %d is larger than the resize size %d",
                    r->input_width, r->input_height, r->resize_size);
  for (int c = 0; c < 3; c++) {
    if (!(r->std[c] != 0.0f) || !isfinite(r->std[c]) || !isfinite(r->mean[c]))
      return sqz_fail(err, SQZ_ERR_ARGUMENT,
                      "preprocess: recipe mean/std of channel %d must be finite, std non-zero", c);
  }
  if (!isfinite(r->scale))
    return sqz_fail(err, SQZ_ERR_ARGUMENT, "preprocess: recipe scale is not finite");
  return SQZ_OK;
}

/* Python's round(long * size / short): the quotient of two integers, rounded
 * half to even (Python 3 round). It is done in exact integer arithmetic; for
 * these magnitudes it equals round() of the correctly rounded double quotient
 * Python computes. (torchvision's own Resize truncates with int(); the
 * project's reference pipeline and documented recipe use round(), which the
 * reference crops in ../shared/reference confirm, e.g. 500 x 357 -> 358.54 ->
 * 359.) Exact ties (e.g. 513 x 512 -> 256.5 -> 256) go to the even number. */
static int round_long_side(int lng, int size, int shrt) {
  int64_t num = (int64_t)lng * size;
  int64_t q = num / shrt, rem = num % shrt;
  if (2 * rem > shrt || (2 * rem == shrt && (q & 1))) q++;
  return q > INT32_MAX ? INT32_MAX : (int)q;
}

sqz_status sqz_resized_size(const sqz_recipe *r, int width, int height, int *rw, int *rh,
                            sqz_error *err) {
  if (r->resize_mode == SQZ_RESIZE_WARP) {
    *rw = *rh = r->resize_size;
  } else if (width <= height) { /* torchvision: short, long = (w, h) if w <= h */
    *rw = r->resize_size;
    *rh = round_long_side(height, r->resize_size, width);
  } else {
    *rh = r->resize_size;
    *rw = round_long_side(width, r->resize_size, height);
  }
  (void)err;
  return SQZ_OK;
}

sqz_region sqz_crop_region(const sqz_recipe *r, int width, int height, int raw) {
  sqz_region region = {0, 0, (float)width, (float)height};
  if (raw || width <= 0 || height <= 0) return region;
  int rw, rh;
  sqz_resized_size(r, width, height, &rw, &rh, NULL);
  const double sx = (double)width / rw, sy = (double)height / rh;
  region.x = (float)((rw - r->input_width) / 2 * sx); /* the crop's origin, floor as sqz_resize_crop_u8 */
  region.y = (float)((rh - r->input_height) / 2 * sy);
  region.width = (float)(r->input_width * sx);
  region.height = (float)(r->input_height * sy);
  return region;
}

/* The most taps (source pixels) one output pixel can read, for any image
 * within the limits: 2 * support + 2 with support = max(1, in / out). In WARP
 * mode in / out <= SIDE / size; in SHORTER mode the short side gives
 * short / size and the long side long / round(long * size / short) <=
 * short / (size - 0.5) <= SIDE / (size - 0.5). */
static int max_taps(const sqz_recipe *r) {
  double s = (double)SQZ_MAX_IMAGE_SIDE / ((double)r->resize_size - 0.5);
  if (s < 1.0) s = 1.0;
  int t = (int)(2.0 * s) + 3;
  return t > SQZ_MAX_IMAGE_SIDE ? SQZ_MAX_IMAGE_SIDE : t;
}

static size_t align_up(size_t n) { return (n + SCRATCH_ALIGN - 1) & ~(size_t)(SCRATCH_ALIGN - 1); }

/* Layout: [row pointers][accumulators][horizontal bounds][horizontal
 * coefficients][vertical bounds][vertical coefficients][ring of rows], each aligned, plus slack to align
 * the start of a caller's buffer. */
static size_t layout(int cw, int ch, int taps_h, int taps_v, int ring_rows, size_t *off) {
  size_t o = 0;
  off[5] = o; o = align_up(o + (size_t)ring_rows * sizeof(uint8_t *));
  off[6] = o; o = align_up(o + (size_t)cw * 3 * sizeof(int32_t));
  off[0] = o; o = align_up(o + (size_t)cw * 2 * sizeof(int32_t));
  off[1] = o; o = align_up(o + (size_t)cw * taps_h * sizeof(int32_t));
  off[2] = o; o = align_up(o + (size_t)ch * 2 * sizeof(int32_t));
  off[3] = o; o = align_up(o + (size_t)ch * taps_v * sizeof(int32_t));
  off[4] = o; o = align_up(o + (size_t)ring_rows * cw * 3);
  return o + SCRATCH_ALIGN;
}

size_t sqz_resize_scratch_bytes(const sqz_recipe *r) {
  if (sqz_recipe_check(r, NULL) != SQZ_OK) return 0;
  size_t off[7];
  int t = max_taps(r);
  return layout(r->input_width, r->input_height, t, t, t, off);
}

static inline double bilinear_filter(double x) {
  if (x < 0.0) x = -x;
  if (x < 1.0) return 1.0 - x;
  return 0.0;
}

/* Pillow's precompute_coeffs + normalize_coeffs_8bpc for output indices
 * first .. first + count - 1 of a resize from in_size to out_size. bounds gets
 * (xmin, number of taps) per output; kk gets `taps` fixed-point weights per
 * output. Returns the largest number of taps used, or -1 if more than `taps`
 * would be needed (cannot happen within the limits). */
static int coeffs(int in_size, int out_size, int first, int count, int taps, int32_t *bounds,
                  int32_t *kk) {
  double scale, filterscale, support, ss;
  int widest = 0;
  /* box = (0, 0, in, in) in floats: in1 - in0 is an exact float here. */
  filterscale = scale = (double)((float)in_size - 0.0f) / out_size;
  if (filterscale < 1.0) filterscale = 1.0;
  support = 1.0 * filterscale;
  ss = 1.0 / filterscale;
  for (int i = 0; i < count; i++) {
    int xx = first + i;
    double center = 0.0 + (xx + 0.5) * scale;
    double ww = 0.0;
    int xmin = (int)(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = (int)(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    if (xmax > taps) return -1;
    for (int x = 0; x < xmax; x++) ww += bilinear_filter((x + xmin - center + 0.5) * ss);
    /* The same weights again (same expression, same bits), normalised. */
    int32_t *k = kk + (size_t)i * taps;
    for (int x = 0; x < xmax; x++) {
      double v = bilinear_filter((x + xmin - center + 0.5) * ss);
      if (ww != 0.0) v /= ww;
      k[x] = v < 0 ? (int32_t)(-0.5 + v * (1 << PRECISION_BITS))
                   : (int32_t)(0.5 + v * (1 << PRECISION_BITS));
    }
    bounds[2 * i] = xmin;
    bounds[2 * i + 1] = xmax;
    if (xmax > widest) widest = xmax;
  }
  return widest;
}

static inline uint8_t clip8(int32_t v) {
  v >>= PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v;
}

/* One source row through the horizontal pass (or the plain column crop when
 * the width is unchanged), converted to RGB: cw × 3 bytes. The row's pixels
 * are `xs` bytes apart (either sign: see sqz_oriented). */
static void horizontal_row(const uint8_t *src, ptrdiff_t xs, int channels, int need_h, int ox,
                           int cw, int taps, const int32_t *hb, const int32_t *hk,
                           uint8_t *dst) {
  const int go = channels >= 3 ? 1 : 0, bo = channels >= 3 ? 2 : 0;
  if (!need_h) {
    const uint8_t *p = src + ox * xs;
    for (int i = 0; i < cw; i++, p += xs) {
      dst[3 * i] = p[0];
      dst[3 * i + 1] = p[go];
      dst[3 * i + 2] = p[bo];
    }
    return;
  }
  for (int i = 0; i < cw; i++) {
    const int32_t *k = hk + (size_t)i * taps;
    int n = hb[2 * i + 1];
    const uint8_t *p = src + hb[2 * i] * xs;
    int32_t s0 = 1 << (PRECISION_BITS - 1), s1 = s0, s2 = s0;
    if (channels < 3) {
      for (int x = 0; x < n; x++, p += xs) s0 += p[0] * k[x];
      s1 = s2 = s0;
    } else {
      for (int x = 0; x < n; x++, p += xs) {
        s0 += p[0] * k[x];
        s1 += p[1] * k[x];
        s2 += p[2] * k[x];
      }
    }
    dst[3 * i] = clip8(s0);
    dst[3 * i + 1] = clip8(s1);
    dst[3 * i + 2] = clip8(s2);
  }
}

sqz_status sqz_resize_crop_u8(const sqz_recipe *recipe, const uint8_t *pixels, int width,
                              int height, int channels, size_t stride, void *scratch,
                              uint8_t *out_rgb, sqz_error *err) {
  return sqz_resize_crop_u8_oriented(recipe, pixels, width, height, channels, stride, 1, scratch,
                                     out_rgb, err);
}

sqz_status sqz_resize_crop_u8_oriented(const sqz_recipe *recipe, const uint8_t *pixels,
                                       int width, int height, int channels, size_t stride,
                                       int orientation, void *scratch, uint8_t *out_rgb,
                                       sqz_error *err) {
  return sqz_resize_crop_u8_rows(recipe, pixels, width, height, channels, stride, orientation, 0,
                                 recipe ? recipe->input_height : 0, scratch, out_rgb, err);
}

sqz_status sqz_resize_crop_u8_rows(const sqz_recipe *recipe, const uint8_t *pixels, int width,
                                   int height, int channels, size_t stride, int orientation,
                                   int row0, int row1, void *scratch, uint8_t *out_rgb,
                                   sqz_error *err) {
  sqz_status st = sqz_recipe_check(recipe, err);
  if (st != SQZ_OK) return st;
  if (!pixels) return sqz_fail(err, SQZ_ERR_ARGUMENT, "resize: pixels is NULL");
  if (!out_rgb) return sqz_fail(err, SQZ_ERR_ARGUMENT, "resize: the output buffer is NULL");
  if (width <= 0 || height <= 0)
    return sqz_fail(err, SQZ_ERR_ARGUMENT, "resize: image size %d x %d is not positive", width,
                    height);
  if (width > SQZ_MAX_IMAGE_SIDE || height > SQZ_MAX_IMAGE_SIDE ||
      (uint64_t)width * (uint64_t)height > SQZ_MAX_IMAGE_PIXELS)
    return sqz_fail(err, SQZ_ERR_LIMIT,
                    "resize: image %d x %d exceeds the limits (%d per side, %u pixels)", width,
                    height, SQZ_MAX_IMAGE_SIDE, (unsigned)SQZ_MAX_IMAGE_PIXELS);
  if (channels < 1 || channels > 4)
    return sqz_fail(err, SQZ_ERR_ARGUMENT, "resize: %d channels per pixel (must be 1 to 4)",
                    channels);
  if (stride == 0) stride = (size_t)width * channels;
  if (stride < (size_t)width * channels)
    return sqz_fail(err, SQZ_ERR_ARGUMENT,
                    "resize: row stride %zu is less than width %d x %d channels", stride, width,
                    channels);
  /* From here on, the picture upright: width x height are its sides. */
  sqz_oriented view;
  st = sqz_orient(pixels, width, height, channels, stride, orientation, &view, err);
  if (st != SQZ_OK) return st;
  width = view.width, height = view.height;

  const int cw = recipe->input_width, ch = recipe->input_height;
  if (row0 < 0 || row1 > ch || row0 >= row1)
    return sqz_fail(err, SQZ_ERR_ARGUMENT, "resize: rows %d to %d are not within the crop's %d",
                    row0, row1, ch);
  int rw, rh;
  sqz_resized_size(recipe, width, height, &rw, &rh, err);
  const int ox = (rw - cw) / 2, oy = (rh - ch) / 2; /* floor: both are >= 0 */
  const int need_h = rw != width, need_v = rh != height;
  const int taps = max_taps(recipe);

  size_t off[7];
  size_t bytes = layout(cw, ch, taps, taps, taps, off);
  uint8_t *mem = scratch, *owned = NULL;
  if (!mem) {
    owned = mem = malloc(bytes);
    if (!mem)
      return sqz_fail(err, SQZ_ERR_MEMORY, "resize: cannot allocate %zu bytes of scratch", bytes);
  }
  uint8_t *base = mem + ((SCRATCH_ALIGN - ((uintptr_t)mem % SCRATCH_ALIGN)) % SCRATCH_ALIGN);
  int32_t *hb = (int32_t *)(base + off[0]), *hk = (int32_t *)(base + off[1]);
  int32_t *vb = (int32_t *)(base + off[2]), *vk = (int32_t *)(base + off[3]);
  uint8_t *ring = base + off[4];
  const uint8_t **rows = (const uint8_t **)(void *)(base + off[5]);
  int32_t *acc = (int32_t *)(base + off[6]);
  const size_t row_bytes = (size_t)cw * 3;

  /* Rows row0 .. row1 - 1 alone: their vertical coefficients at their own
   * places (each output row's depend on its index alone), the horizontal
   * pass over the source rows they read (a band's first rows may be a
   * neighbour band's last: computed by both, the same bytes). */
  if (need_h && coeffs(width, rw, ox, cw, taps, hb, hk) < 0) goto internal;
  if (need_v) {
    if (coeffs(height, rh, oy + row0, row1 - row0, taps, vb + 2 * row0, vk + (size_t)row0 * taps) < 0)
      goto internal;
  } else {
    for (int j = row0; j < row1; j++) vb[2 * j] = oy + j, vb[2 * j + 1] = 1;
  }

  /* Output row j reads source rows vb[2j] .. vb[2j] + vb[2j+1] - 1; both ends
   * never decrease with j and the window is at most `taps` rows, so a ring of
   * `taps` rows holds it. `next` is the next source row to produce. */
  int next = vb[2 * row0];
  for (int j = row0; j < row1; j++) {
    int y0 = vb[2 * j], n = vb[2 * j + 1];
    if (next < y0) next = y0;
    for (; next < y0 + n; next++)
      horizontal_row(view.origin + next * view.y_step, view.x_step, channels, need_h, ox, cw,
                     taps, hb, hk, ring + (size_t)(next % taps) * row_bytes);
    uint8_t *dst = out_rgb + (size_t)j * row_bytes;
    if (!need_v) {
      memcpy(dst, ring + (size_t)(y0 % taps) * row_bytes, row_bytes);
      continue;
    }
    const int32_t *k = vk + (size_t)j * taps;
    for (int y = 0; y < n; y++) rows[y] = ring + (size_t)((y0 + y) % taps) * row_bytes;
    for (size_t c = 0; c < row_bytes; c++) acc[c] = 1 << (PRECISION_BITS - 1);
    for (int y = 0; y < n; y++) {
      const uint8_t *row = rows[y];
      const int32_t ky = k[y];
      for (size_t c = 0; c < row_bytes; c++) acc[c] += row[c] * ky;
    }
    for (size_t c = 0; c < row_bytes; c++) dst[c] = clip8(acc[c]);
  }
  free(owned);
  return SQZ_OK;

internal:
  free(owned);
  return sqz_fail(err, SQZ_ERR_MEMORY, "resize: filter wider than the scratch allows");
}

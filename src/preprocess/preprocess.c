/* sqz_preprocess: resize + centre crop (resize.c), then channel order and
 * normalisation into NHWC floats. */
#include <stdlib.h>

#include "preprocess/preprocess.h"

/* From resize.c (internal to the preprocessing layer). */
sqz_status sqz_recipe_check(const sqz_recipe *r, sqz_error *err);
size_t sqz_resize_scratch_bytes(const sqz_recipe *r);

static size_t crop_bytes(const sqz_recipe *r) {
  return (size_t)r->input_width * r->input_height * 3;
}

/* Scratch layout: [resize scratch][the 8-bit RGB crop]. sqz_resize_crop_u8
 * needs only the first part, so the whole is enough for it too. */
size_t sqz_preprocess_scratch_bytes(const sqz_recipe *recipe) {
  size_t rs = sqz_resize_scratch_bytes(recipe);
  if (!rs) return 0;
  return rs + crop_bytes(recipe);
}

/* value = (pixel * scale - mean[c]) / std[c], once per channel and byte value
 * (the same float arithmetic as per pixel, so the same results). */
static void make_tables(const sqz_recipe *r, float lut[3][256]) {
  for (int c = 0; c < 3; c++)
    for (int v = 0; v < 256; v++) lut[c][v] = ((float)v * r->scale - r->mean[c]) / r->std[c];
}

/* Rows [row0, row1) of RGB (or gray / gray+alpha / RGBA, alpha dropped)
 * pixels, seen through `view`, to NHWC floats. */
static void normalise(const sqz_recipe *r, const sqz_oriented *view, int row0, int row1, float *out) {
  float lut[3][256];
  make_tables(r, lut);
  const int w = view->width, channels = view->channels;
  const int go = channels >= 3 ? 1 : 0, bo = channels >= 3 ? 2 : 0;
  /* Output slot 0 takes R (or B when bgr), slot 2 the other: their tables
   * and byte offsets chosen once (indexing a pixel's 3 bytes by a variable
   * put them on the stack each pixel) */
  const float *lut0 = lut[r->bgr ? 2 : 0], *lut1 = lut[1], *lut2 = lut[r->bgr ? 0 : 2];
  const int at0 = r->bgr ? bo : 0, at2 = r->bgr ? 0 : bo;
  for (int y = row0; y < row1; y++) {
    const uint8_t *p = view->origin + y * view->y_step;
    float *o = out + (size_t)y * w * 3;
    for (int x = 0; x < w; x++, p += view->x_step, o += 3) {
      o[0] = lut0[p[at0]];
      o[1] = lut1[p[go]];
      o[2] = lut2[p[at2]];
    }
  }
}

sqz_status sqz_preprocess(const sqz_recipe *recipe, const uint8_t *pixels, int width,
                          int height, int channels, size_t stride, int raw, void *scratch,
                          float *out, sqz_error *err) {
  return sqz_preprocess_oriented(recipe, pixels, width, height, channels, stride, 1, raw, scratch,
                                 out, err);
}

sqz_status sqz_preprocess_oriented(const sqz_recipe *recipe, const uint8_t *pixels, int width,
                                   int height, int channels, size_t stride, int orientation,
                                   int raw, void *scratch, float *out, sqz_error *err) {
  return sqz_preprocess_rows(recipe, pixels, width, height, channels, stride, orientation, raw, 0,
                             recipe ? recipe->input_height : 0, scratch, out, err);
}

sqz_status sqz_preprocess_rows(const sqz_recipe *recipe, const uint8_t *pixels, int width,
                               int height, int channels, size_t stride, int orientation, int raw,
                               int row0, int row1, void *scratch, float *out, sqz_error *err) {
  sqz_status st = sqz_recipe_check(recipe, err);
  if (st != SQZ_OK) return st;
  if (!pixels) return sqz_fail(err, SQZ_ERR_ARGUMENT, "preprocess: pixels is NULL");
  if (!out) return sqz_fail(err, SQZ_ERR_ARGUMENT, "preprocess: the output buffer is NULL");
  if (width <= 0 || height <= 0)
    return sqz_fail(err, SQZ_ERR_ARGUMENT, "preprocess: image size %d x %d is not positive",
                    width, height);
  if (width > SQZ_MAX_IMAGE_SIDE || height > SQZ_MAX_IMAGE_SIDE ||
      (uint64_t)width * (uint64_t)height > SQZ_MAX_IMAGE_PIXELS)
    return sqz_fail(err, SQZ_ERR_LIMIT,
                    "preprocess: image %d x %d exceeds the limits (%d per side, %u pixels)",
                    width, height, SQZ_MAX_IMAGE_SIDE, (unsigned)SQZ_MAX_IMAGE_PIXELS);
  if (channels < 1 || channels > 4)
    return sqz_fail(err, SQZ_ERR_ARGUMENT,
                    "preprocess: %d channels per pixel (must be 1 to 4)", channels);
  if (stride == 0) stride = (size_t)width * channels;
  if (stride < (size_t)width * channels)
    return sqz_fail(err, SQZ_ERR_ARGUMENT,
                    "preprocess: row stride %zu is less than width %d x %d channels", stride,
                    width, channels);

  const int cw = recipe->input_width, ch = recipe->input_height;
  if (row0 < 0 || row1 > ch || row0 >= row1)
    return sqz_fail(err, SQZ_ERR_ARGUMENT, "preprocess: rows %d to %d are not within the input's %d",
                    row0, row1, ch);
  if (raw) {
    sqz_oriented view;
    st = sqz_orient(pixels, width, height, channels, stride, orientation, &view, err);
    if (st != SQZ_OK) return st;
    if (view.width != cw || view.height != ch)
      return sqz_fail(err, SQZ_ERR_ARGUMENT,
                      "preprocess: raw input is %d x %d but the network input is %d x %d",
                      view.width, view.height, cw, ch);
    normalise(recipe, &view, row0, row1, out);
    return SQZ_OK;
  }

  size_t total = sqz_preprocess_scratch_bytes(recipe);
  uint8_t *mem = scratch, *owned = NULL;
  if (!mem) {
    owned = mem = malloc(total);
    if (!mem)
      return sqz_fail(err, SQZ_ERR_MEMORY, "preprocess: cannot allocate %zu bytes of scratch",
                      total);
  }
  uint8_t *crop = mem + (total - crop_bytes(recipe));
  st = sqz_resize_crop_u8_rows(recipe, pixels, width, height, channels, stride, orientation, row0,
                               row1, mem, crop, err);
  if (st == SQZ_OK) {
    sqz_oriented view;
    sqz_orient(crop, cw, ch, 3, (size_t)cw * 3, 1, &view, NULL);
    normalise(recipe, &view, row0, row1, out);
  }
  free(owned);
  return st;
}

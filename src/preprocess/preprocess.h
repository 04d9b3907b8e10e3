/* Preprocessing: from 8-bit pixels of any size to the network input, by the
 * model's recipe, reproducing the reference pipelines exactly (PIL's
 * antialiased BILINEAR resize in its 8-bit fixed-point form, centre crop,
 * channel order, normalisation). Never the browser's canvas scaling. */
#ifndef SQZ_PREPROCESS_H
#define SQZ_PREPROCESS_H
#include <stddef.h>
#include <stdint.h>
#include "squeezenet.h"
#include "common/error.h"

typedef enum sqz_resize_mode {
  SQZ_RESIZE_WARP = 0,    /* to resize_size × resize_size, aspect not kept (Caffe) */
  SQZ_RESIZE_SHORTER = 1  /* shorter side to resize_size, longer round(long*size/short) (torchvision) */
} sqz_resize_mode;

typedef struct sqz_recipe {
  int input_width, input_height; /* the centre crop = network input */
  int bgr;                       /* 1: network wants B,G,R; 0: R,G,B */
  sqz_resize_mode resize_mode;
  int resize_size;               /* 256 */
  float scale;                   /* value = (pixel * scale - mean[c]) / std[c] */
  float mean[3];                 /* R, G, B order */
  float std[3];                  /* R, G, B order */
} sqz_recipe;

/* The stored pixels seen upright (see orientation.c): upright pixel (x, y)
 * is at origin + x * x_step + y * y_step. width × height is the upright size. */
typedef struct sqz_oriented {
  const uint8_t *origin;
  ptrdiff_t x_step, y_step; /* bytes, either sign */
  int width, height, channels;
} sqz_oriented;

/* The view of width × height stored pixels (`channels` bytes each, rows
 * `stride` bytes apart, all checked by the caller) in EXIF orientation 1-8
 * (anything else: SQZ_ERR_ARGUMENT). */
sqz_status sqz_orient(const uint8_t *pixels, int width, int height, int channels, size_t stride,
                      int orientation, sqz_oriented *view, sqz_error *err);

/* Writes input_height × input_width × 3 floats (NHWC, the recipe's channel
 * order) to out. pixels: width × height, `channels` 1 (gray), 2 (gray+alpha),
 * 3 (RGB) or 4 (RGBA) bytes each, rows `stride` bytes apart (0 = packed).
 * Alpha is dropped (as PIL's convert('RGB')), gray is replicated.
 * With raw != 0 the pixels must already be exactly the crop size: only
 * channel order and normalisation apply.
 * scratch: sqz_preprocess_scratch_bytes(recipe) bytes, or NULL to let the
 * function allocate (and free) what it needs. */
size_t sqz_preprocess_scratch_bytes(const sqz_recipe *recipe);
sqz_status sqz_preprocess(const sqz_recipe *recipe, const uint8_t *pixels, int width,
                          int height, int channels, size_t stride, int raw, void *scratch,
                          float *out, sqz_error *err);
/* The same for stored pixels to be turned upright first: width × height is
 * the stored size, `orientation` the EXIF orientation (1-8) that turns them
 * upright. Exactly sqz_preprocess of the turned picture. */
sqz_status sqz_preprocess_oriented(const sqz_recipe *recipe, const uint8_t *pixels, int width,
                                   int height, int channels, size_t stride, int orientation,
                                   int raw, void *scratch, float *out, sqz_error *err);
/* Rows [row0, row1) of the network input alone (out the whole input; those
 * rows written), the same floats as the whole: bands of rows may run on
 * threads at once, each with its own scratch (not NULL). */
sqz_status sqz_preprocess_rows(const sqz_recipe *recipe, const uint8_t *pixels, int width,
                               int height, int channels, size_t stride, int orientation, int raw,
                               int row0, int row1, void *scratch, float *out, sqz_error *err);

/* The resize + centre crop alone, 8-bit in and out (3 channels RGB out): the
 * exact pixels PIL would produce for resize then crop. Exposed for tests. */
sqz_status sqz_resize_crop_u8(const sqz_recipe *recipe, const uint8_t *pixels, int width,
                              int height, int channels, size_t stride, void *scratch,
                              uint8_t *out_rgb, sqz_error *err);
sqz_status sqz_resize_crop_u8_oriented(const sqz_recipe *recipe, const uint8_t *pixels,
                                       int width, int height, int channels, size_t stride,
                                       int orientation, void *scratch, uint8_t *out_rgb,
                                       sqz_error *err);

/* Rows [row0, row1) of the crop alone (out_rgb the whole crop; those rows
 * written): the same bytes as the whole, so bands of rows can run on
 * threads at once, each with its own scratch. */
sqz_status sqz_resize_crop_u8_rows(const sqz_recipe *recipe, const uint8_t *pixels, int width,
                                   int height, int channels, size_t stride, int orientation,
                                   int row0, int row1, void *scratch, uint8_t *out_rgb,
                                   sqz_error *err);

/* The rectangle of an upright width × height picture that the recipe's
 * resize + centre crop shows, in its pixels (the crop mapped back: PIL's
 * resize maps output pixel i to input [i, i + 1) × in / out); with raw, the
 * whole picture. The recipe must pass sqz_recipe_check. */
sqz_region sqz_crop_region(const sqz_recipe *recipe, int width, int height, int raw);

/* Decodes JPEG, PNG, BMP, GIF (first frame) or PNM with stb_image into 8-bit
 * pixels, keeping the stored channel count (1-4). Dimensions are checked
 * against SQZ_MAX_IMAGE_SIDE / SQZ_MAX_IMAGE_PIXELS from the header before
 * any pixel buffer is allocated. Free the result with sqz_image_free. */
uint8_t *sqz_decode_image(const void *bytes, size_t size, int *width, int *height,
                          int *channels, sqz_error *err);
void sqz_image_free(uint8_t *pixels);

/* A decoded picture: the stored pixels and the orientation that turns them
 * upright. width × height is the picture as it is shown (browsers, Pillow's
 * exif_transpose): the stored size, sides swapped for orientations 5-8. */
typedef struct sqz_picture {
  uint8_t *pixels;                 /* stored_width × stored_height × channels, packed */
  int stored_width, stored_height;
  int channels;                    /* 1-4 */
  int orientation;                 /* EXIF 1-8; 1: as stored */
  int width, height;               /* upright */
} sqz_picture;

/* sqz_decode_image, plus the EXIF orientation of a JPEG or PNG unless
 * apply_orientation is 0 (then 1). Free with sqz_picture_free. */
sqz_status sqz_decode_picture(const void *bytes, size_t size, int apply_orientation,
                              sqz_picture *picture, sqz_error *err);
void sqz_picture_free(sqz_picture *picture);
/* The picture as shown: width × height packed RGB pixels (gray replicated,
 * alpha dropped, as PIL's convert('RGB')) turned upright, into out
 * (width * height * 3 bytes). */
void sqz_picture_upright_rgb(const sqz_picture *picture, uint8_t *out);

/* The EXIF orientation (1-8) of a JPEG (APP1 "Exif") or PNG (eXIf chunk);
 * 1 for other formats, no tag, or anything malformed. Reads only inside
 * data[0 .. size). */
int sqz_exif_orientation(const uint8_t *data, size_t size);

#endif

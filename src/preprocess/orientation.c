/* The eight EXIF orientations as a view of the stored pixels: where the
 * upright picture's top-left pixel is stored, and how far (in bytes, either
 * sign) its right and lower neighbours are. Resizing reads through the view,
 * so turning a picture costs no copy and no memory; the values read are the
 * stored bytes, so the result is exactly that of the turned picture.
 *
 *   tag  stored -> upright (Pillow's exif_transpose)   upright (x, y) is stored at
 *    1   as is                                          (x, y)
 *    2   FLIP_LEFT_RIGHT                                (W-1-x, y)
 *    3   ROTATE_180                                     (W-1-x, H-1-y)
 *    4   FLIP_TOP_BOTTOM                                (x, H-1-y)
 *    5   TRANSPOSE                                      (y, x)
 *    6   ROTATE_270 (90 degrees clockwise)              (y, H-1-x)
 *    7   TRANSVERSE                                     (W-1-y, H-1-x)
 *    8   ROTATE_90 (90 degrees counter-clockwise)       (W-1-y, x)
 * with W x H the stored size; 5-8 swap the sides. */
#include "preprocess/preprocess.h"

sqz_status sqz_orient(const uint8_t *pixels, int width, int height, int channels, size_t stride,
                      int orientation, sqz_oriented *view, sqz_error *err) {
  if (orientation < 1 || orientation > 8)
    return sqz_fail(err, SQZ_ERR_ARGUMENT, "orientation %d is not an EXIF orientation (1 to 8)",
                    orientation);
  const ptrdiff_t px = channels, row = (ptrdiff_t)stride;
  const ptrdiff_t right = (ptrdiff_t)(width - 1) * px, bottom = (ptrdiff_t)(height - 1) * row;
  /* where upright (0, 0) is stored, and the steps along upright x and y */
  ptrdiff_t origin = 0, xs = px, ys = row;
  switch (orientation) {
    case 1: origin = 0, xs = px, ys = row; break;
    case 2: origin = right, xs = -px, ys = row; break;
    case 3: origin = right + bottom, xs = -px, ys = -row; break;
    case 4: origin = bottom, xs = px, ys = -row; break;
    case 5: origin = 0, xs = row, ys = px; break;
    case 6: origin = bottom, xs = -row, ys = px; break;
    case 7: origin = right + bottom, xs = -row, ys = -px; break;
    case 8: origin = right, xs = row, ys = -px; break;
  }
  view->origin = pixels + origin;
  view->x_step = xs;
  view->y_step = ys;
  view->width = orientation >= 5 ? height : width;
  view->height = orientation >= 5 ? width : height;
  view->channels = channels;
  return SQZ_OK;
}

void sqz_picture_upright_rgb(const sqz_picture *p, uint8_t *out) {
  sqz_oriented view;
  const int c = p->channels;
  if (sqz_orient(p->pixels, p->stored_width, p->stored_height, c, (size_t)p->stored_width * c, p->orientation, &view,
                 NULL) != SQZ_OK)
    return;
  for (int y = 0; y < view.height; y++) {
    const uint8_t *row = view.origin + y * view.y_step;
    for (int x = 0; x < view.width; x++, out += 3) {
      const uint8_t *px = row + x * view.x_step;
      out[0] = px[0];
      out[1] = px[c >= 3 ? 1 : 0];
      out[2] = px[c >= 3 ? 2 : 0];
    }
  }
}

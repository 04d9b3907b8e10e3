#define _DEFAULT_SOURCE
#include "tools/heatmap_png.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "preprocess/preprocess.h"
#include "tools/heatmap_colors.h"
#include "tools/report.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#include <stb_image_write.h>

static const double turbo_poly[3][6] = {{SQZ_TURBO_RED}, {SQZ_TURBO_GREEN}, {SQZ_TURBO_BLUE}};

static void turbo(double t, double rgb[3]) {
  for (int c = 0; c < 3; c++) {
    const double *k = turbo_poly[c];
    double v = k[0] + t * (k[1] + t * (k[2] + t * (k[3] + t * (k[4] + t * k[5]))));
    rgb[c] = round(255 * fmin(1, fmax(0, v)));
  }
}

int sqz_heatmap_png_path(const char *dir, const char *file, char *out, size_t cap) {
  size_t n = (size_t)snprintf(out, cap, "%s", dir);
  if (n >= cap) return 0;
  const char *p = file;
  while (*p) {
    while (*p == '/') p++;
    const char *end = strchr(p, '/');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len == 0) break;
    if (!(len == 1 && p[0] == '.')) {
      const int up = len == 2 && p[0] == '.' && p[1] == '.';
      n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "/%.*s", up ? 2 : (int)len, up ? "__" : p);
      if (n >= cap) return 0;
    }
    p += len;
  }
  n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, ".png");
  return n < cap;
}

void sqz_heatmap_overlay(uint8_t *rgb, int width, int height, const float *map, const sqz_heatmap_info *info) {
  const int gw = info->width, gh = info->height;
  float lo = map[0], hi = map[0];
  for (int i = 1; i < gw * gh; i++) lo = fminf(lo, map[i]), hi = fmaxf(hi, map[i]);
  const double span = hi > lo ? (double)hi - lo : 1;
  const sqz_region r = info->region;
  const double cell_w = r.width / gw, cell_h = r.height / gh;
  for (int y = 0; y < height; y++) {
    const double cy = y + 0.5; /* pixel centres */
    if (cy < r.y || cy >= r.y + r.height) continue;
    double v = (cy - r.y) / cell_h - 0.5; /* in cells, 0 at the first cell's centre */
    v = fmin(fmax(v, 0), gh - 1);
    const int y0 = (int)v, y1 = y0 + 1 < gh ? y0 + 1 : y0;
    const double fy = v - y0;
    for (int x = 0; x < width; x++) {
      const double cx = x + 0.5;
      if (cx < r.x || cx >= r.x + r.width) continue;
      double u = fmin(fmax((cx - r.x) / cell_w - 0.5, 0), gw - 1);
      const int x0 = (int)u, x1 = x0 + 1 < gw ? x0 + 1 : x0;
      const double fx = u - x0;
      const double m = (1 - fy) * ((1 - fx) * map[y0 * gw + x0] + fx * map[y0 * gw + x1]) +
                       fy * ((1 - fx) * map[y1 * gw + x0] + fx * map[y1 * gw + x1]);
      const double t = (m - lo) / span, alpha = SQZ_HEATMAP_ALPHA_LOW + (SQZ_HEATMAP_ALPHA_HIGH - SQZ_HEATMAP_ALPHA_LOW) * t;
      double colour[3];
      turbo(t, colour);
      uint8_t *px = rgb + ((size_t)y * width + x) * 3;
      for (int c = 0; c < 3; c++) px[c] = (uint8_t)lround((1 - alpha) * px[c] + alpha * colour[c]);
    }
  }
}

/* mkdir -p of the folders in path (not its last part). */
static int make_folders(const char *path, char *why, size_t cap) {
  char *copy = strdup(path);
  if (!copy) return snprintf(why, cap, "out of memory"), -1;
  for (char *p = strchr(copy + 1, '/'); p; p = strchr(p + 1, '/')) {
    *p = 0;
    if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
      char reason[64];
      snprintf(why, cap, "--heatmap: cannot create %s (%s)", copy, sqz_report_io_reason(NULL, errno, reason, sizeof reason));
      free(copy);
      return -1;
    }
    *p = '/';
  }
  free(copy);
  return 0;
}

/* stb's writer callback; a short write shows in ferror afterwards. */
static void write_to(void *file, void *data, int size) { fwrite(data, 1, (size_t)size, file); }

int sqz_heatmap_png_write(const sqz_model *model, int index, const void *bytes, size_t size, int ignore_orientation,
                          const char *path, char *why, size_t cap) {
  sqz_heatmap_info info;
  const int cells = sqz_class_map(model, index, NULL, 0, &info);
  if (cells <= 0) return snprintf(why, cap, "no heatmap for class %d", index), -1;
  sqz_error err = {SQZ_OK, ""};
  sqz_picture picture;
  if (sqz_decode_picture(bytes, size, !ignore_orientation, &picture, &err) != SQZ_OK)
    return snprintf(why, cap, "%s", err.message), -1;
  float *map = malloc((size_t)cells * sizeof *map);
  uint8_t *rgb = malloc((size_t)picture.width * picture.height * 3);
  int status = -1;
  if (!map || !rgb) {
    snprintf(why, cap, "out of memory for a %d x %d heatmap picture", picture.width, picture.height);
  } else if (make_folders(path, why, cap) == 0) {
    sqz_class_map(model, index, map, (size_t)cells, &info);
    sqz_picture_upright_rgb(&picture, rgb);
    sqz_heatmap_overlay(rgb, picture.width, picture.height, map, &info);
    FILE *f = fopen(path, "wb");
    char reason[64];
    if (!f) {
      snprintf(why, cap, "--heatmap: cannot write %s (%s)", path, sqz_report_io_reason(NULL, errno, reason, sizeof reason));
    } else {
      const int ok = stbi_write_png_to_func(write_to, f, picture.width, picture.height, 3, rgb, picture.width * 3);
      const int failed = ferror(f);
      if (fclose(f) != 0 || failed || !ok)
        snprintf(why, cap, "--heatmap: cannot write %s (%s)", path, sqz_report_io_reason(NULL, errno, reason, sizeof reason));
      else status = 0;
    }
  }
  free(map);
  free(rgb);
  sqz_picture_free(&picture);
  return status;
}

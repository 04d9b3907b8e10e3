/* `sqz classify --heatmap DIR`: for each picture a PNG of it, upright as it
 * is shown, with the top class's heatmap over it, in the colours the page
 * and the Node CLI use (heatmap_colors.h), interpolated bilinearly between
 * cell centres over the region the network saw. */
#ifndef SQZ_TOOLS_HEATMAP_PNG_H
#define SQZ_TOOLS_HEATMAP_PNG_H
#include <stddef.h>
#include <stdint.h>

#include "squeezenet.h"

/* Where the PNG of input `file` goes: DIR/PATH.png, PATH the input's path
 * with no leading '/', '.' parts dropped and '..' parts written '__', so
 * nothing lands outside DIR and no two inputs share a PNG. 0 if it does not
 * fit in cap. */
int sqz_heatmap_png_path(const char *dir, const char *file, char *out, size_t cap);

/* Lays `map` (info->width × info->height cells over info->region) over
 * width × height packed RGB pixels, in place. */
void sqz_heatmap_overlay(uint8_t *rgb, int width, int height, const float *map, const sqz_heatmap_info *info);

/* Decodes the image `bytes` again (turned upright by its EXIF orientation
 * unless ignore_orientation, as the classification was), lays class
 * `index`'s map of the model's last classification over it and writes it
 * to `path` as PNG, creating its folders. Returns 0, or -1 with the reason
 * in `why`. */
int sqz_heatmap_png_write(const sqz_model *model, int index, const void *bytes, size_t size, int ignore_orientation,
                          const char *path, char *why, size_t cap);

#endif

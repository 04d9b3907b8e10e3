/* The heatmaps' colour scale: turbo, Google's perceptual rainbow (Anton
 * Mikhailov's polynomial fit, Apache-2.0), over a map scaled from its lowest
 * cell (t = 0) to its highest (t = 1), each channel
 * c0 + c1 t + c2 t^2 + ... + c5 t^5 clamped to [0, 1], laid over the picture
 * with an opacity from ALPHA_LOW (t = 0) to ALPHA_HIGH (t = 1), so the
 * picture stays visible. The one definition: the native CLI's --heatmap PNGs
 * (heatmap_png.c) include it; the build writes it into dist/constants.js
 * (cmake/constants.cmake) for the page and the Node CLI (src/js/colormap.js). */
#ifndef SQZ_TOOLS_HEATMAP_COLORS_H
#define SQZ_TOOLS_HEATMAP_COLORS_H

#define SQZ_TURBO_RED 0.13572138, 4.6153926, -42.66032258, 132.13108234, -152.94239396, 59.28637943
#define SQZ_TURBO_GREEN 0.09140261, 2.19418839, 4.84296658, -14.18503333, 4.27729857, 2.82956604
#define SQZ_TURBO_BLUE 0.1066733, 12.64194608, -60.58204836, 110.36276771, -89.90310912, 27.34824973
#define SQZ_HEATMAP_ALPHA_LOW 0.1
#define SQZ_HEATMAP_ALPHA_HIGH 0.7

#endif

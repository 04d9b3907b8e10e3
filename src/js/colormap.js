// How a heatmap is shown over its picture, for the page (web/heatmap.js) and
// the Node CLI's --heatmap PNGs: turbo, Google's perceptual rainbow, over a
// map scaled from its lowest cell (0) to its highest (1), laid over the
// picture with more opacity where it is hotter so the picture stays visible.
// The numbers are src/tools/heatmap_colors.h's, which the native CLI draws
// with, brought here by the build (dist/constants.js).
import { HEATMAP_COLORS } from '../../dist/constants.js';

const { red: RED, green: GREEN, blue: BLUE } = HEATMAP_COLORS;

/** Opacity of the overlay at t = 0 and t = 1 (linear in between). */
export const { alphaLow: ALPHA_LOW, alphaHigh: ALPHA_HIGH } = HEATMAP_COLORS;

const channel = (c, t) => {
  const v = c[0] + t * (c[1] + t * (c[2] + t * (c[3] + t * (c[4] + t * c[5]))));
  return Math.round(255 * Math.min(1, Math.max(0, v)));
};

/** The colour of t in [0, 1] as [r, g, b], 0-255: dark blue, cyan, green, yellow, red. */
export function turbo(t) {
  const x = Math.min(1, Math.max(0, t));
  return [channel(RED, x), channel(GREEN, x), channel(BLUE, x)];
}

/** The overlay's opacity at t in [0, 1]. */
export const overlayAlpha = (t) => ALPHA_LOW + (ALPHA_HIGH - ALPHA_LOW) * Math.min(1, Math.max(0, t));

/** The map scaled to [0, 1] between its lowest and highest cell (all 0 if flat). */
export function normalize(data) {
  let lo = Infinity, hi = -Infinity;
  for (const v of data) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const span = hi - lo;
  return Float32Array.from(data, (v) => (span > 0 ? (v - lo) / span : 0));
}

/** The heatmap as RGBA pixels, one per cell ({ width, height, data }), each cell coloured with its opacity. */
export function heatmapPixels(heatmap) {
  const t = normalize(heatmap.data);
  const rgba = new Uint8ClampedArray(t.length * 4);
  t.forEach((v, i) => {
    rgba.set(turbo(v), i * 4);
    rgba[i * 4 + 3] = Math.round(255 * overlayAlpha(v));
  });
  return rgba;
}

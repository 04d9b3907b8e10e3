// The cost of heatmaps: the package's classify() on one thread, in this
// process, with `heatmaps: true` and without, alternating call by call on the
// same pixels (top 5, as the page asks: five maps copied out per call).
// Reports the medians and their ratio; the goal is at most 1.10.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const median = (x) => {
  const s = [...x].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

export async function benchHeatmaps({ root, model, rgba, width, height, runs, warmup }) {
  const { load } = await import(join(root, 'src/js/index.js'));
  const classifier = await load({ model: join(root, 'models', `${model}.sqz`), threads: 1 });
  const pixels = { data: rgba, width, height };
  const plain = [], mapped = [];
  const time = async (options, into) => {
    const t0 = performance.now();
    const predictions = await classifier.classify(pixels, options);
    into?.push(performance.now() - t0);
    return predictions;
  };
  for (let i = 0; i < warmup; i++) await time({ top: 5 }), await time({ top: 5, heatmaps: true });
  for (let i = 0; i < runs; i++) {
    // Alternate which goes first, so neither always follows the other.
    if (i % 2) await time({ top: 5 }, plain), await time({ top: 5, heatmaps: true }, mapped);
    else await time({ top: 5, heatmaps: true }, mapped), await time({ top: 5 }, plain);
  }
  const [check] = await time({ top: 5, heatmaps: true });
  classifier.dispose();
  if (!(check.heatmap?.data.length > 0)) throw new Error('classify gave no heatmap');
  return {
    plain_median_ms: median(plain),
    heatmaps_median_ms: median(mapped),
    ratio: median(mapped) / median(plain),
    grid: [check.heatmap.width, check.heatmap.height],
  };
}

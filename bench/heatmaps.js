// The cost of heatmaps: the package's classify() on one thread, in this
// process, with `heatmaps: true` and without, alternating call by call on the
// same pixels (top 5, as the page asks: five maps copied out per call).
// Reports the medians and their ratio (the goal is at most 1.10),
// and, since on a loaded machine that ratio is mostly noise, the time of
// what heatmaps add alone: reading five maps out of the engine after a
// classification (engine.classMap, 200 times), against a classification.
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

  const { createEngine, PixelFormat } = await import(join(root, 'src/js/engine.js'));
  const { readFileSync } = await import('node:fs');
  const engine = await createEngine(readFileSync(join(root, 'dist/squeezenet.wasm')));
  const handle = engine.loadModel(readFileSync(join(root, 'models', `${model}.sqz`)));
  engine.classifyPixels(handle, rgba, width, height, PixelFormat.RGBA);
  const top = engine.topK(handle, 5).map((p) => p.index);
  const reads = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    for (const index of top) engine.classMap(handle, index);
    reads.push(performance.now() - t0);
  }
  engine.freeModel(handle);
  return {
    plain_median_ms: median(plain),
    heatmaps_median_ms: median(mapped),
    ratio: median(mapped) / median(plain),
    five_maps_read_ms: median(reads),
    five_maps_read_share: median(reads) / median(plain),
    grid: [check.heatmap.width, check.heatmap.height],
  };
}

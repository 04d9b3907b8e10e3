// One job of the Node CLI: its own engine instance and model, reading,
// classifying and formatting one file at a time — run on the CLI's thread
// (--jobs 1) or in a worker thread (--jobs N), as the native CLI runs a
// thread per job.
import { open } from 'node:fs/promises';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createEngine } from './engine.js';
import { createThreadedEngine } from './threads.js';
import { Report } from './cli-report.js';
import { heatmapPngPath, writeHeatmapPng } from './cli-heatmap.js';

const MAX_IMAGE_BYTES = 2147483647; // what stb_image reads (an int), as src/preprocess/decode.c

const text = (...parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));

export class ClassifyJob {
  /**
   * setup: { wasm (squeezenet.wasm's Module), mtWasm (squeezenet-mt.wasm's, for threads > 1),
   * reportWasm (cli-report.wasm's), model (bytes), threads, flags (classifyImage's: { raw, ignoreOrientation }),
   * style: { kind, top, logits }, filter (topK's: { minProbability, allow, deny }), heatmaps (--heatmaps),
   * heatmapDir (--heatmap DIR, or null) }
   */
  static async create(setup) {
    const report = await Report.create(setup.reportWasm);
    const threaded = setup.threads > 1;
    const engine = threaded ? await createThreadedEngine(setup.mtWasm) : await createEngine(setup.wasm);
    const model = threaded ? await engine.loadModelThreaded(setup.model, setup.threads) : engine.loadModel(setup.model);
    return new ClassifyJob(engine, model, report, setup);
  }

  constructor(engine, model, report, { flags, style, filter, heatmaps = false, heatmapDir = null }) {
    this.engine = engine;
    this.model = model;
    this.report = report;
    this.flags = flags;
    this.style = style;
    this.filter = filter;
    this.heatmaps = heatmaps;
    this.heatmapDir = heatmapDir;
    this.info = engine.modelInfo(model);
    report.setLabels(this.info.labels);
  }

  /** One file (its path as bytes) → { bytes: its output, failed }. */
  async run(path) {
    const { style, engine, model, info } = this;
    let top;
    try {
      const image = await readImage(path, this.report);
      engine.classifyImage(model, image, this.flags);
      top = engine.topK(model, style.top, this.filter); // the filter was checked before the run
      if (this.heatmapDir && top.length) { // a PNG that cannot be written fails the file
        await writeHeatmapPng(engine, model, top[0].index, image, this.flags, heatmapPngPath(this.heatmapDir, path),
          this.report);
      }
    } catch (e) {
      return { bytes: this.report.error(this.style, path, e.bytes ?? e.message), failed: true };
    }
    if (this.heatmaps) for (const p of top) p.heatmap = engine.classMap(model, p.index);
    const logits = style.logits ? engine.logits(model, info.numClasses) : null;
    return { bytes: this.report.result(style, path, info.name, top, logits), failed: false };
  }

  dispose() {
    this.engine.freeModel(this.model);
  }
}

/** The whole file; throws an Error with the native CLI's words as `bytes`. */
async function readImage(path, report) {
  const fail = (what, e) => Object.assign(new Error(what), { bytes: text(path, `: ${what} (${report.ioReason(e.code)})`) });
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw fail('cannot open', e);
  }
  try {
    const st = await handle.stat();
    if (st.isFile() && st.size > MAX_IMAGE_BYTES) {
      throw Object.assign(new Error('too large'), { bytes: Buffer.from(`decode: ${st.size} bytes is more than stb_image can read`) });
    }
    return await handle.readFile();
  } catch (e) {
    if (e.bytes) throw e;
    throw fail('cannot read', e);
  } finally {
    await handle.close();
  }
}

// As a worker thread: { index, path } in, { index, bytes, failed } out, in order of arrival.
if (!isMainThread && workerData?.cliJob) {
  const ready = ClassifyJob.create(workerData.cliJob);
  ready.then(() => parentPort.postMessage({ type: 'ready' }),
    (e) => parentPort.postMessage({ type: 'error', message: e.message }));
  let queue = ready;
  parentPort.on('message', ({ index, path }) => {
    queue = queue.then(async (job) => {
      try {
        const { bytes, failed } = await job.run(Buffer.from(path));
        parentPort.postMessage({ type: 'result', index, bytes, failed }, [bytes.buffer]);
      } catch (e) {
        parentPort.postMessage({ type: 'error', message: e.message });
      }
      return job;
    }, () => {});
  });
}

// One job of the Node CLI: its own engine instance and model, reading,
// classifying (or embedding) and formatting one file at a time — run on the CLI's thread
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

/** The engine and model a job runs: its own instance, threaded for threads > 1. */
export async function engineFor(setup) {
  const threaded = setup.threads > 1;
  const engine = threaded ? await createThreadedEngine(setup.mtWasm) : await createEngine(setup.wasm);
  const model = threaded ? await engine.loadModelThreaded(setup.model, setup.threads) : engine.loadModel(setup.model);
  return { engine, model };
}

/** What every job holds: its engine and model, the report format, the run's flags and style. */
class Job {
  /**
   * setup: { command ('classify' | 'embed'), wasm (squeezenet.wasm's Module), mtWasm
   * (squeezenet-mt.wasm's, for threads > 1), reportWasm (cli-report.wasm's), model (bytes),
   * threads, flags (classifyImage's { raw, ignoreOrientation } or embedImage's
   * { unitLength, ignoreOrientation }), style: { kind, top, logits }; classify's: filter
   * (topK's: { minProbability, allow, deny }), heatmaps (--heatmaps), heatmapDir (--heatmap DIR, or null) }
   */
  static async create(setup) {
    const report = await Report.create(setup.reportWasm);
    const { engine, model } = await engineFor(setup);
    return new this(engine, model, report, setup);
  }

  constructor(engine, model, report, { flags, style }) {
    this.engine = engine;
    this.model = model;
    this.report = report;
    this.flags = flags;
    this.style = style;
    this.info = engine.modelInfo(model);
  }

  dispose() {
    this.engine.freeModel(this.model);
  }
}

export class ClassifyJob extends Job {
  constructor(engine, model, report, setup) {
    super(engine, model, report, setup);
    const { filter, heatmaps = false, heatmapDir = null } = setup;
    this.filter = filter;
    this.heatmaps = heatmaps;
    this.heatmapDir = heatmapDir;
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
}

export class EmbedJob extends Job {
  constructor(engine, model, report, setup) {
    super(engine, model, report, setup);
    if (engine.embeddingSize(model) === 0) {
      engine.freeModel(model);
      throw new Error('the model has no fire module to take an embedding from');
    }
  }

  /** One file (its path as bytes) → { bytes: its JSON line, failed }. */
  async run(path) {
    let embedding;
    try {
      embedding = this.engine.embedImage(this.model, await readImage(path, this.report), this.flags);
    } catch (e) {
      return { bytes: this.report.error(this.style, path, e.bytes ?? e.message), failed: true };
    }
    return { bytes: this.report.embedding(path, this.info.name, embedding), failed: false };
  }
}

/** A job of the kind `setup.command` names. */
export function createJob(setup) {
  return setup.command === 'embed' ? EmbedJob.create(setup) : ClassifyJob.create(setup);
}

/** The whole file; throws an Error with the native CLI's words as `bytes`. */
export async function readImage(path, report) {
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
  const ready = createJob(workerData.cliJob);
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

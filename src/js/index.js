// squeezenet-wasm: ImageNet classification on the device, in browsers and Node.
//
//   import { load } from 'squeezenet-wasm';
//   const classifier = await load();
//   const [best] = await classifier.classify(imageElementOrBytes);
//
// The .wasm and the models are found next to this module with
// new URL(..., import.meta.url), written literally so that bundlers (Vite,
// esbuild, webpack 5) copy them; wasmUrl/modelBaseUrl host them elsewhere.
// Only one .wasm is fetched: squeezenet-mt.wasm for threads, squeezenet.wasm
// for one, squeezenet-scalar.wasm where WebAssembly has no SIMD.
import { MODELS as SHIPPED_MODELS, MAX_THREADS } from '../../dist/constants.js';
import { Backend } from './backend.js';
import { createEngineSync } from './engine.js';
import { prepareInput } from './inputs.js';
import { OUTPUT_OPTIONS, outputOptions } from './outputs.js';
import { isNode, nodeBuiltin, baseUrl, simdSupported, startWorker } from './platform.js';
import { Learner } from './learner.js';
import { checkCallOptions, checkOrientation, describeValue } from './arguments.js';
import {
  threadsSupported, defaultThreads, startThreadWorkers, isThreadedModule, createThreadedEngineSync,
} from './threads.js';
import { readCached } from './cache.js';
import {
  SqueezeNetError, ArgumentError, ImageError, ModelError, FetchError, DisposedError, WorkerError,
  deserializeError,
} from './errors.js';

export { SqueezeNetError, ArgumentError, ImageError, ModelError, FetchError, DisposedError, WorkerError };

/** The models that ship with the package (CMakeLists.txt, SQZ_MODELS). 'default' is the
 * build's default model (models/default.sqz, CMake's SQZ_DEFAULT_MODEL): ≤ 1,000,000 bytes
 * and as accurate as its float model; today SqueezeNet v1.0 Deep Compression, lossless. */
export const MODELS = Object.freeze(SHIPPED_MODELS.map((m) => m.name));
export const DEFAULT_MODEL = 'default';

function defaultWasmUrl() {
  return new URL('../../dist/squeezenet.wasm', import.meta.url);
}

function defaultThreadsWasmUrl() {
  return new URL('../../dist/squeezenet-mt.wasm', import.meta.url);
}

function defaultScalarWasmUrl() {
  return new URL('../../dist/squeezenet-scalar.wasm', import.meta.url);
}

function toUrl(value, what) {
  if (value instanceof URL) return value;
  if (typeof value !== 'string' || value === '') {
    throw new ArgumentError(`${what} must be a URL or a string, not ${value === null ? 'null' : typeof value}`);
  }
  try {
    return new URL(value); // absolute
  } catch { /* relative: below */ }
  if (isNode) return new URL(value.split('/').map(encodeURIComponent).join('/'), baseUrl());
  return new URL(value, baseUrl());
}

/** fetch(url), or a FetchError saying why its answer is not the file. */
async function fetchOk(url) {
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new FetchError(`cannot fetch ${url.href}: ${e.message}`);
  }
  if (!response.ok) throw new FetchError(`cannot fetch ${url.href}: HTTP ${response.status} ${response.statusText}`.trim());
  // Dev servers answer a missing file with their index page and status 200.
  if ((response.headers.get('content-type') || '').startsWith('text/html')) {
    throw new FetchError(`cannot fetch ${url.href}: the server sent an HTML page, not the file (is it missing there?)`);
  }
  return response;
}

/** Reads a URL to bytes: file: with fs in Node, everything else with fetch (streamed for progress). */
async function readUrl(url, onProgress) {
  if (url.protocol === 'file:' && isNode) {
    const fs = await nodeBuiltin('fs/promises');
    let bytes;
    try {
      bytes = await fs.readFile(url);
    } catch (e) {
      throw new FetchError(`cannot read ${decodeURIComponent(url.pathname)}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
    }
    const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    onProgress?.(view.length, view.length);
    return view;
  }
  const response = await fetchOk(url);
  const total = Number(response.headers.get('content-length')) || 0;
  if (!onProgress || !response.body?.getReader) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onProgress?.(bytes.length, bytes.length);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks = [];
  let loaded = 0;
  onProgress(0, total);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    // A compressed response may stream more bytes than its Content-Length.
    onProgress(loaded, Math.max(total, loaded));
  }
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) { bytes.set(c, at); at += c.length; }
  if (total !== loaded) onProgress(loaded, loaded);
  return bytes;
}

const wasmModules = new Map(); // url → Promise<WebAssembly.Module>, compiled once per page/process

/** Reads a URL, through Cache Storage when `cache` (load's option) is on. */
function readAsset(url, kind, cache, onProgress) {
  return cache ? readCached(url, kind, readUrl, onProgress) : readUrl(url, onProgress);
}

function compileWasm(wasmUrl, cache) {
  const key = wasmUrl.href;
  if (!wasmModules.has(key)) {
    const compiling = (async () => {
      // Compiled while it downloads where the server says application/wasm
      // (and, in Chromium, its compiled code is then kept for the next visit).
      const streams = !cache && !(isNode && wasmUrl.protocol === 'file:') && typeof WebAssembly.compileStreaming === 'function';
      let source;
      if (streams) {
        const response = await fetchOk(wasmUrl);
        const type = response.headers.get('content-type')?.split(';')[0].trim();
        source = type === 'application/wasm' ? response : new Uint8Array(await response.arrayBuffer());
      } else {
        source = await readAsset(wasmUrl, 'wasm', cache);
      }
      try {
        return await (source instanceof Uint8Array ? WebAssembly.compile(source) : WebAssembly.compileStreaming(source));
      } catch (e) {
        throw new FetchError(`${wasmUrl.href} is not a usable WebAssembly module: ${e.message}`);
      }
    })();
    compiling.catch(() => wasmModules.delete(key)); // a failed fetch may be retried
    wasmModules.set(key, compiling);
  }
  return wasmModules.get(key);
}

async function resolveModelBytes(model, modelBaseUrl, onProgress, cache) {
  if (model instanceof ArrayBuffer) return new Uint8Array(model.slice(0));
  if (model instanceof Uint8Array) return model.slice();
  if (typeof model === 'string' && !model.includes('/') && !model.includes('.') && !model.includes(':')) {
    if (!MODELS.includes(model)) {
      throw new ArgumentError(`unknown model '${model}': use ${MODELS.map((m) => `'${m}'`).join(' or ')}, ` +
        `a URL of a .sqz file, or its bytes`);
    }
    const url = modelBaseUrl !== undefined
      ? new URL(`${model}.sqz`, toUrl(String(modelBaseUrl).replace(/\/?$/, '/'), 'modelBaseUrl'))
      : SHIPPED_MODELS.find((m) => m.name === model).url();
    return readAsset(url, 'model', cache, onProgress);
  }
  if (typeof model === 'string' || model instanceof URL) return readAsset(toUrl(model, 'model'), 'model', cache, onProgress);
  throw new ArgumentError(`model must be ${MODELS.map((m) => `'${m}'`).join(', ')}, a URL, an ArrayBuffer or a ` +
    `Uint8Array, not ${model === null ? 'null' : typeof model}`);
}

const LOAD_OPTIONS = ['model', 'wasmUrl', 'threadsWasmUrl', 'scalarWasmUrl', 'modelBaseUrl', 'onProgress', 'worker',
  'threads', 'simd', 'cache'];

function checkOptions(options) {
  if (options === null || typeof options !== 'object') {
    throw new ArgumentError(`load() takes an options object, not ${options === null ? 'null' : typeof options}`);
  }
  const unknown = Object.keys(options).filter((key) => !LOAD_OPTIONS.includes(key));
  if (unknown.length) {
    throw new ArgumentError(`unknown load() option '${unknown[0]}' (the options are ${LOAD_OPTIONS.join(', ')})`);
  }
  for (const key of ['worker', 'simd', 'cache']) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') {
      throw new ArgumentError(`${key} must be true or false, not ${options[key] === null ? 'null' : typeof options[key]}`);
    }
  }
  if (options.simd === true && !simdSupported()) {
    throw new ArgumentError('simd: true, but this WebAssembly has no SIMD (leave simd out to run the scalar engine)');
  }
  const { threads } = options;
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= MAX_THREADS)) {
    throw new ArgumentError(`threads must be a whole number from 1 to ${MAX_THREADS}, not ${
      typeof threads === 'number' ? threads : typeof threads}`);
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new ArgumentError('onProgress must be a function (loaded, total) => void');
  }
}

/**
 * Loads the engine and a model. Options: model ('default' by default,
 * 'squeezenet1_1', 'squeezenet1_0', a URL or .sqz bytes), wasmUrl,
 * threadsWasmUrl, scalarWasmUrl, modelBaseUrl, onProgress(loaded, total) for
 * the model download, worker (run off the main thread), threads (per
 * classification; by default 2 where threads can run: Node, or a cross-origin
 * isolated page; elsewhere, or if the threads cannot start, one: info.threads
 * tells), simd (false: the scalar engine even where WebAssembly has SIMD;
 * info.simd tells which runs), cache (keep the .wasm and the model in Cache
 * Storage; browsers only).
 */
export async function load(options = {}) {
  checkOptions(options);
  const {
    model = DEFAULT_MODEL, wasmUrl, threadsWasmUrl, scalarWasmUrl, modelBaseUrl, onProgress, worker = false, cache = false,
  } = options;
  // Without SIMD, squeezenet-scalar.wasm runs, on one thread.
  const simd = options.simd ?? simdSupported();
  // Threads need squeezenet-mt.wasm: next to the package, or hosted at threadsWasmUrl.
  const threadsHosted = threadsWasmUrl !== undefined || wasmUrl === undefined;
  const threads = simd && threadsHosted && threadsSupported() ? options.threads ?? defaultThreads() : 1;
  const url = (value, name, fallback) => (value !== undefined ? toUrl(value, name) : fallback());
  const wasmFor = (count) => compileWasm(count > 1 ? url(threadsWasmUrl, 'threadsWasmUrl', defaultThreadsWasmUrl)
    : simd ? url(wasmUrl, 'wasmUrl', defaultWasmUrl) : url(scalarWasmUrl, 'scalarWasmUrl', defaultScalarWasmUrl), cache);
  // The download, the compilation and the worker's start-up (its scripts,
  // and its threads' workers) all run at once: each waits for the others
  // only where it needs their result.
  const modelBytes = resolveModelBytes(model, modelBaseUrl, onProgress, cache);
  modelBytes.catch(() => {}); // awaited below; a failure is thrown from there
  const create = (wasm, count) => {
    const bytes = modelBytes.then((b) => b.slice()); // a worker takes its copy
    bytes.catch(() => {}); // awaited by the engine, which may fail first
    return worker ? WorkerEngine.create(wasm, bytes, count)
      : Promise.all([wasm, bytes]).then(([w, b]) => Backend.create(w, b, count));
  };
  const firstWasm = wasmFor(threads);
  let engine, wasm = firstWasm;
  try {
    engine = await create(firstWasm, threads);
  } catch (e) {
    await modelBytes; // a model that cannot be read fails the load, whatever the threads did
    if (threads === 1 || !(e instanceof WorkerError || e instanceof FetchError)) throw e;
    wasm = wasmFor(1);
    engine = await create(wasm, 1); // the threads could not start: one thread it is
  }
  return new Classifier(engine, await modelBytes, await wasm);
}

/** load() with worker: true: the engine runs in a Web Worker (browsers) or a worker thread (Node). */
export async function createWorkerClassifier(options = {}) {
  checkOptions(options);
  return load({ ...options, worker: true });
}

const CLASSIFY_OPTIONS = ['top', 'orientation', ...OUTPUT_OPTIONS];
const EMBED_OPTIONS = ['normalize', 'orientation'];

class Classifier {
  #engine;
  #info;
  #disposed = false;
  #queue = Promise.resolve();
  #modelBytes; // the .sqz loaded: the base of the models learners write
  #wasm;       // the compiled engine, for #helper()
  #helperEngine = null;
  #learning = null; // what learners use of this classifier

  constructor(engine, modelBytes, wasm) {
    this.#engine = engine;
    this.#modelBytes = modelBytes;
    this.#wasm = wasm;
    this.#info = Object.freeze({ ...engine.info, labels: Object.freeze(engine.info.labels.slice()) });
  }

  /**
   * The model's metadata: name, inputWidth, inputHeight, numClasses, labels,
   * byteSize, memoryBytes, threads, embeddingSize.
   */
  get info() {
    if (this.#disposed) throw new DisposedError();
    return this.#info;
  }

  /** Whether this classifier runs its engine in a worker. */
  get worker() {
    if (this.#disposed) throw new DisposedError();
    return this.#engine instanceof WorkerEngine;
  }

  /** Runs job(engine) after the calls before it (one at a time). */
  #run(job) {
    const run = this.#queue.then(() => {
      if (this.#disposed) throw new DisposedError();
      return job(this.#engine);
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  /**
   * The `top` best classes for `input`, best first, among those the output
   * controls let through (`minProbability`, `allow` and `deny` lists of labels
   * or class indices). `heatmaps: true` adds each one's class activation map.
   * Encoded images are turned upright by their EXIF orientation unless
   * `orientation: 'ignore'`. Calls are queued: one runs at a time.
   */
  async classify(input, options = {}) {
    if (this.#disposed) throw new DisposedError();
    checkCallOptions(options, CLASSIFY_OPTIONS, '{ top: 5 }', 'classify()');
    const { top = 5, orientation = 'apply' } = options;
    const n = this.#info.numClasses;
    if (!Number.isInteger(top) || top < 1 || top > n) {
      throw new ArgumentError(`top must be an integer from 1 to ${n}, not ${typeof top === 'number' ? top : typeof top}`);
    }
    checkOrientation(orientation);
    const { heatmaps, filter } = outputOptions(options, this.#info.labels);
    const prepared = await prepareInput(input);
    return this.#run((engine) => engine.classify(prepared.input, top,
      { ignoreOrientation: orientation === 'ignore', heatmaps, filter }, prepared.owned));
  }

  /**
   * The embedding of `input`: the global average of the network's last fire
   * module's output (info.embeddingSize values), a Float32Array of unit
   * length unless `normalize: false` (then the raw averages). Queued with
   * classify().
   */
  async embed(input, options = {}) {
    if (this.#disposed) throw new DisposedError();
    checkCallOptions(options, EMBED_OPTIONS, '{ normalize: false }', 'embed()');
    const { normalize = true, orientation = 'apply' } = options;
    if (typeof normalize !== 'boolean') {
      throw new ArgumentError(`normalize must be true or false, not ${describeValue(normalize)}`);
    }
    return this.#embed(input, orientation, normalize);
  }

  async #embed(input, orientation, unitLength) {
    checkOrientation(orientation);
    if (this.#info.embeddingSize === 0) throw new ModelError(`the model ${this.#info.name} has no embedding (no fire module)`);
    const prepared = await prepareInput(input);
    return this.#run((engine) =>
      engine.embed(prepared.input, { ignoreOrientation: orientation === 'ignore', unitLength }, prepared.owned));
  }

  /**
   * A learner: examples of your own classes, a head trained on them, a
   * taught model. With the bytes of a taught model (taught on this
   * classifier's network), it starts from that model's classes and head.
   */
  learner(model) {
    if (this.#disposed) throw new DisposedError();
    if (this.#info.embeddingSize === 0) throw new ModelError(`the model ${this.#info.name} has no embedding (no fire module) to learn from`);
    this.#learning ??= {
      base: this.#modelBytes,
      name: this.#info.name,
      embeddingSize: this.#info.embeddingSize,
      embed: (input, orientation = 'apply') => {
        if (this.#disposed) throw new DisposedError();
        return this.#embed(input, orientation, false);
      },
      train: (embeddings, labels, dim, classes) => {
        if (this.#disposed) throw new DisposedError();
        return this.#run((engine) => engine.train(embeddings, labels, dim, classes));
      },
      helper: () => {
        if (this.#disposed) throw new DisposedError();
        return this.#helper();
      },
    };
    return new Learner(this.#learning, model);
  }

  /**
   * An engine for small synchronous jobs (checking labels, reading and
   * writing taught models): the classifier's own in the same thread; beside
   * a worker, one more instance of the same compiled module, made when first
   * needed.
   */
  #helper() {
    if (this.#engine instanceof Backend) return this.#engine.engine;
    this.#helperEngine ??= isThreadedModule(this.#wasm) ? createThreadedEngineSync(this.#wasm) : createEngineSync(this.#wasm);
    return this.#helperEngine;
  }

  /** Frees the engine's memory (and ends its worker). Later calls throw DisposedError. */
  dispose() {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#engine.dispose();
    this.#engine = null;
    this.#helperEngine = null;
  }
}

/** The Backend's interface, run in a worker; requests are answered in order. */
class WorkerEngine {
  /** `wasm` and `modelBytes` may be promises: the worker and its threads' workers start meanwhile. */
  static async create(wasm, modelBytes, threads = 1) {
    let engine;
    const port = await startWorker('worker',
      () => new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }), {
        onMessage: (message) => engine.#receive(message),
        onError: (message) => engine.#fail(message),
      });
    engine = new WorkerEngine(port);
    try {
      // In browsers the threads' workers start here, not inside the engine's worker (startThreadWorkers).
      let threadPorts = [];
      if (!isNode && threads > 1) {
        const started = startThreadWorkers(threads - 1);
        engine.#threadWorkers = started.workers;
        threadPorts = started.ports;
      }
      const [module, bytes] = await Promise.all([wasm, modelBytes]);
      if (!isThreadedModule(module)) { // a single-threaded engine after all: its threads are not needed
        for (const worker of engine.#threadWorkers.splice(0)) worker.terminate();
        threadPorts = [];
      }
      engine.info = await engine.#request({ type: 'load', wasm: module, model: bytes, threads, threadPorts },
        [bytes.buffer, ...threadPorts]);
    } catch (e) {
      engine.#end();
      throw e;
    }
    return engine;
  }

  #port;
  #threadWorkers = [];
  #pending = new Map();
  #nextId = 1;

  constructor(port) {
    this.#port = port;
  }

  #receive({ id, result, error }) {
    const request = this.#pending.get(id);
    if (!request) return;
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#port.unref();
    if (error) request.reject(deserializeError(error));
    else request.resolve(result);
  }

  #fail(message) {
    this.#broken = new WorkerError(`the classifier's worker failed: ${message}`);
    this.#failAll(this.#broken);
  }

  #broken = null; // once the worker has died, every request fails at once instead of waiting forever

  #request(message, transfer = []) {
    return new Promise((resolve, reject) => {
      if (this.#broken) {
        reject(this.#broken);
        return;
      }
      const id = this.#nextId++;
      this.#pending.set(id, { resolve, reject });
      if (this.#pending.size === 1) this.#port.ref(); // a Node worker keeps Node running while busy
      try {
        this.#port.post({ ...message, id }, transfer);
      } catch (e) {
        this.#pending.delete(id);
        reject(new WorkerError(`cannot send to the classifier's worker: ${e.message}`));
      }
    });
  }

  #failAll(error) {
    for (const { reject } of this.#pending.values()) reject(error);
    this.#pending.clear();
  }

  classify(input, top, options, owned) {
    const [message, transfer] = this.#input(input, owned);
    return this.#request({ type: 'classify', input: message, top, options }, transfer);
  }

  embed(input, options, owned) {
    const [message, transfer] = this.#input(input, owned);
    return this.#request({ type: 'embed', input: message, options }, transfer);
  }

  train(embeddings, labels, dim, classes) {
    return this.#request({ type: 'train', embeddings, labels, dim, classes }, [embeddings.buffer, labels.buffer]);
  }

  /** An input as a message: our own buffers move to the worker; the caller's are copied, never detached. */
  #input(input, owned) {
    let data = input.kind === 'encoded' ? input.bytes : input.data;
    if (!owned || data.byteOffset !== 0 || data.byteLength !== data.buffer.byteLength) data = data.slice();
    return [input.kind === 'encoded' ? { ...input, bytes: data } : { ...input, data }, [data.buffer]];
  }

  dispose() {
    this.#failAll(new DisposedError());
    this.#end();
  }

  #end() {
    this.#port.terminate();
    for (const worker of this.#threadWorkers) worker.terminate();
  }
}

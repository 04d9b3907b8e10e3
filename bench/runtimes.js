// The runtimes the bench compares, each behind the same small interface:
//   const r = await open(spec); r.run() -> {ms, top1}; r.logits() -> Float32Array
// Each runtime lives in its own worker thread (bench/worker.js), because
// onnxruntime-web and TensorFlow.js fix their thread count once per process.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function argmax(x) {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}

/** Our engine: RGBA pixels of the crop in, preprocessing (channel order,
 *  normalisation) and network and top-1 timed. Optional threads (shared memory),
 *  another build (wasm) or another model file for the same crop (modelFile). */
async function openOurs({ model, rgba, width, height, threads, wasm, modelFile }) {
  const { createEngine, PixelFormat } = await import(join(root, 'src/js/engine.js'));
  const modelBytes = readFileSync(modelFile || join(root, 'models', `${model}.sqz`));
  let engine, handle;
  if (threads > 1) {
    const { createThreadedEngine } = await import(join(root, 'src/js/threads.js'));
    const module = await WebAssembly.compile(readFileSync(wasm ? wasm : join(root, 'dist/squeezenet-mt.wasm')));
    engine = await createThreadedEngine(module);
    handle = await engine.loadModelThreaded(modelBytes, threads);
    if (engine.threadCount(handle) !== threads) throw new Error(`${engine.threadCount(handle)} threads, not ${threads}`);
  } else {
    engine = await createEngine(readFileSync(wasm ? wasm : join(root, 'dist/squeezenet.wasm')));
    handle = engine.loadModel(modelBytes);
  }
  const info = engine.modelInfo(handle);
  const e = engine.exports;
  return {
    run() {
      const t0 = performance.now();
      engine.classifyPixels(handle, rgba, width, height, PixelFormat.RGBA, { raw: true });
      const top1 = engine.topK(handle, 1)[0].index;
      return { ms: performance.now() - t0, top1 };
    },
    logits() { return engine.logits(handle, info.numClasses); },
    memoryBytes() { return { memory: engine.memoryBytes(), heapBreak: e.sqzw_heap_break() >>> 0 }; },
    /** The tensor our network classifies, NCHW, for the peers. */
    networkInput() {
      const err = e.sqzw_error_new();
      const src = engine.copyIn(rgba);
      const st = e.sqzw_prepare_pixels(handle, src, width, height, PixelFormat.RGBA, 0, 1, err);
      e.sqzw_free(src);
      if (st !== 0) throw new Error(`prepare failed: ${engine.cstring(e.sqzw_error_message(err))}`);
      const hw = info.inputWidth * info.inputHeight;
      const nhwc = new Float32Array(engine.memory.buffer, e.sqzw_network_input(handle), hw * 3);
      const nchw = new Float32Array(hw * 3);
      for (let p = 0; p < hw; p++) for (let c = 0; c < 3; c++) nchw[c * hw + p] = nhwc[p * 3 + c];
      return { data: nchw, shape: [1, 3, info.inputHeight, info.inputWidth] };
    },
    /** The machine's float32 limit in wasm SIMD, G multiply-adds/s: one timed
     *  run of the register-only kernel (sqzw_peak_madds, ~3 ms), null without it. */
    peak() {
      if (!e.sqzw_peak_madds) return null;
      const iterations = 200000;
      const t0 = performance.now();
      e.sqzw_peak_madds(iterations, 1);
      return (48 * iterations) / ((performance.now() - t0) * 1e6);
    },
    /** Per-step times (ms) of one run: preprocessing, then each network step
     *  with the multiply-adds its kernels do (sqz_network_step_madds). */
    profile() {
      const err = e.sqzw_error_new();
      const src = engine.copyIn(rgba);
      const steps = [];
      let t0 = performance.now();
      const st = e.sqzw_prepare_pixels(handle, src, width, height, PixelFormat.RGBA, 0, 1, err);
      steps.push({ name: 'preprocess', ms: performance.now() - t0 });
      e.sqzw_free(src);
      if (st !== 0) throw new Error('prepare failed');
      const n = e.sqzw_num_steps(handle);
      for (let i = 0; i < n; i++) {
        t0 = performance.now();
        e.sqzw_run_step(handle, i);
        steps.push({ name: engine.cstring(e.sqzw_step_name(handle, i)), ms: performance.now() - t0, madds: e.sqzw_step_madds(handle, i) });
      }
      return steps;
    },
  };
}

async function openOrt({ model, input, threads }) {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = threads;
  ort.env.logLevel = 'error';
  const session = await ort.InferenceSession.create(readFileSync(join(root, '..', 'shared', 'peers', `${model}.onnx`)), {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
  });
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', input.data, input.shape) };
  let last = null;
  return {
    async run() {
      const t0 = performance.now();
      const out = await session.run(feeds);
      const logits = out[session.outputNames[0]].data;
      const top1 = argmax(logits);
      const ms = performance.now() - t0;
      last = logits;
      return { ms, top1 };
    },
    logits() { return last; },
  };
}

/** SqueezeNet from TensorFlow.js ops (XNNPACK under the wasm backend), NHWC. */
async function openTfjs({ model, input, threads }) {
  const tf = await import('@tensorflow/tfjs-core');
  const wasmBackend = require('@tensorflow/tfjs-backend-wasm');
  wasmBackend.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/');
  wasmBackend.setThreadsCount(threads);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to start');
  await tf.ready();
  const peers = join(root, '..', 'shared', 'peers');
  const meta = JSON.parse(readFileSync(join(peers, `${model}.weights.json`), 'utf8'));
  const bin = readFileSync(join(peers, `${model}.weights.bin`));
  const bytes = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  const get = (name) => {
    const m = meta[name];
    if (!m) throw new Error(`peers: ${model} has no tensor ${name}`);
    const n = m.shape.reduce((a, b) => a * b, 1);
    return { data: bytes.subarray(m.offset / 4, m.offset / 4 + n), shape: m.shape };
  };
  const conv = (name) => {
    const w = get(`${name}:w`), b = get(`${name}:b`);
    const oihw = tf.tensor(w.data, w.shape);
    const filter = tf.keep(tf.transpose(oihw, [2, 3, 1, 0]));
    oihw.dispose();
    return { filter, bias: tf.keep(tf.tensor(b.data, b.shape)), k: w.shape[2] };
  };
  // The two architectures (torchvision squeezenet1_1, Caffe SqueezeNet v1.0).
  const v11 = model === 'squeezenet1_1';
  const conv1 = conv('conv1');
  const fires = {};
  for (let i = 2; i <= 9; i++) {
    fires[i] = { s: conv(`fire${i}/squeeze1x1`), e1: conv(`fire${i}/expand1x1`), e3: conv(`fire${i}/expand3x3`) };
  }
  const conv10 = conv('conv10');
  const poolAfter = v11 ? [3, 5] : [4, 8];
  const apply = (x, c, stride = 1, pad = 'valid') =>
    tf.fused.conv2d({ x, filter: c.filter, strides: stride, pad, bias: c.bias, activation: 'relu' });
  const pool = (x) => {
    // ceil-mode 3x3/2 pooling: pad bottom/right with -inf when the ceil size exceeds the floor size.
    const [, h, w] = x.shape;
    const ceil = (n) => Math.ceil((n - 3) / 2) + 1, floor = (n) => Math.floor((n - 3) / 2) + 1;
    const ph = ceil(h) > floor(h) ? 1 : 0, pw = ceil(w) > floor(w) ? 1 : 0;
    if (ph || pw) x = tf.pad(x, [[0, 0], [0, ph], [0, pw], [0, 0]], -Infinity);
    return tf.maxPool(x, 3, 2, 'valid');
  };
  const net = (x) => {
    x = pool(apply(x, conv1, 2));
    for (let i = 2; i <= 9; i++) {
      const f = fires[i];
      const s = apply(x, f.s);
      x = tf.concat([apply(s, f.e1), apply(s, f.e3, 1, 'same')], 3);
      if (poolAfter.includes(i)) x = pool(x);
    }
    // Caffe's v1.0 prototxt pads conv10 by 1 (a border of relu(bias) enters the mean).
    if (!v11) x = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]);
    return tf.mean(apply(x, conv10), [1, 2]);
  };
  const [, c, h, w] = input.shape;
  const nhwc = new Float32Array(input.data.length);
  for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) nhwc[p * c + k] = input.data[k * h * w + p];
  const x = tf.tensor(nhwc, [1, h, w, c]);
  let last = null;
  return {
    run() {
      const t0 = performance.now();
      const y = tf.tidy(() => net(x));
      const logits = y.dataSync();
      y.dispose();
      const top1 = argmax(logits);
      const ms = performance.now() - t0;
      last = logits;
      return { ms, top1 };
    },
    logits() { return last; },
  };
}

export async function open(spec) {
  if (spec.runtime === 'ours') return openOurs(spec);
  if (spec.runtime === 'ort') return openOrt(spec);
  if (spec.runtime === 'tfjs') return openTfjs(spec);
  throw new Error(`unknown runtime ${spec.runtime}`);
}

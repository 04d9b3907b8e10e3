// Soak: one wasm instance, 10,000 classifications and 1,000 load/dispose
// cycles, with failures mixed in; after warm-up neither the bytes malloc'd
// inside the wasm (dlmalloc's mallinfo, engine.heapBytes()) nor the wasm
// memory (memory.buffer.byteLength) may grow.
//
// The 10,000 runs and 1,000 cycles use the tiny model of the fuzz corpus
// (fuzz/corpus/model/tiny-0.sqz: conv, pool, two fire modules, conv, GAP on a
// 16x16 input, written by the format writer): every allocation a
// classification or a load makes goes through the same code whatever the
// model's size, and 10,000 runs of the real v1.1 (~50 ms each) would take
// minutes. The real models get a few hundred runs and some load/dispose
// cycles on top, so their buffer sizes are exercised too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createEngine } from '../../src/js/engine.js';
import { root, shared } from './helpers.js';

const tinyModel = readFileSync(path.join(root, 'fuzz/corpus/model/tiny-0.sqz'));
const tinyPng = readFileSync(path.join(root, 'fuzz/corpus/image/00-rgb.png')).subarray(1); // after the selector byte
const pixels = new Uint8Array(16 * 16 * 4).map((_, i) => (i * 37) & 255);
const truncatedPng = tinyPng.subarray(0, tinyPng.length >> 1);
const realModel = readFileSync(path.join(root, 'models/squeezenet1_1.sqz'));
const crop = readFileSync(path.join(shared, 'reference/squeezenet1_1/n01440764_tench.ppm')).subarray(15);

async function newEngine() {
  return createEngine(readFileSync(path.join(root, 'dist/squeezenet.wasm')));
}

// Runs `step(i)` n times; after `warmup` steps the heap and memory must stay
// where they were, checked every `every` steps and at the end.
function soak(engine, n, warmup, every, step) {
  let heap0 = 0, mem0 = 0, peakHeap = 0, peakMem = 0;
  for (let i = 0; i < n; i++) {
    step(i);
    peakHeap = Math.max(peakHeap, engine.heapBytes());
    peakMem = Math.max(peakMem, engine.memoryBytes());
    if (i + 1 === warmup) {
      heap0 = engine.heapBytes();
      mem0 = engine.memoryBytes();
    } else if (i + 1 > warmup && ((i + 1) % every === 0 || i + 1 === n)) {
      assert.equal(engine.heapBytes(), heap0, `malloc'd bytes grew after ${i + 1} steps`);
      assert.equal(engine.memoryBytes(), mem0, `wasm memory grew after ${i + 1} steps`);
    }
  }
  return { heap: heap0, peakHeap, memory: mem0, peakMem };
}

let peakLoaded = 0; // the heap while a model is loaded, noted inside the steps
const note = (engine) => { peakLoaded = Math.max(peakLoaded, engine.heapBytes()); };
const mb = (n) => `${(n / 1048576).toFixed(1)} MB`;

test('10,000 classifications in one wasm instance: no memory growth after warm-up', async () => {
  const engine = await newEngine();
  const model = engine.loadModel(tinyModel);
  engine.classifyImage(model, tinyPng);
  const expected = engine.logits(model, 10);
  let failures = 0;
  const r = soak(engine, 10000, 100, 500, (i) => {
    if (i % 2 === 0) {
      engine.classifyImage(model, tinyPng);
      assert.deepEqual(engine.logits(model, 10), expected);
    } else {
      engine.classifyPixels(model, pixels, 16, 16, 4, { raw: (i & 2) === 0 });
    }
    assert.equal(engine.topK(model, 3).length, 3);
    if (i % 50 === 1) { // failures must not leak either
      assert.throws(() => engine.classifyImage(model, truncatedPng), /decode/);
      assert.throws(() => engine.classifyPixels(model, pixels, 0, 16, 4), /not positive/);
      failures += 2;
    }
  });
  // and a few hundred with the real model on its 224x224 crop
  const real = engine.loadModel(realModel);
  const r2 = soak(engine, 200, 20, 20, () => engine.classifyPixels(real, crop, 224, 224, 3, { raw: true }));
  engine.freeModel(real);
  engine.freeModel(model);
  console.log(`soak: 10,000 tiny-model runs (+${failures} failures): heap ${r.heap} B, wasm memory ${mb(r.memory)}; ` +
    `200 squeezenet1_1 runs: heap ${mb(r2.heap)}, peak wasm memory ${mb(r2.peakMem)}`);
});

test('1,000 load/dispose cycles in one wasm instance: no memory growth after warm-up', async () => {
  const engine = await newEngine();
  const damaged = Uint8Array.from(tinyModel);
  damaged[100] ^= 1;
  const r = soak(engine, 1000, 50, 100, (i) => {
    const model = engine.loadModel(tinyModel);
    engine.classifyImage(model, tinyPng);
    note(engine);
    engine.freeModel(model);
    if (i % 10 === 0) assert.throws(() => engine.loadModel(damaged), /checksum/);
    if (i % 10 === 5) assert.throws(() => engine.loadModel(tinyModel.subarray(0, 1000)), /truncated/);
  });
  const tinyPeak = peakLoaded;
  const r2 = soak(engine, 20, 3, 1, () => {
    const model = engine.loadModel(realModel);
    engine.classifyPixels(model, crop, 224, 224, 3, { raw: true });
    note(engine);
    engine.freeModel(model);
  });
  console.log(`load/dispose: 1,000 tiny-model cycles: heap between cycles ${r.heap} B, with the model ${tinyPeak} B; ` +
    `20 squeezenet1_1 cycles: heap with the model ${mb(peakLoaded)}, wasm memory ${mb(r2.memory)} (peak ${mb(r2.peakMem)})`);
});

test('1,000 teaching cycles in one wasm instance (embed, train, write, read back, with failures): no memory growth', async () => {
  const engine = await newEngine();
  const model = engine.loadModel(tinyModel);
  const dim = engine.embeddingSize(model);
  assert.equal(dim, 12); // the tiny model's last fire module: 5 + 7 channels
  let cycles = 0;
  const r = soak(engine, 1000, 50, 100, (i) => {
    const a = engine.embedImage(model, tinyPng), b = engine.embedPixels(model, pixels, 16, 16, 4, { unitLength: true });
    const x = new Float32Array(4 * dim);
    [a, b, a, b].forEach((e, k) => x.set(e.map((v) => v * (1 + k / 10)), k * dim));
    const head = engine.trainHead(x, Int32Array.of(0, 1, 0, 1), dim, 2);
    const taught = engine.writeTaughtModel(tinyModel, head.weights, head.bias, ['a', `b ${i}`]);
    assert.equal(engine.readTaughtHead(taught).labels[1], `b ${i}`);
    if (i % 10 === 0) { // failures must not leak either
      assert.throws(() => engine.embedImage(model, truncatedPng), /decode/);
      assert.throws(() => engine.trainHead(x, Int32Array.of(0, 0, 0, 0), dim, 2), /no examples/);
      assert.throws(() => engine.writeTaughtModel(tinyModel, head.weights, head.bias, ['a', 'a']), /same/);
      assert.throws(() => engine.readTaughtHead(tinyModel), /not a taught model/);
      assert.throws(() => engine.checkLabel('a,b'), /comma/);
    }
    cycles++;
  });
  engine.freeModel(model);
  assert.equal(cycles, 1000);
  console.log(`teaching: 1,000 cycles: heap ${r.heap} B, wasm memory ${mb(r.memory)}`);
});

// The engine without SIMD (squeezenet-scalar.wasm, for browsers without wasm
// SIMD): it holds no SIMD instruction and gives the SIMD engine's top-5 on the
// 200 sample photos with every probability within 1e-4 (wasm-reference.test.js
// checks its golden crops against the independent reference). load() runs it
// with simd: false, or where WebAssembly refuses SIMD, and says so in info.simd.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createEngine } from '../../src/js/engine.js';
import { load, ArgumentError } from '../../src/js/index.js';
import { root, MODELS, engineWithModel, predictions, top5, photosDir } from './helpers.js';
import { clothingPhotos } from './clothing.js';

const wasmFile = (name) => path.join(root, 'dist', name);

/** Whether binaryen's validator, with every wasm feature but SIMD allowed, accepts the file. */
function validWithoutSimd(file) {
  // (It prints every SIMD instruction it refuses: only the status is read.)
  const r = spawnSync('wasm-opt', ['--all-features', '--disable-simd', file, '-o', '/dev/null'], { stdio: 'ignore' });
  assert.ok(!r.error, `wasm-opt: ${r.error?.message} (binaryen comes with emscripten: scripts/install-deps.sh)`);
  return r.status === 0;
}

test('squeezenet-scalar.wasm holds no SIMD instruction; the SIMD engines do', async () => {
  assert.equal(validWithoutSimd(wasmFile('squeezenet-scalar.wasm')), true, 'squeezenet-scalar.wasm uses SIMD');
  // The same check refuses the SIMD builds, so it does look at the instructions.
  assert.equal(validWithoutSimd(wasmFile('squeezenet.wasm')), false);
  assert.equal(validWithoutSimd(wasmFile('squeezenet-mt.wasm')), false);
  const scalar = await createEngine(await readFile(wasmFile('squeezenet-scalar.wasm')));
  const simd = await createEngine(await readFile(wasmFile('squeezenet.wasm')));
  assert.equal(scalar.simd, false);
  assert.equal(simd.simd, true);
});

// squeezenet1_1-qs8: its 8-bit steps run the scalar twins of the 8-bit kernels.
for (const name of [...MODELS, 'squeezenet1_1-qs8']) {
  test(`${name}: the scalar and SIMD engines agree on the 200 photos`, async () => {
    const simd = await engineWithModel(name, 'squeezenet.wasm');
    const scalar = await engineWithModel(name, 'squeezenet-scalar.wasm');
    assert.deepEqual([simd.engine.simd, scalar.engine.simd], [true, false]);
    const files = Object.keys(await predictions(name.replace(/-qs8$/, ''))).sort();
    assert.equal(files.length, 200);
    const probabilities = ({ engine, model }) => {
      const p = new Float64Array(1000);
      for (const { index, probability } of engine.topK(model, 1000)) p[index] = probability;
      return p;
    };
    let worst = 0;
    for (const f of files) {
      const bytes = await readFile(path.join(photosDir, f));
      simd.engine.classifyImage(simd.model, bytes);
      scalar.engine.classifyImage(scalar.model, bytes);
      const a = probabilities(simd), b = probabilities(scalar);
      assert.deepEqual(top5(b), top5(a), `${f}: scalar top-5 ${top5(b)} vs SIMD ${top5(a)}`);
      for (let i = 0; i < 1000; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    console.log(`${name}: scalar vs SIMD wasm on 200 photos: same top-5, max |Δprobability| ${worst.toExponential(2)}`);
    assert.ok(worst <= 1e-4, `max |Δprobability| ${worst}`);
  });
}

test('load({ simd: false }) runs the scalar engine on one thread, in place and in a worker', async () => {
  const photo = await readFile(path.join(photosDir, 'n01440764_tench.JPEG'));
  const expected = (await predictions('squeezenet1_1'))['n01440764_tench.JPEG'].top5[0];
  for (const worker of [false, true]) {
    const c = await load({ model: 'squeezenet1_1', simd: false, worker });
    try {
      assert.equal(c.info.simd, false);
      assert.equal(c.info.threads, 1);
      assert.equal(c.worker, worker);
      assert.equal((await c.classify(photo))[0].index, expected);
    } finally {
      c.dispose();
    }
  }
  const c = await load({ model: 'squeezenet1_1', simd: true, threads: 1 });
  assert.equal(c.info.simd, true);
  c.dispose();
  await assert.rejects(load({ simd: 'no' }), ArgumentError);
});

test('where WebAssembly refuses SIMD, load() falls back to the scalar engine', async () => {
  const validate = WebAssembly.validate;
  // A runtime without SIMD, as far as load()'s feature test can tell.
  WebAssembly.validate = (bytes) => !new Uint8Array(bytes).includes(0xfd) && validate(bytes);
  try {
    const c = await load({ model: 'squeezenet1_1' });
    try {
      assert.equal(c.info.simd, false);
      assert.equal(c.info.threads, 1, 'the threaded engine needs SIMD');
    } finally {
      c.dispose();
    }
    await assert.rejects(load({ simd: true }), (e) => e instanceof ArgumentError && /no SIMD/.test(e.message));
  } finally {
    WebAssembly.validate = validate;
  }
});

test('the scalar engine teaches: embeddings within 1e-5 of the SIMD ones, the same head from the same examples', async () => {
  const photos = [0, 1, 40, 41, 80, 81].map((i) => clothingPhotos('train')[i]);
  const models = {};
  for (const simd of [true, false]) {
    const c = await load({ model: 'squeezenet1_1', simd, threads: 1, worker: !simd });
    try {
      assert.equal(c.info.simd, simd);
      const embeddings = [];
      for (const p of photos) embeddings.push(await c.embed(await readFile(p.file), { normalize: false }));
      models[simd] = { embeddings };
      const learner = c.learner();
      // both engines train on the SIMD engine's embeddings: the same examples
      const examples = models.true.embeddings;
      for (const [i, p] of photos.entries()) await learner.add(examples[i], p.label);
      await learner.train();
      models[simd].bytes = learner.toModel();
    } finally {
      c.dispose();
    }
  }
  let worst = 0;
  models.true.embeddings.forEach((e, i) => e.forEach((v, j) => { worst = Math.max(worst, Math.abs(v - models.false.embeddings[i][j])); }));
  assert.ok(worst <= 1e-5, `scalar and SIMD embeddings differ by ${worst}`);
  assert.ok(Buffer.from(models.false.bytes).equals(Buffer.from(models.true.bytes)), 'the scalar engine taught other bytes');
});

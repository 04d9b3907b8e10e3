// Threads: squeezenet-mt.wasm on 2 and 3 threads gives exactly the logits of
// squeezenet.wasm on the golden crops of ../shared/reference, which match the
// independent reference; load() uses 2 threads by default in Node, falls
// back to one when the threaded engine is missing, and never keeps Node running.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { Backend } from '../../src/js/backend.js';
import { load } from '../../src/js/index.js';
import { root, MODELS, goldenCrops, top5, photosDir } from './helpers.js';

const compile = async (file) => WebAssembly.compile(await readFile(path.join(root, 'dist', file)));

function logitsOf(backend, ppmBytes) {
  backend.engine.classifyImage(backend.model, ppmBytes, { raw: true });
  return backend.engine.logits(backend.model, 1000);
}

test('the threaded engine gives bit-identical logits on 1, 2 and 3 threads, matching the reference', async () => {
  const [single, threaded] = await Promise.all([compile('squeezenet.wasm'), compile('squeezenet-mt.wasm')]);
  for (const name of MODELS) {
    const bytes = new Uint8Array(await readFile(path.join(root, 'models', `${name}.sqz`)));
    const backends = [await Backend.create(single, bytes.slice(), 1)];
    for (const threads of [2, 3]) backends.push(await Backend.create(threaded, bytes.slice(), threads));
    try {
      assert.deepEqual(backends.map((b) => b.info.threads), [1, 2, 3]);
      let worst = 0;
      const crops = await goldenCrops(name);
      assert.ok(crops.length >= 8, `only ${crops.length} golden crops for ${name}`);
      for (const crop of crops) {
        const ppm = new Uint8Array(await readFile(crop.ppm));
        const raw = await readFile(crop.logits);
        const reference = new Float32Array(raw.buffer, raw.byteOffset, 1000);
        const [one, ...more] = backends.map((b) => logitsOf(b, ppm));
        for (const [i, logits] of more.entries()) {
          assert.ok(logits.every((v, j) => Object.is(v, one[j])), `${crop.ppm}: ${i + 2} threads differ from 1`);
        }
        const diff = Math.max(...one.map((v, j) => Math.abs(v - reference[j])));
        assert.ok(diff <= 1e-3, `${crop.ppm}: max |diff| ${diff}`);
        assert.deepEqual(top5(one), top5(reference), crop.ppm);
        worst = Math.max(worst, diff);
      }
      console.log(`${name}: golden crops identical on 1, 2, 3 threads, max |diff| ${worst.toExponential(2)}`);
    } finally {
      for (const b of backends) b.dispose();
    }
  }
});

test('load() runs 2 threads by default in Node (cores permitting), 1 when asked, 1 when the threaded engine is missing', async () => {
  const photo = await readFile(path.join(photosDir, 'n01440764_tench.JPEG'));
  const results = [];
  for (const options of [{}, { threads: 1 }, { worker: true }, { threadsWasmUrl: 'file:///nonexistent/squeezenet-mt.wasm' }]) {
    const c = await load(options);
    try {
      results.push([c.info.threads, (await c.classify(photo, { top: 3 }))]);
    } finally {
      c.dispose();
    }
  }
  const two = Math.min(2, globalThis.navigator?.hardwareConcurrency ?? 2); // one on a one-core machine
  assert.deepEqual(results.map(([threads]) => threads), [two, 1, two, 1]);
  for (const [, r] of results) assert.deepEqual(r, results[0][1]);
  assert.equal(results[0][1][0].label, 'tench');
});

test('threads do not keep Node running, disposed or not', () => {
  const index = JSON.stringify(pathToFileURL(path.join(root, 'src/js/index.js')).href);
  for (const dispose of [false, true]) {
    const script = `import { load } from ${index};
      const c = await load({ threads: 2 });
      const r = await c.classify(new Uint8Array(${JSON.stringify([...Buffer.from('not an image')])})).catch((e) => e.code);
      console.log(c.info.threads, r);
      ${dispose ? 'c.dispose();' : ''}`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(out.trim(), '2 ERR_IMAGE');
  }
});

// The .wasm against the independent PyTorch reference, and against the
// native build: golden crops within 1e-3 with the same top-5 (also on the
// engine without SIMD, squeezenet-scalar.wasm: scalar.test.js tests it more);
// the 200 photos with >= 99% top-1 agreement and the same top-5 as the native CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { MODELS, engineWithModel, goldenCrops, predictions, top5, photosDir, nativeCli } from './helpers.js';

for (const name of MODELS) {
  for (const wasm of ['squeezenet.wasm', 'squeezenet-scalar.wasm']) {
    test(`${name}: golden crops in ${wasm} match the reference logits`, async () => {
      const { engine, model } = await engineWithModel(name, wasm);
      const crops = await goldenCrops(name);
      assert.ok(crops.length >= 8, `only ${crops.length} golden crops`);
      let worst = 0;
      for (const c of crops) {
        engine.classifyImage(model, await readFile(c.ppm), { raw: true });
        const ours = engine.logits(model, 1000);
        const ref = new Float32Array((await readFile(c.logits)).buffer.slice(0));
        for (let i = 0; i < 1000; i++) worst = Math.max(worst, Math.abs(ours[i] - ref[i]));
        assert.deepEqual(top5(ours), top5(ref), `${c.ppm}: top-5 differs`);
      }
      console.log(`${name}: ${wasm} golden max |diff| ${worst.toExponential(2)} over ${crops.length} crops`);
      assert.ok(worst <= 1e-3, `max |diff| ${worst}`);
    });
  }

  test(`${name}: 200 photos in wasm agree with the reference and the native build`, async () => {
    const { engine, model } = await engineWithModel(name);
    const refs = await predictions(name);
    const files = Object.keys(refs).sort();
    assert.equal(files.length, 200);
    // The native CLI on the same files, in one process.
    const native = execFileSync(nativeCli, ['classify', '--json', '--top', '5', '--model', name,
      ...files.map((f) => path.join(photosDir, f))], { encoding: 'utf8', maxBuffer: 64 << 20 })
      .trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(native.length, 200);
    let agree = 0, correct = 0, sameAsNative = 0;
    for (const [i, f] of files.entries()) {
      engine.classifyImage(model, await readFile(path.join(photosDir, f)));
      const ours = engine.topK(model, 5).map((p) => p.index);
      agree += ours[0] === refs[f].top5[0];
      correct += ours[0] === refs[f].label;
      const nat = native[i].predictions.map((p) => p.index);
      sameAsNative += JSON.stringify(ours) === JSON.stringify(nat);
      assert.deepEqual(ours, nat, `${f}: wasm top-5 ${ours} vs native ${nat}`);
    }
    console.log(`${name}: wasm top-1 agreement ${agree}/200, accuracy ${correct / 2}%, same top-5 as native ${sameAsNative}/200`);
    assert.ok(agree >= 198, `top-1 agreement ${agree}/200 is under 99%`);
  });
}

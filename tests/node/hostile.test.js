// Hostile input through the wasm engine (src/js/engine.js) and both CLIs:
// the images of tests/hostile/make_images.py (the cases test_hostile_images.c
// runs natively) and damaged model files. Every failure must name its
// problem, and the same engine / the same CLI run must go on working: the
// reference crop classified after each case gives bit-identical logits.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { root, shared, photosDir, nativeCli, wasmCli, engineWithModel } from './helpers.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'sqz-hostile-'));
let cases = [];
const refDir = path.join(shared, 'reference/squeezenet1_1');
const goldenCrop = () => readFileSync(path.join(refDir, 'n01440764_tench.ppm')).subarray(15); // "P6\n224 224\n255\n"
const goldenLogits = () => new Float32Array(Uint8Array.from(readFileSync(path.join(refDir, 'n01440764_tench.logits.f32'))).buffer);

before(() => {
  const r = spawnSync('/usr/bin/python3', [path.join(root, 'tests/hostile/make_images.py'), tmp, shared], { encoding: 'utf8' });
  assert.equal(r.status, 0, `make_images.py: ${r.stderr}`);
  cases = readFileSync(path.join(tmp, 'manifest.txt'), 'utf8').trim().split('\n').map((l) => {
    const [kind, name, file, a, word] = l.split(' ');
    return kind === 'valid' ? { kind, name, file, crop: a === '-' ? null : a } : { kind, name, file, code: a, word };
  });
});

const argmax = (x) => x.reduce((b, v, i) => (v > x[b] ? i : b), 0);
const rank = (x, k) => x.reduce((r, v) => r + (v > x[k]), 0);

test('wasm engine: unusual images classified, hostile ones refused, the engine keeps working', async () => {
  const { engine, model } = await engineWithModel('squeezenet1_1');
  const crop = goldenCrop();
  engine.classifyPixels(model, crop, 224, 224, 3, { raw: true });
  const good = engine.logits(model, 1000);
  const ref = goldenLogits();
  assert.ok(good.every((v, i) => Math.abs(v - ref[i]) < 1e-3), 'reference crop vs the independent reference');
  let valid = 0, refused = 0, exact = 0, jpegs = 0;
  for (const c of cases) {
    const bytes = readFileSync(c.file);
    const before = engine.memoryBytes();
    if (c.kind === 'valid') {
      engine.classifyImage(model, bytes);
      const logits = engine.logits(model, 1000);
      assert.ok(logits.every(Number.isFinite), c.name);
      if (c.crop) {
        engine.classifyPixels(model, readFileSync(c.crop), 224, 224, 3, { raw: true });
        const pil = engine.logits(model, 1000);
        if (bytes[0] === 0xff && bytes[1] === 0xd8) {
          assert.ok(rank(pil, argmax(logits)) < 5 && rank(logits, argmax(pil)) < 5, `${c.name}: top-1 ${argmax(logits)} vs Pillow's ${argmax(pil)}`);
          jpegs++;
        } else {
          assert.deepEqual(logits, pil, `${c.name}: logits differ from those of Pillow's crop`);
          exact++;
        }
      }
      valid++;
    } else {
      assert.throws(() => engine.classifyImage(model, bytes), (e) => {
        assert.equal(e.code, c.code, `${c.name}: ${e.message}`);
        assert.ok(e.message.includes(c.word), `${c.name}: '${e.message}' should mention '${c.word}'`);
        return true;
      });
      assert.equal(engine.logits(model, 1000), null, `${c.name}: a stale result`);
      // refused before allocating: wasm memory grows by no more than the file's copy
      if (c.code === 'ERR_LIMIT') assert.ok(engine.memoryBytes() - before <= 1 << 20, `${c.name}: memory grew`);
      refused++;
    }
    engine.classifyPixels(model, crop, 224, 224, 3, { raw: true });
    assert.deepEqual(engine.logits(model, 1000), good, `after ${c.name}`);
  }
  assert.ok(valid >= 20 && refused >= 40, `only ${valid} valid and ${refused} refused cases`);
  // every valid case but the three too large for Pillow has its crop compared
  assert.ok(exact >= 16 && jpegs >= 6, `only ${exact} lossless and ${jpegs} JPEG cases compared with Pillow's crop`);
  console.log(`wasm: ${valid} unusual images classified (${exact} with the logits of Pillow's crop, ${jpegs} JPEGs ` +
    `with its top-1), ${refused} hostile ones refused`);
  engine.freeModel(model);
});

test('wasm engine: embeddings of the same images, refused alike, the engine keeps working', async () => {
  const { engine, model } = await engineWithModel('squeezenet1_1');
  const crop = goldenCrop();
  const good = engine.embedPixels(model, crop, 224, 224, 3, { raw: true });
  let valid = 0, refused = 0;
  for (const c of cases) {
    const bytes = readFileSync(c.file);
    if (c.kind === 'valid') {
      const e = engine.embedImage(model, bytes, { unitLength: true });
      const length = Math.hypot(...e);
      assert.ok(e.length === 512 && Math.abs(length - 1) < 1e-5, `${c.name}: an embedding of length ${length}`);
      valid++;
    } else {
      assert.throws(() => engine.embedImage(model, bytes), (e) => {
        assert.equal(e.code, c.code, `${c.name}: ${e.message}`);
        assert.ok(e.message.includes(c.word), `${c.name}: '${e.message}' should mention '${c.word}'`);
        return true;
      });
      refused++;
    }
    assert.deepEqual(engine.embedPixels(model, crop, 224, 224, 3, { raw: true }), good, `after ${c.name}`);
  }
  assert.ok(valid >= 20 && refused >= 40);
  engine.freeModel(model);
});

// Damaged copies of a real model: the reason, then the good model still loads.
function damagedModels(bytes) {
  const out = [];
  const copy = (f) => { const b = Uint8Array.from(bytes); f(b); return b; };
  out.push({ name: 'empty', bytes: new Uint8Array(0), code: 'ERR_ARGUMENT', word: 'empty' });
  for (const n of [3, 10, 16, 100, 4096, bytes.length >> 1, bytes.length - 1]) {
    out.push({ name: `cut to ${n} bytes`, bytes: bytes.subarray(0, n), code: 'ERR_MODEL', word: n < 16 ? 'header' : 'truncated' });
  }
  for (const at of [20, 1000, bytes.length >> 1, bytes.length - 1]) {
    out.push({ name: `bit flip at ${at}`, bytes: copy((b) => { b[at] ^= 4; }), code: 'ERR_CHECKSUM', word: 'checksum' });
  }
  out.push({ name: 'wrong magic', bytes: copy((b) => { b[0] = 0x50; }), code: 'ERR_VERSION', word: 'SQZN' });
  out.push({ name: 'version 2', bytes: copy((b) => { b[4] = 2; }), code: 'ERR_VERSION', word: 'version 2' });
  out.push({ name: 'a JPEG', bytes: readFileSync(path.join(photosDir, 'n01440764_tench.JPEG')), code: 'ERR_VERSION', word: 'not a .sqz' });
  return out;
}

test('wasm engine: damaged model files refused with a reason, then the real one loads', async () => {
  const { engine, model } = await engineWithModel('squeezenet1_1');
  const bytes = readFileSync(path.join(root, 'models/squeezenet1_1.sqz'));
  const crop = goldenCrop();
  engine.classifyPixels(model, crop, 224, 224, 3, { raw: true });
  const good = engine.logits(model, 1000);
  engine.freeModel(model);
  for (const d of damagedModels(bytes)) {
    assert.throws(() => engine.loadModel(d.bytes), (e) => {
      assert.equal(e.code, d.code, `${d.name}: ${e.message}`);
      assert.ok(e.message.includes(d.word), `${d.name}: '${e.message}' should mention '${d.word}'`);
      return true;
    });
    const again = engine.loadModel(bytes);
    engine.classifyPixels(again, crop, 224, 224, 3, { raw: true });
    assert.deepEqual(engine.logits(again, 1000), good, `after ${d.name}`);
    engine.freeModel(again);
  }
});

// A CLI's message without the file's name, which may hold the word looked for ("empty.jpg").
const withoutFile = (message, file) => message.replaceAll(file, '<file>');

const runCli = (cli, args) => {
  const [cmd, pre] = cli === 'native' ? [nativeCli, []] : [process.execPath, [wasmCli]];
  return spawnSync(cmd, [...pre, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
};

test('both CLIs: every hostile image reported on its line, the photo after it still classified the same; identical output', () => {
  const photo = path.join(photosDir, 'n01440764_tench.JPEG');
  const files = cases.flatMap((c) => [c.file, photo]);
  const outputs = {};
  for (const cli of ['native', 'wasm']) {
    const r = runCli(cli, ['classify', '--json', ...files]);
    assert.equal(r.status, 1, `${cli}: exit status ${r.status}: ${r.stderr}`);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, files.length);
    const goodLine = JSON.stringify(lines[1]);
    assert.equal(lines[1].predictions[0].label, 'tench');
    cases.forEach((c, i) => {
      const line = lines[2 * i];
      assert.equal(line.file, c.file);
      if (c.kind === 'valid') assert.equal(line.predictions.length, 5, `${cli} ${c.name}: ${line.error}`);
      else assert.ok(line.error && withoutFile(line.error, c.file).includes(c.word), `${cli} ${c.name}: ${line.error}`);
      assert.equal(JSON.stringify(lines[2 * i + 1]), goodLine, `${cli}: the photo after ${c.name}`);
    });
    outputs[cli] = r.stdout;
  }
  assert.equal(outputs.native, outputs.wasm);
});

test('both CLIs: a damaged --model file names the file and the problem (exit 2)', () => {
  const bytes = readFileSync(path.join(root, 'models/squeezenet1_1.sqz'));
  const photo = path.join(photosDir, 'n01440764_tench.JPEG');
  for (const d of damagedModels(bytes)) {
    const file = path.join(tmp, `damaged-${d.name.replace(/\W+/g, '_')}.sqz`);
    writeFileSync(file, d.bytes);
    for (const cli of ['native', 'wasm']) {
      const r = runCli(cli, ['classify', '--model', file, photo]);
      assert.equal(r.status, 2, `${cli} ${d.name}: ${r.stdout} ${r.stderr}`);
      assert.ok(r.stderr.includes(file) && withoutFile(r.stderr, file).includes(d.word), `${cli} ${d.name}: ${r.stderr}`);
    }
  }
});

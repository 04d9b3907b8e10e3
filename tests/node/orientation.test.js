// EXIF orientation through the wasm engine, the package API (bytes, Blob,
// File; in-thread and in a worker; orientation: 'ignore') and both CLIs
// (--ignore-orientation), with the pictures of tests/orientation/make_images.py
// (Pillow): a portrait photo stored in each of the 8 orientations with the
// tag that turns it upright. Lossless PNGs must give exactly the upright
// picture's logits; JPEGs tagged 3, 6 and 8 the same top-5 as the picture
// Pillow's ImageOps.exif_transpose returns; malformed EXIF none at all.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { load, ArgumentError } from '../../src/js/index.js';
import { root, shared, nativeCli, wasmCli, engineWithModel, top5 } from './helpers.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'sqz-orientation-'));
let cases = [];
let upright = null;

before(() => {
  const r = spawnSync('/usr/bin/python3', [path.join(root, 'tests/orientation/make_images.py'), tmp, shared], { encoding: 'utf8' });
  assert.equal(r.status, 0, `make_images.py: ${r.stderr}`);
  cases = readFileSync(path.join(tmp, 'manifest.txt'), 'utf8').trim().split('\n').map((l) => {
    const [kind, ...rest] = l.split(' ');
    switch (kind) {
      case 'upright': return { kind, file: rest[0] };
      case 'png': return { kind, tag: +rest[0], file: rest[1], stored: rest[2] };
      case 'jpeg': return { kind, tag: +rest[0], file: rest[1], upright: rest[2] };
      case 'asis': return { kind, name: rest[0], file: rest[1] };
      case 'turned': return { kind, name: rest[0], tag: +rest[1], file: rest[2] };
      default: throw new Error(`manifest: ${l}`);
    }
  });
  upright = cases.find((c) => c.kind === 'upright').file;
});

const of = (kind) => cases.filter((c) => c.kind === kind);

test('wasm engine: all 8 tags on PNG exact, JPEG 3/6/8 with Pillow\'s top-5, malformed EXIF ignored', async () => {
  const { engine, model } = await engineWithModel('squeezenet1_0');
  const logits = (file, options) => {
    engine.classifyImage(model, readFileSync(file), options);
    return engine.logits(model, 1000);
  };
  const want = logits(upright);
  let checked = 0;
  for (const c of of('png')) {
    assert.deepEqual(logits(c.file), want, `tag ${c.tag}: logits differ from the upright picture's`);
    const ignored = logits(c.file, { ignoreOrientation: true });
    assert.deepEqual(ignored, logits(c.stored), `tag ${c.tag} ignored: not the stored pixels`);
    if (c.tag !== 1) assert.notDeepEqual(ignored, want, `tag ${c.tag}: the stored picture is not turned`);
    checked++;
  }
  assert.equal(checked, 8);
  for (const c of of('jpeg')) {
    const pillow = top5(logits(c.upright));
    assert.deepEqual(top5(logits(c.file)), pillow, `${c.file}: top-5 differs from Pillow's exif_transpose`);
    assert.notDeepEqual(top5(logits(c.file, { ignoreOrientation: true })), pillow, `${c.file}: ignoring changes nothing`);
    checked++;
  }
  for (const c of of('asis')) {
    assert.deepEqual(logits(c.file), want, `${c.name}: malformed EXIF changed the picture`);
    checked++;
  }
  for (const c of of('turned')) {
    assert.deepEqual(logits(c.file), want, `${c.name}: orientation ${c.tag} not applied`);
    checked++;
  }
  assert.ok(checked >= 8 + 3 + 15 + 3, `only ${checked} cases`);
  console.log(`wasm: ${checked} files oriented as Pillow's exif_transpose`);
  engine.freeModel(model);
});

for (const worker of [false, true]) {
  test(`API${worker ? ' in a worker' : ''}: bytes, Blob and File turned upright; orientation: 'ignore'`, async () => {
    // in-thread on the default threads (squeezenet-mt.wasm in Node), the worker on one (squeezenet.wasm)
    const classifier = await load(worker ? { worker, threads: 1 } : {});
    try {
      const want = await classifier.classify(readFileSync(upright), { top: 10 });
      let checked = 0;
      for (const c of of('png').filter((p) => [3, 5, 6, 8].includes(p.tag))) {
        const bytes = readFileSync(c.file);
        const inputs = [bytes, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
          new Blob([bytes], { type: 'image/png' }), new File([bytes], path.basename(c.file), { type: 'image/png' })];
        for (const input of inputs) {
          assert.deepEqual(await classifier.classify(input, { top: 10, orientation: 'apply' }), want, `tag ${c.tag}`);
          checked++;
        }
        const stored = await classifier.classify(readFileSync(c.stored), { top: 10 });
        assert.notDeepEqual(stored, want);
        assert.deepEqual(await classifier.classify(new Blob([bytes]), { top: 10, orientation: 'ignore' }), stored);
        assert.deepEqual(await classifier.classify(bytes, { top: 10, orientation: 'ignore' }), stored);
        checked += 2;
      }
      // a JPEG shot sideways: the same top-5 as Pillow's upright picture
      for (const c of of('jpeg')) {
        const pillow = (await classifier.classify(readFileSync(c.upright))).map((p) => p.index);
        const ours = (await classifier.classify(new File([readFileSync(c.file)], 'photo.jpg'))).map((p) => p.index);
        assert.deepEqual(ours, pillow, c.file);
        checked++;
      }
      assert.ok(checked >= 4 * 6 + 3, `only ${checked} checks`);
      // pixels carry no orientation: 'ignore' changes nothing
      const pixels = { data: new Uint8Array(32 * 16 * 3).map((_, i) => i * 7), width: 32, height: 16, channels: 3 };
      assert.deepEqual(await classifier.classify(pixels, { orientation: 'ignore' }), await classifier.classify(pixels));
      // bad options name themselves, and the classifier goes on
      for (const [options, word] of [[{ orientation: 'auto' }, "'auto'"], [{ orientation: true }, 'boolean'],
        [{ orientation: null }, 'null'], [{ orientaton: 'ignore' }, "'orientaton'"]]) {
        await assert.rejects(classifier.classify(readFileSync(upright), options), (e) => {
          assert.ok(e instanceof ArgumentError, e.name);
          assert.ok(e.message.includes(word), `'${e.message}' should name ${word}`);
          return true;
        });
      }
      assert.deepEqual(await classifier.classify(readFileSync(upright), { top: 10 }), want);
    } finally {
      classifier.dispose();
    }
  });
}

const run = (cli, args) => {
  const [cmd, pre] = cli === 'native' ? [nativeCli, []] : [process.execPath, [wasmCli]];
  return spawnSync(cmd, [...pre, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
};

test('both CLIs: tagged files turned upright, --ignore-orientation keeps them as stored, same output', () => {
  const tagged = of('png').filter((c) => c.tag !== 1);
  const files = [upright, ...tagged.map((c) => c.file), ...tagged.map((c) => c.stored)];
  const outputs = {};
  for (const cli of ['native', 'wasm']) {
    for (const flag of [[], ['--ignore-orientation']]) {
      const r = run(cli, ['classify', '--json', '--logits', ...flag, ...files]);
      assert.equal(r.status, 0, `${cli} ${flag}: ${r.stderr}`);
      const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(lines.length, files.length);
      const logits = Object.fromEntries(lines.map((l) => [l.file, l.logits]));
      for (const c of tagged) {
        if (flag.length) {
          assert.deepEqual(logits[c.file], logits[c.stored], `${cli}: tag ${c.tag} ignored`);
          assert.notDeepEqual(logits[c.file], logits[upright], `${cli}: tag ${c.tag} ignored`);
        } else {
          assert.deepEqual(logits[c.file], logits[upright], `${cli}: tag ${c.tag} not applied`);
        }
      }
      outputs[`${cli} ${flag}`] = r.stdout;
    }
    const help = run(cli, ['classify', '--help']).stdout;
    assert.match(help, /--ignore-orientation/);
  }
  assert.equal(outputs['native '], outputs['wasm ']);
  assert.equal(outputs['native --ignore-orientation'], outputs['wasm --ignore-orientation']);
  console.log(`CLIs: ${tagged.length} tagged files, with and without --ignore-orientation, identical output`);
});

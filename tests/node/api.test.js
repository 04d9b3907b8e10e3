// The package API (src/js/index.js) in Node: every input kind, every error,
// worker mode and concurrency. Facts come from ../shared/reference (PyTorch
// top-5 and logits) and from Pillow decoding the photos independently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { createServer } from 'node:http';
import path from 'node:path';
import * as api from '../../src/js/index.js';
import { root, photosDir, predictions } from './helpers.js';

const {
  load, createWorkerClassifier, SqueezeNetError, ArgumentError, ImageError, ModelError, FetchError, DisposedError,
} = api;

// Photos whose reference top-1 wins by a clear margin, so resampling details cannot flip it.
const PHOTOS = ['n01440764_tench.JPEG', 'n01558993_robin.JPEG', 'n01601694_water_ouzel.JPEG'];
const photo = (name) => readFile(path.join(photosDir, name));
const modelFile = (name) => path.join(root, 'models', `${name}.sqz`);

/** The photo decoded by Pillow (not by the engine): packed RGB. */
function pillowRgb(name) {
  const script = 'import sys; from PIL import Image\n' +
    'im = Image.open(sys.argv[1]).convert("RGB")\n' +
    'sys.stdout.buffer.write(b"%d %d\\n" % im.size + im.tobytes())';
  const out = execFileSync('/usr/bin/python3', ['-c', script, path.join(photosDir, name)], { maxBuffer: 256 << 20 });
  const newline = out.indexOf(10);
  const [width, height] = out.subarray(0, newline).toString().split(' ').map(Number);
  return { data: new Uint8Array(out.subarray(newline + 1)), width, height, channels: 3 };
}

function rgbToRgba({ data, width, height }) {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, j = 0; i < data.length; i += 3, j += 4) {
    rgba[j] = data[i]; rgba[j + 1] = data[i + 1]; rgba[j + 2] = data[i + 2]; rgba[j + 3] = 255;
  }
  return { data: rgba, width, height };
}

/** Checks results against the reference: same top-1, and log-probability gaps = reference logit gaps. */
function assertMatchesReference(results, ref, what) {
  assert.equal(results[0].index, ref.top5[0], `${what}: top-1 ${results[0].index}, reference ${ref.top5[0]}`);
  let gaps = 0;
  for (let i = 1; i < results.length; i++) {
    assert.ok(results[i - 1].probability >= results[i].probability, `${what}: not sorted`);
    const at = ref.top5.indexOf(results[i].index);
    if (at < 0) continue; // beyond the reference's top-5
    const gap = Math.log(results[0].probability / results[i].probability);
    const refGap = ref.top5_logits[0] - ref.top5_logits[at];
    assert.ok(Math.abs(gap - refGap) < 0.35, `${what}: logit gap to class ${results[i].index} ${gap}, reference ${refGap}`);
    gaps++;
  }
  // most of a top-5 is the reference's too (JPEG decoding may swap the last places)
  assert.ok(gaps >= results.length - 2, `${what}: only ${gaps} of ${results.length - 1} classes in the reference's top-5`);
}

async function rejects(promise, Class, code, pattern) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof Class, `expected ${Class.name}, got ${e?.name}: ${e?.message}`);
    assert.ok(e instanceof SqueezeNetError && e instanceof Error);
    assert.equal(e.code, code);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

test('load() defaults to the build\'s default model (models/default.sqz) and describes it', async () => {
  assert.equal(api.DEFAULT_MODEL, 'default');
  const c = await load();
  try {
    const file = await readFile(modelFile('default'));
    assert.ok(file.length <= 1000000, `the default model is ${file.length} bytes`);
    // default.sqz is a copy of one of the networks; its own header names which.
    const net = c.info.name;
    assert.ok(['squeezenet1_0', 'squeezenet1_1'].includes(net), net);
    const side = net === 'squeezenet1_0' ? 227 : 224;
    assert.deepEqual({ ...c.info, labels: undefined, memoryBytes: undefined }, {
      name: net, inputWidth: side, inputHeight: side, numClasses: 1000,
      labels: undefined, byteSize: file.length, memoryBytes: undefined,
      threads: Math.min(2, globalThis.navigator?.hardwareConcurrency ?? 2), // Node runs threads (threads.test.js)
      simd: true, // Node 20 has wasm SIMD (the scalar engine: scalar.test.js)
      embeddingSize: 512, // fire9's 256 + 256 channels, in both networks
    });
    assert.equal(c.info.labels.length, 1000);
    assert.equal(c.info.labels[0], 'tench');
    assert.equal(c.info.labels[15], 'robin');
    assert.ok(c.info.memoryBytes > 0);
    assert.equal(c.worker, false);
  } finally {
    c.dispose();
  }
});

test('every shipped model classifies encoded photos like the reference', async () => {
  assert.deepEqual([...api.MODELS].sort(), ['default', 'squeezenet1_0', 'squeezenet1_1', 'squeezenet1_1-compact']);
  for (const name of api.MODELS) {
    const c = await load({ model: name });
    const net = c.info.name; // the network the file holds (its META name)
    const compact = name === 'squeezenet1_1-compact';
    if (name !== 'default') assert.equal(net, compact ? 'squeezenet1_1' : name);
    assert.equal(c.info.inputWidth, net === 'squeezenet1_0' ? 227 : 224);
    const refs = await predictions(net);
    for (const p of PHOTOS) {
      const results = await c.classify(await photo(p));
      assert.equal(results.length, 5);
      assert.deepEqual(results.map((r) => r.label), results.map((r) => c.info.labels[r.index]));
      if (compact) {
        // quantised weights: same top-1 on these clear-margin photos, not the same logits
        assert.equal(results[0].index, refs[p].top5[0], `${name} ${p}`);
      } else {
        assertMatchesReference(results, refs[p], `${name} ${p}`);
      }
    }
    c.dispose();
  }
});

test('every kind of encoded bytes gives the same result', async () => {
  const c = await load();
  const buffer = await photo(PHOTOS[0]);
  const expected = await c.classify(buffer);
  const padded = new Uint8Array(buffer.length + 16);
  padded.set(buffer, 7);
  const inputs = {
    'Node Buffer': buffer,
    Uint8Array: new Uint8Array(buffer),
    'Uint8Array view at an offset': padded.subarray(7, 7 + buffer.length),
    ArrayBuffer: new Uint8Array(buffer).buffer,
    DataView: new DataView(padded.buffer, 7, buffer.length),
    Blob: new Blob([buffer], { type: 'image/jpeg' }),
  };
  for (const [kind, input] of Object.entries(inputs)) {
    assert.deepEqual(await c.classify(input), expected, kind);
  }
  c.dispose();
});

test('pixels decoded by Pillow, as RGB, RGBA (ImageData-like) and ArrayBuffer, match the reference', async () => {
  const c = await load({ model: 'squeezenet1_1' });
  const refs = await predictions('squeezenet1_1');
  for (const p of PHOTOS) {
    const rgb = pillowRgb(p);
    const rgba = rgbToRgba(rgb);
    const fromRgb = await c.classify(rgb);
    assertMatchesReference(fromRgb, refs[p], `${p} RGB`);
    // Opaque RGBA is the same image: the engine drops alpha, so results are identical.
    assert.deepEqual(await c.classify(rgba), fromRgb, `${p} RGBA`);
    assert.deepEqual(await c.classify({ ...rgba, data: rgba.data.buffer }), fromRgb, `${p} RGBA ArrayBuffer`);
    assert.deepEqual(await c.classify({ ...rgba, data: new Uint8Array(rgba.data.buffer) }), fromRgb);
  }
  c.dispose();
});

test('top chooses how many predictions come back; all 1000 sum to 1', async () => {
  const c = await load();
  const bytes = await photo(PHOTOS[1]);
  const one = await c.classify(bytes, { top: 1 });
  assert.equal(one.length, 1);
  const all = await c.classify(bytes, { top: 1000 });
  assert.equal(all.length, 1000);
  assert.deepEqual(all[0], one[0]);
  assert.equal(new Set(all.map((r) => r.index)).size, 1000);
  const sum = all.reduce((s, r) => s + r.probability, 0);
  assert.ok(Math.abs(sum - 1) < 1e-4, `probabilities sum to ${sum}`);
  assert.deepEqual((await c.classify(bytes, {})).length, 5);
  for (const top of [0, -1, 1.5, 1001, NaN, '5', null]) {
    await rejects(c.classify(bytes, { top }), ArgumentError, 'ERR_ARGUMENT', /top must be an integer from 1 to 1000/);
  }
  await rejects(c.classify(bytes, 5), ArgumentError, 'ERR_ARGUMENT', /options must be an object/);
  c.dispose();
});

test('wrong inputs are ArgumentErrors naming what is wrong, and the classifier keeps working', async () => {
  const c = await load({ model: 'squeezenet1_1' });
  const cases = [
    [undefined, /not undefined/],
    [null, /not null/],
    ['cat.jpg', /not string/],
    [42, /not number/],
    [{}, /not an object|not a Object/],
    [[1, 2, 3], /not a Array/],
    [new Float32Array(12), /not a Float32Array/],
    [new Uint8ClampedArray(12), /raw pixels pass \{data, width, height\}/],
    [{ data: new Uint8Array(16), width: 0, height: 4 }, /width must be a positive integer, not 0/],
    [{ data: new Uint8Array(16), width: 2, height: -2 }, /height must be a positive integer, not -2/],
    [{ data: new Uint8Array(16), width: 1.5, height: 2 }, /width must be a positive integer, not 1.5/],
    [{ data: new Uint8Array(16), width: '2', height: 2 }, /width must be a positive integer, not string/],
    [{ data: new Uint8Array(16), height: 2 }, /width must be a positive integer/],
    [{ data: new Uint8Array(15), width: 2, height: 2 }, /has 15 bytes, but 2x2 pixels with 4 channels need 16/],
    [{ data: new Uint8Array(17), width: 2, height: 2 }, /has 17 bytes, but 2x2 pixels with 4 channels need 16/],
    [{ data: new Uint8Array(16), width: 2, height: 2, channels: 3 }, /need 12/],
    [{ data: new Uint8Array(16), width: 2, height: 2, channels: 5 }, /channels must be 1 .* or 4/],
    [{ data: [0, 0, 0, 0], width: 1, height: 1 }, /pixel data must be a Uint8Array/],
    [{ data: new Float32Array(4), width: 1, height: 1 }, /pixel data must be a Uint8Array/],
    [{ width: 1, height: 1 }, /pixel data must be/],
  ];
  for (const [input, pattern] of cases) {
    await rejects(c.classify(input), ArgumentError, 'ERR_ARGUMENT', pattern);
  }
  assertMatchesReference(await c.classify(await photo(PHOTOS[0])), (await predictions('squeezenet1_1'))[PHOTOS[0]], 'after errors');
  c.dispose();
});

test('undecodable images are ImageErrors with the engine\'s reason', async () => {
  const c = await load();
  const jpeg = await photo(PHOTOS[0]);
  await rejects(c.classify(new Uint8Array(0)), ImageError, 'ERR_IMAGE', /empty/);
  await rejects(c.classify(new Blob([])), ImageError, 'ERR_IMAGE', /empty/);
  await rejects(c.classify(new TextEncoder().encode('definitely not an image')), ImageError, 'ERR_IMAGE',
    /not a readable JPEG, PNG, BMP, GIF or PNM image/);
  await rejects(c.classify(jpeg.subarray(0, 200)), ImageError, 'ERR_IMAGE', /decode/);
  // Wider than the engine's documented limit (16384 pixels a side): refused before any work.
  await rejects(c.classify({ data: new Uint8Array(20000 * 4), width: 20000, height: 1 }), ImageError, 'ERR_IMAGE',
    /20000/);
  assert.equal((await c.classify(jpeg, { top: 1 }))[0].index, 0, 'still works');
  c.dispose();
});

test('models load from a name, a file URL, a path, bytes and modelBaseUrl; bad models are ModelErrors', async () => {
  const bytes = await readFile(modelFile('squeezenet1_0'));
  const sources = {
    'file URL': pathToFileURL(modelFile('squeezenet1_0')),
    'URL string': pathToFileURL(modelFile('squeezenet1_0')).href,
    'relative path': path.relative(process.cwd(), modelFile('squeezenet1_0')),
    Uint8Array: new Uint8Array(bytes),
    ArrayBuffer: new Uint8Array(bytes).buffer,
  };
  for (const [kind, model] of Object.entries(sources)) {
    const c = await load({ model });
    assert.equal(c.info.name, 'squeezenet1_0', kind);
    assert.equal(c.info.byteSize, bytes.length, kind);
    c.dispose();
  }
  const progress = [];
  const c = await load({ model: 'squeezenet1_0', modelBaseUrl: pathToFileURL(path.join(root, 'models')).href,
    wasmUrl: pathToFileURL(path.join(root, 'dist/squeezenet.wasm')), onProgress: (...a) => progress.push(a) });
  assert.equal(c.info.name, 'squeezenet1_0');
  assert.deepEqual(progress.at(-1), [bytes.length, bytes.length]);
  c.dispose();

  const corrupt = new Uint8Array(bytes);
  corrupt[corrupt.length >> 1] ^= 0x55;
  await rejects(load({ model: corrupt }), ModelError, 'ERR_MODEL', /checksum/i);
  await rejects(load({ model: bytes.subarray(0, 1000) }), ModelError, 'ERR_MODEL');
  await rejects(load({ model: new TextEncoder().encode('not a model at all, just text') }), ModelError, 'ERR_MODEL');
  await rejects(load({ model: new Uint8Array(0) }), ModelError, 'ERR_MODEL');
});

test('wrong load() options and missing assets fail clearly', async () => {
  await rejects(load({ model: 'squeezenet2' }), ArgumentError, 'ERR_ARGUMENT', /unknown model 'squeezenet2'/);
  await rejects(load({ model: 42 }), ArgumentError, 'ERR_ARGUMENT', /model must be/);
  await rejects(load({ model: null }), ArgumentError, 'ERR_ARGUMENT', /model must be/);
  await rejects(load(null), ArgumentError, 'ERR_ARGUMENT', /options object/);
  await rejects(load({ onProgress: 'yes' }), ArgumentError, 'ERR_ARGUMENT', /onProgress must be a function/);
  await rejects(createWorkerClassifier(null), ArgumentError, 'ERR_ARGUMENT', /options object/);
  await rejects(load({ modle: 'squeezenet1_0' }), ArgumentError, 'ERR_ARGUMENT', /unknown load\(\) option 'modle'/);
  await rejects(load({ worker: 'yes' }), ArgumentError, 'ERR_ARGUMENT', /worker must be true or false/);
  await rejects(load({ wasmUrl: 7 }), ArgumentError, 'ERR_ARGUMENT', /wasmUrl must be a URL/);
  await rejects(load({ model: '/nonexistent/model.sqz' }), FetchError, 'ERR_FETCH', /\/nonexistent\/model.sqz: no such file/);
  await rejects(load({ modelBaseUrl: 'file:///nonexistent/' }), FetchError, 'ERR_FETCH', /default.sqz/);
  await rejects(load({ wasmUrl: 'file:///nonexistent/squeezenet.wasm' }), FetchError, 'ERR_FETCH', /squeezenet.wasm/);
  await rejects(load({ wasmUrl: pathToFileURL(modelFile('squeezenet1_1')) }), FetchError, 'ERR_FETCH',
    /not a usable WebAssembly module/);
});

test('over HTTP: the model streams with progress; 404s and HTML pages are FetchErrors', async () => {
  const model = await readFile(modelFile('squeezenet1_1'));
  const wasm = await readFile(path.join(root, 'dist/squeezenet.wasm'));
  const server = createServer((req, res) => {
    if (req.url === '/m/squeezenet1_1.sqz') {
      res.writeHead(200, { 'content-length': model.length, 'content-type': 'application/octet-stream' });
      for (let at = 0; at < model.length; at += 1 << 18) res.write(model.subarray(at, at + (1 << 18)));
      res.end();
    } else if (req.url === '/squeezenet.wasm') {
      res.writeHead(200, { 'content-type': 'application/wasm' }).end(wasm);
    } else if (req.url.startsWith('/spa/')) {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><p>app</p>');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  try {
    const progress = [];
    const c = await load({ model: 'squeezenet1_1', modelBaseUrl: `${origin}/m`, wasmUrl: `${origin}/squeezenet.wasm`,
      onProgress: (loaded, total) => progress.push([loaded, total]) });
    assert.equal(c.info.byteSize, model.length);
    assert.ok(progress.length >= 3, `only ${progress.length} progress reports`);
    assert.deepEqual(progress[0], [0, model.length]);
    assert.deepEqual(progress.at(-1), [model.length, model.length]);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i][0] >= progress[i - 1][0]);
    assert.equal((await c.classify(await photo(PHOTOS[0]), { top: 1 }))[0].index, 0);
    c.dispose();
    await rejects(load({ model: `${origin}/missing.sqz` }), FetchError, 'ERR_FETCH', /missing.sqz: HTTP 404/);
    await rejects(load({ model: `${origin}/spa/squeezenet1_1.sqz` }), FetchError, 'ERR_FETCH', /sent an HTML page/);
    await rejects(load({ wasmUrl: `${origin}/spa/squeezenet.wasm` }), FetchError, 'ERR_FETCH', /sent an HTML page/);
  } finally {
    server.close();
  }
});

test('after dispose() everything throws DisposedError; dispose() twice is harmless', async () => {
  const c = await load();
  const bytes = await photo(PHOTOS[0]);
  const pending = c.classify(bytes); // queued behind input preparation
  c.dispose();
  c.dispose();
  await rejects(pending, DisposedError, 'ERR_DISPOSED');
  await rejects(c.classify(bytes), DisposedError, 'ERR_DISPOSED', /disposed/);
  assert.throws(() => c.info, DisposedError);
  assert.throws(() => c.worker, DisposedError);
});

test('concurrent classify() calls each get their own image\'s result', async () => {
  const c = await load();
  const images = await Promise.all(PHOTOS.map(photo));
  const sequential = [];
  for (const img of images) sequential.push(await c.classify(img));
  const bad = new Uint8Array([1, 2, 3]);
  const mixed = [...images, bad, ...images, new Blob([images[1]])];
  const settled = await Promise.allSettled(mixed.map((img) => c.classify(img)));
  assert.deepEqual(settled.map((s) => s.value), [...sequential, undefined, ...sequential, sequential[1]]);
  assert.ok(settled[3].reason instanceof ImageError);
  c.dispose();
});

test('worker mode has the same API, results and errors, and never detaches the caller\'s buffers', async () => {
  const local = await load();
  const worker = await createWorkerClassifier({ onProgress() {} });
  try {
    assert.equal(worker.worker, true);
    assert.deepEqual(worker.info, local.info);
    const images = await Promise.all(PHOTOS.map(photo));
    const rgba = rgbToRgba(pillowRgb(PHOTOS[2]));
    const expected = [];
    for (const img of [...images, rgba]) expected.push(await local.classify(img, { top: 10 }));
    // All at once: answered in order, each its own.
    const got = await Promise.all([...images, rgba].map((img) => worker.classify(img, { top: 10 })));
    assert.deepEqual(got, expected);
    assert.ok(images.every((img) => img.length > 0), 'the encoded bytes are still attached');
    assert.equal(rgba.data.length, rgba.width * rgba.height * 4, 'the pixels are still attached');
    assert.deepEqual(await worker.classify(new Blob([images[0]]), { top: 10 }), expected[0]);
    assert.deepEqual(await worker.classify(images[1].buffer.slice(images[1].byteOffset,
      images[1].byteOffset + images[1].length), { top: 10 }), expected[1]);
    await rejects(worker.classify(new Uint8Array([9, 9, 9])), ImageError, 'ERR_IMAGE', /not a readable/);
    await rejects(worker.classify({ data: new Uint8Array(3), width: 1, height: 1 }), ArgumentError, 'ERR_ARGUMENT');
    await rejects(worker.classify({ data: new Uint8Array(20000 * 4), width: 20000, height: 1 }), ImageError, 'ERR_IMAGE');
    assert.deepEqual(await worker.classify(images[0], { top: 10 }), expected[0], 'still works after errors');
    const pending = worker.classify(images[0]);
    worker.dispose();
    await rejects(pending, DisposedError, 'ERR_DISPOSED');
    await rejects(worker.classify(images[0]), DisposedError, 'ERR_DISPOSED');
  } finally {
    local.dispose();
    worker.dispose();
  }
  await rejects(load({ worker: true, model: new Uint8Array(64) }), ModelError, 'ERR_MODEL');
  const v10 = await load({ worker: true, model: 'squeezenet1_0' });
  assert.equal(v10.info.inputWidth, 227);
  v10.dispose();
});

test('the package resolves by its own name through the exports map', async () => {
  const byName = await import('squeezenet-wasm');
  assert.equal(byName.load, load);
  const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
  assert.equal(Object.keys(pkg.dependencies ?? {}).length, 0, 'no runtime dependencies');
});

test('an idle worker classifier does not keep Node running', () => {
  // Not disposed on purpose: the script must still end by itself once its work is done.
  const script = `import { load } from ${JSON.stringify(pathToFileURL(path.join(root, 'src/js/index.js')).href)};
    const c = await load({ worker: true });
    const [best] = await c.classify(new Uint8Array(${JSON.stringify([...Buffer.from('not an image')])})).catch((e) => [e.code]);
    console.log(best);`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(out.trim(), 'ERR_IMAGE');
});

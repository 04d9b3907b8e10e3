// load({ cache: true })'s store (src/js/cache.js): its CRC-32 against zlib's
// and the models' own checksums, and what it keeps, serves and drops, run
// against a stand-in for the browser's Cache Storage. The real Cache Storage
// is tested in Chromium and Firefox by tests/node/browser.test.js.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { crc32 as zlibCrc32 } from 'node:zlib';
import path from 'node:path';
import { crc32, readCached } from '../../src/js/cache.js';
import { load, ArgumentError } from '../../src/js/index.js';
import { root, photosDir } from './helpers.js';

const files = ['models/default.sqz', 'models/squeezenet1_1.sqz', 'dist/squeezenet.wasm'];

test('crc32 is zlib\'s CRC-32, and each model\'s stated checksum (bytes 12-15) is that of bytes 16 on', async () => {
  assert.equal(crc32(new Uint8Array(0)), 0);
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);   // the standard check value
  for (const file of files) {
    const bytes = await readFile(path.join(root, file));
    assert.equal(crc32(bytes), zlibCrc32(bytes), file);
    if (file.endsWith('.sqz')) assert.equal(crc32(bytes.subarray(16)), bytes.readUInt32LE(12), file);
  }
});

/** A stand-in for one Cache of Cache Storage: URL → stored bytes and headers. */
function fakeCaches() {
  const entries = new Map();
  const cache = {
    match: async (url) => (entries.has(url) ? new Response(entries.get(url).body, { headers: entries.get(url).headers }) : undefined),
    put: async (url, response) => { entries.set(url, { body: new Uint8Array(await response.arrayBuffer()), headers: response.headers }); },
    delete: async (url) => entries.delete(url),
  };
  globalThis.caches = { open: async () => cache };
  return entries;
}
afterEach(() => { delete globalThis.caches; });

function counting(bytes) {
  const reader = async () => { reader.calls++; return bytes.slice(); };
  reader.calls = 0;
  return reader;
}

test('a kept file is served from the cache, checked; a damaged one is dropped and read again', async () => {
  for (const file of files) {
    const kind = file.endsWith('.sqz') ? 'model' : 'wasm';
    const bytes = new Uint8Array(await readFile(path.join(root, file)));
    const url = new URL(`https://example.test/${file}`);
    const entries = fakeCaches();
    const read = counting(bytes);
    assert.deepEqual(await readCached(url, kind, read), bytes);
    assert.equal(read.calls, 1);
    assert.equal(entries.size, 1, `${file} is kept`);
    const progress = [];
    assert.deepEqual(await readCached(url, kind, read, (...p) => progress.push(p)), bytes);
    assert.equal(read.calls, 1, `${file} came from the cache`);
    assert.deepEqual(progress, [[bytes.length, bytes.length]]);

    // One byte changed, then the file cut short: neither is used.
    for (const damage of [(b) => { b[b.length >> 1] ^= 1; return b; }, (b) => b.subarray(0, b.length - 4)]) {
      const entry = entries.get(url.href);
      entries.set(url.href, { ...entry, body: damage(entry.body.slice()) });
      assert.deepEqual(await readCached(url, kind, read), bytes, `${file}: the network's bytes, not the damaged ones`);
      assert.deepEqual(entries.get(url.href).body, bytes, `${file} is kept whole again`);
    }
    assert.equal(read.calls, 3);
  }
});

test('a model whose own checksum is wrong is not kept; nothing is kept for file: URLs', async () => {
  const good = new Uint8Array(await readFile(path.join(root, 'models/default.sqz')));
  const bad = good.slice();
  bad[100] ^= 0xff;
  const entries = fakeCaches();
  assert.deepEqual(await readCached(new URL('https://example.test/bad.sqz'), 'model', counting(bad)), bad);
  assert.equal(entries.size, 0);
  await readCached(new URL(`file://${path.join(root, 'models/default.sqz')}`), 'model', counting(good));
  assert.equal(entries.size, 0);
});

test('load({ cache }) takes true or false; in Node (no Cache Storage) it changes nothing', async () => {
  for (const cache of ['yes', 1, null]) {
    await assert.rejects(load({ cache }), (e) => e instanceof ArgumentError && /^cache must be true or false/.test(e.message));
  }
  const photo = await readFile(path.join(photosDir, 'n01440764_tench.JPEG'));
  const plain = await load({ model: 'squeezenet1_0' });
  const cached = await load({ model: 'squeezenet1_0', cache: true });
  assert.deepEqual(await cached.classify(photo), await plain.classify(photo));
  plain.dispose();
  cached.dispose();
});

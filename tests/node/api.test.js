// The package API (src/js/index.js) in Node, checked against the independent
// reference predictions in ../shared/reference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { load } from '../../src/js/index.js';
import { photosDir, predictions } from './helpers.js';

const PHOTOS = ['n01440764_tench.JPEG', 'n01530575_brambling.JPEG'];

test('load() defaults to squeezenet1_1 and reports its metadata', async () => {
  const c = await load();
  try {
    assert.equal(c.info.name, 'squeezenet1_1');
    assert.equal(c.info.inputWidth, 224);
    assert.equal(c.info.inputHeight, 224);
    assert.equal(c.info.numClasses, 1000);
    assert.equal(c.info.labels.length, 1000);
    assert.equal(c.info.labels[0], 'tench');
    const file = await readFile(new URL('../../models/squeezenet1_1.sqz', import.meta.url));
    assert.equal(c.info.byteSize, file.length);
  } finally {
    c.dispose();
  }
});

test('classify(encoded bytes) matches the reference top-5 of both models', async () => {
  for (const name of ['squeezenet1_1', 'squeezenet1_0']) {
    const c = await load({ model: name });
    const reference = await predictions(name);
    for (const photo of PHOTOS) {
      const results = await c.classify(await readFile(path.join(photosDir, photo)));
      assert.deepEqual(results.map((r) => r.index), reference[photo].top5, `${name} ${photo}`);
      assert.deepEqual(results.map((r) => r.label), results.map((r) => c.info.labels[r.index]));
      for (let i = 1; i < results.length; i++) assert.ok(results[i - 1].probability >= results[i].probability);
    }
    c.dispose();
  }
});

// Heatmaps and output controls through the wasm engine and the package
// (main thread and worker):
// - quadrants (tests/heatmap/make_quadrants.py, Pillow): a photo shrunk to a
//   quarter of a grey canvas, in each quadrant in turn; the top class's map,
//   its peak cell mapped to picture pixels through `region`, peaks in that
//   quadrant for at least 90% of the 40 cases per model (and for pictures
//   stored sideways with EXIF orientation 6, in upright pixels);
// - each map with its ring averages, in double, to the engine's logit;
// - the worker gives the main thread's maps bit for bit;
// - the filters against the unfiltered 1000 filtered here, labels mapped to
//   every class of that name, bad values refused naming them.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { load, ArgumentError } from '../../src/js/index.js';
import { photosDir, MODELS, engineWithModel } from './helpers.js';
import { makeQuadrants, peakQuadrant } from './quadrants.js';

let cases = [];

before(() => { cases = makeQuadrants(mkdtempSync(path.join(tmpdir(), 'sqz-heatmap-'))); });

for (const name of MODELS) {
  test(`${name}: the top class's map peaks in the photo's quadrant (in-thread and worker)`, async () => {
    const classifiers = [await load({ model: name, threads: 1 }), await load({ model: name, worker: true })];
    let hits = 0, count = 0, exifHits = 0, exifCount = 0;
    try {
      for (const c of cases.filter((x) => x.model === name)) {
        const bytes = readFileSync(c.file);
        const [[mine], [theirs]] = await Promise.all(classifiers.map((k) => k.classify(bytes, { top: 1, heatmaps: true })));
        assert.equal(theirs.index, mine.index);
        assert.deepEqual(theirs.heatmap, mine.heatmap, `${c.file}: the worker's map differs`);
        const { heatmap } = mine;
        assert.ok(heatmap.data instanceof Float32Array && heatmap.data.length === heatmap.width * heatmap.height);
        assert.equal(heatmap.width, 13);
        assert.equal(heatmap.height, 13);
        const hit = peakQuadrant(heatmap, c.width, c.height) === c.quadrant;
        if (c.orientation === 1) { count++; hits += hit; } else { exifCount++; exifHits += hit; }
      }
    } finally {
      for (const k of classifiers) k.dispose();
    }
    console.log(`${name}: peaks in the photo's quadrant for ${hits}/${count}, with EXIF orientation 6 ${exifHits}/${exifCount}`);
    assert.equal(count, 40);
    assert.ok(hits >= 36, `${name}: ${hits}/40 quadrant hits (at least 90%)`);
    assert.equal(exifCount, 4);
    assert.ok(exifHits >= 3, `${name}: ${exifHits}/4 EXIF-oriented hits`);
  });

  test(`${name}: every map with its ring averages to the logit`, async () => {
    const { engine, model, info } = await engineWithModel(name);
    let checked = 0;
    for (const c of cases.filter((x) => x.model === name).slice(0, 3)) {
      engine.classifyImage(model, readFileSync(c.file));
      const logits = engine.logits(model, info.numClasses);
      for (let k = 0; k < info.numClasses; k += 7) {
        const map = engine.classMap(model, k);
        assert.equal(map.ring.cells, name === 'squeezenet1_0' ? 56 : 0);
        let sum = 0, magnitude = 0;
        for (const v of map.data) { sum += v; magnitude += Math.abs(v); }
        const cells = map.data.length + map.ring.cells;
        const mean = (sum + map.ring.cells * map.ring.value) / cells;
        const scale = (magnitude + map.ring.cells * Math.abs(map.ring.value)) / cells + 1e-6;
        assert.ok(Math.abs(mean - logits[k]) / scale < 1e-5, `class ${k}: the map averages to ${mean}, logit ${logits[k]}`);
        checked++;
      }
      assert.equal(engine.classMap(model, info.numClasses), null);
      assert.equal(engine.classMap(model, -1), null);
    }
    engine.freeModel(model);
    assert.equal(checked, 3 * 143);
  });
}

test('output controls: minProbability, allow, deny against the unfiltered 1000', async () => {
  const classifier = await load({ model: 'squeezenet1_1', threads: 1 });
  const { labels } = classifier.info;
  const bytes = readFileSync(path.join(photosDir, 'n01440764_tench.JPEG'));
  const all = await classifier.classify(bytes, { top: 1000 });
  const expect = (top, keep) => all.filter(keep).slice(0, top).map((p) => p.index);
  const got = async (options) => (await classifier.classify(bytes, options)).map((p) => p.index);
  const [t0, t1, t2, t3] = all.map((p) => p.index);
  const cranes = labels.flatMap((l, i) => (l === 'crane' ? [i] : []));
  assert.equal(cranes.length, 2, 'ImageNet has two classes called crane');
  const cases = [
    [{ top: 5, minProbability: 0.01 }, (p) => p.probability >= Math.fround(0.01)],
    [{ top: 1000, minProbability: 1e-4 }, (p) => p.probability >= Math.fround(1e-4)],
    [{ top: 5, minProbability: 1 }, (p) => p.probability >= 1],
    [{ top: 5, deny: [labels[t0], t1] }, (p) => p.index !== t0 && p.index !== t1],
    [{ top: 3, allow: ['crane', t3, labels[t2], t3] }, (p) => [...cranes, t2, t3].includes(p.index)],
    [{ top: 5, allow: [t2, 'crane'], deny: ['crane'] }, (p) => p.index === t2],
    [{ top: 5, allow: [] }, () => true],
    [{ top: 20, deny: [t0], minProbability: 0.001 }, (p) => p.index !== t0 && p.probability >= Math.fround(0.001)],
  ];
  for (const [options, keep] of cases) {
    assert.deepEqual(await got(options), expect(options.top, keep), JSON.stringify(options));
  }
  assert.deepEqual(await got({ top: 2, deny: [t0] }), [t1, t2], 'deny must change the result');
  assert.deepEqual(await got({ top: 1, allow: [t3] }), [t3], 'allow must change the result');
  const worker = await load({ model: 'squeezenet1_1', worker: true });
  assert.deepEqual((await worker.classify(bytes, { top: 3, allow: ['crane', t2] })).map((p) => p.index),
    expect(3, (p) => [...cranes, t2].includes(p.index)), 'the worker filters the same');
  worker.dispose();

  const bad = [
    [{ minProbability: 1.5 }, /1\.5/], [{ minProbability: -0.1 }, /-0\.1/], [{ minProbability: NaN }, /NaN/],
    [{ minProbability: '0.5' }, /'0\.5'/], [{ allow: ['no such class'] }, /'no such class'/],
    [{ deny: [1000] }, /1000/], [{ deny: [-1] }, /-1/], [{ allow: [2.5] }, /2\.5/], [{ allow: 'tench' }, /'tench'/],
    [{ deny: [null] }, /null/], [{ heatmaps: 'yes' }, /'yes'/],
  ];
  for (const [options, names] of bad) {
    await assert.rejects(classifier.classify(bytes, options), (e) => e instanceof ArgumentError && names.test(e.message),
      `${JSON.stringify(options)} must be refused naming the value`);
  }
  assert.equal((await classifier.classify(bytes, { top: 1 }))[0].index, t0, 'still works after refusals');
  classifier.dispose();
});

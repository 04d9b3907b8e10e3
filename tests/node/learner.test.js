// Teaching your own classes through the JS API (classifier.embed,
// classifier.learner), on the clothing task of ../shared/testdata/clothing:
// - the default model and squeezenet1_1, 10 and 30 photos per class, reach
//   the README's reference accuracies (independent PyTorch) within 2 points;
// - the taught model (toModel), loaded again, gives learner.classify()'s
//   top-1 on every validation photo; its size is within the bound;
// - the same examples give the same head in a worker and natively
//   (build/train_head_tool: sqz_train_head compiled by gcc);
// - embeddings: unit length by default, the raw ones scaled;
// - misuse is an ArgumentError (ModelError for a model) saying what is wrong,
//   and a failed add() leaves the learner as it was; a taught model continues.
// Each photo is embedded once per model; the learners take those embeddings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { load, ArgumentError, ImageError, ModelError, DisposedError } from '../../src/js/index.js';
import { createEngine } from '../../src/js/engine.js';
import { root } from './helpers.js';
import { clothingPhotos, referenceAccuracy } from './clothing.js';

const train = clothingPhotos('train');
const validation = clothingPhotos('validation');
const classNames = [...new Set(train.map((p) => p.label))];
const tmp = mkdtempSync(path.join(tmpdir(), 'sqz-learner-'));
const trainHeadTool = path.join(root, 'build/train_head_tool');

async function embedAll(classifier, photos) {
  const out = [];
  for (const photo of photos) out.push(await classifier.embed(readFileSync(photo.file), { normalize: false }));
  return out;
}

/** A taught model's head, read by the engine: { labels, weights, bias }. */
async function headOf(bytes) {
  const engine = await createEngine(readFileSync(path.join(root, 'dist/squeezenet.wasm')));
  return engine.readTaughtHead(bytes);
}

const bytesOf = (floats) => Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength);

/** The same examples trained natively: weights then bias, as bytes. */
function trainNatively(embeddings, labels, dim, classes) {
  const header = Int32Array.of(labels.length, dim, classes);
  const input = path.join(tmp, 'examples.bin'), output = path.join(tmp, 'head.bin');
  writeFileSync(input, Buffer.concat([bytesOf(header), bytesOf(Int32Array.from(labels)), bytesOf(embeddings)]));
  execFileSync(trainHeadTool, [input, output]);
  return readFileSync(output);
}

for (const [model, network] of [['default', 'squeezenet1_0'], ['squeezenet1_1', 'squeezenet1_1']]) {
  test(`${model}: taught through the learner, 10 and 30 per class, as the reference; the taught model agrees`, async () => {
    assert.equal(train.length, 300);
    assert.equal(validation.length, 341);
    assert.equal(classNames.length, 10);
    const reference = referenceAccuracy(network);
    const classifier = await load({ model });
    const base = readFileSync(path.join(root, 'models', `${model}.sqz`));
    try {
      assert.equal(classifier.info.name, network);
      const dim = classifier.info.embeddingSize;
      assert.equal(dim, 512);
      const trainEmbeddings = await embedAll(classifier, train);
      const validationEmbeddings = await embedAll(classifier, validation);

      // embed() by default: the raw embedding scaled to unit length.
      for (const photo of [train[0], validation[100]]) {
        const unit = await classifier.embed(readFileSync(photo.file));
        const raw = await classifier.embed(readFileSync(photo.file), { normalize: false });
        const length = Math.hypot(...raw);
        assert.ok(length > 1.5, `raw embedding of length ${length}`);
        assert.ok(Math.abs(Math.hypot(...unit) - 1) < 1e-6);
        raw.forEach((v, i) => assert.ok(Math.abs(unit[i] - v / length) < 1e-7, `value ${i}`));
      }

      const taught = {};
      for (const [r, perClass] of [10, 30].entries()) {
        const learner = classifier.learner();
        const picked = train.map((p, i) => i).filter((i) => train[i].rank < perClass);
        for (const i of picked) await learner.add(trainEmbeddings[i], train[i].label);
        assert.deepEqual(learner.classes, classNames.map((label) => ({ label, examples: perClass })));
        const report = await learner.train();
        assert.equal(report.classes, 10);
        assert.equal(report.examples, 10 * perClass);
        assert.ok(report.trainAccuracy > 0.9 && report.trainAccuracy <= 1, `training accuracy ${report.trainAccuracy}`);
        assert.ok(Number.isFinite(report.loss) && report.loss > 0 && report.ms > 0 && report.iterations > 0);
        const predicted = [];
        for (const e of validationEmbeddings) predicted.push((await learner.classify(e, { top: 1 }))[0]);
        const right = predicted.filter((p, i) => p.label === validation[i].label).length;
        const accuracy = (100 * right) / validation.length;
        console.log(`${model}, ${perClass} per class: validation ${accuracy.toFixed(1)}% (${right}/${validation.length}), ` +
          `reference ${reference[r]}%; training accuracy ${report.trainAccuracy.toFixed(3)}, ${report.iterations} ` +
          `iterations, ${report.ms.toFixed(0)} ms`);
        assert.ok(Math.abs(accuracy - reference[r]) <= 2,
          `${accuracy.toFixed(1)}% is not within 2 points of the reference ${reference[r]}%`);

        // The taught model: within the size bound, the head as trained, and
        // the same head natively and in a worker for the same examples.
        const bytes = learner.toModel();
        const labelBytes = classNames.reduce((sum, label) => sum + Buffer.byteLength(label), 0);
        assert.ok(bytes.length <= base.length + 4 * dim * 10 + labelBytes,
          `${bytes.length} bytes: over ${base.length} + 4 × ${dim} × 10 + ${labelBytes}`);
        const head = await headOf(bytes);
        assert.deepEqual(head.labels, classNames);
        const native = trainNatively(Float32Array.from(picked.flatMap((i) => [...trainEmbeddings[i]])),
          picked.map((i) => classNames.indexOf(train[i].label)), dim, 10);
        assert.ok(native.equals(Buffer.concat([bytesOf(head.weights), bytesOf(head.bias)])),
          'the head trained natively has other bytes');
        const inWorker = await load({ model, worker: true });
        try {
          const other = inWorker.learner();
          for (const i of picked) await other.add(trainEmbeddings[i], train[i].label);
          await other.train();
          assert.ok(Buffer.from(other.toModel()).equals(Buffer.from(bytes)), 'the worker taught other bytes');
        } finally {
          inWorker.dispose();
        }
        taught[perClass] = { bytes, predicted, learner };
      }

      // Loaded again, the taught model (30 per class) gives the learner's
      // top-1 on every validation photo; images and embeddings agree.
      const { bytes, predicted, learner } = taught[30];
      const loaded = await load({ model: bytes });
      try {
        assert.equal(loaded.info.name, `${network}-taught`);
        assert.deepEqual(loaded.info.labels, classNames);
        let same = 0;
        for (const [i, photo] of validation.entries()) {
          const [best] = await loaded.classify(readFileSync(photo.file), { top: 1 });
          assert.equal(best.label, predicted[i].label, `${photo.file}: the taught model says ${best.label}`);
          assert.ok(Math.abs(best.probability - predicted[i].probability) < 1e-4, photo.file);
          same++;
        }
        assert.equal(same, validation.length);
        for (const photo of validation.slice(0, 3)) {
          const fromImage = await learner.classify(readFileSync(photo.file));
          const fromEmbedding = await learner.classify(await classifier.embed(readFileSync(photo.file), { normalize: false }));
          assert.deepEqual(fromImage, fromEmbedding);
          assert.equal(fromImage.length, 5);
        }
      } finally {
        loaded.dispose();
      }
    } finally {
      classifier.dispose();
    }
  });
}

test('build/train_head_tool exists (the native side of the comparison above)', () => {
  assert.ok(existsSync(trainHeadTool), `${trainHeadTool} is missing: build with CMake`);
});

const photo = (i) => readFileSync(train[i].file);

test('embed(): the same bits on 1 and 2 threads, in the thread and in a worker; options checked', async () => {
  const runs = [];
  for (const options of [{ threads: 1 }, { threads: 2 }, { threads: 2, worker: true }]) {
    const classifier = await load({ model: 'squeezenet1_1', ...options });
    try {
      assert.equal(classifier.info.threads, options.threads);
      runs.push([await classifier.embed(photo(0)), await classifier.embed(photo(40), { normalize: false })]);
      await assert.rejects(classifier.embed(photo(0), { normalize: 'no' }), /normalize must be true or false, not 'no'/);
      await assert.rejects(classifier.embed(photo(0), { top: 1 }), /unknown embed\(\) option 'top'/);
      await assert.rejects(classifier.embed(new Uint8Array(4)), ImageError);
    } finally {
      classifier.dispose();
    }
  }
  for (const run of runs.slice(1)) {
    run.forEach((e, i) => assert.ok(Buffer.from(e.buffer).equals(Buffer.from(runs[0][i].buffer)), 'other bits'));
  }
  assert.equal(runs.length, 3);
});

async function rejects(promise, Class, pattern) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof Class, `${e.name}: ${e.message}`);
    assert.match(e.message, pattern);
    return true;
  });
}

for (const worker of [false, true]) {
  test(`learner misuse is an ArgumentError saying what is wrong; a failed add changes nothing (${worker ? 'worker' : 'in-thread'})`, async () => {
    const classifier = await load({ model: 'squeezenet1_1', worker });
    try {
      const learner = classifier.learner();
      await rejects(learner.train(), ArgumentError, /two classes or more.*none/);
      await rejects(learner.classify(photo(0)), ArgumentError, /train\(\) first/);
      assert.throws(() => learner.toModel(), (e) => e instanceof ArgumentError && /train\(\) first/.test(e.message));
      const badLabels = [[3, /non-empty string, not number/], ['', /not an empty string/], [null, /not null/],
        [['a'], /not an array/], ['a,b', /"a,b" contains a comma/], ['tab\there', /control character/],
        ['n01440764 tench', /synset id/], ['x'.repeat(256), /256 bytes/]];
      for (const [label, reason] of badLabels) await rejects(learner.add(photo(0), label), ArgumentError, reason);
      assert.deepEqual(learner.classes, []);
      await learner.add(photo(0), 'hat ☂');
      await rejects(learner.add(new Uint8Array([1, 2, 3]), 'hat ☂'), ImageError, /decode/);
      await rejects(learner.add(new Uint8Array([1, 2, 3]), 'new'), ImageError, /decode/);
      await rejects(learner.add(photo(0), 'hat ☂', { top: 3 }), ArgumentError, /unknown add\(\) option 'top'/);
      await rejects(learner.add(photo(0), 'hat ☂', { orientation: 'sideways' }), ArgumentError, /orientation/);
      const raw = await classifier.embed(photo(1), { normalize: false });
      const unit = await classifier.embed(photo(1));
      await rejects(learner.add(unit, 'new'), ArgumentError, /unit length.*normalize: false/);
      await rejects(learner.add(raw.subarray(1), 'new'), ArgumentError, /512 values.*not 511/);
      await rejects(learner.add(raw.map((v, i) => (i === 7 ? NaN : v)), 'new'), ArgumentError, /not negative.*NaN/);
      assert.deepEqual(learner.classes, [{ label: 'hat ☂', examples: 1 }], 'a failed add changed the learner');
      await rejects(learner.train(), ArgumentError, /two classes or more.*one \('hat ☂'\)/);
      assert.throws(() => learner.remove('shoes'), (e) => e instanceof ArgumentError && /no class 'shoes'.*'hat ☂'/.test(e.message));
      await learner.add(raw, 'shoes');
      await learner.add(photo(35), 'shoes');
      assert.deepEqual(learner.classes, [{ label: 'hat ☂', examples: 1 }, { label: 'shoes', examples: 2 }]);
      const report = await learner.train();
      assert.equal(report.examples, 3);
      await rejects(learner.classify(photo(0), { top: 3 }), ArgumentError, /top must be an integer from 1 to 2/);
      const [best, second] = await learner.classify(photo(0));
      assert.equal(best.label, 'hat ☂');
      assert.equal(second.label, 'shoes');
      assert.ok(Math.abs(best.probability + second.probability - 1) < 1e-9);
      // Examples join in call order, and train() counts the adds still running.
      const ordered = classifier.learner();
      const adds = [ordered.add(new Blob([photo(2)]), 'first'), ordered.add(raw, 'second'),
        ordered.add(new Uint8Array(2), 'never'), ordered.add(raw, 'first')].map((p) => p.then(() => null, (e) => e));
      assert.equal((await ordered.train()).examples, 3);
      assert.deepEqual(ordered.classes, [{ label: 'first', examples: 2 }, { label: 'second', examples: 1 }]);
      const failures = await Promise.all(adds);
      assert.ok(failures[2] instanceof ImageError && /decode/.test(failures[2].message), String(failures[2]));
      assert.deepEqual([failures[0], failures[1], failures[3]], [null, null, null]);
      // Changes to the examples count from the next train().
      learner.remove('shoes');
      assert.deepEqual(learner.classes, [{ label: 'hat ☂', examples: 1 }]);
      assert.equal((await learner.classify(photo(0))).length, 2);
      learner.clear();
      assert.deepEqual(learner.classes, []);
      assert.equal(learner.toModel().length > 0, true);
      assert.throws(() => classifier.learner('model.sqz'), (e) => e instanceof ArgumentError && /bytes of a taught \.sqz/.test(e.message));
    } finally {
      classifier.dispose();
    }
  });

  test(`a taught model continues: its classes and head at once, new examples for every class (${worker ? 'worker' : 'in-thread'})`, async () => {
    const classifier = await load({ model: 'squeezenet1_1', worker });
    const other = await load({ model: 'default', worker });
    try {
      const first = classifier.learner();
      await first.add(photo(0), 'dress');
      await first.add(photo(30), 'hat');
      await first.train();
      const saved = first.toModel();
      const learner = classifier.learner(saved.buffer);
      assert.deepEqual(learner.classes, [{ label: 'dress', examples: 0 }, { label: 'hat', examples: 0 }]);
      assert.deepEqual(await learner.classify(photo(1)), await first.classify(photo(1)));
      assert.ok(Buffer.from(learner.toModel()).equals(Buffer.from(saved)));
      await learner.add(photo(60), 'longsleeve');
      await rejects(learner.train(), ArgumentError, /classes 'dress', 'hat' have no examples: add\(\) some, or remove\(\) them/);
      learner.remove('dress');
      await rejects(learner.train(), ArgumentError, /class 'hat' has no examples/);
      await learner.add(photo(31), 'hat');
      const report = await learner.train();
      assert.equal(report.classes, 2);
      assert.deepEqual((await headOf(learner.toModel())).labels, ['hat', 'longsleeve']);
      // Models it cannot continue.
      const base = readFileSync(path.join(root, 'models/squeezenet1_1.sqz'));
      assert.throws(() => classifier.learner(base), (e) => e instanceof ModelError && /not a taught model/.test(e.message));
      assert.throws(() => classifier.learner(saved.slice(0, 100)), (e) => e instanceof ModelError);
      assert.throws(() => other.learner(saved), (e) => e instanceof ModelError && /not taught on this classifier's network/.test(e.message));
      classifier.dispose();
      await rejects(learner.add(photo(0), 'hat'), DisposedError, /disposed/);
      assert.throws(() => learner.toModel(), DisposedError);
      assert.throws(() => classifier.learner(), DisposedError);
    } finally {
      classifier.dispose();
      other.dispose();
    }
  });
}

// The learner in headless Chromium and Firefox ESR, through the package on the page's origin
// (cross-origin isolated: two threads), in the page's thread and with
// worker: true (the page's own choice): beside a worker, reading and writing
// taught models run in one more engine instance made synchronously on the
// main thread. Both must teach the same bytes from the same photos; the
// taught model, loaded again, must give learner.classify()'s results; a
// taught model must continue.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BROWSERS, browsersSkipped, startBrowser } from './harness.js';
import { clothingPhotos } from '../node/clothing.js';

for (const name of BROWSERS) {
  describe(name, { skip: browsersSkipped }, () => {
    let browser;
    before(async () => { browser = await startBrowser({ browser: name }); });
    after(async () => { await browser?.close(); });

    test('a learner teaches, classifies and exports alike in the page and in a worker', { timeout: 300_000 }, async () => {
      const train = clothingPhotos('train').filter((p) => ['hat', 'shoes', 'pants'].includes(p.label) && p.rank < 4);
      const check = clothingPhotos('validation').filter((p) => ['hat', 'shoes', 'pants'].includes(p.label)).slice(0, 6);
      const encode = (list) => list.map((p) => ({ label: p.label, base64: readFileSync(p.file).toString('base64') }));
      const page = await browser.newPage();
      await page.goto(browser.url);
      const out = await page.evaluate(async ({ train, check }) => {
        const { load } = await import('/src/js/index.js');
        const blob = (p) => new Blob([Uint8Array.from(atob(p.base64), (c) => c.charCodeAt(0))], { type: 'image/jpeg' });
        const result = {};
        for (const worker of [false, true]) {
          const classifier = await load({ worker });
          const learner = classifier.learner();
          for (const p of train) await learner.add(blob(p), p.label);
          const report = await learner.train();
          const predictions = [];
          for (const p of check) predictions.push(await learner.classify(blob(p), { top: 1 }));
          const bytes = learner.toModel();
          const taught = await load({ model: bytes, worker });
          const loaded = [];
          for (const p of check) loaded.push(await taught.classify(blob(p), { top: 1 }));
          const continued = classifier.learner(bytes);
          result[worker ? 'worker' : 'page'] = {
            threads: classifier.info.threads, classes: learner.classes, report: { ...report, ms: 0 },
            predictions, loaded, bytes: Array.from(bytes), continuedClasses: continued.classes,
            continued: await continued.classify(blob(check[0]), { top: 1 }),
          };
          taught.dispose();
          classifier.dispose();
        }
        return result;
      }, { train: encode(train), check: encode(check) });
      assert.deepEqual(page.problems, []);
      const { page: inPage, worker } = out;
      assert.equal(worker.threads, 2, 'the isolated page runs two threads (the threaded engine beside the worker)');
      assert.deepEqual(inPage.classes, [{ label: 'hat', examples: 4 }, { label: 'pants', examples: 4 }, { label: 'shoes', examples: 4 }]);
      assert.equal(inPage.report.examples, 12);
      assert.deepEqual(worker.report, inPage.report);
      assert.deepEqual(worker.bytes, inPage.bytes, 'the worker taught other bytes');
      assert.deepEqual(worker.predictions, inPage.predictions);
      let right = 0;
      for (const r of [inPage, worker]) {
        r.predictions.forEach(([p], i) => {
          assert.equal(r.loaded[i][0].label, p.label, `photo ${i}: the taught model disagrees`);
          right += p.label === check[i].label;
        });
        assert.deepEqual(r.continuedClasses, inPage.classes.map(({ label }) => ({ label, examples: 0 })));
        assert.deepEqual(r.continued, r.predictions[0]);
      }
      assert.ok(right >= 8, `${right} of 12 right`);
    });
  });
}

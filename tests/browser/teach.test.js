// The page's Teach mode in headless Chromium, end to end: two classes from
// photos picked through their file inputs, a third recorded from the fake
// camera, predictions for dropped photos and the camera with the user's
// labels, the downloaded model loaded in Node, persistence across a reload,
// opening a taught model and clearing. The photos are the clothing task's
// (../shared/testdata/clothing): the class a photo belongs to is its folder,
// and the classes get names that are not the folders' (nor in any file
// name), so a right answer can only come from the taught head. Then, in
// Chromium and Firefox: the Teach mode once opened works with the server gone.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { BROWSERS, browsersSkipped, startBrowser, spawnServer, waitReady, readResults, shared } from './harness.js';
import { load } from '../../src/js/index.js';

const clothing = path.join(shared, 'testdata/clothing');
const photos = async (split, kind, n) => (await readdir(path.join(clothing, split, kind))).sort()
  .slice(0, n).map((f) => path.join(clothing, split, kind, f));

// The user's names for the three classes: shoes and hats from photos, the t-shirt from the camera.
const SHOES = 'Footwear', HATS = 'Headwear', SHIRTS = 'My T-shirts';
const PER_CLASS = 5;       // photos picked per class
const DROPPED = 2;         // more shoe photos dropped on their class
const RECORDED = 6;        // at least this many camera frames for the third class

let browser, session, page;   // page: Playwright's (the harness may wrap it)
let cameraPhoto, trainShoes, trainHats, validShoes, validHats;
let downloaded;            // { path, name, bytes }
let pagePredictions;       // a validation photo's predictions as the page showed them

// Chromium: its fake camera plays a chosen photo (Firefox's shows a generated picture).
describe('chromium', { skip: browsersSkipped }, () => {
  before(async () => {
    [cameraPhoto] = await photos('train', 't-shirt', 1);
    trainShoes = await photos('train', 'shoes', PER_CLASS + DROPPED);
    trainHats = await photos('train', 'hat', PER_CLASS);
    validShoes = await photos('validation', 'shoes', 3);
    validHats = await photos('validation', 'hat', 2);
    browser = await startBrowser({ camera: cameraPhoto });
    session = await browser.newPage();
    page = session.native ?? session;
    page.on('dialog', (d) => { page.dialogs = [...(page.dialogs ?? []), d.message()]; d.accept(); });
  });

  after(async () => {
    await browser?.close();
  });

  const cls = (name) => page.locator('.teach-class', { has: page.locator(`input[aria-label="Class name"]`) })
    .filter({ has: page.locator(`[aria-label="Add photos to ${name}"]`) });

  /** The classes the page shows: [{ name, examples, countText }]. */
  function readClasses() {
    return page.$$eval('#teach-classes .teach-class', (cards) => cards.map((c) => ({
      name: c.querySelector('input[aria-label="Class name"]').value,
      examples: Number(c.dataset.examples),
      countText: c.querySelector('.count').textContent,
    })));
  }

  /** Waits until the page has trained (or opened) a learner at least `n` times in all. */
  function waitTrained(n) {
    return page.waitForFunction((count) => Number(document.getElementById('teach-panel').dataset.trained || 0) >= count
      && !document.getElementById('teach-panel').dataset.training, n, { timeout: 120000 });
  }
  const trainedCount = () => page.$eval('#teach-panel', (p) => Number(p.dataset.trained || 0));

  /** The test photos' cards, newest first, once all have predictions. */
  async function readTests(n) {
    await page.waitForFunction((count) => {
      const cards = document.querySelectorAll('#teach-tests .result');
      return cards.length >= count && [...cards].every((c) => c.dataset.status === 'done' || c.dataset.status === 'error');
    }, n, { timeout: 60000 });
    return readResults(page, '#teach-tests');
  }

  /** Drops photos on `selector` (a DragEvent carrying them, as a drop from the desktop). */
  async function drop(selector, files) {
    const list = await Promise.all(files.map(async (f) => ({ name: path.basename(f), base64: (await readFile(f)).toString('base64') })));
    await page.$eval(selector, (target, items) => {
      const dt = new DataTransfer();
      for (const f of items) dt.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: 'image/jpeg' }));
      for (const type of ['dragenter', 'dragover', 'drop']) {
        target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
      }
    }, list);
  }
  const dropTestPhotos = (files) => drop('#teach-try', files);

  /** "Add class", then names the new class (its field has the focus). */
  async function addClass(name) {
    const fields = page.getByRole('textbox', { name: 'Class name' });
    const n = await fields.count();
    await page.getByRole('button', { name: 'Add class' }).click();
    await page.waitForFunction((count) => document.querySelectorAll('#teach-classes .class-name').length === count + 1
      && document.activeElement === document.querySelectorAll('#teach-classes .class-name')[count], n);
    assert.match(await fields.nth(n).inputValue(), /^Class \d+$/, 'a new class has a name to start with');
    await fields.nth(n).fill(name);
    await fields.nth(n).press('Enter');
    await page.waitForSelector(`[aria-label="Add photos to ${name}"]`, { state: 'attached' });
  }

  async function openTeach() {
    await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 60000 });
    const tab = page.getByRole('tab', { name: 'Teach' });
    if (await tab.getAttribute('aria-selected') !== 'true') await tab.click();
    await page.waitForSelector('#teach-add-class:not([disabled])', { timeout: 60000 });
  }

  test('two classes from photos picked through their file inputs', async () => {
    await page.goto(browser.url);
    // The Teach mode is not part of a first visit: loaded when its tab opens.
    await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 60000 });
    assert.equal(browser.requests.filter((u) => /teach/.test(u)).length, 0, 'no teach code before the tab opens');
    await openTeach();
    assert.ok(browser.requests.some((u) => u.endsWith('/teach.js')), 'teach.js loaded on opening the tab');
    assert.deepEqual(await readClasses(), []);

    for (const [name, files] of [[SHOES, trainShoes.slice(0, PER_CLASS)], [HATS, trainHats]]) {
      await addClass(name);
      await page.getByLabel(`Add photos to ${name}`).setInputFiles(files);
      await page.waitForFunction(([n, count]) => [...document.querySelectorAll('#teach-classes .teach-class')]
        .some((c) => c.querySelector('input').value === n && Number(c.dataset.examples) === count), [name, files.length]);
    }
    assert.deepEqual((await readClasses()).map(({ name, examples }) => ({ name, examples })),
      [{ name: SHOES, examples: PER_CLASS }, { name: HATS, examples: PER_CLASS }]);
    assert.match((await readClasses())[0].countText, new RegExp(`^${PER_CLASS} examples$`));
    // Photos dropped on a class are its examples.
    await drop(`.teach-class[aria-label="${SHOES}"]`, trainShoes.slice(PER_CLASS));
    await page.waitForFunction((n) => document.querySelector('.teach-class').dataset.examples === String(n), PER_CLASS + DROPPED);
    assert.equal(await page.$$eval('#teach-tests .result', (cards) => cards.length), 0, 'not taken as test photos');
    await waitTrained(1);
    await page.waitForFunction((n) => document.getElementById('teach-status').textContent.includes(`Trained on ${n} examples of 2 classes`),
      2 * PER_CLASS + DROPPED);
    assert.deepEqual(session.problems, []);
  });

  test('a class name must be unique and not empty; a refused name keeps the examples', async () => {
    const field = cls(HATS).getByRole('textbox', { name: 'Class name' });
    for (const [bad, why] of [[SHOES.toUpperCase(), /already is a class named “Footwear”/], ['   ', /needs a name/],
      ['hats, caps', /cannot be used: .*comma/]]) {   // the taught format's rule, from the learner
      await field.fill(bad);
      await field.press('Enter');
      await page.waitForFunction((re) => new RegExp(re).test(document.querySelector('.field-error:not([hidden])')?.textContent),
        why.source);
      assert.equal(await field.getAttribute('aria-invalid'), 'true');
    }
    // Still the old class, examples and all (its file input still names it).
    assert.equal(await cls(HATS).getAttribute('data-examples'), String(PER_CLASS));
    await field.fill(HATS);
    await field.press('Enter');
    assert.equal(await field.getAttribute('aria-invalid'), null);
    assert.equal(await cls(HATS).locator('.field-error').isHidden(), true);
  });

  test('a third class recorded by holding Record in front of the camera', async () => {
    await addClass(SHIRTS);
    const record = cls(SHIRTS).getByRole('button', { name: 'Record' });
    const before = await trainedCount();
    await record.hover();
    await page.mouse.down();   // held: frames are taken until it is let go
    await page.waitForFunction((n) => [...document.querySelectorAll('#teach-classes .teach-class')]
      .some((c) => c.querySelector('input').value === 'My T-shirts' && Number(c.dataset.examples) >= n), RECORDED, { timeout: 60000 });
    assert.equal(await record.getAttribute('aria-pressed'), 'true');
    assert.equal(await trainedCount(), before, 'no retraining while recording');
    await page.mouse.up();
    assert.equal(await record.getAttribute('aria-pressed'), 'false');
    await page.waitForTimeout(600);   // a frame in flight when let go may still land
    const recorded = Number(await cls(SHIRTS).getAttribute('data-examples'));
    await page.waitForTimeout(1000);
    assert.equal(Number(await cls(SHIRTS).getAttribute('data-examples')), recorded, 'recording stopped on release');
    assert.ok(recorded >= RECORDED, `${recorded} frames recorded`);

    // Held with the keyboard (Space) too.
    await record.focus();
    await page.keyboard.down(' ');
    await page.waitForFunction((n) => [...document.querySelectorAll('#teach-classes .teach-class')]
      .some((c) => c.querySelector('input').value === 'My T-shirts' && Number(c.dataset.examples) >= n), recorded + 2, { timeout: 60000 });
    await page.keyboard.up(' ');
    await page.waitForTimeout(600);
    await waitTrained(before + 1);
    const classes = await readClasses();
    assert.deepEqual(classes.map((c) => c.name), [SHOES, HATS, SHIRTS]);
    assert.ok(classes[2].examples >= recorded + 2);
    assert.match(await page.textContent('#teach-status'), /of 3 classes/);
  });

  test('live predictions with the user\'s labels: dropped photos and the camera', async () => {
    await dropTestPhotos([...validShoes, ...validHats]);
    const cards = await readTests(validShoes.length + validHats.length);
    const byName = Object.fromEntries(cards.map((c) => [c.name, c]));
    for (const [files, expected] of [[validShoes, SHOES], [validHats, HATS]]) {
      for (const f of files) {
        const card = byName[path.basename(f)];
        assert.equal(card.status, 'done', card.meta);
        assert.equal(card.labels[0], expected, `${path.basename(f)}: ${card.labels.join(', ')}`);
        assert.deepEqual([...card.labels].sort(), [SHOES, HATS, SHIRTS].sort(), 'the user\'s three labels');
        const sum = card.probabilities.reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - 1) < 0.003, `probabilities sum to ${sum}`);
      }
    }
    pagePredictions = { file: validShoes[0], ...byName[path.basename(validShoes[0])] };

    // Record started the camera, which still shows the t-shirt: its live prediction is the recorded class.
    assert.equal(await page.getByRole('button', { name: 'Stop camera' }).getAttribute('aria-pressed'), 'true');
    await page.waitForFunction(() => Number(document.getElementById('teach-camera').dataset.frames || 0) >= 3,
      null, { timeout: 60000 });
    assert.equal(await page.$eval('#teach-camera-predictions .label', (e) => e.textContent), SHIRTS);
    await browser.screenshot(session, 'teach');
    // On a phone-sized screen nothing overflows sideways.
    await page.setViewportSize({ width: 360, height: 740 });
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
    }));
    assert.ok(scrollWidth <= innerWidth, `page ${scrollWidth}px wide in a ${innerWidth}px screen`);
    await browser.screenshot(session, 'teach-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
    assert.deepEqual(session.problems, []);
  });

  test('Download model saves a .sqz that loads in Node and classifies with the same labels', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download model' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'taught-3-classes.sqz');
    const file = path.join(browser.temp, download.suggestedFilename());
    await download.saveAs(file);
    const bytes = new Uint8Array(await readFile(file));
    downloaded = { path: file, bytes };
    assert.ok(download.url().startsWith('blob:'), 'made in the page, not fetched');

    const taught = await load({ model: bytes });
    try {
      assert.deepEqual([...taught.info.labels], [SHOES, HATS, SHIRTS]);
      assert.equal(taught.info.numClasses, 3);
      const predictions = await taught.classify(await readFile(pagePredictions.file), { top: 3 });
      assert.deepEqual(predictions.map((p) => p.label), pagePredictions.labels, 'the page\'s ranking');
      predictions.forEach((p, i) => assert.ok(Math.abs(p.probability - pagePredictions.probabilities[i]) <= 0.001,
        `${p.label}: ${p.probability} in Node, ${pagePredictions.probabilities[i]} in the page`));
      const [shirt] = await taught.classify(await readFile(cameraPhoto), { top: 1 });
      assert.equal(shirt.label, SHIRTS, 'the camera\'s photo');
    } finally {
      taught.dispose();
    }
  });

  test('after a reload the classes and their examples are still there', async () => {
    const before = await readClasses();
    assert.equal(before.length, 3);
    await page.reload();
    await openTeach();
    await page.waitForFunction(() => document.getElementById('teach-panel').dataset.restored === '3', null, { timeout: 60000 });
    assert.deepEqual(await readClasses(), before);
    await waitTrained(1);   // retrained from the kept examples
    await dropTestPhotos([validShoes[0]]);
    const [card] = await readTests(1);
    assert.equal(card.labels[0], SHOES);
    assert.match(await page.textContent('#teach-storage'), /Kept on this device/);
  });

  test('classes belong to their base network: another model has its own, and refuses a model taught on this one', async () => {
    const restored = (n) => page.waitForFunction((count) => document.getElementById('teach-panel').dataset.restored === count
      && document.body.dataset.state === 'ready', String(n), { timeout: 60000 });
    const first = await page.$eval('#model-select', (s) => s.value);
    await page.selectOption('#model-select', 'squeezenet1_1');
    await page.waitForFunction(() => document.body.dataset.modelFile === 'squeezenet1_1' && document.body.dataset.state === 'ready',
      null, { timeout: 60000 });
    await restored(0);
    assert.deepEqual(await readClasses(), []);
    await page.getByLabel('Open model').setInputFiles(downloaded.path);
    await page.waitForSelector('#teach-error:not([hidden])');
    assert.match(await page.textContent('#teach-error'), /not taught on this classifier's network.*choose the model it was taught on/);
    assert.deepEqual(await readClasses(), []);
    await page.selectOption('#model-select', first);
    await page.waitForFunction((f) => document.body.dataset.modelFile === f && document.body.dataset.state === 'ready',
      first, { timeout: 60000 });
    await restored(3);
    assert.deepEqual((await readClasses()).map((c) => c.name), [SHOES, HATS, SHIRTS]);
  });

  test('Open model shows a taught model\'s classes and predicts with it at once', async () => {
    page.dialogs = [];
    await page.getByLabel('Open model').setInputFiles(downloaded.path);
    await page.waitForFunction(() => /Opened/.test(document.getElementById('teach-status').textContent), null, { timeout: 60000 });
    assert.equal(page.dialogs.length, 1, 'replacing the taught classes asked first');
    assert.match(page.dialogs[0], /Replace your 3 classes/);
    const classes = await readClasses();
    assert.deepEqual(classes.map((c) => c.name), [SHOES, HATS, SHIRTS]);
    assert.ok(classes.every((c) => c.examples === 0 && c.countText === 'from the opened model'));
    assert.equal(await page.getByRole('button', { name: 'Download model' }).isEnabled(), true);
    await page.getByRole('button', { name: 'Clear test photos' }).click();
    await dropTestPhotos([validShoes[0], validHats[0]]);
    const cards = await readTests(2);
    assert.equal(cards.find((c) => c.name === path.basename(validShoes[0])).labels[0], SHOES);
    assert.equal(cards.find((c) => c.name === path.basename(validHats[0])).labels[0], HATS);
    await page.getByRole('button', { name: 'Start camera' }).click();
    await page.waitForFunction(() => Number(document.getElementById('teach-camera').dataset.frames || 0) >= 2,
      null, { timeout: 60000 });
    assert.equal(await page.$eval('#teach-camera-predictions .label', (e) => e.textContent), SHIRTS);
    // A file that is not a taught model is refused and changes nothing.
    await page.getByLabel('Open model').setInputFiles({ name: 'notes.sqz', mimeType: 'application/octet-stream', buffer: Buffer.from('not a model') });
    await page.waitForSelector('#teach-error:not([hidden])');
    assert.match(await page.textContent('#teach-error'), /Could not open “notes\.sqz”: ./);
    assert.deepEqual((await readClasses()).map((c) => c.name), [SHOES, HATS, SHIRTS]);
  });

  test('Clear all classes empties the Teach mode, after asking, for good', async () => {
    page.dialogs = [];
    await page.getByRole('button', { name: 'Clear all classes' }).click();
    await page.waitForFunction(() => !document.querySelector('#teach-classes .teach-class'));
    assert.equal(page.dialogs.length, 1);
    assert.equal(await page.getByRole('button', { name: 'Download model' }).isDisabled(), true);
    await page.reload();
    await openTeach();
    await page.waitForFunction(() => document.getElementById('teach-panel').dataset.restored === '0', null, { timeout: 60000 });
    assert.deepEqual(await readClasses(), []);
    assert.deepEqual(session.problems, []);
    assert.ok(browser.requests.length > 10, 'requests were recorded');
    assert.deepEqual(browser.foreignRequests(), [], 'nothing left the device');
  });
});

// The service worker keeps the Teach mode's files once the tab has been
// opened; offline, the kept classes and examples train and predict again.
for (const name of BROWSERS) {
  describe(`${name}: offline`, { skip: browsersSkipped }, () => {
    let browser;
    before(async () => { browser = await startBrowser({ browser: name, server: false }); });
    after(() => browser?.close());

    test('the Teach mode, opened once, works with the server gone', { timeout: 240_000 }, async () => {
      const [shoes, hats, [validShoe]] = await Promise.all([photos('train', 'shoes', 4), photos('train', 'hat', 4),
        photos('validation', 'shoes', 1)]);
      const server = await spawnServer();
      browser.allow(server.origin);
      const context = await browser.newContext();
      const trained = (page) => page.waitForFunction(() => /^Trained on 8 examples of 2 classes/
        .test(document.getElementById('teach-status')?.textContent), null, { timeout: 60000 });
      try {
        let page = await context.newPage();
        await page.goto(`${server.url}#teach`);   // a reload's address: the Teach tab open
        await waitReady(page);
        await page.waitForFunction(() => document.body.dataset.offline === 'ready');
        await page.waitForSelector('#teach-add-class:not([disabled])');
        for (const files of [shoes, hats]) {
          const n = await page.$$eval('.teach-class', (cards) => cards.length);
          await page.clickButton(/^Add class$/);
          await page.waitForFunction((count) => document.querySelectorAll('.teach-class').length === count + 1, n);
          await page.setInputFiles(`.teach-class:nth-child(${n + 1}) input[type=file]`, files);
        }
        await trained(page);
        // What the tab fetched passed through the service worker: kept once written.
        await page.waitForFunction(async () => (await Promise.all(['teach.js', 'teach-store.js', 'teach.css']
          .map((f) => caches.match(new URL(f, location.href).href)))).every(Boolean));
        await page.close();

        await server.stop();
        page = await context.newPage();
        await page.goto(`${server.url}#teach`);
        await waitReady(page);
        await page.waitForFunction(() => document.getElementById('teach-panel').dataset.restored === '2');
        assert.deepEqual(await page.$$eval('.teach-class', (cards) => cards.map((c) => Number(c.dataset.examples))), [4, 4]);
        await trained(page);
        await page.drag('#teach-try', [{ name: 'shoe.jpg', type: 'image/jpeg', bytes: await readFile(validShoe) }]);
        await page.waitForFunction(() => document.querySelector('#teach-tests .result')?.dataset.status === 'done');
        assert.equal(await page.$eval('#teach-tests .result .label', (e) => e.textContent), 'Class 1', 'the shoes\' class');
        assert.deepEqual(page.problems.filter((p) => p.startsWith('page error')), []);
        await page.close();
      } finally {
        await server.stop();
        await context.close();
      }
    });
  });
}

// The web page in headless Chromium and Firefox ESR: every way a picture
// gets in (picker, drop, paste, camera), bad files, the model switch,
// keyboard and phone use, threads, and that nothing is requested outside
// the page's origin. Expected labels are the independent reference's
// (../shared/reference/<model>/predictions.json).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, stat } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import {
  BROWSERS, browsersSkipped, startBrowser, chromiumWithProfile, waitReady, waitModel, pickFiles, readResults, waitResults, bytesServed,
  referenceLabels, photosDir, root, artifacts,
} from './harness.js';
import { engineWithModel } from '../node/helpers.js';
import { DEFAULT_MODEL } from '../../src/js/index.js';

const TENCH = 'n01440764_tench.JPEG';
const ROBIN = 'n01558993_robin.JPEG';       // Chromium's fake camera's picture
const SEVERAL = ['n01843065_jacamar.JPEG', 'n02133161_American_black_bear.JPEG',
  'n03874599_padlock.JPEG', 'n04552348_warplane.JPEG'];
const photo = (name) => path.join(photosDir, name);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const references = {};   // network name → { photo → reference top-1 label }
const measured = {};     // browser → numbers

before(async () => {
  for (const net of ['squeezenet1_0', 'squeezenet1_1']) references[net] = await referenceLabels(net);
});

after(async () => {
  if (Object.keys(measured).length) {
    await writeFile(path.join(artifacts, 'measurements.json'), JSON.stringify(measured, null, 2) + '\n');
    console.log('# measured:', JSON.stringify(measured));
  }
});

/** The reference labels of the network the page has loaded (models/default.sqz is a copy of one). */
async function referenceOf(page) {
  const network = await page.evaluate(() => document.body.dataset.model);
  assert.ok(references[network], `a reference for the loaded network '${network}'`);
  return references[network];
}

function assertPredictions(card, expectedLabel) {
  assert.equal(card.status, 'done', `${card.name}: ${card.meta}`);
  assert.equal(card.labels.length, 5, `${card.name}: five predictions`);
  assert.equal(card.labels[0], expectedLabel, `${card.name}: top label`);
  for (let i = 1; i < 5; i++) assert.ok(card.probabilities[i] <= card.probabilities[i - 1], 'best first');
  assert.ok(card.probabilities.every((p) => p >= 0 && p <= 1));
  assert.match(card.meta, /\d+ ms/, 'inference time shown');
}

const jpeg = async (name, as = name) => ({ name: as, type: 'image/jpeg', bytes: await readFile(photo(name)) });

for (const name of BROWSERS) {
  describe(name, { skip: browsersSkipped }, () => {
    let browser;
    const numbers = {};
    before(async () => {
      measured[name] = numbers;
      browser = await startBrowser({ browser: name, camera: photo(ROBIN) });
    });
    after(() => browser?.close());

    test('a photo picked right after opening the page gets its reference label', async () => {
      const page = await browser.newPage();
      await page.goto(browser.url);
      // Pick at once: the photo waits for the model, like a user who is quick.
      await pickFiles(page, [photo(TENCH)]);
      await waitResults(page, 1);
      const [card] = await readResults(page);
      const reference = await referenceOf(page);
      assertPredictions(card, reference[TENCH]);
      assert.equal(card.name, TENCH);
      numbers.navigationToFirstPredictionMs = Math.round(await page.evaluate(
        () => performance.getEntriesByName('first-prediction')[0].startTime));
      numbers.navigationToModelReadyMs = Math.round(await page.evaluate(
        () => performance.getEntriesByName('model-ready')[0]?.startTime ?? NaN));

      // The model in use and its size (the .sqz file's size) are shown.
      const file = await page.$eval('#model-select', (s) => s.value);
      const modelBytes = (await stat(path.join(root, 'models', `${file}.sqz`))).size;
      const info = await page.textContent('#model-info');
      assert.ok(info.includes(await page.evaluate(() => document.body.dataset.model)), info);
      assert.ok(info.includes(`${(modelBytes / 1e6).toFixed(2)} MB`) || info.includes(`${(modelBytes / 1e3).toFixed(0)} KB`),
        `model size in "${info}"`);
      // The picture itself is shown.
      assert.ok(await page.$eval('#results .result img', (img) => img.complete && img.naturalWidth > 0));
      // Screen readers hear the result: the file, then the reference's label and the
      // card's probability (the file name holds the label too: match it all).
      await page.waitForFunction(() => document.getElementById('announcer').textContent.length > 0);
      const shown = await page.textContent('#results .result .predictions .probability');
      assert.match(shown, /^\d+\.\d%$/);
      assert.equal(await page.textContent('#announcer'), `${TENCH}: ${reference[TENCH]}, ${shown}`);
      assert.equal(await page.getAttribute('#announcer', 'aria-live'), 'polite');
      await browser.screenshot(page, 'upload');
      assert.deepEqual(page.problems, []);
      await page.close();
    });

    test('a progress bar follows the model download', async () => {
      // A first visit on a line slow enough for the default model to take about two seconds.
      const context = await browser.newContext();
      const page = await context.newPage();
      const modelBytes = (await stat(path.join(root, 'models', `${DEFAULT_MODEL}.sqz`))).size;
      const fast = browser.server.throttle(/\.sqz$/, modelBytes / 2);
      try {
        await page.goto(browser.url);
        const samples = [];
        while (await page.evaluate(() => document.body.dataset.state) !== 'ready') {
          samples.push(await page.evaluate(() => {
            const bar = document.getElementById('load-progress');
            return { visible: !document.getElementById('load-status').hidden, value: bar.position, label: document.getElementById('load-label').textContent };
          }));
          await sleep(50);
        }
        const partial = samples.filter((s) => s.visible && s.value > 0 && s.value < 1);
        assert.ok(partial.length >= 2, `the bar was seen part-way (${JSON.stringify(samples.slice(0, 40))})`);
        assert.ok(partial.every((s, i) => i === 0 || s.value >= partial[i - 1].value), 'the bar only moves forward');
        assert.match(partial[0].label, /^Loading .+…$/);
        assert.equal(await page.isHidden('#load-status'), true, 'the bar goes away once loaded');
      } finally {
        fast();
        await context.close();
      }
    });

    test('inference runs in a worker, not on the main thread', async () => {
      const page = await browser.newPage();
      browser.served.length = 0;
      await page.goto(browser.url);
      await waitReady(page);
      // The server was asked for the package's worker script (in both browsers)…
      assert.ok(browser.served.some((r) => r.path === '/src/js/worker.js' && r.status < 400), 'the worker script was loaded');
      // …and, where the driver lists workers, they run from the page's origin.
      const workers = page.workers();
      if (workers) {
        assert.ok(workers.length >= 1, 'the page started a worker');
        for (const w of workers) assert.equal(new URL(w).origin, browser.origin, `worker ${w} from the page's origin`);
      }
      assert.match(await page.textContent('#runtime-info'), /in a worker/);
      assert.match(await page.textContent('#runtime-info'), /cross-origin isolated: yes/);
      await page.close();
    });

    test('the isolated page classifies on 2 threads; from a static host without COOP/COEP, on one', async () => {
      let page = await browser.newPage();
      await page.goto(browser.url);
      await waitReady(page);
      assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
      assert.match(await page.textContent('#runtime-info'), /2 threads · cross-origin isolated: yes/);
      await pickFiles(page, [photo(TENCH)]);
      await waitResults(page, 1);
      assertPredictions((await readResults(page))[0], (await referenceOf(page))[TENCH]);
      assert.deepEqual(page.problems, []);
      await page.close();

      // The same files from a plain static host: no SharedArrayBuffer, so one thread.
      const plain = await browser.addServer({ plain: true });
      try {
        page = await browser.newPage();
        await page.goto(plain.url);
        await waitReady(page);
        assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
        assert.match(await page.textContent('#runtime-info'), /single-threaded · cross-origin isolated: no/);
        await pickFiles(page, [photo(TENCH)]);
        await waitResults(page, 1);
        assertPredictions((await readResults(page))[0], (await referenceOf(page))[TENCH]);
        assert.ok(plain.served.some((r) => r.path === '/dist/squeezenet.wasm'), 'the single-threaded engine ran');
        assert.deepEqual(page.problems, []);
        await page.close();
      } finally {
        await plain.close();
      }
    });

    test('the page runs the SIMD engine, or without WebAssembly SIMD the scalar one, and says which', async () => {
      const wasmOf = (page) => page.requests.filter((u) => /\.wasm$/.test(u)).map((u) => path.basename(new URL(u).pathname));
      let page = await browser.newPage();
      await page.goto(browser.url);
      await waitReady(page);
      assert.match(await page.textContent('#runtime-info'), /· WebAssembly SIMD · 2 threads ·/);
      assert.deepEqual(wasmOf(page), ['squeezenet-mt.wasm'], 'one engine downloaded');
      await page.close();

      // As in Safari before 16.4: WebAssembly.validate refuses SIMD (the package's feature test).
      page = await browser.newPage();
      await page.addInitScript(() => {
        const validate = WebAssembly.validate;
        WebAssembly.validate = (bytes) => !new Uint8Array(bytes).includes(0xfd) && validate(bytes);
      });
      await page.goto(browser.url);
      await waitReady(page);
      assert.match(await page.textContent('#runtime-info'), /· no WebAssembly SIMD: scalar engine · single-threaded ·/);
      await pickFiles(page, [photo(TENCH)]);
      await waitResults(page, 1);
      assertPredictions((await readResults(page))[0], (await referenceOf(page))[TENCH]);
      assert.deepEqual(wasmOf(page), ['squeezenet-scalar.wasm'], 'only the scalar engine downloaded');
      assert.deepEqual(page.problems, []);
      await page.close();
    });

    test('several dropped photos fill a grid, each with its reference label', async () => {
      const page = await browser.newPage();
      await page.goto(browser.url);
      await waitReady(page);
      const files = await Promise.all(SEVERAL.map((n) => jpeg(n)));
      await page.drag('#drop-zone', files, { drop: false });
      assert.ok(await page.$eval('#drop-zone', (z) => z.classList.contains('dragging')), 'drop zone highlights');
      await page.drag('#drop-zone', files);
      await waitResults(page, SEVERAL.length);
      const cards = await readResults(page);
      assert.deepEqual(cards.map((c) => c.name).sort(), [...SEVERAL].sort());
      const reference = await referenceOf(page);
      for (const card of cards) assertPredictions(card, reference[card.name]);
      assert.equal(await page.$eval('#drop-zone', (z) => z.classList.contains('dragging')), false, 'highlight gone');
      // A grid: more than one card per row on a desktop-sized window.
      const tops = await page.$$eval('#results .result', (els) => els.map((e) => e.getBoundingClientRect().top));
      assert.ok(new Set(tops).size < tops.length, 'cards share rows');
      await browser.screenshot(page, 'drop-several');
      // Clear empties the grid and gives the focus back to the picker.
      await page.clickButton(/^Clear results$/);
      assert.equal((await readResults(page)).length, 0);
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'pick-button');
      assert.equal(await page.isHidden('#clear-button'), true);
      assert.deepEqual(page.problems, []);
      await page.close();
    });

    test('a pasted image is classified', async () => {
      const page = await browser.newPage();
      await page.goto(browser.url);
      await waitReady(page);
      await page.paste([await jpeg(TENCH, 'image.jpg')]);
      await waitResults(page, 1);
      const [card] = await readResults(page);
      assertPredictions(card, (await referenceOf(page))[TENCH]);
      assert.equal(card.name, 'image.jpg');

      // Through the browser's own clipboard, as a PNG (what browsers put there):
      // the photo's pixels as Pillow decodes them, as the reference does.
      if (name === 'chromium') {
        const png = path.join(browser.temp, 'tench.png');
        execFileSync('/usr/bin/python3', ['-c', 'import sys; from PIL import Image; Image.open(sys.argv[1]).convert("RGB").save(sys.argv[2])',
          photo(TENCH), png]);
        await page.pasteFromClipboard(await readFile(png));
        await waitResults(page, 2);
        const [pasted] = await readResults(page);
        assertPredictions(pasted, (await referenceOf(page))[TENCH]);
        assert.equal(pasted.name, 'image.png', 'the name Chromium gives a pasted picture');
      }
      assert.deepEqual(page.problems, []);
      await page.close();
    });

    test('a WebP (which the engine does not decode) is decoded by the browser and classified', async () => {
      const page = await browser.newPage();
      await page.goto(browser.url);
      await waitReady(page);
      const webp = path.join(browser.temp, 'tench.webp');
      execFileSync('/usr/bin/python3', ['-c', 'import sys; from PIL import Image; Image.open(sys.argv[1]).save(sys.argv[2], quality=95)',
        photo(TENCH), webp]);
      await pickFiles(page, [webp]);
      await waitResults(page, 1);
      const [card] = await readResults(page);
      assertPredictions(card, (await referenceOf(page))[TENCH]);
      await page.close();
    });

    test('an unreadable file shows a clear error, and the next photo still works', async () => {
      const page = await browser.newPage();
      await page.goto(browser.url);
      await waitReady(page);
      const dir = browser.temp;
      const bad = {
        'not-a-photo.jpg': 'this is text, not a JPEG\n'.repeat(40),                 // the engine decodes it
        'truncated.jpg': (await readFile(photo(TENCH))).subarray(0, 300),
        'notes.txt': 'a text file\n',                                              // the browser tries it
      };
      for (const [file, bytes] of Object.entries(bad)) {
        await writeFile(path.join(dir, file), bytes);
        await pickFiles(page, [path.join(dir, file)]);
        await waitResults(page, 1);
      }
      await pickFiles(page, [photo(TENCH)]);
      await waitResults(page, 4);
      const [good, ...failed] = await readResults(page);   // newest first
      assert.deepEqual(failed.map((c) => c.name), Object.keys(bad).reverse());
      for (const card of failed) {
        const { name: file } = card;
        assert.equal(card.status, 'error', `${file} is reported as an error`);
        assert.ok(card.meta.includes(`Could not read “${file}”`), `error names the file: ${card.meta}`);
        assert.ok(card.meta.length > `Could not read “${file}”: `.length + 5, 'error says why');
        assert.equal(card.metaRole, 'alert');
        assert.equal(card.labels.length, 0);
      }
      assertPredictions(good, (await referenceOf(page))[TENCH]);
      await browser.screenshot(page, 'corrupt-then-good');
      await page.close();
    });

    test('switching the model loads it and classifies with it', async () => {
      const page = await browser.newPage();
      await page.goto(browser.url);
      await waitReady(page);
      const options = await page.$$eval('#model-select option', (os) => os.map((o) => o.value));
      assert.ok(options.includes('squeezenet1_0') && options.includes('squeezenet1_1'), `models offered: ${options}`);
      // Switch to the other network than the one loaded first.
      const target = await page.evaluate(() => document.body.dataset.model) === 'squeezenet1_0' ? 'squeezenet1_1' : 'squeezenet1_0';
      await page.selectOption('#model-select', target);
      await waitModel(page, target);
      assert.ok((await page.textContent('#model-info')).includes(target));
      await pickFiles(page, [photo(TENCH), photo(SEVERAL[0])]);
      await waitResults(page, 2);
      for (const card of await readResults(page)) {
        assertPredictions(card, references[target][card.name]);
        assert.match(card.meta, target === 'squeezenet1_0' ? /SqueezeNet 1\.0$/ : /SqueezeNet 1\.1$/);
      }
      await page.close();
    });

    test('a model that fails to load is reported, and the previous one stays in use', async () => {
      const page = await browser.newPage();
      await page.goto(browser.url);
      await waitReady(page);
      const first = await page.$eval('#model-select', (s) => s.value);
      const target = (await page.evaluate(() => document.body.dataset.model)) === 'squeezenet1_0' ? 'squeezenet1_1' : 'squeezenet1_0';
      const title = target === 'squeezenet1_0' ? 'SqueezeNet 1\\.0' : 'SqueezeNet 1\\.1';
      // The server's file replaced by garbage of the same name.
      const restore = browser.server.replace(`/models/${target}.sqz`, 'not a model at all'.repeat(10));
      try {
        await page.selectOption('#model-select', target);
        await page.waitForSelector('#error:not([hidden])');
        assert.match(await page.textContent('#error'), new RegExp(`Could not load the model ${title}: .`));
        await page.waitForFunction(() => document.body.dataset.state === 'ready');
        assert.equal(await page.$eval('#model-select', (s) => s.value), first, 'the switch shows the model in use');
        await browser.screenshot(page, 'model-load-error');
        await pickFiles(page, [photo(TENCH)]);
        await waitResults(page, 1);
        const [card] = await readResults(page);
        assertPredictions(card, (await referenceOf(page))[TENCH]);
        assert.doesNotMatch(card.meta, new RegExp(title));
      } finally {
        restore();
      }
      await page.close();
    });

    test('webcam mode classifies the camera continuously and stops', async () => {
      const page = await browser.newPage();
      await page.goto(browser.url);
      await waitReady(page);
      assert.equal(await page.getAttribute('#camera-button', 'aria-pressed'), 'false');
      await page.clickButton(/camera/i);
      await page.waitForFunction(() => Number(document.getElementById('camera').dataset.frames || 0) >= 10);
      if (name === 'chromium') {
        const top = await page.$eval('#camera-predictions .label', (e) => e.textContent);
        assert.equal(top, (await referenceOf(page))[ROBIN], 'the fake camera shows the robin photo');
      }
      const fps = Number(await page.textContent('#camera-fps'));
      assert.ok(fps > 0, `frames per second shown (${fps})`);
      numbers.webcamFps = fps;
      numbers.webcamFrameMs = await page.textContent('#camera-time');
      await browser.screenshot(page, 'webcam');

      // What is shown is the classification of the camera's picture: hold the
      // picture still, let three more frames be classified (one may be under
      // way and the next read ahead, both from before the pause), and
      // classify the same pixels in Node with the same model.
      const frame = await page.evaluate(async () => {
        const video = document.getElementById('camera-video');
        video.pause();
        const camera = document.getElementById('camera');
        const at = Number(camera.dataset.frames);
        while (Number(camera.dataset.frames) < at + 3) await new Promise((r) => setTimeout(r, 20));
        const canvas = new OffscreenCanvas(video.videoWidth, video.videoHeight);
        const ctx = canvas.getContext('2d');
        ctx.drawImage(video, 0, 0);
        const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
        let binary = '';
        for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
        return {
          width: canvas.width, height: canvas.height, rgba: btoa(binary),
          shown: [...document.querySelectorAll('#camera-predictions .label')].map((e) => e.textContent),
        };
      });
      const file = await page.evaluate(() => document.body.dataset.modelFile);
      const { engine, model, info } = await engineWithModel(file);
      engine.classifyPixels(model, Buffer.from(frame.rgba, 'base64'), frame.width, frame.height, 4);
      const expected = engine.topK(model, 5).map((p) => info.labels[p.index]);
      assert.deepEqual(frame.shown, expected, `the camera's ${frame.width}×${frame.height} frame`);

      assert.equal(await page.getAttribute('#camera-button', 'aria-pressed'), 'true');
      await page.clickButton(/camera/i);   // the same button stops it
      assert.equal(await page.isHidden('#camera'), true);
      assert.equal(await page.$eval('#camera-video', (v) => v.srcObject), null);
      assert.equal(await page.getAttribute('#camera-button', 'aria-pressed'), 'false');
      assert.deepEqual(page.problems, []);
      await page.close();
    });

    // Firefox's fake media stream offers one camera only: the switch is tested in Chromium.
    if (name !== 'firefox') test('with two cameras, a switch picks the other one and classification goes on', async () => {
      const two = await startBrowser({ browser: name, cameras: 2 });
      try {
        const page = await two.newPage();
        await page.goto(two.url);
        await waitReady(page);
        await page.clickButton(/camera/i);
        const frames = () => page.$eval('#camera', (c) => Number(c.dataset.frames || 0));
        await page.waitForFunction(() => Number(document.getElementById('camera').dataset.frames || 0) >= 2);
        const select = await page.labelled('Which camera');
        assert.equal(await page.isHidden(select), false, 'the camera switch is shown');
        const options = await page.$$eval('#camera-select option', (os) => os.map((o) => o.value));
        assert.equal(options.length, 2);
        const trackDevice = () => page.$eval('#camera-video', (v) => v.srcObject?.getVideoTracks()[0]?.getSettings().deviceId);
        const current = await trackDevice();
        const other = options.find((id) => id !== current);
        await page.selectOption(select, other);
        await page.waitForFunction((id) => document.getElementById('camera-video').srcObject
          ?.getVideoTracks()[0]?.getSettings().deviceId === id, other);
        const at = await frames();
        await page.waitForFunction((n) => Number(document.getElementById('camera').dataset.frames) >= n + 3, at);
        assert.equal(await page.$eval('#camera-select', (s) => s.value), other);
        assert.deepEqual(page.problems, []);
        await two.screenshot(page, 'webcam-two-cameras');
        assert.deepEqual(two.foreignRequests(), []);
      } finally {
        await two.close();
      }
    });

    test('keyboard only: Tab reaches the controls and Enter opens the picker', async () => {
      const page = await browser.newPage();
      await page.goto(browser.url);
      await waitReady(page);
      const reached = [];
      for (let i = 0; i < 10 && !reached.includes('pick-button'); i++) {
        await page.press('Tab');
        reached.push(await page.evaluate(() => document.activeElement?.id));
      }
      assert.ok(reached.includes('model-select'), `model switch reachable (${reached})`);
      assert.ok(reached.includes('pick-button'), `picker reachable (${reached})`);
      // Enter on the focused button opens the file picker (clicks the hidden input).
      await page.$eval('#file-input', (input) => input.addEventListener('click', () => { input.dataset.opened = 'yes'; }));
      await page.press('Enter');
      await page.waitForSelector('#file-input[data-opened=yes]');
      await page.setInputFiles('#file-input', [photo(TENCH)]);
      await waitResults(page, 1);
      assertPredictions((await readResults(page))[0], (await referenceOf(page))[TENCH]);
      await page.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'camera-button');
      await page.close();
    });

    test('on a phone-sized screen nothing overflows sideways', async () => {
      const page = await browser.newPage();
      await page.setViewport(360, 740);
      await page.goto(browser.url);
      await waitReady(page);
      await pickFiles(page, [photo(TENCH), photo(SEVERAL[1])]);
      await waitResults(page, 2);
      const { scrollWidth, innerWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
      }));
      assert.equal(innerWidth, 360);
      assert.ok(scrollWidth <= innerWidth, `page ${scrollWidth}px wide in a ${innerWidth}px screen`);
      const widths = await page.$$eval('#results .result', (els) => els.map((e) => e.getBoundingClientRect().width));
      assert.ok(widths.every((w) => w <= innerWidth && w > innerWidth * 0.7), `one card per row (${widths})`);
      await browser.screenshot(page, 'phone');
      await page.close();
    });

    test('the page loads at most 1,000,000 bytes (page, wasm and default model); a second visit downloads nothing', async () => {
      // A first visit (empty profile), counted by the server (body bytes
      // sent) from navigation until the page is ready to work offline.
      const context = await browser.newContext();
      try {
        browser.served.length = 0;
        let page = await context.newPage();
        await page.goto(browser.url);
        await waitReady(page);
        await page.waitForFunction(() => document.body.dataset.offline === 'ready');
        const first = bytesServed(browser.served);
        numbers.pageBytes = first.total;
        numbers.pageBytesByPath = first.byPath;
        // the isolated page runs the threaded engine (squeezenet-mt.wasm)
        assert.ok(first.byPath['/dist/squeezenet-mt.wasm'] > 0, 'the wasm was counted');
        const defaultModel = await page.$eval('#model-select', (s) => s.value);
        const modelBytes = (await stat(path.join(root, 'models', `${defaultModel}.sqz`))).size;
        assert.equal(first.byPath[`/models/${defaultModel}.sqz`], modelBytes, 'the default model was counted');
        const models = browser.served.filter((r) => r.path.endsWith('.sqz') && r.bytes > 0).map((r) => r.path);
        assert.deepEqual(models, [`/models/${defaultModel}.sqz`], 'no other model was downloaded');
        await page.close();

        // The second visit: every file is the one kept, revalidated (304) or from the service worker.
        browser.served.length = 0;
        page = await context.newPage();
        await page.goto(browser.url);
        await waitReady(page);
        await pickFiles(page, [photo(TENCH)]);
        await waitResults(page, 1);
        assertPredictions((await readResults(page))[0], (await referenceOf(page))[TENCH]);
        const second = bytesServed(browser.served);
        numbers.secondVisitBytes = second.total;
        numbers.secondVisitRequests = browser.served.length;
        assert.ok(browser.served.some((r) => r.path === `/models/${defaultModel}.sqz`), 'the model was revalidated');
        assert.deepEqual(Object.entries(second.byPath).filter(([, n]) => n > 0), [], 'bodies sent on the second visit');
        await page.close();

        assert.ok(first.total <= 1_000_000, `the page loaded ${first.total} bytes: ${JSON.stringify(first.byPath)}`);
      } finally {
        await context.close();
      }
    });

    test('the page is an installable web app: a manifest with icons', async () => {
      const page = await browser.newPage();
      await page.goto(browser.url);
      await waitReady(page);
      const manifest = await page.evaluate(async () => {
        const href = document.querySelector('link[rel="manifest"]').href;
        const json = await (await fetch(href)).json();
        const icons = await Promise.all(json.icons.map(async (icon) => {
          const img = new Image();
          img.src = new URL(icon.src, href).href;
          await img.decode();
          return { ...icon, width: img.naturalWidth, height: img.naturalHeight };
        }));
        return { ...json, icons, start: new URL(json.start_url, href).href };
      });
      assert.equal(manifest.start, browser.url, 'starts at the page');
      assert.equal(manifest.display, 'standalone');
      assert.ok(manifest.name && manifest.short_name);
      const png = manifest.icons.filter((i) => i.type === 'image/png');
      assert.deepEqual(png.map((i) => i.sizes).sort(), ['192x192', '512x512']);
      for (const icon of png) assert.equal(`${icon.width}x${icon.height}`, icon.sizes, `${icon.src} is the size it says`);
      await page.close();
      if (name === 'chromium') {
        // Chromium's own verdict (what makes it offer "Install"), in a profile on disk.
        const profile = await chromiumWithProfile(path.join(browser.temp, 'installable'));
        try {
          const installable = await profile.newPage();
          await installable.goto(browser.url);
          await installable.waitForFunction(() => document.body.dataset.offline === 'ready', null, { timeout: 60000 });
          const cdp = await profile.newCDPSession(installable);
          const { errors } = await cdp.send('Page.getAppManifest');
          assert.deepEqual(errors, [], 'the manifest parses');
          const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
          assert.deepEqual(installabilityErrors, []);
        } finally {
          await profile.close();
        }
      }
    });

    test('no request leaves the page origin; the CSP blocks any that would', async () => {
      // Every request any test made so far: the test servers, or the user's own blob:/data: pictures.
      assert.ok(browser.requests.length > 10, 'requests were recorded');
      assert.deepEqual(browser.foreignRequests(), [], 'requests outside the origin');

      const page = await browser.newPage();
      await page.goto(browser.url);
      await waitReady(page);
      const csp = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.content);
      assert.match(csp, /default-src 'self'/);
      const blocked = await page.evaluate(async () => {
        const violation = new Promise((resolve) => {
          document.addEventListener('securitypolicyviolation', (e) => resolve(e.blockedURI), { once: true });
        });
        const fetched = await fetch('http://example.com/').then(() => 'fetched', (e) => e.name);
        return { fetched, violation: await violation };
      });
      assert.equal(blocked.fetched, 'TypeError', 'a cross-origin fetch fails');
      assert.match(blocked.violation, /example\.com/, 'because the CSP blocked it');
      await page.close();
    });
  });
}

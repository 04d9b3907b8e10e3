// Offline use, in Chromium and Firefox: after one visit the page loads and
// classifies with the server's process ended, offering the models the user
// opened; a new version on the server replaces the kept one on the next
// online visit. The server runs as its own process (`node web/server.js`),
// stopped for real.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  BROWSERS, browsersSkipped, startBrowser, spawnServer, waitReady, waitModel, pickFiles, readResults, waitResults,
  referenceLabels, photosDir, root,
} from './harness.js';
import { engineWithModel } from '../node/helpers.js';

const TENCH = 'n01440764_tench.JPEG';
const photo = (name) => path.join(photosDir, name);
const references = {};

before(async () => {
  for (const net of ['squeezenet1_0', 'squeezenet1_1']) references[net] = await referenceLabels(net);
});

/** The network a .sqz file holds: its META section's name (header 16 bytes, tag and length 8). */
async function networkOf(file) {
  const bytes = await readFile(file);
  return bytes.subarray(25, 25 + bytes[24]).toString('latin1');
}

/** The top-5 labels the wasm engine in Node gives a photo with a model file of models/. */
async function engineTop5(modelFile, photoName) {
  const { engine, model, info } = await engineWithModel(modelFile);
  engine.classifyImage(model, await readFile(photo(photoName)));
  return engine.topK(model, 5).map((p) => info.labels[p.index]);
}

async function classifyTench(page) {
  const before = (await readResults(page)).length;
  await pickFiles(page, [photo(TENCH)]);
  await waitResults(page, before + 1);
  const [card] = await readResults(page);
  assert.equal(card.status, 'done', card.meta);
  return card;
}

/** The models the switch lets one choose (not disabled). */
const options = (page) => page.$$eval('#model-select option', (os) => os.filter((o) => !o.disabled).map((o) => o.value));
const whenKept = (page) => page.waitForFunction(() => document.body.dataset.offline === 'ready');
const pageErrors = (page) => page.problems.filter((p) => p.startsWith('page error'));

for (const name of BROWSERS) {
  describe(name, { skip: browsersSkipped }, () => {
    let browser;
    before(async () => { browser = await startBrowser({ browser: name, server: false }); });
    after(() => browser?.close());

    test('after one visit the page loads and classifies with the server gone, with the models opened', { timeout: 240_000 }, async () => {
      const server = await spawnServer();
      browser.allow(server.origin);
      const context = await browser.newContext();
      try {
        let page = await context.newPage();
        await page.goto(server.url);
        await waitReady(page);
        const first = await page.evaluate(() => document.body.dataset.model);
        const second = first === 'squeezenet1_0' ? 'squeezenet1_1' : 'squeezenet1_0';
        await page.selectOption('#model-select', second);
        await waitModel(page, second);
        await whenKept(page);
        assert.match(await page.textContent('#runtime-info'), /works offline/);
        const online = await options(page);
        assert.ok(online.length >= 4, `the server offers every model (${online})`);
        await page.close();
        const downloaded = server.served.filter((r) => r.path.endsWith('.sqz') && r.bytes > 0).map((r) => path.basename(r.path));
        assert.deepEqual(downloaded.sort(), ['default.sqz', `${second}.sqz`].sort(), 'only the models opened were downloaded');

        await server.stop();
        page = await context.newPage();
        await page.goto(server.url);
        await waitReady(page);
        assert.equal(await page.evaluate(() => document.body.dataset.model), first, 'the default model, from the kept copy');
        assert.deepEqual((await options(page)).sort(), ['default', second].sort(), 'offline, the models opened are offered');
        const others = await page.$$eval('#model-select option', (os) => os.filter((o) => o.disabled).map((o) => o.textContent));
        assert.equal(others.length, online.length - 2);
        for (const text of others) assert.match(text, /not kept for offline use$/);
        assert.match(await page.textContent('#runtime-info'), /2 threads · cross-origin isolated: yes/);
        let card = await classifyTench(page);
        assert.equal(card.labels[0], references[first][TENCH]);
        await page.selectOption('#model-select', second);
        await waitModel(page, second);
        card = await classifyTench(page);
        assert.equal(card.labels[0], references[second][TENCH]);
        assert.match(card.meta, second === 'squeezenet1_0' ? /SqueezeNet 1\.0$/ : /SqueezeNet 1\.1$/);
        await whenKept(page);
        assert.deepEqual(pageErrors(page), []);
        // Any address of the page opens it (the query is not part of what is kept).
        await page.goto(`${server.url}?model=${second}`);
        await waitReady(page);
        assert.equal(await page.evaluate(() => document.body.dataset.modelFile), second);
        await page.close();
      } finally {
        await server.stop();
        await context.close();
      }
    });

    test('a new version on the server replaces the kept one on the next online visit', { timeout: 240_000 }, async () => {
      // The new version: the same layout with a changed app.js and another network as default.sqz.
      const dir = await mkdtemp(path.join(tmpdir(), 'sqz-v2-'));
      const oldNetwork = await networkOf(path.join(root, 'models/default.sqz'));
      const newModel = oldNetwork === 'squeezenet1_0' ? 'squeezenet1_1-compact' : 'squeezenet1_0';
      await cp(path.join(root, 'web'), path.join(dir, 'web'), { recursive: true });
      await appendFile(path.join(dir, 'web/app.js'), "\ndocument.documentElement.dataset.pageVersion = 'v2';\n");
      await symlink(path.join(root, 'src'), path.join(dir, 'src'));
      await symlink(path.join(root, 'dist'), path.join(dir, 'dist'));
      await mkdir(path.join(dir, 'models'));
      for (const file of (await readdir(path.join(root, 'models'))).filter((f) => f.endsWith('.sqz') && f !== 'default.sqz')) {
        await symlink(path.join(root, 'models', file), path.join(dir, 'models', file));
      }
      await cp(path.join(root, 'models', `${newModel}.sqz`), path.join(dir, 'models/default.sqz'));
      const newNetwork = await networkOf(path.join(dir, 'models/default.sqz'));
      const expected = await engineTop5(newModel, TENCH);

      const v1 = await spawnServer();
      browser.allow(v1.origin);
      const context = await browser.newContext();
      let v2;
      try {
        let page = await context.newPage();
        await page.goto(v1.url);
        await waitReady(page);
        await whenKept(page);
        assert.equal(await page.evaluate(() => document.documentElement.dataset.pageVersion), undefined);
        assert.equal(await page.evaluate(() => document.body.dataset.model), oldNetwork);
        await page.close();
        await v1.stop();

        // Online again, with the new version on the same address: this visit runs it.
        v2 = await spawnServer({ dir, port: v1.port });
        page = await context.newPage();
        await page.goto(v2.url);
        await waitReady(page);
        assert.equal(await page.evaluate(() => document.documentElement.dataset.pageVersion), 'v2', 'the new app.js runs');
        assert.equal(await page.evaluate(() => document.body.dataset.model), newNetwork, 'the new default model is loaded');
        assert.deepEqual((await classifyTench(page)).labels, expected);
        await whenKept(page);
        await page.close();
        await v2.stop();

        // Offline: the kept copy is the new version.
        page = await context.newPage();
        await page.goto(v2.url);
        await waitReady(page);
        assert.equal(await page.evaluate(() => document.documentElement.dataset.pageVersion), 'v2');
        assert.equal(await page.evaluate(() => document.body.dataset.model), newNetwork);
        assert.deepEqual((await classifyTench(page)).labels, expected);
        assert.deepEqual(pageErrors(page), []);
        await page.close();
      } finally {
        await v1.stop();
        await v2?.stop();
        await context.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}

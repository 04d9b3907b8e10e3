// The page served from anywhere, in Chromium and Firefox: from a folder of
// a host (https://host/some/dir/), by web/server.js (cross-origin isolated:
// 2 threads) and by a plain static host without COOP/COEP (one thread).
// Every request stays in that folder, the service worker's scope is the
// folder, and the page classifies, then works offline there too.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  BROWSERS, browsersSkipped, startBrowser, waitReady, pickFiles, readResults, waitResults,
  referenceLabels, photosDir,
} from './harness.js';

const TENCH = 'n01440764_tench.JPEG';
const FOLDER = '/some/dir/';
const references = {};

before(async () => {
  for (const net of ['squeezenet1_0', 'squeezenet1_1']) references[net] = await referenceLabels(net);
});

for (const name of BROWSERS) {
  describe(name, { skip: browsersSkipped }, () => {
    let browser;
    before(async () => { browser = await startBrowser({ browser: name, server: false }); });
    after(() => browser?.close());

    for (const { host, plain, threads, isolated } of [
      { host: 'web/server.js', plain: false, threads: /2 threads/, isolated: true },
      { host: 'a static host without COOP/COEP', plain: true, threads: /single-threaded/, isolated: false },
    ]) {
      test(`from ${FOLDER} of ${host}: classifies ${isolated ? 'on 2 threads' : 'on one thread'}, then offline`, async () => {
        const server = await browser.addServer({ plain, basePath: FOLDER });
        const context = await browser.newContext();
        try {
          assert.equal(new URL(server.url).pathname, FOLDER);
          let page = await context.newPage();
          await page.goto(server.url);
          await waitReady(page);
          assert.equal(await page.evaluate(() => self.crossOriginIsolated), isolated);
          assert.match(await page.textContent('#runtime-info'), threads);
          await pickFiles(page, [path.join(photosDir, TENCH)]);
          await waitResults(page, 1);
          const [card] = await readResults(page);
          const network = await page.evaluate(() => document.body.dataset.model);
          assert.equal(card.status, 'done', card.meta);
          assert.equal(card.labels[0], references[network][TENCH]);

          // The service worker keeps the folder, nothing above it.
          await page.waitForFunction(() => document.body.dataset.offline === 'ready');
          const scope = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).scope);
          assert.equal(scope, server.url);
          // Every file came from the folder, and none was missing.
          assert.ok(server.served.length >= 10, `${server.served.length} requests`);
          assert.deepEqual(server.served.filter((r) => !r.path.startsWith(FOLDER) || r.status >= 400), [],
            'requests outside the folder, or not found');
          assert.ok(server.served.some((r) => r.path === `${FOLDER}dist/${isolated ? 'squeezenet-mt' : 'squeezenet'}.wasm`));
          assert.deepEqual(page.problems, []);
          await page.close();

          // The host gone: the page still opens and classifies from the folder's kept copy.
          await server.close();
          page = await context.newPage();
          await page.goto(server.url);
          await waitReady(page);
          assert.match(await page.textContent('#runtime-info'), threads);
          await pickFiles(page, [path.join(photosDir, TENCH)]);
          await waitResults(page, 1);
          assert.equal((await readResults(page))[0].labels[0], references[network][TENCH]);
          await page.close();
        } finally {
          await server.close();
          await context.close();
        }
      });
    }
  });
}

// The package as a web developer gets it: `npm pack`, a plain Vite app
// (tests/browser/app, no Vite config) installs the tarball and is built,
// then served and loaded in headless Chromium and Firefox ESR, where it
// classifies a photo from ../shared/testdata with every browser input kind
// and in a worker. The label shown must be the reference's top-1. Also
// measures what the browser downloads and the time from load() to the
// first result, and checks load({ cache: true }): a second visit downloads
// neither the .wasm nor the model, and a damaged cache entry is fetched again.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { root, shared, photosDir, predictions } from './helpers.js';
import { BROWSERS, browsersSkipped, startBrowser } from '../browser/harness.js';

const PHOTO = 'n01440764_tench.JPEG';
const MIME = {
  '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.sqz': 'application/octet-stream',
  '.JPEG': 'image/jpeg', '.css': 'text/css',
};

/** Serves `dir` and, under /photos/, the shared sample photos; counts what it sends.
 *  `isolated`: with COOP/COEP, as a host that wants threads (SharedArrayBuffer) would.
 *  No validators or caching headers: a browser cannot keep what it sends in its HTTP cache. */
async function serve(dir, { isolated = false } = {}) {
  const sent = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const file = url.pathname.startsWith('/photos/')
      ? path.join(photosDir, path.basename(url.pathname))
      : path.join(dir, url.pathname === '/' ? 'index.html' : path.normalize(url.pathname));
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': MIME[path.extname(file)] || 'application/octet-stream', 'content-length': body.length,
        ...(isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {}),
      });
      res.end(body);
      sent.push({ path: url.pathname, bytes: body.length, file });
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    sent, origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}

// A missing browser fails (at launch); SQZ_SKIP_BROWSERS=1 is the one way to skip.
let tmp, plain, isolatedServer, refLabel, modelBytes;

before(async () => {
  if (browsersSkipped) return;
  tmp = await mkdtemp(path.join(os.tmpdir(), 'sqz-consumer-'));
  // npm pack → install in a copy of the app → vite build, as a user would.
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', tmp],
    { cwd: root, encoding: 'utf8' }))[0];
  const tarball = path.join(tmp, packed.filename);
  const app = path.join(tmp, 'app');
  await cp(path.join(root, 'tests/browser/app'), app, { recursive: true });
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', tarball],
    { cwd: app, stdio: 'pipe' });
  execFileSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
    { cwd: app, stdio: 'pipe' });
  plain = await serve(path.join(app, 'dist'));
  isolatedServer = await serve(path.join(app, 'dist'), { isolated: true });

  // The reference label, from the shared synsets (independent of the model's labels).
  // load() with no model gets models/default.sqz; its META section names the network
  // (header 16 bytes, section tag and length 8, then the name's length and bytes).
  const defaultModel = await readFile(path.join(root, 'models/default.sqz'));
  modelBytes = defaultModel.length;
  const network = defaultModel.subarray(25, 25 + defaultModel[24]).toString('latin1');
  const ref = (await predictions(network))[PHOTO];
  const synsets = (await readFile(path.join(shared, 'models/upstream/synset_words.txt'), 'utf8')).split('\n');
  refLabel = synsets[ref.top5[0]].replace(/^\S+\s+/, '').split(',')[0].trim();
}, { timeout: 180_000 });

after(async () => {
  await plain?.close();
  await isolatedServer?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Opens the app at `url` in a new page of `context`, waits for its result: the details it shows. */
async function visit(context, url) {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.done, null, { timeout: 90_000 });
  const details = JSON.parse(await page.textContent('#details'));
  assert.equal(details.error, undefined, details.error);
  return { page, details };
}

const assets = (sent, re) => sent.filter((s) => re.test(s.path));

for (const name of BROWSERS) {
  describe(name, { skip: browsersSkipped }, () => {
    let browser;
    before(async () => {
      browser = await startBrowser({ browser: name, server: false });
      browser.allow(plain.origin);
      browser.allow(isolatedServer.origin);
    });
    after(() => browser?.close());

    test('a Vite app installs the packed tarball and classifies a photo', { timeout: 180_000 }, async () => {
      const context = await browser.newContext();
      try {
        plain.sent.length = 0;
        const { page, details } = await visit(context, `${plain.origin}/?photo=/photos/${PHOTO}`);
        assert.equal(await page.textContent('#label'), refLabel);
        assert.deepEqual(details.kinds, Object.fromEntries(Object.keys(details.kinds).map((k) => [k, refLabel])));
        assert.equal(Object.keys(details.kinds).length, 7);
        assert.deepEqual(details.workerLabels, [refLabel, refLabel]);
        assert.deepEqual(details.imageError, { name: 'ImageError', code: 'ERR_IMAGE' });
        assert.deepEqual(details.info, { afterDispose: 'ERR_DISPOSED' });
        assert.deepEqual(details.progress, [modelBytes, modelBytes]);
        assert.deepEqual(page.problems, []);
        // Not cross-origin isolated: one thread, the single-threaded engine.
        assert.equal(details.crossOriginIsolated, false);
        assert.equal(details.threads, 1);

        // The same bundle from an isolated host: 2 threads (squeezenet-mt.wasm and
        // its thread worker, bundled by Vite), the same labels.
        isolatedServer.sent.length = 0;
        const { page: isolatedPage, details: threaded } = await visit(context, `${isolatedServer.origin}/?photo=/photos/${PHOTO}`);
        assert.equal(threaded.crossOriginIsolated, true);
        assert.equal(threaded.threads, 2);
        assert.equal(threaded.label, refLabel);
        assert.deepEqual(threaded.kinds, details.kinds);
        assert.deepEqual(threaded.workerLabels, [refLabel, refLabel]);
        assert.deepEqual(isolatedPage.problems, []);
        const threadedFiles = isolatedServer.sent.map((s) => path.basename(s.path));
        assert.ok(threadedFiles.some((f) => /^squeezenet-mt.*\.wasm$/.test(f)), `fetched ${threadedFiles}`);
        assert.ok(threadedFiles.some((f) => /^thread-worker.*\.js$/.test(f)), `fetched ${threadedFiles}`);

        // Privacy: the page fetched only its own files, the wasm, the model and the photo.
        assert.ok(browser.requests.length > 5, 'requests were recorded');
        assert.deepEqual(browser.foreignRequests(), []);
        const fetchedModels = plain.sent.filter((s) => s.path.endsWith('.sqz')).map((s) => path.basename(s.path));
        assert.ok(fetchedModels.length > 0 && fetchedModels.every((m) => m.startsWith('default')), `fetched ${fetchedModels}`);
        // Off by default: nothing was put in Cache Storage.
        assert.deepEqual(await page.evaluate(() => caches.keys()), []);

        // What a browser downloads for the package: each distinct JS, wasm and model file once.
        const unique = new Map(plain.sent.map((s) => [s.path, s.bytes]));
        const sum = (re) => [...unique].filter(([p]) => re.test(p)).reduce((n, [, b]) => n + b, 0);
        const js = sum(/\.js$/), wasm = sum(/\.wasm$/), model = sum(/\.sqz$/);
        console.log(`${name}: browser downloads: JS ${js} B (app + package + worker), wasm ${wasm} B, model ${model} B, ` +
          `total ${js + wasm + model} B; load() to first result ${details.firstResultMs.toFixed(0)} ms ` +
          `(performance.now() in the page, cold cache, includes fetching the photo)`);
      } finally {
        await context.close();
      }
    });

    test('load({ cache: true }): a second visit downloads neither the wasm nor the model; a damaged entry is fetched again', {
      timeout: 180_000,
    }, async () => {
      const context = await browser.newContext();
      const url = `${plain.origin}/?photo=/photos/${PHOTO}&cache`;
      const engineFiles = /\.(wasm|sqz)$/;
      try {
        plain.sent.length = 0;
        let { page, details } = await visit(context, url);
        assert.equal(details.label, refLabel);
        const first = assets(plain.sent, engineFiles);
        assert.deepEqual(first.map((s) => path.extname(s.path)).sort(), ['.sqz', '.wasm'], 'fetched once each');
        await page.close();

        // Second visit: no request for either, from the server's side nor the browser's.
        plain.sent.length = 0;
        browser.requests.length = 0;
        ({ page, details } = await visit(context, url));
        assert.equal(details.label, refLabel);
        assert.deepEqual(details.workerLabels, [refLabel, refLabel]);
        assert.deepEqual(details.progress, [modelBytes, modelBytes], 'progress still reports the model');
        assert.ok(plain.sent.length > 0, 'the page itself was fetched');
        assert.deepEqual(assets(plain.sent, engineFiles), [], 'the server was not asked for the wasm or the model');
        assert.deepEqual(browser.requests.filter((u) => engineFiles.test(new URL(u).pathname)), [], 'the browser made no request for them');

        // Damage both entries (one byte each, the stored checksum left as it was).
        const damaged = await page.evaluate(async () => {
          const cache = await caches.open('squeezenet-wasm');
          const keys = await cache.keys();
          for (const request of keys) {
            const kept = await cache.match(request);
            const bytes = new Uint8Array(await kept.arrayBuffer());
            bytes[bytes.length >> 1] ^= 0x20;
            await cache.put(request, new Response(bytes, { headers: kept.headers }));
          }
          return keys.map((k) => new URL(k.url).pathname);
        });
        assert.deepEqual(damaged.sort(), first.map((s) => s.path).sort(), 'the cache holds exactly the wasm and the model');
        await page.close();

        // Third visit: both fetched again, the result right, and the entries whole again.
        plain.sent.length = 0;
        ({ page, details } = await visit(context, url));
        assert.equal(details.label, refLabel);
        assert.deepEqual(details.kinds, Object.fromEntries(Object.keys(details.kinds).map((k) => [k, refLabel])));
        const again = assets(plain.sent, engineFiles);
        assert.deepEqual(again.map((s) => s.path).sort(), first.map((s) => s.path).sort(), 'damaged entries fetched again');
        const kept = await page.evaluate(async () => {
          const cache = await caches.open('squeezenet-wasm');
          return Promise.all((await cache.keys()).map(async (request) => {
            const bytes = new Uint8Array(await (await cache.match(request)).arrayBuffer());
            let binary = '';
            for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
            return [new URL(request.url).pathname, btoa(binary)];
          }));
        });
        assert.equal(kept.length, 2);
        for (const [pathname, base64] of kept) {
          const file = again.find((s) => s.path === pathname).file;
          assert.ok(Buffer.from(base64, 'base64').equals(await readFile(file)), `${pathname} is kept whole`);
        }
        assert.deepEqual(page.problems, []);
        await page.close();
      } finally {
        await context.close();
      }
    });
  });
}

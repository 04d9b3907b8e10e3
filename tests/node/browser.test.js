// The package as a web developer gets it: `npm pack`, a plain Vite app
// (tests/browser/app, no Vite config) installs the tarball and is built,
// then served and loaded in headless Chromium, where it classifies a photo
// from ../shared/testdata with every browser input kind and in a worker.
// The label shown must be the reference's top-1. Also measures what the
// browser downloads and the time from load() to the first result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root, shared, photosDir, predictions } from './helpers.js';

const CHROMIUM = process.env.SQZ_CHROMIUM || '/usr/bin/chromium';
// A missing browser fails the test; SQZ_SKIP_BROWSERS=1 is the one way to skip it.
const SKIP = process.env.SQZ_SKIP_BROWSERS === '1' ? 'SQZ_SKIP_BROWSERS=1' : false;
const PHOTO = 'n01440764_tench.JPEG';
const MIME = {
  '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.sqz': 'application/octet-stream',
  '.JPEG': 'image/jpeg', '.css': 'text/css',
};

/** Serves `dir` and, under /photos/, the shared sample photos; counts what it sends.
 *  `isolated`: with COOP/COEP, as a host that wants threads (SharedArrayBuffer) would. */
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
      sent.push({ path: url.pathname, bytes: body.length });
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, sent, origin: `http://127.0.0.1:${server.address().port}` };
}

test('a Vite app installs the packed tarball and classifies a photo in Chromium', {
  skip: SKIP,
  timeout: 180_000,
}, async () => {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: scripts/install-deps.sh installs it ` +
    '(SQZ_SKIP_BROWSERS=1 skips the browser tests)');
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'sqz-consumer-'));
  const { server, sent, origin, isolatedServer } = await (async () => {
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
    const plain = await serve(path.join(app, 'dist'));
    return { ...plain, isolatedServer: await serve(path.join(app, 'dist'), { isolated: true }) };
  })();

  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const requests = [];
    const consoleErrors = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(`${origin}/?photo=/photos/${PHOTO}`);
    await page.waitForFunction(() => document.body.dataset.done, null, { timeout: 90_000 });
    const details = JSON.parse(await page.textContent('#details'));
    assert.equal(details.error, undefined, details.error);

    // The reference label, from the shared synsets (independent of the model's labels).
    // load() with no model gets models/default.sqz; its META section names the network
    // (header 16 bytes, section tag and length 8, then the name's length and bytes).
    const defaultModel = await readFile(path.join(root, 'models/default.sqz'));
    const network = defaultModel.subarray(25, 25 + defaultModel[24]).toString('latin1');
    const ref = (await predictions(network))[PHOTO];
    const synsets = (await readFile(path.join(shared, 'models/upstream/synset_words.txt'), 'utf8')).split('\n');
    const refLabel = synsets[ref.top5[0]].replace(/^\S+\s+/, '').split(',')[0].trim();
    assert.equal(await page.textContent('#label'), refLabel);
    assert.deepEqual(details.kinds, Object.fromEntries(Object.keys(details.kinds).map((k) => [k, refLabel])));
    assert.equal(Object.keys(details.kinds).length, 7);
    assert.deepEqual(details.workerLabels, [refLabel, refLabel]);
    assert.deepEqual(details.imageError, { name: 'ImageError', code: 'ERR_IMAGE' });
    assert.deepEqual(details.info, { afterDispose: 'ERR_DISPOSED' });
    const modelBytes = defaultModel.length;
    assert.deepEqual(details.progress, [modelBytes, modelBytes]);
    assert.deepEqual(consoleErrors, []);
    // Not cross-origin isolated: one thread, the single-threaded engine.
    assert.equal(details.crossOriginIsolated, false);
    assert.equal(details.threads, 1);

    // The same bundle from an isolated host: 2 threads (squeezenet-mt.wasm and
    // its thread worker, bundled by Vite), the same labels.
    const isolatedPage = await browser.newPage();
    const isolatedErrors = [];
    isolatedPage.on('console', (m) => { if (m.type() === 'error') isolatedErrors.push(m.text()); });
    isolatedPage.on('pageerror', (e) => isolatedErrors.push(e.message));
    await isolatedPage.goto(`${isolatedServer.origin}/?photo=/photos/${PHOTO}`);
    await isolatedPage.waitForFunction(() => document.body.dataset.done, null, { timeout: 90_000 });
    const threaded = JSON.parse(await isolatedPage.textContent('#details'));
    assert.equal(threaded.crossOriginIsolated, true);
    assert.equal(threaded.threads, 2);
    assert.equal(threaded.label, refLabel);
    assert.deepEqual(threaded.kinds, details.kinds);
    assert.deepEqual(threaded.workerLabels, [refLabel, refLabel]);
    assert.deepEqual(isolatedErrors, []);
    const threadedFiles = isolatedServer.sent.map((s) => path.basename(s.path));
    assert.ok(threadedFiles.some((f) => /^squeezenet-mt.*\.wasm$/.test(f)), `fetched ${threadedFiles}`);
    assert.ok(threadedFiles.some((f) => /^thread-worker.*\.js$/.test(f)), `fetched ${threadedFiles}`);

    // Privacy: the page fetched only its own files, the wasm, the model and the photo.
    const foreign = requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('blob:') && !u.startsWith('data:'));
    assert.deepEqual(foreign, []);
    const fetchedModels = sent.filter((s) => s.path.endsWith('.sqz')).map((s) => path.basename(s.path));
    assert.ok(fetchedModels.length >= 1 && fetchedModels.every((m) => m.startsWith('default')), `fetched ${JSON.stringify(fetchedModels)}`);

    // What a browser downloads for the package: each distinct JS, wasm and model file once.
    const unique = new Map(sent.map((s) => [s.path, s.bytes]));
    const sum = (re) => [...unique].filter(([p]) => re.test(p)).reduce((n, [, b]) => n + b, 0);
    const js = sum(/\.js$/), wasm = sum(/\.wasm$/), model = sum(/\.sqz$/);
    console.log(`browser downloads: JS ${js} B (app + package + worker), wasm ${wasm} B, model ${model} B, ` +
      `total ${js + wasm + model} B; load() to first result ${details.firstResultMs.toFixed(0)} ms ` +
      `(performance.now() in the page, cold cache, includes fetching the photo)`);
  } finally {
    await browser.close();
    server.close();
    isolatedServer.server.close();
    await rm(tmp, { recursive: true, force: true });
  }
});

// The browser-test harness: the page's own server on a free port, headless
// Debian Chromium (through playwright-core) with a fake camera, a record of
// every request the browser makes, and the reference labels.
import { mkdtemp, readFile, rm, mkdir } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from '../../web/server.js';
import { root, shared, photosDir } from '../node/helpers.js';

export { root, shared, photosDir };
export const artifacts = path.join(root, 'tests/artifacts');
export const CHROMIUM = process.env.SQZ_CHROMIUM || '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Short label of each ImageNet class, from the upstream synset list: "n01440764 tench, Tinca tinca" → "tench". */
export async function synsetLabels() {
  const text = await readFile(path.join(shared, 'models/upstream/synset_words.txt'), 'utf8');
  return text.trim().split('\n').map((line) => line.replace(/^n\d+ /, '').split(',')[0].trim());
}

/** The reference (independent PyTorch) top-1 label of each photo, per model. */
export async function referenceLabels(model) {
  const labels = await synsetLabels();
  const { images } = JSON.parse(await readFile(path.join(shared, 'reference', model, 'predictions.json'), 'utf8'));
  return Object.fromEntries(Object.entries(images).map(([file, p]) => [file, labels[p.top5[0]]]));
}

/**
 * Starts the server and Chromium. `camera` is a photo to play as the fake
 * webcam (converted to .y4m by make_y4m.py); `cameras: n` gives n of
 * Chromium's own fake cameras instead. Returns helpers and a close().
 */
export async function startBrowser({ camera, cameras } = {}) {
  const served = [];   // what the server sent: { status, method, path, bytes }
  const { server, url } = await serve({ port: 0, host: '127.0.0.1', log: (r) => served.push(r) });
  const temp = await mkdtemp(path.join(tmpdir(), 'sqz-page-'));
  const args = [...CHROMIUM_ARGS];
  if (camera) {
    const video = path.join(temp, 'camera.y4m');
    execFileSync('/usr/bin/python3', [path.join(root, 'tests/browser/make_y4m.py'), camera, video]);
    args.push('--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`);
  } else if (cameras) {
    args.push(`--use-fake-device-for-media-stream=device-count=${cameras}`, '--use-fake-ui-for-media-stream');
  }
  const context = await chromium.launchPersistentContext(path.join(temp, 'profile'), {
    executablePath: CHROMIUM, headless: true, args, viewport: { width: 1280, height: 900 },
  });
  const requests = [];
  context.on('request', (r) => requests.push(r.url()));
  await mkdir(artifacts, { recursive: true });
  return {
    url, origin: new URL(url).origin, context, requests, served, temp,
    async newPage() {
      const page = await context.newPage();
      const problems = [];
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
      page.problems = problems;
      return page;
    },
    screenshot: (page, name) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true }),
    async close() {
      await context.close();
      await new Promise((r) => server.close(r));
      await rm(temp, { recursive: true, force: true });
    },
  };
}

/** Waits until the page has a model loaded (body[data-state=ready]). */
export function waitReady(page, timeout = 60000) {
  return page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout });
}

/**
 * Picks files through the "Choose photos…" button: the button must open the
 * picker (click the hidden file input), then the files are set on that input.
 * (Chromium's filechooser event is sometimes lost on a loaded machine.)
 */
export async function pickFiles(page, files) {
  await page.$eval('#file-input', (input) => {
    input.dataset.opened = 'no';
    input.addEventListener('click', () => { input.dataset.opened = 'yes'; }, { once: true });
  });
  await page.getByRole('button', { name: /choose photos/i }).click();
  await page.waitForSelector('#file-input[data-opened=yes]', { state: 'attached', timeout: 10000 });
  await page.setInputFiles('#file-input', files);
}

/** A DataTransfer in the page holding these files ({name, type, bytes}). */
export function dataTransfer(page, files) {
  return page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name, { type: f.type }));
    }
    return dt;
  }, files.map((f) => ({ name: f.name, type: f.type, base64: Buffer.from(f.bytes).toString('base64') })));
}

/** The result cards as [{name, status, labels, probabilities, meta}], newest first. */
export function readResults(page) {
  return page.$$eval('#results .result', (cards) => cards.map((c) => ({
    name: c.querySelector('.file-name').textContent,
    status: c.dataset.status,
    labels: [...c.querySelectorAll('.predictions .label')].map((e) => e.textContent),
    probabilities: [...c.querySelectorAll('.predictions .probability')].map((e) => parseFloat(e.textContent) / 100),
    meta: c.querySelector('.meta').textContent,
    metaRole: c.querySelector('.meta').getAttribute('role'),
  })));
}

/** Waits until n cards have finished (done or error). */
export function waitResults(page, n, timeout = 60000) {
  return page.waitForFunction((count) => {
    const cards = document.querySelectorAll('#results .result');
    return cards.length >= count && [...cards].every((c) => c.dataset.status !== 'pending');
  }, n, { timeout });
}

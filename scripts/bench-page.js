#!/usr/bin/env node
// Measures the web page in headless Chromium or Firefox (not a test: numbers only).
//   node scripts/bench-page.js [--runs N] [--seconds S] [--browser chromium|firefox]
// - navigation → first prediction for a photo picked as soon as the page is
//   there: first visit (empty profile), repeat visit (the service worker
//   revalidates each file: 304s), and repeat visit with the server gone;
// - webcam frames per second (fake camera playing a photo), and the longest
//   gap between animation frames on the main thread meanwhile, with the
//   engine in a worker and (?worker=off) on the main thread;
// - bytes the page loads on a first and a repeat visit (counted by the server).
// The machine is shared: compare numbers from one run only.
import path from 'node:path';
import { startBrowser, waitReady, pickFiles, waitResults, photosDir } from '../tests/browser/harness.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const RUNS = Number(arg('--runs', 5));
const SECONDS = Number(arg('--seconds', 5));
const BROWSER = arg('--browser', 'chromium');
const photo = path.join(photosDir, 'n01440764_tench.JPEG');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const browser = await startBrowser({ browser: BROWSER, camera: path.join(photosDir, 'n01558993_robin.JPEG') });
try {
  const firstPrediction = async (context) => {
    const page = await context.newPage();
    browser.served.length = 0;
    await page.goto(browser.url);
    await pickFiles(page, [photo]);
    await waitResults(page, 1);
    await page.waitForFunction(() => document.body.dataset.offline === 'ready');
    const marks = await page.evaluate(() => ({
      ready: performance.getEntriesByName('model-ready')[0].startTime,
      prediction: performance.getEntriesByName('first-prediction')[0].startTime,
      // a first visit waits for the service worker to control the page
      wait: performance.getEntriesByName('service-worker-wait', 'measure')[0]?.duration ?? 0,
    }));
    const bytes = browser.served.reduce((n, r) => n + r.bytes, 0);
    await page.close();
    return { ...marks, bytes };
  };
  const report = (label, runs) => console.log(`${BROWSER}, ${label}: navigation → model ready ${median(runs.map((r) => r.ready)).toFixed(0)} ms, `
    + `→ first prediction ${median(runs.map((r) => r.prediction)).toFixed(0)} ms `
    + `(median of ${runs.length}; all: ${runs.map((r) => r.prediction.toFixed(0)).join(' ')}), `
    + `${runs[0].bytes} bytes sent by the server`
    + (runs[0].wait ? `; of which waiting for the service worker ${median(runs.map((r) => r.wait)).toFixed(0)} ms` : ''));
  const first = [], repeat = [], contexts = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    contexts.push(context);
    first.push(await firstPrediction(context));
    repeat.push(await firstPrediction(context));
  }
  report('first visit', first);
  report('repeat visit', repeat);

  for (const mode of ['', '?worker=off']) {
    const page = await browser.newPage();
    await page.goto(browser.url + mode);
    await waitReady(page);
    await page.clickButton(/camera/i);
    await page.waitForFunction(() => Number(document.getElementById('camera').dataset.frames || 0) >= 3);
    const result = await page.evaluate(async (seconds) => {
      const camera = document.getElementById('camera');
      const frames0 = Number(camera.dataset.frames);
      const gaps = [];
      let last = performance.now();
      const start = last;
      await new Promise((resolve) => {
        const tick = (now) => {
          gaps.push(now - last);
          last = now;
          if (now - start < seconds * 1000) requestAnimationFrame(tick); else resolve();
        };
        requestAnimationFrame(tick);
      });
      const elapsed = (performance.now() - start) / 1000;
      gaps.sort((a, b) => a - b);
      return {
        fps: (Number(camera.dataset.frames) - frames0) / elapsed,
        maxGap: gaps[gaps.length - 1],
        p95Gap: gaps[Math.floor(gaps.length * 0.95)],
      };
    }, SECONDS);
    console.log(`webcam, engine ${mode ? 'on the main thread' : 'in a worker'}: ${result.fps.toFixed(1)} classifications/s; `
      + `main-thread frame gaps p95 ${result.p95Gap.toFixed(0)} ms, max ${result.maxGap.toFixed(0)} ms`);
    await page.close();
  }
  // The server gone: what the service worker kept.
  await browser.server.close();
  const offline = [];
  for (const context of contexts) offline.push(await firstPrediction(context));
  report('repeat visit, server gone', offline);
} finally {
  await browser.close();
}

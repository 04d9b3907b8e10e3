#!/usr/bin/env node
// Measures the web page in headless Chromium or Firefox (not a test: numbers only).
//   node scripts/bench-page.js [--runs N] [--seconds S] [--browser chromium|firefox]
// - navigation → first prediction for a photo given as soon as the page is
//   there (picked at DOMContentLoaded, by a script in the page, so that the
//   driver's round trips are not counted): first visit (empty profile),
//   repeat visit (the service worker revalidates each file: 304s), and
//   repeat visit with the server gone;
// - webcam frames per second (fake camera playing a photo), and the longest
//   gap between animation frames on the main thread meanwhile, with the
//   engine in a worker and (?worker=off) on the main thread; and in the
//   worker with "Show where" on and off, alternating windows of S seconds
//   on one page (--rounds N pairs, default 3), with the main-thread time of
//   drawing one overlay;
// - bytes the page loads on a first and a repeat visit (counted by the server).
// The machine is shared: compare numbers from one run only.
import path from 'node:path';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { startBrowser, waitReady, waitResults, photosDir } from '../tests/browser/harness.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const RUNS = Number(arg('--runs', 5));
const SECONDS = Number(arg('--seconds', 5));
const ROUNDS = Number(arg('--rounds', 3));
const BROWSER = arg('--browser', 'chromium');
const photo = path.join(photosDir, 'n01440764_tench.JPEG');
/** In the page, before its scripts: picks the photo (base64) in the file input once the page's
 *  scripts have run (DOMContentLoaded), as a user's pick would. */
function pickAtOnce(base64) {
  document.addEventListener('DOMContentLoaded', () => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const files = new DataTransfer();
    files.items.add(new File([bytes], 'tench.jpeg', { type: 'image/jpeg' }));
    const input = document.getElementById('file-input');
    input.files = files.files;
    performance.mark('photo-given');
    input.dispatchEvent(new Event('change'));
  }, { once: true });
}
const photoBase64 = readFileSync(photo).toString('base64');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Camera classifications per second and main-thread frame gaps over SECONDS, on a page whose camera runs. */
function measureCamera(page) {
  return page.evaluate(async (seconds) => {
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
}

const load = () => `load average ${os.loadavg().map((x) => x.toFixed(2)).join(', ')} on ${os.cpus().length} cores`;
console.log(`${BROWSER}: ${load()} at the start`);
const browser = await startBrowser({ browser: BROWSER, camera: path.join(photosDir, 'n01558993_robin.JPEG') });
try {
  const firstPrediction = async (context) => {
    const page = await context.newPage();
    await page.addInitScript(pickAtOnce, photoBase64);
    browser.served.length = 0;
    await page.goto(browser.url);
    await waitResults(page, 1);
    await page.waitForFunction(() => document.body.dataset.offline === 'ready');
    const marks = await page.evaluate(() => ({
      given: performance.getEntriesByName('photo-given')[0].startTime,
      ready: performance.getEntriesByName('model-ready')[0].startTime,
      prediction: performance.getEntriesByName('first-prediction')[0].startTime,
      // a first visit: the service worker takes control meanwhile
      wait: performance.getEntriesByName('service-worker-wait', 'measure')[0]?.duration ?? 0,
    }));
    const bytes = browser.served.reduce((n, r) => n + r.bytes, 0);
    await page.close();
    return { ...marks, bytes };
  };
  const report = (label, runs) => console.log(`${BROWSER}, ${label}: navigation → photo given ${median(runs.map((r) => r.given)).toFixed(0)} ms, `
    + `→ model ready ${median(runs.map((r) => r.ready)).toFixed(0)} ms, `
    + `→ first prediction ${median(runs.map((r) => r.prediction)).toFixed(0)} ms `
    + `(median of ${runs.length}; all: ${runs.map((r) => r.prediction.toFixed(0)).join(' ')}), `
    + `${runs[0].bytes} bytes sent by the server`
    + (runs[0].wait ? `; the service worker took control ${median(runs.map((r) => r.wait)).toFixed(0)} ms after the page asked (meanwhile)` : ''));
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
    const result = await measureCamera(page);
    console.log(`webcam, engine ${mode ? 'on the main thread' : 'in a worker'}: ${result.fps.toFixed(1)} classifications/s; `
      + `main-thread frame gaps p95 ${result.p95Gap.toFixed(0)} ms, max ${result.maxGap.toFixed(0)} ms`);
    await page.close();
  }
  // "Show where" on and off, alternating on one page (the engine in its worker).
  const page = await browser.newPage();
  await page.goto(browser.url);
  await waitReady(page);
  await page.clickButton(/camera/i);
  await page.waitForFunction(() => Number(document.getElementById('camera').dataset.frames || 0) >= 3);
  const fps = { off: [], on: [] };
  let drawn = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (const state of r % 2 ? ['on', 'off'] : ['off', 'on']) {
      if (await page.evaluate(() => document.getElementById('heatmap-switch').checked) !== (state === 'on')) {
        await page.click('#heatmap-switch');
      }
      await new Promise((resolve) => setTimeout(resolve, 500)); // let the frame under way finish
      fps[state].push((await measureCamera(page)).fps);
      if (state === 'on') drawn += await page.evaluate(() => Number(document.getElementById('camera-heatmap').dataset.drawn || 0));
    }
  }
  // The overlay's main-thread cost per frame: drawing a 13 x 13 map over a 640 x 480 frame, 200 times.
  const drawMs = await page.evaluate(async () => {
    const { drawOverlay } = await import('./heatmap.js');
    const canvas = document.createElement('canvas');
    const heatmap = { width: 13, height: 13, data: Float32Array.from({ length: 169 }, (_, i) => i % 17),
      region: { x: 40, y: 0, width: 480, height: 480 } };
    const times = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      drawOverlay(canvas, heatmap, 640, 480);
      canvas.getContext('2d').getImageData(0, 0, 1, 1); // wait for the drawing itself
      times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b)[100];
  });
  await page.close();
  const on = median(fps.on), off = median(fps.off);
  console.log(`webcam with "Show where": ${on.toFixed(1)} classifications/s with the overlay, ${off.toFixed(1)} without `
    + `(${(100 * on / off).toFixed(0)}%; medians of ${ROUNDS} windows of ${SECONDS} s each, alternating; `
    + `on: ${fps.on.map((x) => x.toFixed(1)).join(' ')}, off: ${fps.off.map((x) => x.toFixed(1)).join(' ')}; `
    + `${drawn} overlays drawn); drawing one overlay: ${drawMs.toFixed(2)} ms on the main thread (median of 200)`);

  // The server gone: what the service worker kept.
  await browser.server.close();
  const offline = [];
  for (const context of contexts) offline.push(await firstPrediction(context));
  report('repeat visit, server gone', offline);
} finally {
  await browser.close();
  console.log(`${BROWSER}: ${load()} at the end`);
}

// "Show where" on the web page in headless Chromium and Firefox ESR: the
// switch (named, a switch to assistive technology, worked by the keyboard),
// the legend, the top class's heatmap over a dropped picture and over the
// camera view. The picture is a photo shrunk to the top-right quarter of a
// grey 640 × 480 canvas (Pillow); where its map is hot comes from the package
// in Node (the same engine, the same map), and must be in that quarter.
// Screenshots with the overlay on and off (tests/artifacts/heatmap-*.png)
// must differ there, the colour there nearer the scale's hot end than the
// plain picture's, and much less at the map's coldest cell.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BROWSERS, browsersSkipped, startBrowser, waitReady, waitResults, photosDir, artifacts } from './harness.js';
import { load } from '../../src/js/index.js';
import { turbo } from '../../src/js/colormap.js';

const PHOTO = path.join(photosDir, 'n01530575_brambling.JPEG');
const ROBIN = path.join(photosDir, 'n01558993_robin.JPEG'); // Chromium's fake camera's picture
const W = 640, H = 480;
const picture = path.join(mkdtempSync(path.join(tmpdir(), 'sqz-heatmap-page-')), 'top-right.png');

before(() => {
  execFileSync('/usr/bin/python3', ['-c', `import sys
from PIL import Image
photo = Image.open(sys.argv[1]).convert('RGB').resize((${W / 2}, ${H / 2}), Image.BICUBIC)
canvas = Image.new('RGB', (${W}, ${H}), (128, 128, 128))
canvas.paste(photo, (${W / 2}, 0))
canvas.save(sys.argv[2])`, PHOTO, picture]);
});

/** Centres (picture pixels) of the hottest and coldest cells of the top class's map, as the package computes it. */
async function hotAndCold(network, bytes) {
  const classifier = await load({ model: network, threads: 1 });
  const [top] = await classifier.classify(bytes, { top: 1, heatmaps: true });
  classifier.dispose();
  const { data, width, height, region } = top.heatmap;
  let hot = 0, cold = 0;
  for (let i = 1; i < data.length; i++) {
    if (data[i] > data[hot]) hot = i;
    if (data[i] < data[cold]) cold = i;
  }
  const centre = (i) => ({
    x: region.x + ((i % width) + 0.5) * (region.width / width),
    y: region.y + (Math.floor(i / width) + 0.5) * (region.height / height),
  });
  return { label: top.label, hot: centre(hot), cold: centre(cold) };
}

/** RGB of each point in each PNG, read with Pillow. */
function pixelsAt(files, points) {
  const out = execFileSync('/usr/bin/python3', ['-c', `import json, sys
from PIL import Image
points = json.loads(sys.argv[1])
print(json.dumps([[Image.open(f).convert('RGB').getpixel((round(p['x']), round(p['y']))) for p in points] for f in sys.argv[2:]]))`,
  JSON.stringify(points), ...files], { encoding: 'utf8' });
  return JSON.parse(out);
}

const distance = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
const switchOn = (page) => page.evaluate(() => document.getElementById('heatmap-switch').checked);

for (const name of BROWSERS) {
  describe(name, { skip: browsersSkipped }, () => {
    let browser;
    before(async () => { browser = await startBrowser({ browser: name, camera: ROBIN }); });
    after(() => browser?.close());

    test('"Show where" lays the top class\'s heatmap over a dropped picture, hot where the photo is', async () => {
      const page = await browser.newPage();
      await page.goto(browser.url);
      await waitReady(page);
      const toggle = await page.evaluate(() => {
        const input = document.getElementById('heatmap-switch');
        return { role: input.getAttribute('role'), type: input.type, label: input.labels[0]?.textContent.trim() };
      });
      assert.deepEqual(toggle, { role: 'switch', type: 'checkbox', label: 'Show where' }, 'a switch named "Show where"');
      assert.equal(await switchOn(page), false, 'off at first');
      assert.equal(await page.isHidden('#heatmap-legend'), true, 'no legend while off');
      await page.evaluate(() => document.getElementById('heatmap-switch').focus());
      await page.press(page.browser === 'firefox' ? ' ' : 'Space'); // the keyboard works it (Puppeteer names the key ' ')
      assert.equal(await switchOn(page), true);
      assert.equal(await page.isHidden('#heatmap-legend'), false, 'the legend shows');

      const bytes = readFileSync(picture);
      await page.drag('#drop-zone', [{ name: 'top-right.png', type: 'image/png', bytes }]);
      await waitResults(page, 1);
      await page.waitForSelector('#results .result[data-heatmap="drawn"]');
      assert.equal(await page.isHidden('#results .result canvas.heatmap'), false, 'the overlay shows');
      const network = await page.evaluate(() => document.body.dataset.model);
      const { label, hot, cold } = await hotAndCold(network, bytes);
      assert.equal(await page.textContent('#results .result .predictions .label'), label, 'the page shows the same top class');
      assert.ok(hot.x >= W / 2 && hot.y < H / 2, `the map peaks at ${hot.x}, ${hot.y}: in the photo's top-right quarter`);
      const aria = await page.getAttribute('#results .result canvas.heatmap', 'aria-label');
      assert.ok(aria.includes(label), `the overlay is described: ${aria}`);

      // The card's picture is 4:3 like the canvas: shown whole, scaled by thumb width / 640.
      const box = await page.evaluate(() => {
        const r = document.querySelector('#results .result .thumb').getBoundingClientRect();
        return { x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height };
      });
      const scale = box.width / W;
      assert.ok(Math.abs(box.height / scale - H) < 2, 'the thumbnail shows the whole picture');
      const on = path.join(artifacts, `heatmap-page${name === 'chromium' ? '' : `-${name}`}.png`);
      const off = path.join(artifacts, `heatmap-page-off${name === 'chromium' ? '' : `-${name}`}.png`);
      await page.screenshot(on);
      await page.click('#heatmap-switch');
      assert.equal(await switchOn(page), false);
      assert.equal(await page.isHidden('#results .result canvas.heatmap'), true, 'switched off, the overlay goes');
      await page.screenshot(off);
      const points = [hot, cold].map((p) => ({ x: box.x + p.x * scale, y: box.y + p.y * scale }));
      const [[hotOn, coldOn], [hotOff, coldOff]] = pixelsAt([on, off], points);
      const hotColour = turbo(1);
      console.log(`${name}, ${network}: hot spot ${hotOff} → ${hotOn}, cold spot ${coldOff} → ${coldOn}`);
      assert.ok(distance(hotOn, hotOff) > 60, `the overlay changes the hot spot: ${hotOff} → ${hotOn}`);
      assert.ok(distance(hotOn, hotColour) < distance(hotOff, hotColour) - 40,
        `the hot spot turns towards ${hotColour}: ${hotOff} → ${hotOn}`);
      assert.ok(distance(coldOn, coldOff) < distance(hotOn, hotOff) / 2, `the cold spot barely changes: ${coldOff} → ${coldOn}`);
      assert.deepEqual(page.problems, []);
      await page.close();
    });

    test('"Show where" over the camera: the overlay follows the frames, and goes when switched off', async () => {
      const page = await browser.newPage();
      await page.goto(browser.url);
      await waitReady(page);
      await page.click('#heatmap-switch');
      assert.equal(await switchOn(page), true);
      await page.clickButton(/camera/i);
      await page.waitForFunction(() => Number(document.getElementById('camera-heatmap').dataset.drawn || 0) >= 3);
      const painted = await page.evaluate(() => {
        const canvas = document.getElementById('camera-heatmap');
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        let n = 0;
        for (let i = 3; i < data.length; i += 4) n += data[i] > 0;
        const video = document.getElementById('camera-video');
        return { share: n / (data.length / 4), aspect: canvas.width / canvas.height, video: video.videoWidth / video.videoHeight };
      });
      assert.ok(painted.share > 0.3, `the camera overlay is painted (${(100 * painted.share).toFixed(0)}% of it)`);
      assert.ok(Math.abs(painted.aspect - painted.video) < 0.02, 'the overlay has the video\'s shape');
      assert.equal(await page.isHidden('#camera-heatmap'), false);
      await browser.screenshot(page, 'heatmap-camera');
      await page.click('#heatmap-switch');
      assert.equal(await page.isHidden('#camera-heatmap'), true);
      const frames = await page.evaluate(() => Number(document.getElementById('camera').dataset.frames));
      await page.waitForFunction((n) => Number(document.getElementById('camera').dataset.frames) >= n + 2, frames);
      assert.equal(await page.getAttribute('#camera-heatmap', 'data-drawn'), '0', 'no overlay drawn while off');
      await page.clickButton(/camera/i);
      assert.deepEqual(page.problems, []);
      await page.close();
    });
  });
}

// EXIF orientation in headless Chromium and Firefox, through the package on the page's
// origin: a picture stored sideways with its tag (tests/orientation/make_images.py)
// is classified as the browser shows it, once and only once turned:
//  - a Blob/File goes to our decoder, which applies the tag;
//  - an <img> is decoded and turned by the browser (image-orientation:
//    from-image), and its pixels carry no tag: we must not turn it again.
// Both must give the upright picture's result (a lossless PNG: exactly; a
// JPEG: the same top-5, the browser's JPEG decoder not being ours), and
// orientation: 'ignore' on the Blob the stored picture's.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BROWSERS, browsersSkipped, startBrowser, root, shared } from './harness.js';

const files = {};

before(async () => {
  if (browsersSkipped) return;
  const tmp = mkdtempSync(path.join(tmpdir(), 'sqz-orientation-'));
  const r = spawnSync('/usr/bin/python3', [path.join(root, 'tests/orientation/make_images.py'), tmp, shared], { encoding: 'utf8' });
  assert.equal(r.status, 0, `make_images.py: ${r.stderr}`);
  for (const name of ['upright.png', 'tag6.png', 'tag6_stored.png', 'tag8.png', 'tag8_stored.png', 'tag6.jpg', 'tag6_upright.png']) {
    files[name] = readFileSync(path.join(tmp, name)).toString('base64');
  }
});

for (const name of BROWSERS) {
  describe(name, { skip: browsersSkipped }, () => {
    let browser;
    before(async () => { browser = await startBrowser({ browser: name }); });
    after(async () => { await browser?.close(); });
    test('Blobs turned by our decoder, <img> by the browser, never twice', { timeout: 120_000 }, () => checkOrientation(browser, name));
  });
}

async function checkOrientation(browser, name) {
  const page = await browser.newPage();
  await page.goto(browser.url);
  const out = await page.evaluate(async (b64) => {
    const { load } = await import('/src/js/index.js');
    const classifier = await load({ threads: 1 });
    const blob = (name) => new Blob([Uint8Array.from(atob(b64[name]), (c) => c.charCodeAt(0))],
      { type: name.endsWith('.png') ? 'image/png' : 'image/jpeg' });
    const image = async (name) => {
      const img = new Image();
      img.src = URL.createObjectURL(blob(name));
      await img.decode();
      return img;
    };
    const result = {};
    for (const name of Object.keys(b64)) {
      const img = await image(name);
      result[name] = {
        size: [img.naturalWidth, img.naturalHeight],
        img: await classifier.classify(img, { top: 5 }),
        blob: await classifier.classify(blob(name), { top: 5 }),
        ignored: await classifier.classify(blob(name), { top: 5, orientation: 'ignore' }),
        imgIgnored: await classifier.classify(img, { top: 5, orientation: 'ignore' }),
      };
    }
    classifier.dispose();
    return result;
  }, files);
  assert.deepEqual(page.problems, []);
  const up = out['upright.png'];
  assert.deepEqual(up.size, [333, 500], 'the upright picture is a portrait');
  assert.deepEqual(up.img, up.blob, 'the browser and our decoder read the upright PNG alike');
  let checked = 0;
  for (const tag of [6, 8]) {
    const r = out[`tag${tag}.png`], stored = out[`tag${tag}_stored.png`];
    assert.deepEqual(r.size, [333, 500], `tag ${tag}: the browser shows it upright`);
    assert.deepEqual(stored.size, [500, 333], `tag ${tag}: stored sideways`);
    assert.deepEqual(r.blob, up.blob, `tag ${tag}: a Blob is turned upright by our decoder`);
    assert.deepEqual(r.img, up.blob, `tag ${tag}: an <img> is upright once (the browser's turn only)`);
    assert.deepEqual(r.imgIgnored, r.img, `tag ${tag}: an <img>'s pixels carry no tag`);
    assert.deepEqual(r.ignored, stored.blob, `tag ${tag}: 'ignore' gives the stored picture`);
    assert.notDeepEqual(r.ignored, up.blob);
    checked++;
  }
  const jpeg = out['tag6.jpg'], pillow = out['tag6_upright.png'];
  const indices = (preds) => preds.map((p) => p.index);
  assert.deepEqual(jpeg.size, [333, 500]);
  assert.deepEqual(indices(jpeg.blob), indices(pillow.blob), 'JPEG Blob: the top-5 of Pillow\'s exif_transpose');
  assert.deepEqual(indices(jpeg.img), indices(pillow.blob), 'JPEG <img>: the top-5 of Pillow\'s exif_transpose');
  assert.notDeepEqual(indices(jpeg.ignored), indices(pillow.blob));
  checked++;
  assert.equal(checked, 3);
  console.log(`${name}: tags 6 and 8 (PNG) and 6 (JPEG) upright once, as Blob and as <img>; top-1 ${up.blob[0].label}`);
}

// Heatmaps and output controls in both CLIs, on the quadrant pictures of
// tests/heatmap/make_quadrants.py (Pillow):
// - --json --heatmaps: the native build's maps and the wasm's agree within
//   1e-5 (relative to the map's largest cell), with the same predictions and
//   regions; the maps peak in the photo's quadrant;
// - --heatmap DIR: each PNG, decoded by Pillow, is the upright picture with
//   the overlay: at the map's hottest cell's centre the pixel is the picture
//   blended with turbo(1) at the highest opacity, at its coldest with
//   turbo(0) at the lowest, outside the region the picture untouched
//   (formulas computed here from src/js/colormap.js); the two CLIs' PNGs
//   agree within 2 levels;
// - --min-probability, --allow, --deny against the unfiltered --top 1000,
//   and bad values refused with status 2, naming the value.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { shared, nativeCli, wasmCli } from './helpers.js';
import { turbo, ALPHA_LOW, ALPHA_HIGH } from '../../src/js/colormap.js';
import { makeQuadrants, peakQuadrant } from './quadrants.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'sqz-heatmap-cli-'));
const CLIS = ['native', 'wasm'];
let cases = [];

const run = (cli, args) => {
  const [cmd, pre] = cli === 'native' ? [nativeCli, []] : [process.execPath, [wasmCli]];
  return spawnSync(cmd, [...pre, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
};
const json = (r) => r.stdout.trim().split('\n').map((line) => JSON.parse(line));

before(() => { cases = makeQuadrants(path.join(tmp, 'in'), 3); });

for (const model of ['squeezenet1_1', 'squeezenet1_0']) {
  test(`${model}: --json --heatmaps, native and wasm maps within 1e-5, peaking in the photo's quadrant`, () => {
    const mine = cases.filter((c) => c.model === model);
    const [native, wasm] = CLIS.map((cli) => {
      const r = run(cli, ['classify', '--model', model, '--json', '--heatmaps', '--top', '3', ...mine.map((c) => c.file)]);
      assert.equal(r.status, 0, `${cli}: ${r.stderr}`);
      return json(r);
    });
    assert.equal(native.length, mine.length);
    let compared = 0, hits = 0;
    mine.forEach((c, i) => {
      assert.deepEqual(wasm[i].predictions.map((p) => p.index), native[i].predictions.map((p) => p.index), c.file);
      native[i].predictions.forEach((p, k) => {
        const q = wasm[i].predictions[k].heatmap, h = p.heatmap;
        assert.equal(h.width, 13);
        assert.equal(h.data.length, 169);
        assert.deepEqual(q.region, h.region, `${c.file}: regions`);
        assert.deepEqual(q.ring, h.ring);
        const scale = Math.max(...h.data.map(Math.abs), 1e-6);
        const worst = Math.max(...h.data.map((v, j) => Math.abs(v - q.data[j]))) / scale;
        assert.ok(worst <= 1e-5, `${c.file}: class ${p.index}: native and wasm maps differ by ${worst}`);
        compared++;
      });
      hits += peakQuadrant(native[i].predictions[0].heatmap, c.width, c.height) === c.quadrant;
    });
    assert.equal(compared, mine.length * 3);
    assert.ok(hits >= mine.length - 1, `${model}: ${hits}/${mine.length} in the photo's quadrant`);
  });
}

/** RGB of the given points of each image, read with Pillow (exif_transpose'd). */
function pixels(files, points) {
  const out = spawnSync('/usr/bin/python3', ['-c', `import json, sys
from PIL import Image, ImageOps
points = json.loads(sys.argv[1])
print(json.dumps([[ImageOps.exif_transpose(Image.open(f)).convert('RGB').getpixel((x, y)) for x, y in points]
                  + [list(Image.open(f).size)] for f in sys.argv[2:]]))`, JSON.stringify(points), ...files], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  return JSON.parse(out.stdout);
}

test('--heatmap DIR: the upright picture with the map over it, hot and cold as the colour scale says, both CLIs', () => {
  const picked = cases.filter((c) => c.model === 'squeezenet1_0' && (c.orientation === 6 || c.quadrant === 2)).slice(0, 4);
  assert.ok(picked.some((c) => c.orientation === 6) && picked.some((c) => c.orientation === 1));
  const dirs = CLIS.map((cli) => path.join(tmp, `png-${cli}`));
  let checked = 0;
  CLIS.forEach((cli, k) => {
    const r = run(cli, ['classify', '--model', 'squeezenet1_0', '--json', '--heatmaps', '--top', '1', '--heatmap', dirs[k],
      ...picked.map((c) => path.relative(process.cwd(), c.file))]);
    assert.equal(r.status, 0, `${cli}: ${r.stderr}`);
    json(r).forEach((line, i) => {
      const c = picked[i];
      const png = path.join(dirs[k], `${path.relative(process.cwd(), c.file).replaceAll('..', '__')}.png`);
      assert.ok(existsSync(png), `${cli}: ${png} written`);
      const { data, width, region } = line.predictions[0].heatmap;
      const centre = (j) => [Math.floor(region.x + ((j % width) + 0.5) * (region.width / width)),
        Math.floor(region.y + (Math.floor(j / width) + 0.5) * (region.height / 13))];
      const hot = data.indexOf(Math.max(...data)), cold = data.indexOf(Math.min(...data));
      const outside = [c.width - 1, c.height - 1]; // v1.0's crop leaves the last row and column out
      assert.ok(outside[0] + 0.5 >= region.x + region.width && outside[1] + 0.5 >= region.y + region.height);
      const [shown, original] = pixels([png, c.file], [centre(hot), centre(cold), outside]);
      assert.deepEqual(shown[3], [c.width, c.height], `${png}: the upright size`);
      const blend = (rgb, colour, alpha) => rgb.map((v, j) => (1 - alpha) * v + alpha * colour[j]);
      const near = (a, b, tolerance) => a.every((v, j) => Math.abs(v - b[j]) <= tolerance);
      // JPEG: stb_image and Pillow's libjpeg differ by a level or two; the cell centre is within half a pixel.
      const tolerance = c.orientation === 1 ? 4 : 8;
      assert.ok(near(shown[0], blend(original[0], turbo(1), ALPHA_HIGH), tolerance),
        `${cli} ${png}: hot spot ${shown[0]}, picture ${original[0]}`);
      assert.ok(near(shown[1], blend(original[1], turbo(0), ALPHA_LOW), tolerance),
        `${cli} ${png}: cold spot ${shown[1]}, picture ${original[1]}`);
      assert.ok(near(shown[2], original[2], c.orientation === 1 ? 0 : 3), `${cli} ${png}: outside the region ${shown[2]}`);
      checked++;
    });
  });
  assert.equal(checked, 2 * picked.length);
  const diff = spawnSync('/usr/bin/python3', ['-c', `import sys
from PIL import Image, ImageChops
worst = 0
for a, b in zip(sys.argv[1::2], sys.argv[2::2]):
    worst = max(worst, max(hi for lo, hi in ImageChops.difference(Image.open(a), Image.open(b)).getextrema()))
print(worst)`, ...picked.flatMap((c) => dirs.map((d) => path.join(d, `${path.relative(process.cwd(), c.file).replaceAll('..', '__')}.png`)))],
  { encoding: 'utf8' });
  assert.equal(diff.status, 0, diff.stderr);
  assert.ok(Number(diff.stdout) <= 2, `the two CLIs' PNGs differ by up to ${diff.stdout.trim()} levels`);
});

test('--min-probability, --allow, --deny in both CLIs, against the unfiltered 1000; bad values refused', () => {
  const file = path.join(shared, 'testdata/imagenet-sample/n01440764_tench.JPEG');
  for (const cli of CLIS) {
    const all = json(run(cli, ['classify', '--json', '--top', '1000', file]))[0].predictions;
    assert.equal(all.length, 1000);
    const [t0, t1, t2] = all.map((p) => p.index);
    const got = (args) => {
      const r = run(cli, ['classify', '--json', ...args, file]);
      assert.equal(r.status, 0, `${cli} ${args}: ${r.stderr}`);
      return json(r)[0].predictions.map((p) => p.index);
    };
    const expect = (top, keep) => all.filter(keep).slice(0, top).map((p) => p.index);
    const cranes = all.filter((p) => p.label === 'crane').map((p) => p.index);
    assert.equal(cranes.length, 2);
    assert.deepEqual(got(['--top', '5', '--min-probability', '0.001']), expect(5, (p) => p.probability >= 0.001));
    assert.deepEqual(got(['--deny', `${all[0].label},${t1}`]), expect(5, (p) => p.index !== t0 && p.index !== t1));
    assert.deepEqual(got(['--allow', 'crane', '--allow', String(t2)]), expect(5, (p) => [...cranes, t2].includes(p.index)));
    assert.deepEqual(got(['--allow', `crane,${t2}`, '--deny', 'crane', '--top', '3']), [t2]);
    for (const [args, named] of [
      [['--min-probability', '1.5'], /'1\.5'/], [['--min-probability', 'x'], /'x'/], [['--allow', 'no such class'], /'no such class'/],
      [['--deny', '1000'], /1000/], [['--allow', 'tench,,7'], /empty/], [['--heatmaps'], /--json/],
    ]) {
      const r = run(cli, ['classify', ...args, file]);
      assert.equal(r.status, 2, `${cli} ${args}: status ${r.status}`);
      assert.match(r.stderr, named, `${cli} ${args}`);
    }
  }
});

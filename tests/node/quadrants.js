// The quadrant pictures of tests/heatmap/make_quadrants.py (Pillow) and where a map peaks in them,
// for tests/node/heatmap.test.js and heatmap-cli.test.js.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { root, shared } from './helpers.js';

/** Makes the pictures in `dir` (perModel photos per model) and returns the manifest's cases. */
export function makeQuadrants(dir, perModel = 10) {
  const r = spawnSync('/usr/bin/python3', [path.join(root, 'tests/heatmap/make_quadrants.py'), dir, shared, String(perModel)],
    { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`make_quadrants.py: ${r.stderr}`);
  return readFileSync(path.join(dir, 'manifest.txt'), 'utf8').trim().split('\n').map((line) => {
    const [model, photo, label, quadrant, orientation, width, height, file] = line.split(' ');
    return { model, photo, label: +label, quadrant: +quadrant, orientation: +orientation, width: +width, height: +height, file };
  });
}

/** The quadrant (0 top left … 3 bottom right) of a width × height picture where a heatmap peaks. */
export function peakQuadrant(heatmap, width, height) {
  let best = 0;
  for (let i = 1; i < heatmap.data.length; i++) if (heatmap.data[i] > heatmap.data[best]) best = i;
  const { region } = heatmap;
  const x = region.x + ((best % heatmap.width) + 0.5) * (region.width / heatmap.width);
  const y = region.y + (Math.floor(best / heatmap.width) + 0.5) * (region.height / heatmap.height);
  return (x >= width / 2 ? 1 : 0) + (y >= height / 2 ? 2 : 0);
}

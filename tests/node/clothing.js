// The clothing task of issue 16 (../shared/testdata/clothing): its photos
// and the reference accuracies of its README (parsed from it, not copied).
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { shared } from './helpers.js';

export const clothingDir = path.join(shared, 'testdata/clothing');

/** The photos of train/ or validation/: [{ file, label, rank }], classes and names in sorted order. */
export function clothingPhotos(split) {
  const dir = path.join(clothingDir, split);
  const photos = [];
  for (const label of readdirSync(dir).sort()) {
    readdirSync(path.join(dir, label)).sort().forEach((name, rank) => {
      photos.push({ file: path.join(dir, label, name), label, rank });
    });
  }
  return photos;
}

/** The README's validation accuracies (%) for `network`, at 10 and 30 per class: [ten, thirty]. */
export function referenceAccuracy(network) {
  const text = readFileSync(path.join(clothingDir, 'README.md'), 'utf8');
  const row = text.split('\n').find((line) => line.startsWith(`| ${network} `));
  const figures = row ? [...row.matchAll(/\|\s*([\d.]+)%/g)].map((m) => Number(m[1])) : [];
  if (figures.length !== 2) throw new Error(`no reference figures for ${network} in ${clothingDir}/README.md`);
  return figures;
}

// Exits 0 when node_modules holds every package package-lock.json names, at
// its locked version (optional ones for other platforms aside); otherwise
// names the first that is missing or different and exits 1.
// scripts/install-deps.sh runs `npm ci` then.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
const libc = process.report?.getReport().header.glibcVersionRuntime ? 'glibc' : 'musl';
const fits = (list, value) => !list || list.some((v) => v === value || (v.startsWith('!') ? v.slice(1) !== value : false));
const forHere = (entry) => fits(entry.os, process.platform) && fits(entry.cpu, process.arch) &&
  (process.platform !== 'linux' || fits(entry.libc, libc));

let checked = 0;
for (const [key, entry] of Object.entries(lock.packages ?? {})) {
  if (!key.startsWith('node_modules/') || entry.link) continue;
  let installed = null;
  try {
    installed = JSON.parse(readFileSync(path.join(root, key, 'package.json'), 'utf8')).version;
  } catch { /* not installed */ }
  if (installed === null && entry.optional && !forHere(entry)) continue;
  if (installed !== entry.version) {
    console.log(`${key}: ${installed === null ? 'missing' : `${installed} installed`}, package-lock.json has ${entry.version}`);
    process.exit(1);
  }
  checked++;
}
if (checked === 0) {
  console.log('package-lock.json names no packages');
  process.exit(1);
}

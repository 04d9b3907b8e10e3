// Run by `npm pack`/`npm publish` (prepack): refuses to pack without the
// built files package.json lists (npm would silently leave them out), or when
// its models differ from those the build ships (CMakeLists.txt's SQZ_MODELS,
// written to dist/constants.js).
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { files } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const built = files.filter((f) => /^(dist|models)\//.test(f) && !f.endsWith('.md'));
const missing = built.filter((f) => {
  try { return !statSync(path.join(root, f)).isFile(); } catch { return true; }
});
if (missing.length) {
  console.error(`cannot pack: ${missing.join(', ')} not built (run \`npm run build\` first)`);
  process.exit(1);
}
const { MODELS } = await import(pathToFileURL(path.join(root, 'dist/constants.js')));
const shipped = MODELS.map((m) => `models/${m.name}.sqz`).sort();
const listed = built.filter((f) => f.endsWith('.sqz')).sort();
if (shipped.join() !== listed.join()) {
  console.error(`cannot pack: package.json's files list ${listed.join(', ')}, ` +
    `but the build ships ${shipped.join(', ')} (CMakeLists.txt, SQZ_MODELS)`);
  process.exit(1);
}

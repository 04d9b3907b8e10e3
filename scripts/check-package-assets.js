// Run by `npm pack`/`npm publish` (prepack): refuses to pack without the
// built .wasm and models, which npm would otherwise silently leave out.
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const needed = ['dist/squeezenet.wasm', 'dist/squeezenet-mt.wasm', 'models/default.sqz', 'models/squeezenet1_1.sqz', 'models/squeezenet1_0.sqz',
  'models/squeezenet1_1-compact.sqz'];
const missing = needed.filter((f) => {
  try { return !statSync(path.join(root, f)).isFile(); } catch { return true; }
});
if (missing.length) {
  console.error(`cannot pack: ${missing.join(', ')} not built (run \`npm run build\` first)`);
  process.exit(1);
}

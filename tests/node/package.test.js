// What `npm pack` ships: the runtime (JS, types, wasm, built models,
// licences) and nothing else — no tests, C sources or build intermediates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { root } from './helpers.js';

function packList() {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  const [pack] = JSON.parse(out);
  return { ...pack, paths: pack.files.map((f) => f.path) };
}

test('the tarball holds the wasm, the built models, the types and the licences', async () => {
  const pack = packList();
  for (const f of ['dist/squeezenet.wasm', 'models/squeezenet1_1.sqz', 'models/squeezenet1_0.sqz',
    'src/js/index.js', 'src/js/index.d.ts', 'src/js/worker.js', 'src/js/engine.js', 'src/js/cli.js',
    'LICENSE', 'THIRD_PARTY_NOTICES.md', 'README.md', 'package.json']) {
    assert.ok(pack.paths.includes(f), `${f} is not in the tarball`);
  }
  // The packed assets are the built ones, byte for byte in size.
  for (const f of ['dist/squeezenet.wasm', 'models/squeezenet1_1.sqz']) {
    assert.equal(pack.files.find((x) => x.path === f).size, (await stat(path.join(root, f))).size, f);
  }
  console.log(`npm pack: ${pack.size} bytes packed, ${pack.unpackedSize} unpacked, ${pack.paths.length} files`);
});

test('the tarball holds no tests, sources or build intermediates', () => {
  const { paths } = packList();
  const unwanted = paths.filter((p) => /^(tests|build|scripts|src\/(engine|kernels|preprocess|tools|wasm|include)|node_modules|\.ci)\//.test(p) ||
    /\.(c|h|o|a|tgz|log|ts)$/.test(p) && !p.endsWith('.d.ts') || p.startsWith('.') || p === 'CMakeLists.txt');
  assert.deepEqual(unwanted, []);
});

test('every module and asset the shipped JS refers to is in the tarball', async () => {
  const { paths } = packList();
  let checked = 0;
  for (const file of paths.filter((p) => p.endsWith('.js'))) {
    const source = await readFile(path.join(root, file), 'utf8');
    const refs = [
      ...[...source.matchAll(/^\s*(?:import|export)\s[^'"]*from\s+'(\.[^']+)'/gm)].map((m) => m[1]),
      ...[...source.matchAll(/new URL\('(\.[^']+)', import\.meta\.url\)/g)].map((m) => m[1]),
    ];
    for (const ref of refs) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), ref));
      assert.ok(paths.includes(target), `${file} refers to ${ref} (${target}), which is not packed`);
      checked++;
    }
  }
  // index.js alone imports several modules and the wasm and models by URL
  assert.ok(checked >= 10, `only ${checked} references found in the shipped JS`);
});

test('package.json: exports map with types, browser and node conditions; no runtime dependencies', async () => {
  const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
  const main = pkg.exports['.'];
  assert.equal(Object.keys(main)[0], 'types', '"types" must come first to be used');
  for (const condition of ['types', 'browser', 'node', 'default']) {
    await stat(path.join(root, main[condition]));
  }
  assert.equal(pkg.dependencies, undefined);
  assert.equal(pkg.type, 'module');
});

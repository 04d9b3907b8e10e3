// The page and the package's workers load their ES modules in one round of
// requests, not one level of imports after another: index.html preloads
// app.js's whole static import graph (<link rel="modulepreload">), and each
// worker's entry script imports every module of its graph directly. Checked
// against the import graph read from the sources, so that an import added
// anywhere is noticed here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { resolvePath } from '../../web/server.js';
import { root } from './helpers.js';

const PAGE = 'http://page.test/';

/** The static imports of the module at `url` (as served by web/server.js), resolved to URLs. */
async function importsOf(url) {
  const file = resolvePath(new URL(url).pathname, root);
  assert.ok(file, `${url} is not served`);
  const source = await readFile(file, 'utf8');
  // `import … from '…'` and `import '…'` at the start of a line (dynamic import() is not static)
  const specifiers = [...source.matchAll(/^(?:import|export)\s[^;]*?from\s*'([^']+)'|^import\s*'([^']+)'/gms)]
    .map((m) => m[1] ?? m[2]);
  return specifiers.map((s) => new URL(s, url).href);
}

/** Every module reachable from `entry` by static imports, with its depth (entry: 0). */
async function graph(entry) {
  const depth = new Map([[entry, 0]]);
  const queue = [entry];
  while (queue.length) {
    const url = queue.shift();
    for (const next of await importsOf(url)) {
      if (!depth.has(next)) {
        depth.set(next, depth.get(url) + 1);
        queue.push(next);
      }
    }
  }
  return depth;
}

test('index.html preloads exactly the static module graph of app.js', async () => {
  const html = await readFile(resolvePath('/index.html', root), 'utf8');
  const preloaded = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => new URL(m[1], PAGE).href);
  const modules = [...(await graph(new URL('app.js', PAGE).href)).keys()].slice(1);
  assert.ok(modules.length >= 10, `app.js's graph has ${modules.length} modules`);
  assert.deepEqual([...preloaded].sort(), [...modules].sort());
  assert.equal(new Set(preloaded).size, preloaded.length, 'a module preloaded twice');
});

for (const entry of ['src/js/worker.js', 'src/js/thread-worker.js']) {
  test(`${entry} imports every module of its graph directly`, async () => {
    const depth = await graph(new URL(entry, PAGE).href);
    assert.ok(depth.size >= 3, `${entry}'s graph has ${depth.size} modules`);
    const deeper = [...depth].filter(([, d]) => d > 1).map(([url]) => url);
    assert.deepEqual(deeper, [], `reached only through other modules: ${deeper.join(', ')}`);
  });
}

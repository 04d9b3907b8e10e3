// The TypeScript declarations: tests/types/usage.ts uses the package by name
// (through the exports map's "types") and must compile with strict checks;
// its @ts-expect-error lines prove the types reject misuse rather than being `any`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { root } from './helpers.js';

test('index.d.ts type-checks a usage file (tsc --noEmit)', () => {
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tests/types/tsconfig.json')], { encoding: 'utf8' });
  } catch (e) {
    assert.fail(`tsc reported errors:\n${e.stdout}${e.stderr}`);
  }
});

test('index.d.ts declares every export of index.js', async () => {
  const api = await import('../../src/js/index.js');
  const dts = await readFile(path.join(root, 'src/js/index.d.ts'), 'utf8');
  assert.ok(Object.keys(api).length >= 8, `only ${Object.keys(api).length} exports`);
  for (const name of Object.keys(api)) {
    assert.match(dts, new RegExp(`export declare (const|function|class) ${name}\\b`), `${name} is not declared`);
  }
});

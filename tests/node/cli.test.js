// The two CLIs: same interface, same output (formatted by the same C code),
// failures reported per file with exit status 1 while the others still run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { shared, photosDir, nativeCli, wasmCli } from './helpers.js';

const run = (cli, args) => {
  const [cmd, pre] = cli === 'native' ? [nativeCli, []] : [process.execPath, [wasmCli]];
  return spawnSync(cmd, [...pre, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
};

const tmp = mkdtempSync(path.join(tmpdir(), 'sqz-cli-'));
const corrupt = path.join(tmp, 'corrupt.jpg');
writeFileSync(corrupt, Buffer.from('\xff\xd8\xff\xe0 this is not really a jpeg'));
const photo = path.join(photosDir, 'n01440764_tench.JPEG');
const photo2 = path.join(photosDir, 'n02007558_flamingo.JPEG'); // right for both models
const crop = path.join(shared, 'reference/squeezenet1_1/n01440764_tench.ppm');

for (const cli of ['native', 'wasm']) {
  test(`${cli} CLI: --json lines, a failing file reported and the rest still run`, () => {
    const r = run(cli, ['classify', '--json', photo, corrupt, path.join(tmp, 'missing.png'), photo2]);
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 4);
    assert.equal(lines[0].file, photo);
    assert.equal(lines[0].model, 'squeezenet1_0'); // models/default.sqz (CMake's SQZ_DEFAULT_MODEL)
    assert.equal(lines[0].predictions.length, 5);
    assert.deepEqual(Object.keys(lines[0].predictions[0]), ['index', 'label', 'probability']);
    assert.equal(lines[0].predictions[0].label, 'tench');
    assert.equal(lines[1].file, corrupt);
    assert.match(lines[1].error, /\S/);
    assert.match(lines[2].error, /missing\.png/);
    assert.equal(lines[3].predictions[0].label, 'flamingo');
  });

  test(`${cli} CLI: --top, --logits, --raw, --model squeezenet1_0, text table`, () => {
    let r = run(cli, ['classify', '--model', 'squeezenet1_1', '--json', '--top', '3', '--logits', '--raw', crop]);
    assert.equal(r.status, 0, r.stderr);
    const line = JSON.parse(r.stdout);
    assert.equal(line.predictions.length, 3);
    assert.equal(line.logits.length, 1000);
    r = run(cli, ['classify', '--model', 'squeezenet1_0', '--json', photo]);
    assert.equal(JSON.parse(r.stdout).model, 'squeezenet1_0');
    r = run(cli, ['classify', photo]);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /tench/);
    assert.match(r.stdout, /1\. tench/);
    r = run(cli, ['classify', '--top', '0', photo]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--top/);
    r = run(cli, ['classify', '--model', 'no_such_model', photo]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no_such_model/);
    r = run(cli, ['--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /classify \[--model NAME\|FILE\] \[--top K\] \[--json\] \[--raw\] \[--logits\]( \[--threads N\])? FILE/);
  });
}

test('native and wasm CLIs print the same JSON and the same table', () => {
  const args = ['classify', '--json', '--top', '5', photo, photo2, corrupt];
  const a = run('native', args), b = run('wasm', args);
  assert.equal(a.stdout, b.stdout);
  const c = run('native', ['classify', photo]), d = run('wasm', ['classify', photo]);
  assert.equal(c.stdout, d.stdout);
});

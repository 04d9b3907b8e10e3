// The two CLIs: same interface, same output (formatted by the same C code),
// failures reported per file with exit status 1 while the others still run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { shared, photosDir, nativeCli, wasmCli, top5 } from './helpers.js';

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
const cropLogits = Array.from(new Float32Array(Uint8Array.from(
  readFileSync(path.join(shared, 'reference/squeezenet1_1/n01440764_tench.logits.f32'))).buffer));
// Short class names from the upstream synset list ("n01440764 tench, Tinca tinca" → "tench").
const synsets = readFileSync(path.join(shared, 'models/upstream/synset_words.txt'), 'utf8').trim().split('\n')
  .map((l) => l.replace(/^n\d+ /, '').split(',')[0].trim());
// A table's first line after the file's: "   1. tench    99.082%  class 0" (the file's
// own name holds the label too, so match the line, not the word).
const firstRow = (label, index) => new RegExp(`^ +1\\. ${label} +\\d+\\.\\d+%  class ${index}$`, 'm');

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
    // The independent reference's logits for this crop, and its top-3 with their softmax.
    assert.equal(line.logits.length, 1000);
    const worst = Math.max(...line.logits.map((v, i) => Math.abs(v - cropLogits[i])));
    assert.ok(worst <= 1e-3, `${cli}: --logits differ from the reference by ${worst}`);
    assert.deepEqual(line.predictions.map((p) => p.index), top5(cropLogits).slice(0, 3));
    const max = Math.max(...cropLogits), sum = cropLogits.reduce((s, v) => s + Math.exp(v - max), 0);
    for (const p of line.predictions) {
      assert.ok(Math.abs(p.probability - Math.exp(cropLogits[p.index] - max) / sum) < 1e-4, `${cli}: ${JSON.stringify(p)}`);
    }
    assert.deepEqual(line.predictions.map((p) => p.label), line.predictions.map((p) => synsets[p.index]));
    // The text table's and the CSV's logits (other code in report.c) against the reference too.
    const offBy = (values) => {
      assert.equal(values.length, 1000);
      return Math.max(...values.map((v, i) => Math.abs(v - cropLogits[i])));
    };
    r = run(cli, ['classify', '--model', 'squeezenet1_1', '--top', '1', '--logits', '--raw', crop]);
    assert.equal(r.status, 0, r.stderr);
    const textLogits = r.stdout.split('logits:')[1].trim().split(/\s+/).map(Number);
    assert.ok(offBy(textLogits) <= 1e-3, `${cli}: the text table's logits differ from the reference by ${offBy(textLogits)}`);
    r = run(cli, ['classify', '--model', 'squeezenet1_1', '--csv', '--top', '1', '--logits', '--raw', crop]);
    assert.equal(r.status, 0, r.stderr);
    const row = r.stdout.trim().split('\n')[1].split(',');   // ..., logit0, ..., logit999, error (empty)
    assert.equal(row.at(-1), '');
    const csvLogits = row.slice(-1001, -1).map(Number);
    assert.ok(offBy(csvLogits) <= 1e-3, `${cli}: the CSV's logits differ from the reference by ${offBy(csvLogits)}`);
    r = run(cli, ['classify', '--model', 'squeezenet1_0', '--json', photo]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).model, 'squeezenet1_0');
    assert.equal(JSON.parse(r.stdout).predictions[0].label, 'tench');
    r = run(cli, ['classify', photo]);
    assert.equal(r.status, 0);
    assert.match(r.stdout, firstRow('tench', 0));
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
  // Both ran and said the same, and what they said is right (two CLIs that crash
  // alike print the same nothing).
  for (const r of [a, b]) {
    assert.equal(r.status, 1, r.stderr); // the corrupt file
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.predictions?.[0].label ?? 'error'), ['tench', 'flamingo', 'error']);
  }
  assert.equal(a.stdout, b.stdout);
  const c = run('native', ['classify', photo]), d = run('wasm', ['classify', photo]);
  for (const r of [c, d]) {
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, firstRow('tench', 0));
  }
  assert.equal(c.stdout, d.stdout);
});

// `embed` and `train` in both CLIs (src/tools/teach.c, src/js/cli-teach.js):
// - embed: JSON lines, the same from both within 1e-5, unit length unless
//   --raw (then the raw values, which the unit ones are scaled from), failures
//   on their line with exit status 1;
// - train on a copy of ../shared/testdata/clothing/train (the ImageFolder
//   layout) with an unreadable image and a text file added: the image is
//   reported and skipped (exit status 1), the taught model written; then
//   `classify --model out.sqz` over validation/ is within 2 points of the
//   README's reference accuracy, and both CLIs' models give the same top-1 on
//   every validation photo (each classified by its own CLI), and the two
//   taught models are the same bytes; the native CLI also teaches the other
//   three settings (squeezenet1_1, 10 per class) within 2 points;
// - misuse: exit status 2 and a reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { nativeCli, wasmCli } from './helpers.js';
import { clothingDir, clothingPhotos, referenceAccuracy } from './clothing.js';

const run = (cli, args) => {
  const [cmd, pre] = cli === 'native' ? [nativeCli, []] : [process.execPath, [wasmCli]];
  return spawnSync(cmd, [...pre, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
};
const CLIS = ['native', 'wasm'];

const tmp = mkdtempSync(path.join(tmpdir(), 'sqz-cli-teach-'));
const validation = clothingPhotos('validation');
const photos = [validation[0].file, validation[200].file];
const corrupt = path.join(tmp, 'corrupt.jpg');
writeFileSync(corrupt, Buffer.from('\xff\xd8\xff\xe0 not really a jpeg'));

test('embed: JSON lines from both CLIs alike, unit length unless --raw, failures on their line', () => {
  for (const model of ['default', 'squeezenet1_1']) {
    const out = {};
    for (const cli of CLIS) {
      for (const raw of [false, true]) {
        const r = run(cli, ['embed', '--model', model, ...(raw ? ['--raw'] : []), photos[0], corrupt, photos[1]]);
        assert.equal(r.status, 1, r.stderr);
        const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
        assert.equal(lines.length, 3);
        assert.deepEqual(Object.keys(lines[0]), ['file', 'model', 'embedding']);
        assert.equal(lines[0].model, model === 'default' ? 'squeezenet1_0' : model);
        assert.equal(lines[1].file, corrupt);
        assert.match(lines[1].error, /decode/);
        for (const line of [lines[0], lines[2]]) assert.equal(line.embedding.length, 512);
        out[`${cli} ${raw}`] = [lines[0].embedding, lines[2].embedding];
      }
    }
    for (const i of [0, 1]) {
      const unit = out['native false'][i], raw = out['native true'][i];
      const length = Math.hypot(...raw);
      assert.ok(Math.abs(Math.hypot(...unit) - 1) < 1e-6 && length > 1.5, `lengths ${Math.hypot(...unit)}, ${length}`);
      raw.forEach((v, j) => assert.ok(Math.abs(unit[j] - v / length) < 1e-6, `value ${j}`));
      for (const raw2 of [false, true]) {
        const a = out[`native ${raw2}`][i], b = out[`wasm ${raw2}`][i];
        const worst = Math.max(...a.map((v, j) => Math.abs(v - b[j])));
        assert.ok(worst <= 1e-5, `${model}: native and wasm embeddings differ by ${worst}`);
      }
    }
  }
});

test('embed: a folder, --jobs 2 and --threads 2 print what --jobs 1 prints, both CLIs alike', () => {
  const dir = path.join(tmp, 'four');
  mkdirSync(path.join(dir, 'sub'), { recursive: true });
  [0, 100, 200, 300].forEach((i, k) => cpSync(validation[i].file, path.join(dir, k % 2 ? 'sub' : '', `${k}.jpg`)));
  writeFileSync(path.join(dir, 'sub', 'broken.png'), 'no');
  const parsed = {};
  for (const cli of CLIS) {
    const outputs = [];
    for (const extra of [['--jobs', '1'], ['--jobs', '2'], ['--jobs', '1', '--threads', '2']]) {
      const r = run(cli, ['embed', '--quiet', ...extra, dir]);
      assert.equal(r.status, 1, `${cli} ${extra}: ${r.stderr}`);
      outputs.push(r.stdout);
    }
    for (const o of outputs.slice(1)) assert.equal(o, outputs[0], `${cli}: other output with more jobs or threads`);
    parsed[cli] = outputs[0].trim().split('\n').map((l) => JSON.parse(l));
  }
  const lines = parsed.native;
  assert.deepEqual(lines.map((l) => path.relative(dir, l.file)), ['0.jpg', '2.jpg', 'sub/1.jpg', 'sub/3.jpg', 'sub/broken.png']);
  assert.match(lines[4].error, /decode/);
  assert.deepEqual(parsed.wasm.map((l) => l.file), lines.map((l) => l.file));
  lines.slice(0, 4).forEach((l, i) => l.embedding.forEach((v, j) =>
    assert.ok(Math.abs(v - parsed.wasm[i].embedding[j]) <= 1e-5, `${l.file} value ${j}: native and wasm differ`)));
});

test('embed and train: misuse is exit status 2 with a reason', () => {
  const oneClass = path.join(tmp, 'one-class');
  mkdirSync(path.join(oneClass, 'hat'), { recursive: true });
  cpSync(validation[0].file, path.join(oneClass, 'hat', 'a.jpg'));
  const comma = path.join(tmp, 'comma');
  mkdirSync(path.join(comma, 'hat, cap'), { recursive: true });
  mkdirSync(path.join(comma, 'shoes'), { recursive: true });
  const unreadable = path.join(tmp, 'unreadable');
  mkdirSync(path.join(unreadable, 'hat'), { recursive: true });
  mkdirSync(path.join(unreadable, 'shoes'), { recursive: true });
  cpSync(validation[0].file, path.join(unreadable, 'hat', 'a.jpg'));
  cpSync(corrupt, path.join(unreadable, 'shoes', 'b.jpg'));
  const out = path.join(tmp, 'never.sqz');
  const cases = [
    [['embed'], /no files given/],
    [['embed', '--top', '3', photos[0]], /unknown option '--top'/],
    [['embed', '--model', 'no_such_model', photos[0]], /no_such_model/],
    [['train', oneClass], /--out FILE\.sqz is required/],
    [['train', '--out', out], /no folders given/],
    [['train', '--out', out, oneClass], /1 class folder found.*two or more/],
    [['train', '--out', out, comma], /hat, cap: a class folder's name is its label, and the label contains a comma/],
    [['train', '--out', out, unreadable], /class 'shoes' has no images that could be read/],
    [['train', '--out', out, path.join(tmp, 'missing')], /missing: cannot read folder \(no such file or directory\)/],
  ];
  for (const cli of CLIS) {
    for (const [args, reason] of cases) {
      const r = run(cli, args);
      assert.equal(r.status, 2, `${cli} ${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, reason, `${cli} ${args.join(' ')}`);
    }
  }
  assert.equal(cases.length, 9);
});

test('train: images in subfolders count, hidden ones and other files do not, a link loop is noted; both CLIs alike', () => {
  const dir = path.join(tmp, 'small');
  mkdirSync(path.join(dir, 'hat', 'more'), { recursive: true });
  mkdirSync(path.join(dir, 'shoes', '.hidden'), { recursive: true });
  cpSync(validation[0].file, path.join(dir, 'hat', 'a.jpg'));
  cpSync(validation[1].file, path.join(dir, 'hat', 'more', 'b.JPEG'));
  cpSync(validation[300].file, path.join(dir, 'shoes', 'c.jpeg'));
  cpSync(validation[301].file, path.join(dir, 'shoes', '.d.jpg'));
  cpSync(validation[302].file, path.join(dir, 'shoes', '.hidden', 'e.jpg'));
  writeFileSync(path.join(dir, 'shoes', 'f.txt'), 'not an image');
  symlinkSync('..', path.join(dir, 'hat', 'more', 'up'));
  const second = path.join(tmp, 'small2');
  mkdirSync(path.join(second, 'shoes'), { recursive: true });
  cpSync(validation[303].file, path.join(second, 'shoes', 'g.png'));
  const models = {};
  for (const cli of CLIS) {
    const out = path.join(tmp, `small-${cli}.sqz`);
    // (examples: a.jpg, more/b.JPEG; c.jpeg, g.png)
    const r = run(cli, ['train', '--model', 'squeezenet1_1', '--out', out, dir, second]);
    assert.equal(r.status, 0, `${cli}: ${r.stderr}`); // a loop skipped loses nothing
    assert.match(r.stderr, /hat\/more\/up: a link to a folder it is inside: skipped \(loop\)/);
    assert.doesNotMatch(r.stderr, /\.d\.jpg|e\.jpg|f\.txt/);
    // shoes: c.jpeg, and g.png of the second folder (a JPEG: read by its content)
    assert.deepEqual(r.stdout.split('\n').slice(0, 3), ['hat: 2 examples', 'shoes: 2 examples',
      '2 classes, 4 examples: training accuracy 100.0%, ' + r.stdout.match(/(\d+) iterations/)[1] + ' iterations']);
    models[cli] = r.stdout.replace(/time: .*\n/, '').replace(out, 'OUT');
  }
  assert.equal(models.native, models.wasm);
});

test('train on the clothing photos (ImageFolder), then classify with the taught model: as the reference, both CLIs alike', () => {
  // A copy of train/ with an unreadable image and a file that is no image.
  const dir = path.join(tmp, 'train');
  cpSync(path.join(clothingDir, 'train'), dir, { recursive: true });
  const broken = path.join(dir, 'hat', 'zz-broken.jpg');
  writeFileSync(broken, 'not an image');
  writeFileSync(path.join(dir, 'hat', 'notes.txt'), 'hats');
  const reference = referenceAccuracy('squeezenet1_0')[1]; // the default model, 30 per class
  const top1 = {};
  for (const cli of CLIS) {
    const out = path.join(tmp, `${cli}.sqz`);
    const r = run(cli, ['train', '--out', out, dir]);
    assert.equal(r.status, 1, `${cli}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: decode: .*\\(skipped\\)`));
    assert.doesNotMatch(r.stderr, /notes\.txt/);
    const lines = r.stdout.trim().split('\n');
    const classes = [...new Set(clothingPhotos('train').map((p) => p.label))];
    assert.deepEqual(lines.slice(0, 10), classes.map((c) => `${c}: 30 examples`));
    assert.match(lines[10], /^10 classes, 300 examples: training accuracy \d+\.\d%, \d+ iterations$/);
    assert.match(lines[11], /^time: embedding \d+\.\d s, training \d+\.\d\d s$/);
    assert.equal(lines[12], `wrote ${out} (${readFileSync(out).length} bytes)`);
    const c = run(cli, ['classify', '--model', out, '--json', '--top', '1', '--quiet', path.join(clothingDir, 'validation')]);
    assert.equal(c.status, 0, c.stderr);
    const results = new Map(c.stdout.trim().split('\n').map((l) => JSON.parse(l)).map((x) => [x.file, x]));
    assert.equal(results.size, validation.length);
    assert.equal(results.get(validation[0].file).model, 'squeezenet1_0-taught');
    top1[cli] = validation.map((p) => results.get(p.file).predictions[0].label);
    const right = top1[cli].filter((label, i) => label === validation[i].label).length;
    const accuracy = (100 * right) / validation.length;
    console.log(`${cli} CLI: ${lines[10]}; validation ${accuracy.toFixed(1)}% (${right}/${validation.length}), reference ${reference}%`);
    assert.ok(Math.abs(accuracy - reference) <= 2, `${cli}: ${accuracy.toFixed(1)}% is not within 2 points of ${reference}%`);
  }
  assert.deepEqual(top1.wasm, top1.native);
  // Training is deterministic across builds: the same photos, the same bytes.
  assert.ok(readFileSync(path.join(tmp, 'native.sqz')).equals(readFileSync(path.join(tmp, 'wasm.sqz'))),
    'the native and the wasm CLI taught models of other bytes');
});

// The other three of the four settings (the default model at 30 per class is
// above): the native CLI alone, as the wasm one teaches the same bytes.
for (const [model, network, perClass] of [['default', 'squeezenet1_0', 10], ['squeezenet1_1', 'squeezenet1_1', 10],
  ['squeezenet1_1', 'squeezenet1_1', 30]]) {
  test(`train ${model} on ${perClass} photos per class (native CLI): as the reference`, () => {
    const dir = path.join(tmp, `first-${perClass}`);
    for (const photo of clothingPhotos('train').filter((p) => p.rank < perClass)) {
      mkdirSync(path.join(dir, photo.label), { recursive: true });
      cpSync(photo.file, path.join(dir, photo.label, path.basename(photo.file)));
    }
    const out = path.join(tmp, `${model}-${perClass}.sqz`);
    const r = run('native', ['train', '--model', model, '--out', out, dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^10 classes, ${10 * perClass} examples: `, 'm'));
    const c = run('native', ['classify', '--model', out, '--json', '--top', '1', '--quiet', path.join(clothingDir, 'validation')]);
    assert.equal(c.status, 0, c.stderr);
    const results = new Map(c.stdout.trim().split('\n').map((l) => JSON.parse(l)).map((x) => [x.file, x]));
    assert.equal(results.size, validation.length);
    const right = validation.filter((p) => results.get(p.file).predictions[0].label === p.label).length;
    const accuracy = (100 * right) / validation.length;
    const reference = referenceAccuracy(network)[perClass === 10 ? 0 : 1];
    console.log(`native CLI, ${model}, ${perClass} per class: validation ${accuracy.toFixed(1)}% (${right}/${validation.length}), reference ${reference}%`);
    assert.ok(Math.abs(accuracy - reference) <= 2, `${accuracy.toFixed(1)}% is not within 2 points of ${reference}%`);
  });
}

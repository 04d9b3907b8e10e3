// Both CLIs over photo libraries: folders walked (in byte order, images only,
// hidden entries, link loops and unreadable folders handled), lists from a
// file or a pipe, --jobs, CSV, progress, constant memory over 5,000 files —
// and the same bytes from both. The expected sequences are written out here
// by hand; classifications are checked against ../shared/reference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, copyFileSync, symlinkSync, chmodSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { deflateSync } from 'node:zlib';
import path from 'node:path';
import { root, photosDir, nativeCli, wasmCli, predictions } from './helpers.js';

const CLIS = ['native', 'wasm'];
const command = (cli) => (cli === 'native' ? [nativeCli, []] : [process.execPath, [wasmCli]]);

/** Runs a CLI; stdout as bytes (file names need not be UTF-8), stderr as text. */
function run(cli, args, { input, env } = {}) {
  const [cmd, pre] = command(cli);
  const r = spawnSync(cmd, [...pre, ...args], { input, env: env && { ...process.env, ...env }, maxBuffer: 256 << 20 });
  return { status: r.status, stdout: r.stdout, out: r.stdout.toString('latin1'), stderr: r.stderr.toString() };
}

const jsonLines = (r) => r.stdout.toString().trim().split('\n').map((l) => JSON.parse(l));

// ---- a photo library ----

const tmp = mkdtempSync(path.join(tmpdir(), 'sqz-batch-'));
const lib = path.join(tmp, 'lib');
const photo = (name) => path.join(photosDir, name);
const TENCH = 'n01440764_tench.JPEG', FLAMINGO = 'n02007558_flamingo.JPEG', ROBIN = 'n01558993_robin.JPEG';
const HUSKY = 'n02110185_Siberian_husky.JPEG';

// Each library path and the photo it holds (null: not a photo).
const tree = {
  '2019/B.JPG': TENCH,               // upper-case extension
  '2019/a.jpeg': FLAMINGO,
  '2019/notes.txt': null,            // not an image: skipped
  '2019/.hidden.jpg': ROBIN,         // hidden: skipped
  '2019/.thumbnails/t.jpg': ROBIN,   // in a hidden folder: skipped
  '2020/broken.jpg': null,           // not an image inside
  '2020/sub/c.PNG': HUSKY,           // a JPEG named .PNG: recognised by content
  'é.jpg': ROBIN,                    // UTF-8 0xC3 0xA9: after z in byte order
  'z.jpg': HUSKY,
};
for (const [rel, source] of Object.entries(tree)) {
  const file = path.join(lib, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  if (source) copyFileSync(photo(source), file);
  else writeFileSync(file, rel.endsWith('.txt') ? 'holiday notes\n' : '\xff\xd8\xff\xe0 not really a JPEG');
}
symlinkSync('../..', path.join(lib, '2020/sub/loop'));             // back to lib: a loop
symlinkSync('no-such-file.jpg', path.join(lib, '2020/dangling.jpg')); // an image the user would miss
symlinkSync(`../2019/a.jpeg`, path.join(lib, '2020/linked.jpg'));  // a link to an image: classified

// What a walk of lib must give, in this order (folders and names in byte order).
const expected = [
  ['2019/B.JPG', TENCH],
  ['2019/a.jpeg', FLAMINGO],
  ['2020/broken.jpg', 'error'],
  ['2020/dangling.jpg', 'error'],
  ['2020/linked.jpg', FLAMINGO],
  ['2020/sub/c.PNG', HUSKY],
  ['z.jpg', HUSKY],
  ['é.jpg', ROBIN],
].map(([rel, what]) => ({ file: path.join(lib, rel), what }));

const reference = await predictions('squeezenet1_0'); // the default model

function checkLibraryRun(cli, r) {
  assert.equal(r.status, 1, `${cli}: exit status 1 (broken and dangling files): ${r.stderr}`);
  const lines = jsonLines(r);
  assert.deepEqual(lines.map((l) => l.file), expected.map((e) => e.file), `${cli}: every image once, in order`);
  let checked = 0;
  for (const [i, e] of expected.entries()) {
    const line = lines[i];
    if (e.what === 'error') {
      assert.match(line.error, /\S/, `${cli}: ${e.file} reported`);
      assert.equal(line.predictions, undefined);
      continue;
    }
    assert.equal(line.predictions.length, 5);
    assert.equal(line.predictions[0].index, reference[e.what].top5[0], `${cli}: ${e.file} is ${e.what}`);
    checked++;
  }
  assert.equal(checked, 6);
  assert.match(lines[3].error, /dangling\.jpg: cannot open \(no such file or directory\)/);
  assert.match(r.stderr, /2020\/sub\/loop: a link to a folder it is inside: skipped \(loop\)/, `${cli}: the loop is reported`);
}

for (const cli of CLIS) {
  test(`${cli} CLI: a folder tree — every image once in byte order, broken and dangling reported, the rest skipped, exit 1`, () => {
    checkLibraryRun(cli, run(cli, ['classify', '--json', '--jobs', '2', lib]));
  });

  test(`${cli} CLI: --files-from - and --files-from FILE give what the walk gives; a folder in a list is walked`, () => {
    const walked = run(cli, ['classify', '--json', '--jobs', '1', lib]);
    const list = expected.map((e) => e.file).join('\n') + '\n';
    const fromStdin = run(cli, ['classify', '--json', '--files-from', '-'], { input: list });
    assert.equal(fromStdin.status, 1);
    assert.equal(fromStdin.out, walked.out);
    // CRLF line ends, blank lines and a folder among the lines.
    const listFile = path.join(tmp, 'list.txt');
    writeFileSync(listFile, `\r\n${path.join(lib, '2019')}\r\n\r\n${path.join(lib, 'z.jpg')}\r\n`);
    const fromFile = run(cli, ['classify', '--json', '--files-from', listFile, path.join(lib, '2019/notes.txt')]);
    const lines = jsonLines(fromFile);
    assert.deepEqual(lines.map((l) => l.file), [path.join(lib, '2019/B.JPG'), path.join(lib, '2019/a.jpeg'),
      path.join(lib, 'z.jpg'), path.join(lib, '2019/notes.txt')]);
    assert.match(lines[3].error, /\S/, 'a file named explicitly is always tried'); // notes.txt is no image
    assert.equal(fromFile.status, 1);
    const missing = run(cli, ['classify', '--files-from', path.join(tmp, 'no-such-list'), lib]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no-such-list: cannot open the list/);
  });

  test(`${cli} CLI: --jobs 2, --jobs 3 and --jobs 2 --threads 2 print exactly what --jobs 1 prints (JSON, table, CSV)`, () => {
    const photos = readdirSync(photosDir).slice(0, 24).map(photo);
    let compared = 0;
    for (const format of [['--json'], [], ['--csv', '--top', '3']]) {
      const args = ['classify', ...format, '--model', 'squeezenet1_1', ...photos, lib];
      const one = run(cli, [...args, '--jobs', '1']);
      assert.equal(one.status, 1);
      assert.ok(one.stdout.length > 24 * 60);
      for (const more of [['--jobs', '2'], ['--jobs', '3'], ['--jobs', '2', '--threads', '2']]) {
        assert.equal(run(cli, [...args, ...more]).out, one.out, `${format} ${more.join(' ')}`);
        compared++;
      }
    }
    assert.equal(compared, 9);
  });
}

test('native and wasm CLIs print the same bytes for a library: JSON, table, CSV with logits', () => {
  let compared = 0;
  for (const format of [['--json'], [], ['--csv', '--logits']]) {
    const args = ['classify', ...format, lib, path.join(tmp, 'missing.png')];
    const a = run('native', args), b = run('wasm', args);
    assert.equal(a.status, 1);
    assert.ok(a.stdout.length > 500);
    assert.equal(b.out, a.out, `${format}`);
    assert.equal(b.status, a.status);
    compared++;
  }
  assert.equal(compared, 3);
});

// ---- CSV ----

/** RFC 4180 rows (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; }
    else field += c;
  }
  assert.equal(field, '', 'the last row ends with a newline');
  return rows;
}

for (const cli of CLIS) {
  test(`${cli} CLI: --csv — a header, one row per file, RFC 4180 quoting, errors in the last column; matches --json`, () => {
    const odd = path.join(tmp, 'csv', 'say "cheese", please\n.jpg');
    mkdirSync(path.dirname(odd), { recursive: true });
    copyFileSync(photo(TENCH), odd);
    const files = [odd, path.join(lib, '2020/broken.jpg'), photo(FLAMINGO)];
    const csv = run(cli, ['classify', '--csv', '--top', '3', ...files]);
    const json = jsonLines(run(cli, ['classify', '--json', '--top', '3', ...files]));
    assert.equal(csv.status, 1);
    const rows = parseCsv(csv.stdout.toString());
    assert.deepEqual(rows[0], ['file', 'index1', 'label1', 'probability1', 'index2', 'label2', 'probability2',
      'index3', 'label3', 'probability3', 'error']);
    assert.equal(rows.length, 4);
    for (const [i, line] of json.entries()) {
      const r = rows[i + 1];
      assert.equal(r.length, 11);
      assert.equal(r[0], files[i]);
      if (line.error) {
        assert.deepEqual(r.slice(1, 10), Array(9).fill(''));
        assert.equal(r[10], line.error);
        continue;
      }
      assert.equal(r[10], '');
      line.predictions.forEach((p, k) => {
        assert.deepEqual([+r[1 + 3 * k], r[2 + 3 * k], +r[3 + 3 * k]], [p.index, p.label, p.probability]);
      });
    }
    assert.equal(json[0].predictions[0].label, 'tench');
    const both = run(cli, ['classify', '--csv', '--json', photo(TENCH)]);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /--json and --csv/);
  });
}

// ---- streaming, progress ----

/** Feeds paths one at a time, each only once the result of the one before has come out. */
async function feedOneByOne(cli, files) {
  const [cmd, pre] = command(cli);
  const child = spawn(cmd, [...pre, 'classify', '--json', '--files-from', '-', '--model', 'squeezenet1_1']);
  let out = '', seen = 0;
  const lines = [];
  const timer = setTimeout(() => child.kill(), 120000);
  child.stdin.write(files[0] + '\n');
  await new Promise((resolve) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const parts = out.split('\n');
      out = parts.pop();
      for (const l of parts) {
        lines.push(JSON.parse(l));
        seen++;
        if (seen < files.length) child.stdin.write(files[seen] + '\n');
        else child.stdin.end();
      }
    });
    child.on('close', resolve);
  });
  clearTimeout(timer);
  return lines;
}

for (const cli of CLIS) {
  test(`${cli} CLI: --files-from - streams: each result comes out before the next path is written`, async () => {
    const files = [photo(TENCH), photo(FLAMINGO), photo(HUSKY)];
    const lines = await feedOneByOne(cli, files);
    assert.deepEqual(lines.map((l) => l.file), files);
    assert.equal(lines[0].predictions[0].label, 'tench');
  });

  test(`${cli} CLI: nothing on standard error when it is not a terminal (no progress), --quiet accepted`, () => {
    const quietLib = path.join(lib, '2019');
    const r = run(cli, ['classify', '--json', quietLib]);
    assert.equal(r.status, 0);
    assert.equal(r.stderr, '');
    assert.equal(jsonLines(r).length, 2);
    assert.equal(run(cli, ['classify', '--json', '--quiet', quietLib]).out, r.out);
  });
}

const haveScript = spawnSync('script', ['--version']).status === 0;
for (const cli of CLIS) {
  test(`${cli} CLI: progress on a terminal (script's pty): files done of total and images/s; --quiet turns it off`,
    { skip: !haveScript && 'util-linux script is not installed' }, () => {
      const [cmd, pre] = command(cli);
      const quote = (s) => `'${s.replace(/'/g, "'\\''")}'`;
      const outFile = path.join(tmp, `progress-${cli}.json`);
      const line = (extra) => [cmd, ...pre, 'classify', '--json', '--jobs', '2', ...extra, path.join(lib, '2019'),
        path.join(lib, 'z.jpg')].map(quote).join(' ') + ` > ${quote(outFile)}`;
      const withProgress = spawnSync('script', ['-qec', line([]), '/dev/null'], { encoding: 'utf8' });
      assert.equal(withProgress.status, 0, withProgress.stdout);
      assert.match(withProgress.stdout, /\r\x1b\[K3\/3 files, [\d.]+ images\/s, [\d.]+ s\r?\n/);
      assert.equal(readFileSync(outFile, 'utf8'), run(cli, ['classify', '--json', path.join(lib, '2019'),
        path.join(lib, 'z.jpg')]).stdout.toString(), 'the output itself is unchanged');
      const quiet = spawnSync('script', ['-qec', line(['--quiet']), '/dev/null'], { encoding: 'utf8' });
      assert.equal(quiet.status, 0);
      assert.equal(quiet.stdout, '');
    });
}

// ---- an unreadable folder ----

// As root, permissions do not stop reading: drop the capabilities that bypass them.
const unreadable = path.join(tmp, 'locked-lib');
mkdirSync(path.join(unreadable, 'private'), { recursive: true });
copyFileSync(photo(TENCH), path.join(unreadable, 'private', 'p.jpg'));
copyFileSync(photo(FLAMINGO), path.join(unreadable, 'q.jpg'));
chmodSync(path.join(unreadable, 'private'), 0);
const asRoot = process.getuid?.() === 0;
const dropCaps = asRoot ? ['setpriv', '--inh-caps=-all', '--bounding-set=-dac_override,-dac_read_search'] : [];
const canLock = spawnSync(dropCaps[0] ?? 'ls', [...dropCaps.slice(1), ...(asRoot ? ['ls'] : []),
  path.join(unreadable, 'private')]).status !== 0;

for (const cli of CLIS) {
  test(`${cli} CLI: an unreadable folder is an error line naming it, the rest still runs, exit 1`,
    { skip: !canLock && 'cannot make a folder unreadable here' }, () => {
      const [cmd, pre] = command(cli);
      const args = [...pre, 'classify', '--json', unreadable];
      const r = spawnSync(dropCaps[0] ?? cmd, [...dropCaps.slice(1), ...(dropCaps.length ? [cmd] : []), ...args]);
      assert.equal(r.status, 1, r.stderr.toString());
      const lines = jsonLines(r);
      assert.deepEqual(lines.map((l) => l.file), [path.join(unreadable, 'private'), path.join(unreadable, 'q.jpg')]);
      assert.equal(lines[0].error, `${path.join(unreadable, 'private')}: cannot read folder (permission denied)`);
      assert.equal(lines[1].predictions[0].label, 'flamingo');
    });
}

// ---- constant memory over 5,000 files ----

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

function crc32(bytes) {
  let c = ~0;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 255] ^ (c >>> 8);
  return ~c >>> 0;
}

/** A 64×64 RGB PNG of noise from `seed` (about 12 KB: keeping each file's bytes would show). */
function png(seed) {
  const side = 64;
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc(side * (3 * side + 1));
  let x = seed + 1;
  for (let i = 0; i < rows.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    rows[i] = i % (3 * side + 1) === 0 ? 0 : x >>> 24; // filter byte 0, then noise
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

/** Peak resident memory of a CLI run in KB (the child's rusage, through Python's os.wait4). */
function peakRss(cli, args) {
  const [cmd, pre] = command(cli);
  const script = 'import os, subprocess, sys\n' +
    'p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE)\n' +
    'n = sum(1 for _ in p.stdout)\n' +
    '_, status, usage = os.wait4(p.pid, 0)\n' +
    'print(n, os.waitstatus_to_exitcode(status), usage.ru_maxrss)\n';
  const r = spawnSync('python3', ['-c', script, cmd, ...pre, ...args], { encoding: 'utf8' });
  const [lines, status, kb] = r.stdout.trim().split(' ').map(Number);
  return { lines, status, kb };
}

const many = path.join(tmp, 'many');
for (let f = 0; f < 50; f++) {
  const dir = path.join(many, `f${String(f).padStart(2, '0')}`);
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < 100; i++) writeFileSync(path.join(dir, `${String(i).padStart(3, '0')}.png`), png(f * 100 + i));
}
const tinyModel = path.join(root, 'fuzz/corpus/model/tiny-0.sqz');

for (const cli of CLIS) {
  test(`${cli} CLI: 1,000 and 5,000 small images (60 MB) through the tiny model: the same peak memory`, () => {
    const dirs = readdirSync(many).map((d) => path.join(many, d));
    const args = ['classify', '--json', '--logits', '--model', tinyModel, '--jobs', '2'];
    // Each count run twice, the lower peak kept: what Node's heap settles to varies from run to run.
    const peak = (n) => {
      const runs = [0, 1].map(() => peakRss(cli, [...args, ...dirs.slice(0, n / 100)]));
      for (const r of runs) assert.deepEqual([r.lines, r.status], [n, 0]);
      return Math.min(...runs.map((r) => r.kb));
    };
    const small = peak(1000), large = peak(5000);
    const growth = large - small;
    console.log(`${cli}: peak RSS ${small} KB over 1,000 files, ${large} KB over 5,000 (${growth >= 0 ? '+' : ''}${growth} KB)`);
    // 4,000 more files may not cost 4 KB each (each image is 12 KB, its line 300 bytes): nothing per
    // file is kept. Node's heap, measured while other tests run, has grown by up to 12 MB.
    assert.ok(growth < 16000, `${cli}: peak memory grew by ${growth} KB from 1,000 to 5,000 files`);
  });
}

// ---- the shipped .wasm links nothing of the CLIs ----

test('the engines (squeezenet.wasm, -mt, -scalar) hold nothing of the CLIs; cli-report.wasm holds the format and no engine', () => {
  const marks = [', "predictions": [', 'probability%d', 'cannot read folder'];
  const cliReport = readFileSync(path.join(root, 'dist/cli-report.wasm'));
  const exportsOf = (bytes) => WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map((e) => e.name);
  for (const mark of marks.slice(0, 2)) assert.ok(cliReport.includes(mark), `cli-report.wasm has "${mark}"`);
  assert.ok(exportsOf(cliReport).includes('sqzr_result'));
  assert.ok(!exportsOf(cliReport).some((n) => n.startsWith('sqzw_')), 'cli-report.wasm holds no engine');
  for (const name of ['squeezenet.wasm', 'squeezenet-mt.wasm', 'squeezenet-scalar.wasm']) {
    const bytes = readFileSync(path.join(root, 'dist', name));
    for (const mark of marks) assert.ok(!bytes.includes(mark), `${name} holds "${mark}"`);
    const names = exportsOf(bytes);
    assert.ok(names.includes('sqzw_classify_image'), `${name} is the engine`);
    assert.deepEqual(names.filter((n) => /report|sqzr_/.test(n)), [], `${name} exports nothing of the CLIs`);
  }
});

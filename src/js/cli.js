#!/usr/bin/env node
// squeezenet-wasm — the Node CLI over the .wasm, with the native `sqz`'s
// interface and output: the output is formatted by the same C code
// (dist/cli-report.wasm), inputs are found as src/tools/inputs.c finds them,
// and --jobs N runs N engines (this thread and worker threads) with the
// results printed in input order, as the native CLI's threads do.
import { writeSync } from 'node:fs';
import { readFile, access } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { isatty } from 'node:tty';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { ClassifyJob, EmbedJob } from './cli-worker.js';
import { trainCommand } from './cli-teach.js';
import { inputsOf, openLists, closeLists, countInputs } from './cli-inputs.js';
import { classIndices } from './outputs.js';
import { MODELS as SHIPPED_MODELS, MAX_THREADS, CLI_MAX_JOBS } from '../../dist/constants.js';

const PROGRAM = 'squeezenet-wasm';
// models/default.sqz, made by the build (CMake's SQZ_DEFAULT_MODEL chooses it).
const DEFAULT_MODEL = 'default';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = (name) => path.join(root, 'dist', name);

const usage = `usage:
  squeezenet-wasm classify [--model NAME|FILE] [--top K] [--json] [--raw] [--logits] [--threads N] FILE...
                           [--csv] [--jobs N] [--files-from LIST] [--quiet]
  squeezenet-wasm embed [--model NAME|FILE] [--raw] [--jobs N] [--threads N] [--files-from LIST] FILE...
  squeezenet-wasm train [--model BASE] --out FILE.sqz [--threads N] DIR...

classify options:
  FILE               an image, or a folder: its images (jpg, jpeg, png, bmp, gif, pnm,
                     ppm, pgm; any case), all subfolders, names in byte order, hidden
                     ones skipped. A file named explicitly is always tried
  --files-from LIST  the paths in LIST, one a line ('-': standard input, read as it
                     comes), in its place among the FILEs
  --model NAME|FILE  a model's name, looked up in $SQZ_MODELS_DIR, then the
                     package's models/, then ./models; or a path to a .sqz file.
                     The package has ${SHIPPED_MODELS.map((m) => m.name).join(', ')}
                     (without --model: default)
  --top K            how many predictions per file (default 5)
  --json             one JSON object per line and file
  --csv              a header, then one row per file: file,index1,label1,probability1,
                     ...,error
  --raw              FILE already is the network-input crop (e.g. 224x224):
                     only channel order and normalisation apply
  --logits           also print the 1000 pre-softmax outputs
  --jobs N           images classified at once, 1 to 256 (default: the cores);
                     the output is the same, in input order
  --threads N        threads per image, 1 to 64 (default 1); results are identical.
                     A run uses jobs x threads threads
  --quiet            no progress line (drawn only when standard error is a terminal)
  --ignore-orientation  classify JPEG/PNG pixels as stored, not turned upright
                     by their EXIF orientation (as a camera held sideways tags them)
  --min-probability P  leave out classes whose probability is under P (0 to 1)
  --allow LIST       only these classes: labels or class indices, comma-separated
                     ('tabby,tiger cat,281'); repeatable
  --deny LIST        never these classes (as --allow); all three apply before --top
  --heatmaps         with --json: each prediction's heatmap (grid, region, data)
  --heatmap DIR      write DIR/FILE.png: the picture with the top class's heatmap
A file that fails is reported on its line and the others still run; the exit
status is then 1 (also for a folder that cannot be read).

embed options: FILE, --files-from, --model, --jobs, --threads, --quiet and
--ignore-orientation as for classify; one JSON line per file:
{"file", "model", "embedding": [...]}, of unit length
  --raw              the raw averages of the last fire module's output instead
A file that fails gives {"file", "error"}; the others still run; the exit
status is then 1.

train options: each DIR holds one folder per class (DIR/<class>/*.jpg: its images,
found as classify finds a folder's); the folder names are the labels, and classes
of the same name in several DIRs are one class
  --model NAME|FILE  the base model, as for classify (a taught model too)
  --out FILE.sqz     the taught model to write
  --threads N        threads per image, 1 to 64 (default 1)
  --ignore-orientation  as for classify
An image that cannot be read is reported and skipped (the exit status is then 1).
Then \`classify --model FILE.sqz\` classifies with the taught model.
`;

// Output goes straight to the descriptors, one write per result where the
// system allows (as the native CLI), and a failed write is seen where it happens.
const pause = new Int32Array(new SharedArrayBuffer(4));
function writeAll(fd, data) {
  const b = typeof data === 'string' ? Buffer.from(data) : data;
  for (let off = 0; off < b.length;) {
    try {
      off += writeSync(fd, b, off, b.length - off);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 1); // a non-blocking pipe that is full
    }
  }
}
const out = (data) => writeAll(1, data);
/** Standard error: what cannot be shown there stops nothing. */
const say = (data) => { try { writeAll(2, data); } catch { /* nowhere to say it */ } };

const bytes = (...parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));

async function exists(p) {
  try { await access(p); return true; } catch { return false; }
}

async function findModel(arg) {
  if (arg.includes('/') || arg.endsWith('.sqz')) return arg;
  const dirs = [process.env.SQZ_MODELS_DIR, path.join(root, 'models'), 'models'].filter(Boolean);
  for (const d of dirs) {
    const p = path.join(d, `${arg}.sqz`);
    if (await exists(p)) return p;
  }
  return null;
}

/** Options from a table, as src/tools/options.c: { values, sources } | { help } | { error }. */
function parseOptions(table, args) {
  const values = Object.fromEntries(Object.entries(table).map(([name, o]) => [name, o.value]));
  const sources = [];
  let optionsEnd = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (optionsEnd || !a.startsWith('--')) {
      if (a === '-h' && !optionsEnd) return { help: true };
      sources.push({ path: Buffer.from(a), list: false });
      continue;
    }
    if (a === '--') { optionsEnd = true; continue; }
    if (a === '--help') return { help: true };
    const o = table[a];
    if (!o) return { error: `unknown option '${a}' (--help lists them)` };
    if (o.kind === 'flag') { values[a] = true; continue; }
    if (i + 1 >= args.length) return { error: `${a} needs a value` };
    const v = args[++i];
    if (o.kind === 'string') values[a] = v;
    else if (o.kind === 'strings') values[a] = [...values[a], v];
    else if (o.kind === 'list') sources.push({ path: Buffer.from(v), list: true });
    else if (!/^[+-]?\d+$/.test(v) || +v < o.min || +v > o.max) {
      return { error: `${a} takes a number from ${o.min} to ${o.max}, not '${v}'` };
    } else values[a] = +v;
  }
  return { values, sources };
}

// ---- progress: one line on standard error, redrawn with \r (as src/tools/batch.c) ----

class Progress {
  constructor(on) {
    this.on = on;
    this.start = this.last = performance.now();
    this.done = 0;
    this.failed = 0;
    this.total = -1;
    this.drawn = false;
  }

  clear() {
    if (this.drawn) say('\r\x1b[K');
    this.drawn = false;
  }

  draw(final = false) {
    const t = performance.now();
    if (!this.on || (!final && t - this.last < 100)) return;
    this.last = t;
    const elapsed = (t - this.start) / 1000, rate = elapsed > 0 ? this.done / elapsed : 0;
    const known = this.total >= this.done;
    let line = known ? `${this.done}/${this.total} files` : `${this.done} files`;
    if (this.failed) line += `, ${this.failed} failed`;
    line += `, ${rate.toFixed(1)} images/s`;
    if (final) line += `, ${elapsed.toFixed(1)} s`;
    else if (known && rate > 0) {
      const left = Math.round((this.total - this.done) / rate);
      line += `, ${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')} left`;
    }
    say(`\r\x1b[K${line}${final ? '\n' : ''}`);
    this.drawn = !final;
  }
}

// ---- jobs: this thread's, and worker threads' ----

/** Job 0, on this thread: one file at a time. */
class LocalRunner {
  constructor(job) {
    this.job = job;
    this.capacity = 1;
    this.load = 0;
    this.ready = true;
  }

  give(item, complete) {
    this.load++;
    this.job.run(item.path).catch((e) => ({ bytes: this.job.report.error(this.job.style, item.path, e.message), failed: true }))
      .then((result) => { this.load--; complete(item.index, result); });
  }

  async stop() { this.job.dispose(); }
}

/** Jobs 1…N-1: a worker thread each, two files queued so it never waits for this thread. */
class WorkerRunner {
  constructor(setup, { onReady, onFail }) {
    this.capacity = 2;
    this.inflight = new Map(); // index → item
    this.ready = false;
    this.worker = new Worker(new URL('./cli-worker.js', import.meta.url), { workerData: { cliJob: setup } });
    this.worker.on('message', (m) => {
      if (m.type === 'ready') { this.ready = true; onReady(this); }
      else if (m.type === 'result') {
        this.inflight.delete(m.index);
        this.complete(m.index, { bytes: Buffer.from(m.bytes), failed: m.failed });
      } else if (m.type === 'error') this.fail(m.message, onFail);
    });
    this.worker.on('error', (e) => this.fail(e.message, onFail));
    this.worker.on('exit', () => this.fail('it stopped', onFail));
  }

  get load() { return this.inflight.size; }

  give(item, complete) {
    this.complete = complete;
    this.inflight.set(item.index, item);
    this.worker.postMessage({ index: item.index, path: item.path });
  }

  fail(message, onFail) {
    if (this.failed || this.stopping) return;
    this.failed = true;
    this.ready = false;
    onFail(this, message, [...this.inflight.values()]);
    this.inflight.clear();
    this.worker.terminate();
  }

  async stop() {
    this.stopping = true;
    await this.worker.terminate();
  }
}

/**
 * Runs every input through the jobs, at most `window` between read and
 * written, and writes each output in input order as soon as it and all
 * before it are done. Resolves to 1 if any input failed, else 0; rejects
 * with the error of a write to standard output that failed.
 */
async function runBatch({ inputs, jobs, first, workerSetup, report, style, progress }) {
  const window = 4 * jobs + 4;
  const runners = [first];  // ready to take files
  const started = [first];  // all, to stop at the end
  const pending = [];       // files read, not yet given to a job
  const done = new Map();   // index → { bytes, failed, toStderr }
  let head = 0, tail = 0, inputDone = false, failedAny = 0, starting = 0, lost = 0, writeError = null;
  let wakeProducer = null, finish = null;
  const finished = new Promise((resolve) => { finish = resolve; });
  const outIsTerminal = isatty(1);

  const complete = (index, result) => {
    done.set(index, result);
    flush();
    dispatch();
  };

  function flush() {
    while (done.has(head)) {
      const r = done.get(head);
      done.delete(head);
      if (r.toStderr || outIsTerminal) progress.clear();
      if (r.toStderr) say(r.bytes);
      else {
        try {
          out(r.bytes);
        } catch (e) {
          writeError = e;
          finish();
          if (wakeProducer) { wakeProducer(); wakeProducer = null; }
          return;
        }
      }
      if (!r.toStderr) {
        progress.done++;
        if (r.failed) { progress.failed++; failedAny = 1; }
      }
      progress.draw();
      head++;
      if (wakeProducer) { wakeProducer(); wakeProducer = null; }
    }
    if (inputDone && head === tail) finish();
  }

  function startWorker() {
    starting++;
    started.push(new WorkerRunner(workerSetup, {
      onReady(runner) { starting--; runners.push(runner); dispatch(); },
      onFail(runner, message, items) {
        const index = runners.indexOf(runner);
        if (index >= 0) runners.splice(index, 1);
        else starting--;
        lost++;
        progress.clear();
        say(`${PROGRAM}: a job's worker failed (${message}): running with fewer\n`);
        pending.unshift(...items); // its files go to the others, in their order
        pending.sort((a, b) => a.index - b.index);
        dispatch();
      },
    }));
  }

  function dispatch() {
    while (pending.length) {
      const runner = runners.find((r) => r.ready && r.load === 0) ?? runners.find((r) => r.ready && r.load < r.capacity);
      const idle = runners.some((r) => r.load === 0);
      if (!idle && pending.length > starting && runners.length + starting + lost < jobs) startWorker();
      if (!runner) break;
      runner.give(pending.shift(), complete);
    }
  }

  for await (const input of inputs) {
    while (tail - head >= window && !writeError) await new Promise((resolve) => { wakeProducer = resolve; });
    if (writeError) break;
    const index = tail++;
    if (input.kind === 'file') pending.push({ index, path: input.path });
    else if (input.kind === 'error') done.set(index, { bytes: report.error(style, input.path, input.message), failed: true });
    else done.set(index, { bytes: bytes(`${PROGRAM}: `, input.path, ': ', input.message, '\n'), toStderr: true });
    dispatch();
    flush();
  }
  inputDone = true;
  flush();
  await finished;
  await Promise.all(started.map((r) => r.stop()));
  if (writeError) throw writeError;
  return failedAny;
}

const jobsDefault = () => Math.min(CLI_MAX_JOBS, availableParallelism?.() ?? cpus().length);

/**
 * A command's arguments by its option table: { values, sources }, with one
 * input or more (`inputs` names them); or { status } after printing the usage
 * (--help) or saying what is wrong.
 */
function parseCommand(command, table, args, inputs) {
  const parsed = parseOptions(table, args);
  if (parsed.help) { out(usage); return { status: 0 }; }
  if (parsed.error) { say(`${PROGRAM}: ${parsed.error}\n`); return { status: 2 }; }
  if (parsed.sources.length === 0) { say(`${PROGRAM} ${command}: no ${inputs} given\n`); return { status: 2 }; }
  return parsed;
}

/**
 * What every job of a run starts from: the compiled engines and the model's
 * bytes, as { setup, modelPath }, or the exit status after saying why.
 */
async function jobSetup(o, command, flags) {
  const modelPath = await findModel(o['--model']);
  if (!modelPath) {
    say(`${PROGRAM}: model '${o['--model']}' not found (build it with \`npm run build\`, or give a .sqz path)\n`);
    return 2;
  }
  const threads = o['--threads'];
  const [wasm, mtWasm, reportWasm] = await Promise.all([
    readFile(dist('squeezenet.wasm')).then((b) => WebAssembly.compile(b)),
    threads > 1 ? readFile(dist('squeezenet-mt.wasm')).then((b) => WebAssembly.compile(b)) : null,
    readFile(dist('cli-report.wasm')).then((b) => WebAssembly.compile(b)),
  ]);
  let model;
  try {
    model = await readFile(modelPath);
  } catch (e) {
    say(`${PROGRAM}: ${modelPath}: cannot open\n`);
    return 2;
  }
  return { modelPath, setup: { command, wasm, mtWasm, reportWasm, model, threads, flags, style: null } };
}

/**
 * Runs the inputs of `sources` through job 0 (made: `job`) and the workers
 * --jobs asks for, printing each output in input order: the exit status.
 */
async function runJobs(o, sources, job, setup) {
  const { style, report } = job;
  const reason = (code) => report.ioReason(code);
  try {
    await openLists(sources, reason);
  } catch (e) {
    job.dispose();
    say(`${PROGRAM}: ${e.message}\n`);
    return 2;
  }
  const first = new LocalRunner(job);
  out(report.header(style));
  const progress = new Progress(!o['--quiet'] && isatty(2));
  let counted = false;
  if (progress.on) {
    countInputs(sources, reason, () => counted).then((n) => { if (!counted) progress.total = n; });
  }
  const inputs = inputsOf(sources, { reason, lists: (s) => s.stream });
  let status;
  try {
    status = await runBatch({ inputs, jobs: o['--jobs'], first, workerSetup: setup, report, style, progress });
    progress.draw(true);
  } catch (e) {
    progress.clear();
    if (e.code !== 'EPIPE') say(`${PROGRAM}: cannot write the output (${reason(e.code)})\n`); // EPIPE: the reader is done
    status = 2;
  } finally {
    counted = true;
    await closeLists(sources);
  }
  return status;
}

async function classify(args) {
  const table = {
    '--model': { kind: 'string', value: DEFAULT_MODEL },
    '--top': { kind: 'int', value: 5, min: 1, max: 1000 },
    '--json': { kind: 'flag', value: false },
    '--csv': { kind: 'flag', value: false },
    '--raw': { kind: 'flag', value: false },
    '--logits': { kind: 'flag', value: false },
    '--threads': { kind: 'int', value: 1, min: 1, max: MAX_THREADS },
    '--jobs': { kind: 'int', value: jobsDefault(), min: 1, max: CLI_MAX_JOBS },
    '--files-from': { kind: 'list' },
    '--quiet': { kind: 'flag', value: false },
    '--ignore-orientation': { kind: 'flag', value: false },
    '--min-probability': { kind: 'string', value: null },
    '--allow': { kind: 'strings', value: [] },
    '--deny': { kind: 'strings', value: [] },
    '--heatmaps': { kind: 'flag', value: false },
    '--heatmap': { kind: 'string', value: null },
  };
  const parsed = parseCommand('classify', table, args, 'files');
  if (!parsed.values) return parsed.status;
  const { values: o, sources } = parsed;
  if (o['--json'] && o['--csv']) { say(`${PROGRAM}: --json and --csv: choose one\n`); return 2; }
  if (o['--heatmaps'] && !o['--json']) {
    say(`${PROGRAM}: --heatmaps goes with --json (text and CSV have no room for maps)\n`);
    return 2;
  }
  const minProbability = o['--min-probability'] === null ? 0 : Number(o['--min-probability'] || NaN);
  if (!(minProbability >= 0 && minProbability <= 1)) {
    say(`${PROGRAM}: --min-probability takes a number from 0 to 1, not '${o['--min-probability']}'\n`);
    return 2;
  }
  // engine.classifyImage's flags
  const prepared = await jobSetup(o, 'classify', { raw: o['--raw'], ignoreOrientation: o['--ignore-orientation'] });
  if (typeof prepared === 'number') return prepared;
  const { setup, modelPath } = prepared;
  Object.assign(setup, {
    filter: { minProbability, allow: [], deny: [] }, heatmaps: o['--heatmaps'], heatmapDir: o['--heatmap'],
  });
  // Job 0, on this thread, loads the model first: a bad model stops the run
  // before anything else starts, and its classes set the output's columns.
  let job;
  try {
    job = await ClassifyJob.create(setup);
  } catch (e) {
    say(`${PROGRAM}: ${modelPath}: ${e.message}\n`);
    return 2;
  }
  try { // --allow/--deny: labels (every class of that name) or, as whole numbers, class indices
    for (const option of ['--allow', '--deny']) {
      for (const list of o[option]) {
        const items = list.split(',').map((item) => (/^\d+$/.test(item) ? Number(item) : item));
        if (items.includes('')) throw new Error(`${option}: an empty name in '${list}'`);
        setup.filter[option.slice(2)].push(...classIndices(items, option, job.info.labels));
      }
    }
  } catch (e) {
    job.dispose();
    say(`${PROGRAM}: ${e.message}\n`);
    return 2;
  }
  job.filter = setup.filter;
  const { numClasses } = job.info;
  setup.style = job.style = {
    kind: o['--json'] ? 'json' : o['--csv'] ? 'csv' : 'text',
    top: Math.min(o['--top'], numClasses),
    logits: o['--logits'] ? numClasses : 0,
  };
  return runJobs(o, sources, job, setup);
}

async function embed(args) {
  const table = {
    '--model': { kind: 'string', value: DEFAULT_MODEL },
    '--raw': { kind: 'flag', value: false },
    '--threads': { kind: 'int', value: 1, min: 1, max: MAX_THREADS },
    '--jobs': { kind: 'int', value: jobsDefault(), min: 1, max: CLI_MAX_JOBS },
    '--files-from': { kind: 'list' },
    '--quiet': { kind: 'flag', value: false },
    '--ignore-orientation': { kind: 'flag', value: false },
  };
  const parsed = parseCommand('embed', table, args, 'files');
  if (!parsed.values) return parsed.status;
  const { values: o, sources } = parsed;
  // engine.embedImage's flags
  const prepared = await jobSetup(o, 'embed', { unitLength: !o['--raw'], ignoreOrientation: o['--ignore-orientation'] });
  if (typeof prepared === 'number') return prepared;
  const { setup, modelPath } = prepared;
  setup.style = { kind: 'json', top: 0, logits: 0 };
  let job;
  try {
    job = await EmbedJob.create(setup);
  } catch (e) {
    say(`${PROGRAM}: ${modelPath}: ${e.message}\n`);
    return 2;
  }
  return runJobs(o, sources, job, setup);
}

async function train(args) {
  const table = {
    '--model': { kind: 'string', value: DEFAULT_MODEL },
    '--out': { kind: 'string', value: null },
    '--threads': { kind: 'int', value: 1, min: 1, max: MAX_THREADS },
    '--ignore-orientation': { kind: 'flag', value: false },
  };
  const parsed = parseCommand('train', table, args, 'folders');
  if (!parsed.values) return parsed.status;
  const { values: o, sources } = parsed;
  if (!o['--out']) { say(`${PROGRAM} train: --out FILE.sqz is required (where to write the taught model)\n`); return 2; }
  const prepared = await jobSetup(o, 'train', { ignoreOrientation: o['--ignore-orientation'] });
  if (typeof prepared === 'number') return prepared;
  return trainCommand(sources.map((s) => s.path), o['--out'], prepared,
    { out, say: (...parts) => say(bytes(`${PROGRAM} train: `, ...parts, '\n')) });
}

async function main(argv) {
  if (argv[0] === 'classify') return classify(argv.slice(1));
  if (argv[0] === 'embed') return embed(argv.slice(1));
  if (argv[0] === 'train') return train(argv.slice(1));
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') { out(usage); return 0; }
  say(usage);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));

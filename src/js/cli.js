#!/usr/bin/env node
// squeezenet-wasm — the Node CLI over the .wasm, with the native `sqz`'s
// interface and output (both are formatted by the same C code).
import { readFile, access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { createEngine } from './engine.js';
import { embedCommand, trainCommand } from './cli-teach.js';

// models/default.sqz, made by the build (CMake's SQZ_DEFAULT_MODEL chooses it).
const DEFAULT_MODEL = 'default';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const usage = `usage:
  squeezenet-wasm classify [--model NAME|FILE] [--top K] [--json] [--raw] [--logits] FILE...
  squeezenet-wasm embed [--model NAME|FILE] [--raw] FILE...
  squeezenet-wasm train [--model BASE] --out FILE.sqz DIR...

classify options:
  --model NAME|FILE  default (the default), squeezenet1_0, squeezenet1_1,
                     squeezenet1_1-compact or squeezenet1_1-int8, looked up in
                     $SQZ_MODELS_DIR, then the package's models/, then ./models;
                     or a path to a .sqz file
  --top K            how many predictions per file (default 5)
  --json             one JSON object per line and file
  --raw              FILE already is the network-input crop (e.g. 224x224):
                     only channel order and normalisation apply
  --logits           also print the 1000 pre-softmax outputs
  --ignore-orientation  classify JPEG/PNG pixels as stored, not turned upright
                     by their EXIF orientation (as a camera held sideways tags them)
A file that fails is reported on its line and the others still run; the exit
status is then 1.

embed options (one JSON line per file: {"file", "model", "embedding": [...]}):
  --model NAME|FILE  as for classify
  --raw              the raw averages of the last fire module's output, not scaled
                     to unit length
  --ignore-orientation  as for classify
A file that fails gives {"file", "error"}; the others still run; the exit
status is then 1.

train options: each DIR holds one folder per class (DIR/<class>/*.jpg: its images,
and those in its subfolders; hidden entries skipped); the folder names are the
labels, classes of the same name in several DIRs are one class
  --model NAME|FILE  the base model, as for classify (a taught model too)
  --out FILE.sqz     the taught model to write
  --ignore-orientation  as for classify
An image that cannot be read is reported and skipped (the exit status is then 1).
Then \`classify --model FILE.sqz\` classifies with the taught model.
`;

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

async function classify(args) {
  let model = DEFAULT_MODEL, top = 5, json = false, raw = false, logits = false, ignoreOrientation = false;
  const files = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--model' && i + 1 < args.length) model = args[++i];
    else if (a === '--top' && i + 1 < args.length) {
      const v = args[++i];
      if (!/^\d+$/.test(v) || +v < 1 || +v > 1000) {
        process.stderr.write(`squeezenet-wasm: --top takes a number from 1 to 1000, not '${v}'\n`);
        return 2;
      }
      top = +v;
    } else if (a === '--json') json = true;
    else if (a === '--raw') raw = true;
    else if (a === '--logits') logits = true;
    else if (a === '--ignore-orientation') ignoreOrientation = true;
    else if (a === '--help' || a === '-h') { process.stdout.write(usage); return 0; }
    else if (a.startsWith('--')) { process.stderr.write(`squeezenet-wasm: unknown option '${a}'\n${usage}`); return 2; }
    else files.push(a);
  }
  if (files.length === 0) {
    process.stderr.write(`squeezenet-wasm classify: no files given\n${usage}`);
    return 2;
  }
  const modelPath = await findModel(model);
  if (!modelPath) {
    process.stderr.write(`squeezenet-wasm: model '${model}' not found (build it with \`npm run build\`, or give a .sqz path)\n`);
    return 2;
  }
  const engine = await createEngine(await readFile(path.join(root, 'dist/squeezenet.wasm')));
  let handle;
  try {
    handle = engine.loadModel(await readFile(modelPath));
  } catch (e) {
    process.stderr.write(`squeezenet-wasm: ${modelPath}: ${e.message}\n`);
    return 2;
  }
  let failed = 0;
  for (const f of files) {
    let line;
    try {
      const bytes = await readFile(f).catch(() => { throw new Error(`${f}: cannot open`); });
      engine.classifyImage(handle, bytes, { raw, ignoreOrientation });
      line = engine.report(handle, f, { top, logits, json });
    } catch (e) {
      failed = 1;
      line = engine.reportError(f, e.message, { json });
    }
    process.stdout.write(json ? line + '\n' : line);
  }
  engine.freeModel(handle);
  return failed;
}

const teaching = {
  usage,
  findModel,
  createEngine: async () => createEngine(await readFile(path.join(root, 'dist/squeezenet.wasm'))),
};

async function main(argv) {
  if (argv[0] === 'classify') return classify(argv.slice(1));
  if (argv[0] === 'embed') return embedCommand(argv.slice(1), teaching);
  if (argv[0] === 'train') return trainCommand(argv.slice(1), teaching);
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') { process.stdout.write(usage); return 0; }
  process.stderr.write(usage);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));

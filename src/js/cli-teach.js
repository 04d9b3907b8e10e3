// `squeezenet-wasm embed` and `squeezenet-wasm train`: the native
// `sqz embed` / `sqz train` (src/tools/teach.c) over the .wasm, with the same
// arguments and output (lines formatted by the same C code where they hold
// numbers).
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

const MAX_DEPTH = 32; // folders inside a class folder, at most (symbolic links may loop)
const IMAGE = /\.(jpe?g|png|bmp|gif|p[pgn]m)$/i;

/** Byte order of UTF-8 names, as C's strcmp sorts them. */
const byBytes = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * Parses the subcommand's arguments; `train` takes --out, `embed` --raw.
 * Returns { options } or { status } after saying what is wrong.
 */
function parse(cmd, args, usage) {
  const o = { model: 'default', raw: false, out: null, ignoreOrientation: false, args: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--model' && i + 1 < args.length) o.model = args[++i];
    else if (cmd === 'train' && a === '--out' && i + 1 < args.length) o.out = args[++i];
    else if (cmd === 'embed' && a === '--raw') o.raw = true;
    else if (a === '--ignore-orientation') o.ignoreOrientation = true;
    else if (a === '--help' || a === '-h') { process.stdout.write(usage); return { status: 0 }; }
    else if (a.startsWith('--')) {
      process.stderr.write(`squeezenet-wasm ${cmd}: unknown option '${a}'\n${usage}`);
      return { status: 2 };
    } else o.args.push(a);
  }
  if (o.args.length === 0) {
    process.stderr.write(`squeezenet-wasm ${cmd}: no ${cmd === 'train' ? 'folders' : 'files'} given\n${usage}`);
    return { status: 2 };
  }
  if (cmd === 'train' && !o.out) {
    process.stderr.write(`squeezenet-wasm train: --out FILE.sqz is required (where to write the taught model)\n${usage}`);
    return { status: 2 };
  }
  return { options: o };
}

/** The engine with the model loaded: { engine, model, bytes, dim }, or null after saying why. */
async function load(o, { findModel, createEngine }) {
  const modelPath = await findModel(o.model);
  if (!modelPath) {
    process.stderr.write(`squeezenet-wasm: model '${o.model}' not found (build it with \`npm run build\`, or give a .sqz path)\n`);
    return null;
  }
  const engine = await createEngine();
  let bytes, model;
  try {
    bytes = await readFile(modelPath);
    model = engine.loadModel(bytes);
  } catch (e) {
    process.stderr.write(`squeezenet-wasm: ${modelPath}: ${e.code === 'ENOENT' ? 'no such file' : e.message}\n`);
    return null;
  }
  const dim = engine.embeddingSize(model);
  if (dim === 0) {
    process.stderr.write(`squeezenet-wasm: ${modelPath}: the model has no fire module to take an embedding from\n`);
    engine.freeModel(model);
    return null;
  }
  return { engine, model, bytes, dim };
}

async function embedFile(engine, model, file, options) {
  const bytes = await readFile(file).catch(() => { throw new Error(`${file}: cannot open`); });
  return engine.embedImage(model, bytes, options);
}

/** `embed`: one JSON line per file. */
export async function embedCommand(args, context) {
  const { options: o, status } = parse('embed', args, context.usage);
  if (!o) return status;
  const loaded = await load(o, context);
  if (!loaded) return 2;
  const { engine, model } = loaded;
  let failed = 0;
  for (const file of o.args) {
    let line;
    try {
      const e = await embedFile(engine, model, file, { unitLength: !o.raw, ignoreOrientation: o.ignoreOrientation });
      line = engine.reportEmbedding(model, file, e);
    } catch (e) {
      failed = 1;
      line = engine.reportError(file, e.message, { json: true });
    }
    process.stdout.write(`${line}\n`);
  }
  engine.freeModel(model);
  return failed;
}

/** The entries of dir, sorted by byte order, hidden ones left out. */
async function listDir(dir) {
  return (await readdir(dir)).filter((name) => !name.startsWith('.')).sort(byBytes);
}

const isDir = (p) => stat(p).then((s) => s.isDirectory(), () => false);

/**
 * The images below dir (recursively, in byte order) as examples of label;
 * folders that cannot be read or that loop back (`up`: the folders above,
 * as device:inode) are reported.
 */
async function walk(dir, label, depth, up, examples, report) {
  let names, here = null;
  try {
    if (depth > MAX_DEPTH) throw new Error('folders nested too deep');
    const s = await stat(dir).catch(() => null);
    here = s ? `${s.dev}:${s.ino}` : null;
    if (here && up.includes(here)) throw new Error('a link back to a folder above it (skipped)');
    names = await listDir(dir);
  } catch (e) {
    report(`${dir}: ${e.code ? 'cannot read this folder' : e.message}`);
    return;
  }
  for (const name of names) {
    const p = `${dir}/${name}`;
    if (await isDir(p)) await walk(p, label, depth + 1, [...up, here], examples, report);
    else if (IMAGE.test(name)) examples.push({ file: p, label });
  }
}

/** `train`: a taught model from folders of examples (DIR/<class>/images). */
export async function trainCommand(args, context) {
  const { options: o, status } = parse('train', args, context.usage);
  if (!o) return status;
  const say = (message) => process.stderr.write(`squeezenet-wasm train: ${message}\n`);
  let failed = 0;
  // The class folders of every DIR, their labels checked; then their images.
  const folders = [];
  for (const dir of o.args) {
    let names;
    try {
      names = await listDir(dir);
    } catch {
      say(`${dir}: cannot read this folder`);
      return 2;
    }
    for (const name of names) if (await isDir(`${dir}/${name}`)) folders.push({ dir, name });
  }
  const loaded = await load(o, context);
  if (!loaded) return 2;
  const { engine, model, bytes: base, dim } = loaded;
  let bad = false;
  for (const { dir, name } of folders) {
    try {
      engine.checkLabel(name);
    } catch (e) {
      say(`${dir}/${name}: a class folder's name is its label, and ${e.message}`);
      bad = true;
    }
  }
  const classes = [...new Set(folders.map((f) => f.name))].sort(byBytes);
  if (!bad && classes.length < 2) {
    say(`${classes.length} class folder${classes.length === 1 ? '' : 's'} found in ${o.args[0]}${
      o.args.length > 1 ? ' and the others' : ''}: training needs two or more (DIR/<class>/*.jpg)`);
  }
  if (bad || classes.length < 2) {
    engine.freeModel(model);
    return 2;
  }
  const examples = [];
  for (const { dir, name } of folders) {
    await walk(`${dir}/${name}`, classes.indexOf(name), 1, [], examples, (message) => { say(message); failed = 1; });
  }
  const start = performance.now();
  const x = new Float32Array(examples.length * dim);
  const labels = [];
  const count = new Array(classes.length).fill(0);
  for (const { file, label } of examples) {
    try {
      x.set(await embedFile(engine, model, file, { ignoreOrientation: o.ignoreOrientation }), labels.length * dim);
      labels.push(label);
      count[label]++;
    } catch (e) {
      say(`${file}: ${e.message} (skipped)`);
      failed = 1;
    }
  }
  const embedded = performance.now();
  classes.forEach((label, k) => process.stdout.write(`${label}: ${count[k]} example${count[k] === 1 ? '' : 's'}\n`));
  const empty = classes.filter((label, k) => count[k] === 0);
  for (const label of empty) say(`class '${label}' has no images that could be read`);
  let taught = null, report = null;
  if (empty.length === 0) {
    try {
      report = engine.trainHead(x.subarray(0, labels.length * dim), Int32Array.from(labels), dim, classes.length);
      taught = engine.writeTaughtModel(base, report.weights, report.bias, classes);
    } catch (e) {
      say(e.message);
    }
  }
  engine.freeModel(model);
  if (!taught) return 2;
  const trained = performance.now();
  process.stdout.write(engine.reportTraining(classes.length, labels.length, report.trainAccuracy, report.iterations));
  process.stdout.write(`time: embedding ${((embedded - start) / 1000).toFixed(1)} s, training ${
    ((trained - embedded) / 1000).toFixed(2)} s\n`);
  try {
    await writeFile(o.out, taught);
  } catch {
    say(`cannot write ${o.out}`);
    return 2;
  }
  process.stdout.write(`wrote ${o.out} (${taught.length} bytes)\n`);
  return failed;
}

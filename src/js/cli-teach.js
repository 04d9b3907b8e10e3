// `squeezenet-wasm train`: the native `sqz train` (src/tools/teach.c) over
// the .wasm, with the same arguments and output — folders found as classify
// finds them (cli-inputs.js), numbers formatted by the same C (cli-report.wasm).
// (`embed` is a batch command like classify: cli.js, EmbedJob in cli-worker.js.)
import { readdir, stat, writeFile } from 'node:fs/promises';
import { Report } from './cli-report.js';
import { engineFor, readImage } from './cli-worker.js';
import { inputsOf } from './cli-inputs.js';

const DOT = 0x2e, SLASH = 0x2f;
const utf8 = new TextDecoder('utf-8', { fatal: true });

const join = (dir, name) =>
  Buffer.concat(dir.length && dir[dir.length - 1] === SLASH ? [dir, name] : [dir, Buffer.from('/'), name]);

const isDir = (p) => stat(p).then((s) => s.isDirectory(), () => false);

/**
 * Trains a head on the images of DIR/<class>/ for every DIR (paths as
 * bytes) and writes the taught model to `outPath`. `prepared`: cli.js's
 * { setup, modelPath }; `io`: { out(bytes), say(...parts) } (standard output
 * and error). Returns the exit status.
 */
export async function trainCommand(dirs, outPath, { setup, modelPath }, { out, say }) {
  const report = await Report.create(setup.reportWasm);
  const reason = (code) => report.ioReason(code);
  // The class folders of every DIR, in byte order, hidden ones skipped.
  const folders = [];
  for (const dir of dirs) {
    let entries;
    try {
      entries = await readdir(dir, { encoding: 'buffer' });
    } catch (e) {
      say(dir, `: cannot read folder (${reason(e.code)})`);
      return 2;
    }
    entries = entries.filter((name) => name[0] !== DOT).sort(Buffer.compare);
    for (const name of entries) if (await isDir(join(dir, name))) folders.push({ path: join(dir, name), name });
  }
  let engine, model;
  try {
    ({ engine, model } = await engineFor(setup));
  } catch (e) {
    say(modelPath, `: ${e.message}`);
    return 2;
  }
  try {
    return await train(engine, model, folders, dirs, outPath, { setup, modelPath, report, reason, out, say });
  } finally {
    engine.freeModel(model);
  }
}

async function train(engine, model, folders, dirs, outPath, { setup, modelPath, report, reason, out, say }) {
  const dim = engine.embeddingSize(model);
  if (dim === 0) {
    say(modelPath, ': the model has no fire module to take an embedding from');
    return 2;
  }
  let bad = false;
  for (const { path, name } of folders) {
    try {
      engine.checkLabel(name);
    } catch (e) {
      say(path, `: a class folder's name is its label, and ${e.message}`);
      bad = true;
    }
  }
  if (bad) return 2;
  const names = [...new Map(folders.map((f) => [f.name.toString('latin1'), f.name])).values()].sort(Buffer.compare);
  if (names.length < 2) {
    say(`${names.length} class folder${names.length === 1 ? '' : 's'} found in `, dirs[0],
      `${dirs.length > 1 ? ' and the others' : ''}: training needs two or more (DIR/<class>/*.jpg)`);
    return 2;
  }
  // Each class folder's images, found as classify finds a folder's.
  let failed = 0;
  const examples = [];
  for (const { path, name } of folders) {
    const label = names.findIndex((n) => n.equals(name));
    for await (const input of inputsOf([{ path, list: false }], { reason, lists: () => null })) {
      if (input.kind === 'file') examples.push({ path: input.path, label });
      else if (input.kind === 'error') { say(input.message); failed = 1; }
      else say(input.path, ': ', input.message);
    }
  }
  const start = performance.now();
  const x = new Float32Array(examples.length * dim);
  const labels = [];
  const count = new Array(names.length).fill(0);
  for (const { path, label } of examples) {
    try {
      x.set(engine.embedImage(model, await readImage(path, report), setup.flags), labels.length * dim);
      labels.push(label);
      count[label]++;
    } catch (e) {
      say(path, ': ', e.bytes ?? e.message, ' (skipped)');
      failed = 1;
    }
  }
  const embedded = performance.now();
  names.forEach((name, k) => out(Buffer.concat([name, Buffer.from(`: ${count[k]} example${count[k] === 1 ? '' : 's'}\n`)])));
  const empty = names.filter((name, k) => count[k] === 0);
  for (const name of empty) say("class '", name, "' has no images that could be read");
  if (empty.length) return 2;
  let head, taught;
  try {
    head = engine.trainHead(x.subarray(0, labels.length * dim), Int32Array.from(labels), dim, names.length);
    taught = engine.writeTaughtModel(setup.model, head.weights, head.bias, names.map((n) => utf8.decode(n)));
  } catch (e) {
    say(e.message);
    return 2;
  }
  out(report.training(names.length, labels.length, head.trainAccuracy, head.iterations));
  out(`time: embedding ${((embedded - start) / 1000).toFixed(1)} s, training ${
    ((performance.now() - embedded) / 1000).toFixed(2)} s\n`);
  try {
    await writeFile(outPath, taught);
  } catch {
    say(`cannot write ${outPath}`);
    return 2;
  }
  out(`wrote ${outPath} (${taught.length} bytes)\n`);
  return failed;
}

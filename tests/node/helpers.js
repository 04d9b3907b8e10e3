// Paths and loaders shared by the Node tests.
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { createEngine } from '../../src/js/engine.js';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const shared = path.resolve(process.env.SQZ_SHARED_DIR || path.join(root, '../shared'));
export const photosDir = path.join(shared, 'testdata/imagenet-sample');
export const nativeCli = path.join(root, 'build/sqz');
export const wasmCli = path.join(root, 'src/js/cli.js');
export const MODELS = ['squeezenet1_1', 'squeezenet1_0'];

/** `wasm`: squeezenet.wasm, or squeezenet-scalar.wasm (the engine without SIMD). */
export async function engineWithModel(name, wasm = 'squeezenet.wasm') {
  const engine = await createEngine(await readFile(path.join(root, 'dist', wasm)));
  const model = engine.loadModel(await readFile(path.join(root, 'models', `${name}.sqz`)));
  return { engine, model, info: engine.modelInfo(model) };
}

export async function predictions(name) {
  return JSON.parse(await readFile(path.join(shared, 'reference', name, 'predictions.json'), 'utf8')).images;
}

export async function goldenCrops(name) {
  const dir = path.join(shared, 'reference', name);
  return (await readdir(dir)).filter((f) => f.endsWith('.ppm')).map((f) => ({
    ppm: path.join(dir, f),
    logits: path.join(dir, f.replace(/\.ppm$/, '.logits.f32')),
  }));
}

export function top5(logits) {
  return Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a] || a - b).slice(0, 5);
}

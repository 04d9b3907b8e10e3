#!/usr/bin/env node
// npm run bench [-- --json] [--runs N] [--warmup N] [--models a,b ('': none)] [--no-peers] [--no-native]
//                 [--no-cli] [--no-heatmaps] [--extra LABEL=FILE.wasm[@THREADS]]...
//                 [--extra-model LABEL=FILE.sqz[@THREADS]]...
//
// In one process, interleaved round by round, on the same input: our engine
// (RGBA pixels of a golden 224/227 crop in; channel order, normalisation,
// network and top-1 timed), onnxruntime-web (wasm EP) and TensorFlow.js
// (wasm backend, XNNPACK) fed our exact network input tensor, 1 and 2
// threads, and our engine without SIMD (squeezenet-scalar.wasm, 1 thread).
// Each runtime runs in its own worker thread (the peers fix their thread
// count per process); only one runs at a time. Prints median and min
// per runtime, ratios ours/peer, a per-step profile of ours, the native
// build's time per image and the peak wasm memory; then the native training
// time of a taught head (build/bench_teach) and the wasm one on the same
// examples, the CLIs' throughput over the 200 photos
// (bench/cli-throughput.js: --jobs 1 and 2, native and Node) and the cost of
// heatmaps (classify() with and without, alternating; bench/heatmaps.js).
// Only ratios inside one run mean anything on a shared machine.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { MEMORY_PAGES } from '../dist/constants.js';
import { createEngine } from '../src/js/engine.js';
import { cliThroughput } from './cli-throughput.js';
import { benchHeatmaps } from './heatmaps.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.SQZ_SHARED_DIR || join(root, '..', 'shared');

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : def;
};
const json = flag('--json');
const runs = Number(option('--runs', 30));
const warmup = Number(option('--warmup', 5));
const models = option('--models', 'squeezenet1_1,squeezenet1_0').split(',').filter(Boolean); // '': the teaching part alone
const log = json ? () => {} : (...a) => console.log(...a);

function readPpm(path) {
  const b = readFileSync(path);
  const fields = [];
  let i = 0;
  while (fields.length < 4) {
    while (/\s/.test(String.fromCharCode(b[i]))) i++;
    if (b[i] === 0x23) { while (b[i] !== 0x0a) i++; continue; }
    let s = '';
    while (!/\s/.test(String.fromCharCode(b[i]))) s += String.fromCharCode(b[i++]);
    fields.push(s);
  }
  i++;
  const [magic, w, h] = [fields[0], Number(fields[1]), Number(fields[2])];
  if (magic !== 'P6') throw new Error(`${path}: not a binary PPM`);
  const rgba = new Uint8Array(w * h * 4);
  for (let p = 0; p < w * h; p++) {
    rgba[p * 4] = b[i + p * 3];
    rgba[p * 4 + 1] = b[i + p * 3 + 1];
    rgba[p * 4 + 2] = b[i + p * 3 + 2];
    rgba[p * 4 + 3] = 255;
  }
  return { rgba, width: w, height: h };
}

class Runner {
  constructor(label, spec) {
    this.label = label;
    this.spec = spec;
    this.times = [];
    this.top1 = new Set();
  }
  async start() {
    this.worker = new Worker(join(root, 'bench', 'worker.js'), { workerData: this.spec });
    this.pending = null;
    this.worker.on('message', (m) => { const p = this.pending; this.pending = null; p && p(m); });
    this.worker.on('error', (e) => { const p = this.pending; this.pending = null; p && p({ ok: false, error: String(e) }); });
    const r = await new Promise((res) => { this.pending = res; });
    if (!r.ok) throw new Error(r.error);
  }
  async call(op) {
    const r = await new Promise((res) => { this.pending = res; this.worker.postMessage({ op }); });
    if (!r.ok) throw new Error(`${this.label}: ${r.error}`);
    return r.value;
  }
  async stop() { await this.worker.terminate(); }
}

const median = (x) => { const s = [...x].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const fmt = (x) => (x == null ? '—' : x.toFixed(2));

function category(name, model) {
  if (/squeeze/.test(name)) return 'squeeze';
  if (/expand1x1/.test(name)) return 'expand1x1';
  if (/expand3x3/.test(name)) return 'expand3x3';
  if (/^conv0(\+|$)/.test(name)) return 'stem'; // conv0+pool1: the stem fused with its pool
  if (/pool|gap/.test(name)) return 'pools';
  if (name === 'preprocess') return 'preprocess';
  return 'conv10';
}

async function benchModel(model) {
  const refDir = join(shared, 'reference', model);
  const crop = readdirSync(refDir).filter((f) => f.endsWith('.ppm')).sort()[0];
  const { rgba, width, height } = readPpm(join(refDir, crop));
  log(`\n## ${model}: ${crop} (${width}x${height} RGBA in; peers get our exact network input, NCHW float32)`);

  const ours = new Runner('ours 1t', { runtime: 'ours', model, rgba, width, height, threads: 1 });
  await ours.start();
  const input = await ours.call('input');
  const runners = [ours];
  const specs = [];
  // `option LABEL=FILE[@THREADS]` (repeatable): another runtime of ours with FILE as `key`.
  const extras = (option, key) => args.flatMap((a, i) => {
    if (a !== option) return [];
    const [label, file] = args[i + 1].split('=');
    const [path, threads] = file.split('@');
    return [[label, { runtime: 'ours', model, rgba, width, height, threads: Number(threads || 1), [key]: path }]];
  });
  // --extra LABEL=FILE.wasm[@THREADS]: another build of ours, e.g. before a change (a
  // squeezenet-mt.wasm with @2 on two threads).
  specs.push(...extras('--extra', 'wasm'));
  const extraLabels = specs.map(([label]) => label); // the --extra builds
  // --extra-model LABEL=FILE.sqz[@THREADS]: another model file of the same network on
  // our build, e.g. its int8 compute (squeezenet1_1-qs8.sqz); on one thread it is
  // profiled too, step by step against ours.
  specs.push(...extras('--extra-model', 'modelFile'));
  if (existsSync(join(root, 'dist', 'squeezenet-mt.wasm')))
    specs.push(['ours 2t', { runtime: 'ours', model, rgba, width, height, threads: 2 }]);
  const scalarWasm = join(root, 'dist', 'squeezenet-scalar.wasm');
  if (existsSync(scalarWasm))
    specs.push(['ours scalar 1t', { runtime: 'ours', model, rgba, width, height, threads: 1, wasm: scalarWasm }]);
  if (!flag('--no-peers')) {
    specs.push(['onnxruntime-web 1t', { runtime: 'ort', model, input, threads: 1 }]);
    specs.push(['onnxruntime-web 2t', { runtime: 'ort', model, input, threads: 2 }]);
    specs.push(['tfjs-wasm 1t', { runtime: 'tfjs', model, input, threads: 1 }]);
    specs.push(['tfjs-wasm 2t', { runtime: 'tfjs', model, input, threads: 2 }]);
  }
  const failures = [];
  for (const [label, spec] of specs) {
    const r = new Runner(label, spec);
    try {
      await r.start();
      runners.push(r);
    } catch (e) {
      failures.push({ label, error: String(e.message || e).split('\n')[0] });
      log(`  (${label} did not start: ${failures.at(-1).error})`);
    }
  }
  for (const r of runners) for (let i = 0; i < warmup; i++) await r.call('run');
  for (let i = 0; i < runs; i++) {
    // Rotate the starting runtime so none always follows the same one.
    for (let j = 0; j < runners.length; j++) {
      const r = runners[(i + j) % runners.length];
      const { ms, top1 } = await r.call('run');
      r.times.push(ms);
      r.top1.add(top1);
    }
  }
  // Sanity: every runtime the same top-1, logits close to ours.
  const ourLogits = await ours.call('logits');
  const ourTop1 = [...ours.top1][0];
  const results = [];
  for (const r of runners) {
    const l = await r.call('logits');
    let diff = 0;
    for (let i = 0; i < l.length; i++) diff = Math.max(diff, Math.abs(l[i] - ourLogits[i]));
    results.push({
      runtime: r.label, peer: r.spec.runtime !== 'ours', threads: r.spec.threads, median_ms: median(r.times), min_ms: Math.min(...r.times),
      top1: [...r.top1], same_top1: r.top1.size === 1 && r.top1.has(ourTop1), max_logit_diff_vs_ours: diff,
    });
  }
  // Profile: per-step medians and minima over 10 runs, each followed by 3
  // runs of the register-only peak kernel (interleaved, so a quiet moment
  // serves both).
  // Ours on 2 threads too, alternating with 1: each step's speed-up, from
  // the fastest of its runs on each (each step its own job here).
  // The first 1-thread --extra build too, alternating: each step's ratio to
  // it, fastest against fastest (what each optimisation's step ratio is).
  const per = [], peaks = [], per2 = [], perX = [];
  const ours2t = runners.find((r) => r.label === 'ours 2t');
  const otherModels = runners.filter((r) => r.spec.modelFile && r.spec.threads === 1);
  const perOther = otherModels.map(() => []);
  const extra1t = runners.find((r) => extraLabels.includes(r.label) && r.spec.threads === 1);
  for (let i = 0; i < 10; i++) {
    per.push(await ours.call('profile'));
    for (let m = 0; m < otherModels.length; m++) perOther[m].push(await otherModels[m].call('profile'));
    if (ours2t) per2.push(await ours2t.call('profile'));
    if (extra1t) perX.push(await extra1t.call('profile'));
    for (let j = 0; j < 3; j++) peaks.push(await ours.call('peak'));
  }
  // Per step, from profiles of the same steps: median and fastest.
  const stepStats = (runs) => runs[0].map((s, i) => ({ name: s.name, ms: median(runs.map((p) => p[i].ms)), min_ms: Math.min(...runs.map((p) => p[i].ms)) }));
  const steps = stepStats(per).map((s, i) => ({ ...s, madds: per[0][i].madds ?? 0 }));
  if (per2.length) steps.forEach((s, i) => { s.min_ms_2t = Math.min(...per2.map((p) => p[i].ms)); });
  // A step fused here (conv0+pool1) against the sum of its parts' there.
  const fastestX = new Map(perX.length ? perX[0].map((x, i) => [x.name, Math.min(...perX.map((p) => p[i].ms))]) : []);
  const partsX = (name) => (fastestX.has(name) ? [name] : name.split('+'));
  const sameSteps = perX.length > 0 && steps.every((s) => partsX(s.name).every((n) => fastestX.has(n))) &&
    perX[0].length === steps.reduce((a, s) => a + partsX(s.name).length, 0);
  if (sameSteps) steps.forEach((s) => { s.min_ms_extra = partsX(s.name).reduce((a, n) => a + fastestX.get(n), 0); });
  const total = steps.reduce((a, s) => a + s.ms, 0);
  // The float32 limit: the peak kernel's upper quartile of G multiply-adds/s
  // (load only lowers a run, and a rare run at a higher clock, up to 1.25x,
  // would set the best); each step's fraction of it from the step's fastest
  // run (medians taken a few ms apart can meet different loads), and the
  // network's multiply-adds at that rate.
  const quartile3 = (x) => [...x].sort((a, b) => a - b)[Math.floor(0.75 * (x.length - 1))];
  const peak = peaks[0] == null ? null : { gmadds: quartile3(peaks), best_gmadds: Math.max(...peaks), median_gmadds: median(peaks) };
  const madds = steps.reduce((a, s) => a + s.madds, 0);
  const minTotal = steps.reduce((a, s) => a + s.min_ms, 0);
  if (peak) {
    for (const s of steps) if (s.madds) s.fraction_of_peak = s.madds / (s.min_ms * 1e6) / peak.gmadds;
    peak.network_madds = madds;
    peak.limit_ms = madds / (peak.gmadds * 1e6);
  }
  const byCat = {};
  for (const s of steps) byCat[category(s.name)] = (byCat[category(s.name)] || 0) + s.ms;
  const memory = await ours.call('memory');
  const ours2 = runners.find((r) => r.label === 'ours 2t');
  const memory2 = ours2 ? await ours2.call('memory') : null;
  for (const r of runners) await r.stop();

  const get = (label) => results.find((r) => r.runtime === label);
  const o1 = get('ours 1t'), o2 = get('ours 2t') || o1;
  const peers1 = results.filter((r) => r.peer && r.threads === 1);
  const fastest1 = peers1.length ? peers1.reduce((a, b) => (a.median_ms < b.median_ms ? a : b)) : null;
  const ort2 = get('onnxruntime-web 2t');
  const goals = {
    ours_1t_over_fastest_peer_1t: fastest1 ? o1.median_ms / fastest1.median_ms : null,
    fastest_peer_1t: fastest1 && fastest1.runtime,
    ours_best_over_ort_2t: ort2 ? o2.median_ms / ort2.median_ms : null,
    ours_2t_over_ort_2t: ort2 && get('ours 2t') ? get('ours 2t').median_ms / ort2.median_ms : null,
    ours_2t_over_ours_1t: get('ours 2t') ? get('ours 2t').median_ms / o1.median_ms : null,
    ours_scalar_over_ours_1t: get('ours scalar 1t') ? get('ours scalar 1t').median_ms / o1.median_ms : null,
  };

  log(`\n| runtime | median ms | min ms | ours 1t / this | ours best / this | top-1 | max |Δlogit| vs ours |`);
  log(`| --- | --- | --- | --- | --- | --- | --- |`);
  for (const r of results) {
    log(`| ${r.runtime} | ${fmt(r.median_ms)} | ${fmt(r.min_ms)} | ${fmt(o1.median_ms / r.median_ms)} | ${fmt(o2.median_ms / r.median_ms)} | ${r.top1.join(',')}${r.same_top1 ? '' : ' (DIFFERS)'} | ${r.max_logit_diff_vs_ours.toExponential(1)} |`);
  }
  log(`\ngoals: ours 1t / fastest peer 1t (${goals.fastest_peer_1t}) = ${fmt(goals.ours_1t_over_fastest_peer_1t)} (float32 ≤ 0.9, default ≤ 0.6); ours best / onnxruntime-web 2t = ${fmt(goals.ours_best_over_ort_2t)} (≤ 0.6)`);
  log(`ours 2t / onnxruntime-web 2t = ${fmt(goals.ours_2t_over_ort_2t)}; ours 2t / ours 1t = ${fmt(goals.ours_2t_over_ours_1t)}`);
  if (get('ours scalar 1t')) log(`without SIMD (squeezenet-scalar.wasm, 1 thread): median ${fmt(get('ours scalar 1t').median_ms)} ms, ${fmt(goals.ours_scalar_over_ours_1t)}x the SIMD engine's time`);
  log(`peak wasm memory (ours, 1 thread): ${(memory.memory / 1048576).toFixed(2)} MB (heap break ${(memory.heapBreak / 1048576).toFixed(2)} MB; INITIAL_MEMORY ${MEMORY_PAGES.initial / 16} MB)`);
  if (memory2) log(`peak wasm memory (ours, 2 threads, shared): ${(memory2.memory / 1048576).toFixed(2)} MB (heap break ${(memory2.heapBreak / 1048576).toFixed(2)} MB)`);
  log(`\nprofile (ours, 1 thread, median of 10, sum ${fmt(total)} ms):`);
  log(Object.entries(byCat).map(([k, v]) => `${k} ${(100 * v / total).toFixed(0)}%`).join(', '));
  if (peak) {
    log(`float32 limit (wasm SIMD, no FMA: 12 register-only f32x4 mul+add chains, 1 thread): ${fmt(peak.gmadds)} G multiply-adds/s (upper quartile of ${peaks.length} runs; median ${fmt(peak.median_gmadds)}, best ${fmt(peak.best_gmadds)})`);
    log(`network: ${(madds / 1e6).toFixed(1)} M multiply-adds = ${fmt(peak.limit_ms)} ms at the peak; fastest steps' sum ${fmt(minTotal)} ms = ${fmt(minTotal / peak.limit_ms)}x the limit, median profile ${fmt(total / peak.limit_ms)}x, ours 1t median ${fmt(o1.median_ms / peak.limit_ms)}x`);
  }
  const pct = (s) => (s.fraction_of_peak == null ? '' : `  ${(s.madds / 1e6).toFixed(1).padStart(6)} M madds, fastest ${fmt(s.min_ms)} ms = ${(100 * s.fraction_of_peak).toFixed(0).padStart(3)}% of peak`);
  const speedup = (s) => (s.min_ms_2t == null ? '' : `; 2t fastest ${fmt(s.min_ms_2t)} ms: ${fmt(s.min_ms / s.min_ms_2t)}x`);
  const vsExtra = (s) => (s.min_ms_extra == null ? '' : `; ${extra1t.label} ${fmt(s.min_ms_extra)} ms: ${fmt(s.min_ms / s.min_ms_extra)}x`);
  for (const s of steps) log(`  ${s.name.padEnd(20)} ${fmt(s.ms)} ms ${(100 * s.ms / total).toFixed(1).padStart(5)}%${pct(s)}${speedup(s)}${vsExtra(s)}`);
  if (sameSteps) {
    const minX = steps.reduce((a, s) => a + s.min_ms_extra, 0);
    log(`fastest steps' sum ${fmt(minTotal)} ms, ${extra1t.label} ${fmt(minX)} ms: ${fmt(minTotal / minX)}x`);
  }
  if (per2.length) {
    const min2 = steps.reduce((a, s) => a + s.min_ms_2t, 0);
    log(`fastest steps' sum on 2 threads ${fmt(min2)} ms: ${fmt(minTotal / min2)}x the 1-thread sum`);
  }
  const otherProfiles = otherModels.map((r, m) => {
    const prof = stepStats(perOther[m]);
    const same = prof.length === steps.length && prof.every((s, i) => s.name === steps[i].name);
    log(`\nprofile of ${r.label} (1 thread, median of 10, interleaved with ours): sum ${fmt(prof.reduce((a, s) => a + s.ms, 0))} ms`);
    for (const [i, s] of prof.entries()) log(`  ${s.name.padEnd(20)} ${fmt(s.ms)} ms${same ? `, ${fmt(s.ms / steps[i].ms)}x ours (${fmt(steps[i].ms)} ms)` : ''}`);
    return { runtime: r.label, model_file: r.spec.modelFile, steps: prof };
  });

  let native = null;
  const nativeBin = join(root, 'build', 'sqz_bench');
  if (!flag('--no-native') && existsSync(nativeBin)) {
    native = JSON.parse(execFileSync(nativeBin, [join(root, 'models', `${model}.sqz`), join(refDir, crop), String(runs)], { encoding: 'utf8' }));
    log(`native (build/sqz_bench, 1 thread): median ${fmt(native.median_ms)} ms, min ${fmt(native.min_ms)} ms per image; wasm 1t / native = ${fmt(o1.median_ms / native.median_ms)}`);
    const native2 = JSON.parse(execFileSync(nativeBin, [join(root, 'models', `${model}.sqz`), join(refDir, crop), String(runs), '2'], { encoding: 'utf8' }));
    native.threads2 = { median_ms: native2.median_ms, min_ms: native2.min_ms };
    log(`native (build/sqz_bench, 2 threads): median ${fmt(native2.median_ms)} ms, min ${fmt(native2.min_ms)} ms per image`);
  }
  let heatmaps = null;
  if (!flag('--no-heatmaps')) {
    heatmaps = await benchHeatmaps({ root, model, rgba, width, height, runs: Math.max(runs, 30), warmup });
    log(`heatmaps (classify() top 5, 1 thread, alternating): ${fmt(heatmaps.heatmaps_median_ms)} ms with, ${fmt(heatmaps.plain_median_ms)} ms without: ${fmt(heatmaps.ratio)}x (goal ≤ 1.10); `
      + `reading the 5 maps alone: ${(1000 * heatmaps.five_maps_read_ms).toFixed(0)} µs, ${(100 * heatmaps.five_maps_read_share).toFixed(2)}% of a classification`);
  }
  return { model, input: crop, width, height, runs, warmup, results, failures, goals, peak_wasm_memory_bytes: memory.memory, heap_break_bytes: memory.heapBreak, peak_wasm_memory_bytes_2t: memory2?.memory ?? null, profile: { steps, by_category_ms: byCat }, other_model_profiles: otherProfiles, peak, native, heatmaps };
}

const out = [];
for (const model of models) out.push(await benchModel(model));

// Teaching (issue 16): the training time of a head on the clothing task's
// embeddings, native (build/bench_teach) and in wasm on one thread
// (dist/squeezenet.wasm, the learner API's trainer) on the very same examples,
// which bench_teach writes out. Both run one after the other, not interleaved.
let teach = null;
const teachBin = join(root, 'build', 'bench_teach');
if (!flag('--no-native') && existsSync(teachBin)) {
  const prefix = join(mkdtempSync(join(tmpdir(), 'sqz-bench-')), 'examples');
  teach = JSON.parse(execFileSync(teachBin, [join(root, 'models', 'default.sqz'), '15', prefix], { encoding: 'utf8', env: { ...process.env, SQZ_SHARED_DIR: shared } }));
  const line = (t) => `${t.examples} examples ${fmt(t.median_ms)} ms (min ${fmt(t.min_ms)}, ${t.iterations} iterations; scalar twin ${fmt(t.scalar_median_ms)} ms)`;
  log(`\nteach (native, 1 thread, ${teach.model}, ${teach.classes} classes × ${teach.dim} features): ${line(teach.train_300)}; ${line(teach.train_3000)}`);
  teach.wasm = {};
  const engine = await createEngine(readFileSync(join(root, 'dist', 'squeezenet.wasm')));
  for (const [key, runs] of [['train_300', 15], ['train_3000', 5]]) {
    const file = readFileSync(`${prefix}-${teach[key].examples}.bin`);
    const [n, dim, classes] = new Int32Array(file.buffer, file.byteOffset, 3);
    const labels = new Int32Array(file.buffer.slice(file.byteOffset + 12, file.byteOffset + 12 + 4 * n));
    const x = new Float32Array(file.buffer.slice(file.byteOffset + 12 + 4 * n, file.byteOffset + 12 + 4 * n + 4 * n * dim));
    const times = [];
    let iterations = 0;
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      iterations = engine.trainHead(x, labels, dim, classes).iterations;
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    teach.wasm[key] = { examples: n, median_ms: times[runs >> 1], min_ms: times[0], iterations };
  }
  const wasmLine = (t) => `${t.examples} examples ${fmt(t.median_ms)} ms (min ${fmt(t.min_ms)}, ${t.iterations} iterations)`;
  log(`teach (wasm, 1 thread, the same examples): ${wasmLine(teach.wasm.train_300)}; ${wasmLine(teach.wasm.train_3000)}; ` +
    `wasm / native ${fmt(teach.wasm.train_300.median_ms / teach.train_300.median_ms)} and ${fmt(teach.wasm.train_3000.median_ms / teach.train_3000.median_ms)}`);
  log(`taught model of 100 classes: ${teach.taught_100_classes_bytes} bytes (base ${teach.base_bytes})`);
}
const cli = flag('--no-cli') ? null : cliThroughput({ log });
if (json) console.log(JSON.stringify({ date: new Date().toISOString(), node: process.version, models: out, teach, cli }, null, 1));

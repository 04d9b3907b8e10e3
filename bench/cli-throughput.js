#!/usr/bin/env node
// Throughput of the two CLIs over a folder of photos (../shared's 200):
// images per second for the whole run (start-up, model loads, decoding,
// resizing, classification, output), with --jobs 1, --jobs 2 and
// --jobs 1 --threads 2, native and Node. The configurations run interleaved,
// round by round, so their ratios hold on a shared machine; the CPU time
// each run took (its user + system time, from /proc) says what a run costs
// when the cores it waited for are taken by others.
//   node bench/cli-throughput.js [--rounds N] [--model NAME]   (npm run bench runs it too)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.SQZ_SHARED_DIR || join(root, '..', 'shared');
const photos = join(shared, 'testdata', 'imagenet-sample');

const CONFIGS = [
  { name: 'jobs 1', args: ['--jobs', '1'] },
  { name: 'jobs 2', args: ['--jobs', '2'] },
  { name: 'jobs 1, threads 2', args: ['--jobs', '1', '--threads', '2'] },
];

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** CPU seconds of the children waited for so far (Linux: cutime + cstime of /proc/self/stat), or NaN. */
function childrenCpuSeconds() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100; // fields 16 and 17, in USER_HZ (100 on Linux)
  } catch {
    return NaN;
  }
}

/** { cli: { config: { images_per_second (median), runs } } }, and the load average before and after. */
export function cliThroughput({ rounds = 3, model = 'default', log = console.log } = {}) {
  const clis = {
    native: [join(root, 'build', 'sqz')],
    node: [process.execPath, join(root, 'src', 'js', 'cli.js')],
  };
  if (!existsSync(clis.native[0])) delete clis.native;
  const count = readdirSync(photos).length;
  const load = [loadavg()[0]];
  const seconds = {}, cpuSeconds = {};
  for (let round = 0; round < rounds; round++) {
    for (const [cli, [cmd, ...pre]] of Object.entries(clis)) {
      for (const config of CONFIGS) {
        const key = `${cli}, ${config.name}`;
        const start = performance.now(), cpuStart = childrenCpuSeconds();
        const r = spawnSync(cmd, [...pre, 'classify', '--json', '--quiet', '--model', model, ...config.args, photos],
          { maxBuffer: 64 << 20 });
        const s = (performance.now() - start) / 1000, cpu = childrenCpuSeconds() - cpuStart;
        const lines = r.stdout.toString().trim().split('\n').length;
        if (r.status !== 0 || lines !== count) throw new Error(`${key}: exit ${r.status}, ${lines} lines: ${r.stderr}`);
        (seconds[key] ??= []).push(s);
        (cpuSeconds[key] ??= []).push(cpu);
      }
    }
  }
  load.push(loadavg()[0]);
  const results = {};
  log(`\nCLI throughput: ${count} photos, --model ${model}, whole runs, median of ${rounds} interleaved rounds ` +
    `(load average ${load[0].toFixed(1)} before, ${load[1].toFixed(1)} after):`);
  for (const [key, runs] of Object.entries(seconds)) {
    const ips = count / median(runs);
    const cpuMs = (1000 * median(cpuSeconds[key])) / count;
    results[key] = { images_per_second: +ips.toFixed(1), seconds: runs.map((s) => +s.toFixed(2)),
      cpu_ms_per_image: +cpuMs.toFixed(1) };
  }
  for (const cli of Object.keys(clis)) {
    const base = results[`${cli}, jobs 1`].images_per_second;
    for (const config of CONFIGS) {
      const r = results[`${cli}, ${config.name}`];
      log(`  ${`${cli}, ${config.name}`.padEnd(26)} ${r.images_per_second.toFixed(1).padStart(6)} images/s  ` +
        `(${(r.images_per_second / base).toFixed(2)}× jobs 1), CPU ${r.cpu_ms_per_image.toFixed(1)} ms per image`);
    }
  }
  if (clis.native) {
    log(`  node / native: ${CONFIGS.map((c) => `${c.name} ${(results[`node, ${c.name}`].images_per_second /
      results[`native, ${c.name}`].images_per_second).toFixed(2)}`).join(', ')}`);
  }
  return { photos: count, model, rounds, load_average: load, results };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
  cliThroughput({ rounds: Number(option('--rounds', 3)), model: option('--model', 'default') });
}

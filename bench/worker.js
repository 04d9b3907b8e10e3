// One runtime per worker thread: opens it from workerData, then answers
// {op: 'run' | 'logits' | 'profile' | 'peak' | 'input' | 'memory'} messages.
import { parentPort, workerData } from 'node:worker_threads';
import { open } from './runtimes.js';

let runtime;
try {
  runtime = await open(workerData);
  parentPort.postMessage({ ok: true });
} catch (e) {
  parentPort.postMessage({ ok: false, error: String(e && e.stack || e) });
}
parentPort.on('message', async (msg) => {
  try {
    let value;
    if (msg.op === 'run') value = await runtime.run();
    else if (msg.op === 'logits') value = runtime.logits();
    else if (msg.op === 'profile') value = runtime.profile();
    else if (msg.op === 'peak') value = runtime.peak();
    else if (msg.op === 'input') value = runtime.networkInput();
    else if (msg.op === 'memory') value = runtime.memoryBytes();
    else if (msg.op === 'exit') process.exit(0);
    parentPort.postMessage({ ok: true, value });
  } catch (e) {
    parentPort.postMessage({ ok: false, error: String(e && e.stack || e) });
  }
});

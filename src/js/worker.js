// The worker side of load({ worker: true }): one Backend, driven by messages
// { id, type: 'load' | 'classify', ... } and answered with { id, result | error }.
// Runs as a Web Worker (module or bundled) and as a Node worker thread.
import { Backend } from './backend.js';
import { serializeError } from './errors.js';

let backend = null;

async function handle(message) {
  switch (message.type) {
    case 'load':
      backend = await Backend.create(message.wasm, message.model, message.threads);
      return backend.info;
    case 'classify':
      return backend.classify(message.input, message.top, message.options);
    default:
      throw new Error(`unknown request '${message.type}'`);
  }
}

function serve(post) {
  // Requests run one at a time, in the order they arrive.
  let queue = Promise.resolve();
  return (message) => {
    queue = queue.then(async () => {
      try {
        post({ id: message.id, result: await handle(message) });
      } catch (e) {
        post({ id: message.id, error: serializeError(e) });
      }
    });
  };
}

async function start() {
  if (typeof WorkerGlobalScope !== 'undefined' && globalThis instanceof WorkerGlobalScope) {
    const onMessage = serve((m) => globalThis.postMessage(m));
    globalThis.onmessage = (event) => onMessage(event.data);
    return;
  }
  const specifier = 'node:worker_threads';
  const { parentPort } = globalThis.process?.getBuiltinModule
    ? globalThis.process.getBuiltinModule(specifier)
    : await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
  const onMessage = serve((m) => parentPort.postMessage(m));
  parentPort.on('message', onMessage);
}

start();

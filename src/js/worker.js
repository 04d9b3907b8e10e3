// The worker side of load({ worker: true }): one Backend, driven by messages
// { id, type: 'load' | 'classify' | 'embed' | 'train', ... } and answered with { id, result | error }.
// Runs as a Web Worker (module or bundled) and as a Node worker thread.
import { Backend } from './backend.js';
import { serializeError } from './errors.js';
import { parentPort } from './platform.js';
// The rest of the worker's module graph, imported here too so that the browser fetches it all
// at once, not one level of imports after another (tests/node/module-graph.test.js).
import './engine.js';
import './threads.js';
import './thread-imports.js';
import '../../dist/constants.js';

let backend = null;

async function handle(message) {
  switch (message.type) {
    case 'load':
      backend = await Backend.create(message.wasm, message.model, message.threads, message.threadPorts);
      return backend.info;
    case 'classify':
      return backend.classify(message.input, message.top, message.options);
    case 'embed':
      return backend.embed(message.input, message.options);
    case 'train':
      return backend.train(message.embeddings, message.labels, message.dim, message.classes);
    default:
      throw new Error(`unknown request '${message.type}'`);
  }
}

// Requests run one at a time, in the order they arrive.
let queue = Promise.resolve();
const post = parentPort((message) => {
  queue = queue.then(async () => {
    try {
      post({ id: message.id, result: await handle(message) });
    } catch (e) {
      post({ id: message.id, error: serializeError(e) });
    }
  });
});

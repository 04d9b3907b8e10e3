// One thread of the threaded engine (threads.js): instantiates
// squeezenet-mt.wasm on the shared memory it is sent, moves its stack to
// the memory reserved for it, then runs the C pool's loop until shutdown.
// Runs as a Web Worker (module or bundled) and as a Node worker thread.
// Its setup is its first message, or, when a page started it for an engine
// in another worker (threads.js, startThreadWorkers), comes on the port that
// first message brings.
import { parentPort } from './platform.js';
import { threadImports } from './thread-imports.js';
// The rest of the module graph, imported here too so that the browser fetches it all at once,
// not one level of imports after another (tests/node/module-graph.test.js).
import './errors.js';

function run(setup, post) {
  const { module, memory, pool, index, stackBase, stackTop } = setup;
  try {
    // The start function (memory initialisation) runs once across instances;
    // constructors ran in the main instance and are not called here.
    const { exports } = new WebAssembly.Instance(module, threadImports(module, memory));
    exports.stackRestore(stackTop);
    exports.emscripten_stack_set_limits(stackTop, stackBase);
    post({ type: 'ready' });
    exports.sqzw_worker_run(pool, index);
    post({ type: 'done' });
  } catch (e) {
    post({ type: 'error', message: e.message });
  }
}

const post = parentPort((message) => {
  const { port } = message;
  if (port) port.onmessage = (event) => run(event.data, (m) => port.postMessage(m));
  else run(message, (m) => post(m));
});

// Threads for the engine: squeezenet-mt.wasm on a shared WebAssembly.Memory,
// instantiated once here and once in each worker (thread-worker.js), all on
// the same memory. The C thread pool (src/engine/threadpool.c) does the
// rest: workers sleep in memory.atomic.wait32 and run the items of each
// step; the caller spins, so the thread calling classify may be a page's
// main thread, which may not block.
import { MEMORY_PAGES } from '../../dist/constants.js';
import { Engine, EngineError } from './engine.js';
import { WorkerError } from './errors.js';
import { isNode, startWorker as start } from './platform.js';
import { threadImports as importsWith } from './thread-imports.js';

const WORKER_STACK_BYTES = 128 * 1024;
const START_TIMEOUT_MS = 20000;

/** The imports of squeezenet-mt.wasm (thread-imports.js); a call the engine does not provide is an EngineError. */
export function threadImports(module, memory) {
  return importsWith(module, memory, (message) => new EngineError(message, 'ERR_ARGUMENT'));
}

/** Whether this context can run threads: shared memory (Node; a cross-origin isolated page) and workers. */
export function threadsSupported() {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return false;
  if (!isNode && (globalThis.crossOriginIsolated !== true || typeof Worker !== 'function')) return false;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/** Threads load() uses when not told: two (what this engine is tuned for) where threads run, else one. */
export function defaultThreads() {
  if (!threadsSupported()) return 1;
  const cores = globalThis.navigator?.hardwareConcurrency;
  return Math.max(1, Math.min(2, Number.isInteger(cores) && cores > 0 ? cores : 2));
}

/** Whether a compiled module is squeezenet-mt.wasm (it imports its memory, which is shared). */
export function isThreadedModule(module) {
  return module instanceof WebAssembly.Module && WebAssembly.Module.imports(module).some((i) => i.kind === 'memory');
}

/** Instantiates squeezenet-mt.wasm (a WebAssembly.Module) on a new shared memory. */
export async function createThreadedEngine(module) {
  const memory = new WebAssembly.Memory({ ...MEMORY_PAGES, shared: true });
  const instance = await WebAssembly.instantiate(module, threadImports(module, memory));
  instance.exports.__wasm_call_ctors();
  // Thread-locals (errno, stb_image's failure reason) of the calling thread:
  // without this they would sit at address 0. Workers use none.
  instance.exports.emscripten_tls_init();
  return new ThreadedEngine(instance, memory, module);
}

/**
 * The same at once, as a plain Engine on one thread (a compiled module
 * instantiates synchronously, on a page's main thread too): for small jobs
 * beside a worker that classifies.
 */
export function createThreadedEngineSync(module) {
  const memory = new WebAssembly.Memory({ ...MEMORY_PAGES, shared: true });
  const instance = new WebAssembly.Instance(module, threadImports(module, memory));
  instance.exports.__wasm_call_ctors();
  instance.exports.emscripten_tls_init();
  return new Engine(instance, memory);
}

/**
 * Starts `count` thread workers from this thread, for an engine running in
 * another worker: returns the workers (this thread ends them) and a
 * MessagePort to each (for the engine's worker: loadModelThreaded). Firefox
 * can block for good in `new Worker()` called inside a worker (about one
 * page load in 50 hung), so in browsers the page starts the threads' workers.
 */
export function startThreadWorkers(count) {
  const workers = [], ports = [];
  try {
    for (let i = 0; i < count; i++) {
      // Written out so that bundlers recognise and bundle the worker.
      const worker = new Worker(new URL('./thread-worker.js', import.meta.url), { type: 'module' });
      workers.push(worker);
      const channel = new MessageChannel();
      worker.postMessage({ port: channel.port2 }, [channel.port2]);
      ports.push(channel.port1);
    }
  } catch (e) {
    for (const worker of workers) worker.terminate();
    throw new WorkerError(`cannot start a thread worker: ${e.message}`);
  }
  return { workers, ports };
}

/** A thread worker started elsewhere (startThreadWorkers), reached through its port. */
function throughPort(port, { onMessage }) {
  port.onmessage = (event) => onMessage(event.data);
  return { post: (message, transfer) => port.postMessage(message, transfer), terminate: () => port.close() };
}

/**
 * Starts one thread worker, or uses the one behind `port`; resolves once it
 * runs the pool's loop, rejects if it cannot start.
 */
async function startWorker(setup, port) {
  let settle = () => {}; // (error?) => void, set below before any message can arrive
  const handlers = {
    onMessage: (message) => {
      if (message.type === 'ready') settle();
      if (message.type === 'error') settle(message.message);
    },
    onError: (message) => settle(message),
  };
  const worker = port ? throughPort(port, handlers) : await start('thread-worker',
    () => new Worker(new URL('./thread-worker.js', import.meta.url), { type: 'module' }), handlers);
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new WorkerError(`thread ${setup.index} did not start within ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS);
    settle = (error) => {
      clearTimeout(timer);
      if (error) reject(new WorkerError(`thread ${setup.index} failed: ${error}`));
      else resolve();
    };
  });
  worker.post(setup);
  try {
    await ready;
  } catch (e) {
    worker.terminate();
    throw e;
  }
  return worker;
}

class ThreadedEngine extends Engine {
  constructor(instance, memory, module) {
    super(instance, memory);
    this.module = module;
    this.threads = new Map(); // model → { pool, workers, stacks }
  }

  /** Loads a model to classify on `threads` threads, starting threads-1 workers
   *  (or using those behind `ports`: startThreadWorkers). */
  async loadModelThreaded(bytes, threads, ports = []) {
    const e = this.exports;
    const ptr = this.copyIn(bytes);
    let model;
    try {
      model = e.sqzw_model_load_threads(ptr, bytes.length, threads, this.err);
      if (!model) this.fail(e.sqzw_error_code(this.err));
    } finally {
      e.sqzw_free(ptr);
    }
    this.activate(model); // before the workers' stacks take the file's memory
    const pool = e.sqzw_model_pool(model);
    const running = { pool, workers: [], stacks: [] };
    this.threads.set(model, running);
    try {
      const starts = [];
      for (let index = 1; index < e.sqzw_model_threads(model); index++) {
        const stack = e.sqzw_alloc(WORKER_STACK_BYTES);
        if (!stack) throw new EngineError('out of memory for a thread stack', 'ERR_MEMORY');
        running.stacks.push(stack);
        // The C stack pointer must be 16-byte aligned (the wasm C ABI's
        // stack alignment, which clang's code assumes); malloc gives 8. A
        // third thread's stack top off by 8 trapped out of bounds in the
        // Winograd input transform (its frame on that stack), and the main
        // thread then waited for it forever.
        const setup = { module: this.module, memory: this.memory, pool, index, stackBase: stack,
          stackTop: (stack + WORKER_STACK_BYTES) & ~15 };
        starts.push(startWorker(setup, ports[index - 1]).then((worker) => running.workers.push(worker)));
      }
      const results = await Promise.allSettled(starts);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      // 'ready' comes just before a worker enters the pool's loop: wait until all are in.
      const deadline = Date.now() + START_TIMEOUT_MS;
      while (e.sqzw_pool_workers_inside(pool) !== running.stacks.length) {
        if (Date.now() > deadline) throw new WorkerError('the threads did not enter the pool');
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    } catch (error) {
      this.freeModel(model);
      throw error;
    }
    return model;
  }

  threadCount(model) { return this.exports.sqzw_model_threads(model); }

  freeModel(model) {
    const running = this.threads.get(model);
    if (!running) {
      super.freeModel(model);
      return;
    }
    this.threads.delete(model);
    const e = this.exports;
    e.sqzw_pool_shutdown(running.pool);
    // Workers leave the loop within microseconds once woken; until they all
    // have, the pool's memory must stay. If one never does, leak rather than free.
    const deadline = Date.now() + 2000;
    while (e.sqzw_pool_workers_inside(running.pool) !== 0 && Date.now() < deadline) { /* spin */ }
    const left = e.sqzw_pool_workers_inside(running.pool) === 0;
    for (const worker of running.workers) worker.terminate();
    if (left) {
      super.freeModel(model);
      for (const stack of running.stacks) e.sqzw_free(stack);
    }
  }
}

// What differs between Node and browsers, in one place: built-in modules,
// where relative paths resolve, WebAssembly SIMD, and workers (a Web Worker
// or a worker_threads worker behind one small interface, on both sides).
import { WorkerError } from './errors.js';

export const isNode = typeof process === 'object' && !!process.versions?.node && typeof window === 'undefined';

/** A Node built-in, without a static import that browser bundlers would try to resolve. */
export async function nodeBuiltin(name) {
  if (globalThis.process?.getBuiltinModule) return globalThis.process.getBuiltinModule(name);
  const specifier = `node:${name}`;
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
}

/** Where a relative URL or path resolves: the working directory in Node, the document elsewhere. */
export function baseUrl() {
  if (isNode) return new URL(`file://${process.cwd().replace(/\\/g, '/').replace(/\/?$/, '/')}`);
  return new URL(globalThis.document?.baseURI ?? globalThis.location?.href);
}

// (module (func (result v128) (v128.const i32x4 0 0 0 0))): valid only where wasm SIMD128 is.
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01,
  0x00, 0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b,
]);

/** Whether this runtime has WebAssembly SIMD128 (Safari before 16.4 and some embedded browsers do not). */
export function simdSupported() {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/** The parent's Node options minus those about its own entry point, which a worker would refuse. */
export function workerExecArgv(execArgv) {
  const out = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i];
    if (['-e', '--eval', '-p', '--print', '--input-type'].includes(arg)) i++; // and its value
    else if (!arg.startsWith('--input-type=') && !arg.startsWith('--eval=') && !arg.startsWith('--print=')) out.push(arg);
  }
  return out;
}

/**
 * Starts `name`.js of this folder as a Web Worker (`createWebWorker()`, which
 * the caller writes out, e.g. `() => new Worker(new URL('./worker.js',
 * import.meta.url), { type: 'module' })`, so that bundlers find and bundle
 * the worker) or as a Node worker thread. Returns { post(message, transfer),
 * terminate(), ref(), unref() }; messages go to onMessage(message), failures
 * (and a Node worker's exit) to onError(text). A Node worker starts unref'd:
 * it keeps Node running only between ref() and unref().
 */
export async function startWorker(name, createWebWorker, { onMessage, onError }) {
  let worker;
  if (!isNode) {
    if (typeof Worker !== 'function') throw new WorkerError('this environment has no Web Workers');
    try {
      worker = createWebWorker();
    } catch (e) {
      throw new WorkerError(`cannot start a Web Worker (${name}.js): ${e.message}`);
    }
    worker.onmessage = (event) => onMessage(event.data);
    worker.onerror = (event) => { event.preventDefault?.(); onError(event.message || 'error in worker'); };
    worker.onmessageerror = () => onError('a message could not be deserialized');
    return {
      post: (message, transfer) => worker.postMessage(message, transfer),
      terminate: () => worker.terminate(),
      ref() {},
      unref() {},
    };
  }
  const { Worker: NodeWorker } = await nodeBuiltin('worker_threads');
  // Not `new URL('./worker.js', import.meta.url)`: bundlers would take it for a browser asset.
  const script = new URL(import.meta.url.replace(/[^/]*$/, `${name}.js`));
  try {
    worker = new NodeWorker(script, { execArgv: workerExecArgv(process.execArgv) });
  } catch (e) {
    throw new WorkerError(`cannot start a worker thread (${name}.js): ${e.message}`);
  }
  worker.on('message', (message) => onMessage(message));
  worker.on('error', (e) => onError(e.message));
  worker.on('exit', (code) => onError(`exited with code ${code}`));
  worker.unref();
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    terminate: () => { worker.removeAllListeners('exit'); worker.terminate(); },
    ref: () => worker.ref(),
    unref: () => worker.unref(),
  };
}

/**
 * The worker's side: calls onMessage(message) for each message from the
 * parent; returns post(message, transfer), which sends at once (a thread
 * worker posts 'ready' and then blocks). In browsers the handler is set
 * before this returns, so no message sent at start is missed; in Node the
 * messages wait in the port until the handler is set.
 */
export function parentPort(onMessage) {
  if (typeof WorkerGlobalScope !== 'undefined' && globalThis instanceof WorkerGlobalScope) {
    globalThis.onmessage = (event) => onMessage(event.data);
    return (message, transfer) => globalThis.postMessage(message, transfer);
  }
  let port = null; // set before the first message arrives, so before the first reply
  nodeBuiltin('worker_threads').then((threads) => {
    port = threads.parentPort;
    port.on('message', onMessage);
  });
  return (message, transfer) => port.postMessage(message, transfer);
}

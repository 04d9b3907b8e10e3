// The imports of squeezenet-mt.wasm, for the main instance (threads.js) and
// every thread worker (thread-worker.js). It imports nothing, so that a
// thread worker starts with as few scripts as possible.

/**
 * The imports of squeezenet-mt.wasm, for the main instance and every worker.
 * Emscripten's runtime would provide them; the engine needs only memory,
 * its growth and a clock. The rest belong to pthreads, WebGL and exit, which
 * the engine never calls: they fail loudly if it ever does (`error(message)` makes the Error).
 */
export function threadImports(module, memory, error = (message) => new Error(message)) {
  const known = {
    memory,
    emscripten_get_now: () => performance.now(),
    emscripten_memcpy_big(dest, src, num) {
      new Uint8Array(memory.buffer).copyWithin(dest, src, src + num);
    },
    emscripten_resize_heap(requested) {
      const have = memory.buffer.byteLength;
      const pages = Math.ceil(((requested >>> 0) - have) / 65536);
      if (pages <= 0) return 1;
      try {
        memory.grow(pages);
        return 1;
      } catch {
        return 0;
      }
    },
    __emscripten_init_main_thread_js() {},
    __emscripten_thread_cleanup() {},
    _emscripten_notify_thread_queue() {},
    emscripten_webgl_create_context: () => 0,
    emscripten_set_canvas_element_size: () => -1,
    __pthread_create_js: () => 6, // EAGAIN: the engine starts no pthreads in wasm
  };
  const env = {};
  for (const { module: from, name } of WebAssembly.Module.imports(module)) {
    if (from !== 'env') continue;
    env[name] = name in known ? known[name] : () => {
      throw error(`squeezenet-mt.wasm called ${name}, which the engine does not provide`);
    };
  }
  return { env };
}

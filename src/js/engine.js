// The engine: instantiates squeezenet.wasm or squeezenet-scalar.wasm (standalone, no Emscripten glue)
// and wraps its C exports (src/wasm/exports.c). Works in browsers and Node;
// it never touches the network itself — callers hand it bytes.

import { STATUS } from '../../dist/constants.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Error from the engine: `code` is its sqz_status without SQZ_ ('ERR_MODEL', …). */
export class EngineError extends Error {
  constructor(message, code) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
  }
}

/** Pixel formats (bytes per pixel), as sqz_pixel_format. */
export const PixelFormat = Object.freeze({ GRAY: 1, GRAY_ALPHA: 2, RGB: 3, RGBA: 4 });

/**
 * Compiles/instantiates the wasm. `source` is a WebAssembly.Module, bytes
 * (ArrayBuffer / typed array) or a Response.
 */
const imports = {
  env: { emscripten_notify_memory_growth() {} },
};

export async function createEngine(source) {
  let instance;
  if (source instanceof WebAssembly.Module) {
    instance = await WebAssembly.instantiate(source, imports);
  } else if (typeof Response !== 'undefined' && source instanceof Response) {
    const bytes = await source.arrayBuffer();
    ({ instance } = await WebAssembly.instantiate(bytes, imports));
  } else {
    ({ instance } = await WebAssembly.instantiate(source, imports));
  }
  return new Engine(instance);
}

/**
 * An engine at once from a compiled module (no compilation happens, so a
 * page's main thread may do it): for small synchronous jobs beside a worker.
 */
export function createEngineSync(module) {
  return new Engine(new WebAssembly.Instance(module, imports));
}

export class Engine {
  /** `memory`: the imported memory of squeezenet-mt.wasm (threads.js); squeezenet.wasm exports its own. */
  constructor(instance, memory = instance.exports.memory) {
    this.exports = instance.exports;
    if (this.exports._initialize) this.exports._initialize();
    this.memory = memory;
    this.err = this.exports.sqzw_error_new();
  }

  // Views must be recreated after any call that may grow memory.
  u8() { return new Uint8Array(this.memory.buffer); }

  cstring(ptr) {
    if (!ptr) return null;
    const mem = this.u8();
    let end = ptr;
    while (mem[end]) end++;
    return decoder.decode(mem.slice(ptr, end)); // a copy: TextDecoder refuses shared memory
  }

  copyIn(bytes) {
    const ptr = this.exports.sqzw_alloc(bytes.length);
    if (!ptr) throw new EngineError(`out of memory copying ${bytes.length} bytes into the engine`, 'ERR_MEMORY');
    this.u8().set(bytes, ptr);
    return ptr;
  }

  fail(status) {
    const message = this.cstring(this.exports.sqzw_error_message(this.err));
    throw new EngineError(message, STATUS[status] ?? `ERR_${status}`);
  }

  /** Loads a .sqz model from bytes; returns a handle (pointer). */
  loadModel(bytes) {
    const ptr = this.copyIn(bytes);
    let model;
    try {
      model = this.exports.sqzw_model_load(ptr, bytes.length, this.err);
      if (!model) this.fail(this.exports.sqzw_error_code(this.err));
    } finally {
      this.exports.sqzw_free(ptr);
    }
    this.activate(model);
    return model;
  }

  // The network's activations, which the engine would allocate at the first
  // classification, allocated now that the file's bytes are freed: they take
  // that memory, not the first picture's bytes (bench/README.md, "The
  // activations at the first classification").
  activate(model) {
    if (!this.exports.sqzw_model_activate) return; // an older build (the bench's --extra)
    const st = this.exports.sqzw_model_activate(model, this.err);
    if (st === 0) return;
    this.exports.sqzw_model_free(model);
    this.fail(st);
  }

  freeModel(model) { this.exports.sqzw_model_free(model); }

  /** Whether this build runs the SIMD128 kernels (false: squeezenet-scalar.wasm). */
  get simd() { return this.exports.sqzw_simd() !== 0; }

  /** Threads the model classifies on (always 1 in squeezenet.wasm). */
  threadCount(model) { return this.exports.sqzw_model_threads ? this.exports.sqzw_model_threads(model) : 1; }

  modelInfo(model) {
    const e = this.exports;
    const numClasses = e.sqzw_model_num_classes(model);
    const labels = new Array(numClasses);
    const fullLabels = new Array(numClasses);
    for (let i = 0; i < numClasses; i++) {
      labels[i] = this.cstring(e.sqzw_label(model, i));
      fullLabels[i] = this.cstring(e.sqzw_label_full(model, i));
    }
    return {
      name: this.cstring(e.sqzw_model_name(model)),
      inputWidth: e.sqzw_model_input_width(model),
      inputHeight: e.sqzw_model_input_height(model),
      numClasses,
      labels,
      fullLabels,
      memoryBytes: e.sqzw_model_memory_bytes(model) >>> 0,
    };
  }

  /**
   * Decodes and classifies encoded image bytes (JPEG, PNG, BMP, GIF, PNM),
   * turned upright by their EXIF orientation unless `ignoreOrientation`.
   */
  classifyImage(model, bytes, { raw = false, ignoreOrientation = false } = {}) {
    const flags = (raw ? 1 : 0) | (ignoreOrientation ? this.exports.sqzw_flag_ignore_orientation() : 0);
    const ptr = this.copyIn(bytes);
    try {
      const st = this.exports.sqzw_classify_image(model, ptr, bytes.length, flags, this.err);
      if (st !== 0) this.fail(st);
    } finally {
      this.exports.sqzw_free(ptr);
    }
  }

  /** Classifies 8-bit pixels, `format` bytes per pixel, rows `stride` bytes apart (0 = packed). */
  classifyPixels(model, pixels, width, height, format, { stride = 0, raw = false } = {}) {
    const ptr = this.copyIn(pixels);
    try {
      const st = this.exports.sqzw_classify_pixels(model, ptr, width, height, format, stride, raw ? 1 : 0, this.err);
      if (st !== 0) this.fail(st);
    } finally {
      this.exports.sqzw_free(ptr);
    }
  }

  /**
   * The k best of the last classification: [{index, probability}], best first,
   * among the classes `filter` lets through ({ minProbability, allow, deny }:
   * a number and arrays of class indices, checked by the engine).
   */
  topK(model, k, { minProbability = 0, allow = [], deny = [] } = {}) {
    const e = this.exports;
    const ints = (list) => (list.length ? this.copyIn(new Uint8Array(Int32Array.from(list).buffer)) : 0);
    const allowPtr = ints(allow), denyPtr = ints(deny);
    const idx = e.sqzw_alloc(k * 4), prob = e.sqzw_alloc(k * 4);
    try {
      const n = e.sqzw_top_k_filtered(model, k, minProbability, allowPtr, allow.length, denyPtr, deny.length,
        idx, prob, this.err);
      if (n < 0) this.fail(e.sqzw_error_code(this.err));
      const indices = new Int32Array(this.memory.buffer, idx, n);
      const floats = new Float32Array(this.memory.buffer, prob, n);
      return Array.from(indices, (index, i) => ({ index, probability: floats[i] }));
    } finally {
      for (const p of [idx, prob, allowPtr, denyPtr]) if (p) e.sqzw_free(p);
    }
  }

  /**
   * Class `index`'s map from the last classification (sqz_class_map):
   * { width, height, data: Float32Array (a copy, row-major), region: { x, y,
   * width, height } in the picture's upright pixels, ring: { cells, value } },
   * or null without one.
   */
  classMap(model, index) {
    const e = this.exports;
    const info = e.sqzw_alloc(8 * 4);
    let out = 0;
    try {
      const n = e.sqzw_class_map(model, index, 0, 0, info);
      if (n <= 0) return null;
      out = e.sqzw_alloc(n * 4);
      e.sqzw_class_map(model, index, out, n, info);
      const [width, height, x, y, regionWidth, regionHeight, cells, value] = new Float32Array(this.memory.buffer, info, 8);
      return {
        width, height,
        data: new Float32Array(this.memory.buffer, out, n).slice(),
        region: { x, y, width: regionWidth, height: regionHeight },
        ring: { cells, value },
      };
    } finally {
      e.sqzw_free(info);
      if (out) e.sqzw_free(out);
    }
  }

  /**
   * Encoded image bytes decoded and turned upright by their EXIF orientation
   * (unless `ignoreOrientation`), as classification sees them:
   * { width, height, rgb: Uint8Array } (packed RGB, a copy).
   */
  decodeRgb(bytes, { ignoreOrientation = false } = {}) {
    const e = this.exports;
    const src = this.copyIn(bytes);
    const wh = e.sqzw_alloc(8);
    try {
      const ptr = e.sqzw_decode_rgb(src, bytes.length, ignoreOrientation ? 0 : 1, wh, this.err);
      if (!ptr) this.fail(e.sqzw_error_code(this.err));
      const [width, height] = new Int32Array(this.memory.buffer, wh, 2);
      const rgb = new Uint8Array(this.memory.buffer, ptr, width * height * 3).slice();
      e.sqzw_free(ptr);
      return { width, height, rgb };
    } finally {
      e.sqzw_free(src);
      e.sqzw_free(wh);
    }
  }

  /** The logits of the last classification (a copy). */
  logits(model, numClasses) {
    const ptr = this.exports.sqzw_logits(model);
    if (!ptr) return null;
    return new Float32Array(this.memory.buffer, ptr, numClasses).slice();
  }

  /** Floats in an embedding: the last fire module's channels (0 without one). */
  embeddingSize(model) { return this.exports.sqzw_model_embedding_size(model); }

  /**
   * The embedding of encoded image bytes (decoded and turned upright as
   * classifyImage does): a Float32Array, scaled to unit length if `unitLength`.
   */
  embedImage(model, bytes, { raw = false, ignoreOrientation = false, unitLength = false } = {}) {
    const flags = this.#embedFlags(raw, unitLength) | (ignoreOrientation ? this.exports.sqzw_flag_ignore_orientation() : 0);
    return this.#withBytes(bytes, (ptr) => this.#embed(model, (out, cap) =>
      this.exports.sqzw_embed_image(model, ptr, bytes.length, flags, out, cap, this.err)));
  }

  /** The embedding of 8-bit pixels (`format` bytes per pixel, rows `stride` bytes apart, 0 = packed). */
  embedPixels(model, pixels, width, height, format, { stride = 0, raw = false, unitLength = false } = {}) {
    const flags = this.#embedFlags(raw, unitLength);
    return this.#withBytes(pixels, (ptr) => this.#embed(model, (out, cap) =>
      this.exports.sqzw_embed_pixels(model, ptr, width, height, format, stride, flags, out, cap, this.err)));
  }

  #embedFlags(raw, unitLength) {
    return (raw ? 1 : 0) | (unitLength ? this.exports.sqzw_flag_unit_length() : 0);
  }

  #withBytes(bytes, fn) {
    const ptr = this.copyIn(bytes);
    try { return fn(ptr); } finally { this.exports.sqzw_free(ptr); }
  }

  #embed(model, call) {
    const size = Math.max(1, this.embeddingSize(model));
    const out = this.#alloc(size * 4);
    try {
      const st = call(out, size);
      if (st !== 0) this.fail(st);
      return new Float32Array(this.memory.buffer, out, size).slice();
    } finally {
      this.exports.sqzw_free(out);
    }
  }

  #alloc(bytes) {
    const ptr = this.exports.sqzw_alloc(bytes);
    if (!ptr) throw new EngineError(`out of memory allocating ${bytes} bytes in the engine`, 'ERR_MEMORY');
    return ptr;
  }

  /** Checks a taught model's label (a string, or UTF-8 bytes) by the C rules; throws an EngineError saying what is wrong. */
  checkLabel(label) {
    const bytes = typeof label === 'string' ? encoder.encode(label) : label;
    this.#withBytes(bytes, (ptr) => {
      const st = this.exports.sqzw_label_check(ptr, bytes.length, this.err);
      if (st !== 0) this.fail(st);
    });
  }

  /**
   * Fits a head (sqz_train_head, the defaults) to n examples: `embeddings`
   * n × dim floats, `labels` n class indices. Returns { weights, bias, loss,
   * trainAccuracy, gradientNorm, iterations }.
   */
  trainHead(embeddings, labels, dim, classes) {
    const n = labels.length;
    const e = this.exports;
    const ptrs = [];
    try {
      const x = this.#alloc(embeddings.byteLength); ptrs.push(x);
      new Float32Array(this.memory.buffer, x, embeddings.length).set(embeddings);
      const y = this.#alloc(n * 4); ptrs.push(y);
      new Int32Array(this.memory.buffer, y, n).set(labels);
      const w = this.#alloc(classes * dim * 4); ptrs.push(w);
      const b = this.#alloc(classes * 4); ptrs.push(b);
      const report = this.#alloc(16); ptrs.push(report);
      const st = e.sqzw_train_head(x, y, n, dim, classes, w, b, report, this.err);
      if (st !== 0) this.fail(st);
      const buffer = this.memory.buffer;
      const [loss, trainAccuracy, gradientNorm, iterations] = new Float32Array(buffer, report, 4);
      return {
        weights: new Float32Array(buffer, w, classes * dim).slice(),
        bias: new Float32Array(buffer, b, classes).slice(),
        loss, trainAccuracy, gradientNorm, iterations,
      };
    } finally {
      for (const p of ptrs) e.sqzw_free(p);
    }
  }

  /** A taught model (.sqz bytes): `base`'s network to its last fire module, then the head with `labels`. */
  writeTaughtModel(base, weights, bias, labels) {
    const e = this.exports;
    const classes = labels.length, dim = weights.length / classes;
    const ptrs = [];
    try {
      const basePtr = this.copyIn(base); ptrs.push(basePtr);
      const w = this.#alloc(weights.byteLength); ptrs.push(w);
      new Float32Array(this.memory.buffer, w, weights.length).set(weights);
      const b = this.#alloc(bias.byteLength); ptrs.push(b);
      new Float32Array(this.memory.buffer, b, bias.length).set(bias);
      const strings = labels.map((label) => { const p = this.copyIn(encoder.encode(label + '\0')); ptrs.push(p); return p; });
      const table = this.#alloc(classes * 4); ptrs.push(table);
      new Uint32Array(this.memory.buffer, table, classes).set(strings);
      const out = this.#alloc(8); ptrs.push(out);
      const st = e.sqzw_taught_model_write(basePtr, base.length, w, b, classes, dim, table, out, out + 4, this.err);
      if (st !== 0) this.fail(st);
      const [data, size] = new Uint32Array(this.memory.buffer, out, 2);
      ptrs.push(data); // sqz_free is free
      return this.u8().slice(data, data + size);
    } finally {
      for (const p of ptrs) e.sqzw_free(p);
    }
  }

  /** The head and labels of a taught model: { weights, bias, labels, dim }. */
  readTaughtHead(bytes) {
    const e = this.exports;
    const head = this.#withBytes(bytes, (ptr) => e.sqzw_taught_model_read_head(ptr, bytes.length, this.err));
    if (!head) this.fail(e.sqzw_error_code(this.err));
    try {
      const classes = e.sqzw_head_classes(head), dim = e.sqzw_head_dim(head);
      const labels = Array.from({ length: classes }, (_, i) => this.cstring(e.sqzw_head_label(head, i)));
      return {
        dim, labels,
        weights: new Float32Array(this.memory.buffer, e.sqzw_head_weights(head), classes * dim).slice(),
        bias: new Float32Array(this.memory.buffer, e.sqzw_head_bias(head), classes).slice(),
      };
    } finally {
      e.sqzw_free(head);
    }
  }

  /** Bytes of wasm memory (grows, never shrinks). */
  memoryBytes() { return this.memory.buffer.byteLength; }

  /** Bytes currently allocated inside the wasm heap (for leak checks). */
  heapBytes() { return this.exports.sqzw_heap_bytes() >>> 0; }
}

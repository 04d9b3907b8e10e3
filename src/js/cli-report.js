// The CLI's output format for the Node CLI: dist/cli-report.wasm, the native
// CLI's own C (src/tools/report.c) built apart from the engine, so both CLIs
// print the same bytes (number formatting included) from one definition.
// Files and messages are bytes (Buffer), as paths are: a name that is not
// UTF-8 is printed as it is, like the native CLI does.
import { readFile } from 'node:fs/promises';

const encoder = new TextEncoder();

const bytesOf = (s) => (typeof s === 'string' ? encoder.encode(s) : s);

export class Report {
  /** `source`: the bytes of dist/cli-report.wasm or its WebAssembly.Module. */
  static async create(source) {
    const imports = { env: { emscripten_notify_memory_growth() {} } };
    const instance = source instanceof WebAssembly.Module
      ? await WebAssembly.instantiate(source, imports)
      : (await WebAssembly.instantiate(source, imports)).instance;
    return new Report(instance);
  }

  static async load(wasmPath) { return Report.create(await readFile(wasmPath)); }

  constructor(instance) {
    this.exports = instance.exports;
    this.exports._initialize?.();
    this.labels = 0; // the model's labels, a C array of strings, once setLabels has run
  }

  u8() { return new Uint8Array(this.exports.memory.buffer); }

  /** A NUL-terminated copy of a string or bytes in the wasm's memory (to free). */
  cstring(value) {
    const bytes = bytesOf(value);
    const ptr = this.exports.sqzr_alloc(bytes.length + 1);
    if (!ptr) throw new Error('out of memory in cli-report.wasm');
    const mem = this.u8();
    mem.set(bytes, ptr);
    mem[ptr + bytes.length] = 0;
    return ptr;
  }

  /** Runs fn with NUL-terminated copies of `values`, freed afterwards. */
  withStrings(values, fn) {
    const ptrs = [];
    try {
      for (const v of values) ptrs.push(this.cstring(v));
      return fn(...ptrs);
    } finally {
      for (const p of ptrs) this.exports.sqzr_free(p);
    }
  }

  /** { kind: 'text' | 'json' | 'csv', top, logits } → the C style's numbers. */
  style({ kind, top, logits }) {
    this.kinds ??= new Map();
    if (!this.kinds.has(kind)) this.kinds.set(kind, this.withStrings([kind], (p) => this.exports.sqzr_kind(p)));
    const k = this.kinds.get(kind);
    if (k < 0) throw new Error(`unknown report kind '${kind}'`);
    return [k, top, logits];
  }

  /** Formats with a growing buffer: fn(buf, cap) returns the length it needs, as snprintf. */
  format(fn) {
    let cap = 4096;
    for (;;) {
      const buf = this.exports.sqzr_alloc(cap);
      if (!buf) throw new Error('out of memory in cli-report.wasm');
      try {
        const n = fn(buf, cap) >>> 0;
        if (n === 0xffffffff) throw new Error('out of memory in cli-report.wasm');
        if (n < cap) return this.u8().slice(buf, buf + n);
        cap = n + 1;
      } finally {
        this.exports.sqzr_free(buf);
      }
    }
  }

  /** The labels results refer to by index (kept until dispose). */
  setLabels(labels) {
    const e = this.exports;
    const table = e.sqzr_alloc(labels.length * 4);
    if (!table) throw new Error('out of memory in cli-report.wasm');
    const ptrs = labels.map((l) => this.cstring(l));
    new Uint32Array(e.memory.buffer, table, labels.length).set(ptrs);
    this.labels = table;
    this.labelPtrs = ptrs;
  }

  header(style) {
    return this.format((buf, cap) => this.exports.sqzr_header(...this.style(style), buf, cap));
  }

  /**
   * predictions: [{ index, probability[, heatmap] }] best first (probability a float32
   * value; heatmap as engine.classMap gives it, in every one or none); logits: Float32Array or null.
   */
  result(style, file, model, predictions, logits) {
    const e = this.exports;
    const n = predictions.length;
    const maps = n > 0 && predictions.every((p) => p.heatmap) ? predictions.map((p) => p.heatmap) : null;
    const cells = maps ? maps.reduce((sum, m) => sum + m.data.length, 0) : 0;
    const indices = e.sqzr_alloc(4 * n + 4), probabilities = e.sqzr_alloc(4 * n + 4);
    const logitsPtr = logits ? e.sqzr_alloc(4 * logits.length) : 0;
    const infos = maps ? e.sqzr_alloc(32 * n) : 0, data = maps ? e.sqzr_alloc(4 * cells + 4) : 0;
    try {
      if (!indices || !probabilities || (logits && !logitsPtr) || (maps && (!infos || !data))) {
        throw new Error('out of memory in cli-report.wasm');
      }
      new Int32Array(e.memory.buffer, indices, n).set(predictions.map((p) => p.index));
      new Float32Array(e.memory.buffer, probabilities, n).set(predictions.map((p) => p.probability));
      if (logits) new Float32Array(e.memory.buffer, logitsPtr, logits.length).set(logits);
      if (maps) {
        // as sqzw_class_map packs them: width, height, region x, y, width, height, ring cells, ring value
        new Float32Array(e.memory.buffer, infos, 8 * n).set(maps.flatMap((m) => [m.width, m.height, m.region.x,
          m.region.y, m.region.width, m.region.height, m.ring.cells, m.ring.value]));
        let at = data;
        for (const m of maps) { new Float32Array(e.memory.buffer, at, m.data.length).set(m.data); at += 4 * m.data.length; }
      }
      const [kind, top, nlogits] = this.style(style);
      return this.withStrings([file, model], (filePtr, modelPtr) => this.format((buf, cap) =>
        e.sqzr_result(kind, top, logits ? nlogits : 0, filePtr, modelPtr, indices, probabilities, this.labels, n,
          logitsPtr, infos, data, buf, cap)));
    } finally {
      for (const p of [indices, probabilities, logitsPtr, infos, data]) if (p) e.sqzr_free(p);
    }
  }

  error(style, file, message) {
    const [kind, top, nlogits] = this.style(style);
    return this.withStrings([file, message], (filePtr, messagePtr) => this.format((buf, cap) =>
      this.exports.sqzr_error(kind, top, nlogits, filePtr, messagePtr, buf, cap)));
  }

  /** `embed`'s JSON line for one file. */
  embedding(file, model, values) {
    const e = this.exports;
    const ptr = e.sqzr_alloc(4 * values.length);
    if (!ptr) throw new Error('out of memory in cli-report.wasm');
    try {
      new Float32Array(e.memory.buffer, ptr, values.length).set(values);
      return this.withStrings([file, model], (filePtr, modelPtr) => this.format((buf, cap) =>
        e.sqzr_embedding(filePtr, modelPtr, ptr, values.length, buf, cap)));
    } finally {
      e.sqzr_free(ptr);
    }
  }

  /** `train`'s line saying what was trained (trainAccuracy a float32 value). */
  training(classes, examples, trainAccuracy, iterations) {
    return this.format((buf, cap) => this.exports.sqzr_training(classes, examples, trainAccuracy, iterations, buf, cap));
  }

  /** Node's error code ("ENOENT") → the words the native CLI prints for it. */
  ioReason(code) {
    const ptr = this.withStrings([String(code ?? 'EIO')], (p) => this.exports.sqzr_io_reason(p));
    const mem = this.u8();
    let end = ptr;
    while (mem[end]) end++;
    return new TextDecoder().decode(mem.subarray(ptr, end));
  }
}

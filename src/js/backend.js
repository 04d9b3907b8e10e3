// One engine instance with one loaded model: what both the in-thread
// classifier and the worker run. Inputs arrive already checked and flattened
// by inputs.js, as { kind: 'encoded', bytes } or
// { kind: 'pixels', data, width, height, channels }.
import { createEngine } from './engine.js';
import { fromEngineError } from './errors.js';
import { createThreadedEngine, isThreadedModule } from './threads.js';

export class Backend {
  /** `wasm` (a WebAssembly.Module): squeezenet.wasm or squeezenet-scalar.wasm (one thread),
   * or squeezenet-mt.wasm for `threads`; `threadPorts`: thread workers already started
   * (threads.js, startThreadWorkers). */
  static async create(wasm, modelBytes, threads = 1, threadPorts = []) {
    const threaded = isThreadedModule(wasm);
    const engine = threaded ? await createThreadedEngine(wasm) : await createEngine(wasm);
    let model;
    try {
      model = threaded ? await engine.loadModelThreaded(modelBytes, threads, threadPorts) : engine.loadModel(modelBytes);
    } catch (e) {
      throw fromEngineError(e, 'load');
    }
    return new Backend(engine, model, modelBytes.byteLength);
  }

  constructor(engine, model, byteSize) {
    this.engine = engine;
    this.model = model;
    const { name, inputWidth, inputHeight, numClasses, labels, memoryBytes } = engine.modelInfo(model);
    const threads = engine.threadCount(model);
    const embeddingSize = engine.embeddingSize(model);
    this.info = {
      name, inputWidth, inputHeight, numClasses, labels, byteSize, memoryBytes, threads, simd: engine.simd,
      embeddingSize,
    };
  }

  /**
   * Runs one classification; returns the `top` best as [{ index, label, probability }]
   * among the classes `filter` lets through ({ minProbability, allow, deny }: class
   * indices), each with its `heatmap` if `heatmaps`.
   * `ignoreOrientation`: encoded images as stored (pixels carry no orientation).
   */
  classify(input, top, { ignoreOrientation = false, heatmaps = false, filter } = {}) {
    const { engine, model } = this;
    try {
      if (input.kind === 'encoded') engine.classifyImage(model, input.bytes, { ignoreOrientation });
      else engine.classifyPixels(model, input.data, input.width, input.height, input.channels);
      return engine.topK(model, top, filter).map(({ index, probability }) => {
        const prediction = { index, label: this.info.labels[index], probability };
        if (heatmaps) prediction.heatmap = engine.classMap(model, index);
        return prediction;
      });
    } catch (e) {
      throw fromEngineError(e, 'classify');
    }
  }

  /** The embedding of one input (a Float32Array); `unitLength`: scaled to length 1. */
  embed(input, { ignoreOrientation = false, unitLength = false } = {}) {
    const { engine, model } = this;
    try {
      if (input.kind === 'encoded') return engine.embedImage(model, input.bytes, { ignoreOrientation, unitLength });
      return engine.embedPixels(model, input.data, input.width, input.height, input.channels, { unitLength });
    } catch (e) {
      throw fromEngineError(e, 'classify');
    }
  }

  /** Fits a head to embeddings (n × dim) and labels (n class indices): see Engine.trainHead. */
  train(embeddings, labels, dim, classes) {
    try {
      return this.engine.trainHead(embeddings, labels, dim, classes);
    } catch (e) {
      throw fromEngineError(e, 'teach');
    }
  }

  dispose() {
    if (this.model) this.engine.freeModel(this.model);
    this.model = 0;
    this.engine = null;
  }
}

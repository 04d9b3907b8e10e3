// Teaching your own classes: a learner keeps examples as embeddings (the
// classifier's pooled features, 2 KB each, never the pictures), trains a
// linear head on them in the engine (sqz_train_head) and writes it as a
// taught .sqz (sqz_taught_model_write) that load() and both CLIs read.
//
// What the learner holds lives here, on the caller's side, in plain typed
// arrays: with load({ worker: true }) only embedding and training go through
// the worker, so a worker that dies loses no example and no trained head.
import { checkCallOptions, describeValue as describe } from './arguments.js';
import { ArgumentError, ModelError, fromEngineError } from './errors.js';

function quoted(labels) {
  return labels.map((label) => `'${label}'`).join(', ');
}

/** Bytes of an ArrayBuffer or a typed array, copied (the caller may change them later). */
function modelBytes(value) {
  if (value instanceof ArrayBuffer) return new Uint8Array(value.slice(0));
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice();
  throw new ArgumentError(`learner() takes the bytes of a taught .sqz (a Uint8Array or an ArrayBuffer), not ${describe(value)}`);
}

function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Created by classifier.learner(); `engine` is the classifier's side of it:
 * embed(input, orientation) and train(embeddings, labels, dim, classes)
 * through its queue, helper() an engine for synchronous jobs, base (the
 * classifier's .sqz bytes), embeddingSize.
 */
export class Learner {
  #engine;
  #examples = new Map(); // label → Float32Array[], raw embeddings, in the order classes were first added
  #head = null;          // { labels, weights, bias }: what classify() and toModel() use
  #model = null;         // toModel()'s bytes for #head, once written
  #adding = Promise.resolve(); // settles when every add() called so far has

  constructor(engine, taught) {
    this.#engine = engine;
    if (taught !== undefined) this.#continue(modelBytes(taught));
  }

  /**
   * Starts from a taught model: its classes (without examples: the file
   * keeps none) and its head, which classify() and toModel() use until the
   * next train(). It must have been taught on this classifier's network: the
   * base's layers written again with its head must give the very same bytes.
   */
  #continue(bytes) {
    const helper = this.#engine.helper();
    let head, again;
    try {
      head = helper.readTaughtHead(bytes);
    } catch (e) {
      throw fromEngineError(e, 'load');
    }
    if (head.dim !== this.#engine.embeddingSize) {
      throw new ModelError(`this taught model reads ${head.dim} features, but this classifier's embeddings have ` +
        `${this.#engine.embeddingSize}: continue it with the classifier it was taught on`);
    }
    try {
      again = helper.writeTaughtModel(this.#engine.base, head.weights, head.bias, head.labels);
    } catch (e) {
      throw fromEngineError(e, 'teach');
    }
    if (!sameBytes(again, bytes)) {
      throw new ModelError(`this model was not taught on this classifier's network (${this.#engine.name}): ` +
        'continue it with the classifier it was taught on');
    }
    this.#head = { labels: head.labels, weights: head.weights, bias: head.bias };
    this.#model = bytes;
    for (const label of head.labels) this.#examples.set(label, []);
  }

  /** The classes and how many examples each holds: [{ label, examples }], in the order they came. */
  get classes() {
    return Array.from(this.#examples, ([label, list]) => Object.freeze({ label, examples: list.length }));
  }

  #checkLabel(label) {
    if (typeof label !== 'string' || label === '') {
      throw new ArgumentError(`a label must be a non-empty string, not ${label === '' ? 'an empty string' : describe(label)}`);
    }
    const helper = this.#engine.helper();
    try {
      helper.checkLabel(label);
    } catch (e) {
      const error = fromEngineError(e, 'teach');
      throw new ArgumentError(error.message.replace(/^the label/, `the label ${JSON.stringify(label)}`));
    }
  }

  /**
   * The embedding of `input`: computed for an image; or `input` itself, a
   * copy, if it is one (a Float32Array of raw features, as
   * classifier.embed(image, { normalize: false }) gives).
   */
  async #embed(input, orientation) {
    if (!(input instanceof Float32Array)) return this.#engine.embed(input, orientation);
    const dim = this.#engine.embeddingSize;
    if (input.length !== dim) {
      throw new ArgumentError(`an embedding has ${dim} values (info.embeddingSize), not ${input.length}`);
    }
    let squares = 0;
    for (const v of input) {
      if (!(v >= 0 && v < Infinity)) {
        throw new ArgumentError(`an embedding's values are finite and not negative (averages of ReLU outputs), not ${v}`);
      }
      squares += v * v;
    }
    // Raw features are far from unit length; a unit one would not match the
    // raw features classify() and the taught model compute.
    if (Math.abs(Math.sqrt(squares) - 1) < 1e-3) {
      throw new ArgumentError('this embedding has unit length: a learner takes raw ones, ' +
        'classifier.embed(input, { normalize: false })');
    }
    return input.slice();
  }

  /**
   * Adds `input` (anything classify() takes, or a raw embedding) as an
   * example of `label`, a new class or one it has. If it fails (an
   * unreadable image, a bad label) the learner is as it was.
   */
  async add(input, label, options = {}) {
    this.#checkLabel(label);
    checkCallOptions(options, ['orientation'], "{ orientation: 'ignore' }", 'add()');
    // Examples join in the order add() was called, whichever input is read
    // first (a large Blob may take longer than a small one after it).
    const embedding = this.#embed(input, options.orientation);
    const before = this.#adding;
    const added = (async () => {
      const e = await embedding;
      await before;
      if (!this.#examples.has(label)) this.#examples.set(label, []);
      this.#examples.get(label).push(e);
    })();
    this.#adding = Promise.allSettled([before, added]);
    return added;
  }

  /** Removes a class and its examples (the trained head keeps it until the next train()). */
  remove(label) {
    if (!this.#examples.delete(label)) {
      const have = Array.from(this.#examples.keys());
      throw new ArgumentError(`there is no class ${describe(label)} to remove (${
        have.length ? `the classes are ${quoted(have)}` : 'the learner has none'})`);
    }
  }

  /** Removes every class and example (the trained head stays until the next train()). */
  clear() {
    this.#examples.clear();
  }

  /**
   * Trains a head on every example (each class needs one or more, and two
   * classes or more), those of add() calls still running too: what
   * classify() and toModel() use from then on.
   * Returns { classes, examples, loss, trainAccuracy, iterations, ms }.
   */
  async train() {
    await this.#adding; // adds still running count: they were called first
    const entries = Array.from(this.#examples);
    if (entries.length < 2) {
      throw new ArgumentError(`training needs two classes or more; this learner has ${
        entries.length ? `one (${quoted([entries[0][0]])})` : 'none'}: add() examples of each`);
    }
    const empty = entries.filter(([, list]) => list.length === 0).map(([label]) => label);
    if (empty.length) {
      throw new ArgumentError(`${empty.length === 1 ? 'class' : 'classes'} ${quoted(empty)} ${
        empty.length === 1 ? 'has' : 'have'} no examples: add() some, or remove() ${
        empty.length === 1 ? 'it' : 'them'} (a taught model keeps no examples, only its classes)`);
    }
    const dim = this.#engine.embeddingSize;
    const n = entries.reduce((sum, [, list]) => sum + list.length, 0);
    const embeddings = new Float32Array(n * dim);
    const labels = new Int32Array(n);
    let i = 0;
    entries.forEach(([, list], k) => {
      for (const e of list) {
        embeddings.set(e, i * dim);
        labels[i++] = k;
      }
    });
    const start = performance.now();
    const result = await this.#engine.train(embeddings, labels, dim, entries.length);
    const ms = performance.now() - start;
    this.#head = { labels: entries.map(([label]) => label), weights: result.weights, bias: result.bias };
    this.#model = null;
    return {
      classes: entries.length, examples: n, loss: result.loss, trainAccuracy: result.trainAccuracy,
      iterations: result.iterations, ms,
    };
  }

  #trained(what) {
    if (!this.#head) {
      throw new ArgumentError(`${what} needs a trained head: add() examples of two classes or more and train() ` +
        'first, or continue a taught model with classifier.learner(bytes)');
    }
    return this.#head;
  }

  /**
   * The `top` best of the trained classes for `input` (an image or a raw
   * embedding; top: default 5, or all if fewer): [{ index, label,
   * probability }], as the taught model gives.
   */
  async classify(input, options = {}) {
    checkCallOptions(options, ['top', 'orientation'], '{ top: 3 }', 'learner.classify()');
    const head = this.#trained('classify()');
    const n = head.labels.length;
    const { top = Math.min(5, n) } = options;
    if (!Number.isInteger(top) || top < 1 || top > n) {
      throw new ArgumentError(`top must be an integer from 1 to ${n} (the trained classes), not ${
        typeof top === 'number' ? top : describe(top)}`);
    }
    const e = await this.#embed(input, options.orientation);
    // The head on the pooled features, in double: the taught model's 1×1
    // convolution then average pool, reordered (both are linear).
    const dim = e.length;
    const logits = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      let sum = head.bias[k];
      const row = head.weights.subarray(k * dim, (k + 1) * dim);
      for (let j = 0; j < dim; j++) sum += row[j] * e[j];
      logits[k] = sum;
    }
    const max = Math.max(...logits);
    let total = 0;
    const p = logits.map((x) => { const v = Math.exp(x - max); total += v; return v; });
    const order = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a] || a - b);
    return order.slice(0, top).map((index) => ({ index, label: head.labels[index], probability: p[index] / total }));
  }

  /**
   * The trained head as a taught model: .sqz bytes of the classifier's
   * network up to its last fire module, then the head, with these labels.
   */
  toModel() {
    const helper = this.#engine.helper(); // a disposed classifier's learners are done too
    const head = this.#trained('toModel()');
    if (!this.#model) {
      try {
        this.#model = helper.writeTaughtModel(this.#engine.base, head.weights, head.bias, head.labels);
      } catch (e) {
        throw fromEngineError(e, 'teach');
      }
    }
    return this.#model.slice();
  }
}

// The package's errors: one Error subclass per kind of failure, each with a
// stable `code` to branch on and the engine's sentence as its message.

export class SqueezeNetError extends Error {
  constructor(message, code = 'ERR_UNKNOWN', options) {
    super(message, options);
    this.name = 'SqueezeNetError';
    this.code = code;
  }
}

/** A wrong argument: bad type, size, option or pixel buffer. */
export class ArgumentError extends SqueezeNetError {
  constructor(message, options) { super(message, 'ERR_ARGUMENT', options); this.name = 'ArgumentError'; }
}

/** The image cannot be decoded or read, or exceeds the engine's limits. */
export class ImageError extends SqueezeNetError {
  constructor(message, options) { super(message, 'ERR_IMAGE', options); this.name = 'ImageError'; }
}

/** The model bytes are not a valid .sqz file (malformed, bad checksum, unknown version, too large). */
export class ModelError extends SqueezeNetError {
  constructor(message, options) { super(message, 'ERR_MODEL', options); this.name = 'ModelError'; }
}

/** The wasm or the model could not be fetched or read (network, HTTP status, missing file). */
export class FetchError extends SqueezeNetError {
  constructor(message, options) { super(message, 'ERR_FETCH', options); this.name = 'FetchError'; }
}

/** The classifier was disposed. */
export class DisposedError extends SqueezeNetError {
  constructor(message = 'this classifier has been disposed', options) {
    super(message, 'ERR_DISPOSED', options);
    this.name = 'DisposedError';
  }
}

/** The worker running the engine failed or could not start. */
export class WorkerError extends SqueezeNetError {
  constructor(message, options) { super(message, 'ERR_WORKER', options); this.name = 'WorkerError'; }
}

const BY_NAME = { SqueezeNetError, ArgumentError, ImageError, ModelError, FetchError, DisposedError, WorkerError };

/**
 * Maps an EngineError (code = C status name) to the package's class, by the
 * stage it happened in: 'load', 'classify' or 'teach' (training a head,
 * writing or reading a taught model, where a limit is the caller's).
 */
export function fromEngineError(e, stage) {
  if (!e || typeof e.code !== 'string' || e instanceof SqueezeNetError) return e;
  const message = e.message;
  switch (e.code) {
    // At load the only argument is the model's bytes, so an engine complaint about them is a ModelError.
    case 'ERR_ARGUMENT': return stage === 'load' ? new ModelError(message) : new ArgumentError(message);
    case 'ERR_IMAGE': return new ImageError(message);
    case 'ERR_MODEL': case 'ERR_CHECKSUM': case 'ERR_VERSION': return new ModelError(message);
    case 'ERR_LIMIT':
      if (stage === 'load') return new ModelError(message);
      return stage === 'teach' ? new ArgumentError(message) : new ImageError(message);
    default: return new SqueezeNetError(message, e.code);
  }
}

/** Errors cross the worker boundary as plain objects and are rebuilt on the other side. */
export function serializeError(e) {
  if (e instanceof SqueezeNetError) return { name: e.name, code: e.code, message: e.message };
  return { name: 'SqueezeNetError', code: e?.code || 'ERR_UNKNOWN', message: String(e?.message ?? e) };
}

export function deserializeError(o) {
  const Class = BY_NAME[o.name] || SqueezeNetError;
  const e = Class === SqueezeNetError ? new SqueezeNetError(o.message, o.code) : new Class(o.message);
  return e;
}

// Types for squeezenet-wasm (src/js/index.js). Browser input types come from lib.dom.
/// <reference lib="dom" />

/** The models that ship with the package. */
export type ModelName = 'default' | 'squeezenet1_1' | 'squeezenet1_0' | 'squeezenet1_1-compact';
export declare const MODELS: readonly ModelName[];
export declare const DEFAULT_MODEL: 'default';

export interface LoadOptions {
  /** A shipped model's name (default 'squeezenet1_1'), the URL of a .sqz file, or its bytes. */
  model?: ModelName | string | URL | ArrayBuffer | Uint8Array;
  /** Where squeezenet.wasm is hosted, when not next to the package. */
  wasmUrl?: string | URL;
  /** A folder URL holding NAME.sqz, for named models hosted elsewhere. */
  modelBaseUrl?: string | URL;
  /** Model download progress in bytes; `total` is 0 when the server does not say. */
  onProgress?: (loaded: number, total: number) => void;
  /** Run the engine in a Web Worker (browsers) or a worker thread (Node). */
  worker?: boolean;
  /**
   * Threads per classification (1 to 64). By default 2 where threads can run
   * (Node; a cross-origin isolated page), else 1. Where they cannot, or do not
   * start, one thread runs: `info.threads` tells. Results are identical.
   */
  threads?: number;
  /** Where squeezenet-mt.wasm (the threaded engine) is hosted, when not next to the package. */
  threadsWasmUrl?: string | URL;
}

export interface ModelInfo {
  readonly name: string;
  readonly inputWidth: number;
  readonly inputHeight: number;
  readonly numClasses: number;
  /** Short class names ("tench"), by class index. */
  readonly labels: readonly string[];
  /** Size of the .sqz file in bytes. */
  readonly byteSize: number;
  /** Memory the loaded model holds in the engine, in bytes. */
  readonly memoryBytes: number;
  /** Threads each classification runs on. */
  readonly threads: number;
}

export interface Prediction {
  index: number;
  label: string;
  probability: number;
}

/** 8-bit pixels, rows packed; channels 4 (RGBA, the default, as ImageData), 3 (RGB), 2 or 1 (gray). */
export interface Pixels {
  data: Uint8Array | Uint8ClampedArray | ArrayBuffer;
  width: number;
  height: number;
  channels?: 1 | 2 | 3 | 4;
}

/** Anything classify() reads: pixels, encoded image bytes (JPEG, PNG, BMP, GIF, PNM), or a browser image. */
export type ImageInput =
  | Pixels
  | Uint8Array
  | ArrayBuffer
  | DataView
  | Blob
  | ImageData
  | HTMLImageElement
  | HTMLCanvasElement
  | HTMLVideoElement
  | OffscreenCanvas
  | ImageBitmap
  | VideoFrame;

export interface ClassifyOptions {
  /** How many predictions, best first (1 to numClasses; default 5). */
  top?: number;
  /**
   * 'apply' (the default): encoded JPEG and PNG bytes, Blobs and Files are
   * turned upright by their EXIF orientation, as browsers show them.
   * 'ignore': their pixels as stored. Pixels and browser images (`<img>`,
   * canvas, ImageBitmap, video) carry no orientation: the browser has already
   * drawn them as shown.
   */
  orientation?: 'apply' | 'ignore';
}

export interface Classifier {
  /** The model's metadata. Throws DisposedError after dispose(). */
  readonly info: ModelInfo;
  /** Whether the engine runs in a worker. */
  readonly worker: boolean;
  /** The best classes for `input`, best first. Concurrent calls are queued. */
  classify(input: ImageInput, options?: ClassifyOptions): Promise<Prediction[]>;
  /** Frees the engine (and ends its worker); later calls throw DisposedError. */
  dispose(): void;
}

export declare function load(options?: LoadOptions): Promise<Classifier>;
/** load() with `worker: true`. */
export declare function createWorkerClassifier(options?: Omit<LoadOptions, 'worker'>): Promise<Classifier>;

export type ErrorCode =
  | 'ERR_ARGUMENT' | 'ERR_IMAGE' | 'ERR_MODEL' | 'ERR_FETCH' | 'ERR_DISPOSED' | 'ERR_WORKER'
  | 'ERR_MEMORY' | 'ERR_UNKNOWN';

export declare class SqueezeNetError extends Error {
  constructor(message: string, code?: ErrorCode | string, options?: { cause?: unknown });
  readonly code: ErrorCode | string;
}
/** A wrong argument: bad type, size, option or pixel buffer. code 'ERR_ARGUMENT'. */
export declare class ArgumentError extends SqueezeNetError { readonly code: 'ERR_ARGUMENT'; constructor(message: string); }
/** The image cannot be decoded or read, or exceeds the engine's limits. code 'ERR_IMAGE'. */
export declare class ImageError extends SqueezeNetError { readonly code: 'ERR_IMAGE'; constructor(message: string); }
/** The model bytes are not a valid .sqz file. code 'ERR_MODEL'. */
export declare class ModelError extends SqueezeNetError { readonly code: 'ERR_MODEL'; constructor(message: string); }
/** The wasm or model could not be fetched or read. code 'ERR_FETCH'. */
export declare class FetchError extends SqueezeNetError { readonly code: 'ERR_FETCH'; constructor(message: string); }
/** The classifier was disposed. code 'ERR_DISPOSED'. */
export declare class DisposedError extends SqueezeNetError { readonly code: 'ERR_DISPOSED'; constructor(message?: string); }
/** The worker running the engine failed. code 'ERR_WORKER'. */
export declare class WorkerError extends SqueezeNetError { readonly code: 'ERR_WORKER'; constructor(message: string); }

// Turns whatever the caller passed to classify() into what the engine takes:
// encoded bytes, or 8-bit pixels at full resolution. Browser images are drawn
// once at their natural size and read back; all resizing is the engine's, so
// results match the native library's recipe.
import { ArgumentError, ImageError } from './errors.js';

const has = (name) => typeof globalThis[name] === 'function';
const isA = (value, name) => has(name) && value instanceof globalThis[name];

function describe(value) {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return value.constructor?.name ? `a ${value.constructor.name}` : 'an object';
}

function bytesOf(view) {
  if (view instanceof ArrayBuffer) return new Uint8Array(view);
  if (ArrayBuffer.isView(view)) return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  return null;
}

function checkSide(value, what) {
  if (!Number.isInteger(value) || value <= 0) {
    throw new ArgumentError(`${what} must be a positive integer, not ${typeof value === 'number' ? value : describe(value)}`);
  }
}

/** `{ data, width, height, channels? }` (ImageData included) → checked pixels. */
function pixelsFrom(input, owned) {
  const { width, height } = input;
  const channels = input.channels ?? 4;
  checkSide(width, 'width');
  checkSide(height, 'height');
  if (![1, 2, 3, 4].includes(channels)) {
    throw new ArgumentError(`channels must be 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA), not ${channels}`);
  }
  const isByteArray = input.data instanceof Uint8Array || input.data instanceof Uint8ClampedArray ||
    input.data instanceof ArrayBuffer;
  if (!isByteArray) {
    throw new ArgumentError(`pixel data must be a Uint8Array, Uint8ClampedArray or ArrayBuffer, not ${describe(input.data)}`);
  }
  const data = bytesOf(input.data);
  const expected = width * height * channels;
  if (data.length !== expected) {
    throw new ArgumentError(`pixel data has ${data.length} bytes, but ${width}x${height} pixels with ` +
      `${channels} channels need ${expected}`);
  }
  return { input: { kind: 'pixels', data, width, height, channels }, owned };
}

let scratch = null; // one canvas reused across calls, sized to each image

function readWithCanvas(source, width, height, what) {
  if (!(width > 0 && height > 0)) throw new ImageError(`${what} has no pixels yet (size ${width}x${height})`);
  if (!scratch) {
    scratch = has('OffscreenCanvas') ? new OffscreenCanvas(width, height) : document.createElement('canvas');
  }
  if (scratch.width !== width) scratch.width = width;
  if (scratch.height !== height) scratch.height = height;
  const ctx = scratch.getContext('2d', { willReadFrequently: true });
  ctx.clearRect(0, 0, width, height);
  ctx.drawImage(source, 0, 0); // natural size: no scaling
  let image;
  try {
    image = ctx.getImageData(0, 0, width, height);
  } catch (e) {
    throw new ImageError(`cannot read the pixels of ${what}: ${e.message} (a cross-origin image needs CORS)`);
  }
  return pixelsFrom(image, true);
}

/**
 * Returns { input, owned }: `owned` is true when the buffers were made here
 * and may be transferred to a worker without detaching the caller's.
 */
export async function prepareInput(input) {
  if (input === null || input === undefined || (typeof input !== 'object' && typeof input !== 'function')) {
    throw new ArgumentError(`classify() takes an image (ImageData, {data, width, height}, encoded bytes, Blob or ` +
      `an image element), not ${describe(input)}`);
  }
  if (input instanceof ArrayBuffer || ArrayBuffer.isView(input)) {
    if (input instanceof Uint8ClampedArray || !(input instanceof ArrayBuffer || input instanceof Uint8Array || input instanceof DataView)) {
      throw new ArgumentError(`encoded image bytes must be a Uint8Array, Buffer or ArrayBuffer, not ${describe(input)} ` +
        `(for raw pixels pass {data, width, height})`);
    }
    const bytes = bytesOf(input);
    if (bytes.length === 0) throw new ImageError('the image is empty (0 bytes)');
    return { input: { kind: 'encoded', bytes }, owned: false };
  }
  if (isA(input, 'Blob')) {
    const bytes = new Uint8Array(await input.arrayBuffer());
    if (bytes.length === 0) throw new ImageError('the image is empty (0 bytes)');
    return { input: { kind: 'encoded', bytes }, owned: true };
  }
  if (isA(input, 'HTMLImageElement')) {
    if (!input.complete || !input.naturalWidth) {
      try { await input.decode(); } catch (e) {
        throw new ImageError(`the <img> ${input.src ? `'${input.src}' ` : ''}could not be loaded or decoded`);
      }
    }
    return readWithCanvas(input, input.naturalWidth, input.naturalHeight, 'the <img>');
  }
  if (isA(input, 'HTMLVideoElement')) {
    if (input.readyState < 2) throw new ImageError('the <video> has no frame to read yet (wait for loadeddata)');
    return readWithCanvas(input, input.videoWidth, input.videoHeight, 'the <video>');
  }
  if (isA(input, 'HTMLCanvasElement') || isA(input, 'OffscreenCanvas') || isA(input, 'ImageBitmap')) {
    return readWithCanvas(input, input.width, input.height, `the ${input.constructor.name}`);
  }
  if (isA(input, 'VideoFrame')) {
    return readWithCanvas(input, input.displayWidth, input.displayHeight, 'the VideoFrame');
  }
  if ('data' in input || 'width' in input || 'height' in input) return pixelsFrom(input, false);
  throw new ArgumentError(`classify() takes an image (ImageData, {data, width, height}, encoded bytes, Blob or ` +
    `an image element), not ${describe(input)}`);
}

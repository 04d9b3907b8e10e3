// load({ cache: true }): the .wasm and the model kept in Cache Storage, so
// that a web app's second visit downloads neither. An entry is keyed by its
// URL and carries the checksum of its bytes: a model's own CRC-32 (bytes
// 12–15 of a .sqz, over bytes 16 to the end: models/FORMAT.md), or for the
// .wasm the CRC-32 of the whole file taken when it was stored. Every read
// checks the bytes against it; an entry that fails is dropped and fetched
// again, never used. Where there is no Cache Storage (Node, a page not served
// over https or from localhost, a browser refusing it) nothing is kept.

const CACHE_NAME = 'squeezenet-wasm';
const CHECKSUM_HEADER = 'X-Squeezenet-Crc32';

let table = null;
/** CRC-32 (IEEE 802.3, as zlib's crc32) of `bytes`. */
export function crc32(bytes) {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The checksum an entry is kept with, or null when the bytes are not whole (a .sqz whose own CRC is wrong). */
function checksumOf(bytes, kind) {
  if (kind !== 'model') return crc32(bytes);
  if (bytes.length < 16) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stated = view.getUint32(12, true);
  if (view.getUint32(8, true) !== bytes.length || crc32(bytes.subarray(16)) !== stated) return null;
  return stated;
}

async function openCache() {
  if (typeof caches === 'undefined' || typeof Response !== 'function') return null;
  try {
    return await caches.open(CACHE_NAME);
  } catch {
    return null;   // refused (private window, storage blocked)
  }
}

/**
 * The bytes at `url` (`kind`: 'wasm' or 'model'): from Cache Storage if kept
 * there and whole, else from `read(url, onProgress)`, then kept.
 */
export async function readCached(url, kind, read, onProgress) {
  const cache = url.protocol.startsWith('http') ? await openCache() : null;
  if (!cache) return read(url, onProgress);
  try {
    const kept = await cache.match(url.href);
    if (kept) {
      const bytes = new Uint8Array(await kept.arrayBuffer());
      const sum = checksumOf(bytes, kind);
      if (sum !== null && sum.toString(16) === kept.headers.get(CHECKSUM_HEADER)) {
        onProgress?.(bytes.length, bytes.length);
        return bytes;
      }
      await cache.delete(url.href);   // damaged: fetched again below
    }
  } catch { /* an unreadable cache is no cache */ }
  const bytes = await read(url, onProgress);
  const sum = checksumOf(bytes, kind);
  if (sum !== null) {
    try {
      await cache.put(url.href, new Response(bytes.slice(), { headers: { [CHECKSUM_HEADER]: sum.toString(16) } }));
    } catch { /* full or refused: used, not kept */ }
  }
  return bytes;
}

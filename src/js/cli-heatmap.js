// The Node CLI's --heatmap DIR: for each picture a PNG of it, upright as it
// is shown, with the top class's heatmap over it. The same picture as the
// native CLI's (src/tools/heatmap_png.c: the same output paths, colours and
// bilinear interpolation between cell centres over the region), drawn here in
// JS and encoded with a minimal PNG writer over node:zlib.
import { mkdir, writeFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import { normalize, overlayAlpha, turbo } from './colormap.js';

const SLASH = 0x2f;

/**
 * Where the PNG of input `file` goes: DIR/PATH.png, PATH the input's path with
 * no leading '/', '.' parts dropped and '..' parts written '__', so nothing
 * lands outside DIR and no two inputs share a PNG. Paths are bytes (Buffer),
 * as the CLI keeps them: a name that is not UTF-8 stays as it is.
 */
export function heatmapPngPath(dir, file) {
  const parts = [];
  for (let at = 0; at <= file.length;) {
    let end = file.indexOf(SLASH, at);
    if (end < 0) end = file.length;
    const part = file.subarray(at, end);
    if (part.length && !part.equals(Buffer.from('.'))) parts.push(part.equals(Buffer.from('..')) ? Buffer.from('__') : part);
    at = end + 1;
  }
  return Buffer.concat([Buffer.from(dir), ...parts.flatMap((p) => [Buffer.from('/'), p]), Buffer.from('.png')]);
}

/** Lays `heatmap` (from classify or engine.classMap) over width × height packed RGB pixels, in place. */
export function overlay(rgb, width, height, heatmap) {
  const { width: gw, height: gh, region: r } = heatmap;
  const t = normalize(heatmap.data);
  const cellW = r.width / gw, cellH = r.height / gh;
  const clamp = (v, hi) => Math.min(Math.max(v, 0), hi);
  for (let y = 0; y < height; y++) {
    const cy = y + 0.5; // pixel centres
    if (cy < r.y || cy >= r.y + r.height) continue;
    const v = clamp((cy - r.y) / cellH - 0.5, gh - 1);
    const y0 = Math.floor(v), y1 = Math.min(y0 + 1, gh - 1), fy = v - y0;
    for (let x = 0; x < width; x++) {
      const cx = x + 0.5;
      if (cx < r.x || cx >= r.x + r.width) continue;
      const u = clamp((cx - r.x) / cellW - 0.5, gw - 1);
      const x0 = Math.floor(u), x1 = Math.min(x0 + 1, gw - 1), fx = u - x0;
      const m = (1 - fy) * ((1 - fx) * t[y0 * gw + x0] + fx * t[y0 * gw + x1])
        + fy * ((1 - fx) * t[y1 * gw + x0] + fx * t[y1 * gw + x1]);
      const alpha = overlayAlpha(m), colour = turbo(m);
      const at = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) rgb[at + c] = Math.round((1 - alpha) * rgb[at + c] + alpha * colour[c]);
    }
  }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Packed 8-bit RGB pixels as a PNG file (no filtering, zlib-deflated rows). */
export function encodePng(rgb, width, height) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, no filter, not interlaced
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) rows.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (width * 3 + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * Writes the PNG of `bytes` (an encoded image the engine has just classified)
 * with class `index`'s map of that classification over it, to `file` (bytes),
 * creating its folders. A failure throws an Error whose `bytes` say it in the
 * native CLI's words (`report.ioReason`).
 */
export async function writeHeatmapPng(engine, model, index, bytes, { ignoreOrientation = false } = {}, file, report) {
  const heatmap = engine.classMap(model, index);
  const { width, height, rgb } = engine.decodeRgb(bytes, { ignoreOrientation });
  overlay(rgb, width, height, heatmap);
  const folder = file.subarray(0, file.lastIndexOf(SLASH));
  const fail = (what, where, e) => Object.assign(new Error(what), {
    bytes: Buffer.concat([Buffer.from(`--heatmap: ${what} `), Buffer.from(where), Buffer.from(` (${report.ioReason(e.code)})`)]),
  });
  // mkdir -p one folder at a time, as the native CLI: Node's recursive mkdir
  // loops forever where a folder cannot be made in an existing one (/proc/x).
  for (let at = folder.indexOf(SLASH, 1); ; at = folder.indexOf(SLASH, at + 1)) {
    const part = at < 0 ? folder : folder.subarray(0, at);
    try {
      await mkdir(part);
    } catch (e) {
      if (e.code !== 'EEXIST') throw fail('cannot create', part, e);
    }
    if (at < 0) break;
  }
  try {
    await writeFile(file, encodePng(rgb, width, height));
  } catch (e) {
    throw fail('cannot write', file, e);
  }
}

#!/usr/bin/env node
// A small static server for the web page (no dependencies). It serves the
// repository's own layout, so the package finds its .wasm and models next to
// itself exactly as it would on any static host:
//   /            → web/ (the page)
//   /src/js/…    → the package's ES modules
//   /dist/….wasm → the engine
//   /models/….sqz → the models
// Every response carries the page's Content-Security-Policy (workers take
// their policy from their own script's response) and COOP/COEP, so the page
// is cross-origin isolated (SharedArrayBuffer, for a threaded engine).
import http from 'node:http';
import { stat, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Nothing but this origin: scripts (and wasm compilation) from here, images
// from here or from blob: URLs of the user's own files, no plugins, no frames.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob: mediastream:",
  "style-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.sqz': 'application/octet-stream',
};

// Sent gzipped when the browser accepts it: the wasm shrinks to ~40%, text
// to ~30%. Models are not: their weights hardly compress, and the package's
// download progress counts against an uncompressed Content-Length.
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.wasm']);
const gzipped = new Map();   // file → { etag, body }, compressed once per version

function gzipOnce(file, etag, body) {
  const cached = gzipped.get(file);
  if (cached?.etag === etag) return cached.body;
  const gz = gzipSync(body, { level: 9 });
  gzipped.set(file, { etag, body: gz });
  return gz;
}

// URL prefix → directory and the file extensions served from it.
const MOUNTS = [
  { prefix: '/src/js/', dir: 'src/js', ext: ['.js'] },
  { prefix: '/dist/', dir: 'dist', ext: ['.wasm', '.js'] },
  { prefix: '/models/', dir: 'models', ext: ['.sqz', '.json'] },
  { prefix: '/', dir: 'web', ext: ['.html', '.js', '.css', '.svg', '.png', '.ico', '.json'], hide: ['server.js'] },
];

function headers(type, length, etag) {
  return {
    'Content-Type': type,
    'Content-Length': length,
    ...(etag ? { ETag: etag } : {}),
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  };
}

/** The file a URL path maps to, or null (unknown prefix, extension, or an escape attempt). */
export function resolvePath(urlPath, base = root) {
  let p;
  try { p = decodeURIComponent(urlPath); } catch { return null; }
  if (p.includes('\0')) return null;
  if (p.endsWith('/')) p += 'index.html';
  for (const m of MOUNTS) {
    if (!p.startsWith(m.prefix)) continue;
    const dir = path.join(base, m.dir);
    const file = path.join(dir, p.slice(m.prefix.length));
    if (!file.startsWith(dir + path.sep)) return null;
    if (!m.ext.includes(path.extname(file))) return null;
    if (m.hide?.includes(path.relative(dir, file))) return null;
    return file;
  }
  return null;
}

function sendText(res, status, text, method) {
  const body = Buffer.from(text + '\n');
  res.writeHead(status, headers('text/plain; charset=utf-8', body.length));
  res.end(method === 'HEAD' ? undefined : body);
}

/**
 * The request handler. `log({ status, method, path, bytes })` is called for
 * each response (bytes: body bytes sent).
 */
export function createServer({ base = root, log = () => {} } = {}) {
  return http.createServer(async (req, res) => {
    const method = req.method;
    const url = new URL(req.url, 'http://localhost');
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendText(res, 405, 'method not allowed', method);
      return;
    }
    const file = resolvePath(url.pathname, base);
    let status = 404, bytes = 0;
    try {
      const info = file && await stat(file);
      if (info?.isFile()) {
        // no-cache + ETag: the browser revalidates (the page module and the
        // worker import the same files) and gets 304 without the body.
        const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
        const type = MIME[path.extname(file)] ?? 'application/octet-stream';
        if (req.headers['if-none-match'] === etag) {
          status = 304;
          const h = headers(type, 0, etag);
          delete h['Content-Length'];
          res.writeHead(304, h);
          res.end();
        } else {
          let body = await readFile(file);
          const extra = {};
          if (COMPRESSIBLE.has(path.extname(file))) {
            extra.Vary = 'Accept-Encoding';
            if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
              body = gzipOnce(file, etag, body);
              extra['Content-Encoding'] = 'gzip';
            }
          }
          status = 200;
          bytes = method === 'HEAD' ? 0 : body.length;
          res.writeHead(200, { ...headers(type, body.length, etag), ...extra });
          res.end(method === 'HEAD' ? undefined : body);
        }
      }
    } catch { /* missing or unreadable: 404 below */ }
    if (status === 404) sendText(res, 404, `not found: ${url.pathname}`, method);
    log({ status, method, path: url.pathname, bytes });
  });
}

/** Starts the server; resolves to { server, url } once it listens. */
export function serve({ port = 8080, host = 'localhost', base = root, log } = {}) {
  const server = createServer({ base, log });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolve({ server, url: `http://${host}:${actual}/` });
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const raw = process.env.PORT ?? '8080';
  if (!/^\d+$/.test(raw) || +raw > 65535) {
    console.error(`web/server.js: PORT must be a number from 0 to 65535, not '${raw}'`);
    process.exit(2);
  }
  const verbose = process.argv.includes('--verbose');
  const log = verbose ? (r) => console.log(`${r.status} ${r.method} ${r.path} ${r.bytes}`) : undefined;
  serve({ port: +raw, log })
    .then(({ url }) => console.log(`squeezenet-wasm page: ${url}  (Ctrl+C stops)`))
    .catch((e) => {
      console.error(`web/server.js: cannot listen on port ${raw}: ${e.message}`);
      process.exit(1);
    });
}

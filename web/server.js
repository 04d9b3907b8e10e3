#!/usr/bin/env node
// A small static server for the web page (no dependencies). It serves the
// repository's own layout, so the package finds its .wasm and models next to
// itself exactly as it would on any static host:
//   /            → web/ (the page, its service worker, manifest and icons)
//   /src/js/…    → the package's ES modules
//   /dist/….wasm → the engine
//   /models/….sqz → the models
// all under a base path if given (BASE_PATH=/some/dir/: the page is then
// /some/dir/, as behind a proxy that forwards that folder).
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
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.sqz': 'application/octet-stream',
};

// Sent gzipped when the browser accepts it: the wasm shrinks to ~40%, text
// to ~30%. Models are not: their weights hardly compress, and the package's
// download progress counts against an uncompressed Content-Length.
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.webmanifest', '.svg', '.wasm']);
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
  { prefix: '/', dir: 'web', ext: ['.html', '.js', '.css', '.svg', '.png', '.ico', '.json', '.webmanifest'], hide: ['server.js'] },
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

/** A base path as '/some/dir/' (leading and trailing slash), or an Error saying what is wrong. */
export function normalizeBasePath(value) {
  const p = `/${String(value)}/`.replace(/\/{2,}/g, '/');
  if (!/^[A-Za-z0-9._~\-/]+$/.test(p) || p.split('/').some((s) => s === '.' || s === '..')) {
    return new Error(`the base path must be a folder like /some/dir/, not '${value}'`);
  }
  return p;
}

/**
 * The request handler. `log({ status, method, path, bytes })` is called for
 * each response (bytes: body bytes sent). `basePath` ('/some/dir/') is the
 * folder the page is served from.
 */
export function createHandler({ base = root, basePath = '/', log = () => {} } = {}) {
  const prefix = normalizeBasePath(basePath);
  if (prefix instanceof Error) throw prefix;
  return async (req, res) => {
    const method = req.method;
    const url = new URL(req.url, 'http://localhost');
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendText(res, 405, 'method not allowed', method);
      return;
    }
    // The folder without its slash: redirect, or the page's relative URLs would miss it.
    if (prefix !== '/' && url.pathname === prefix.slice(0, -1)) {
      res.writeHead(301, { ...headers('text/plain; charset=utf-8', 0), Location: prefix + url.search });
      res.end();
      log({ status: 301, method, path: url.pathname, bytes: 0 });
      return;
    }
    const file = url.pathname.startsWith(prefix) ? resolvePath(url.pathname.slice(prefix.length - 1), base) : null;
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
  };
}

/** An http.Server answering with createHandler(options). */
export function createServer(options) {
  return http.createServer(createHandler(options));
}

/** Starts the server; resolves to { server, url } (the page's URL) once it listens. */
export function serve({ port = 8080, host = 'localhost', base = root, basePath = '/', log } = {}) {
  const server = createServer({ base, basePath, log });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolve({ server, url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}${normalizeBasePath(basePath)}` });
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const raw = process.env.PORT ?? '8080';
  if (!/^\d+$/.test(raw) || +raw > 65535) {
    console.error(`web/server.js: PORT must be a number from 0 to 65535, not '${raw}'`);
    process.exit(2);
  }
  const basePath = normalizeBasePath(process.env.BASE_PATH ?? '/');
  if (basePath instanceof Error) {
    console.error(`web/server.js: BASE_PATH: ${basePath.message}`);
    process.exit(2);
  }
  const verbose = process.argv.includes('--verbose');
  const log = verbose ? (r) => console.log(`${r.status} ${r.method} ${r.path} ${r.bytes}`) : undefined;
  serve({ port: +raw, host: process.env.HOST || 'localhost', basePath, log })
    .then(({ url }) => console.log(`squeezenet-wasm page: ${url}  (Ctrl+C stops)`))
    .catch((e) => {
      console.error(`web/server.js: cannot listen on port ${raw}: ${e.message}`);
      process.exit(1);
    });
}

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

// URL prefix → directory and the file extensions served from it.
const MOUNTS = [
  { prefix: '/src/js/', dir: 'src/js', ext: ['.js'] },
  { prefix: '/dist/', dir: 'dist', ext: ['.wasm', '.js'] },
  { prefix: '/models/', dir: 'models', ext: ['.sqz', '.json'] },
  { prefix: '/', dir: 'web', ext: ['.html', '.js', '.css', '.svg', '.png', '.ico', '.json'], hide: ['server.js'] },
];

function headers(type, length) {
  return {
    'Content-Type': type,
    'Content-Length': length,
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
    let status = 404;
    try {
      if (file && (await stat(file)).isFile()) {
        const body = await readFile(file);
        res.writeHead(200, headers(MIME[path.extname(file)] ?? 'application/octet-stream', body.length));
        res.end(method === 'HEAD' ? undefined : body);
        status = 200;
      }
    } catch { /* missing or unreadable: 404 below */ }
    if (status === 404) sendText(res, 404, `not found: ${url.pathname}`, method);
    log(`${status} ${method} ${url.pathname}`);
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
  serve({ port: +raw, log: verbose ? (line) => console.log(line) : undefined })
    .then(({ url }) => console.log(`squeezenet-wasm page: ${url}  (Ctrl+C stops)`))
    .catch((e) => {
      console.error(`web/server.js: cannot listen on port ${raw}: ${e.message}`);
      process.exit(1);
    });
}

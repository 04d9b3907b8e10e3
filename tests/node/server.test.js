// The web page's static server: what it serves, with which types and
// headers, what it refuses, and how `node web/server.js` starts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { serve, resolvePath, createServer } from '../../web/server.js';
import { root } from './helpers.js';

let server, base;
before(async () => { ({ server, url: base } = await serve({ port: 0, host: '127.0.0.1' })); });
after(() => new Promise((r) => server.close(r)));

// A raw request, so that paths like /../ reach the server unnormalised.
function get(pathname, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(base), { method, path: pathname }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('serves the page, the package, the wasm and the models with their types', async () => {
  const cases = [
    ['/', 'web/index.html', 'text/html; charset=utf-8'],
    ['/app.js', 'web/app.js', 'text/javascript; charset=utf-8'],
    ['/app.css', 'web/app.css', 'text/css; charset=utf-8'],
    ['/src/js/engine.js', 'src/js/engine.js', 'text/javascript; charset=utf-8'],
    ['/dist/squeezenet.wasm', 'dist/squeezenet.wasm', 'application/wasm'],
    ['/models/squeezenet1_1.sqz', 'models/squeezenet1_1.sqz', 'application/octet-stream'],
  ];
  for (const [url, file, type] of cases) {
    const res = await get(url);
    assert.equal(res.status, 200, url);
    assert.equal(res.headers['content-type'], type, url);
    assert.deepEqual(res.body, await readFile(path.join(root, file)), url);
    assert.equal(Number(res.headers['content-length']), res.body.length, url);
  }
});

test('every response is cross-origin isolated and carries the CSP', async () => {
  for (const url of ['/', '/src/js/engine.js', '/nothing-here']) {
    const { headers } = await get(url);
    assert.equal(headers['cross-origin-opener-policy'], 'same-origin', url);
    assert.equal(headers['cross-origin-embedder-policy'], 'require-corp', url);
    assert.match(headers['content-security-policy'], /default-src 'self'/, url);
    assert.match(headers['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/, url);
  }
});

test('the page and the server send the same policy', async () => {
  const html = await readFile(path.join(root, 'web/index.html'), 'utf8');
  const meta = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)[1];
  const { headers } = await get('/');
  // frame-ancestors only works as a header; everything else must agree.
  const header = headers['content-security-policy'].split('; ').filter((d) => !d.startsWith('frame-ancestors'));
  assert.deepEqual(meta.split('; '), header);
});

test('HEAD gives the size without the body, as HTTP asks', async () => {
  const res = await get('/models/squeezenet1_1.sqz', 'HEAD');
  assert.equal(res.status, 200);
  assert.equal(res.body.length, 0);
  assert.equal(Number(res.headers['content-length']), (await stat(path.join(root, 'models/squeezenet1_1.sqz'))).size);
});

test('refuses paths outside the served folders, the server itself and other methods', async () => {
  for (const url of ['/../package.json', '/%2e%2e/package.json', '/src/js/../../package.json',
    '/server.js', '/models/FORMAT.md', '/src/engine/api.c', '/dist/../README.md', '/%00', '/%E0%A4%A']) {
    assert.equal((await get(url)).status, 404, url);
  }
  assert.equal((await get('/', 'POST')).status, 405);
  assert.equal(resolvePath('/../../etc/passwd'), null);
  assert.equal(resolvePath('/index.html'), path.join(root, 'web/index.html'));
});

function startCli(env) {
  const child = spawn(process.execPath, [path.join(root, 'web/server.js')], { env: { ...process.env, ...env } });
  let out = '', err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((r) => child.on('exit', (code) => r(code)));
  return { child, exited, output: () => ({ out, err }) };
}

test('node web/server.js listens on PORT and prints the URL', async () => {
  const cli = startCli({ PORT: '0' });
  try {
    const url = await new Promise((resolve, reject) => {
      cli.child.stdout.on('data', () => {
        const m = cli.output().out.match(/http:\/\/localhost:(\d+)\//);
        if (m) resolve(m[0]);
      });
      cli.exited.then((code) => reject(new Error(`exited ${code}: ${cli.output().err}`)));
    });
    assert.notEqual(new URL(url).port, '0');
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<title>/);
  } finally {
    cli.child.kill();
    await cli.exited;
  }
});

test('a bad PORT is named and the server does not start', async () => {
  const cli = startCli({ PORT: 'eighty' });
  assert.equal(await cli.exited, 2);
  assert.match(cli.output().err, /PORT must be a number.*'eighty'/);
});

test('text and wasm are gzipped for browsers that accept it, models are not', async () => {
  const { gunzipSync } = await import('node:zlib');
  const wasm = await readFile(path.join(root, 'dist/squeezenet.wasm'));
  const res = await new Promise((resolve, reject) => {
    http.get(new URL('/dist/squeezenet.wasm', base), { headers: { 'Accept-Encoding': 'gzip, deflate' } }, (r) => {
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => resolve({ headers: r.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
  assert.equal(res.headers['content-encoding'], 'gzip');
  assert.equal(res.headers['content-type'], 'application/wasm');
  assert.ok(res.body.length < wasm.length * 0.8, `${res.body.length} of ${wasm.length} bytes`);
  assert.deepEqual(gunzipSync(res.body), wasm);
  // Without Accept-Encoding (the raw get()) it comes as is.
  assert.equal((await get('/dist/squeezenet.wasm')).headers['content-encoding'], undefined);
  const model = await new Promise((resolve) => {
    http.get(new URL('/models/squeezenet1_1.sqz', base), { headers: { 'Accept-Encoding': 'gzip' } }, (r) => {
      r.resume();
      resolve(r.headers);
    });
  });
  assert.equal(model['content-encoding'], undefined);
});

test('a known ETag gets 304 without a body', async () => {
  const first = await get('/app.js');
  const again = await new Promise((resolve, reject) => {
    http.get(new URL('/app.js', base), { headers: { 'If-None-Match': first.headers.etag } }, (r) => {
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => resolve({ status: r.statusCode, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
  assert.ok(first.headers.etag);
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
});

test('the service worker, the manifest and the icons are served with their types', async () => {
  const cases = [
    ['/sw.js', 'web/sw.js', 'text/javascript; charset=utf-8'],
    ['/offline.js', 'web/offline.js', 'text/javascript; charset=utf-8'],
    ['/manifest.webmanifest', 'web/manifest.webmanifest', 'application/manifest+json; charset=utf-8'],
    ['/icons/icon-192.png', 'web/icons/icon-192.png', 'image/png'],
    ['/icons/icon.svg', 'web/icons/icon.svg', 'image/svg+xml'],
  ];
  for (const [url, file, type] of cases) {
    const res = await get(url);
    assert.equal(res.status, 200, url);
    assert.equal(res.headers['content-type'], type, url);
    assert.deepEqual(res.body, await readFile(path.join(root, file)), url);
  }
  // The generator of the icons is not served.
  assert.equal((await get('/icons/make_icons.py')).status, 404);
  // The manifest's icons exist at the sizes it states (PNG IHDR: width, height at bytes 16 and 20).
  const manifest = JSON.parse(await readFile(path.join(root, 'web/manifest.webmanifest'), 'utf8'));
  const pngs = manifest.icons.filter((i) => i.type === 'image/png');
  assert.equal(pngs.length, 2);
  for (const icon of pngs) {
    const png = (await get(`/${icon.src}`)).body;
    assert.equal(`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`, icon.sizes, icon.src);
  }
});

test('BASE_PATH serves the same files from a folder, and nothing outside it', async () => {
  const { server: folder, url } = await serve({ port: 0, host: '127.0.0.1', basePath: '/some/dir' });
  try {
    assert.equal(new URL(url).pathname, '/some/dir/');
    const at = (p, options = {}) => fetch(new URL(p, url), { redirect: 'manual', ...options });
    for (const [p, file] of [['', 'web/index.html'], ['app.js', 'web/app.js'], ['src/js/index.js', 'src/js/index.js'],
      ['dist/squeezenet.wasm', 'dist/squeezenet.wasm'], ['models/squeezenet1_0.sqz', 'models/squeezenet1_0.sqz']]) {
      const res = await at(p);
      assert.equal(res.status, 200, p);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), await readFile(path.join(root, file)), p);
      assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp', p);
    }
    for (const p of ['/', '/app.js', '/some/app.js', '/some/dir/../app.js', '/some/dirx/app.js']) {
      assert.equal((await at(p)).status, 404, p);
    }
    // The folder without its slash: redirected, or the page's relative URLs would miss it.
    const bare = await at('/some/dir?model=squeezenet1_1');
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.get('location'), '/some/dir/?model=squeezenet1_1');
  } finally {
    await new Promise((r) => folder.close(r));
  }
  assert.throws(() => createServer({ basePath: '/../etc' }), /base path must be a folder/);
});

test('a bad BASE_PATH is named and the server does not start', async () => {
  const cli = startCli({ PORT: '0', BASE_PATH: '/some/../dir' });
  assert.equal(await cli.exited, 2);
  assert.match(cli.output().err, /BASE_PATH: the base path must be a folder like \/some\/dir\/, not '\/some\/\.\.\/dir'/);
});

// The browser-test harness: the page's server (web/server.js, or a plain
// static one) on a free port, headless Debian Chromium (through
// playwright-core) or Firefox ESR (through puppeteer-core over WebDriver
// BiDi) with a fake camera, and one small page interface over both, so that
// every test runs unchanged in either browser. Anything a driver offers only
// for one browser stays out of it: pictures are handed to the page through
// the DOM (files set on <input type=file>, paste and drop events carrying a
// DataTransfer built in the page), slow lines and broken files are made by
// the server, not by the browser.
import { mkdtemp, readFile, rm, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import http from 'node:http';
import path from 'node:path';
import { createHandler, resolvePath, normalizeBasePath } from '../../web/server.js';
import { root, shared, photosDir } from '../node/helpers.js';

export { root, shared, photosDir };
export const artifacts = path.join(root, 'tests/artifacts');

const EXECUTABLES = {
  chromium: process.env.SQZ_CHROMIUM || '/usr/bin/chromium',
  firefox: process.env.SQZ_FIREFOX || '/usr/bin/firefox-esr',
};
/** The browsers the page tests run in (SQZ_BROWSERS=chromium,firefox narrows it). */
export const BROWSERS = (process.env.SQZ_BROWSERS || 'chromium,firefox').split(',').filter((b) => b in EXECUTABLES);
/** The skip reason of every browser test, or false. A missing browser is
 * not a reason: its tests then fail (at launch). SQZ_SKIP_BROWSERS=1 is the
 * one opt-out, for a machine without the browsers; scripts/node-test.sh lets
 * no other skip pass. */
export const browsersSkipped = process.env.SQZ_SKIP_BROWSERS === '1' ? 'SQZ_SKIP_BROWSERS=1' : false;
/** Fails with what to do when a browser is not installed. */
export function assertBrowserInstalled(name) {
  if (!existsSync(EXECUTABLES[name])) {
    throw new Error(`no ${name} at ${EXECUTABLES[name]}: scripts/install-deps.sh installs it ` +
      '(SQZ_SKIP_BROWSERS=1 skips the browser tests)');
  }
}

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
// Firefox's fake camera is a generated picture (a green frame with a clock):
// it cannot play a chosen photo as Chromium's can.
const FIREFOX_PREFS = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'browser.shell.checkDefaultBrowser': false,
};

/** Short label of each ImageNet class, from the upstream synset list: "n01440764 tench, Tinca tinca" → "tench". */
export async function synsetLabels() {
  const text = await readFile(path.join(shared, 'models/upstream/synset_words.txt'), 'utf8');
  return text.trim().split('\n').map((line) => line.replace(/^n\d+ /, '').split(',')[0].trim());
}

/** The reference (independent PyTorch) top-1 label of each photo, per model. */
export async function referenceLabels(model) {
  const labels = await synsetLabels();
  const { images } = JSON.parse(await readFile(path.join(shared, 'reference', model, 'predictions.json'), 'utf8'));
  return Object.fromEntries(Object.entries(images).map(([file, p]) => [file, labels[p.top5[0]]]));
}

// ---- servers ------------------------------------------------------------------

const STATIC_TYPES = {
  '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.webmanifest': 'application/manifest+json',
};

/** What a plain static host sends: the file, its type, length and date; no COOP/COEP, no CSP header. */
function plainHandler({ base = root, basePath = '/', log }) {
  const prefix = normalizeBasePath(basePath);
  return async (req, res) => {
    const { pathname } = new URL(req.url, 'http://localhost');
    const file = pathname.startsWith(prefix) ? resolvePath(pathname.slice(prefix.length - 1), base) : null;
    let body;
    try { body = file && await readFile(file); } catch { /* 404 */ }
    if (!body) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      log({ status: 404, method: req.method, path: pathname, bytes: 0 });
      return;
    }
    res.writeHead(200, { 'Content-Type': STATIC_TYPES[path.extname(file)] ?? 'application/octet-stream', 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
    log({ status: 200, method: req.method, path: pathname, bytes: req.method === 'HEAD' ? 0 : body.length });
  };
}

/** Sends a response's body at `bytesPerSecond`, in twentieths of a second. */
function throttled(res, bytesPerSecond) {
  const write = res.write.bind(res), end = res.end.bind(res);
  res.end = (body, ...rest) => {
    if (!body || typeof body === 'function' || body.length === 0) return end(body, ...rest);
    const step = Math.max(1, Math.round(bytesPerSecond / 20));
    let at = 0;
    const next = () => {
      if (res.destroyed) return;
      if (at >= body.length) { end(); return; }
      write(body.subarray(at, at += step));
      setTimeout(next, 50);
    };
    next();
    return res;
  };
}

/**
 * Serves the repository's layout in this process: web/server.js (COOP/COEP,
 * CSP), or with `plain: true` a plain static host. `basePath` mounts the
 * page in a folder. Records what it sent in `served` ({status, method,
 * path, bytes}); `throttle(pathPattern, bytesPerSecond)` slows a file down,
 * `replace(path, bytes)` answers a path with other bytes (status 200).
 */
export async function startServer({ plain = false, basePath = '/', host = '127.0.0.1' } = {}) {
  const served = [];
  const log = (r) => served.push(r);
  const handler = plain ? plainHandler({ basePath, log }) : createHandler({ basePath, log });
  const slow = [], replaced = new Map();
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://localhost');
    const bytes = replaced.get(pathname);
    if (bytes) {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length, 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : bytes);
      log({ status: 200, method: req.method, path: pathname, bytes: req.method === 'HEAD' ? 0 : bytes.length, replaced: true });
      return;
    }
    const rule = slow.find((r) => r.pattern.test(pathname));
    if (rule) throttled(res, rule.bytesPerSecond);
    handler(req, res);
  });
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(0, host, resolve); });
  const origin = `http://${host}:${server.address().port}`;
  return {
    url: `${origin}${normalizeBasePath(basePath)}`, origin, served, plain,
    throttle(pattern, bytesPerSecond) { slow.push({ pattern, bytesPerSecond }); return () => slow.splice(slow.findIndex((r) => r.pattern === pattern), 1); },
    replace(pathname, bytes) { replaced.set(pathname, Buffer.from(bytes)); return () => replaced.delete(pathname); },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

/**
 * `node <dir>/web/server.js` as its own process (so that stopping it is the
 * server gone, as for a user), on `port` (0: a free one). `dir` is the
 * repository or a copy of its layout. Resolves once it listens.
 */
export async function spawnServer({ dir = root, port = 0, basePath = '/' } = {}) {
  const served = [];
  const child = spawn(process.execPath, [path.join(dir, 'web/server.js'), '--verbose'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', BASE_PATH: basePath }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text) => {
      output += text;
      for (const line of text.split('\n')) {
        const started = line.match(/^squeezenet-wasm page: (\S+)/);
        if (started) resolve(started[1]);
        const entry = line.match(/^(\d{3}) (\w+) (\S+) (\d+)$/);
        if (entry) served.push({ status: +entry[1], method: entry[2], path: entry[3], bytes: +entry[4] });
      }
    });
    child.stderr.on('data', (text) => { output += text; });
    child.once('exit', (code) => reject(new Error(`web/server.js exited (${code}): ${output}`)));
  });
  const { origin, port: actual } = new URL(url);
  return {
    url, origin, port: Number(actual), served,
    /** Ends the process and waits until it is gone. */
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) { resolve(); return; }
      child.removeAllListeners('exit');
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

// ---- browsers -----------------------------------------------------------------

/**
 * Starts a browser and the page's server (`server`: options of startServer,
 * or false for none). `camera` (Chromium) is a photo to play as the fake
 * webcam (converted to .y4m by make_y4m.py); `cameras: n` gives n of
 * Chromium's own fake cameras. Firefox always has its one fake camera.
 * Returns a session whose pages share one profile (`newPage()`), or start
 * from an empty one (`newContext()`: no cache, no service worker, as a first visit).
 */
export async function startBrowser({ browser: name = 'chromium', camera, cameras, server: serverOptions } = {}) {
  assertBrowserInstalled(name);
  const temp = await mkdtemp(path.join(tmpdir(), `sqz-page-${name}-`));
  await mkdir(artifacts, { recursive: true });
  const server = serverOptions === false ? null : await startServer(serverOptions);
  const requests = [];   // every URL any page of this session asked for (workers' too where the driver sees them)
  const origins = new Set(server ? [server.origin] : []);   // the test servers' own
  let driver;
  try {
    driver = name === 'firefox' ? await launchFirefox() : await launchChromium({ camera, cameras, temp });
  } catch (e) {
    await server?.close();
    throw e;
  }
  const contexts = [];
  const session = {
    name, server, url: server?.url, origin: server?.origin, served: server?.served, requests, temp,
    /** A context with an empty profile. */
    async newContext() {
      const context = await driver.newContext((url) => requests.push(url));
      contexts.push(context);
      return context;
    },
    async newPage() {
      if (!session.shared) session.shared = await session.newContext();
      return session.shared.newPage();
    },
    /** Another server (startServer options) whose origin counts as the page's own. */
    async addServer(options) {
      const other = await startServer(options);
      origins.add(other.origin);
      return other;
    },
    allow(origin) { origins.add(origin); },
    /** Requests to anywhere but the test servers (the user's own blob:/data: pictures aside). */
    foreignRequests: () => requests.filter((u) => !/^(blob|data):/.test(u) && ![...origins].some((o) => u.startsWith(`${o}/`))),
    screenshot: (page, label) => page.screenshot(path.join(artifacts, name === 'chromium' ? `${label}.png` : `${label}-${name}.png`)),
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await driver.close();
      await server?.close();
      await rm(temp, { recursive: true, force: true });
    },
  };
  return session;
}

/** Chromium with a profile on disk (an incognito context is never installable), for its installability verdict. */
export async function chromiumWithProfile(dir) {
  const { chromium } = await import('playwright-core');
  return chromium.launchPersistentContext(dir, { executablePath: EXECUTABLES.chromium, headless: true, args: CHROMIUM_ARGS });
}

async function launchChromium({ camera, cameras, temp }) {
  const { chromium } = await import('playwright-core');
  const args = [...CHROMIUM_ARGS];
  if (camera) {
    const video = path.join(temp, 'camera.y4m');
    execFileSync('/usr/bin/python3', [path.join(root, 'tests/browser/make_y4m.py'), camera, video]);
    args.push('--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`);
  } else if (cameras) {
    args.push(`--use-fake-device-for-media-stream=device-count=${cameras}`, '--use-fake-ui-for-media-stream');
  }
  const browser = await chromium.launch({ executablePath: EXECUTABLES.chromium, headless: true, args });
  return {
    async newContext(onRequest) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      context.on('request', (r) => onRequest(r.url()));
      return {
        native: context,
        newPage: async () => new Page(chromiumPage(await context.newPage())),
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

// What Playwright's and Puppeteer's pages both offer under the same names.
function commonDriver(page, name) {
  return {
    native: page,
    name,
    onProblem(report) {
      page.on('pageerror', (e) => report(`page error: ${e.message}`));
      page.on('console', (m) => { if (m.type() === 'error') report(`console error: ${m.text()}`); });
    },
    onRequest: (record) => page.on('request', (r) => record(r.url())),
    goto: (url) => page.goto(url),
    reload: () => page.reload(),
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    $eval: (selector, fn, arg) => page.$eval(selector, fn, arg),
    $$eval: (selector, fn, arg) => page.$$eval(selector, fn, arg),
    click: (selector) => page.click(selector),
    screenshot: (file) => page.screenshot({ path: file, fullPage: true }),
    close: () => page.close(),
  };
}

function chromiumPage(page) {
  return {
    ...commonDriver(page, 'chromium'),
    waitForFunction: (fn, arg, timeout) => page.waitForFunction(fn, arg, { timeout, polling: 100 }),
    selectOption: (selector, value) => page.selectOption(selector, value),
    press: (key) => page.keyboard.press(key),
    setInputFiles: (selector, files) => page.setInputFiles(selector, files),
    setViewport: (width, height) => page.setViewportSize({ width, height }),
    addInitScript: (fn, arg) => page.addInitScript(fn, arg),
    workers: () => page.workers().map((w) => w.url()),
  };
}

async function launchFirefox() {
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch({
    browser: 'firefox', executablePath: EXECUTABLES.firefox, headless: true,
    extraPrefsFirefox: FIREFOX_PREFS, defaultViewport: { width: 1280, height: 900 },
  });
  return {
    async newContext(onRequest) {
      const context = await browser.createBrowserContext();
      return {
        native: context,
        async newPage() {
          const page = await context.newPage();
          await page.setViewport({ width: 1280, height: 900 });
          page.on('request', (r) => onRequest(r.url()));
          return new Page(firefoxPage(page));
        },
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

function firefoxPage(page) {
  return {
    ...commonDriver(page, 'firefox'),
    waitForFunction: (fn, arg, timeout) => page.waitForFunction(fn, { timeout, polling: 100 }, arg),
    selectOption: (selector, value) => page.select(selector, value),
    async press(keys) {   // 'Control+V' as Playwright writes it
      const [key, ...modifiers] = keys.split('+').reverse();
      for (const m of modifiers) await page.keyboard.down(m);
      await page.keyboard.press(key);
      for (const m of modifiers.reverse()) await page.keyboard.up(m);
    },
    async setInputFiles(selector, files) {
      const input = await page.$(selector);
      await input.uploadFile(...[files].flat());
      await input.dispose();
    },
    setViewport: (width, height) => page.setViewport({ width, height }),
    addInitScript: (fn, arg) => page.evaluateOnNewDocument(fn, arg),
    workers: () => null,   // WebDriver BiDi does not list a page's workers
  };
}

/** One page, the same small interface in both browsers. */
class Page {
  #driver;
  constructor(driver) {
    this.#driver = driver;
    this.browser = driver.name;
    this.problems = [];   // page errors and console errors
    this.requests = [];   // URLs this page asked for
    driver.onProblem((p) => this.problems.push(p));
    driver.onRequest((url) => this.requests.push(url));
  }

  /** The driver's own page (Playwright's or Puppeteer's), for what only one browser can do. */
  get native() { return this.#driver.native; }

  goto(url) { return this.#driver.goto(url); }
  reload() { return this.#driver.reload(); }
  evaluate(fn, arg) { return this.#driver.evaluate(fn, arg); }
  $eval(selector, fn, arg) { return this.#driver.$eval(selector, fn, arg); }
  $$eval(selector, fn, arg) { return this.#driver.$$eval(selector, fn, arg); }
  waitForFunction(fn, arg, { timeout = 60000 } = {}) { return this.#driver.waitForFunction(fn, arg, timeout); }
  waitForSelector(selector, { timeout = 10000 } = {}) {
    return this.waitForFunction((s) => !!document.querySelector(s), selector, { timeout });
  }
  click(selector) { return this.#driver.click(selector); }
  selectOption(selector, value) { return this.#driver.selectOption(selector, value); }
  press(key) { return this.#driver.press(key); }
  setInputFiles(selector, files) { return this.#driver.setInputFiles(selector, files); }
  setViewport(width, height) { return this.#driver.setViewport(width, height); }
  /** Runs `fn` in every document this page opens, before its own scripts. */
  /** Runs fn(arg) in each new document of this page before its own scripts. */
  addInitScript(fn, arg) { return this.#driver.addInitScript(fn, arg); }
  screenshot(file) { return this.#driver.screenshot(file); }
  /** URLs of the page's workers, or null where the driver cannot list them. */
  workers() { return this.#driver.workers(); }
  close() { return this.#driver.close(); }

  textContent(selector) { return this.$eval(selector, (e) => e.textContent); }
  getAttribute(selector, name) { return this.$eval(selector, (e, n) => e.getAttribute(n), name); }
  /** Hidden: not in the page, not laid out, or invisible. */
  isHidden(selector) {
    return this.evaluate((s) => {
      const e = document.querySelector(s);
      return !e || e.getClientRects().length === 0 || getComputedStyle(e).visibility === 'hidden';
    }, selector);
  }

  /** Clicks the button whose accessible name (aria-label, or its text) matches `name` (a RegExp). */
  async clickButton(name) {
    const id = await this.evaluate(({ source, flags }) => {
      const re = new RegExp(source, flags);
      const buttons = [...document.querySelectorAll('button, [role="button"]')]
        .filter((b) => re.test((b.getAttribute('aria-label') || b.textContent).trim()) && b.getClientRects().length);
      if (buttons.length !== 1) return `${buttons.length} buttons`;
      buttons[0].dataset.testTarget = 'yes';
      return 'found';
    }, { source: name.source, flags: name.flags });
    if (id !== 'found') throw new Error(`looking for one visible button named ${name}: ${id}`);
    await this.click('[data-test-target="yes"]');
    await this.evaluate(() => delete document.querySelector('[data-test-target]')?.dataset.testTarget);
  }

  /** The control labelled `text` (its <label for>), as a selector. */
  async labelled(text) {
    const id = await this.evaluate((t) => [...document.querySelectorAll('label')]
      .find((l) => l.textContent.trim() === t)?.htmlFor, text);
    if (!id) throw new Error(`no control labelled '${text}'`);
    return `#${id}`;
  }

  /** Dispatches drag events carrying `files` ({name, type, bytes}) on `selector`:
   *  'dragenter', or the whole drop ('dragenter', 'dragover', 'drop'). */
  drag(selector, files, { drop = true } = {}) {
    return this.evaluate(({ selector: s, files: list, drop: all }) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
      const target = document.querySelector(s);
      for (const type of all ? ['dragenter', 'dragover', 'drop'] : ['dragenter']) {
        target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
      }
    }, { selector, files: encode(files), drop });
  }

  /** Dispatches a paste event carrying `files` ({name, type, bytes}) on the document, as Ctrl+V would. */
  paste(files) {
    return this.evaluate((list) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
      const event = new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true });
      // Firefox's ClipboardEvent constructor keeps none of the files: the event gets the DataTransfer itself.
      if (event.clipboardData?.files.length !== dt.files.length) Object.defineProperty(event, 'clipboardData', { value: dt });
      document.dispatchEvent(event);
    }, encode(files));
  }

  /** Puts a PNG on the browser's clipboard (navigator.clipboard.write, after a click
   *  for the user activation it needs) and presses Ctrl+V: a real paste. Chromium
   *  only: headless Firefox's clipboard keeps text, not images. */
  async pasteFromClipboard(png) {
    await this.click('h1');
    const written = await this.evaluate(async (base64) => {
      const blob = new Blob([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], { type: 'image/png' });
      try {
        await navigator.clipboard.write([new ClipboardItem({ 'image/png': blob })]);
        return 'ok';
      } catch (e) {
        return `${e.name}: ${e.message}`;
      }
    }, Buffer.from(png).toString('base64'));
    if (written !== 'ok') throw new Error(`cannot write to the clipboard: ${written}`);
    await this.press('Control+V');
  }
}

const encode = (files) => files.map((f) => ({ name: f.name, type: f.type, base64: Buffer.from(f.bytes).toString('base64') }));

// ---- the page's own state ---------------------------------------------------------

/** What the page says about its state, for a failure's message. */
export function pageState(page) {
  return page.evaluate(() => JSON.stringify({
    ...document.body.dataset, error: document.getElementById('error').textContent,
    runtime: document.getElementById('runtime-info').textContent, load: document.getElementById('load-label').textContent,
    controlled: !!navigator.serviceWorker?.controller,
    loaded: performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname),
  })).catch((e) => `(page unreadable: ${e.message})`);
}

async function explained(page, waiting, what) {
  try {
    return await waiting;
  } catch (e) {
    throw new Error(`${e.message} waiting for ${what}; the page: ${await pageState(page)}; problems: ${page.problems.join(' | ')}`);
  }
}

/** Waits until the page has a model loaded (body[data-state=ready]). */
export function waitReady(page, timeout = 60000) {
  return explained(page, page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout }), 'a model');
}

/** Waits until the page has loaded the model file `file` (e.g. 'squeezenet1_1'). */
export function waitModel(page, file, timeout = 60000) {
  return explained(page, page.waitForFunction((f) => document.body.dataset.state === 'ready' && document.body.dataset.modelFile === f,
    file, { timeout }), `the model ${file}`);
}

/**
 * Picks files through the "Choose photos…" button: the button must open the
 * picker (click the hidden file input), then the files are set on that input.
 */
export async function pickFiles(page, files) {
  await page.$eval('#file-input', (input) => {
    input.dataset.opened = 'no';
    input.addEventListener('click', () => { input.dataset.opened = 'yes'; }, { once: true });
  });
  await page.clickButton(/choose photos/i);
  await page.waitForSelector('#file-input[data-opened=yes]');
  await page.setInputFiles('#file-input', files);
}

/** The result cards (in `container`: the Teach mode has its own) as [{name, status, labels, probabilities, meta}], newest first. */
export function readResults(page, container = '#results') {
  return page.$$eval(`${container} .result`, (cards) => cards.map((c) => ({
    name: c.querySelector('.file-name').textContent,
    status: c.dataset.status,
    labels: [...c.querySelectorAll('.predictions .label')].map((e) => e.textContent),
    probabilities: [...c.querySelectorAll('.predictions .probability')].map((e) => parseFloat(e.textContent) / 100),
    meta: c.querySelector('.meta').textContent,
    metaRole: c.querySelector('.meta').getAttribute('role'),
  })));
}

/** Waits until n cards have finished (done or error). */
export function waitResults(page, n, timeout = 60000) {
  return page.waitForFunction((count) => {
    const cards = document.querySelectorAll('#results .result');
    return cards.length >= count && [...cards].every((c) => c.dataset.status !== 'pending');
  }, n, { timeout });
}

/** Body bytes the server sent, per path, and their sum. */
export function bytesServed(served) {
  const byPath = {};
  for (const r of served) byPath[r.path] = (byPath[r.path] || 0) + r.bytes;
  return { byPath, total: Object.values(byPath).reduce((a, b) => a + b, 0) };
}

// The page's service worker: keeps what the page has used (the page, its
// scripts, the engine's .wasm, the package's workers and each model the
// user has opened) in Cache Storage, so that after one visit the page loads
// and classifies with the network off and the server gone.
// Online, every request still goes to the network first: the server answers
// an unchanged file with 304 (no body), and a changed one is what this visit
// runs and what replaces the kept copy. Only when the network fails is the
// kept copy served. Nothing is fetched ahead: models never opened stay on
// the server, so a first visit downloads hardly more than without this worker.
const VERSION = 1;   // of what is kept and how: a new number drops the old cache
const CACHE = `squeezenet-page-v${VERSION} ${self.registration.scope}`;
const inScope = (url) => url.startsWith(self.registration.scope);
const pending = new Set();   // fetches and cache writes under way (a 'keep' waits for them)
const openedOffline = new Set();   // pages (client ids) served the kept copy: the network had failed

self.addEventListener('install', () => self.skipWaiting());

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('squeezenet-page-v') && name.endsWith(` ${self.registration.scope}`) && name !== CACHE) {
        await caches.delete(name);
      }
    }
    // Control the page that registered this worker at once, so that what
    // it fetches next (engine, model, workers) is kept on its first visit.
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (!inScope(request.url)) return;   // not ours (the CSP keeps the page on its origin anyway)
  if (request.method === 'GET') event.respondWith(networkFirst(event));
});

// The page is kept under its address without the query (?model=…), so that
// any query opens it offline.
function keyOf(request) {
  if (request.mode !== 'navigate') return request.url;
  const url = new URL(request.url);
  url.search = '';
  url.hash = '';
  return url.href;
}

// What the network cannot give and was never kept: an answer, not a network
// error, so that the page (and the browser's console) hear a plain "offline".
const unavailable = () => new Response('offline, and not kept for offline use\n',
  { status: 504, statusText: 'Offline', headers: { 'Content-Type': 'text/plain; charset=utf-8' } });

async function networkFirst(event) {
  const { request } = event;
  const key = keyOf(request);
  let response;
  try {
    response = await fetch(request);
  } catch {
    if (request.mode === 'navigate' && event.resultingClientId) openedOffline.add(event.resultingClientId);
    return (await (await caches.open(CACHE)).match(key, { ignoreVary: true })) ?? unavailable();
  }
  if (response.ok && response.type === 'basic') event.waitUntil(track(store(key, response.clone())));
  return response;
}

// Writes a response unless the same version is already kept (same ETag or
// Last-Modified): a repeat visit rewrites nothing.
async function store(key, response) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(key, { ignoreVary: true });
  const same = (name) => kept && response.headers.get(name) && kept.headers.get(name) === response.headers.get(name);
  if (same('ETag') || same('Last-Modified')) return;
  await cache.put(key, response);
}

function track(promise) {
  const done = promise.catch(() => {}).finally(() => pending.delete(done));   // a full disk only means not kept
  pending.add(done);
  return done;
}

// Messages from the page (web/offline.js), answered on the port they bring:
// { type: 'keep', urls }   keeps these too (what the page fetched before this
//                          worker controlled it); answers { kept, missing }
//                          once every fetch and write under way has finished.
// { type: 'forget', url }  drops a file the page could not use (a model that
//                          did not load), so that it is never served offline.
// { type: 'claim' }        takes control of a page loaded past this worker
//                          (Shift+Reload), which it otherwise would not.
// { type: 'status', urls } answers { offline, kept }: whether this page was
//                          opened from the kept copy (the network failed),
//                          and which of these files are kept.
self.addEventListener('message', (event) => {
  const { type, urls, url } = event.data ?? {};
  const reply = (value) => event.ports[0]?.postMessage(value);
  if (type === 'keep' && Array.isArray(urls)) event.waitUntil(keep(urls.filter(inScope)).then(reply));
  else if (type === 'claim') event.waitUntil(self.clients.claim());
  else if (type === 'status' && Array.isArray(urls)) event.waitUntil(status(event.source?.id, urls).then(reply));
  else if (type === 'forget' && typeof url === 'string' && inScope(url)) {
    event.waitUntil(forget(url).then(() => reply({ forgotten: url })));
  }
});

async function status(clientId, urls) {
  const cache = await caches.open(CACHE);
  const kept = [];
  for (const url of urls) if (await cache.match(url, { ignoreVary: true })) kept.push(url);
  return { offline: openedOffline.has(clientId), kept };
}

async function forget(url) {
  await Promise.all([...pending]);   // a write under way would bring it back
  await (await caches.open(CACHE)).delete(url);
}

async function keep(urls) {
  const cache = await caches.open(CACHE);
  await Promise.all(urls.map((url) => track(keepOne(cache, url))));
  await Promise.all([...pending]);
  const missing = [];
  for (const url of urls) if (!(await cache.match(url, { ignoreVary: true }))) missing.push(url);
  return { kept: urls.length - missing.length, missing };
}

async function keepOne(cache, url) {
  if (await cache.match(url, { ignoreVary: true })) return;
  const response = await fetch(url);
  if (response.ok && response.type === 'basic') await store(url, response);
}

// Offline use: registers the page's service worker (sw.js) and talks to it.
// On a first visit the page does not wait for the worker: it loads the
// engine and the model meanwhile, and hands the worker, once in control,
// everything it fetched before (page, scripts, workers, engine, the model
// opened) to keep; those are fetched again from the browser's HTTP cache,
// which the server answers with 304s, not the bodies. A repeat visit is
// controlled from the start.

const CONTROL_TIMEOUT_MS = 5000;
const REPLY_TIMEOUT_MS = 30000;

/** Registers sw.js; resolves to true once a service worker controls this page, false if none can. */
export async function startOffline() {
  const sw = navigator.serviceWorker;
  if (!sw || !window.isSecureContext) return false;   // service workers need https (or localhost)
  performance.mark('service-worker-wait');
  const registered = sw.register('sw.js');   // next to the page: its scope is the page's folder
  // Controlled already: the registration (queued behind the browser's own
  // check for a new sw.js, a round trip) goes on without holding the page up.
  if (sw.controller) {
    registered.catch(() => {});
    return true;
  }
  try {
    await registered;
  } catch {
    return false;   // refused (private window, blocked by the browser's settings…)
  }
  if (sw.controller) return true;
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, CONTROL_TIMEOUT_MS);
    sw.addEventListener('controllerchange', () => { clearTimeout(timer); resolve(); }, { once: true });
    // A worker already active does not take a page loaded past it (Shift+Reload) unless asked.
    sw.ready.then((registration) => registration.active?.postMessage({ type: 'claim' }));
  });
  performance.measure('service-worker-wait', 'service-worker-wait');
  return !!sw.controller;
}

/** What the document has loaded: page, style, scripts, icons, workers and the engine; not
 *  models (.sqz), which are kept by name once they have opened (keep), never on a failed load. */
function documentResources() {
  const page = new URL(location.href);
  page.search = '';
  page.hash = '';
  const links = [...document.querySelectorAll('link[rel~="icon"], link[rel="manifest"]')].map((l) => l.href);
  const loaded = performance.getEntriesByType('resource')
    .filter((e) => !['xmlhttprequest', 'beacon'].includes(e.initiatorType) && !new URL(e.name).pathname.endsWith('.sqz'))
    .map((e) => e.name);
  return [...new Set([page.href, ...links, ...loaded])];
}

function ask(message) {
  const worker = navigator.serviceWorker?.controller;
  if (!worker) return Promise.resolve(null);
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve(null), REPLY_TIMEOUT_MS);
    channel.port1.onmessage = (event) => { clearTimeout(timer); resolve(event.data); };
    worker.postMessage(message, [channel.port2]);
  });
}

/** Keeps these files and what the document has loaded so far for offline use; true once all
 *  (and everything the worker is fetching) are kept. */
export async function keep(urls) {
  const answer = await ask({ type: 'keep', urls: [...new Set([...documentResources(), ...urls])] });
  return !!answer && answer.missing.length === 0;
}

/** If this page was opened from the kept copy (the network failed), which of these
 *  files are kept (a Set); otherwise null: anything can be fetched. */
export async function keptWhileOffline(urls) {
  const answer = await ask({ type: 'status', urls });
  return answer?.offline ? new Set(answer.kept) : null;
}

/** Drops a kept file the page could not use (a model that failed to load). */
export function forget(url) {
  return ask({ type: 'forget', url });
}

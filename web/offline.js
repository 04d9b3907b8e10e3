// Offline use: registers the page's service worker (sw.js) and talks to it.
// On a first visit the page waits (a few seconds at most) until the worker
// controls it, so that the engine, the model and the package's workers it
// fetches next pass through the worker and are kept; what was fetched before
// (the page and its scripts) is handed to the worker to keep. A repeat visit
// is controlled from the start and does not wait.

const CONTROL_TIMEOUT_MS = 5000;
const REPLY_TIMEOUT_MS = 30000;

/** Registers sw.js; resolves to true once a service worker controls this page, false if none can. */
export async function startOffline() {
  const sw = navigator.serviceWorker;
  if (!sw || !window.isSecureContext) return false;   // service workers need https (or localhost)
  sw.addEventListener('controllerchange', () => keep(documentResources()));
  performance.mark('service-worker-wait');
  try {
    await sw.register('sw.js');   // next to the page: its scope is the page's folder
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

/** What the document itself loaded (page, style, scripts, icons), not its fetch()es: the model
 *  and the engine are kept as they pass through the worker, and nothing else is downloaded. */
function documentResources() {
  const page = new URL(location.href);
  page.search = '';
  page.hash = '';
  const links = [...document.querySelectorAll('link[rel~="icon"], link[rel="manifest"]')].map((l) => l.href);
  const loaded = performance.getEntriesByType('resource')
    .filter((e) => !['fetch', 'xmlhttprequest', 'beacon'].includes(e.initiatorType))
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

/** Keeps these files for offline use; true once they (and everything fetched so far) are kept. */
export async function keep(urls) {
  const answer = await ask({ type: 'keep', urls });
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

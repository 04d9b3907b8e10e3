// The page: pictures in (drop, picker, paste, camera), predictions out.
// All inference goes through the package's classifier with `worker: true`,
// so the engine runs off the main thread and the page stays responsive.
// URL parameters: ?model=NAME picks the first model, ?worker=off compares.
import { load, MODELS as PACKAGE_MODELS, DEFAULT_MODEL } from './src/js/index.js';

// The package's models that the server has are offered, the package's
// default first. Sizes come from the server (HEAD).
const TITLES = {
  default: 'Default',
  squeezenet1_0: 'SqueezeNet 1.0',
  squeezenet1_1: 'SqueezeNet 1.1',
  'squeezenet1_1-compact': 'SqueezeNet 1.1 compact',
  'squeezenet1_1-int8': 'SqueezeNet 1.1 int8',
};
const MODELS = [DEFAULT_MODEL, ...PACKAGE_MODELS.filter((m) => m !== DEFAULT_MODEL)]
  .map((name) => ({ name, title: TITLES[name] ?? name }));
const TOP = 5;
const modelBaseUrl = new URL('models/', document.baseURI).href;
// ?worker=off runs the engine on the main thread (for comparisons only).
const useWorker = new URLSearchParams(location.search).get('worker') !== 'off';

const $ = (id) => document.getElementById(id);
const ui = {
  modelSelect: $('model-select'), modelInfo: $('model-info'), runtimeInfo: $('runtime-info'),
  loadStatus: $('load-status'), loadLabel: $('load-label'), loadProgress: $('load-progress'),
  dropZone: $('drop-zone'), pickButton: $('pick-button'), fileInput: $('file-input'),
  cameraButton: $('camera-button'), cameraSelect: $('camera-select'), cameraSelectLabel: $('camera-select-label'),
  camera: $('camera'), video: $('camera-video'), fps: $('camera-fps'), frameTime: $('camera-time'),
  cameraPredictions: $('camera-predictions'),
  error: $('error'), results: $('results'), clearButton: $('clear-button'), announcer: $('announcer'),
  template: $('result-template'),
};

let classifier = null;       // the loaded classifier, or null while none is
let current = null;          // the model entry of `classifier`: { name, title, bytes }

// One operation at a time on the classifier (loads, files, camera frames), in order.
let queue = Promise.resolve();
function enqueue(task) {
  const run = queue.then(task);
  queue = run.catch(() => {});
  return run;
}

function setState(state) { document.body.dataset.state = state; }

function formatBytes(n) {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} KB`;
  return `${n} bytes`;
}
const percent = (p) => `${(p * 100).toFixed(1)}%`;

function showError(message) {
  ui.error.textContent = message;
  ui.error.hidden = false;
}
function clearError() { ui.error.hidden = true; ui.error.textContent = ''; }

function announce(text) {
  // Re-setting the same text would not be announced again: clear first.
  ui.announcer.textContent = '';
  requestAnimationFrame(() => { ui.announcer.textContent = text; });
}

function describe(error) {
  return error?.message || String(error);
}

// ---- models -----------------------------------------------------------------

async function availableModels() {
  const found = await Promise.all(MODELS.map(async (m) => {
    try {
      const res = await fetch(new URL(`${m.name}.sqz`, modelBaseUrl), { method: 'HEAD' });
      if (!res.ok) return null;
      return { ...m, bytes: Number(res.headers.get('Content-Length')) || 0 };
    } catch { return null; }
  }));
  return found.filter(Boolean);
}

function setProgress(loaded, total) {
  if (total > 0) {
    ui.loadProgress.max = total;
    ui.loadProgress.value = Math.min(loaded, total);
  } else {
    ui.loadProgress.removeAttribute('value');   // indeterminate
  }
}

// Runs inside the queue: files given while a model loads wait for it.
function loadModel(model) {
  return enqueue(async () => {
    setState('loading');
    ui.modelSelect.disabled = true;
    ui.loadStatus.hidden = false;
    ui.loadLabel.textContent = `Loading ${model.title}…`;
    setProgress(0, 0);
    const started = performance.now();
    try {
      const next = await load({ model: model.name, modelBaseUrl, worker: useWorker, onProgress: setProgress });
      classifier?.dispose();
      classifier = next;
      current = model;
      const { info } = next;
      // models/default.sqz is a copy of one of the networks: say which.
      if (model.name === 'default' && info.name) {
        model.title = `Default: ${TITLES[info.name] ?? info.name}`;
        const option = [...ui.modelSelect.options].find((o) => o.value === model.name);
        if (option) option.textContent = `${model.title} (${formatBytes(model.bytes)})`;
      }
      document.body.dataset.model = info.name;        // the network, e.g. squeezenet1_0
      document.body.dataset.modelFile = model.name;   // the file, e.g. default
      ui.modelInfo.textContent = `${info.name || model.title} · ${formatBytes(info.byteSize || model.bytes)} · `
        + `input ${info.inputWidth}×${info.inputHeight} · ${info.numClasses} classes`;
      showRuntime(next, performance.now() - started);
      ui.loadStatus.hidden = true;
      if (!performance.getEntriesByName('model-ready').length) performance.mark('model-ready');
      setState('ready');
    } catch (e) {
      ui.loadLabel.textContent = `Could not load ${model.title}`;
      showError(`Could not load the model ${model.title}: ${describe(e)}`);
      setState(classifier ? 'ready' : 'error');
      if (classifier) ui.loadStatus.hidden = true;
    } finally {
      ui.modelSelect.disabled = false;
      // Show the model actually in use (the old one if the new one failed).
      if (current) ui.modelSelect.value = current.name;
    }
  });
}

function showRuntime(c, loadMs) {
  const threads = c.threads ?? c.info?.threads;
  const parts = [
    `Loaded in ${Math.round(loadMs)} ms`,
    c.worker === false ? 'runs on the main thread' : 'runs in a worker',
    threads > 1 ? `${threads} threads` : 'single-threaded',
    `cross-origin isolated: ${self.crossOriginIsolated ? 'yes' : 'no'}`,
  ];
  ui.runtimeInfo.textContent = parts.join(' · ');
}

// ---- results ----------------------------------------------------------------

function renderPredictions(list, predictions) {
  const items = predictions.map((p) => {
    const li = document.createElement('li');
    const name = document.createElement('span');
    name.className = 'label';
    name.textContent = p.label;
    const value = document.createElement('span');
    value.className = 'probability';
    value.textContent = percent(p.probability);
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.setAttribute('aria-hidden', 'true');
    const fill = document.createElement('span');
    fill.style.width = `${Math.max(0, Math.min(1, p.probability)) * 100}%`;
    bar.append(fill);
    li.append(name, value, bar);
    return li;
  });
  list.replaceChildren(...items);
}

function addCard(name, imageUrl) {
  const card = ui.template.content.firstElementChild.cloneNode(true);
  const img = card.querySelector('img');
  img.alt = name;
  img.src = imageUrl;
  img.addEventListener('error', () => { card.querySelector('.thumb').classList.add('no-preview'); }, { once: true });
  card.querySelector('.file-name').textContent = name;
  card.querySelector('.meta').textContent = 'Waiting…';
  card.dataset.status = 'pending';
  card.dataset.imageUrl = imageUrl;
  ui.results.prepend(card);
  ui.clearButton.hidden = false;
  return card;
}

// Formats the engine decodes itself (same pixels as the reference); others
// (WebP, AVIF…) are decoded by the browser first.
const ENGINE_TYPES = /^(image\/(jpeg|png|bmp|gif|x-portable-(anymap|bitmap|graymap|pixmap))|)$/;

async function classifyFile(file, card) {
  const name = file.name || 'pasted image';
  const started = performance.now();
  try {
    if (!classifier) throw new Error('no model is loaded');
    const input = ENGINE_TYPES.test(file.type) ? file : await browserDecode(file);
    const predictions = await classifier.classify(input, { top: TOP });
    const ms = performance.now() - started;
    renderPredictions(card.querySelector('.predictions'), predictions);
    card.querySelector('.meta').textContent = `${Math.round(ms)} ms · ${current.title}`;
    card.dataset.status = 'done';
    if (!performance.getEntriesByName('first-prediction').length) performance.mark('first-prediction');
    announce(`${name}: ${predictions[0].label}, ${percent(predictions[0].probability)}`);
  } catch (e) {
    card.dataset.status = 'error';
    if (e?.code) card.dataset.errorCode = e.code;
    card.classList.add('failed');
    const meta = card.querySelector('.meta');
    meta.textContent = `Could not read “${name}”: ${describe(e)}`;
    meta.setAttribute('role', 'alert');
  }
}

async function browserDecode(file) {
  try {
    return await createImageBitmap(file);
  } catch {
    throw new Error(`not a picture this browser can decode (${file.type || 'unknown type'})`);
  }
}

function classifyFiles(files) {
  clearError();
  const images = Array.from(files);
  return Promise.all(images.map((file) => {
    const card = addCard(file.name || 'pasted image', URL.createObjectURL(file));
    return enqueue(() => classifyFile(file, card));
  }));
}

function clearResults() {
  for (const card of ui.results.children) URL.revokeObjectURL(card.dataset.imageUrl);
  ui.results.replaceChildren();
  ui.clearButton.hidden = true;
  clearError();
  ui.pickButton.focus();
}

// ---- inputs: picker, drop, paste ------------------------------------------------

ui.pickButton.addEventListener('click', () => ui.fileInput.click());
ui.fileInput.addEventListener('change', () => {
  if (ui.fileInput.files.length) classifyFiles(ui.fileInput.files);
  ui.fileInput.value = '';   // picking the same file again still fires change
});
ui.clearButton.addEventListener('click', clearResults);

let dragDepth = 0;
document.addEventListener('dragenter', (e) => {
  if (!e.dataTransfer?.types.includes('Files')) return;
  dragDepth++;
  ui.dropZone.classList.add('dragging');
});
document.addEventListener('dragleave', () => {
  if (dragDepth > 0 && --dragDepth === 0) ui.dropZone.classList.remove('dragging');
});
document.addEventListener('dragover', (e) => {
  e.preventDefault();   // allow dropping anywhere on the page
  if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
});
document.addEventListener('drop', (e) => {
  e.preventDefault();   // never navigate to the dropped file
  dragDepth = 0;
  ui.dropZone.classList.remove('dragging');
  const files = e.dataTransfer?.files;
  if (files?.length) classifyFiles(files);
  else showError('Only files can be dropped here (a link or text from another page is not a picture file).');
});

document.addEventListener('paste', (e) => {
  const files = Array.from(e.clipboardData?.files ?? []);
  if (!files.length) {
    for (const item of e.clipboardData?.items ?? []) {
      if (item.kind === 'file') files.push(item.getAsFile());
    }
  }
  if (!files.length) return;   // ordinary text paste: leave it alone
  e.preventDefault();
  classifyFiles(files.filter(Boolean));
});

// ---- camera ---------------------------------------------------------------------

let session = null;   // { stream, running, deviceId }

async function startCamera(deviceId) {
  clearError();
  if (!navigator.mediaDevices?.getUserMedia) {
    showError('This browser offers no camera access here (it needs a secure page: https or localhost).');
    return;
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: deviceId ? { deviceId: { exact: deviceId } } : { facingMode: 'environment' },
    });
  } catch (e) {
    const why = {
      NotAllowedError: 'permission was refused',
      NotFoundError: 'no camera was found',
      NotReadableError: 'the camera is in use by another program',
    }[e.name] ?? describe(e);
    showError(`Could not start the camera: ${why}.`);
    return;
  }
  stopCamera({ keepUi: true });
  const track = stream.getVideoTracks()[0];
  session = { stream, running: true, deviceId: track?.getSettings().deviceId };
  ui.video.srcObject = stream;
  ui.camera.hidden = false;
  ui.cameraButton.textContent = 'Stop camera';
  ui.cameraButton.setAttribute('aria-pressed', 'true');
  ui.fps.textContent = '–';
  ui.frameTime.textContent = '–';
  try { await ui.video.play(); } catch { /* autoplay refused: frames still arrive once shown */ }
  await listCameras();
  runCamera(session);
}

function stopCamera({ keepUi = false } = {}) {
  if (session) {
    session.running = false;
    for (const t of session.stream.getTracks()) t.stop();
    session = null;
  }
  if (keepUi) return;
  ui.video.srcObject = null;
  ui.camera.hidden = true;
  ui.cameraButton.textContent = 'Start camera';
  ui.cameraButton.setAttribute('aria-pressed', 'false');
}

async function listCameras() {
  let cameras = [];
  try {
    cameras = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput');
  } catch { /* no list: no switch */ }
  const several = cameras.length > 1;
  ui.cameraSelect.hidden = !several;
  ui.cameraSelectLabel.hidden = !several;
  if (!several) return;
  ui.cameraSelect.replaceChildren(...cameras.map((c, i) => new Option(c.label || `Camera ${i + 1}`, c.deviceId)));
  if (session?.deviceId) ui.cameraSelect.value = session.deviceId;
}

const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));

async function runCamera(s) {
  const times = [];           // completion times of recent frames, for the rate
  let lastSpoken = '', lastSpokenAt = 0;
  while (s.running) {
    if (!classifier || ui.video.readyState < 2 || document.hidden) {
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    const started = performance.now();
    let predictions;
    try {
      predictions = await enqueue(() => (s.running ? classifier.classify(ui.video, { top: TOP }) : null));
    } catch (e) {
      showError(`Camera frame could not be classified: ${describe(e)}`);
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    if (!s.running || !predictions) break;
    const now = performance.now();
    times.push(now);
    while (times.length && now - times[0] > 2000) times.shift();
    if (times.length > 1) ui.fps.textContent = ((times.length - 1) / ((now - times[0]) / 1000)).toFixed(1);
    ui.frameTime.textContent = `${Math.round(now - started)} ms`;
    renderPredictions(ui.cameraPredictions, predictions);
    ui.camera.dataset.frames = String(Number(ui.camera.dataset.frames || 0) + 1);
    // Tell screen readers when the answer changes, not on every frame.
    const top = predictions[0].label;
    if (top !== lastSpoken && now - lastSpokenAt > 2000) {
      announce(`Camera: ${top}`);
      lastSpoken = top;
      lastSpokenAt = now;
    }
    await nextFrame();
  }
}

ui.cameraButton.addEventListener('click', () => (session ? stopCamera() : startCamera()));
ui.cameraSelect.addEventListener('change', () => startCamera(ui.cameraSelect.value));

// ---- start ----------------------------------------------------------------------

async function main() {
  setState('loading');
  // Hold the queue until the model list is known, so that pictures given
  // right away wait for the first model instead of failing.
  let release;
  const gate = new Promise((r) => { release = r; });
  enqueue(() => gate);
  const models = await availableModels();
  release();
  if (!models.length) {
    ui.loadLabel.textContent = 'No model found';
    showError(`No model file was found under ${modelBaseUrl} (run "npm run build").`);
    setState('error');
    return;
  }
  ui.modelSelect.replaceChildren(...models.map((m) => new Option(`${m.title} (${formatBytes(m.bytes)})`, m.name)));
  const wanted = new URLSearchParams(location.search).get('model');
  const first = models.find((m) => m.name === wanted) ?? models[0];
  ui.modelSelect.value = first.name;
  ui.modelSelect.addEventListener('change', () => {
    const m = models.find((x) => x.name === ui.modelSelect.value);
    if (m && m !== current) loadModel(m);
  });
  await loadModel(first);
}

main();

// The Teach mode: the user's own classes, taught on this device. Each class
// gets examples from the camera (hold "Record") or from photos (picked, or
// dropped on the class); the page keeps each example as its embedding (the
// base model's pooled features), retrains a head on them after every change
// and shows predictions with the user's labels for the camera and for test
// photos. "Download model" saves the taught .sqz, "Open model" continues one.
// Classes and examples live in IndexedDB (teach-store.js), per base model.
//
// The page is the source of truth: classes have a stable id here and their
// name is applied when a learner is built, so a rename only retrains. This
// module is loaded on demand (the first time the Teach tab opens).
import { openStore } from './teach-store.js';

const RECORD_INTERVAL_MS = 200;   // camera frames taken per second while Record is held: 5
const RETRAIN_DELAY_MS = 300;     // changes this close together retrain once
const MAX_TEST_PHOTOS = 12;
const TOP = 3;

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r()));
const describe = (e) => e?.message || String(e);

/** An element with attributes (`class`, `text`, the rest as attributes; true: present) and children. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  el.append(...children);
  return el;
}

/** A button-looking label holding a (visually hidden, still focusable) file input. */
function fileButton(text, inputAttrs) {
  const input = h('input', { type: 'file', class: 'visually-hidden', ...inputAttrs });
  return { label: h('label', { class: 'file-button' }, text, input), input };
}

function loadStyles() {
  const href = new URL('teach.css', import.meta.url).href;
  if ([...document.styleSheets].some((s) => s.href === href)) return Promise.resolve();
  const link = h('link', { rel: 'stylesheet', href });
  const loaded = new Promise((resolve) => { link.onload = link.onerror = resolve; });
  document.head.append(link);
  return loaded;
}

/**
 * Builds the Teach mode into `ctx.panel`. `ctx` is the page's:
 *   classifier()            the loaded classifier, or null while one loads
 *   renderPredictions(ol, predictions), decode(file) → an input classify() takes
 *   openCamera(deviceId?)   → MediaStream, or throws an Error whose message a user understands
 *   announce(text)
 * Returns { show(), hide(), modelChanged(), takeFiles(files) }.
 */
export async function openTeach(ctx) {
  await loadStyles();
  const store = await openStore();
  const ui = buildPanel(ctx.panel);

  const state = {
    model: null,       // the base network the classes belong to (info.name)
    classes: [],       // [{ id, name, examples: [{ id, embedding }], card, ... }]
    head: null,        // the bytes of an opened taught model whose classes we continue, or null
    learner: null,     // the trained learner predictions come from, or null
    generation: 0,     // bumped when the base model changes: older work is dropped
  };

  // ---- messages -------------------------------------------------------------------

  function showError(message) {
    ui.error.textContent = message;
    ui.error.hidden = false;
  }
  function clearError() { ui.error.hidden = true; ui.error.textContent = ''; }
  function setStatus(text) { ui.status.textContent = text; }

  // ---- classes ----------------------------------------------------------------------

  const exampleCount = () => state.classes.reduce((n, c) => n + c.examples.length, 0);

  /** Why `name` cannot name a class beside the others (but `self`), or ''. */
  function clashProblem(name, self) {
    if (!name) return 'A class needs a name.';
    const clash = state.classes.find((c) => c !== self && c.name.toLowerCase() === name.toLowerCase());
    return clash ? `There already is a class named “${clash.name}”.` : '';
  }

  /** Why a taught model could not carry `name` as a label (the learner's rules), or ''. */
  async function labelProblem(name) {
    const classifier = ctx.classifier();
    if (!classifier) return '';
    const probe = classifier.learner();
    try {
      // A zero embedding is a valid example: only the label can be refused.
      await probe.add(new Float32Array(classifier.info.embeddingSize), name);
      return '';
    } catch (e) {
      return `This name cannot be used: ${describe(e)}.`;
    }
  }

  function freeName() {
    for (let i = state.classes.length + 1; ; i++) {
      const name = `Class ${i}`;
      if (!clashProblem(name, null)) return name;
    }
  }

  function renderClasses() {
    ui.classes.replaceChildren(...state.classes.map((c) => c.card ?? (c.card = classCard(c))));
    for (const c of state.classes) updateCard(c);
    ui.empty.hidden = state.classes.length > 0;
    updateButtons();
  }

  function updateCard(c) {
    const n = c.examples.length;
    c.ui.count.textContent = c.fromHead && n === 0 ? 'from the opened model' : plural(n, 'example');
    c.ui.photos.setAttribute('aria-label', `Add photos to ${c.name}`);
    c.ui.remove.setAttribute('aria-label', `Remove class ${c.name}`);
    c.card.setAttribute('aria-label', c.name);
    c.card.dataset.examples = String(n);
  }

  function classCard(c) {
    const name = h('input', {
      type: 'text', class: 'class-name', 'aria-label': 'Class name', value: c.name,
      autocomplete: 'off', spellcheck: 'false', enterkeyhint: 'done',
    });
    const problem = h('p', { class: 'field-error', id: `class-${c.id}-problem`, hidden: true });
    const count = h('span', { class: 'count', 'aria-live': 'polite' });
    const record = h('button', {
      type: 'button', class: 'record', 'aria-pressed': 'false', 'aria-describedby': `class-${c.id}-hint`,
    }, 'Record');
    const { label: photosLabel, input: photos } = fileButton('Add photos', { accept: 'image/*', multiple: true });
    const remove = h('button', { type: 'button', class: 'secondary remove' }, 'Remove');
    const card = h('li', { class: 'teach-class', 'data-class-id': String(c.id) },
      h('div', { class: 'class-head' }, name, count),
      problem,
      h('div', { class: 'class-buttons' }, record, photosLabel, remove),
      h('p', { class: 'hint', id: `class-${c.id}-hint` }, 'Hold Record in front of the camera, or drop photos here.'));
    c.ui = { name, problem, count, record, photos, remove };

    const commitName = () => renameClass(c, name.value.trim());
    name.addEventListener('change', commitName);
    name.addEventListener('keydown', (e) => { if (e.key === 'Enter') commitName(); });
    photos.addEventListener('change', () => {
      const files = [...photos.files];
      photos.value = '';
      if (files.length) addPhotos(c, files);
    });
    remove.addEventListener('click', () => removeClass(c));
    holdToRecord(record, c);

    // Photos dropped on a class become its examples (not test photos).
    card.addEventListener('dragover', (e) => {
      if (!e.dataTransfer?.types.includes('Files')) return;
      e.preventDefault();
      card.classList.add('dragging');
    });
    card.addEventListener('dragleave', (e) => { if (!card.contains(e.relatedTarget)) card.classList.remove('dragging'); });
    card.addEventListener('drop', (e) => {
      card.classList.remove('dragging');
      const files = [...(e.dataTransfer?.files ?? [])];
      if (!files.length) return;
      e.preventDefault();
      e.stopPropagation();   // not the page's own drop handling
      addPhotos(c, files);
    });
    return card;
  }

  async function addClass() {
    clearError();
    const gen = state.generation;
    const name = freeName();
    let id;
    try {
      id = await store.addClass(state.model, name);
    } catch (e) {
      showError(`The new class could not be saved: ${describe(e)}`);
      return;
    }
    if (gen !== state.generation) return;
    const c = { id, name, examples: [], fromHead: false };
    state.classes.push(c);
    renderClasses();
    c.ui.name.focus();
    c.ui.name.select();
    ctx.announce(`Added ${name}`);
  }

  async function renameClass(c, name) {
    if (name === c.name) { showNameProblem(c, ''); return; }
    const problem = clashProblem(name, c) || await labelProblem(name);
    if (c.ui.name.value.trim() !== name) return;   // typed on meanwhile: that change decides
    showNameProblem(c, problem);
    if (problem) return;   // the class keeps its name (and its examples) until the field is fixed
    const old = c.name;
    c.name = name;
    updateCard(c);
    try {
      await store.renameClass(c.id, name);
    } catch (e) {
      showError(`The new name could not be saved: ${describe(e)}`);
    }
    ctx.announce(`Renamed ${old} to ${name}`);
    retrainSoon();
  }

  function showNameProblem(c, problem) {
    c.ui.problem.textContent = problem;
    c.ui.problem.hidden = !problem;
    if (problem) {
      c.ui.name.setAttribute('aria-invalid', 'true');
      c.ui.name.setAttribute('aria-describedby', c.ui.problem.id);
    } else {
      c.ui.name.removeAttribute('aria-invalid');
      c.ui.name.removeAttribute('aria-describedby');
    }
  }

  async function removeClass(c) {
    const n = c.examples.length;
    if (n > 0 && !confirm(`Remove the class “${c.name}” and its ${plural(n, 'example')}?`)) return;
    clearError();
    try {
      await store.removeClass(c.id);
    } catch (e) {
      showError(`The class could not be removed: ${describe(e)}`);
      return;
    }
    state.classes = state.classes.filter((x) => x !== c);
    if (recording?.cls === c) stopRecording();
    renderClasses();
    ui.addClass.focus();
    ctx.announce(`Removed ${c.name}`);
    retrainSoon();
  }

  // ---- examples ---------------------------------------------------------------------

  async function embed(input) {
    const classifier = ctx.classifier();
    if (!classifier) throw new Error('the model is still loading');
    return classifier.embed(input, { normalize: false });
  }

  /** A photo's embedding (decoded by the engine, or by the browser for other formats). */
  async function embedFile(file) {
    const input = await ctx.decode(file);
    try {
      return await embed(input);
    } finally {
      input.close?.();   // an ImageBitmap's pixels
    }
  }

  /** Stores embeddings as examples of `c` and shows them. */
  async function addEmbeddings(c, embeddings, gen) {
    const ids = await store.addExamples(state.model, embeddings.map((embedding) => ({ classId: c.id, embedding })));
    if (gen !== state.generation || !state.classes.includes(c)) return;
    ids.forEach((id, i) => c.examples.push({ id, embedding: embeddings[i] }));
    updateCard(c);
    updateButtons();
    retrainSoon();
  }

  async function addPhotos(c, files) {
    clearError();
    const gen = state.generation;
    const embeddings = [], failed = [];
    c.card.classList.add('busy');
    try {
      for (const file of files) {
        try {
          embeddings.push(await embedFile(file));
        } catch (e) {
          failed.push(`“${file.name || 'pasted image'}”: ${describe(e)}`);
        }
        if (gen !== state.generation) return;
      }
    } finally {
      c.card.classList.remove('busy');
    }
    try {
      if (embeddings.length) await addEmbeddings(c, embeddings, gen);
    } catch (e) {
      showError(`The examples could not be saved: ${describe(e)}`);
      return;
    }
    if (failed.length) showError(`Not added to ${c.name}: ${failed.join('; ')}`);
    ctx.announce(`${plural(embeddings.length, 'photo')} added to ${c.name}`);
  }

  // ---- recording: hold "Record" in front of the camera ---------------------------------

  let recording = null;   // { cls, button, timer, busy, added }

  function holdToRecord(button, c) {
    button.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      button.setPointerCapture?.(e.pointerId);
      startRecording(c, button);
    });
    for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) {
      button.addEventListener(type, () => { if (recording?.button === button) stopRecording(); });
    }
    button.addEventListener('contextmenu', (e) => e.preventDefault());   // a long touch is not a menu
    button.addEventListener('keydown', (e) => {
      if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) {
        e.preventDefault();
        startRecording(c, button);
      }
    });
    button.addEventListener('keyup', (e) => {
      if ((e.key === ' ' || e.key === 'Enter') && recording?.button === button) {
        e.preventDefault();
        stopRecording();
      }
    });
    button.addEventListener('blur', () => { if (recording?.button === button) stopRecording(); });
    // A click (pointer or key) comes after the hold has ended: nothing more to do.
    button.addEventListener('click', (e) => e.preventDefault());
  }

  async function startRecording(c, button) {
    if (recording) stopRecording();
    clearError();
    const session = { cls: c, button, timer: 0, busy: false, added: 0, gen: state.generation };
    recording = session;
    button.setAttribute('aria-pressed', 'true');
    c.card.classList.add('recording');
    if (!camera) await startCamera();
    if (recording !== session) return;
    if (!camera) { stopRecording(); return; }
    const grab = async () => {
      if (recording !== session || session.busy || ui.video.readyState < 2) return;
      session.busy = true;
      try {
        // A frame taken while the button was held counts even if it is let go meanwhile.
        await addEmbeddings(c, [await embed(ui.video)], session.gen);
        session.added++;
      } catch (e) {
        showError(`A camera frame could not be added to ${c.name}: ${describe(e)}`);
      } finally {
        session.busy = false;
      }
    };
    session.timer = setInterval(grab, RECORD_INTERVAL_MS);
    grab();
  }

  function stopRecording() {
    const session = recording;
    if (!session) return;
    recording = null;
    clearInterval(session.timer);
    session.button.setAttribute('aria-pressed', 'false');
    session.cls.card?.classList.remove('recording');
    if (session.added) ctx.announce(`${session.cls.name}: ${plural(session.cls.examples.length, 'example')}`);
    retrainSoon();
  }

  // ---- training -----------------------------------------------------------------------

  let retrainTimer = 0;
  let training = null;     // the running training, a Promise
  let again = false;       // a change arrived while training: train once more after

  function retrainSoon() {
    clearTimeout(retrainTimer);
    retrainTimer = setTimeout(() => {
      if (recording) return;   // it retrains when the button is let go
      if (training) { again = true; return; }
      training = retrain().finally(() => {
        training = null;
        if (again) { again = false; retrainSoon(); }
      });
    }, RETRAIN_DELAY_MS);
  }

  /**
   * The opened model's learner while its head still stands for classes
   * without examples: its classes are exactly those the page has from it,
   * under the same names (a rename or removal ends it), and one of them has
   * no examples to train on yet. Else null.
   */
  function openedHead(classifier) {
    const opened = state.classes.filter((c) => c.fromHead);
    if (!state.head || !opened.some((c) => c.examples.length === 0)) return null;
    let learner;
    try {
      learner = classifier.learner(state.head);
    } catch {
      return null;
    }
    const labels = learner.classes.map((c) => c.label);
    const same = labels.length === opened.length && opened.every((c) => labels.includes(c.name));
    return same ? learner : null;
  }

  /**
   * A learner for the page's classes, trained on their examples (classes
   * without any are left out); or the opened model's head while its classes
   * have no examples to train on. The old learner keeps answering until the
   * new one is ready.
   */
  async function retrain() {
    const gen = state.generation;
    const classifier = ctx.classifier();
    if (!classifier) return;
    const head = openedHead(classifier);
    if (head) {
      const waiting = state.classes.filter((c) => c.examples.length === 0).map((c) => c.name);
      setLearner(head);
      setStatus(`Predicting with the opened model. To retrain it, give every class examples (${waiting.join(', ')}: none yet).`);
      return;
    }
    const classes = state.classes.filter((c) => c.examples.length > 0);
    if (classes.length < 2) {
      setLearner(null);
      setStatus(state.classes.length < 2
        ? 'Add at least two classes and give them examples: predictions start then.'
        : 'Give at least two classes examples: predictions start then.');
      return;
    }
    const examples = classes.reduce((n, c) => n + c.examples.length, 0);
    setStatus(`Training on ${plural(examples, 'example')} of ${plural(classes.length, 'class', 'classes')}…`);
    ctx.panel.dataset.training = 'yes';
    try {
      const learner = classifier.learner();
      for (const c of classes) {
        for (const { embedding } of c.examples) await learner.add(embedding, c.name);
      }
      const report = await learner.train();
      if (gen !== state.generation) return;
      setLearner(learner);
      const accuracy = Number.isFinite(report.trainAccuracy) ? ` · training accuracy ${(report.trainAccuracy * 100).toFixed(0)}%` : '';
      const left = state.classes.filter((c) => c.examples.length === 0).map((c) => c.name);
      setStatus(`Trained on ${plural(report.examples, 'example')} of ${plural(report.classes, 'class', 'classes')} `
        + `in ${Math.round(report.ms)} ms${accuracy}.${left.length ? ` Not yet in it (no examples): ${left.join(', ')}.` : ''}`);
      ctx.panel.dataset.trained = String(Number(ctx.panel.dataset.trained || 0) + 1);
    } catch (e) {
      if (gen !== state.generation) return;
      setLearner(null);
      setStatus('Not trained.');
      showError(`Training failed: ${describe(e)}`);
    } finally {
      delete ctx.panel.dataset.training;
    }
  }

  function setLearner(learner) {
    state.learner = learner;
    updateButtons();
    refreshTests();
  }

  // ---- predictions: test photos ---------------------------------------------------------

  const tests = [];   // [{ name, file, url, card, embedding }], newest first

  function addTests(files) {
    clearError();
    for (const file of files) {
      const name = file.name || 'pasted image';
      const url = URL.createObjectURL(file);
      // The Classify mode's result card (index.html's template).
      const card = document.getElementById('result-template').content.firstElementChild.cloneNode(true);
      const img = card.querySelector('img');
      img.alt = name;
      img.src = url;
      img.addEventListener('error', () => card.querySelector('.thumb').classList.add('no-preview'), { once: true });
      card.querySelector('.file-name').textContent = name;
      card.dataset.status = 'pending';
      const test = { name, file, url, card, embedding: null };
      tests.unshift(test);
      ui.tests.prepend(card);
      predictTest(test);
    }
    while (tests.length > MAX_TEST_PHOTOS) {
      const old = tests.pop();
      URL.revokeObjectURL(old.url);
      old.card.remove();
    }
    ui.clearTests.hidden = tests.length === 0;
  }

  async function predictTest(test) {
    const { card } = test;
    const meta = card.querySelector('.meta');
    const learner = state.learner;
    if (!learner) {
      card.dataset.status = 'waiting';
      card.querySelector('.predictions').replaceChildren();
      meta.textContent = 'Predictions start once two classes have examples.';
      return;
    }
    const started = performance.now();
    try {
      // Embedded once: each retrained head then only takes a dot product per class.
      test.embedding ??= await embedFile(test.file);
      const predictions = await learner.classify(test.embedding, { top: Math.min(TOP, learner.classes.length) });
      if (learner !== state.learner) return;   // retrained meanwhile: that run shows it
      ctx.renderPredictions(card.querySelector('.predictions'), predictions);
      meta.textContent = `${Math.round(performance.now() - started)} ms`;
      meta.removeAttribute('role');
      card.dataset.status = 'done';
      card.classList.remove('failed');
      if (test.announce !== false) ctx.announce(`${test.name}: ${predictions[0].label}`);
      test.announce = false;
    } catch (e) {
      card.dataset.status = 'error';
      card.classList.add('failed');
      meta.textContent = `Could not read “${test.name}”: ${describe(e)}`;
      meta.setAttribute('role', 'alert');
    }
  }

  function refreshTests() {
    for (const test of tests) predictTest(test);
  }

  function clearTests() {
    for (const t of tests) URL.revokeObjectURL(t.url);
    tests.length = 0;
    ui.tests.replaceChildren();
    ui.clearTests.hidden = true;
    ui.testInput.focus();
  }

  // ---- camera: live predictions ---------------------------------------------------------

  let camera = null;   // { stream, running }

  async function startCamera() {
    clearError();
    let stream;
    try {
      stream = await ctx.openCamera();
    } catch (e) {
      showError(describe(e));
      return;
    }
    stopCamera({ keepUi: true });
    camera = { stream, running: true };
    ui.video.srcObject = stream;
    ui.camera.hidden = false;
    ui.cameraButton.textContent = 'Stop camera';
    ui.cameraButton.setAttribute('aria-pressed', 'true');
    try { await ui.video.play(); } catch { /* frames still arrive once shown */ }
    if (ui.video.readyState < 2) {
      await new Promise((r) => ui.video.addEventListener('loadeddata', r, { once: true }));
    }
    livePredictions(camera);
  }

  function stopCamera({ keepUi = false } = {}) {
    if (camera) {
      camera.running = false;
      for (const t of camera.stream.getTracks()) t.stop();
      camera = null;
    }
    if (keepUi) return;   // another stream follows
    stopRecording();
    ui.video.srcObject = null;
    ui.camera.hidden = true;
    ui.cameraButton.textContent = 'Start camera';
    ui.cameraButton.setAttribute('aria-pressed', 'false');
  }

  async function livePredictions(session) {
    let lastSpoken = '', lastSpokenAt = 0;
    while (session.running) {
      const learner = state.learner;
      if (!learner || recording || ui.video.readyState < 2 || document.hidden) {
        if (!learner) {
          ui.livePredictions.replaceChildren();
          ui.liveNote.textContent = 'Predictions start once two classes have examples.';
        }
        await sleep(100);
        continue;
      }
      let predictions;
      try {
        predictions = await learner.classify(ui.video, { top: Math.min(TOP, learner.classes.length) });
      } catch (e) {
        if (learner === state.learner && session.running) {
          showError(`A camera frame could not be classified: ${describe(e)}`);
          await sleep(500);
        }
        continue;
      }
      if (!session.running) break;
      if (learner !== state.learner) continue;
      ui.liveNote.textContent = '';
      ctx.renderPredictions(ui.livePredictions, predictions);
      ui.camera.dataset.frames = String(Number(ui.camera.dataset.frames || 0) + 1);
      const top = predictions[0].label;
      if (top !== lastSpoken && performance.now() - lastSpokenAt > 2000) {
        ctx.announce(`Camera: ${top}`);
        lastSpoken = top;
        lastSpokenAt = performance.now();
      }
      await nextFrame();
    }
  }

  // ---- models: download, open, clear ---------------------------------------------------

  async function download() {
    clearError();
    const learner = state.learner;
    if (!learner) return;
    try {
      const bytes = await learner.toModel();
      const n = learner.classes.length;
      const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
      const a = h('a', { href: url, download: `taught-${n}-classes.sqz`, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      ctx.announce(`Downloaded taught-${n}-classes.sqz`);
    } catch (e) {
      showError(`The model could not be made: ${describe(e)}`);
    }
  }

  async function openModel(file) {
    clearError();
    const gen = state.generation;
    const classifier = ctx.classifier();
    if (!classifier) { showError('The model is still loading: open the file again in a moment.'); return; }
    let bytes, learner;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
      learner = classifier.learner(bytes);
    } catch (e) {
      const hint = e?.code === 'ERR_MODEL' && /taught on/.test(e.message)
        ? ' (choose the model it was taught on above, then open it again)' : '';
      showError(`Could not open “${file.name}”: ${describe(e)}${hint}`);
      return;
    }
    const names = learner.classes.map((c) => c.label);
    const had = exampleCount();
    if ((had > 0 || state.classes.length > 0) && !confirm(`Replace your ${plural(state.classes.length, 'class', 'classes')}`
      + ` (${plural(had, 'example')}) with the ${plural(names.length, 'class', 'classes')} of “${file.name}”?`)) {
      return;
    }
    if (gen !== state.generation) return;
    stopRecording();
    let ids;
    try {
      ids = await store.replace(state.model, names.map((name) => ({ name, fromHead: true })), bytes);
    } catch (e) {
      showError(`The opened model could not be saved: ${describe(e)}`);
      return;
    }
    state.head = bytes;
    state.classes = names.map((name, i) => ({ id: ids[i], name, examples: [], fromHead: true }));
    renderClasses();
    setLearner(learner);   // its head predicts at once, no training needed
    setStatus(`Opened “${file.name}”: ${plural(names.length, 'class', 'classes')}.`);
    ctx.announce(`Opened ${file.name}`);
  }

  async function clearAll() {
    const n = exampleCount();
    if (!state.classes.length) return;
    if (!confirm(`Delete all ${plural(state.classes.length, 'class', 'classes')} and ${plural(n, 'example')} `
      + 'you taught? This cannot be undone.')) return;
    clearError();
    try {
      await store.clear(state.model);
    } catch (e) {
      showError(`Could not clear: ${describe(e)}`);
      return;
    }
    stopRecording();
    state.head = null;
    state.classes = [];
    renderClasses();
    setLearner(null);
    setStatus('Add classes to teach the model.');
    ui.addClass.focus();
    ctx.announce('All classes deleted');
  }

  function updateButtons() {
    const ready = !!ctx.classifier() && state.model !== null;
    ui.addClass.disabled = !ready;
    ui.download.disabled = !state.learner;
    ui.clear.disabled = state.classes.length === 0;
    for (const c of state.classes) {
      c.ui.record.disabled = !ready;
      c.ui.photos.disabled = !ready;
    }
  }

  // ---- base model changes ----------------------------------------------------------------

  /** Shows the classes kept for the loaded base model. */
  async function modelChanged() {
    const classifier = ctx.classifier();
    const model = classifier?.info.name ?? null;
    if (model === state.model && classifier === state.classifier) return;
    const gen = ++state.generation;
    clearError();
    stopRecording();
    clearTimeout(retrainTimer);
    state.classifier = classifier;
    state.model = model;
    for (const t of tests) t.embedding = null;   // another network: embedded again
    setLearner(null);
    state.classes = [];
    state.head = null;
    renderClasses();
    if (!model) return;
    let saved;
    try {
      saved = await store.load(model);
    } catch (e) {
      showError(`Your classes could not be read: ${describe(e)}`);
      return;
    }
    if (gen !== state.generation) return;
    const byClass = new Map(saved.classes.map((c) => [c.id, { id: c.id, name: c.name, examples: [], fromHead: !!c.fromHead }]));
    for (const e of saved.examples) byClass.get(e.classId)?.examples.push({ id: e.id, embedding: e.embedding });
    state.classes = [...byClass.values()];
    state.head = saved.head;
    renderClasses();
    ctx.panel.dataset.restored = String(state.classes.length);
    ui.storage.textContent = store.persistent
      ? `Kept on this device for ${model} (IndexedDB).`
      : `Not kept after this page closes: ${store.reason}.`;
    if (state.classes.length) retrain();
    else setStatus('Add classes to teach the model.');
  }

  // ---- wiring -------------------------------------------------------------------------------

  ui.addClass.addEventListener('click', addClass);
  ui.cameraButton.addEventListener('click', () => (camera ? stopCamera() : startCamera()));
  ui.download.addEventListener('click', download);
  ui.clear.addEventListener('click', clearAll);
  ui.clearTests.addEventListener('click', clearTests);
  ui.openInput.addEventListener('change', () => {
    const [file] = ui.openInput.files;
    ui.openInput.value = '';
    if (file) openModel(file);
  });
  ui.testInput.addEventListener('change', () => {
    const files = [...ui.testInput.files];
    ui.testInput.value = '';
    if (files.length) addTests(files);
  });

  await modelChanged();
  return {
    show() { updateButtons(); },
    hide() { stopCamera(); },
    modelChanged,
    /** Photos dropped or pasted anywhere in the Teach mode but on a class: test photos. */
    takeFiles(files) { addTests(files); },
  };
}

function buildPanel(panel) {
  const addClass = h('button', { type: 'button', id: 'teach-add-class' }, 'Add class');
  const cameraButton = h('button', { type: 'button', id: 'teach-camera-button', 'aria-pressed': 'false' }, 'Start camera');
  const { label: openLabel, input: openInput } = fileButton('Open model…', { accept: '.sqz', 'aria-label': 'Open model' });
  const download = h('button', { type: 'button', id: 'teach-download', disabled: true }, 'Download model');
  const clear = h('button', { type: 'button', id: 'teach-clear', class: 'secondary' }, 'Clear all classes');
  const status = h('p', { id: 'teach-status', class: 'teach-status', role: 'status' });
  const error = h('p', { id: 'teach-error', class: 'error', role: 'alert', hidden: true });
  const storage = h('p', { id: 'teach-storage', class: 'muted teach-storage' });
  const empty = h('p', { class: 'teach-empty' }, 'No classes yet: “Add class” makes one.');
  const classes = h('ol', { id: 'teach-classes', class: 'teach-classes', 'aria-label': 'Your classes' });
  const video = h('video', { id: 'teach-video', muted: true, playsinline: true, 'aria-label': 'Camera picture' });
  video.muted = true;
  const livePredictions = h('ol', { id: 'teach-camera-predictions', class: 'predictions' });
  const liveNote = h('p', { class: 'muted' });
  const camera = h('section', { id: 'teach-camera', class: 'teach-camera', 'aria-label': 'Camera', hidden: true },
    video, h('div', { class: 'camera-result' }, h('h3', { text: 'Camera' }), liveNote, livePredictions));
  const { label: testLabel, input: testInput } = fileButton('Choose photos…', { accept: 'image/*', multiple: true, 'aria-label': 'Test photos' });
  const clearTests = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Clear test photos');
  const tests = h('div', { id: 'teach-tests', class: 'results' });
  panel.replaceChildren(
    h('p', { class: 'teach-intro' }, 'Teach the model your own classes: add a class, name it, and give it examples — hold ',
      h('strong', { text: 'Record' }), ' in front of the camera, or drop photos on it. It retrains after every change. '
      + 'Nothing leaves this device.'),
    h('div', { class: 'buttons teach-toolbar' }, addClass, cameraButton, openLabel, download, clear),
    status, error, storage,
    h('div', { class: 'teach-layout' },
      h('div', { class: 'teach-classes-column' }, empty, classes),
      h('div', { class: 'teach-side' }, camera,
        h('section', { id: 'teach-try', class: 'drop-zone teach-try', 'aria-label': 'Try it' },
          h('p', { text: 'Try it: drop photos here (or anywhere but on a class), or' }),
          h('div', { class: 'buttons' }, testLabel, clearTests)),
        tests)));
  return {
    addClass, cameraButton, openInput, download, clear, status, error, storage, empty, classes,
    camera, video, livePredictions, liveNote, testInput, clearTests, tests,
  };
}

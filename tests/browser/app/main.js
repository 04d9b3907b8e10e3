// What a web developer writes: import the package by name, load, classify.
// The photo's URL comes from the page's query string (?photo=...); ?cache
// loads with { cache: true }.
import { load, createWorkerClassifier } from 'squeezenet-wasm';

const params = new URLSearchParams(location.search);
const photoUrl = params.get('photo');
const cache = params.has('cache');
const img = document.getElementById('photo');

async function main() {
  const started = performance.now();
  const progress = [];
  const classifier = await load({ cache, onProgress: (loaded, total) => progress.push([loaded, total]) });
  const { threads } = classifier.info;
  img.src = photoUrl;
  const [best] = await classifier.classify(img);
  const firstResultMs = performance.now() - started;
  document.getElementById('label').textContent = best.label;

  // Every other browser input kind, read at full resolution, must agree.
  await img.decode();
  const w = img.naturalWidth, h = img.naturalHeight;
  const canvas = document.createElement('canvas');
  canvas.width = w; canvas.height = h;
  canvas.getContext('2d').drawImage(img, 0, 0);
  const offscreen = new OffscreenCanvas(w, h);
  offscreen.getContext('2d').drawImage(img, 0, 0);
  const blob = await (await fetch(photoUrl)).blob();
  const inputs = {
    HTMLCanvasElement: canvas,
    OffscreenCanvas: offscreen,
    ImageBitmap: await createImageBitmap(img),
    ImageData: canvas.getContext('2d').getImageData(0, 0, w, h),
    Blob: blob,
    Uint8Array: new Uint8Array(await blob.arrayBuffer()),
    HTMLVideoElement: await videoOf(canvas),
  };
  const kinds = {};
  for (const [kind, input] of Object.entries(inputs)) {
    try {
      kinds[kind] = (await classifier.classify(input, { top: 1 }))[0].label;
    } catch (e) {
      kinds[kind] = `${e.name}: ${e.message}`;
    }
  }
  stopVideo();
  let imageError;
  try { await classifier.classify(new Uint8Array([1, 2, 3])); } catch (e) { imageError = { name: e.name, code: e.code }; }

  const worker = await createWorkerClassifier({ cache });
  const workerResults = await Promise.all([worker.classify(img, { top: 1 }), worker.classify(blob, { top: 1 })]);
  worker.dispose();
  classifier.dispose();

  const details = {
    label: best.label, probability: best.probability, firstResultMs, info: { ...classifier_info(classifier) },
    kinds, imageError, workerLabels: workerResults.map((r) => r[0].label), progress: progress.at(-1),
    photoSize: [w, h], threads, crossOriginIsolated: self.crossOriginIsolated,
  };
  document.getElementById('details').textContent = JSON.stringify(details);
  document.body.dataset.done = 'yes';
}

function classifier_info(c) {
  try { return c.info; } catch (e) { return { afterDispose: e.code }; }
}

// A <video> playing a canvas's stream, whose frames are the photo at its own size.
// The canvas is redrawn while the stream runs, since a stream only sends frames that change.
async function videoOf(canvas) {
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = canvas.captureStream();
  const ctx = canvas.getContext('2d');
  const redraw = setInterval(() => ctx.drawImage(img, 0, 0), 30);
  await video.play();
  while (video.readyState < 2 || video.videoWidth === 0) await new Promise((r) => setTimeout(r, 20));
  video.addEventListener('emptied', () => clearInterval(redraw));
  stopVideo = () => { clearInterval(redraw); video.pause(); video.srcObject = null; };
  return video;
}
let stopVideo = () => {};

main().catch((e) => {
  document.getElementById('details').textContent = JSON.stringify({ error: `${e.name}: ${e.message}` });
  document.body.dataset.done = 'error';
});

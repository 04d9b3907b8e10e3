// Compiled with `tsc --noEmit` by tests/node/types.test.js: how an app uses
// the package, through its own name and `exports` map. The @ts-expect-error
// lines must fail to type-check, or tsc reports them as unused.
import {
  load, createWorkerClassifier, MODELS, DEFAULT_MODEL,
  SqueezeNetError, ArgumentError, ImageError, ModelError, FetchError, DisposedError, WorkerError,
  type Classifier, type Prediction, type ModelInfo, type LoadOptions, type ErrorCode, type Heatmap,
  type Learner, type TrainReport, type LearnerClass,
} from 'squeezenet-wasm';

async function browserApp(img: HTMLImageElement, video: HTMLVideoElement, file: File): Promise<string> {
  const options: LoadOptions = {
    model: 'squeezenet1_1',
    wasmUrl: new URL('https://cdn.example/squeezenet.wasm'),
    modelBaseUrl: '/models/',
    onProgress: (loaded: number, total: number) => console.log(loaded / total),
  };
  const classifier: Classifier = await load(options);
  const fromImage: Prediction[] = await classifier.classify(img, { top: 3 });
  await classifier.classify(video);
  await classifier.classify(file, { orientation: 'ignore' });
  const [seen] = await classifier.classify(img, { heatmaps: true, minProbability: 0.1, allow: ['tabby', 281], deny: [0] });
  const map: Heatmap | undefined = seen.heatmap;
  if (map) console.log(map.data[0] + map.width * map.height + map.region.x + map.ring.cells);
  // @ts-expect-error: allow takes labels or indices
  await classifier.classify(img, { allow: [true] });
  await classifier.classify(new ImageData(2, 2));
  await classifier.classify(new OffscreenCanvas(4, 4));
  await classifier.classify({ data: new Uint8Array(12), width: 2, height: 2, channels: 3 });
  const info: ModelInfo = classifier.info;
  const n: number = info.numClasses + info.inputWidth + info.inputHeight + info.byteSize;
  const label: string = info.labels[fromImage[0].index];
  classifier.dispose();
  return `${label} ${n} ${fromImage[0].probability.toFixed(2)}`;
}

async function nodeApp(bytes: Uint8Array, buffer: ArrayBuffer): Promise<void> {
  const worker = await createWorkerClassifier({ model: bytes });
  const other = await load({ model: buffer, worker: true, cache: true });
  try {
    await worker.classify(bytes);
  } catch (e) {
    if (e instanceof SqueezeNetError) {
      const code: ErrorCode | string = e.code;
      console.log(code, e.message);
    }
    if (e instanceof ImageError) { const c: 'ERR_IMAGE' = e.code; console.log(c); }
    if (e instanceof ModelError || e instanceof ArgumentError || e instanceof FetchError ||
        e instanceof DisposedError || e instanceof WorkerError) console.log(e.code);
  }
  other.dispose();
  const scalar = await load({ simd: false, scalarWasmUrl: '/assets/squeezenet-scalar.wasm' });
  const simd: boolean = scalar.info.simd;
  const names: readonly string[] = MODELS;
  const d: 'default' = DEFAULT_MODEL;
  console.log(names, d, simd);
}

async function teach(classifier: Classifier, photo: Blob, saved: Uint8Array): Promise<Uint8Array> {
  const embedding: Float32Array = await classifier.embed(photo, { normalize: false });
  const size: number = classifier.info.embeddingSize;
  console.log(embedding.length === size);
  const learner: Learner = classifier.learner();
  await learner.add(photo, 'shoes');
  await learner.add(photo, 'hats', { orientation: 'ignore' });
  learner.remove('hats');
  const classes: LearnerClass[] = learner.classes;
  const report: TrainReport = await learner.train();
  const best: Prediction[] = await learner.classify(photo, { top: 1 });
  console.log(classes[0].label, classes[0].examples, report.trainAccuracy, report.ms, best[0].label);
  learner.clear();
  classifier.learner(saved.buffer as ArrayBuffer);
  return classifier.learner(saved).toModel();
}

async function mistakes(classifier: Classifier): Promise<void> {
  // @ts-expect-error: a label is a string
  await classifier.learner().add(new Uint8Array(1), 3);
  // @ts-expect-error: normalize is a boolean
  await classifier.embed(new Uint8Array(1), { normalize: 'yes' });
  // @ts-expect-error: classes is read-only
  classifier.learner().classes = [];
  // @ts-expect-error: top is a number
  await classifier.classify(new Uint8Array(1), { top: '5' });
  // @ts-expect-error: orientation is 'apply' or 'ignore'
  await classifier.classify(new Uint8Array(1), { orientation: 'auto' });
  // @ts-expect-error: a string is not an image
  await classifier.classify('cat.jpg');
  // @ts-expect-error: the model is a name, URL or bytes
  await load({ model: 42 });
  // @ts-expect-error: cache is true or false
  await load({ cache: 'yes' });
  // @ts-expect-error: info is read-only
  classifier.info = classifier.info;
  // @ts-expect-error: results are typed
  const s: string = (await classifier.classify(new Uint8Array(1)))[0].probability;
  console.log(s);
}

export { browserApp, nodeApp, teach, mistakes };

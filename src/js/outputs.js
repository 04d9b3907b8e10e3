// classify()'s output options: `heatmaps` and the output controls
// (`minProbability`, `allow`, `deny`, as MediaPipe's classifiers have them).
// They are checked here and labels become class indices; the filtering itself
// is the engine's (sqz_top_k_filtered), one definition for the package and
// both CLIs.
import { ArgumentError } from './errors.js';

export const OUTPUT_OPTIONS = ['heatmaps', 'minProbability', 'allow', 'deny'];

function show(value) {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

const indexByLabel = new WeakMap(); // labels array → Map(label → [class indices]): labels may repeat ("crane")

function labelIndex(labels) {
  let map = indexByLabel.get(labels);
  if (!map) {
    map = new Map();
    labels.forEach((label, i) => map.set(label, [...(map.get(label) ?? []), i]));
    indexByLabel.set(labels, map);
  }
  return map;
}

/** A list of labels and class indices → class indices; `name` is the option's, for errors. */
export function classIndices(list, name, labels) {
  if (!Array.isArray(list)) {
    throw new ArgumentError(`${name} must be an array of labels or class indices, not ${show(list)}`);
  }
  const indices = [];
  for (const item of list) {
    if (typeof item === 'number') {
      if (!Number.isInteger(item)) {
        throw new ArgumentError(`${name}: ${item} is not a class index (a whole number from 0 to ${labels.length - 1})`);
      }
      if (item < 0 || item >= labels.length) {
        throw new ArgumentError(`${name}: class index ${item} is out of range (0 to ${labels.length - 1})`);
      }
      indices.push(item);
    } else if (typeof item === 'string') {
      const found = labelIndex(labels).get(item);
      if (!found) throw new ArgumentError(`${name}: unknown label '${item}'`);
      indices.push(...found);
    } else {
      throw new ArgumentError(`${name}: ${show(item)} is neither a label nor a class index`);
    }
  }
  return indices;
}

/**
 * Checks the output options of classify() for a model with `labels`;
 * returns { heatmaps, filter: { minProbability, allow, deny } } with class
 * indices. An empty `allow` lets every class through, as MediaPipe's.
 */
export function outputOptions(options, labels) {
  const { heatmaps = false, minProbability = 0, allow = [], deny = [] } = options;
  if (typeof heatmaps !== 'boolean') throw new ArgumentError(`heatmaps must be true or false, not ${show(heatmaps)}`);
  if (typeof minProbability !== 'number' || !(minProbability >= 0 && minProbability <= 1)) {
    throw new ArgumentError(`minProbability must be a number from 0 to 1, not ${show(minProbability)}`);
  }
  return {
    heatmaps,
    filter: { minProbability, allow: classIndices(allow, 'allow', labels), deny: classIndices(deny, 'deny', labels) },
  };
}

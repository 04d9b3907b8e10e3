// Checking what callers pass: the reasons name the call, the value and what is allowed.
import { ArgumentError } from './errors.js';

/** A value as a reason names it: 'null', 'an array', 'number', or a string quoted. */
export function describeValue(value) {
  if (typeof value === 'string') return `'${value}'`;
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

/** Checks an options object against the names allowed; `what` names the call ('classify()'). */
export function checkCallOptions(options, allowed, example, what) {
  if (options === null || typeof options !== 'object') {
    throw new ArgumentError(`${what} options must be an object like ${example}, not ${describeValue(options)}`);
  }
  const unknown = Object.keys(options).filter((key) => !allowed.includes(key));
  if (unknown.length) {
    throw new ArgumentError(`unknown ${what} option '${unknown[0]}' (the options are ${allowed.join(', ')})`);
  }
}

// 'apply': an encoded JPEG's or PNG's EXIF orientation turns it upright (as
// browsers show it); 'ignore': its pixels as stored.
const ORIENTATIONS = ['apply', 'ignore'];

export function checkOrientation(orientation) {
  if (!ORIENTATIONS.includes(orientation)) {
    throw new ArgumentError(`orientation must be 'apply' or 'ignore', not ${describeValue(orientation)}`);
  }
}

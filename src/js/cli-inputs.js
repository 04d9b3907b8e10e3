// What a CLI run classifies, in order — the twin of src/tools/inputs.c, which
// the native CLI uses; both give the same sequence. FILE arguments (a folder
// is walked recursively: its images, names in byte order, hidden entries
// skipped) and lists of paths (--files-from LIST, '-' for standard input),
// read as they are consumed so a pipe can feed a run already started.
// Paths are bytes (Buffer) throughout, so any file name works.
import { open, readdir, stat } from 'node:fs/promises';

const IMAGE_EXTENSIONS = new Set(['jpg', 'jpeg', 'png', 'bmp', 'gif', 'pnm', 'ppm', 'pgm']);
const DOT = 0x2e, SLASH = 0x2f, NEWLINE = 0x0a, RETURN = 0x0d;

export const LOOP_NOTE = 'a link to a folder it is inside: skipped (loop)';

/** Whether a file name (bytes or string) has an image extension, in any case. */
export function isImageName(name) {
  const s = Buffer.from(name).toString('latin1');
  const dot = s.lastIndexOf('.');
  return dot > 0 && IMAGE_EXTENSIONS.has(s.slice(dot + 1).toLowerCase());
}

const join = (dir, name) =>
  Buffer.concat(dir.length && dir[dir.length - 1] === SLASH ? [dir, name] : [dir, Buffer.from('/'), name]);

const text = (...parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));

/**
 * The inputs, as { kind: 'file', path } | { kind: 'error', path, message } (output, exit status 1)
 * | { kind: 'note', path, message } (standard error, nothing lost). `reason(code)` words an
 * error code; `lists` maps a list source to its stream of bytes.
 */
export async function* inputsOf(sources, { reason, lists }) {
  const failure = (path, what, e) => ({ kind: 'error', path, message: text(path, `: ${what} (${reason(e.code)})`) });

  async function* walk(dir, st, ancestors) {
    if (ancestors.some((a) => a.dev === st.dev && a.ino === st.ino)) {
      yield { kind: 'note', path: dir, message: Buffer.from(LOOP_NOTE) };
      return;
    }
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
    } catch (e) {
      yield failure(dir, 'cannot read folder', e);
      return;
    }
    const here = [...ancestors, st];
    entries = entries.filter((e) => e.name[0] !== DOT).sort((a, b) => Buffer.compare(a.name, b.name));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const image = isImageName(entry.name);
      if (entry.isFile()) {
        if (image) yield { kind: 'file', path };
        continue;
      }
      if (!entry.isDirectory() && !entry.isSymbolicLink()) continue; // devices, pipes, sockets
      let sub;
      try {
        sub = await stat(path, { bigint: true });
      } catch (e) {
        // A dangling link named like an image is an image the user will miss: say so.
        if (image) yield failure(path, 'cannot open', e);
        continue;
      }
      if (sub.isDirectory()) yield* walk(path, sub, here);
      else if (sub.isFile() && image) yield { kind: 'file', path };
    }
  }

  async function* pathInput(path) {
    let st = null;
    try { st = await stat(path, { bigint: true }); } catch { /* tried as a file: its error says why */ }
    if (st?.isDirectory()) yield* walk(path, st, []);
    else yield { kind: 'file', path };
  }

  // One path per line ('\n' or '\r\n'); empty lines skipped.
  async function* listInputs(stream) {
    let pending = Buffer.alloc(0);
    const line = async function* (bytes) {
      let end = bytes.length;
      if (end && bytes[end - 1] === RETURN) end--;
      if (end === 0) return;
      const l = bytes.subarray(0, end);
      const nul = l.indexOf(0);
      if (nul >= 0) yield { kind: 'error', path: l.subarray(0, nul), message: Buffer.from('a list line holds a NUL byte') };
      else yield* pathInput(Buffer.from(l));
    };
    for await (const chunk of stream) {
      let data = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let start = 0;
      for (let nl = data.indexOf(NEWLINE); nl >= 0; nl = data.indexOf(NEWLINE, start)) {
        yield* line(data.subarray(start, nl));
        start = nl + 1;
      }
      pending = Buffer.from(data.subarray(start));
    }
    yield* line(pending);
  }

  for (const source of sources) {
    if (source.list) yield* listInputs(lists(source));
    else yield* pathInput(source.path);
  }
}

/** Opens every list (a FileHandle, or standard input for '-'); throws a message naming the list. */
export async function openLists(sources, reason) {
  for (const source of sources) {
    if (!source.list) continue;
    if (source.path.equals(Buffer.from('-'))) {
      source.stream = process.stdin;
      continue;
    }
    try {
      source.handle = await open(source.path, 'r');
    } catch (e) {
      throw new Error(`${source.path.toString()}: cannot open the list (${reason(e.code)})`);
    }
    source.stream = source.handle.createReadStream();
  }
}

export async function closeLists(sources) {
  for (const source of sources) await source.handle?.close().catch(() => {});
}

/**
 * How many inputs (files and errors) a run will give, by a walk of its own;
 * -1 if not known beforehand (a list from a pipe) or if `stop()` became true.
 */
export async function countInputs(sources, reason, stop) {
  for (const s of sources) {
    if (!s.list) continue;
    if (s.path.equals(Buffer.from('-'))) return -1;
    const st = await stat(s.path).catch(() => null);
    if (!st?.isFile()) return -1; // a list is read again by name, which only a regular file allows
  }
  const handles = [];
  try {
    let n = 0;
    const lists = (s) => {
      const stream = open(s.path, 'r').then((h) => (handles.push(h), h.createReadStream()));
      return (async function* () { yield* await stream; })();
    };
    for await (const input of inputsOf(sources, { reason, lists })) {
      if (stop()) return -1;
      if (input.kind !== 'note') n++;
    }
    return n;
  } catch {
    return -1;
  } finally {
    for (const h of handles) await h.close().catch(() => {});
  }
}

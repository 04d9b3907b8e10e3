// Where the Teach mode keeps what the user taught: IndexedDB, on this device
// only. Per base model (embeddings differ between networks):
//   classes  { id, model, name, fromHead, created }   fromHead: a class of the opened model below
//   examples { id, model, classId, embedding: Float32Array }   (the pooled features, 2 KB)
//   heads    { model, bytes: Uint8Array }   a taught model the user opened: its classes start from its head
// If IndexedDB cannot be opened (some private modes), a store in memory
// takes its place and `persistent` says so.

const DB_NAME = 'squeezenet-wasm-teach';
const DB_VERSION = 1;

const done = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

const finished = (tx) => new Promise((resolve, reject) => {
  tx.oncomplete = () => resolve();
  tx.onerror = () => reject(tx.error);
  tx.onabort = () => reject(tx.error ?? new Error('the database transaction was aborted'));
});

function openDatabase() {
  const request = indexedDB.open(DB_NAME, DB_VERSION);
  request.onupgradeneeded = () => {
    const db = request.result;
    const classes = db.createObjectStore('classes', { keyPath: 'id', autoIncrement: true });
    classes.createIndex('model', 'model');
    const examples = db.createObjectStore('examples', { keyPath: 'id', autoIncrement: true });
    examples.createIndex('model', 'model');
    examples.createIndex('classId', 'classId');
    db.createObjectStore('heads', { keyPath: 'model' });
  };
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error('the database is held open by an older version of this page in another tab'));
  });
}

/** Deletes every record of `store` whose `index` equals `key`, inside `tx`. */
function deleteWhere(tx, store, index, key) {
  const source = tx.objectStore(store).index(index);
  return new Promise((resolve, reject) => {
    const cursor = source.openKeyCursor(IDBKeyRange.only(key));
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (!c) { resolve(); return; }
      tx.objectStore(store).delete(c.primaryKey);
      c.continue();
    };
    cursor.onerror = () => reject(cursor.error);
  });
}

class DatabaseStore {
  persistent = true;
  #db;
  constructor(db) { this.#db = db; }

  async load(model) {
    const tx = this.#db.transaction(['classes', 'examples', 'heads'], 'readonly');
    const [classes, examples, head] = await Promise.all([
      done(tx.objectStore('classes').index('model').getAll(model)),
      done(tx.objectStore('examples').index('model').getAll(model)),
      done(tx.objectStore('heads').get(model)),
    ]);
    classes.sort((a, b) => a.id - b.id);
    return { classes, examples, head: head?.bytes ?? null };
  }

  async addClass(model, name) {
    const tx = this.#db.transaction('classes', 'readwrite');
    const id = await done(tx.objectStore('classes').add({ model, name, fromHead: false, created: Date.now() }));
    await finished(tx);
    return id;
  }

  async renameClass(id, name) {
    const tx = this.#db.transaction('classes', 'readwrite');
    const store = tx.objectStore('classes');
    const record = await done(store.get(id));
    if (record) store.put({ ...record, name });
    await finished(tx);
  }

  async removeClass(id) {
    const tx = this.#db.transaction(['classes', 'examples'], 'readwrite');
    tx.objectStore('classes').delete(id);
    await deleteWhere(tx, 'examples', 'classId', id);
    await finished(tx);
  }

  /** Adds the examples [{ classId, embedding }] of `model`; resolves to their ids. */
  async addExamples(model, list) {
    const tx = this.#db.transaction('examples', 'readwrite');
    const store = tx.objectStore('examples');
    const ids = await Promise.all(list.map(({ classId, embedding }) => done(store.add({ model, classId, embedding }))));
    await finished(tx);
    return ids;
  }

  /** Replaces everything of `model` with `classes` ([{ name, fromHead }]) and `head`; resolves to the classes' ids. */
  async replace(model, classes, head) {
    const tx = this.#db.transaction(['classes', 'examples', 'heads'], 'readwrite');
    await deleteWhere(tx, 'examples', 'model', model);
    await deleteWhere(tx, 'classes', 'model', model);
    const heads = tx.objectStore('heads');
    if (head) heads.put({ model, bytes: head });
    else heads.delete(model);
    const store = tx.objectStore('classes');
    const now = Date.now();
    const ids = await Promise.all(classes.map(({ name, fromHead }) => done(store.add({ model, name, fromHead, created: now }))));
    await finished(tx);
    return ids;
  }

  clear(model) { return this.replace(model, [], null); }
}

/** The same interface in memory, for browsers that refuse IndexedDB. */
class MemoryStore {
  persistent = false;
  #classes = new Map();
  #examples = new Map();
  #heads = new Map();
  #next = 1;

  async load(model) {
    const classes = [...this.#classes.values()].filter((c) => c.model === model);
    const examples = [...this.#examples.values()].filter((e) => e.model === model);
    return { classes, examples, head: this.#heads.get(model) ?? null };
  }

  async addClass(model, name, fromHead = false) {
    const id = this.#next++;
    this.#classes.set(id, { id, model, name, fromHead, created: Date.now() });
    return id;
  }

  async renameClass(id, name) {
    const c = this.#classes.get(id);
    if (c) c.name = name;
  }

  async removeClass(id) {
    this.#classes.delete(id);
    for (const [key, e] of this.#examples) if (e.classId === id) this.#examples.delete(key);
  }

  async addExamples(model, list) {
    return list.map(({ classId, embedding }) => {
      const id = this.#next++;
      this.#examples.set(id, { id, model, classId, embedding });
      return id;
    });
  }

  async replace(model, classes, head) {
    for (const [key, e] of this.#examples) if (e.model === model) this.#examples.delete(key);
    for (const [key, c] of this.#classes) if (c.model === model) this.#classes.delete(key);
    if (head) this.#heads.set(model, head);
    else this.#heads.delete(model);
    const ids = [];
    for (const { name, fromHead } of classes) ids.push(await this.addClass(model, name, fromHead));
    return ids;
  }

  clear(model) { return this.replace(model, [], null); }
}

/** The store: IndexedDB, or memory with `reason` saying why not. */
export async function openStore() {
  try {
    if (typeof indexedDB === 'undefined') throw new Error('this browser offers no IndexedDB here');
    return new DatabaseStore(await openDatabase());
  } catch (e) {
    const store = new MemoryStore();
    store.reason = e?.message || String(e);
    return store;
  }
}

/**
 * A tiny IndexedDB key-value store shared by the page and the service worker.
 *
 * Store "kv" holds cached API reads ({data, savedAt}) and the CSRF token the service worker
 * needs to post notification actions; store "queue" holds writes made while offline.
 */

const DB_NAME = "interlude";
const DB_VERSION = 1;
export const KV = "kv";
export const QUEUE = "queue";

let opening: Promise<IDBDatabase> | null = null;

function open(): Promise<IDBDatabase> {
  if (opening) return opening;
  opening = new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(KV)) db.createObjectStore(KV);
      if (!db.objectStoreNames.contains(QUEUE)) {
        db.createObjectStore(QUEUE, { keyPath: "id", autoIncrement: true });
      }
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => {
      opening = null;
      reject(request.error);
    };
  });
  return opening;
}

function run<T>(
  store: string,
  mode: IDBTransactionMode,
  action: (s: IDBObjectStore) => IDBRequest,
): Promise<T> {
  return open().then(
    (db) =>
      new Promise<T>((resolve, reject) => {
        const tx = db.transaction(store, mode);
        const request = action(tx.objectStore(store));
        tx.oncomplete = () => resolve(request.result as T);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      }),
  );
}

export function idbGet<T>(key: string, store = KV): Promise<T | undefined> {
  return run<T | undefined>(store, "readonly", (s) => s.get(key));
}

export function idbSet(key: string, value: unknown, store = KV): Promise<void> {
  return run<unknown>(store, "readwrite", (s) => s.put(value, key)).then(() => undefined);
}

export function idbDelete(key: IDBValidKey, store = KV): Promise<void> {
  return run<unknown>(store, "readwrite", (s) => s.delete(key)).then(() => undefined);
}

export function idbAdd(value: unknown, store = QUEUE): Promise<IDBValidKey> {
  return run<IDBValidKey>(store, "readwrite", (s) => s.add(value));
}

export function idbAll<T>(store = QUEUE): Promise<T[]> {
  return run<T[]>(store, "readonly", (s) => s.getAll());
}

export function idbClear(store: string): Promise<void> {
  return run<unknown>(store, "readwrite", (s) => s.clear()).then(() => undefined);
}

/** For tests: forget the open connection so a fresh fake IndexedDB can be used. */
export function resetIdbForTests(): void {
  opening = null;
}

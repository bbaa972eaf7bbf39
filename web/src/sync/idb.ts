import type { Entry, Flight, OutboxStore, Scope, Snapshot, Write } from './outbox';

const dbName = 'patholabel-outbox';
const dbVersion = 1;

type EntryRecord = Entry & Scope;
type FlightRecord = Flight & Scope;

/**
 * IndexedDBOutboxStore keeps the outbox in IndexedDB, which every current
 * browser has and which survives reloads and crashes. Each Write is one
 * readwrite transaction over both stores, so a flight and the entries it
 * was made from never disagree on disk.
 */
export class IndexedDBOutboxStore implements OutboxStore {
  private db: Promise<IDBDatabase> | null = null;

  constructor(private readonly factory: IDBFactory = indexedDB) {}

  async load(scope: Scope): Promise<Snapshot> {
    const db = await this.open();
    const tx = db.transaction(['entries', 'flights'], 'readonly');
    const range = IDBKeyRange.bound([scope.user, scope.slide, ''], [scope.user, scope.slide, '\uffff']);
    const [entries, flight] = await Promise.all([
      request<EntryRecord[]>(tx.objectStore('entries').getAll(range)),
      request<FlightRecord | undefined>(tx.objectStore('flights').get([scope.user, scope.slide])),
    ]);
    return { entries: entries.map(strip), flight: flight === undefined ? null : strip(flight) };
  }

  async write(scope: Scope, w: Write): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(['entries', 'flights'], 'readwrite');
    const entries = tx.objectStore('entries');
    for (const ref of w.remove ?? []) entries.delete([scope.user, scope.slide, ref]);
    for (const e of w.put ?? []) entries.put({ ...e, ...scope });
    if (w.flight === null) tx.objectStore('flights').delete([scope.user, scope.slide]);
    else if (w.flight !== undefined) tx.objectStore('flights').put({ ...w.flight, ...scope });
    await done(tx);
  }

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise((resolve, reject) => {
      const req = this.factory.open(dbName, dbVersion);
      req.onupgradeneeded = () => {
        const db = req.result;
        db.createObjectStore('entries', { keyPath: ['user', 'slide', 'ref'] });
        db.createObjectStore('flights', { keyPath: ['user', 'slide'] });
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(new Error(`open the browser outbox: ${String(req.error)}`));
      req.onblocked = () => reject(new Error('open the browser outbox: blocked by another tab on an older version'));
    });
    return this.db;
  }
}

function strip<T extends Scope>(r: T): Omit<T, keyof Scope> {
  const { user: _u, slide: _s, ...rest } = r;
  return rest;
}

function request<T>(req: IDBRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result as T);
    req.onerror = () => reject(new Error(`read the browser outbox: ${String(req.error)}`));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(new Error(`write the browser outbox: ${String(tx.error)}`));
    tx.onabort = () => reject(new Error(`write the browser outbox: aborted (${String(tx.error)})`));
  });
}

import type { Entry, Flight, FlightItem, FlightKind, OutboxStore, Scope, Snapshot, Write } from './outbox';

/**
 * Pending is what is not on the server yet: the entries waiting to be sent
 * and the flight on its way. Every change is also written to the browser's
 * store, in order; a failing store is reported through storeError and
 * onStoreError, not thrown, and the queue goes on from memory.
 */
export class Pending {
  private readonly entries = new Map<string, Entry>();
  private current: Flight | null;
  private seq = 0;
  private persisting: Promise<void> = Promise.resolve();
  storeError: string | undefined;

  constructor(
    private readonly store: OutboxStore,
    private readonly scope: Scope,
    snap: Snapshot,
    private readonly onStoreError: () => void,
  ) {
    this.current = snap.flight;
    this.restore(snap);
  }

  /** flight is the request on its way (or stored and not yet answered). */
  get flight(): Flight | null {
    return this.current;
  }

  /** size counts the entries, the flight's marks not included. */
  get size(): number {
    return this.entries.size;
  }

  get(ref: string): Entry | undefined {
    return this.entries.get(ref);
  }

  has(ref: string): boolean {
    return this.entries.has(ref);
  }

  /** nextSeq orders a new entry after every other. */
  nextSeq(): number {
    return ++this.seq;
  }

  /** sorted lists the entries oldest first. */
  sorted(): Entry[] {
    return [...this.entries.values()].sort((a, b) => a.seq - b.seq);
  }

  inFlight(ref: string): boolean {
    return this.current?.items.some((i) => i.ref === ref) ?? false;
  }

  save(e: Entry): void {
    this.entries.set(e.ref, e);
    this.persist({ put: [e] });
  }

  drop(ref: string): void {
    this.entries.delete(ref);
    this.persist({ remove: [ref] });
  }

  /**
   * take makes the next request: the oldest entry ready to go, with the new
   * marks after it when it is one (up to batchSize), and stores it as the
   * flight before it leaves. Deletions of marks the server never had are
   * dropped on the way. null: nothing is ready.
   */
  take(newKey: () => string, batchSize: number): Flight | null {
    const ready = this.sorted().filter((e) => e.conflict === undefined && e.refused === undefined);
    for (const e of ready) {
      if (e.feature === null && e.serverId === null) this.drop(e.ref);
    }
    const first = ready.find((e) => this.entries.has(e.ref));
    if (first === undefined) return null;
    const kind = kindOf(first);
    const batchable = kind === 'create' && first.alone !== true;
    const batch = batchable ? ready.filter((e) => this.entries.has(e.ref) && kindOf(e) === 'create' && e.alone !== true).slice(0, batchSize) : [first];
    const flight: Flight = { key: newKey(), kind, items: batch.map(itemOf) };
    for (const e of batch) this.entries.delete(e.ref);
    this.current = flight;
    this.persist({ remove: batch.map((e) => e.ref), flight });
    return flight;
  }

  /**
   * settle ends flight f: put and remove change the entries (what its answer
   * left to do), in one write with the cleared flight. remove is written only
   * when asked, as the queue always did.
   */
  settle(f: Flight, put: readonly Entry[], remove?: readonly string[]): void {
    for (const ref of remove ?? []) this.entries.delete(ref);
    for (const e of put) this.entries.set(e.ref, e);
    if (this.current === f) this.current = null;
    this.persist(remove === undefined ? { put, flight: null } : { put, remove, flight: null });
  }

  /** idle resolves once what is in the store now has been written. */
  async idle(): Promise<void> {
    await this.persisting;
  }

  /**
   * restore keys entries of marks the server already has by their server id,
   * which is how the server lists them after a reload.
   */
  private restore(snap: Snapshot): void {
    const w: { put: Entry[]; remove: string[] } = { put: [], remove: [] };
    for (const e of snap.entries) {
      const ref = e.serverId === null ? e.ref : String(e.serverId);
      this.seq = Math.max(this.seq, e.seq);
      const seen = this.entries.get(ref);
      if (seen !== undefined && seen.seq > e.seq) continue;
      this.entries.set(ref, { ...e, ref });
      if (ref !== e.ref) {
        w.remove.push(e.ref);
        w.put.push({ ...e, ref });
      }
    }
    if (this.current !== null) {
      this.current = { ...this.current, items: this.current.items.map((i) => ({ ...i, ref: i.serverId === null ? i.ref : String(i.serverId) })) };
    }
    if (w.put.length > 0) this.persist({ ...w, flight: this.current });
  }

  /** persist queues a store write; writes run in order, and a failure is shown, not thrown. */
  private persist(w: Write): void {
    this.persisting = this.persisting
      .then(() => this.store.write(this.scope, w))
      .catch((err: unknown) => {
        this.storeError = storeFailure(err);
        this.onStoreError();
      });
  }
}

/** storeFailure is what the user reads when the browser cannot keep edits. */
export function storeFailure(err: unknown): string {
  return `Edits cannot be kept in this browser (${String(err)}); keep the page open until they are saved.`;
}

export function kindOf(e: Entry): FlightKind {
  if (e.serverId === null) return 'create';
  return e.feature === null ? 'delete' : 'update';
}

function itemOf(e: Entry): FlightItem {
  // Only the identity travels: alone and seq belong to the outbox, not the request.
  return { ref: e.ref, feature: e.feature, serverId: e.serverId, baseVersion: e.baseVersion };
}

import { ApiError } from '../api/error';
import { sameContent, type Feature } from '../marks/mark';
import type { Conflict, Entry, Flight, FlightItem, FlightKind, OutboxStore, Scope, Snapshot, Write } from './outbox';
import { conflictCurrent, type Saved, type Transport } from './transport';

export type SaveState = 'saved' | 'saving' | 'offline' | 'conflict' | 'refused';

export interface SaveStatus {
  readonly state: SaveState;
  /** pending counts marks not yet on the server, conflicts and refusals excluded. */
  readonly pending: number;
  readonly conflicts: number;
  /** refused counts changes the server refused; refusal is the first one's reason. */
  readonly refused: number;
  readonly refusal?: string;
  /** message explains an offline state or a browser storage failure. */
  readonly message?: string;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

export interface QueueOptions {
  readonly scope: Scope;
  readonly store: OutboxStore;
  readonly transport: Transport;
  /** newKey makes an Idempotency-Key. */
  newKey(): string;
  /** debounceMs: quiet time after an edit before sending; maxWaitMs caps it during steady marking. */
  readonly debounceMs?: number;
  readonly maxWaitMs?: number;
  /** batchSize bounds how many new marks go in one request. */
  readonly batchSize?: number;
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  readonly timers?: Timers;
}

/** Change is a mark's wanted state: a feature, or null for deleted. */
export interface Change {
  readonly ref: string;
  readonly feature: Feature | null;
}

export interface ConflictView {
  readonly ref: string;
  readonly mine: Feature | null;
  readonly conflict: Conflict;
}

/** Refusal is a change the server refused for good, waiting for the user's decision. */
export interface Refusal {
  readonly ref: string;
  /** feature is the refused version (null: a refused deletion). */
  readonly feature: Feature | null;
  /** serverId is the mark's id on the server; null for a refused new mark. */
  readonly serverId: number | null;
  readonly message: string;
}

export interface QueueEvents {
  /** saved: the server now holds ref as saved (null: deleted). */
  saved?(ref: string, saved: Saved | null): void;
  /** rejected: the server refused these changes for good (invalid, forbidden); they wait as refusals. */
  rejected?(refs: readonly string[], message: string): void;
  status?(s: SaveStatus): void;
}

type Outcome = 'next' | 'stop';

/**
 * SaveQueue is the outbox between the viewer and the annotation service.
 * Every edit is stored in the browser first (OutboxStore), then sent after a
 * short quiet time, one request at a time, oldest first. New marks travel in
 * batches with an Idempotency-Key; edits and deletions carry If-Match with
 * the version the user saw. Network failures back off and retry; a stale
 * version parks the mark as a conflict for the user to resolve; a refusal
 * (invalid, forbidden) parks the change as refused, with the server's reason,
 * until the user discards it, sends it again or edits the mark anew.
 */
export class SaveQueue {
  private readonly entries = new Map<string, Entry>();
  private flight: Flight | null;
  private readonly known = new Map<string, { id: number; version: number }>();
  /** refs maps server ids back to refs: a mark made here keeps its client ref after it is saved. */
  private readonly refs = new Map<number, string>();
  private seq = 0;
  private persisting: Promise<void> = Promise.resolve();
  private storeError: string | undefined;
  private transientError: string | undefined;
  private offline = false;
  private sending: Promise<void> | null = null;
  private timer: unknown = null;
  private retryTimer: unknown = null;
  private firstUnsentAt: number | null = null;
  private failures = 0;
  private closed = false;
  private readonly timers: Timers;
  private readonly listeners: QueueEvents[] = [];

  private constructor(
    private readonly opts: QueueOptions,
    snap: Snapshot,
  ) {
    this.timers = opts.timers ?? realTimers;
    this.flight = snap.flight;
    this.restore(snap);
  }

  /** open loads what an earlier page left unsent; a failing store leaves an empty, memory-only queue. */
  static async open(opts: QueueOptions): Promise<SaveQueue> {
    let snap: Snapshot = { entries: [], flight: null };
    let storeError: string | undefined;
    try {
      snap = await opts.store.load(opts.scope);
    } catch (err) {
      storeError = `Edits cannot be kept in this browser (${String(err)}); keep the page open until they are saved.`;
    }
    const q = new SaveQueue(opts, snap);
    q.storeError = storeError;
    return q;
  }

  on(events: QueueEvents): () => void {
    this.listeners.push(events);
    return () => this.listeners.splice(this.listeners.indexOf(events), 1);
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
    if (this.flight !== null) {
      this.flight = { ...this.flight, items: this.flight.items.map((i) => ({ ...i, ref: i.serverId === null ? i.ref : String(i.serverId) })) };
    }
    if (w.put.length > 0) this.persist({ ...w, flight: this.flight });
  }

  /** changes lists what is not on the server yet, oldest first: the viewer lays it over what it loads. */
  changes(): Change[] {
    const out: Change[] = (this.flight?.items ?? []).map((i) => ({ ref: i.ref, feature: i.feature }));
    // A refused change is not laid over the server's marks: it is shown apart, as refused.
    for (const e of this.sortedEntries()) if (e.refused === undefined) out.push({ ref: e.ref, feature: e.feature });
    return out;
  }

  /** track records the server's id and version of a mark the viewer loaded. */
  track(ref: string, id: number, version: number): void {
    this.know(ref, { id, version });
  }

  /** untrack forgets a mark the viewer no longer holds, unless an edit of it waits to be sent. */
  untrack(ref: string): void {
    if (this.pending(ref)) return;
    this.unknow(ref);
  }

  /** refOf answers the ref under which the viewer knows server mark id, if it does. */
  refOf(id: number): string | undefined {
    return this.refs.get(id);
  }

  /** versionOf answers the last server version seen of mark ref. */
  versionOf(ref: string): number | undefined {
    return this.known.get(ref)?.version;
  }

  /** pending tells whether an edit of ref is not on the server yet (waiting, in flight or in conflict). */
  pending(ref: string): boolean {
    return this.entries.has(ref) || this.inFlight(ref);
  }

  private know(ref: string, v: { id: number; version: number }): void {
    const old = this.known.get(ref);
    if (old !== undefined && old.id !== v.id && this.refs.get(old.id) === ref) this.refs.delete(old.id);
    this.known.set(ref, v);
    this.refs.set(v.id, ref);
  }

  private unknow(ref: string): void {
    const old = this.known.get(ref);
    if (old !== undefined && this.refs.get(old.id) === ref) this.refs.delete(old.id);
    this.known.delete(ref);
  }

  /** serverId answers the server's id of mark ref, once the server has it and nothing for it waits unsent. */
  serverId(ref: string): number | undefined {
    const e = this.entries.get(ref);
    if (e !== undefined) return e.serverId ?? undefined;
    return this.inFlight(ref) ? undefined : this.known.get(ref)?.id;
  }

  /** put records that mark ref should now be feature. */
  put(ref: string, feature: Feature): void {
    const e = this.entries.get(ref);
    // A new edit of a mark whose change was refused replaces that change: it is the user's fix.
    this.save(e !== undefined ? { ...withoutRefusal(e), feature } : this.fresh(ref, feature));
    this.schedule();
  }

  /** remove records that mark ref should be gone. */
  remove(ref: string): void {
    const got = this.entries.get(ref);
    const e = got === undefined ? undefined : withoutRefusal(got);
    const flying = this.inFlight(ref);
    if (e !== undefined) {
      if (e.serverId === null && !flying) this.drop(ref);
      else this.save({ ...e, feature: null });
    } else if (this.known.has(ref) || flying) {
      this.save(this.fresh(ref, null));
    }
    this.schedule();
  }

  private fresh(ref: string, feature: Feature | null): Entry {
    const base = this.known.get(ref);
    return { ref, feature, serverId: base?.id ?? null, baseVersion: base?.version ?? null, seq: ++this.seq };
  }

  private inFlight(ref: string): boolean {
    return this.flight?.items.some((i) => i.ref === ref) ?? false;
  }

  /** refusals lists the changes the server refused, oldest first. */
  refusals(): Refusal[] {
    const out: Refusal[] = [];
    for (const e of this.sortedEntries()) {
      if (e.refused !== undefined) out.push({ ref: e.ref, feature: e.feature, serverId: e.serverId, message: e.refused });
    }
    return out;
  }

  /** discard drops a refused change; the server's version stands. */
  discard(ref: string): void {
    if (this.entries.get(ref)?.refused === undefined) return;
    this.drop(ref);
    this.emit();
  }

  /** retry sends a refused change again as it is (a manager may have changed what the server allows). */
  retry(ref: string): void {
    const e = this.entries.get(ref);
    if (e?.refused === undefined) return;
    this.save({ ...withoutRefusal(e), alone: true });
    this.schedule();
  }

  conflicts(): ConflictView[] {
    const out: ConflictView[] = [];
    for (const e of this.sortedEntries()) if (e.conflict !== undefined) out.push({ ref: e.ref, mine: e.feature, conflict: e.conflict });
    return out;
  }

  /**
   * resolve settles a conflict. "mine" sends the user's version over the
   * current one; "theirs" drops the user's edit and answers the server's
   * feature (null: deleted) for the viewer to show.
   */
  resolve(ref: string, choice: 'mine' | 'theirs'): Feature | null {
    const e = this.entries.get(ref);
    if (e?.conflict === undefined) return null;
    const { theirs, version } = e.conflict;
    if (choice === 'theirs') {
      this.drop(ref);
      if (theirs !== null && e.serverId !== null) this.know(ref, { id: e.serverId, version });
      else this.unknow(ref);
      this.emit();
      return theirs;
    }
    const { conflict: _settled, ...rest } = e;
    if (theirs === null) {
      if (e.feature === null) this.drop(ref);
      else this.save({ ...rest, serverId: null, baseVersion: null });
    } else {
      this.save({ ...rest, baseVersion: version });
    }
    this.schedule();
    return e.feature;
  }

  status(): SaveStatus {
    let conflicts = 0;
    let refused = 0;
    let refusal: string | undefined;
    for (const e of this.sortedEntries()) {
      if (e.conflict !== undefined) conflicts++;
      else if (e.refused !== undefined) {
        refused++;
        refusal ??= e.refused;
      }
    }
    const pending = this.entries.size - conflicts - refused + (this.flight?.items.length ?? 0);
    const message = this.transientError ?? this.storeError;
    const extra = { ...(message === undefined ? {} : { message }), ...(refusal === undefined ? {} : { refusal }) };
    const counts = { pending, conflicts, refused };
    if (conflicts > 0) return { state: 'conflict', ...counts, ...extra };
    // Never "saved" while a refused change waits for the user.
    if (refused > 0) return { state: 'refused', ...counts, ...extra };
    if (this.transientError !== undefined) return { state: this.offline ? 'offline' : 'saving', ...counts, ...extra };
    return { state: pending > 0 ? 'saving' : 'saved', ...counts, ...extra };
  }

  /** retryNow sends at once, skipping a running back-off (the browser says it is online again). */
  retryNow(): void {
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    void this.flush();
  }

  /** flush sends until nothing is left or a send fails; it resolves when this run ends. */
  flush(): Promise<void> {
    if (this.sending !== null) return this.sending;
    this.cancelTimer();
    this.sending = this.run().finally(() => {
      this.sending = null;
      this.emit();
    });
    return this.sending;
  }

  /** idle resolves once what is in the store now has been written (for tests and page unload). */
  async idle(): Promise<void> {
    await this.persisting;
  }

  close(): void {
    this.closed = true;
    // The identities of every mark seen (tens of thousands on a big slide) are not needed any
    // more; a destroyed viewer may be held a while by the tile viewer's timers.
    this.known.clear();
    this.refs.clear();
    this.cancelTimer();
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      const f = this.flight ?? this.nextFlight();
      if (f === null) return;
      // The flight must be stored before it leaves, or a crash could resend its marks under a new key.
      await this.persisting;
      if ((await this.send(f)) === 'stop') return;
    }
  }

  private nextFlight(): Flight | null {
    const ready = this.sortedEntries().filter((e) => e.conflict === undefined && e.refused === undefined);
    for (const e of ready) {
      if (e.feature === null && e.serverId === null) this.drop(e.ref);
    }
    const first = ready.find((e) => this.entries.has(e.ref));
    if (first === undefined) return null;
    const kind = kindOf(first);
    const batchable = kind === 'create' && first.alone !== true;
    const batch = batchable ? ready.filter((e) => this.entries.has(e.ref) && kindOf(e) === 'create' && e.alone !== true).slice(0, this.opts.batchSize ?? 500) : [first];
    const flight: Flight = { key: this.opts.newKey(), kind, items: batch.map(itemOf) };
    for (const e of batch) this.entries.delete(e.ref);
    this.flight = flight;
    this.persist({ remove: batch.map((e) => e.ref), flight });
    return flight;
  }

  private async send(f: Flight): Promise<Outcome> {
    try {
      await this.deliver(f);
    } catch (err) {
      return this.failed(f, err);
    }
    this.answered();
    return 'next';
  }

  /** answered ends an outage: the server gave a real answer. */
  private answered(): void {
    this.failures = 0;
    this.transientError = undefined;
    this.offline = false;
  }

  private async deliver(f: Flight): Promise<void> {
    const t = this.opts.transport;
    const item = f.items[0] as FlightItem;
    if (f.kind === 'create') {
      const saved = await t.create(this.opts.scope.slide, f.items.map((i) => i.feature as Feature), f.key);
      this.land(f, f.items.map((i, n) => [i, saved[n] ?? null]));
    } else if (f.kind === 'update') {
      this.land(f, [[item, await t.update(item.serverId as number, item.baseVersion as number, item.feature as Feature)]]);
    } else {
      await t.remove(item.serverId as number, item.baseVersion as number);
      this.land(f, [[item, null]]);
    }
  }

  /** land applies the server's answer: identities and versions move on to the edits queued meanwhile. */
  private land(f: Flight, results: readonly (readonly [FlightItem, Saved | null])[]): void {
    const put: Entry[] = [];
    const remove: string[] = [];
    for (const [item, saved] of results) {
      const next = this.rebase(item, saved);
      if (next === 'drop') remove.push(item.ref);
      else if (next !== null) put.push(next);
    }
    for (const ref of remove) this.entries.delete(ref);
    for (const e of put) this.entries.set(e.ref, e);
    if (this.flight === f) this.flight = null;
    this.persist({ put, remove, flight: null });
    for (const [item, saved] of results) for (const l of this.listeners) l.saved?.(item.ref, saved);
  }

  private rebase(item: FlightItem, saved: Saved | null): Entry | 'drop' | null {
    if (saved !== null) this.know(item.ref, { id: saved.id, version: saved.version });
    else this.unknow(item.ref);
    const e = this.entries.get(item.ref);
    if (e === undefined || e.serverId !== item.serverId || e.baseVersion !== item.baseVersion) return null;
    if (saved !== null) return { ...e, serverId: saved.id, baseVersion: saved.version };
    return e.feature === null ? 'drop' : { ...e, serverId: null, baseVersion: null };
  }

  private failed(f: Flight, err: unknown): Outcome {
    // Anything but an ApiError is a bug, not an outage: retrying would not help.
    const api = err instanceof ApiError ? err : new ApiError(200, 'internal', String(err));
    const item = f.items[0] as FlightItem;
    if (transient(api)) return this.backOff(api);
    this.answered();
    if (f.kind === 'create' && f.items.length > 1) return this.split(f);
    if (f.kind !== 'create' && api.status === 409) return this.conflicted(f, item, api);
    if (f.kind === 'delete' && api.status === 404) {
      this.land(f, [[item, null]]);
      return 'next';
    }
    if (f.kind === 'update' && api.status === 404) return this.park(item, { theirs: null, version: 0, message: api.message });
    this.refuse(f, api.message);
    for (const l of this.listeners) l.rejected?.(f.items.map((i) => i.ref), api.message);
    return 'next';
  }

  /** refuse parks a refused request's changes, with the server's reason, for the user to decide. */
  private refuse(f: Flight, message: string): void {
    const put: Entry[] = f.items.map((i) => {
      const later = this.entries.get(i.ref);
      return later !== undefined ? { ...later, refused: message } : { ...i, seq: ++this.seq, refused: message };
    });
    for (const e of put) this.entries.set(e.ref, e);
    if (this.flight === f) this.flight = null;
    this.persist({ put, flight: null });
  }

  private conflicted(f: Flight, item: FlightItem, err: ApiError): Outcome {
    const current = conflictCurrent(err, item.serverId as number);
    // A retried edit whose first attempt landed meets its own result: that is a success.
    if (current !== null && item.feature !== null && sameContent(current.feature, item.feature)) {
      this.land(f, [[item, current]]);
      return 'next';
    }
    return this.park(item, { theirs: current?.feature ?? null, version: current?.version ?? 0, message: err.message });
  }

  /** park turns the failed item back into an entry that waits for the user's decision. */
  private park(item: FlightItem, conflict: Conflict): Outcome {
    const later = this.entries.get(item.ref);
    const entry: Entry = later !== undefined ? { ...later, conflict } : { ...item, seq: ++this.seq, conflict };
    this.entries.set(item.ref, entry);
    this.flight = null;
    this.persist({ put: [entry], flight: null });
    return 'next';
  }

  /** split returns a refused batch to the outbox, each mark to be sent alone to find the bad ones. */
  private split(f: Flight): Outcome {
    const put: Entry[] = f.items.map((i) => {
      const later = this.entries.get(i.ref);
      return later !== undefined ? { ...later, alone: true } : { ...i, seq: ++this.seq, alone: true };
    });
    for (const e of put) this.entries.set(e.ref, e);
    this.flight = null;
    this.persist({ put, flight: null });
    return 'next';
  }

  private backOff(err: ApiError): Outcome {
    this.failures++;
    this.offline = err.status === 0;
    this.transientError = this.offline ? 'Offline: edits are kept in this browser and will be sent when the server answers.' : err.message;
    const base = this.opts.retryBaseMs ?? 1000;
    const delay = Math.min(this.opts.retryMaxMs ?? 30_000, base * 2 ** (this.failures - 1));
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      void this.flush();
    }, delay);
    return 'stop';
  }

  private schedule(): void {
    this.emit();
    if (this.closed || this.retryTimer !== null) return;
    const now = this.timers.now();
    this.firstUnsentAt ??= now;
    const wait = Math.max(0, Math.min(this.opts.debounceMs ?? 400, this.firstUnsentAt + (this.opts.maxWaitMs ?? 2000) - now));
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, wait);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.firstUnsentAt = null;
  }

  private save(e: Entry): void {
    this.entries.set(e.ref, e);
    this.persist({ put: [e] });
  }

  private drop(ref: string): void {
    this.entries.delete(ref);
    this.persist({ remove: [ref] });
  }

  private sortedEntries(): Entry[] {
    return [...this.entries.values()].sort((a, b) => a.seq - b.seq);
  }

  /** persist queues a store write; writes run in order, and a failure is shown, not thrown. */
  private persist(w: Write): void {
    this.persisting = this.persisting
      .then(() => this.opts.store.write(this.opts.scope, w))
      .catch((err: unknown) => {
        this.storeError = `Edits cannot be kept in this browser (${String(err)}); keep the page open until they are saved.`;
        this.emit();
      });
  }

  private emit(): void {
    const s = this.status();
    for (const l of this.listeners) l.status?.(s);
  }
}

function withoutRefusal(e: Entry): Entry {
  const { refused: _dropped, ...rest } = e;
  return rest;
}

function kindOf(e: Entry): FlightKind {
  if (e.serverId === null) return 'create';
  return e.feature === null ? 'delete' : 'update';
}

function itemOf(e: Entry): FlightItem {
  // Only the identity travels: alone and seq belong to the outbox, not the request.
  return { ref: e.ref, feature: e.feature, serverId: e.serverId, baseVersion: e.baseVersion };
}

/** transient errors are worth retrying: no answer, an overloaded or restarting service, an expired session. */
function transient(err: ApiError): boolean {
  return err.status === 0 || err.status === 401 || err.status === 429 || err.status >= 500 || err.code === 'unavailable';
}

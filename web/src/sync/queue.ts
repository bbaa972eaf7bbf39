import { ApiError } from '../api/error';
import type { Feature } from '../marks/mark';
import { Answers } from './answers';
import { Identities } from './identities';
import type { Conflict, Entry, Flight, FlightItem, OutboxStore, Scope, Snapshot } from './outbox';
import { Pending, storeFailure } from './pending';
import { Schedule, transient, type Timers } from './schedule';
import { statusOf, type SaveStatus } from './status';
import type { Saved, Transport } from './transport';

export type { SaveState, SaveStatus } from './status';
export type { Timers } from './schedule';

// The save queue is put together from one module per concern: pending.ts
// keeps the outbox and writes it to the browser, schedule.ts says when to
// send (debounce, back-off), answers.ts applies the server's answers
// (identities, conflicts, refusals), identities.ts maps refs to server ids,
// status.ts says where the edits are. This file is the queue's face to the
// viewer and the loop that sends, one request at a time.

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
  private readonly unsent: Pending;
  private readonly ids = new Identities();
  private readonly schedule: Schedule;
  private readonly answers: Answers;
  private sending: Promise<void> | null = null;
  private closed = false;
  private readonly listeners: QueueEvents[] = [];

  private constructor(
    private readonly opts: QueueOptions,
    snap: Snapshot,
  ) {
    this.unsent = new Pending(opts.store, opts.scope, snap, () => this.emit());
    this.schedule = new Schedule(opts, () => void this.flush());
    this.answers = new Answers(this.unsent, this.ids, {
      saved: (ref, saved) => {
        for (const l of this.listeners) l.saved?.(ref, saved);
      },
      rejected: (refs, message) => {
        for (const l of this.listeners) l.rejected?.(refs, message);
      },
    });
  }

  /** open loads what an earlier page left unsent; a failing store leaves an empty, memory-only queue. */
  static async open(opts: QueueOptions): Promise<SaveQueue> {
    let snap: Snapshot = { entries: [], flight: null };
    let storeError: string | undefined;
    try {
      snap = await opts.store.load(opts.scope);
    } catch (err) {
      storeError = storeFailure(err);
    }
    const q = new SaveQueue(opts, snap);
    q.unsent.storeError = storeError;
    return q;
  }

  on(events: QueueEvents): () => void {
    this.listeners.push(events);
    return () => this.listeners.splice(this.listeners.indexOf(events), 1);
  }

  /** changes lists what is not on the server yet, oldest first: the viewer lays it over what it loads. */
  changes(): Change[] {
    const out: Change[] = (this.unsent.flight?.items ?? []).map((i) => ({ ref: i.ref, feature: i.feature }));
    // A refused change is not laid over the server's marks: it is shown apart, as refused.
    for (const e of this.unsent.sorted()) if (e.refused === undefined) out.push({ ref: e.ref, feature: e.feature });
    return out;
  }

  /** track records the server's id and version of a mark the viewer loaded. */
  track(ref: string, id: number, version: number): void {
    this.ids.know(ref, { id, version });
  }

  /** untrack forgets a mark the viewer no longer holds, unless an edit of it waits to be sent. */
  untrack(ref: string): void {
    if (this.pending(ref)) return;
    this.ids.unknow(ref);
  }

  /** refOf answers the ref under which the viewer knows server mark id, if it does. */
  refOf(id: number): string | undefined {
    return this.ids.refOf(id);
  }

  /** versionOf answers the last server version seen of mark ref. */
  versionOf(ref: string): number | undefined {
    return this.ids.get(ref)?.version;
  }

  /** pending tells whether an edit of ref is not on the server yet (waiting, in flight or in conflict). */
  pending(ref: string): boolean {
    return this.unsent.has(ref) || this.unsent.inFlight(ref);
  }

  /** serverId answers the server's id of mark ref, once the server has it and nothing for it waits unsent. */
  serverId(ref: string): number | undefined {
    const e = this.unsent.get(ref);
    if (e !== undefined) return e.serverId ?? undefined;
    return this.unsent.inFlight(ref) ? undefined : this.ids.get(ref)?.id;
  }

  /** put records that mark ref should now be feature. */
  put(ref: string, feature: Feature): void {
    const e = this.unsent.get(ref);
    // A new edit of a mark whose change was refused replaces that change: it is the user's fix.
    this.unsent.save(e !== undefined ? { ...withoutRefusal(e), feature } : this.fresh(ref, feature));
    this.edited();
  }

  /** remove records that mark ref should be gone. */
  remove(ref: string): void {
    const got = this.unsent.get(ref);
    const e = got === undefined ? undefined : withoutRefusal(got);
    const flying = this.unsent.inFlight(ref);
    if (e !== undefined) {
      if (e.serverId === null && !flying) this.unsent.drop(ref);
      else this.unsent.save({ ...e, feature: null });
    } else if (this.ids.has(ref) || flying) {
      this.unsent.save(this.fresh(ref, null));
    }
    this.edited();
  }

  private fresh(ref: string, feature: Feature | null): Entry {
    const base = this.ids.get(ref);
    return { ref, feature, serverId: base?.id ?? null, baseVersion: base?.version ?? null, seq: this.unsent.nextSeq() };
  }

  /** refusals lists the changes the server refused, oldest first. */
  refusals(): Refusal[] {
    const out: Refusal[] = [];
    for (const e of this.unsent.sorted()) {
      if (e.refused !== undefined) out.push({ ref: e.ref, feature: e.feature, serverId: e.serverId, message: e.refused });
    }
    return out;
  }

  /** discard drops a refused change; the server's version stands. */
  discard(ref: string): void {
    if (this.unsent.get(ref)?.refused === undefined) return;
    this.unsent.drop(ref);
    this.emit();
  }

  /** retry sends a refused change again as it is (a manager may have changed what the server allows). */
  retry(ref: string): void {
    const e = this.unsent.get(ref);
    if (e?.refused === undefined) return;
    this.unsent.save({ ...withoutRefusal(e), alone: true });
    this.edited();
  }

  conflicts(): ConflictView[] {
    const out: ConflictView[] = [];
    for (const e of this.unsent.sorted()) if (e.conflict !== undefined) out.push({ ref: e.ref, mine: e.feature, conflict: e.conflict });
    return out;
  }

  /**
   * resolve settles a conflict. "mine" sends the user's version over the
   * current one; "theirs" drops the user's edit and answers the server's
   * feature (null: deleted) for the viewer to show.
   */
  resolve(ref: string, choice: 'mine' | 'theirs'): Feature | null {
    const e = this.unsent.get(ref);
    if (e?.conflict === undefined) return null;
    const { theirs, version } = e.conflict;
    if (choice === 'theirs') {
      this.unsent.drop(ref);
      if (theirs !== null && e.serverId !== null) this.ids.know(ref, { id: e.serverId, version });
      else this.ids.unknow(ref);
      this.emit();
      return theirs;
    }
    const { conflict: _settled, ...rest } = e;
    if (theirs === null) {
      if (e.feature === null) this.unsent.drop(ref);
      else this.unsent.save({ ...rest, serverId: null, baseVersion: null });
    } else {
      this.unsent.save({ ...rest, baseVersion: version });
    }
    this.edited();
    return e.feature;
  }

  status(): SaveStatus {
    return statusOf(this.unsent.sorted(), this.unsent.flight?.items.length ?? 0, this.schedule.outage, this.unsent.storeError);
  }

  /** retryNow sends at once, skipping a running back-off (the browser says it is online again). */
  retryNow(): void {
    this.schedule.skipBackOff();
    void this.flush();
  }

  /** flush sends until nothing is left or a send fails; it resolves when this run ends. */
  flush(): Promise<void> {
    if (this.sending !== null) return this.sending;
    this.schedule.sending();
    this.sending = this.run().finally(() => {
      this.sending = null;
      this.emit();
    });
    return this.sending;
  }

  /** idle resolves once what is in the store now has been written (for tests and page unload). */
  async idle(): Promise<void> {
    await this.unsent.idle();
  }

  close(): void {
    this.closed = true;
    // The identities of every mark seen (tens of thousands on a big slide) are not needed any
    // more; a destroyed viewer may be held a while by the tile viewer's timers.
    this.ids.clear();
    this.schedule.close();
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      const f = this.unsent.flight ?? this.unsent.take(() => this.opts.newKey(), this.opts.batchSize ?? 500);
      if (f === null) return;
      // The flight must be stored before it leaves, or a crash could resend its marks under a new key.
      await this.unsent.idle();
      if ((await this.send(f)) === 'stop') return;
    }
  }

  private async send(f: Flight): Promise<Outcome> {
    try {
      await this.deliver(f);
    } catch (err) {
      return this.failed(f, err);
    }
    this.schedule.answered();
    return 'next';
  }

  /** deliver makes the request of flight f and lands its answer. */
  private async deliver(f: Flight): Promise<void> {
    const t = this.opts.transport;
    const item = f.items[0] as FlightItem;
    if (f.kind === 'create') {
      const saved = await t.create(this.opts.scope.slide, f.items.map((i) => i.feature as Feature), f.key);
      this.answers.landed(f, f.items.map((i, n) => [i, saved[n] ?? null]));
    } else if (f.kind === 'update') {
      this.answers.landed(f, [[item, await t.update(item.serverId as number, item.baseVersion as number, item.feature as Feature)]]);
    } else {
      await t.remove(item.serverId as number, item.baseVersion as number);
      this.answers.landed(f, [[item, null]]);
    }
  }

  private failed(f: Flight, err: unknown): Outcome {
    // Anything but an ApiError is a bug, not an outage: retrying would not help.
    const api = err instanceof ApiError ? err : new ApiError(200, 'internal', String(err));
    if (transient(api)) {
      this.schedule.failed(api);
      return 'stop';
    }
    this.schedule.answered();
    this.answers.refused(f, api);
    return 'next';
  }

  /** edited tells the listeners and has the edit sent after the quiet time. */
  private edited(): void {
    this.emit();
    if (!this.closed) this.schedule.edited();
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

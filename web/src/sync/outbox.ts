import type { Feature } from '../marks/mark';

// What the save queue keeps in the browser so that no edit is lost to a
// reload, a crash or a dead network. Everything is scoped to one user and one
// slide: a second user on the same browser never sends another's edits.

export interface Scope {
  readonly user: string;
  readonly slide: string;
}

/**
 * Conflict is the server's answer to an edit based on a stale version: its
 * current feature (null when the mark was deleted) and version.
 */
export interface Conflict {
  readonly theirs: Feature | null;
  readonly version: number;
  readonly message: string;
}

/**
 * Entry is the net unsent change of one mark: the state the user wants
 * (feature, or null for "gone") and the server version it was based on.
 * Later edits of the same mark replace the feature and keep the base, so the
 * server can still tell when someone else changed the mark meanwhile.
 */
export interface Entry {
  readonly ref: string;
  readonly feature: Feature | null;
  /** serverId is null when the mark does not exist on the server (yet). */
  readonly serverId: number | null;
  readonly baseVersion: number | null;
  /** seq orders entries by their first edit: older changes go first. */
  readonly seq: number;
  readonly conflict?: Conflict;
  /**
   * refused is the server's reason for refusing this change for good
   * (invalid, forbidden). The change waits, shown as refused, until the user
   * discards it, sends it again or edits the mark anew; it is never sent by
   * itself and never counted as saved.
   */
  readonly refused?: string;
  /** alone sends the mark in a request of its own: its batch was refused, and one bad mark must not sink the rest. */
  readonly alone?: boolean;
}

export type FlightKind = 'create' | 'update' | 'delete';

/** FlightItem is one mark of a request, with the identity it was sent with. */
export interface FlightItem {
  readonly ref: string;
  readonly feature: Feature | null;
  readonly serverId: number | null;
  readonly baseVersion: number | null;
}

/**
 * Flight is the one request being sent. It is stored before it is sent, so
 * after a crash the very same request goes again with the same
 * Idempotency-Key and the server answers the first result instead of
 * creating the marks twice.
 */
export interface Flight {
  readonly key: string;
  readonly kind: FlightKind;
  readonly items: readonly FlightItem[];
}

export interface Snapshot {
  readonly entries: readonly Entry[];
  readonly flight: Flight | null;
}

/** Write is one atomic change of the stored outbox. */
export interface Write {
  readonly put?: readonly Entry[];
  readonly remove?: readonly string[];
  /** flight: a Flight stores it, null clears it, undefined leaves it. */
  readonly flight?: Flight | null;
}

/**
 * OutboxStore persists the outbox. write applies all of a Write or none of
 * it; both methods reject when the browser's storage fails (quota, private
 * mode), and the queue then keeps working from memory.
 */
export interface OutboxStore {
  load(scope: Scope): Promise<Snapshot>;
  write(scope: Scope, w: Write): Promise<void>;
}

interface Slot {
  entries: Map<string, Entry>;
  flight: Flight | null;
}

/**
 * MemoryOutboxStore keeps the outbox in memory: for tests, and as the
 * fallback where IndexedDB is unavailable. It deep-copies, like a real store,
 * so callers cannot keep references into it.
 */
export class MemoryOutboxStore implements OutboxStore {
  private readonly slots = new Map<string, Slot>();
  writes = 0;

  load(scope: Scope): Promise<Snapshot> {
    const s = this.slot(scope);
    return Promise.resolve(
      clone({ entries: [...s.entries.values()], flight: s.flight }),
    );
  }

  write(scope: Scope, w: Write): Promise<void> {
    const s = this.slot(scope);
    const c = clone(w);
    for (const ref of c.remove ?? []) s.entries.delete(ref);
    for (const e of c.put ?? []) s.entries.set(e.ref, e);
    if (c.flight !== undefined) s.flight = c.flight;
    this.writes++;
    return Promise.resolve();
  }

  private slot(scope: Scope): Slot {
    const key = `${scope.user}\u0000${scope.slide}`;
    let s = this.slots.get(key);
    if (s === undefined) {
      s = { entries: new Map(), flight: null };
      this.slots.set(key, s);
    }
    return s;
  }
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

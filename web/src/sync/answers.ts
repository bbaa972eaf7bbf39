import type { ApiError } from '../api/error';
import { sameContent } from '../marks/mark';
import type { Identities } from './identities';
import type { Conflict, Entry, Flight, FlightItem } from './outbox';
import type { Pending } from './pending';
import { conflictCurrent, type Saved } from './transport';

/** Notify tells the queue's listeners what became of the marks of a request. */
export interface Notify {
  /** saved: the server now holds ref as saved (null: deleted). */
  saved(ref: string, saved: Saved | null): void;
  /** rejected: the server refused these changes for good; they wait as refusals. */
  rejected(refs: readonly string[], message: string): void;
}

/**
 * Answers applies the server's answer to a request to the outbox. A success
 * moves identities and versions on to the edits made meanwhile; a stale
 * version parks the mark as a conflict (unless it meets its own earlier
 * result); a refused batch is split to find the bad marks; any other refusal
 * parks the change, with the server's reason, for the user to decide.
 */
export class Answers {
  constructor(
    private readonly pending: Pending,
    private readonly ids: Identities,
    private readonly notify: Notify,
  ) {}

  /** landed applies a success: results pair each mark of f with what the server now holds. */
  landed(f: Flight, results: readonly (readonly [FlightItem, Saved | null])[]): void {
    const put: Entry[] = [];
    const remove: string[] = [];
    for (const [item, saved] of results) {
      const next = this.rebase(item, saved);
      if (next === 'drop') remove.push(item.ref);
      else if (next !== null) put.push(next);
    }
    this.pending.settle(f, put, remove);
    for (const [item, saved] of results) this.notify.saved(item.ref, saved);
  }

  /** refused applies an answer that is not a success and not worth retrying as it is. */
  refused(f: Flight, err: ApiError): void {
    const item = f.items[0] as FlightItem;
    if (f.kind === 'create' && f.items.length > 1) return this.split(f);
    if (f.kind !== 'create' && err.status === 409) return this.conflicted(f, item, err);
    if (f.kind === 'delete' && err.status === 404) return this.landed(f, [[item, null]]);
    if (f.kind === 'update' && err.status === 404) return this.park(f, item, { theirs: null, version: 0, message: err.message });
    this.refuse(f, err.message);
    this.notify.rejected(f.items.map((i) => i.ref), err.message);
  }

  /** rebase answers what is left to send of item's mark after the server saved it (saved null: deleted). */
  private rebase(item: FlightItem, saved: Saved | null): Entry | 'drop' | null {
    if (saved !== null) this.ids.know(item.ref, { id: saved.id, version: saved.version });
    else this.ids.unknow(item.ref);
    const e = this.pending.get(item.ref);
    if (e === undefined || e.serverId !== item.serverId || e.baseVersion !== item.baseVersion) return null;
    if (saved !== null) return { ...e, serverId: saved.id, baseVersion: saved.version };
    return e.feature === null ? 'drop' : { ...e, serverId: null, baseVersion: null };
  }

  /** refuse parks a refused request's changes, with the server's reason, for the user to decide. */
  private refuse(f: Flight, message: string): void {
    this.pending.settle(f, f.items.map((i) => ({ ...this.backInOutbox(i), refused: message })));
  }

  private conflicted(f: Flight, item: FlightItem, err: ApiError): void {
    const current = conflictCurrent(err, item.serverId as number);
    // A retried edit whose first attempt landed meets its own result: that is a success.
    if (current !== null && item.feature !== null && sameContent(current.feature, item.feature)) return this.landed(f, [[item, current]]);
    this.park(f, item, { theirs: current?.feature ?? null, version: current?.version ?? 0, message: err.message });
  }

  /** park turns the failed item back into an entry that waits for the user's decision. */
  private park(f: Flight, item: FlightItem, conflict: Conflict): void {
    this.pending.settle(f, [{ ...this.backInOutbox(item), conflict }]);
  }

  /** split returns a refused batch to the outbox, each mark to be sent alone to find the bad ones. */
  private split(f: Flight): void {
    this.pending.settle(f, f.items.map((i) => ({ ...this.backInOutbox(i), alone: true })));
  }

  /** backInOutbox is the entry of a mark of a failed request: a later edit of it if one waits, else the item itself. */
  private backInOutbox(item: FlightItem): Entry {
    return this.pending.get(item.ref) ?? { ...item, seq: this.pending.nextSeq() };
  }
}

import { ApiError } from '../api/error';
import type { Feature } from '../marks/mark';
import type { Saved, Transport } from './transport';

interface Stored {
  version: number;
  feature: Feature;
}

export interface Call {
  readonly op: 'create' | 'update' | 'remove';
  readonly key?: string;
  readonly id?: number;
  readonly version?: number;
  readonly count?: number;
}

/**
 * FakeAnnotationServer behaves like the annotation service's write API for
 * the queue's unit tests: numeric ids, versions, If-Match conflicts with the
 * current mark, Idempotency-Key replays, 404 for gone marks. Faults are
 * switched on by the test: down (no answer) and loseAnswers (commit, then
 * no answer, as when the connection drops after the server wrote).
 */
export class FakeAnnotationServer implements Transport {
  readonly marks = new Map<number, Stored>();
  readonly calls: Call[] = [];
  private readonly replies = new Map<string, Saved[]>();
  private nextId = 100;
  down = false;
  loseAnswers = 0;
  reject: string | null = null;
  /** refuse refuses a whole create request when one feature fails it, as the service does. */
  refuse: ((f: Feature) => boolean) | null = null;
  /** forbid refuses edits and deletions of these marks, as for an annotator touching another's mark. */
  readonly forbid = new Set<number>();

  async create(_slide: string, features: readonly Feature[], key: string): Promise<Saved[]> {
    this.calls.push({ op: 'create', key, count: features.length });
    this.fail();
    if (this.reject !== null) throw new ApiError(400, 'invalid', this.reject);
    const bad = this.refuse === null ? -1 : features.findIndex(this.refuse);
    if (bad >= 0) throw new ApiError(400, 'invalid', `feature ${bad}: outside the slide`);
    let out = this.replies.get(key);
    if (out === undefined) {
      out = features.map((f) => this.insert(f));
      this.replies.set(key, out);
    }
    return this.answer(out);
  }

  async update(id: number, version: number, feature: Feature): Promise<Saved> {
    this.calls.push({ op: 'update', id, version });
    this.fail();
    if (this.forbid.has(id)) throw new ApiError(403, 'forbidden', 'only reviewers and managers may change another annotator\'s marks');
    const cur = this.current(id, version);
    const next = { version: cur.version + 1, feature: { ...feature, id, properties: { ...feature.properties, version: cur.version + 1 } } };
    this.marks.set(id, next);
    return this.answer({ id, ...next });
  }

  async remove(id: number, version: number): Promise<void> {
    this.calls.push({ op: 'remove', id, version });
    this.fail();
    this.current(id, version);
    this.marks.delete(id);
    return this.answer(undefined);
  }

  /** edit changes a mark as another user would. */
  edit(id: number, change: (f: Feature) => Feature): Saved {
    const cur = this.marks.get(id);
    if (cur === undefined) throw new Error(`fake server: no mark ${id}`);
    const version = cur.version + 1;
    const f = change(cur.feature);
    const next = { version, feature: { ...f, id, properties: { ...f.properties, version } } };
    this.marks.set(id, next);
    return { id, ...next };
  }

  insert(f: Feature): Saved {
    const id = this.nextId++;
    const stored = { version: 1, feature: { ...f, id, properties: { ...f.properties, version: 1 } } };
    this.marks.set(id, stored);
    return { id, ...stored };
  }

  private current(id: number, version: number): Stored {
    const cur = this.marks.get(id);
    if (cur === undefined) throw new ApiError(404, 'not_found', `annotation ${id} does not exist`);
    if (cur.version !== version) {
      const body = { error: { code: 'conflict', message: `annotation ${id} was changed` }, current: { features: [cur.feature] } };
      throw new ApiError(409, 'conflict', `annotation ${id} was changed`, body);
    }
    return cur;
  }

  private fail(): void {
    if (this.down) throw new ApiError(0, 'unavailable', 'The server could not be reached (Failed to fetch).');
  }

  private answer<T>(v: T): T {
    if (this.loseAnswers > 0) {
      this.loseAnswers--;
      throw new ApiError(0, 'unavailable', 'The server could not be reached (connection reset).');
    }
    return v;
  }
}

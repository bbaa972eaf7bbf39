import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/error';
import type { Feature } from '../marks/mark';
import { FakeAnnotationServer } from './fakeserver.testutil';
import { MemoryOutboxStore, type OutboxStore, type Scope } from './outbox';
import { SaveQueue, type SaveStatus } from './queue';

const scope: Scope = { user: '1', slide: '7' };

function point(x: number, y: number, category = 3): Feature {
  return { type: 'Feature', geometry: { type: 'Point', coordinates: [x, y] }, properties: { category_id: category, radius: 8 } };
}

let keys = 0;

async function open(server: FakeAnnotationServer, store: OutboxStore = new MemoryOutboxStore()): Promise<SaveQueue> {
  return SaveQueue.open({ scope, store, transport: server, newKey: () => `key-${++keys}`, debounceMs: 400, maxWaitMs: 2000, retryBaseMs: 1000 });
}

function xOf(f: Feature | undefined): number | undefined {
  return f?.geometry.type === 'Point' ? f.geometry.coordinates[0] : undefined;
}

describe('SaveQueue', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    keys = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('sends new marks together after a quiet time', async () => {
    const server = new FakeAnnotationServer();
    const q = await open(server);
    q.put('a', point(1, 1));
    await vi.advanceTimersByTimeAsync(300);
    q.put('b', point(2, 2));
    await vi.advanceTimersByTimeAsync(300);
    expect(server.calls).toEqual([]);
    expect(q.status()).toMatchObject({ state: 'saving', pending: 2 });
    await vi.advanceTimersByTimeAsync(200);
    expect(server.calls).toEqual([{ op: 'create', key: 'key-1', count: 2 }]);
    expect(q.status()).toEqual({ state: 'saved', pending: 0, conflicts: 0, refused: 0 });
    expect(server.marks.size).toBe(2);
  });

  it('does not let steady marking postpone saving beyond the maximum wait', async () => {
    const server = new FakeAnnotationServer();
    const q = await open(server);
    for (let i = 0; i < 10; i++) {
      q.put(`m${i}`, point(i, i));
      await vi.advanceTimersByTimeAsync(250);
    }
    expect(server.calls.length).toBeGreaterThan(0);
  });

  it('keeps marking while offline and retries with the same Idempotency-Key', async () => {
    const server = new FakeAnnotationServer();
    const store = new MemoryOutboxStore();
    const q = await open(server, store);
    const statuses: SaveStatus[] = [];
    q.on({ status: (s) => statuses.push(s) });
    server.down = true;
    q.put('a', point(1, 1));
    await q.flush();
    expect(q.status().state).toBe('offline');
    q.put('b', point(2, 2));
    await vi.advanceTimersByTimeAsync(1000);
    q.put('c', point(3, 3));
    expect(server.calls.map((c) => c.key)).toEqual(['key-1', 'key-1']);
    server.down = false;
    q.retryNow();
    await q.flush();
    expect(server.calls.map((c) => [c.key, c.count])).toEqual([['key-1', 1], ['key-1', 1], ['key-1', 1], ['key-2', 2]]);
    expect(server.marks.size).toBe(3);
    expect(q.status().state).toBe('saved');
    expect(statuses.some((s) => s.state === 'offline' && s.message !== undefined)).toBe(true);
    expect((await store.load(scope)).entries).toEqual([]);
  });

  it('backs off exponentially while the server is down', async () => {
    const server = new FakeAnnotationServer();
    const q = await open(server);
    server.down = true;
    q.put('a', point(1, 1));
    await q.flush();
    await vi.advanceTimersByTimeAsync(1000 + 2000 + 4000);
    expect(server.calls.length).toBe(4);
    await vi.advanceTimersByTimeAsync(7999);
    expect(server.calls.length).toBe(4);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.calls.length).toBe(5);
  });

  it('creates no duplicates when the answer to a create is lost', async () => {
    const server = new FakeAnnotationServer();
    const q = await open(server);
    server.loseAnswers = 1;
    q.put('a', point(1, 1));
    await q.flush();
    expect(server.marks.size).toBe(1);
    q.retryNow();
    await q.flush();
    expect(server.marks.size).toBe(1);
    expect(q.status().state).toBe('saved');
  });

  it('bases an edit on the version it saw and the next edit on the version it made', async () => {
    const server = new FakeAnnotationServer();
    const loaded = server.insert(point(5, 5));
    const q = await open(server);
    q.track('m', loaded.id, loaded.version);
    q.put('m', point(6, 6));
    await q.flush();
    q.put('m', point(7, 7));
    await q.flush();
    expect(server.calls).toEqual([
      { op: 'update', id: loaded.id, version: 1 },
      { op: 'update', id: loaded.id, version: 2 },
    ]);
    expect(xOf(server.marks.get(loaded.id)?.feature)).toBe(7);
  });

  it('turns an edit made while the mark was being created into an update', async () => {
    const server = new FakeAnnotationServer();
    const q = await open(server);
    q.put('a', point(1, 1));
    const sending = q.flush();
    q.put('a', point(9, 9));
    await sending;
    await q.flush();
    const [id] = [...server.marks.keys()];
    expect(server.calls.map((c) => c.op)).toEqual(['create', 'update']);
    expect(xOf(server.marks.get(id as number)?.feature)).toBe(9);
  });

  it('sends nothing for a mark created and removed before it was sent', async () => {
    const server = new FakeAnnotationServer();
    const q = await open(server);
    q.put('a', point(1, 1));
    q.put('a', point(2, 2));
    q.remove('a');
    await q.flush();
    expect(server.calls).toEqual([]);
    expect(q.status()).toEqual({ state: 'saved', pending: 0, conflicts: 0, refused: 0 });
  });

  it('deletes a mark removed while it was being created', async () => {
    const server = new FakeAnnotationServer();
    const q = await open(server);
    q.put('a', point(1, 1));
    const sending = q.flush();
    q.remove('a');
    await sending;
    await q.flush();
    expect(server.calls.map((c) => c.op)).toEqual(['create', 'remove']);
    expect(server.marks.size).toBe(0);
  });

  it('takes a 404 on delete as done', async () => {
    const server = new FakeAnnotationServer();
    const q = await open(server);
    q.track('gone', 55, 3);
    q.remove('gone');
    await q.flush();
    expect(q.status().state).toBe('saved');
  });

  it('recognises its own edit when a retried update meets a 409', async () => {
    const server = new FakeAnnotationServer();
    const loaded = server.insert(point(5, 5));
    const q = await open(server);
    q.track('m', loaded.id, 1);
    server.loseAnswers = 1;
    q.put('m', point(6, 6));
    await q.flush();
    q.retryNow();
    await q.flush();
    expect(q.status()).toEqual({ state: 'saved', pending: 0, conflicts: 0, refused: 0 });
    q.put('m', point(8, 8));
    await q.flush();
    expect(server.calls.at(-1)).toEqual({ op: 'update', id: loaded.id, version: 2 });
  });

  describe('conflicts', () => {
    async function conflicted(): Promise<{ server: FakeAnnotationServer; q: SaveQueue; id: number }> {
      const server = new FakeAnnotationServer();
      const { id } = server.insert(point(5, 5));
      const q = await open(server);
      q.track('m', id, 1);
      server.edit(id, () => point(50, 50));
      q.put('m', point(6, 6));
      q.put('other', point(1, 1));
      await q.flush();
      return { server, q, id };
    }

    it('parks the mark with both versions and saves the rest', async () => {
      const { server, q } = await conflicted();
      expect(q.status()).toMatchObject({ state: 'conflict', conflicts: 1, pending: 0 });
      const [c] = q.conflicts();
      expect(c?.ref).toBe('m');
      expect(xOf(c?.mine ?? undefined)).toBe(6);
      expect(xOf(c?.conflict.theirs ?? undefined)).toBe(50);
      expect(c?.conflict.version).toBe(2);
      expect(server.marks.size).toBe(2);
    });

    it('keeps mine by sending it over their version', async () => {
      const { server, q, id } = await conflicted();
      expect(xOf(q.resolve('m', 'mine') ?? undefined)).toBe(6);
      await q.flush();
      expect(server.calls.at(-1)).toEqual({ op: 'update', id, version: 2 });
      expect(xOf(server.marks.get(id)?.feature)).toBe(6);
      expect(q.status().state).toBe('saved');
    });

    it('keeps theirs by dropping mine', async () => {
      const { server, q, id } = await conflicted();
      expect(xOf(q.resolve('m', 'theirs') ?? undefined)).toBe(50);
      await q.flush();
      expect(q.status().state).toBe('saved');
      q.put('m', point(7, 7));
      await q.flush();
      expect(server.calls.at(-1)).toEqual({ op: 'update', id, version: 2 });
    });

    it('treats an edit of a mark deleted meanwhile as a conflict, and re-creates it on "mine"', async () => {
      const server = new FakeAnnotationServer();
      const { id } = server.insert(point(5, 5));
      const q = await open(server);
      q.track('m', id, 1);
      server.marks.delete(id);
      q.put('m', point(6, 6));
      await q.flush();
      expect(q.conflicts()[0]?.conflict.theirs).toBeNull();
      q.resolve('m', 'mine');
      await q.flush();
      expect(server.calls.map((c) => c.op)).toEqual(['update', 'create']);
      expect(server.marks.size).toBe(1);
    });
  });

  it('keeps a refused mark as refused with the reason, never says saved, and never sends it by itself', async () => {
    const server = new FakeAnnotationServer();
    const q = await open(server);
    const rejected: [readonly string[], string][] = [];
    q.on({ rejected: (refs, msg) => rejected.push([refs, msg]) });
    server.reject = 'feature 0: coordinate outside the slide';
    q.put('a', point(-1e9, 1));
    await q.flush();
    expect(rejected).toEqual([[['a'], 'feature 0: coordinate outside the slide']]);
    expect(q.status()).toEqual({ state: 'refused', pending: 0, conflicts: 0, refused: 1, refusal: 'feature 0: coordinate outside the slide' });
    expect(q.refusals()).toEqual([{ ref: 'a', feature: point(-1e9, 1), serverId: null, message: 'feature 0: coordinate outside the slide' }]);
    // Not laid over the server's marks after a reload, and not sent again with the next marks.
    expect(q.changes()).toEqual([]);
    server.reject = null;
    q.put('b', point(2, 2));
    await q.flush();
    expect(server.calls.map((c) => c.count)).toEqual([1, 1]);
    expect(q.status().state).toBe('refused');
    q.discard('a');
    expect(q.status()).toEqual({ state: 'saved', pending: 0, conflicts: 0, refused: 0 });
    expect(q.refusals()).toEqual([]);
  });

  it('keeps a refused edit of another annotator\'s mark until the user sends it again or fixes it', async () => {
    const server = new FakeAnnotationServer();
    const theirs = server.insert(point(1, 1));
    const q = await open(server);
    q.track('m', theirs.id, theirs.version);
    server.forbid.add(theirs.id);
    q.put('m', point(9, 9));
    await q.flush();
    expect(q.refusals()).toMatchObject([{ ref: 'm', serverId: theirs.id, message: expect.stringContaining('reviewers and managers') }]);
    expect(q.status().state).toBe('refused');
    // A manager lets it through: sent again as it was.
    server.forbid.delete(theirs.id);
    q.retry('m');
    await q.flush();
    expect(q.status().state).toBe('saved');
    expect(xOf(server.marks.get(theirs.id)?.feature)).toBe(9);
    // Refused again, then edited anew: the new edit replaces the refused one and goes.
    server.forbid.add(theirs.id);
    q.put('m', point(5, 5));
    await q.flush();
    expect(q.status().state).toBe('refused');
    server.forbid.delete(theirs.id);
    q.put('m', point(6, 6));
    expect(q.refusals()).toEqual([]);
    await q.flush();
    expect(xOf(server.marks.get(theirs.id)?.feature)).toBe(6);
  });

  it('keeps refusals across a reload', async () => {
    const server = new FakeAnnotationServer();
    const store = new MemoryOutboxStore();
    const q = await open(server, store);
    server.reject = 'feature 0: category 4 (Stroma) is archived';
    q.put('a', point(1, 1));
    await q.flush();
    await q.idle();
    q.close();
    const again = await open(server, store);
    expect(again.refusals().map((r) => r.message)).toEqual(['feature 0: category 4 (Stroma) is archived']);
    expect(again.status().state).toBe('refused');
  });

  it('sends the marks of a refused batch one by one, so only the bad one is lost', async () => {
    const server = new FakeAnnotationServer();
    const q = await open(server);
    const rejected: (readonly string[])[] = [];
    q.on({ rejected: (refs) => rejected.push(refs) });
    server.refuse = (f) => xOf(f) === -5;
    q.put('a', point(1, 1));
    q.put('bad', point(-5, 1));
    q.put('c', point(3, 3));
    await q.flush();
    expect(server.calls.map((c) => c.count)).toEqual([3, 1, 1, 1]);
    expect(rejected).toEqual([['bad']]);
    expect(server.marks.size).toBe(2);
    expect(q.refusals().map((r) => r.ref)).toEqual(['bad']);
    q.put('d', point(4, 4));
    q.put('e', point(5, 5));
    await q.flush();
    expect(server.calls.at(-1)?.count).toBe(2);
  });

  describe('after a reload', () => {
    it('shows and sends what the previous page left', async () => {
      const server = new FakeAnnotationServer();
      const store = new MemoryOutboxStore();
      const { id } = server.insert(point(5, 5));
      const first = await open(server, store);
      first.track(String(id), id, 1);
      server.down = true;
      first.put('new', point(1, 1));
      first.put(String(id), point(6, 6));
      first.remove('never-saved');
      await first.flush();
      first.close();
      await first.idle();

      server.down = false;
      const second = await open(server, store);
      expect(second.changes().map((c) => [c.ref, xOf(c.feature ?? undefined)])).toEqual([
        ['new', 1],
        [String(id), 6],
      ]);
      await second.flush();
      // The create was stored as a flight before it first left: it goes again under its first key.
      expect(server.calls.filter((c) => c.op === 'create').map((c) => c.key)).toEqual(['key-1', 'key-1']);
      expect(server.marks.size).toBe(2);
      expect(xOf(server.marks.get(id)?.feature)).toBe(6);
    });

    it('keys edits of marks created here by their server id', async () => {
      const server = new FakeAnnotationServer();
      const store = new MemoryOutboxStore();
      const first = await open(server, store);
      first.put('cid-1', point(1, 1));
      await first.flush();
      server.down = true;
      first.put('cid-1', point(2, 2));
      await first.flush();
      first.close();
      await first.idle();

      server.down = false;
      const [id] = [...server.marks.keys()];
      const second = await open(server, store);
      expect(second.changes().map((c) => c.ref)).toEqual([String(id)]);
      await second.flush();
      expect(xOf(server.marks.get(id as number)?.feature)).toBe(2);
    });
  });

  it('keeps working from memory when the browser store fails', async () => {
    const server = new FakeAnnotationServer();
    const broken: OutboxStore = {
      load: () => Promise.reject(new Error('QuotaExceededError')),
      write: () => Promise.reject(new Error('QuotaExceededError')),
    };
    const q = await open(server, broken);
    q.put('a', point(1, 1));
    await q.flush();
    expect(server.marks.size).toBe(1);
    expect(q.status().message).toContain('QuotaExceededError');
  });

  it('does not retry a bug as if it were an outage', async () => {
    const server = new FakeAnnotationServer();
    const q = await open(server);
    server.create = () => Promise.reject(new TypeError('boom'));
    const rejected: string[] = [];
    q.on({ rejected: (_r, m) => rejected.push(m) });
    q.put('a', point(1, 1));
    await q.flush();
    expect(rejected).toEqual(['TypeError: boom']);
    expect(new ApiError(0, 'unavailable', 'x').status).toBe(0);
  });

  it('maps server ids back to refs, and lets go of marks the viewer no longer holds unless an edit waits', async () => {
    const server = new FakeAnnotationServer();
    const q = await open(server);
    const theirs = server.insert(point(0, 0));
    expect(theirs.id).toBe(100);
    q.track('100', 100, 1);
    q.put('client-a', point(1, 1));
    await q.flush();
    const id = q.serverId('client-a') as number;
    // The mark made here keeps its client ref: a viewport listing it by id finds that ref.
    expect(q.refOf(id)).toBe('client-a');
    expect(q.refOf(100)).toBe('100');
    expect(q.versionOf('100')).toBe(1);
    q.put('100', point(5, 5));
    expect(q.pending('100')).toBe(true);
    q.untrack('100');
    expect(q.versionOf('100')).toBe(1);
    await q.flush();
    expect(q.pending('100')).toBe(false);
    expect(q.versionOf('100')).toBe(2);
    q.untrack('100');
    q.untrack('client-a');
    expect([q.refOf(100), q.refOf(id), q.versionOf('100'), q.serverId('client-a')]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

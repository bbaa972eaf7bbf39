import { describe, expect, it } from 'vitest';
import type { Feature } from '../marks/mark';
import { MemoryOutboxStore, type Entry, type OutboxStore, type Scope, type Snapshot } from './outbox';
import { Pending } from './pending';

const scope: Scope = { user: '1', slide: '7' };

function point(x: number): Feature {
  return { type: 'Feature', geometry: { type: 'Point', coordinates: [x, x] }, properties: { category_id: 3, radius: 8 } };
}

const fresh = (ref: string, seq: number, extra: Partial<Entry> = {}): Entry => ({ ref, feature: point(seq), serverId: null, baseVersion: null, seq, ...extra });

function open(snap: Snapshot = { entries: [], flight: null }, store: OutboxStore = new MemoryOutboxStore()): { p: Pending; store: OutboxStore; errors: number[] } {
  const errors: number[] = [];
  const p = new Pending(store, scope, snap, () => errors.push(1));
  return { p, store, errors };
}

let keys = 0;
const newKey = (): string => `key-${++keys}`;

describe('Pending', () => {
  it('writes every change to the store, in order', async () => {
    const { p, store } = open();
    p.save(fresh('a', p.nextSeq()));
    p.save(fresh('b', p.nextSeq()));
    p.drop('a');
    await p.idle();
    expect((await store.load(scope)).entries.map((e) => e.ref)).toEqual(['b']);
    expect(p.sorted().map((e) => e.ref)).toEqual(['b']);
  });

  it('batches new marks oldest first, and stores the request before it leaves', async () => {
    const { p, store } = open();
    for (const ref of ['c', 'a', 'b']) p.save(fresh(ref, p.nextSeq()));
    const f = p.take(newKey, 2);
    expect(f).toMatchObject({ kind: 'create', items: [{ ref: 'c' }, { ref: 'a' }] });
    expect(p.flight).toBe(f);
    expect(p.inFlight('a')).toBe(true);
    expect(p.has('a')).toBe(false);
    await p.idle();
    const stored = await store.load(scope);
    expect(stored.flight?.key).toBe(f?.key);
    expect(stored.entries.map((e) => e.ref)).toEqual(['b']);
  });

  it('sends edits, deletions and marks that must go alone one by one', () => {
    const { p } = open();
    p.save(fresh('alone', p.nextSeq(), { alone: true }));
    p.save(fresh('new', p.nextSeq()));
    expect(p.take(newKey, 500)?.items.map((i) => i.ref)).toEqual(['alone']);
    const { p: q } = open();
    q.save(fresh('edit', q.nextSeq(), { serverId: 5, baseVersion: 2 }));
    q.save(fresh('gone', q.nextSeq(), { serverId: 6, baseVersion: 1, feature: null }));
    q.save(fresh('new', q.nextSeq()));
    const f = q.take(newKey, 500);
    expect(f).toMatchObject({ kind: 'update', items: [{ ref: 'edit', serverId: 5, baseVersion: 2 }] });
    // Only the identity travels, not the outbox's own bookkeeping.
    expect(Object.keys(f?.items[0] ?? {}).sort()).toEqual(['baseVersion', 'feature', 'ref', 'serverId']);
  });

  it('drops deletions of marks the server never had, and skips conflicts and refusals', () => {
    const { p } = open();
    p.save(fresh('never', p.nextSeq(), { feature: null }));
    p.save(fresh('c', p.nextSeq(), { conflict: { theirs: null, version: 0, message: 'x' } }));
    p.save(fresh('r', p.nextSeq(), { refused: 'no' }));
    expect(p.take(newKey, 500)).toBeNull();
    expect(p.sorted().map((e) => e.ref)).toEqual(['c', 'r']);
  });

  it('settles a request in one write that clears the stored flight', async () => {
    const store = new MemoryOutboxStore();
    const { p } = open(undefined, store);
    p.save(fresh('a', p.nextSeq()));
    p.save(fresh('b', p.nextSeq()));
    const f = p.take(newKey, 500);
    if (f === null) throw new Error('no flight');
    await p.idle();
    const before = store.writes;
    p.settle(f, [{ ...fresh('b', 9), serverId: 100, baseVersion: 1 }], ['a']);
    await p.idle();
    expect(store.writes).toBe(before + 1);
    expect(p.flight).toBeNull();
    const stored = await store.load(scope);
    expect(stored.flight).toBeNull();
    expect(stored.entries.map((e) => [e.ref, e.serverId])).toEqual([['b', 100]]);
  });

  it('keys restored entries by server id and keeps the newest of two', async () => {
    const store = new MemoryOutboxStore();
    const snap: Snapshot = {
      entries: [fresh('client-ref', 4, { serverId: 12, baseVersion: 1 }), fresh('12', 2, { serverId: 12, baseVersion: 1 }), fresh('new', 3)],
      flight: { key: 'k', kind: 'update', items: [{ ref: 'c2', feature: point(1), serverId: 13, baseVersion: 1 }] },
    };
    const { p } = open(snap, store);
    expect(p.sorted().map((e) => [e.ref, e.seq])).toEqual([['new', 3], ['12', 4]]);
    expect(p.flight?.items[0]?.ref).toBe('13');
    expect(p.inFlight('13')).toBe(true);
    expect(p.nextSeq()).toBe(5);
    // Only the re-keyed entry is written back: the store holds the others already.
    await p.idle();
    expect((await store.load(scope)).entries.map((e) => e.ref)).toEqual(['12']);
  });

  it('reports a failing store and goes on from memory', async () => {
    const broken: OutboxStore = { load: () => Promise.reject(new Error('no')), write: () => Promise.reject(new Error('quota')) };
    const { p, errors } = open(undefined, broken);
    p.save(fresh('a', p.nextSeq()));
    await p.idle();
    expect(errors).toHaveLength(1);
    expect(p.storeError).toMatch(/quota/);
    expect(p.has('a')).toBe(true);
  });
});

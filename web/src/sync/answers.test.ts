import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/error';
import type { Feature } from '../marks/mark';
import { Answers } from './answers';
import { Identities } from './identities';
import { MemoryOutboxStore, type Entry, type Flight } from './outbox';
import { Pending } from './pending';
import type { Saved } from './transport';

function point(x: number): Feature {
  return { type: 'Feature', geometry: { type: 'Point', coordinates: [x, x] }, properties: { category_id: 3, radius: 8 } };
}

/**
 * setUp puts entries in an outbox and takes them as one request, as the
 * queue does. An outbox loaded from the store keys marks the server has by
 * their id, so those entries' refs are their ids here.
 */
function setUp(entries: Entry[]): { a: Answers; p: Pending; ids: Identities; f: Flight; events: string[] } {
  const p = new Pending(new MemoryOutboxStore(), { user: '1', slide: '7' }, { entries, flight: null }, () => undefined);
  const ids = new Identities();
  const events: string[] = [];
  const a = new Answers(p, ids, {
    saved: (ref, s) => events.push(`saved ${ref} ${s === null ? 'gone' : `${s.id}v${s.version}`}`),
    rejected: (refs, message) => events.push(`rejected ${refs.join(',')}: ${message}`),
  });
  const f = p.take(() => 'key', 500);
  if (f === null) throw new Error('nothing to send');
  return { a, p, ids, f, events };
}

const entry = (ref: string, seq: number, extra: Partial<Entry> = {}): Entry => ({ ref, feature: point(seq), serverId: null, baseVersion: null, seq, ...extra });
const saved = (id: number, version: number, x: number): Saved => ({ id, version, feature: { ...point(x), id } });
const conflictError = (current: Saved | null): ApiError =>
  new ApiError(409, 'conflict', 'changed meanwhile', current === null ? {} : { current: { features: [{ ...current.feature, properties: { ...current.feature.properties, version: current.version } }] } });

describe('Answers.landed', () => {
  it('records identities and tells the listeners', () => {
    const { a, p, ids, f, events } = setUp([entry('a', 1), entry('b', 2)]);
    a.landed(f, f.items.map((i, n) => [i, saved(100 + n, 1, n)]));
    expect(ids.refOf(100)).toBe('a');
    expect(ids.get('b')).toEqual({ id: 101, version: 1 });
    expect(p.flight).toBeNull();
    expect(events).toEqual(['saved a 100v1', 'saved b 101v1']);
  });

  it('moves an edit made meanwhile onto the saved mark', () => {
    const { a, p, f } = setUp([entry('a', 1)]);
    p.save(entry('a', p.nextSeq()));
    a.landed(f, [[f.items[0] as Flight['items'][number], saved(100, 1, 1)]]);
    expect(p.get('a')).toMatchObject({ serverId: 100, baseVersion: 1 });
  });

  it('drops a deletion made meanwhile of a mark the server deleted, and re-creates a mark edited meanwhile', () => {
    const { a, p, f } = setUp([entry('5', 1, { serverId: 5, baseVersion: 1, feature: null })]);
    p.save(entry('5', p.nextSeq(), { serverId: 5, baseVersion: 1, feature: null }));
    a.landed(f, [[f.items[0] as Flight['items'][number], null]]);
    expect(p.has('5')).toBe(false);
    const second = setUp([entry('6', 1, { serverId: 6, baseVersion: 1, feature: null })]);
    second.p.save(entry('6', second.p.nextSeq(), { serverId: 6, baseVersion: 1 }));
    second.a.landed(second.f, [[second.f.items[0] as Flight['items'][number], null]]);
    expect(second.p.get('6')).toMatchObject({ serverId: null, baseVersion: null });
  });
});

describe('Answers.refused', () => {
  it('splits a refused batch so each mark goes alone', () => {
    const { a, p, f, events } = setUp([entry('a', 1), entry('b', 2)]);
    a.refused(f, new ApiError(400, 'invalid', 'bad mark'));
    expect(p.sorted().map((e) => [e.ref, e.alone])).toEqual([['a', true], ['b', true]]);
    expect(p.flight).toBeNull();
    expect(events).toEqual([]);
  });

  it('parks a change refused for good with the reason, and tells the listeners', () => {
    const { a, p, f, events } = setUp([entry('a', 1)]);
    a.refused(f, new ApiError(400, 'invalid', 'outside the slide'));
    expect(p.get('a')?.refused).toBe('outside the slide');
    expect(events).toEqual(['rejected a: outside the slide']);
  });

  it('parks a stale edit as a conflict with the current version', () => {
    const { a, p, f } = setUp([entry('5', 1, { serverId: 5, baseVersion: 1 })]);
    a.refused(f, conflictError(saved(5, 3, 50)));
    expect(p.get('5')?.conflict).toMatchObject({ version: 3, message: 'changed meanwhile', theirs: { id: 5 } });
  });

  it('takes a conflict with its own earlier result as a success', () => {
    const { a, p, ids, f, events } = setUp([entry('5', 1, { serverId: 5, baseVersion: 1 })]);
    a.refused(f, conflictError(saved(5, 2, 1)));
    expect(p.has('5')).toBe(false);
    expect(ids.get('5')).toEqual({ id: 5, version: 2 });
    expect(events).toEqual(['saved 5 5v2']);
  });

  it('takes a 404 on a deletion as done, and on an edit as a conflict with a deleted mark', () => {
    const del = setUp([entry('5', 1, { serverId: 5, baseVersion: 1, feature: null })]);
    del.a.refused(del.f, new ApiError(404, 'not_found', 'gone'));
    expect(del.p.has('5')).toBe(false);
    expect(del.events).toEqual(['saved 5 gone']);
    const upd = setUp([entry('6', 1, { serverId: 6, baseVersion: 1 })]);
    upd.a.refused(upd.f, new ApiError(404, 'not_found', 'gone'));
    expect(upd.p.get('6')?.conflict).toEqual({ theirs: null, version: 0, message: 'gone' });
  });
});

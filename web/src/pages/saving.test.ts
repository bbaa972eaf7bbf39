import { describe, expect, it } from 'vitest';
import { MarkDocument } from '../marks/document';
import { toFeature, type Mark } from '../marks/mark';
import { MemoryOutboxStore } from '../sync/outbox';
import { adopt, dedupe, outboxStore, showFeature } from './saving';

const square = (ref: string, x: number, extra: Partial<Mark> = {}): Mark => ({
  ref,
  category: '2',
  geometry: { kind: 'rectangle', rings: [[[x, 0], [x + 10, 0], [x + 10, 10], [x, 10], [x, 0]]] },
  ...extra,
});

function doc(...marks: Mark[]): MarkDocument {
  const d = new MarkDocument(1000, 1000, { put: () => undefined, remove: () => undefined }, '1');
  for (const m of marks) d.show(m);
  return d;
}

describe('showFeature', () => {
  it('shows a feature under the ref given, and forgets the ref for null', () => {
    const d = doc(square('old', 0));
    showFeature(d, 'a', toFeature(square('x', 20)));
    expect(d.get('a')?.geometry).toEqual(square('a', 20).geometry);
    showFeature(d, 'old', null);
    expect(d.get('old')).toBeUndefined();
  });
});

describe('adopt', () => {
  it('shows what the server kept of a shape, with the author shown before', () => {
    const d = doc(square('a', 0, { author: '7' }));
    adopt(d, 'a', toFeature(square('a', 5)));
    expect(d.get('a')).toMatchObject({ ref: 'a', author: '7', geometry: square('a', 5).geometry });
  });

  it('leaves a mark alone when the server kept it as it is, or it is not shown', () => {
    const shown = square('a', 0, { author: '7' });
    const d = doc(shown);
    adopt(d, 'a', toFeature(square('a', 0)));
    expect(d.get('a')).toBe(shown);
    adopt(d, 'gone', toFeature(square('gone', 0)));
    expect(d.get('gone')).toBeUndefined();
  });
});

describe('dedupe', () => {
  it("drops the server's copy of a mark shown under its client ref", () => {
    const d = doc(square('client-ref', 0), square('12', 0));
    dedupe(d, 'client-ref', 12);
    expect(d.get('12')).toBeUndefined();
    expect(d.get('client-ref')).toBeDefined();
  });

  it('keeps a mark that is known by its server id, and does nothing without an id', () => {
    const d = doc(square('12', 0));
    dedupe(d, '12', 12);
    dedupe(d, 'x', undefined);
    expect(d.get('12')).toBeDefined();
  });
});

describe('outboxStore', () => {
  it('keeps the outbox in memory where the browser has no IndexedDB', () => {
    expect(outboxStore()).toBeInstanceOf(MemoryOutboxStore);
  });
});

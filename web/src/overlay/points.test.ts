import { describe, expect, it } from 'vitest';
import { PointLayer, type PointMark } from './points';

function mark(id: string, x: number, y: number, category = 'a', radius = 5): PointMark {
  return { id, x, y, radius, category };
}

function queryIds(layer: PointLayer, x: number, y: number, width: number, height: number): string[] {
  const ids: string[] = [];
  layer.query({ x, y, width, height }, (slot) => ids.push(layer.markAt(slot).id));
  return ids.sort();
}

/** A deterministic pseudo-random sequence, so failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('PointLayer', () => {
  it('returns exactly the marks inside the query rectangle', () => {
    const layer = new PointLayer(10000, 8000);
    layer.addAll([mark('in', 500, 500), mark('edge', 1000, 1000), mark('out', 1001, 500), mark('far', 9000, 7000)]);
    expect(queryIds(layer, 0, 0, 1000, 1000)).toEqual(['edge', 'in']);
  });

  it('agrees with a brute-force scan on random data', () => {
    const rnd = lcg(42);
    const w = 60000;
    const h = 40000;
    const layer = new PointLayer(w, h);
    const marks: PointMark[] = [];
    for (let i = 0; i < 5000; i++) marks.push(mark(`m${i}`, rnd() * w, rnd() * h));
    layer.addAll(marks);
    for (let q = 0; q < 50; q++) {
      const x = rnd() * w - 1000;
      const y = rnd() * h - 1000;
      const qw = rnd() * 20000;
      const qh = rnd() * 20000;
      const want = marks
        .filter((m) => m.x >= x && m.y >= y && m.x <= x + qw && m.y <= y + qh)
        .map((m) => m.id)
        .sort();
      expect(queryIds(layer, x, y, qw, qh)).toEqual(want);
    }
  });

  it('finds marks placed outside the image only where they are', () => {
    const layer = new PointLayer(1000, 1000);
    layer.addAll([mark('left', -50000, 500), mark('inside', 10, 500)]);
    expect(queryIds(layer, -10, 0, 100, 1000)).toEqual(['inside']);
    expect(queryIds(layer, -60000, 0, 20000, 1000)).toEqual(['left']);
  });

  it('replaces a mark added twice and forgets removed ones', () => {
    const layer = new PointLayer(1000, 1000);
    layer.add(mark('x', 10, 10));
    layer.add(mark('x', 900, 900, 'b'));
    expect(layer.size).toBe(1);
    expect(queryIds(layer, 0, 0, 100, 100)).toEqual([]);
    expect(layer.get('x')).toEqual(mark('x', 900, 900, 'b'));
    expect(layer.remove('x')).toBe(true);
    expect(layer.remove('x')).toBe(false);
    expect(queryIds(layer, 0, 0, 1000, 1000)).toEqual([]);
  });

  it('reuses freed slots and grows past its initial capacity', () => {
    const layer = new PointLayer(5000, 5000);
    for (let i = 0; i < 3000; i++) layer.add(mark(`m${i}`, i, i));
    for (let i = 0; i < 1000; i++) layer.remove(`m${i}`);
    for (let i = 0; i < 1000; i++) layer.add(mark(`n${i}`, 4000, 10));
    expect(layer.size).toBe(3000);
    expect(queryIds(layer, 3999, 9, 2, 2)).toHaveLength(1000);
    expect(layer.get('m2999')?.x).toBe(2999);
  });

  it('counts marks per category', () => {
    const layer = new PointLayer(100, 100);
    layer.addAll([mark('1', 1, 1, 'tumour'), mark('2', 2, 2, 'tumour'), mark('3', 3, 3, 'stroma')]);
    expect(Object.fromEntries(layer.countByCategory())).toEqual({ tumour: 2, stroma: 1 });
  });

  it('finds the nearest mark within tolerance', () => {
    const layer = new PointLayer(1000, 1000);
    layer.addAll([mark('a', 100, 100, 'a', 10), mark('b', 130, 100, 'a', 10)]);
    expect(layer.nearest(108, 100, 0)?.id).toBe('a');
    expect(layer.nearest(121, 100, 0)?.id).toBe('b');
    // 2 px outside a's disc, 8 px outside b's: found only with enough tolerance.
    expect(layer.nearest(112, 100, 0)).toBeUndefined();
    expect(layer.nearest(112, 100, 3)?.id).toBe('a');
    expect(layer.nearest(300, 300, 5)).toBeUndefined();
  });

  it('bumps its revision on every edit', () => {
    const layer = new PointLayer(100, 100);
    const r0 = layer.revision;
    layer.add(mark('a', 1, 1));
    layer.remove('a');
    expect(layer.revision).toBe(r0 + 2);
  });
});

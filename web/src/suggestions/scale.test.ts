import { describe, expect, it } from 'vitest';
import type { Suggestion } from '../api/suggestions';
import type { FramePlan } from '../overlay/render';
import { SuggestionIndex } from './index';
import { around, covers, loadRegion, quarters, type Region } from './loader';
import { RingPainter, ringOffsets } from './rings';

const model = { name: 'm', version: '1' };
const dot = (id: number, x: number, y: number): Suggestion => ({ id, geometry: { type: 'Point', coordinates: [x, y] }, properties: { category_id: 3, radius: 4, model, state: 'undecided' } });
const square = (id: number, x: number, y: number, w: number): Suggestion => ({
  id,
  geometry: { type: 'Polygon', coordinates: [[[x, y], [x + w, y], [x + w, y + w], [x, y + w], [x, y]]] },
  properties: { category_id: 4, model, state: 'undecided' },
});

describe('SuggestionIndex', () => {
  it('keeps dots in the grid and regions by box, finds what is under the pointer, forgets decided ones', () => {
    const ix = new SuggestionIndex(10_000, 10_000);
    ix.replace([dot(1, 100, 100), dot(2, 5000, 5000), square(3, 90, 90, 200)]);
    expect(ix.size).toBe(3);
    expect(ix.at(103, 100, 2)?.id).toBe(1);
    expect(ix.at(250, 250, 2)?.id).toBe(3);
    expect(ix.at(9000, 9000, 2)).toBeNull();
    expect(ix.areasIn({ x: 0, y: 0, width: 100, height: 100 }).map((s) => s.id)).toEqual([3]);
    expect(ix.areasIn({ x: 4000, y: 4000, width: 100, height: 100 })).toEqual([]);
    const inView: number[] = [];
    ix.points.query({ x: 4000, y: 4000, width: 2000, height: 2000 }, (slot) => inView.push(ix.idAt(slot)));
    expect(inView).toEqual([2]);
    ix.remove(1);
    ix.remove(3);
    expect(ix.at(103, 100, 2)).toBeNull();
    expect(ix.size).toBe(1);
  });
});

describe('loadRegion', () => {
  /** a server holding n dots on a diagonal, answering at most limit a box, as the annotation service does. */
  const server = (n: number, limit: number) => {
    const all = Array.from({ length: n }, (_, i) => dot(i + 1, (i * 10_000) / n, (i * 10_000) / n));
    const asked: Region[] = [];
    const list = async (b: Region) => {
      asked.push(b);
      const inside = all.filter((s) => {
        const [x, y] = s.geometry.coordinates as [number, number];
        return x >= Math.floor(b[0]) && x <= Math.ceil(b[2]) && y >= Math.floor(b[1]) && y <= Math.ceil(b[3]);
      });
      return { features: inside.slice(0, limit), truncated: inside.length > limit };
    };
    return { list, asked };
  };

  it('splits truncated boxes until every suggestion came, each once', async () => {
    const s = server(1000, 300);
    const got = await loadRegion(s.list, [0, 0, 10_000, 10_000], 300);
    expect(got.complete).toBe(true);
    expect(new Set(got.list.map((x) => x.id)).size).toBe(1000);
    expect(got.list.length).toBe(1000);
  });

  it('splits up front when the count is known, and says when the depth ran out', async () => {
    const s = server(1000, 300);
    await loadRegion(s.list, [0, 0, 10_000, 10_000], 300, 1000);
    expect(s.asked.length).toBeGreaterThanOrEqual(16);
    expect(s.asked[0]).toEqual([0, 0, 2500, 2500]);
    const shallow = await loadRegion(server(1000, 300).list, [0, 0, 10_000, 10_000], 300, 0, 0);
    expect(shallow).toMatchObject({ complete: false });
    expect(shallow.list.length).toBe(300);
  });

  it('grows a view by a quarter within the slide, and tells when a view is covered', () => {
    expect(quarters([0, 0, 10, 20])).toEqual([[0, 0, 5, 10], [5, 0, 10, 10], [0, 10, 5, 20], [5, 10, 10, 20]]);
    expect(around([100, 100, 500, 300], 550, 10_000)).toEqual([0, 50, 550, 350]);
    expect(covers([0, 50, 550, 350], [100, 100, 500, 300])).toBe(true);
    expect(covers([0, 50, 550, 350], [100, 100, 500, 400])).toBe(false);
    expect(covers(null, [0, 0, 1, 1])).toBe(false);
  });
});

describe('rings', () => {
  it('lists a ring, not a disc: no pixel near the centre', () => {
    const r = ringOffsets(4, 2);
    const d = [];
    for (let i = 0; i < r.length; i += 2) d.push(Math.hypot(r[i] as number, r[i + 1] as number));
    expect(Math.min(...d)).toBeGreaterThanOrEqual(3);
    expect(Math.max(...d)).toBeLessThanOrEqual(5);
    expect(r.length / 2).toBeLessThan(Math.PI * 25);
  });

  it('writes rings in each category colour, clipped to the canvas', () => {
    const plan: FramePlan = { buckets: [Float32Array.from([5, 5, 4, 0, 0, 4])], counts: [2], considered: 2, drawn: 2, area: 0 };
    const px = new Uint32Array(20 * 20);
    new RingPainter(1).paint(px, 20, 20, 1, plan, () => 7);
    expect(px[5 * 20 + 9]).toBe(7);
    expect(px[5 * 20 + 5]).toBe(0);
    expect(px[0 * 20 + 4]).toBe(7);
  });
});

describe('picture maps', () => {
  it('composes maps and tells a pan from a zoom', async () => {
    const { compose, sameLinear } = await import('./overlay');
    const m = { a: 0.5, b: 0, c: 0, d: 0.5, e: 10, f: 20 };
    const n = { a: 2, b: 0, c: 0, d: 2, e: -5, f: 4 };
    expect(compose(m, n)).toEqual({ a: 1, b: 0, c: 0, d: 1, e: 7.5, f: 22 });
    expect(sameLinear(m, { ...m, e: 300, f: -4 })).toBe(true);
    expect(sameLinear(m, { ...m, a: 0.51, d: 0.51 })).toBe(false);
  });
});

describe('paintAreas', () => {
  it('draws regions as one dashed path per category, solid and thin when dense', async () => {
    const { paintAreas } = await import('./overlay');
    const log: string[] = [];
    const ctx = {
      setLineDash: (d: number[]) => log.push(`dash ${d.join(',')}`),
      beginPath: () => log.push('path'),
      moveTo: (x: number, y: number) => log.push(`move ${x},${y}`),
      lineTo: () => undefined,
      stroke: () => log.push(`stroke ${String(ctx.strokeStyle)} ${ctx.lineWidth}`),
      strokeStyle: '',
      lineWidth: 0,
    };
    const c = ctx as unknown as CanvasRenderingContext2D;
    const m = { a: 0.5, b: 0, c: 0, d: 0.5, e: 10, f: 0 };
    paintAreas(c, [square(1, 100, 100, 10), square(2, 200, 200, 10), { ...square(3, 0, 0, 10), properties: { ...square(3, 0, 0, 10).properties, category_id: 5 } }], m, (cat) => `#${cat}`);
    expect(log.filter((l) => l === 'path').length).toBe(2);
    expect(log).toContain('dash 6,4');
    expect(log).toContain('move 60,50');
    expect(log).toContain('stroke #4 2');
    expect(log).toContain('stroke #5 2');
    log.length = 0;
    paintAreas(c, Array.from({ length: 2001 }, (_, i) => square(i + 1, i, i, 5)), m, () => '#000');
    expect(log[0]).toBe('dash ');
    expect(log).toContain('stroke #000 1');
  });

  it('tells a drawing it is stale when suggestions come or go', () => {
    const ix = new SuggestionIndex(1000, 1000);
    const r0 = ix.revision;
    ix.add(square(1, 0, 0, 10));
    const r1 = ix.revision;
    ix.remove(1);
    expect(r1).not.toBe(r0);
    expect(ix.revision).not.toBe(r1);
  });
});

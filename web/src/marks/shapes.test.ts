import { describe, expect, it } from 'vitest';
import type { Geometry, Mark, Ring } from './mark';
import {
  clampGeometry,
  area,
  areaGeometry,
  closeRing,
  ellipseRing,
  geometryBounds,
  handlesOf,
  hits,
  insideRing,
  moveHandle,
  rectangleRing,
  selfIntersects,
  simplify,
  translate,
} from './shapes';

const square: Ring = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]];
const bowtie: Ring = [[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]];

describe('making shapes', () => {
  it('normalises a rectangle dragged in any direction', () => {
    expect(rectangleRing({ x: 10, y: 10 }, { x: 0, y: 0 })).toEqual(square);
  });

  it('makes a closed ellipse inside its box, with area close to πab', () => {
    const ring = ellipseRing({ x: 0, y: 0 }, { x: 200, y: 100 });
    expect(ring[0]).toEqual(ring[ring.length - 1]);
    const b = geometryBounds({ kind: 'ellipse', rings: [ring] });
    expect(b.x).toBeCloseTo(0);
    expect(b.width).toBeCloseTo(200);
    expect(area(ring) / (Math.PI * 100 * 50)).toBeGreaterThan(0.97);
  });

  it('closes an open outline once', () => {
    expect(closeRing([{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 1, y: 1 }])).toEqual([[0, 0], [1, 0], [1, 1], [0, 0]]);
    expect(closeRing([{ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 0, y: 0 }])).toHaveLength(3);
  });

  it('simplifies a freehand stroke, keeping its corners', () => {
    const stroke = [];
    for (let i = 0; i <= 100; i++) stroke.push({ x: i, y: i % 2 === 0 ? 0 : 0.1 });
    stroke.push({ x: 100, y: 50 });
    expect(simplify(stroke, 0.5)).toEqual([{ x: 0, y: 0 }, { x: 100, y: 0 }, { x: 100, y: 50 }]);
  });

  it.each<[string, Ring, string | null]>([
    ['a square', square, null],
    ['a bow tie', bowtie, 'crosses itself'],
    ['a line', [[0, 0], [5, 5], [10, 10], [0, 0]], 'no area'],
    ['two corners', [[0, 0], [5, 5], [0, 0]], 'three corners'],
  ])('accepts or explains %s', (_name, ring, problem) => {
    const got = areaGeometry('freehand', ring);
    if (problem === null) expect(got).toEqual({ kind: 'freehand', rings: [ring] });
    else expect(got).toContain(problem);
  });

  it('finds crossings only between edges that do not share a corner', () => {
    expect(selfIntersects(square)).toBe(false);
    expect(selfIntersects(bowtie)).toBe(true);
  });
});

describe('hit testing', () => {
  const withHole: Mark = { ref: 'h', category: '1', geometry: { kind: 'polygon', rings: [square, [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]] } };
  it.each([
    [{ x: 2, y: 2 }, true],
    [{ x: 5, y: 5 }, false],
    [{ x: 10.5, y: 5 }, true],
    [{ x: 12, y: 5 }, false],
  ])('polygon with a hole at %o: %s', (p, want) => {
    expect(hits(withHole, p, 1)).toBe(want);
  });

  it('takes a dot by its radius plus the tolerance', () => {
    const dot: Mark = { ref: 'd', category: '1', geometry: { kind: 'point', x: 0, y: 0, radius: 5 } };
    expect(hits(dot, { x: 6, y: 0 }, 1)).toBe(true);
    expect(hits(dot, { x: 6.5, y: 0 }, 1)).toBe(false);
  });

  it('uses the even-odd rule', () => {
    expect(insideRing(square, { x: 5, y: 5 })).toBe(true);
    expect(insideRing(square, { x: -1, y: 5 })).toBe(false);
  });
});

describe('editing', () => {
  it('moves any geometry', () => {
    expect(translate({ kind: 'point', x: 1, y: 2, radius: 3 }, 10, 20)).toEqual({ kind: 'point', x: 11, y: 22, radius: 3 });
    expect(translate({ kind: 'polygon', rings: [square] }, 1, 1)).toEqual({ kind: 'polygon', rings: [square.map(([x, y]) => [x + 1, y + 1])] });
  });

  it('drags a polygon vertex, keeping the ring closed', () => {
    const g = moveHandle({ kind: 'polygon', rings: [square] }, 0, { x: -5, y: -5 }) as unknown as { rings: Ring[] };
    expect(g.rings[0]?.[0]).toEqual([-5, -5]);
    expect(g.rings[0]?.[4]).toEqual([-5, -5]);
  });

  it('resizes a rectangle by a corner, keeping the opposite corner', () => {
    const rect: Geometry = { kind: 'rectangle', rings: [square] };
    expect(handlesOf(rect).map((h) => [h.x, h.y])).toEqual([[0, 0], [10, 0], [10, 10], [0, 10]]);
    expect(moveHandle(rect, 2, { x: 20, y: 30 })).toEqual({ kind: 'rectangle', rings: [rectangleRing({ x: 0, y: 0 }, { x: 20, y: 30 })] });
  });

  it('lists one handle per polygon vertex', () => {
    expect(handlesOf({ kind: 'freehand', rings: [square] })).toHaveLength(4);
    expect(handlesOf({ kind: 'point', x: 0, y: 0, radius: 1 })).toEqual([]);
  });
});

describe('clampGeometry at the slide edge', () => {
  it('cuts a freehand loop that wanders off the slide along the edge, without folding it', () => {
    // Out over the right edge (x = 100), a wiggle outside, and back.
    const loop: Ring = [[80, 10], [120, 10], [130, 20], [115, 30], [125, 40], [80, 40], [80, 10]];
    const g = clampGeometry({ kind: 'freehand', rings: [loop] }, 100, 100);
    expect(g).toEqual({ kind: 'freehand', rings: [[[80, 10], [100, 10], [100, 40], [80, 40], [80, 10]]] });
    // Pulling vertices in instead gives (100,10),(100,20),(100,30),(100,40): the outline runs back over itself.
  });

  it('turns a cut ellipse into a polygon and drops holes off the slide', () => {
    const outer: Ring = [[50, 10], [150, 10], [150, 60], [50, 60], [50, 10]];
    const hole: Ring = [[120, 20], [140, 20], [140, 40], [120, 20]];
    const g = clampGeometry({ kind: 'ellipse', rings: [outer, hole] }, 100, 100);
    expect(g.kind).toBe('polygon');
    expect(g.kind !== 'point' && g.kind !== 'polyline' ? g.rings.length : 0).toBe(1);
  });

  it('leaves shapes on the slide untouched', () => {
    const g = { kind: 'polygon', rings: [[[1, 1], [5, 1], [5, 5], [1, 1]]] } as const;
    expect(clampGeometry(g, 100, 100)).toBe(g);
  });
});

import { describe, expect, it } from 'vitest';
import { brushRings } from './brush';
import { area, insideRing, selfIntersects } from './shapes';

describe('brushRings', () => {
  it('buffers a straight stroke into a capsule of the right size', () => {
    const rings = brushRings([{ x: 0, y: 0 }, { x: 100, y: 0 }], 10, 1);
    expect(rings).toHaveLength(1);
    const ring = rings?.[0] ?? [];
    expect(selfIntersects(ring)).toBe(false);
    expect(ring[0]).toEqual(ring[ring.length - 1]);
    // A 100 × 20 box plus a disc of radius 10.
    expect(Math.abs(area(ring))).toBeGreaterThan(0.95 * (2000 + Math.PI * 100));
    expect(Math.abs(area(ring))).toBeLessThan(1.05 * (2000 + Math.PI * 100));
    expect(insideRing(ring, { x: 50, y: 8 })).toBe(true);
    expect(insideRing(ring, { x: 50, y: 12 })).toBe(false);
    expect(insideRing(ring, { x: 108, y: 0 })).toBe(true);
  });

  it('makes a disc of a click', () => {
    const ring = brushRings([{ x: 50, y: 50 }], 20, 1)?.[0] ?? [];
    expect(Math.abs(area(ring))).toBeCloseTo(Math.PI * 400, -2);
  });

  it('keeps the hole a closed loop of strokes encircles', () => {
    const square = [{ x: 0, y: 0 }, { x: 100, y: 0 }, { x: 100, y: 100 }, { x: 0, y: 100 }, { x: 0, y: 0 }];
    const rings = brushRings(square, 5, 1) ?? [];
    expect(rings).toHaveLength(2);
    const [outer, hole] = rings as [typeof rings[0], typeof rings[0]];
    expect(insideRing(outer, { x: 50, y: 50 })).toBe(true);
    expect(insideRing(hole, { x: 50, y: 50 })).toBe(true);
    expect(insideRing(hole, { x: 50, y: 2 })).toBe(false);
  });

  it('bounds the grid of a very long stroke', () => {
    const rings = brushRings([{ x: 0, y: 0 }, { x: 1_000_000, y: 1_000_000 }], 50, 1);
    expect(rings?.[0]?.length).toBeGreaterThan(3);
  });

  it('answers null for nothing', () => {
    expect(brushRings([], 5, 1)).toBeNull();
    expect(brushRings([{ x: 1, y: 1 }], 0, 1)).toBeNull();
  });
});

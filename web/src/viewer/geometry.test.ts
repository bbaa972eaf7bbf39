import { describe, expect, it } from 'vitest';
import {
  affineFromPoints,
  apply,
  expand,
  identity,
  intersects,
  invert,
  scaleOf,
  visibleImageRect,
  type Affine,
} from './geometry';

// A viewer zoomed to 0.25 screen px per image px, panned by (100, 50).
const zoomed: Affine = { a: 0.25, b: 0, c: 0, d: 0.25, e: 100, f: 50 };
// The same zoom rotated 90° clockwise: image +x goes screen +y.
const rotated: Affine = { a: 0, b: 0.25, c: -0.25, d: 0, e: 800, f: 0 };

describe('apply and invert', () => {
  it.each([
    ['identity', identity],
    ['zoomed', zoomed],
    ['rotated', rotated],
  ])('round-trips through the inverse (%s)', (_name, m) => {
    const inv = invert(m);
    expect(inv).not.toBeNull();
    for (const [x, y] of [[0, 0], [1234.5, 987], [-40, 60000]] as const) {
      const s = apply(m, x, y);
      const back = apply(inv as Affine, s.x, s.y);
      expect(back.x).toBeCloseTo(x, 6);
      expect(back.y).toBeCloseTo(y, 6);
    }
  });

  it('maps image to screen with scale then offset', () => {
    expect(apply(zoomed, 400, 200)).toEqual({ x: 200, y: 100 });
  });

  it('refuses a singular map', () => {
    expect(invert({ a: 0, b: 0, c: 0, d: 0, e: 1, f: 1 })).toBeNull();
  });
});

describe('affineFromPoints', () => {
  it('recovers the map from the images of three points', () => {
    const unit = 100000;
    const got = affineFromPoints(apply(rotated, 0, 0), apply(rotated, unit, 0), apply(rotated, 0, unit), unit);
    for (const k of ['a', 'b', 'c', 'd', 'e', 'f'] as const) expect(got[k]).toBeCloseTo(rotated[k], 9);
  });
});

describe('scaleOf', () => {
  it('is the zoom factor whatever the rotation', () => {
    expect(scaleOf(zoomed)).toBeCloseTo(0.25);
    expect(scaleOf(rotated)).toBeCloseTo(0.25);
  });
});

describe('visibleImageRect', () => {
  it('is the screen seen in image pixels', () => {
    const r = visibleImageRect(invert(zoomed) as Affine, 800, 600);
    expect(r).toEqual({ x: -400, y: -200, width: 3200, height: 2400 });
  });

  it('covers the whole screen under rotation', () => {
    const r = visibleImageRect(invert(rotated) as Affine, 800, 600);
    // Screen x (0..800) comes from image y, screen y (0..600) from image x.
    expect(r.x).toBeCloseTo(0);
    expect(r.width).toBeCloseTo(2400);
    expect(r.y).toBeCloseTo(0);
    expect(r.height).toBeCloseTo(3200);
  });
});

describe('rectangles', () => {
  it('expands on every side', () => {
    expect(expand({ x: 10, y: 10, width: 5, height: 5 }, 2)).toEqual({ x: 8, y: 8, width: 9, height: 9 });
  });

  it.each([
    [{ x: 0, y: 0, width: 10, height: 10 }, { x: 5, y: 5, width: 10, height: 10 }, true],
    [{ x: 0, y: 0, width: 10, height: 10 }, { x: 10, y: 10, width: 1, height: 1 }, true],
    [{ x: 0, y: 0, width: 10, height: 10 }, { x: 11, y: 0, width: 1, height: 1 }, false],
  ])('intersects(%o, %o) = %s', (a, b, want) => {
    expect(intersects(a, b)).toBe(want);
    expect(intersects(b, a)).toBe(want);
  });
});

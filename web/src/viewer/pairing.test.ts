import { describe, expect, it } from 'vitest';
import { describePairing, follow, mppKnown, pairing } from './pairing';

// CMU-1-Small-Region.svs (0.499 µm/px) beside the NDPI test slide (0.22818 µm/px).
const svs = { width: 2220, height: 2967, mpp: 0.499 };
const ndpi = { width: 3968, height: 4864, mpp: 0.22818 };
const png = { width: 512, height: 512 };

describe('pairing', () => {
  it('matches by microns per pixel when both slides say it', () => {
    const p = pairing(svs, ndpi);
    expect(p.match).toBe('mpp');
    expect(p.ratio).toBeCloseTo(0.499 / 0.22818, 10);
    expect(mppKnown(svs, ndpi)).toBe(true);
  });

  it('falls back to the image sizes when one does not', () => {
    const p = pairing(svs, png);
    expect(p.match).toBe('size');
    expect(p.ratio).toBeCloseTo(Math.sqrt((512 / 2220) * (512 / 2967)), 10);
    expect(pairing({ ...svs, mpp: 0 }, ndpi).match).toBe('size');
    expect(pairing(svs, { ...ndpi, mpp: Number.NaN }).match).toBe('size');
  });

  it('does what the user picks: pixel for pixel, or sizes although mpp is known', () => {
    expect(pairing(svs, ndpi, 'pixels')).toEqual({ ratio: 1, match: 'pixels' });
    expect(pairing(svs, ndpi, 'size').match).toBe('size');
    // mpp cannot be had without both values.
    expect(pairing(svs, png, 'mpp').match).toBe('size');
  });
});

describe('follow', () => {
  const p = pairing(svs, ndpi);

  it('shows the same physical place at the same physical size on the other side', () => {
    const right = follow({ x: 1000, y: 500, scale: 0.5 }, 0, p, { x: 0, y: 0 });
    // Microns from the slide origin and microns per screen pixel are equal on both sides.
    expect(right.x * ndpi.mpp).toBeCloseTo(1000 * svs.mpp, 9);
    expect(right.y * ndpi.mpp).toBeCloseTo(500 * svs.mpp, 9);
    expect(ndpi.mpp / right.scale).toBeCloseTo(svs.mpp / 0.5, 9);
  });

  it('applies the offset in left pixels, both ways, and undoes itself', () => {
    const o = { x: 100, y: -40 };
    const left = { x: 1234, y: 567, scale: 0.3 };
    const right = follow(left, 0, p, o);
    expect(right.x).toBeCloseTo((1234 + 100) * p.ratio, 9);
    expect(right.y).toBeCloseTo((567 - 40) * p.ratio, 9);
    const back = follow(right, 1, p, o);
    expect(back.x).toBeCloseTo(left.x, 9);
    expect(back.y).toBeCloseTo(left.y, 9);
    expect(back.scale).toBeCloseTo(left.scale, 12);
  });

  it('moves the other side by the ratio when one side pans', () => {
    const a = follow({ x: 1000, y: 1000, scale: 1 }, 0, p, { x: 0, y: 0 });
    const b = follow({ x: 1100, y: 1000, scale: 1 }, 0, p, { x: 0, y: 0 });
    expect(b.x - a.x).toBeCloseTo(100 * p.ratio, 9);
  });
});

describe('describePairing', () => {
  it('says how the halves are matched', () => {
    expect(describePairing(pairing(svs, ndpi))).toMatch(/^1 px left = 2\.19 px right \(same physical size/);
    expect(describePairing(pairing(svs, png))).toMatch(/^1 px left = 0\.199 px right \(from the image sizes/);
    expect(describePairing({ ratio: 100, match: 'size' })).toMatch(/^1 px left = 100 px/);
    expect(describePairing(pairing(svs, ndpi, 'pixels'))).toMatch(/^1 px left = 1 px right \(pixel for pixel\)/);
  });
});

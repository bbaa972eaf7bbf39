import { describe, expect, it } from 'vitest';
import { cellFor, covers, defaultLodOptions, detailFor, estimate, regionFor, toleranceFor, wholeSlide } from './lod';

describe('detailFor', () => {
  it('shows counts once a usual mark (radius 8) is narrower than a screen pixel', () => {
    // 16 image px across: below 1/16 screen px per image px it is a speck.
    expect(detailFor(1 / 17)).toEqual({ kind: 'grid', cell: cellFor(1 / 17, 48) });
    expect(detailFor(1 / 15).kind).toBe('marks');
    expect(detailFor(0.01)).toEqual({ kind: 'grid', cell: 8192 });
  });

  it('asks exact shapes from 1:1 on and thinned ones, never by more than half a screen pixel, below', () => {
    expect(detailFor(1)).toEqual({ kind: 'marks', tolerance: 0 });
    expect(detailFor(4)).toEqual({ kind: 'marks', tolerance: 0 });
    for (const scale of [0.9, 0.5, 0.3, 0.1, 0.07]) {
      const t = toleranceFor(scale);
      expect(t).toBeGreaterThan(0);
      expect(t * scale).toBeLessThanOrEqual(0.5);
      // Powers of two, so a small zoom keeps what is loaded.
      expect(Number.isInteger(Math.log2(t))).toBe(true);
    }
    expect(toleranceFor(0.25)).toBe(2);
    expect(toleranceFor(0.3)).toBe(1);
  });
});

describe('cellFor', () => {
  it('picks the smallest 1024·2^k cell that is wide enough on screen to carry its number', () => {
    expect(cellFor(0.05, 48)).toBe(1024);
    expect(cellFor(0.04, 48)).toBe(2048);
    expect(cellFor(0.001, 48)).toBe(65536);
    for (const scale of [0.001, 0.003, 0.02, 0.06]) {
      const cell = cellFor(scale, 48);
      expect(cell * scale).toBeGreaterThanOrEqual(48);
      expect(cell === 1024 || (cell / 2) * scale < 48).toBe(true);
    }
  });
});

describe('regions', () => {
  const slide = { width: 100_000, height: 80_000 };

  it('grows the view by the margin, snaps it out and keeps it on the slide', () => {
    const r = regionFor({ x: 1000, y: 2000, width: 1000, height: 800 }, slide, 0.25, 256);
    expect(r).toEqual({ x0: 512, y0: 1792, x1: 2304, y1: 3072 });
    expect(regionFor({ x: -500, y: -500, width: 1000, height: 800 }, slide, 0.25, 256)).toMatchObject({ x0: 0, y0: 0 });
    expect(wholeSlide(regionFor({ x: -10_000, y: -10_000, width: 200_000, height: 150_000 }, slide, 0.25, 256), slide)).toBe(true);
  });

  it('tells when a loaded region still covers the view', () => {
    const r = regionFor({ x: 1000, y: 2000, width: 1000, height: 800 }, slide, 0.25, 256);
    expect(covers(r, { x: 1100, y: 2100, width: 1000, height: 800 }, slide)).toBe(true);
    expect(covers(r, { x: 1600, y: 2100, width: 1000, height: 800 }, slide)).toBe(false);
    // Only the part on the slide counts: the blank around it needs nothing.
    expect(covers({ x0: 0, y0: 0, x1: 2000, y1: 1000 }, { x: -400, y: -300, width: 2000, height: 1000 }, slide)).toBe(true);
  });
});

describe('estimate', () => {
  it('counts the marks of cells inside the box, and a share of those it cuts', () => {
    const grid = {
      cell: 1024,
      cells: [
        { col: 0, row: 0, category: '1', count: 100 },
        { col: 1, row: 0, category: '1', count: 40 },
        { col: 1, row: 0, category: '2', count: 60 },
        { col: 5, row: 5, category: '1', count: 1000 },
      ],
    };
    expect(estimate(grid, { x0: 0, y0: 0, x1: 2048, y1: 1024 })).toBe(200);
    expect(estimate(grid, { x0: 0, y0: 0, x1: 1536, y1: 512 })).toBe(50 + 25);
    expect(estimate(grid, { x0: 3000, y0: 3000, x1: 4000, y1: 4000 })).toBe(0);
  });

  it('keeps the default limit at the service cap', () => {
    expect(defaultLodOptions.limit).toBe(50_000);
  });
});

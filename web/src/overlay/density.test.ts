import { describe, expect, it } from 'vitest';
import type { Affine } from '../viewer/geometry';
import { DensityMap, formatCount, paintDensity, type DensityContext, type DensityStyle } from './density';

/** recorder is a 2D context that writes down what it draws; text is 7 px per character wide. */
function recorder(): DensityContext & { log: string[] } {
  const log: string[] = [];
  let path: string[] = [];
  const ctx = {
    log,
    fillStyle: '',
    strokeStyle: '',
    lineWidth: 1,
    globalAlpha: 1,
    font: '',
    textAlign: 'start',
    textBaseline: 'alphabetic',
    lineJoin: 'miter',
    beginPath: () => (path = []),
    moveTo: (x: number, y: number) => path.push(`M${+x.toFixed(3)},${+y.toFixed(3)}`),
    lineTo: (x: number, y: number) => path.push(`L${+x.toFixed(3)},${+y.toFixed(3)}`),
    closePath: () => path.push('Z'),
    fill: () => log.push(`fill ${String(ctx.fillStyle)} @${ctx.globalAlpha.toFixed(2)} ${path.join(' ')}`),
    fillText: (t: string, x: number, y: number) => log.push(`text ${t} at ${+x.toFixed(3)},${+y.toFixed(3)}`),
    strokeText: () => undefined,
    measureText: (t: string) => ({ width: 7 * t.length }),
  };
  return ctx as unknown as DensityContext & { log: string[] };
}

const colours: Record<string, string> = { '1': '#ff0000', '2': '#0000ff' };
const shown = (cat: string): DensityStyle => ({ color: colours[cat] ?? '#000', visible: true });

function map(): DensityMap {
  const m = new DensityMap(1024);
  m.add({ cell: 1024, cells: [
    { col: 0, row: 0, category: '1', count: 300 },
    { col: 0, row: 0, category: '2', count: 100 },
    { col: 1, row: 0, category: '2', count: 4 },
    { col: 40, row: 40, category: '1', count: 99_999 },
  ] });
  return m;
}

// One image pixel is a twentieth of a screen pixel: a 1024 px cell is 51.2 px wide.
const zoomedOut: Affine = { a: 0.05, b: 0, c: 0, d: 0.05, e: 0, f: 0 };

describe('DensityMap', () => {
  it('sums the grids of several authors cell by cell', () => {
    const m = map();
    m.add({ cell: 1024, cells: [{ col: 0, row: 0, category: '1', count: 50 }] });
    expect(m.size).toBe(3);
    expect(m.total()).toBe(300 + 100 + 4 + 99_999 + 50);
    expect(m.total((c) => c === '2')).toBe(104);
    expect(() => m.add({ cell: 2048, cells: [] })).toThrow(/1024/);
  });
});

describe('paintDensity', () => {
  it('splits a cell into stripes of its categories, by share, in palette order, with its count', () => {
    const ctx = recorder();
    const frame = paintDensity(ctx, map(), zoomedOut, 800, 600, shown, ['2', '1']);
    // The far cell (col 40 = 2048 screen px) is off screen.
    expect(frame).toEqual({ cells: 2, labels: 2, marks: 404 });
    const [blue, red, count, lone, four] = ctx.log;
    // Category 2 first (palette order): a quarter of the cell; category 1 the other three quarters.
    expect(blue).toMatch(/^fill #0000ff @0\.55 M0,0 L12\.8,0 L12\.8,51\.2 L0,51\.2 Z$/);
    expect(red).toMatch(/^fill #ff0000 @0\.55 M12\.8,0 L51\.2,0 L51\.2,51\.2 L12\.8,51\.2 Z$/);
    expect(count).toBe('text 400 at 25.6,25.6');
    // Fewer marks, fainter: the scale is logarithmic over the cells on screen.
    const alpha = Number(/@([\d.]+)/.exec(lone ?? '')?.[1]);
    expect(alpha).toBeGreaterThan(0.15);
    expect(alpha).toBeLessThan(0.4);
    expect(four).toBe('text 4 at 76.8,25.6');
  });

  it('leaves hidden categories out of the stripes and the counts', () => {
    const ctx = recorder();
    const onlyRed = (cat: string): DensityStyle => ({ color: colours[cat] ?? '#000', visible: cat === '1' });
    const frame = paintDensity(ctx, map(), zoomedOut, 800, 600, onlyRed, ['1', '2']);
    expect(frame).toEqual({ cells: 1, labels: 1, marks: 300 });
    expect(ctx.log).toEqual([expect.stringMatching(/^fill #ff0000 @0\.55 M0,0 L51\.2,0 /), 'text 300 at 25.6,25.6']);
  });

  it('writes no count that would not fit in its cell', () => {
    const ctx = recorder();
    const tiny: Affine = { a: 0.01, b: 0, c: 0, d: 0.01, e: 0, f: 0 };
    const frame = paintDensity(ctx, map(), tiny, 800, 600, shown, ['1', '2']);
    expect(frame.labels).toBe(0);
    expect(frame.cells).toBe(3);
  });

  it('follows a rotated view: the stripes are the cell turned on screen', () => {
    const ctx = recorder();
    const quarterTurn: Affine = { a: 0, b: 0.05, c: -0.05, d: 0, e: 400, f: 0 };
    const m = new DensityMap(1024);
    m.add({ cell: 1024, cells: [{ col: 0, row: 0, category: '1', count: 10 }] });
    paintDensity(ctx, m, quarterTurn, 800, 600, shown, ['1']);
    expect(ctx.log[0]).toBe('fill #ff0000 @0.55 M400,0 L400,51.2 L348.8,51.2 L348.8,0 Z');
  });

  it('cuts the cells on the edges of the slide to it', () => {
    const ctx = recorder();
    const m = new DensityMap(1024, { width: 1536, height: 1024 });
    m.add({ cell: 1024, cells: [{ col: 1, row: 0, category: '1', count: 10 }] });
    paintDensity(ctx, m, zoomedOut, 800, 600, shown, ['1']);
    expect(ctx.log).toEqual(['fill #ff0000 @0.55 M51.2,0 L76.8,0 L76.8,51.2 L51.2,51.2 Z', 'text 10 at 64,25.6']);
  });
});

describe('formatCount', () => {
  it.each([
    [0, '0'],
    [999, '999'],
    [1000, '1.0k'],
    [1234, '1.2k'],
    [9949, '9.9k'],
    [9950, '10k'],
    [35_499, '35k'],
    [999_499, '999k'],
    [999_500, '1.0M'],
    [1_234_567, '1.2M'],
    [25_000_000, '25M'],
  ])('%d reads %s', (n, want) => {
    expect(formatCount(n)).toBe(want);
  });
});

import { describe, expect, it } from 'vitest';
import type { Affine } from '../viewer/geometry';
import { PointLayer } from './points';
import { defaultRenderOptions, haloColor, paint, Planner, type CategoryStyle, type PaintContext, type RenderOptions } from './render';

const opts: RenderOptions = { minScreenRadius: 2, maxScreenRadius: 50, halo: 0, rasterAbove: 2000, rasterMaxArea: 4e6 };
const visible = (): CategoryStyle => ({ color: '#f00', visible: true });

function grid(n: number, spacing: number): PointLayer {
  const layer = new PointLayer(n * spacing, n * spacing);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      layer.add({ id: `${i}:${j}`, x: i * spacing + spacing / 2, y: j * spacing + spacing / 2, radius: 4, category: (i + j) % 2 === 0 ? 'even' : 'odd' });
    }
  }
  return layer;
}

describe('Planner', () => {
  it('draws only marks on screen when zoomed in', () => {
    // 224 × 224 = 50,176 marks 100 px apart on a 22,400 px slide, viewed 1:1 at the origin.
    const layer = grid(224, 100);
    const oneToOne: Affine = { a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 };
    const plan = new Planner().plan(layer, oneToOne, 1000, 500, visible, opts);
    expect(plan.drawn).toBe(10 * 5);
    // The grid index may look at a few neighbouring marks, never at the whole slide.
    expect(plan.considered).toBeLessThan(2000);
  });

  it('draws every mark when the whole slide is on screen', () => {
    const layer = grid(224, 100);
    const fit: Affine = { a: 1366 / 22400, b: 0, c: 0, d: 1366 / 22400, e: 0, f: 0 };
    const plan = new Planner().plan(layer, fit, 1366, 1366, visible, opts);
    expect(plan.drawn).toBe(224 * 224);
  });

  it('buckets by category and puts marks at their screen position', () => {
    const layer = new PointLayer(1000, 1000);
    layer.add({ id: 'a', x: 100, y: 200, radius: 10, category: 'x' });
    layer.add({ id: 'b', x: 300, y: 400, radius: 10, category: 'y' });
    const half: Affine = { a: 0.5, b: 0, c: 0, d: 0.5, e: 10, f: 20 };
    const plan = new Planner().plan(layer, half, 500, 500, visible, opts);
    expect(plan.counts).toEqual([1, 1]);
    expect(Array.from(plan.buckets[0]!.subarray(0, 3))).toEqual([60, 120, 5]);
    expect(Array.from(plan.buckets[1]!.subarray(0, 3))).toEqual([160, 220, 5]);
  });

  it('keeps far-out marks visible and near-in marks bounded', () => {
    const layer = new PointLayer(1000, 1000);
    layer.add({ id: 'a', x: 10, y: 10, radius: 4, category: 'x' });
    const tiny = new Planner().plan(layer, { a: 0.01, b: 0, c: 0, d: 0.01, e: 0, f: 0 }, 100, 100, visible, opts);
    expect(tiny.buckets[0]![2]).toBe(opts.minScreenRadius);
    const huge = new Planner().plan(layer, { a: 100, b: 0, c: 0, d: 100, e: -900, f: -900 }, 200, 200, visible, opts);
    expect(huge.buckets[0]![2]).toBe(opts.maxScreenRadius);
  });

  it('skips hidden categories', () => {
    const layer = grid(10, 10);
    const onlyEven = (i: number): CategoryStyle => ({ color: '#000', visible: layer.categories[i] === 'even' });
    const plan = new Planner().plan(layer, { a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 }, 100, 100, onlyEven, opts);
    expect(plan.drawn).toBe(50);
  });

  it('culls correctly when the view is rotated', () => {
    const layer = new PointLayer(2000, 2000);
    layer.add({ id: 'seen', x: 100, y: 50, radius: 1, category: 'x' });
    layer.add({ id: 'hidden', x: 1500, y: 50, radius: 1, category: 'x' });
    // 90° clockwise: screen x = 400 - image y, screen y = image x.
    const rot: Affine = { a: 0, b: 1, c: -1, d: 0, e: 400, f: 0 };
    const plan = new Planner().plan(layer, rot, 400, 1000, visible, opts);
    expect(plan.drawn).toBe(1);
    expect(Array.from(plan.buckets[0]!.subarray(0, 2))).toEqual([350, 100]);
  });
});

describe('paint', () => {
  it('fills each category once with all its marks in one path', () => {
    const calls: string[] = [];
    const ctx = {
      fillStyle: '' as unknown,
      strokeStyle: '' as unknown,
      lineWidth: 1,
      beginPath: () => calls.push('begin'),
      moveTo: () => undefined,
      arc: () => calls.push('arc'),
      fill: () => calls.push(`fill ${String(ctx.fillStyle)}`),
      stroke: () => calls.push('stroke'),
    } as unknown as PaintContext;
    const layer = grid(4, 10);
    const colours = (i: number): CategoryStyle => ({ color: layer.categories[i] === 'even' ? 'red' : 'blue', visible: true });
    const plan = new Planner().plan(layer, { a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 }, 100, 100, colours, opts);
    paint(ctx, plan, colours, opts);
    expect(calls.filter((c) => c === 'arc')).toHaveLength(16);
    expect(calls.filter((c) => c.startsWith('fill'))).toEqual(['fill red', 'fill blue']);
    expect(calls.filter((c) => c === 'begin')).toHaveLength(2);
  });
});

describe('haloColor', () => {
  it.each([
    ['#000000', '#ffffff'],
    ['#000080', '#ffffff'],
    ['#e6194b', '#000000'],
    ['#ffe119', '#000000'],
    ['#ffffff', '#000000'],
    ['#0f0', '#000000'],
  ])('%s gets a %s ring', (color, want) => {
    expect(haloColor(color)).toBe(want);
  });
});

describe('default marker size on screen', () => {
  it('never draws a dot smaller than 4 CSS px across the radius, however far out', () => {
    expect(defaultRenderOptions.minScreenRadius).toBeGreaterThanOrEqual(4);
    expect(defaultRenderOptions.halo).toBeGreaterThan(0);
  });
});

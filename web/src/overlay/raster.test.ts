import { describe, expect, it } from 'vitest';
import { PointLayer } from './points';
import { packColor, parseHexColor, rasterize } from './raster';
import { paintMode, Planner, type CategoryStyle, type FramePlan, type RenderOptions } from './render';

const opts: RenderOptions = { minScreenRadius: 2, maxScreenRadius: 50, halo: 0, rasterAbove: 100, rasterMaxArea: 1e6 };

function planOf(discs: readonly [number, number, number][]): FramePlan {
  const buf = new Float32Array(discs.flat());
  return { buckets: [buf], counts: [discs.length], considered: discs.length, drawn: discs.length, area: 0 };
}

function covered(pixels: Uint32Array): number {
  return pixels.reduce((n, p) => n + (p !== 0 ? 1 : 0), 0);
}

describe('parseHexColor', () => {
  it.each([
    ['#ff0000', packColor(255, 0, 0)],
    ['#0F0', packColor(0, 255, 0)],
    ['#0000ff80', packColor(0, 0, 255, 128)],
    [' #123456 ', packColor(0x12, 0x34, 0x56)],
    ['red', null],
    ['#12345', null],
  ])('%s', (css, want) => {
    expect(parseHexColor(css)).toBe(want);
  });
});

describe('rasterize', () => {
  it('fills a disc of about πr² pixels at the right place', () => {
    const w = 100;
    const pixels = new Uint32Array(w * w);
    rasterize(pixels, w, w, 1, planOf([[50, 50, 10]]), () => 7);
    expect(Math.abs(covered(pixels) - Math.PI * 100)).toBeLessThan(20);
    expect(pixels[50 * w + 50]).toBe(7);
    expect(pixels[50 * w + 59]).toBe(7);
    expect(pixels[50 * w + 61]).toBe(0);
    expect(pixels[38 * w + 50]).toBe(0);
  });

  it('clips discs at the canvas edge without wrapping to the next row', () => {
    const w = 20;
    const pixels = new Uint32Array(w * w);
    rasterize(pixels, w, w, 1, planOf([[0, 10, 5], [19.5, 0, 5]]), () => 1);
    // Column w-1 of row 10 would be hit if the left disc wrapped around.
    expect(pixels[10 * w + (w - 1)]).toBe(0);
    expect(pixels[10 * w]).toBe(1);
    expect(covered(pixels)).toBeGreaterThan(0);
  });

  it('scales CSS pixels to device pixels', () => {
    const pixels = new Uint32Array(40 * 40);
    rasterize(pixels, 40, 40, 2, planOf([[10, 10, 5]]), () => 1);
    expect(pixels[20 * 40 + 20]).toBe(1);
    expect(Math.abs(covered(pixels) - Math.PI * 100)).toBeLessThan(20);
  });

  it('paints later categories over earlier ones', () => {
    const plan: FramePlan = {
      buckets: [new Float32Array([5, 5, 3]), new Float32Array([5, 5, 2])],
      counts: [1, 1],
      considered: 2,
      drawn: 2,
      area: 0,
    };
    const pixels = new Uint32Array(10 * 10);
    rasterize(pixels, 10, 10, 1, plan, (cat) => cat + 1);
    expect(pixels[5 * 10 + 5]).toBe(2);
    expect(pixels[5 * 10 + 2]).toBe(1);
  });
});

describe('paintMode', () => {
  const visible = (): CategoryStyle => ({ color: '#f00', visible: true });

  it('rasterizes dense views and draws vectors for sparse ones', () => {
    const layer = new PointLayer(1000, 1000);
    for (let i = 0; i < 500; i++) layer.add({ id: String(i), x: (i * 37) % 1000, y: (i * 91) % 1000, radius: 1, category: 'a' });
    const all = new Planner().plan(layer, { a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 }, 1000, 1000, visible, opts);
    expect(paintMode(all, opts)).toBe('raster');
    const few = new Planner().plan(layer, { a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 }, 100, 100, visible, opts);
    expect(few.drawn).toBeLessThanOrEqual(100);
    expect(paintMode(few, opts)).toBe('vector');
  });

  it('keeps vectors when the discs would cover too many pixels', () => {
    expect(paintMode({ buckets: [], counts: [], considered: 5000, drawn: 5000, area: 2e6 }, opts)).toBe('vector');
  });
});

describe('rasterize with a halo', () => {
  it('rings each dot in the halo colour, and a neighbour ring never covers a dot', () => {
    const w = 40;
    const pixels = new Uint32Array(w * w);
    const dot = packColor(0, 0, 0);
    const ring = packColor(255, 255, 255);
    rasterize(pixels, w, w, 1, planOf([[10, 10, 4], [17, 10, 4]]), () => dot, { width: 2, color: () => ring });
    expect(pixels[10 * w + 10]).toBe(dot);
    // 5 px from the first centre: past its dot (4), inside its ring (6).
    expect(pixels[10 * w + 5]).toBe(ring);
    // Between the two dots the second dot wins over the first one's ring.
    expect(pixels[10 * w + 14]).toBe(dot);
    expect(pixels[10 * w + 30]).toBe(0);
  });
});

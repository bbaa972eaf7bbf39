import { describe, expect, it } from 'vitest';
import type { Suggestion } from '../api/suggestions';
import { identity } from '../viewer/geometry';
import { boxOf, centreOf, paintSuggestions, progressText, scoreText, suggestionAt } from './layer';

const dot = (id: number, x: number, y: number, extra: Partial<Suggestion['properties']> = {}): Suggestion => ({
  id,
  geometry: { type: 'Point', coordinates: [x, y] },
  properties: { category_id: 3, radius: 4, model: { name: 'pathofusion', version: 'v3' }, scores: { '3': 0.62, '4': 0.38 }, score: 0.62, margin: 0.24, state: 'undecided', ...extra },
});
const square: Suggestion = {
  id: 9,
  geometry: { type: 'Polygon', coordinates: [[[100, 100], [300, 100], [300, 300], [100, 300], [100, 100]]] },
  properties: { category_id: 4, model: { name: 'unet', version: '2' }, state: 'undecided', score: 0.9, margin: 0.8 },
};
const names = (id: number): string => (id === 3 ? 'tumor' : 'stroma');

describe('suggestion geometry', () => {
  it('boxes a dot by its radius and a polygon by its corners', () => {
    expect(boxOf(dot(1, 10, 20))).toEqual({ x0: 6, y0: 16, x1: 14, y1: 24 });
    expect(boxOf(square)).toEqual({ x0: 100, y0: 100, x1: 300, y1: 300 });
    expect(centreOf(square)).toEqual({ x: 200, y: 200 });
  });

  it('finds the smallest suggestion under the pointer, with slack for dots', () => {
    const inside = dot(2, 150, 150);
    expect(suggestionAt([square, inside], 151, 151, 2)?.id).toBe(2);
    expect(suggestionAt([square, inside], 250, 250, 2)?.id).toBe(9);
    expect(suggestionAt([square, inside], 16, 20, 0)).toBeNull();
    expect(suggestionAt([dot(1, 10, 20)], 16, 20, 3)?.id).toBe(1);
  });
});

describe('suggestion words', () => {
  it('says the category, score, margin and model version, or no numbers when they are blinded', () => {
    expect(scoreText(dot(1, 0, 0), names)).toBe('tumor 0.62 (margin 0.24) · pathofusion v3');
    const { scores: _s, score: _c, margin: _m, ...blind } = dot(1, 0, 0).properties;
    expect(scoreText({ ...dot(1, 0, 0), properties: blind }, names)).toBe('tumor · pathofusion v3');
  });

  it('counts progress with thousands separators', () => {
    expect(progressText(312, 2048)).toBe('312 of 2,048 reviewed');
  });
});

/** recorder is a 2D context that keeps what was drawn. */
function recorder(): { ctx: CanvasRenderingContext2D; log: string[] } {
  const log: string[] = [];
  const ctx = {
    save: () => log.push('save'),
    restore: () => log.push('restore'),
    setLineDash: (d: number[]) => log.push(`dash ${d.join(',')}`),
    beginPath: () => undefined,
    arc: (x: number, y: number, r: number) => log.push(`arc ${x},${y},${r}`),
    moveTo: (x: number, y: number) => log.push(`move ${x},${y}`),
    lineTo: (x: number, y: number) => log.push(`line ${x},${y}`),
    stroke: () => log.push(`stroke ${String(ctx.strokeStyle)} ${ctx.lineWidth}`),
    fillRect: () => undefined,
    fillText: (t: string) => log.push(`text ${t}`),
    measureText: (t: string) => ({ width: t.length * 7 }),
    strokeStyle: '',
    fillStyle: '',
    lineWidth: 1,
    font: '',
  };
  return { ctx: ctx as unknown as CanvasRenderingContext2D, log };
}

describe('paintSuggestions', () => {
  it('draws dashed in the category colour, the current one thicker, the hovered one labelled', () => {
    const { ctx, log } = recorder();
    const colors: Record<number, string> = { 3: '#ff0000', 4: '#ffff00' };
    const n = paintSuggestions(ctx, [dot(1, 10, 20), square], identity, { colorOf: (id) => colors[id] ?? '', current: 9, hovered: 1, label: (s) => scoreText(s, names) });
    expect(n).toBe(2);
    expect(log[1]).toBe('dash 6,4');
    expect(log).toContain('arc 10,20,6');
    expect(log).toContain('stroke #ff0000 2');
    expect(log).toContain('stroke #ffff00 4');
    expect(log).toContain('move 100,100');
    expect(log).toContain('text tumor 0.62 (margin 0.24) · pathofusion v3');
  });
});
